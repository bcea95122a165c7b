-- Lua code that reaches what a C module keeps (the registry, metamethods)
-- and lies to it: each case once made the module read memory it must not,
-- or answer differently on one Lua than on another. Portable Lua.
local csend = require "csend"
local t = require "support"

local lua = os.getenv("CSEND_LUA") or "lua5.4"

-- Runs code in a fresh interpreter of the same Lua; returns its output.
local function child(code)
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write(code)
  f:close()
  local p = io.popen(lua .. " " .. path .. " 2>&1; echo rc=$?")
  local out = p:read("*a")
  p:close()
  os.remove(path)
  return out
end

case("a_foreign_value_in_the_registry_is_not_taken_for_the_modules_state", function()
  for _, value in ipairs({"io.stdout", "newproxy and newproxy(false) or io.stderr", "{}", "42"}) do
    local out = child(
      'debug.getregistry()["csend.state"] = ' .. value .. '\n' ..
      'local before = debug.getregistry()["csend.state"]\n' ..
      'local csend = require "csend"\n' ..
      'local lines = 0\n' ..
      'csend.set_trace(true, function() lines = lines + 1 end)\n' ..
      'local l = csend.socket():bind("127.0.0.1", 0):listen(1)\n' ..
      'local s = csend.socket()\n' ..
      's:connect(l:local_endpoint())\n' ..
      'local peer = l:accept()\n' ..
      'assert(s:send("abc") == 3)\n' ..
      'csend.set_trace(false)\n' ..
      'assert(lines == 2, lines)\n' ..
      'io.stdout:write("stdout works\\n")\n' ..
      's:close() peer:close() l:close()\n')
    assert(out:find("stdout works\nrc=0", 1, true), value .. ": " .. out)
  end
end)

case("a_pending_method_given_a_socket_through_a_forged_metatable_refuses_it", function()
  local s, peer = t.tcp_pair()
  local op = s:start_send("abc")
  local step, gc = op.step, debug.getmetatable(op).__gc
  -- New operations would take this metatable from the registry: a socket
  -- dressed as one must still be refused.
  debug.getregistry()["csend.PendingSend"] = debug.getmetatable(s)
  local msg = t.argerror(step, s)
  assert(msg:find("csend.PendingSend expected"), msg)
  t.argerror(gc, s)
  t.eq(op:step(), 3, "the real one still works")
  s:close()
  peer:close()
end)

case("concatenation_converts_csend_errors_only", function()
  local s = csend.socket()
  local e = t.raises("ArgumentNullException", s.send, s, nil)
  t.eq("x" .. e, "x" .. tostring(e), "string .. error")
  t.eq(e .. 1, tostring(e) .. "1", "error .. number")
  for _, other in ipairs({{}, true, print}) do
    local ok, err = pcall(function() return other .. e end)
    t.eq(ok, false, type(other) .. " .. error")
    assert(tostring(err):find("attempt to concatenate a " .. type(other) .. " value", 1, true),
           tostring(err))
    ok, err = pcall(function() return e .. other end)
    t.eq(ok, false, "error .. " .. type(other))
    assert(tostring(err):find("attempt to concatenate", 1, true), tostring(err))
  end
  local ok, err = pcall(function() return e .. nil end)
  assert(not ok and tostring(err):find("concatenate", 1, true), tostring(err))
  s:close()
end)

case("a_length_beyond_32_bits_is_out_of_range_on_every_lua", function()
  local s, peer = t.tcp_pair()
  -- 2^32 + 3: exact as a double and as an integer; cut to 32 bits it was 3.
  local list = setmetatable({"ab", "cd", "ef"}, {__len = function() return 4294967299 end})
  local e = t.raises("ArgumentOutOfRangeException", s.send_segments, s, list)
  t.eq(e.param_name, "buffers", "param_name")
  for _, bad in ipairs({2.5, 0 / 0, 1e300, "x"}) do
    local lie = setmetatable({"ab"}, {__len = function() return bad end})
    local ok, err = pcall(s.send_segments, s, lie)
    t.eq(ok, false, "length " .. tostring(bad))
    assert(tostring(err):find("object length is not an integer", 1, true), tostring(err))
  end
  t.eq(t.drain(peer), "", "nothing was sent")
  s:close()
  peer:close()
end)
