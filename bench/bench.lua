-- The Lua contenders: csend's s:send and LuaSocket's tcp:send, on any Lua.
-- Usage: LUA bench.lua csend|csend4|luasocket tcp|unix ADDRESS SIZE N
--   csend   s:send(buf) through a cached method: the shortest form
--   csend4  s:send(buf, 0, #buf, SocketFlags.None): .NET's four arguments,
--           method syntax, as ported code writes it
-- Prints the nanoseconds the N sends took; exits 3 when the sink did not
-- receive exactly N x SIZE bytes.
local socket = require "socket"
local who, transport, where, size, n = arg[1], arg[2], arg[3], tonumber(arg[4]), tonumber(arg[5])
local buf = string.rep("x", size)

local function timed(send, conn)
  local t0 = socket.gettime()
  for _ = 1, n do send(conn, buf) end
  return math.floor((socket.gettime() - t0) * 1e9)
end

local elapsed, answer
if who == "csend" or who == "csend4" then
  local csend = require "csend"
  local s = transport == "unix"
    and csend.socket(csend.AddressFamily.Unix, csend.SocketType.Stream)
    or csend.socket(csend.AddressFamily.InterNetwork, csend.SocketType.Stream)
  if transport == "unix" then s:connect(where) else s:connect("127.0.0.1", tonumber(where)) end
  if who == "csend4" then
    local SocketFlags = csend.SocketFlags
    local t0 = socket.gettime()
    for _ = 1, n do s:send(buf, 0, #buf, SocketFlags.None) end
    elapsed = math.floor((socket.gettime() - t0) * 1e9)
  else
    elapsed = timed(s.send, s)
  end
  s:shutdown(csend.SocketShutdown.Send)
  answer = ""
  while #answer < 8 do answer = answer .. s:receive(8 - #answer) end
  s:close()
else
  local c
  if transport == "unix" then
    c = assert(require("socket.unix")())
    assert(c:connect(where))
  else
    c = assert(socket.tcp())
    assert(c:connect("127.0.0.1", tonumber(where)))
  end
  c:settimeout(nil)
  elapsed = timed(c.send, c)
  c:shutdown("send")
  answer = assert(c:receive(8))
  c:close()
end
local total = 0 -- the sink's count: 8 bytes, little-endian
for i = 8, 1, -1 do total = total * 256 + answer:byte(i) end
if total ~= n * size then
  io.stderr:write(string.format("sink received %d bytes, expected %d\n", total, n * size))
  os.exit(3)
end
print(elapsed)
