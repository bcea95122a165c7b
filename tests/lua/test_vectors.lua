-- Every row of tests/vectors/send.txt through s:send.
local csend = require "csend"
local t = require "support"

local path = os.getenv("CSEND_VECTORS") or "tests/vectors/send.txt"
local rows = {}
for line in io.lines(path) do
  if not line:match("^%s*#") and line:match("%S") then
    local f = {}
    for word in line:gmatch("%S+") do f[#f + 1] = word end
    rows[#rows + 1] = {
      name = f[1], closed = f[2] == "closed", buffer_len = t.tointeger(tonumber(f[3])),
      offset = t.tointeger(tonumber(f[4])), size = t.tointeger(tonumber(f[5])),
      flags = t.tointeger(tonumber(f[6])), expect = f[7], detail = f[8],
    }
  end
end

local function buffer(n)
  if n < 0 then return nil end
  local b = {}
  for i = 0, n - 1 do b[#b + 1] = string.char(97 + i % 26) end
  return table.concat(b)
end

case("the_table_covers_every_spec_row", function()
  local seen = {}
  for _, r in ipairs(rows) do seen[r.expect] = true end
  for _, class in ipairs({"ok", "ArgumentNullException", "ArgumentOutOfRangeException",
                          "ObjectDisposedException", "SocketException"}) do
    assert(seen[class], "no row expects " .. class)
  end
  assert(#rows >= 50, "only " .. #rows .. " rows")
end)

for _, r in ipairs(rows) do
  case("vector_" .. r.name, function()
    local s, peer = t.tcp_pair()
    if r.closed then s:close() end
    local buf = buffer(r.buffer_len)
    if r.expect == "ok" then
      local n = s:send(buf, r.offset, r.size, r.flags)
      t.eq(n, t.tointeger(tonumber(r.detail)), r.name .. " count")
      -- Without SO_OOBINLINE the urgent (last) byte must be fetched before
      -- the normal stream is read past its mark, which would discard it.
      local urgent = ""
      if t.has_bit(r.flags, csend.SocketFlags.OutOfBand) and n > 0 then
        peer:receive_timeout(1000)
        urgent = peer:receive(1, csend.SocketFlags.OutOfBand)
      end
      local got = ""
      while #got + #urgent < n do
        local more = t.drain(peer, 200)
        if more == "" then error(r.name .. ": only " .. #got .. " of " .. n .. " bytes arrived") end
        got = got .. more
      end
      got = got .. urgent
      t.eq(got, buf:sub(r.offset + 1, r.offset + n), r.name .. " bytes")
    else
      local e = t.raises(r.expect, s.send, s, buf, r.offset, r.size, r.flags)
      if r.expect == "ObjectDisposedException" then
        t.eq(e.object_name, r.detail, r.name .. " object_name")
      elseif r.expect == "SocketException" then
        t.eq(e.socket_error, r.detail, r.name .. " socket_error")
        t.eq(e.error_code, csend.SocketError[r.detail], r.name .. " error_code")
        t.eq(e.bytes_transferred, 0, r.name .. " bytes_transferred")
      else
        t.eq(e.param_name, r.detail, r.name .. " param_name")
        assert(e.message:find("(Parameter '" .. r.detail .. "')", 1, true), e.message)
      end
      if r.expect == "ArgumentOutOfRangeException" then
        local given = ({offset = r.offset, size = r.size, socketFlags = r.flags})[r.detail]
        t.eq(e.actual_value, given, r.name .. " actual_value")
      end
      t.eq(#t.drain(peer), 0, r.name .. ": bytes that arrived although send raised")
    end
    s:close()
    peer:close()
  end)
end
