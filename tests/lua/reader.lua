-- A slow reader in its own process: connects to the port in arg[1], reads in
-- small pieces until the end, compares with support.pattern and prints
-- "OK <count>" or where the stream went wrong.
local csend = require "csend"
local t = require "support"
local expected = t.pattern(tonumber(arg[2]))
local s = csend.socket()
s:connect("127.0.0.1", tonumber(arg[1]))
local at = 0
while true do
  local chunk = s:receive(16384)
  if chunk == "" then break end
  if chunk ~= expected:sub(at + 1, at + #chunk) then
    print("MISMATCH at " .. at)
    s:close()
    os.exit(1)
  end
  at = at + #chunk
end
s:close()
print("OK " .. at)
