-- s:start_send: the pending Send a scheduler steps (csend.co is built on
-- it), used as a hostile but legal program would. Portable Lua: every
-- interpreter runs this file.
local csend = require "csend"
local t = require "support"

-- A small send buffer, so that a few MiB fill the kernel (the peer's
-- receive buffer stays as it is: a tiny window makes TCP slow, not full).
local function small(s)
  s:send_buffer_size(4096)
end

-- Steps until done; between steps, reads what has arrived at the peer
-- (non-blocking: TCP may hold data back for a while).
local function finish(op, peer, got)
  peer:blocking(false)
  while true do
    local n, fd, ms = op:step()
    if n then
      peer:blocking(true)
      return n
    end
    assert(type(fd) == "number" and fd >= 0 and type(ms) == "number", "wait values")
    local ok, chunk = pcall(peer.receive, peer, 65536)
    if ok then
      got[#got + 1] = chunk
    elseif chunk.socket_error ~= "WouldBlock" then
      error(chunk, 0)
    end
  end
end

case("start_send_checks_arguments_as_send_does", function()
  local s, peer = t.tcp_pair()
  local bad = {
    {nil}, {"abc", 4}, {"abc", -1}, {"abc", 1, 3}, {"abc", 0, 3, 2},
    {"abc", 0, 3, 4294967296}, {"abc", "x"}, {"abc", 1.5}, {{}},
  }
  for i, args in ipairs(bad) do
    local ok1, e1 = pcall(s.send, s, (table.unpack or unpack)(args, 1, 4))
    local ok2, e2 = pcall(s.start_send, s, (table.unpack or unpack)(args, 1, 4))
    t.eq(ok1, false, "send " .. i)
    t.eq(ok2, false, "start_send " .. i)
    if type(e1) == "table" then
      t.eq(e2.name, e1.name, "class " .. i)
      t.eq(e2.param_name, e1.param_name, "param " .. i)
      t.eq(e2.message, e1.message, "message " .. i)
    else
      t.eq(type(e2), "string", "an argument error " .. i)
      t.eq(e2:gsub("start_send", "send"), e1, "argument error " .. i)
    end
  end
  t.eq(t.drain(peer), "", "nothing was sent")
  s:close()
  t.raises("ObjectDisposedException", s.start_send, s, nil, 9, 9, 9)
  peer:close()
end)

case("the_buffer_lives_as_long_as_the_operation", function()
  local s, peer = t.tcp_pair()
  small(s, peer)
  local size = 3 * 1024 * 1024
  -- The only reference to this string is the operation's.
  local op = s:start_send(t.pattern(size) .. "")
  collectgarbage()
  collectgarbage()
  local got = {}
  t.eq(finish(op, peer, got), size, "sent")
  s:shutdown(csend.SocketShutdown.Send)
  got[#got + 1] = t.drain(peer, 500)
  t.eq(table.concat(got) == t.pattern(size), true, "every byte as it was")
  t.eq(op:sent(), size, "sent()")
  s:close()
  peer:close()
end)

case("the_socket_lives_as_long_as_the_operation", function()
  local s, peer = t.tcp_pair()
  small(s, peer)
  local op = s:start_send(string.rep("s", 1024 * 1024))
  s = nil
  collectgarbage()
  collectgarbage()
  local got = {}
  t.eq(finish(op, peer, got), 1024 * 1024, "sent through a socket nothing else holds")
  op = nil
  collectgarbage()
  collectgarbage()
  got[#got + 1] = t.drain(peer, 500)
  t.eq(#table.concat(got), 1024 * 1024, "bytes, then the end when the socket was collected")
  peer:close()
end)

case("an_ended_operation_says_so", function()
  local s, peer = t.tcp_pair()
  small(s, peer)
  local op = s:start_send(string.rep("e", 2 * 1024 * 1024))
  t.eq(op:step(), nil, "the kernel is full")
  local sent = op:sent()
  assert(sent > 0, "some bytes went")
  op:close()
  op:close() -- idempotent
  t.eq(op:sent(), sent, "the count stays")
  local e = t.raises("InvalidOperationException", op.step, op)
  assert(e.message:find("ended"), e.message)
  assert(tostring(op):find("ended"), tostring(op))
  t.eq(#t.drain(peer, 200), sent, "what the kernel took arrives")
  t.eq(s:send("after"), 5, "the socket goes on")
  t.eq(t.drain(peer), "after", "and the next send after it")
  s:close()
  peer:close()
end)

case("close_while_pending_aborts_the_step_and_resets_the_peer", function()
  local s, peer = t.tcp_pair()
  small(s, peer)
  local op = s:start_send(string.rep("c", 4 * 1024 * 1024))
  t.eq(op:step(), nil, "waiting")
  s:close()
  local e = t.raises("SocketException", op.step, op)
  t.eq(e.socket_error, "ConnectionAborted", "as a blocked Send")
  t.eq(e.bytes_transferred, op:sent(), "bytes_transferred")
  peer:receive_timeout(2000)
  local ok, err
  repeat ok, err = pcall(peer.receive, peer, 65536) until not ok or err == ""
  t.eq(ok, false, "the peer must not see a clean end")
  t.eq(err.socket_error, "ConnectionReset", "the peer")
  peer:close()
end)

case("gc_of_the_socket_under_a_pending_operation_is_safe", function()
  local s, peer = t.tcp_pair()
  small(s, peer)
  local op = s:start_send(string.rep("g", 4 * 1024 * 1024))
  t.eq(op:step(), nil, "waiting")
  debug.getmetatable(s).__gc(s) -- as a finalizer reached through the debug library
  collectgarbage()
  local e = t.raises("SocketException", op.step, op)
  t.eq(e.socket_error, "ConnectionAborted", "aborted")
  t.raises("ObjectDisposedException", s.start_send, s, "x")
  peer:close()
end)

case("a_trace_callback_that_ends_or_steps_the_operation_is_safe", function()
  local s, peer = t.tcp_pair()
  small(s, peer)
  local op
  local lines = 0
  csend.set_trace(true, function()
    lines = lines + 1
    if op then
      op:close()                 -- ends it again from inside its own end
      pcall(op.step, op)         -- a step of an ended operation: an error, caught here
      collectgarbage()
    end
  end)
  local ok, err = pcall(function()
    op = s:start_send(string.rep("t", 1024 * 1024))
    local got = {}
    t.eq(finish(op, peer, got), 1024 * 1024, "complete")
  end)
  csend.set_trace(false)
  assert(ok, tostring(err))
  assert(lines >= 2, "traced: " .. lines)
  s:close()
  peer:close()
end)

case("operations_abandoned_mid_send_are_collected_with_their_descriptors", function()
  local l = t.listener()
  for _ = 1, 20 do
    local s = csend.socket()
    s:send_buffer_size(4096)
    s:connect(l:local_endpoint())
    local peer = l:accept()
    local op = s:start_send(string.rep("a", 1024 * 1024))
    op:step()
    s:close() -- the operation still holds the descriptor
    op, s = nil, nil
    peer:close()
  end
  collectgarbage()
  collectgarbage()
  -- Every descriptor went with its operation: a fresh socket gets a low one.
  local probe = csend.socket()
  assert(probe:getfd() < 40, "descriptors leaked: " .. probe:getfd())
  probe:close()
  l:close()
end)

case("a_non_blocking_socket_makes_one_attempt", function()
  local s, peer = t.tcp_pair()
  small(s, peer)
  s:blocking(false)
  local size = 4 * 1024 * 1024
  local data = string.rep("n", size)
  local attempts, e = 0, nil
  while attempts < 1000 do
    attempts = attempts + 1
    local ok, n = pcall(function() return s:start_send(data):step() end)
    if not ok then e = n break end
    assert(n > 0 and n < size, "a partial count, as Send: " .. tostring(n))
  end
  assert(attempts > 1, "the first attempt moved some bytes")
  t.eq(type(e), "table", "an attempt into a full kernel raises")
  t.eq(e.socket_error, "WouldBlock", "WouldBlock")
  t.eq(e.bytes_transferred, 0, "nothing moved")
  s:close()
  peer:close()
end)

case("an_operation_collected_after_its_coroutine_ends_without_running_lua", function()
  -- A finalizer (perhaps from lua_close) must not start new work: an
  -- operation collected unfinished ends without calling the trace callback,
  -- and never through the coroutine that stepped it, which the collector
  -- may have freed already (valgrind and ASan check).
  local s, peer = t.tcp_pair()
  small(s)
  local lines = {}
  csend.set_trace(true, function(line) lines[#lines + 1] = line end)
  local ok, err = pcall(function()
    local c = coroutine.create(function()
      local op = s:start_send(string.rep("k", 4 * 1024 * 1024))
      op:step()
      coroutine.yield()
    end)
    assert(coroutine.resume(c))
    c = nil
    collectgarbage()
    collectgarbage()
  end)
  csend.set_trace(false)
  assert(ok, tostring(err))
  t.eq(#lines, 1, "only the start was traced")
  assert(lines[1]:find("size=4194304", 1, true), lines[1])
  s:close()
  peer:close()
end)

case("an_operation_given_up_is_traced_as_aborted", function()
  local s, peer = t.tcp_pair()
  small(s)
  local lines = {}
  csend.set_trace(true, function(line) lines[#lines + 1] = line end)
  local ok, err = pcall(function()
    local op = s:start_send(string.rep("k", 4 * 1024 * 1024))
    op:step()
    op:close()
    assert(lines[#lines]:find("failed: OperationAborted 995", 1, true), lines[#lines])
    assert(lines[#lines]:find("bytes_transferred=" .. op:sent(), 1, true), lines[#lines])
  end)
  csend.set_trace(false)
  assert(ok, tostring(err))
  s:close()
  peer:close()
end)

-- A table of operations keyed by socket (weak keys, as a scheduler keeps
-- them) must not keep sockets alive: the operation anchors its socket and
-- buffer in its own user value, not in the registry.  Lua 5.1 and LuaJIT
-- have no ephemeron tables: there a weak key that its own value reaches
-- is never collected, whatever the module does.
local no_ephemerons = _VERSION == "Lua 5.1" and "no ephemeron tables before Lua 5.2"
case("a_weak_table_of_operations_by_socket_stays_collectable", function()
  local ops = setmetatable({}, {__mode = "k"})
  local l = t.listener()
  local first_fd
  for i = 1, 20 do
    local s = csend.socket()
    s:send_buffer_size(4096)
    s:connect(l:local_endpoint())
    local peer = l:accept()
    first_fd = first_fd or s:getfd()
    local op = s:start_send(string.rep("w", 1024 * 1024))
    op:step()
    ops[s] = op
    peer:close()
  end
  collectgarbage()
  collectgarbage()
  local left = 0
  for _ in pairs(ops) do left = left + 1 end
  t.eq(left, 0, "operations left")
  local probe = csend.socket()
  assert(probe:getfd() <= first_fd + 2, "descriptors held: a new one is " .. probe:getfd())
  probe:close()
  l:close()
end, {skip = no_ephemerons})

case("pending_methods_check_their_object", function()
  local s, peer = t.tcp_pair()
  local op = s:start_send("abc")
  local step = getmetatable(op) == "csend.PendingSend" and op.step
  assert(step, "the operation's methods")
  local msg = t.argerror(step, s)
  assert(msg:find("csend.PendingSend expected, got"), msg)
  t.argerror(step, newproxy and newproxy(false) or io.stdout)
  t.eq(op:step(), 3, "the real one")
  s:close()
  peer:close()
end)
