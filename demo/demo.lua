-- The seed's example in Lua: Send(msg, 0, msg.Length, SocketFlags.None).
local csend = require "csend"

local listener <close> = csend.socket(csend.AddressFamily.InterNetwork,
                                      csend.SocketType.Stream, csend.ProtocolType.Tcp)
listener:bind("127.0.0.1", 0):listen(1)

local s <close> = csend.socket(csend.AddressFamily.InterNetwork, csend.SocketType.Stream,
                               csend.ProtocolType.Tcp)
s:connect(listener:local_endpoint())
local server <close> = listener:accept()

local msg = "This is a test"
local sent = s:send(msg, 0, #msg, csend.SocketFlags.None)
print(string.format("Sent %d bytes.", sent))
local got = server:receive(64)
server:send(got)
local reply = s:receive(64)
print(string.format("Received %d bytes: %s", #reply, reply))

print("\nThe errors of send, on purpose:")
for _, c in ipairs({
  {"send(nil, 0, 0)", {nil, 0, 0}},
  {"send(msg, -1, 14)", {msg, -1, 14}},
  {"send(msg, 4, 11)", {msg, 4, 11}},
  {"send(msg, 0, 14, SocketFlags.Peek)", {msg, 0, 14, csend.SocketFlags.Peek}},
}) do
  local _, e = pcall(s.send, s, table.unpack(c[2], 1, 4))
  print(string.format("  %-36s -> %s", c[1], tostring(e)))
end
s:close()
local _, e = pcall(s.send, s, msg)
print(string.format("  %-36s -> %s", "send(msg) after close", tostring(e)))
