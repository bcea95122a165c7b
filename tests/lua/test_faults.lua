-- System-call faults under the Lua module: test_lua.py runs this file with
-- build/libcsend_fault.so preloaded; require "csend_fault" drives it.
local csend = require "csend"
local fault = require "csend_fault"
local t = require "support"

local vectors = os.getenv("CSEND_VECTORS"):gsub("send%.txt$", "errno.txt")

-- contract §4's rows, less the errnos that are waited on or retried.
local function rows()
  local out = {}
  for line in io.lines(vectors) do
    local name, member, code = line:match("^(E%u+)%s+(%a+)%s+(%-?%d+)")
    if name and name ~= "EAGAIN" and name ~= "EWOULDBLOCK" and name ~= "EINTR" then
      out[#out + 1] = {name = name, member = member, code = tonumber(code)}
    end
  end
  assert(#out == 43, "rows: " .. #out)
  return out
end

local function check(e, row, sent)
  local what = row.name .. ": "
  t.eq(e.name, "SocketException", what .. "class")
  t.eq(e.socket_error, row.member, what .. "socket_error")
  t.eq(e.error_code, row.code, what .. "error_code")
  t.eq(e.native_error_code, fault.errno(row.name), what .. "native_error_code")
  t.eq(e.bytes_transferred, sent, what .. "bytes_transferred")
  t.eq(e.message, fault.strerror(fault.errno(row.name)), what .. "message")
end

case("every_errno_from_send_gives_its_socket_error", function()
  for _, row in ipairs(rows()) do
    local s, peer = t.tcp_pair()
    local before = fault.injected()
    fault.set("err=" .. row.name .. ",fd=" .. s:getfd())
    check(t.raises("SocketException", s.send, s, "hello"), row, 0)
    fault.set("err=" .. row.name .. ",fd=" .. s:getfd())
    local n, name, code = s:try_send("hello")
    fault.set("")
    t.eq(n, 0, row.name .. ": try_send count")
    t.eq(name, row.member, row.name .. ": try_send name")
    t.eq(code, row.code, row.name .. ": try_send code")
    t.eq(fault.injected() - before, 2, row.name .. ": faults injected")
    t.eq(t.drain(peer, 10), "", row.name .. ": nothing arrived")
    s:close()
    peer:close()
  end
end)

case("every_errno_mid_buffer_reports_bytes_transferred", function()
  local data = t.pattern(100000)
  for i, row in ipairs(rows()) do
    local s, peer = t.tcp_pair()
    local after = 1 + (i * 997) % 50000
    fault.set(string.format("err=%s,after=%d,fd=%d", row.name, after, s:getfd()))
    check(t.raises("SocketException", s.send, s, data), row, after)
    fault.set("")
    local got = t.drain(peer, 10)
    t.eq(#got, after, row.name .. ": bytes that arrived")
    assert(got == data:sub(1, after), row.name .. ": the first bytes arrived")
    s:close()
    peer:close()
  end
end)

-- 48 KiB fit in the peer's buffers: no reader is needed while sending.
local function storm(send)
  local s, peer = t.tcp_pair()
  local data = t.pattern(48 * 1024)
  local before = fault.injected()
  fault.set("eintr=3,max=1,fd=" .. s:getfd())
  t.eq(send(s, data), #data, "count")
  fault.set("")
  assert(fault.injected() - before >= 3 * #data, "faults injected")
  s:shutdown(csend.SocketShutdown.Send)
  local got = t.drain(peer, 200)
  t.eq(#got, #data, "bytes that arrived")
  assert(got == data, "every byte arrived once, in order")
  s:close()
  peer:close()
end

case("eintr_storm_and_one_byte_writes_deliver_everything_once", function()
  storm(function(s, data) return s:send(data) end)
end)

case("eintr_storm_and_one_byte_writes_gather_form", function()
  storm(function(s, data)
    return s:send_segments({data:sub(1, 1000), "", data:sub(1001)})
  end)
end)

case("eagain_mid_buffer_with_timeout_is_timed_out_with_exact_count", function()
  local s, peer = t.tcp_pair()
  local data = t.pattern(200000)
  s:send_timeout(150)
  fault.set("err=EAGAIN,after=12345,fd=" .. s:getfd())
  local e = t.raises("SocketException", s.send, s, data)
  fault.set("")
  t.eq(e.socket_error, "TimedOut", "socket_error")
  t.eq(e.error_code, 10060, "error_code")
  t.eq(e.bytes_transferred, 12345, "bytes_transferred")
  local got = t.drain(peer, 50)
  t.eq(#got, 12345, "bytes that arrived")
  assert(got == data:sub(1, 12345), "the first bytes arrived")
  s:close()
  peer:close()
end)

case("non_blocking_eagain_is_would_block_and_partial_write_is_returned", function()
  local s, peer = t.tcp_pair()
  s:blocking(false)
  fault.set("err=EAGAIN,fd=" .. s:getfd())
  local e = t.raises("SocketException", s.send, s, "abc")
  t.eq(e.socket_error, "WouldBlock", "socket_error")
  t.eq(e.native_error_code, fault.errno("EAGAIN"), "native_error_code")
  fault.set("max=1,fd=" .. s:getfd())
  t.eq(s:send("abc"), 1, "partial count")
  fault.set("")
  t.eq(t.drain(peer, 20), "a", "bytes that arrived")
  s:close()
  peer:close()
end)

-- Every allocation of the Lua state fails once, inside every call that
-- allocates: each run either works or raises (a memory error, or the
-- csend error it was building), leaks no descriptor, and the sockets go
-- on working; closing them at the end releases every descriptor.
-- make_calls(c) gives the calls, by name, on the sockets in c; returns the
-- number of runs that raised because of the failure.
local function every_allocation_failing_once(make_calls)
  local c = {}
  c.l = t.listener()
  c.host, c.port = c.l:local_endpoint()
  c.s, c.peer = t.tcp_pair()
  c.rx = csend.socket(csend.AddressFamily.InterNetwork, csend.SocketType.Dgram)
  c.rx:bind("127.0.0.1", 0)
  c.rhost, c.rport = c.rx:local_endpoint()
  c.pending_fd = false -- a key already there: setting it allocates nothing
  local calls = make_calls(c)
  local failures = 0
  local armed = 0
  for name, fn in pairs(calls) do
    -- Armed inside the protected call: pcall itself may allocate.
    local function run() fault.fail_alloc(armed) return fn() end
    for k = 1, 400 do
      local before = fault.open_fds()
      armed = k
      local ok, r = pcall(run)
      local made = fault.fail_alloc(0)
      csend.set_trace(false)
      if c.pending_fd then -- a failed fromfd left the duplicate to us
        csend.fromfd(c.pending_fd):close()
        c.pending_fd = false
      end
      if type(r) == "userdata" and r.close then r:close() end
      collectgarbage()
      t.eq(fault.open_fds(), before, name .. ": descriptors after a failure at " .. k)
      if not ok and made >= k then
        failures = failures + 1
        assert(tostring(r):find("memory") or (type(r) == "table" and r.name),
               name .. ": " .. tostring(r))
      end
      if made < k then break end -- no k-th allocation: every site has failed once
    end
    t.eq(c.s:send("ok"), 2, name .. ": the socket still sends")
  end
  t.drain(c.peer)
  for _, x in ipairs({{"listener", c.l}, {"sender", c.s}, {"peer", c.peer}, {"udp", c.rx}}) do
    local before = fault.open_fds()
    x[2]:close()
    t.eq(fault.open_fds(), before - 1, x[1] .. ": close releases its descriptor")
  end
  return failures
end

case("every_lua_allocation_failing_once_leaves_nothing_broken", function()
  local many = {}
  for i = 1, 40 do many[i] = ("%03d"):format(i) end
  local failures = every_allocation_failing_once(function(c)
    return {
      socket = function() return csend.socket() end,
      fromfd = function()
        c.pending_fd = csend.dup(c.s:getfd()) -- the caller's until fromfd succeeds
        local r = csend.fromfd(c.pending_fd)
        c.pending_fd = false
        return r
      end,
      accept = function()
        local client = csend.socket()
        client:connect(c.host, c.port)
        local ok, r = pcall(c.l.accept, c.l)
        client:close()
        if not ok then error(r, 0) end
        return r
      end,
      send_segments = function() return c.s:send_segments(many) end,
      send_to = function() return c.rx:send_to("d", c.rhost, c.rport) end,
      receive = function() c.s:send("r") return c.peer:receive(1) end,
      raise = function() return c.s:send("x", 5) end,
    }
  end)
  assert(failures >= 15, "failures injected: " .. failures)
end)

-- A memory error in the trace hook never unwinds through the core's send
-- (on 5.1 and LuaJIT pushing a C function allocates: the hook runs under
-- lua_cpcall there), so the send's reference on the socket is dropped.
case("every_lua_allocation_failing_once_in_a_traced_send_leaves_nothing_broken", function()
  local failures = every_allocation_failing_once(function(c)
    return {
      set_trace = function() csend.set_trace(true, function() end) c.s:send("t") end,
    }
  end)
  assert(failures >= 1, "failures injected: " .. failures)
end)
