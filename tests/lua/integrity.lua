-- The Lua half of the integrity test (tests/test_lua_load.py):
--   lua integrity.lua POOL_FILE PORT TOTAL_BYTES SEED
-- Connects to 127.0.0.1:PORT and sends TOTAL_BYTES taken from the pool in
-- random chunk sizes (1 B to 1 MiB) at random offsets, through send and,
-- one time in four, send_segments. Prints "offset size" for every piece, in
-- order, so the receiver can work out what it should have got.
local csend = require "csend"

local pool_file, port, total, seed = arg[1], tonumber(arg[2]), tonumber(arg[3]), tonumber(arg[4])
local f = assert(io.open(pool_file, "rb"))
local pool = f:read("*a")
f:close()
math.randomseed(seed)

local s = csend.socket(csend.AddressFamily.InterNetwork, csend.SocketType.Stream)
s:connect("127.0.0.1", port)
local out = {}
local sent = 0
while sent < total do
  local size = math.min(1048576, math.floor(2 ^ (math.random() * 20.5)), total - sent)
  local offset = math.random(0, #pool - size)
  if math.random(4) < 4 then
    assert(s:send(pool, offset, size) == size)
    out[#out + 1] = offset .. " " .. size
  else
    local cut = math.random(0, size)
    local a, b = pool:sub(offset + 1, offset + cut), pool:sub(offset + cut + 1, offset + size)
    assert(s:send_segments({a, "", b}) == size)
    out[#out + 1] = offset .. " " .. cut
    out[#out + 1] = (offset + cut) .. " " .. (size - cut)
  end
  sent = sent + size
end
s:shutdown(csend.SocketShutdown.Send)
s:close()
io.write(table.concat(out, "\n"), "\n")
