-- Helpers for the Lua tests: assertions that show input, expected and actual,
-- and real sockets over loopback.
local csend = require "csend"
local M = {}

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
  local l <close> = M.listener()
  local s = csend.socket(csend.AddressFamily.InterNetwork, csend.SocketType.Stream)
  s:connect(l:local_endpoint())
  local peer = l:accept()
  return s, peer
end

-- Everything that arrives until `quiet_ms` pass with nothing, or the end.
function M.drain(peer, quiet_ms)
  peer:receive_timeout(quiet_ms or 50)
  local parts = {}
  while true do
    local ok, chunk = pcall(peer.receive, peer, 1 << 20)
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
  return string.rep(block, n // 251 + 1):sub(1, n)
end

return M
