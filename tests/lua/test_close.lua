-- To-be-closed variables (`local x <close>`): Lua 5.4 only, the other
-- interpreters cannot even read this file (test_lua.py skips it there: the
-- language has no <close>). A csend.Socket has __close; it closes the
-- socket when its variable goes out of scope, and while an error unwinds.
local csend = require "csend"
local t = require "support"

case("close_variable_releases_the_descriptor", function()
  local fd
  do
    local s <close> = csend.socket()
    fd = s:getfd()
  end
  local again <close> = csend.socket()
  t.eq(again:getfd(), fd, "the lowest free descriptor is the one released")
end)

case("close_variables_of_every_kind_of_socket_close_them", function()
  local kept = {}
  do
    local l <close> = t.listener()
    local c <close> = csend.socket()
    c:connect(l:local_endpoint())
    local a <close> = l:accept()
    local u <close> = csend.socket(csend.AddressFamily.InterNetwork, csend.SocketType.Dgram)
    kept = {l, c, a, u}
    for _, x in ipairs(kept) do t.eq(x:closed(), false, "open inside the block") end
  end
  for i, x in ipairs(kept) do
    t.eq(x:closed(), true, "closed at the end of the block: " .. i)
    t.raises("ObjectDisposedException", x.send, x, "x")
  end
end)

case("a_closed_socket_in_a_close_variable_is_closed_again_harmlessly", function()
  local s, peer = t.tcp_pair()
  do
    local own <close> = s
    s:close()
  end
  t.eq(s:closed(), true, "closed")
  t.eq(s:getfd(), -1, "no descriptor")
  peer:close()
end)

case("close_handlers_that_run_while_a_send_error_unwinds", function()
  local s, peer = t.tcp_pair()
  local ok, e = pcall(function()
    local guard <close> = setmetatable({}, {__close = function()
      s:close()
      collectgarbage()
    end})
    local own <close> = s -- the socket's own __close runs too
    s:send("abc", 9) -- offset out of range: raises
  end)
  assert(not ok and type(e) == "table", tostring(e))
  t.eq(e.name, "ArgumentOutOfRangeException", "the send's error survives the handlers")
  t.eq(s:closed(), true, "closed by the handlers")
  t.raises("ObjectDisposedException", s.send, s, "x")
  t.eq(t.drain(peer), "", "nothing was sent")
  peer:close()
end)

case("the_sockets_close_handler_is_given_the_error_and_keeps_it", function()
  -- __close receives the error object as its second argument; the socket's
  -- must close and leave it to go on unwinding, unchanged.
  local s, peer = t.tcp_pair()
  local seen
  local ok, e = pcall(function()
    local watch <close> = setmetatable({}, {__close = function(_, err) seen = err end})
    local own <close> = s
    error("raised with the socket in scope", 0)
  end)
  t.eq(ok, false, "raised")
  t.eq(e, "raised with the socket in scope", "the error that unwound")
  t.eq(seen, e, "the guard after the socket's handler saw the same error")
  t.eq(s:closed(), true, "closed by its handler")
  peer:close()
end)
