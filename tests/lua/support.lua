-- Helpers for the Lua tests: assertions that show input, expected and actual,
-- real sockets over loopback, and what differs between Lua 5.1, 5.2, 5.3,
-- 5.4 and LuaJIT, so that the same tests run unchanged on each.
local csend = require "csend"
local M = {}

-- ---- the language, whichever Lua this is -----------------------------------

M.unpack = table.unpack or unpack
function M.pack(...) return {n = select("#", ...), ...} end

M.luajit = type(rawget(_G, "jit")) == "table"
-- Integers are a number subtype from Lua 5.3 on; before, and in LuaJIT,
-- every number is a double.
M.integers = math.type ~= nil
-- The largest and smallest integers. On doubles, the doubles nearest them,
-- 2^63 and -2^63 (what 9223372036854775807 reads as there): the module
-- saturates an integral double beyond int64 to its bounds, so both stay
-- out of every range, as the integers are.
M.maxinteger = math.maxinteger or 2 ^ 63
M.mininteger = math.mininteger or -2 ^ 63

-- math.tointeger where it exists; on doubles, an integral number itself.
M.tointeger = math.tointeger or function(x)
  if type(x) == "number" and x == math.floor(x) then return x end
  return nil
end

-- Whether x (an integer, negative in two's complement) has the bit of value
-- `bit` (a power of two) set: x & bit ~= 0, without the operator.
function M.has_bit(x, bit)
  return math.floor(x / bit) % 2 == 1
end

-- The interpreter running the tests, to start another of the same: the
-- name test_lua.py passes in CSEND_LUA, or how this one was started.
function M.lua()
  return os.getenv("CSEND_LUA") or (arg and arg[-1]) or "lua5.4"
end

-- An object whose finalizer calls fn when it is collected. Lua 5.1 and
-- LuaJIT run __gc on userdata only, not on tables: there it is a proxy
-- userdata (newproxy), from 5.2 on a table, as a program would write it.
function M.finalizer(fn)
  if rawget(_G, "newproxy") then
    local p = newproxy(true)
    getmetatable(p).__gc = fn
    return p
  end
  return setmetatable({}, {__gc = fn})
end

-- ---- assertions ------------------------------------------------------------

function M.eq(actual, expected, what)
  if actual ~= expected then
    error(string.format("%s: expected %s, got %s", what or "value", tostring(expected),
                        tostring(actual)), 2)
  end
end

-- Calls fn(...) and returns the error object it raises, checking its class.
function M.raises(class, fn, ...)
  local ok, e = pcall(fn, ...)
  if ok then error("expected " .. class .. ", but the call returned", 2) end
  if type(e) ~= "table" or e.name ~= class then
    error(string.format("expected %s, got %s", class, tostring(e)), 2)
  end
  return e
end

-- Calls fn(...) and returns the Lua argument error (a string) it raises.
function M.argerror(fn, ...)
  local ok, e = pcall(fn, ...)
  if ok then error("expected an argument error, but the call returned", 2) end
  if type(e) ~= "string" or not e:find("bad argument") then
    error("expected an argument error, got " .. tostring(e), 2)
  end
  return e
end

function M.listener(host)
  local l = csend.socket(csend.AddressFamily.InterNetwork, csend.SocketType.Stream,
                         csend.ProtocolType.Tcp)
  l:bind(host or "127.0.0.1", 0)
  l:listen(4)
  return l
end

-- A connected TCP pair over 127.0.0.1: the sender and its peer, both csend.
function M.tcp_pair()
  local l = M.listener()
  local ok, s, peer = pcall(function()
    local c = csend.socket(csend.AddressFamily.InterNetwork, csend.SocketType.Stream)
    c:connect(l:local_endpoint())
    return c, l:accept()
  end)
  l:close() -- the listener goes, whatever happened
  if not ok then error(s, 0) end
  return s, peer
end

-- Everything that arrives until `quiet_ms` pass with nothing, or the end.
function M.drain(peer, quiet_ms)
  peer:receive_timeout(quiet_ms or 50)
  local parts = {}
  while true do
    local ok, chunk = pcall(peer.receive, peer, 1048576)
    if not ok then
      if type(chunk) == "table" and chunk.socket_error == "TimedOut" then break end
      error(chunk, 0)
    end
    if chunk == "" then break end
    parts[#parts + 1] = chunk
  end
  return table.concat(parts)
end

-- n bytes that are not all alike.
function M.pattern(n)
  local block = {}
  for i = 0, 250 do block[#block + 1] = string.char(i) end
  block = table.concat(block)
  return string.rep(block, math.floor(n / 251) + 1):sub(1, n)
end

return M
