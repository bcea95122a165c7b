-- csend.co under a real scheduler (luv, libuv's binding), on every Lua.
--   LUA scheduler.lua CASE    runs one case; prints "ok CASE" when it passes
-- Portable Lua: it runs unchanged on 5.1, 5.2, 5.3, 5.4 and LuaJIT.
local csend = require "csend"
local co = require "csend.co"
local uv = require "luv"
-- (cqueues is loaded by its own case.)

local function check(cond, ...)
  if not cond then error(string.format(...), 2) end
end

local function tcp_listener()
  return csend.socket():bind("127.0.0.1", 0):listen(128)
end

-- Coroutines whose errors are kept, not lost inside the loop's callbacks.
-- Lua 5.1 cannot yield inside pcall, so a case learns a send's error the
-- portable way: the error ends the coroutine and goes to its handler,
-- whether it was raised at the first resume or in the loop (luv_wait's
-- on_error).
local failures = {}
local function fail_with(name)
  return function(err) failures[#failures + 1] = name .. ": " .. tostring(err) end
end
local function spawn(fn, on_error)
  local c = coroutine.create(fn)
  local ok, err = coroutine.resume(c)
  if not ok then on_error(err, c) end
end
-- A wait that hands the error ending the coroutine to on_error.
local function wait_for(on_error)
  return co.luv_wait(uv, on_error)
end

local function run_loop()
  uv.run()
  check(#failures == 0, "%d failed: %s", #failures, table.concat(failures, "\n"))
end

-- n bytes that say who sent them and where: a byte out of place shows.
local function pattern(id, n)
  local block = {}
  for i = 0, 250 do block[#block + 1] = string.char((i * 7 + id) % 256) end
  block = table.concat(block)
  return string.rep(block, math.floor(n / 251) + 1):sub(1, n)
end

local cases = {}

-- 100 coroutines each send 1 MiB through csend.co to one slow reader in
-- the same loop; every byte is checked where it arrives.
cases.hundred_coroutines_send_1_mib_each_to_a_slow_reader = function()
  local N, SIZE = 100, 1024 * 1024
  local l = tcp_listener()
  local host, port = l:local_endpoint()
  local senders, receivers, expected = {}, {}, {}
  for i = 1, N do
    local s = csend.socket()
    s:send_buffer_size(8192)
    s:connect(host, port)
    local r = l:accept()
    r:receive_buffer_size(8192)
    r:blocking(false)
    senders[i], receivers[i], expected[i] = s, r, pattern(i, SIZE)
  end
  local wait = wait_for(fail_with("a sender"))
  local sent, waited = {}, 0
  local counting_wait = function(fd, ms)
    waited = waited + 1
    return wait(fd, ms)
  end
  for i = 1, N do
    spawn(function()
      sent[i] = co.send(counting_wait, senders[i], expected[i], 0, SIZE,
                        csend.SocketFlags.None)
      senders[i]:shutdown(csend.SocketShutdown.Send)
    end, fail_with("sender " .. i))
  end
  -- The slow reader: a little from each connection every millisecond.
  local got, finished = {}, 0
  for i = 1, N do got[i] = 0 end
  local timer = uv.new_timer()
  timer:start(1, 1, function()
    for i = 1, N do
      if got[i] >= 0 then
        local ok, chunk = pcall(receivers[i].receive, receivers[i], 4096)
        if ok and chunk == "" then
          check(got[i] == SIZE, "connection %d ended after %d bytes", i, got[i])
          got[i] = -1
          finished = finished + 1
        elseif ok then
          check(chunk == expected[i]:sub(got[i] + 1, got[i] + #chunk),
                "connection %d: wrong bytes at %d", i, got[i])
          got[i] = got[i] + #chunk
        else
          check(chunk.socket_error == "WouldBlock", "receive: %s", tostring(chunk))
        end
      end
    end
    if finished == N then timer:close() end
  end)
  run_loop()
  check(finished == N, "%d of %d connections finished", finished, N)
  for i = 1, N do
    check(sent[i] == SIZE, "sender %d: send returned %s", i, tostring(sent[i]))
    senders[i]:close()
    receivers[i]:close()
  end
  check(waited >= N, "the senders yielded %d times: the kernel was never full?", waited)
  l:close()
end

-- SendTimeout is one deadline; meanwhile the loop keeps running others.
cases.send_timeout_raises_timed_out_and_the_loop_runs_on = function()
  local l = tcp_listener()
  local s = csend.socket()
  s:send_buffer_size(4096)
  s:connect(l:local_endpoint())
  local peer = l:accept()
  peer:receive_buffer_size(4096)
  s:send_timeout(200)
  local data = string.rep("z", 8 * 1024 * 1024)
  local ticks, err, started = 0, nil, uv.hrtime()
  local took
  local ticker = uv.new_timer()
  ticker:start(10, 10, function() ticks = ticks + 1 end)
  local function failed(e)
    took = (uv.hrtime() - started) / 1e6
    err = e
    ticker:close()
  end
  spawn(function()
    co.send(wait_for(failed), s, data)
    failures[#failures + 1] = "the send returned"
  end, failed)
  run_loop()
  check(type(err) == "table" and err.socket_error == "TimedOut", "got %s", tostring(err))
  check(err.error_code == csend.SocketError.TimedOut, "error_code %s", tostring(err.error_code))
  check(err.bytes_transferred > 0 and err.bytes_transferred < #data, "bytes_transferred %d",
        err.bytes_transferred)
  check(took >= 190 and took < 2000, "took %d ms", took)
  check(ticks >= 10, "the loop ran only %d ticks while the send waited", ticks)
  -- What arrived is exactly what bytes_transferred says.
  s:shutdown(csend.SocketShutdown.Send)
  peer:receive_timeout(2000)
  local n = 0
  while true do
    local chunk = peer:receive(65536)
    if chunk == "" then break end
    n = n + #chunk
  end
  check(n == err.bytes_transferred, "arrived %d, bytes_transferred %d", n, err.bytes_transferred)
  s:close(); peer:close(); l:close()
end

-- Arguments are checked when send is called, before anything waits.
cases.argument_errors_are_raised_at_the_call = function()
  local s = csend.socket()
  local never = function() error("waited") end
  local ok, e = pcall(co.send, never, s, "abc", 4)
  check(not ok and e.name == "ArgumentOutOfRangeException" and e.param_name == "offset",
        "offset: %s", tostring(e))
  ok, e = pcall(co.send, never, s, nil)
  check(not ok and e.name == "ArgumentNullException", "null: %s", tostring(e))
  ok, e = pcall(co.send, never, s, "abc", "1", "2", "0")
  check(not ok and e.name == "SocketException", "unconnected: %s", tostring(e))
  s:close()
  ok, e = pcall(co.send, never, s, "abc", 9)
  check(not ok and e.name == "ObjectDisposedException", "disposed first: %s", tostring(e))
end

-- A close from another coroutine fails the waiting send as a close fails
-- a blocked Send, and the peer sees the transfer cut.
cases.close_from_another_coroutine_aborts_the_waiting_send = function()
  local l = tcp_listener()
  local s = csend.socket()
  s:send_buffer_size(4096)
  s:connect(l:local_endpoint())
  local peer = l:accept()
  peer:receive_buffer_size(4096)
  local data = string.rep("c", 8 * 1024 * 1024)
  local err
  local function failed(e) err = e end
  spawn(function()
    co.send(wait_for(failed), s, data)
    failures[#failures + 1] = "the send returned"
  end, failed)
  local t = uv.new_timer()
  t:start(50, 0, function() t:close(); s:close() end)
  run_loop()
  check(type(err) == "table" and err.socket_error == "ConnectionAborted", "got %s", tostring(err))
  check(err.bytes_transferred > 0, "bytes_transferred %d", err.bytes_transferred)
  peer:receive_timeout(2000)
  local ok, e
  repeat ok, e = pcall(peer.receive, peer, 65536) until not ok or e == ""
  check(not ok and e.socket_error == "ConnectionReset", "the peer saw %s", tostring(e))
  peer:close(); l:close()
end

-- A coroutine that is never resumed again: its operation is collected,
-- and the socket's descriptor goes with the close.
cases.an_abandoned_send_is_collected = function()
  local l = tcp_listener()
  local s = csend.socket()
  s:send_buffer_size(4096)
  s:connect(l:local_endpoint())
  local peer = l:accept()
  peer:receive_buffer_size(4096)
  local c = coroutine.create(function()
    co.send(function() coroutine.yield() end, s, string.rep("a", 4 * 1024 * 1024))
  end)
  assert(coroutine.resume(c))
  check(coroutine.status(c) == "suspended", "the send should wait")
  c = nil
  collectgarbage(); collectgarbage()
  s:close()
  -- Nothing holds the descriptor: the peer reads up to the end of stream.
  peer:receive_timeout(2000)
  local ok, chunk
  repeat ok, chunk = pcall(peer.receive, peer, 65536) until not ok or chunk == ""
  check(ok, "the peer: %s", tostring(chunk))
  peer:close(); l:close()
end

-- The same contract under cqueues: 10 coroutines send 1 MiB each to a
-- reader that checks every byte, then a send times out while another
-- coroutine keeps running.
cases.cqueues_wait_sends_whole_buffers_and_keeps_the_deadline = function()
  local cqueues = require "cqueues"
  local wait = co.cqueues_wait(cqueues)
  local N, SIZE = 10, 1024 * 1024
  local l = tcp_listener()
  local cq = cqueues.new()
  local sent, got = {}, {}
  for i = 1, N do
    local s = csend.socket()
    s:send_buffer_size(8192)
    s:connect(l:local_endpoint())
    local r = l:accept()
    r:blocking(false)
    local data = pattern(i, SIZE)
    cq:wrap(function()
      sent[i] = co.send(wait, s, data)
      s:close()
    end)
    cq:wrap(function()
      local parts = {}
      while true do
        local ok, chunk = pcall(r.receive, r, 65536)
        if ok and chunk == "" then break end
        if ok then parts[#parts + 1] = chunk else cqueues.sleep(0.002) end
      end
      got[i] = table.concat(parts) == data
      r:close()
    end)
  end
  assert(cq:loop())
  for i = 1, N do
    check(sent[i] == SIZE and got[i], "connection %d: sent %s, bytes right: %s", i,
          tostring(sent[i]), tostring(got[i]))
  end
  -- SendTimeout under cqueues: TimedOut, while a ticker runs.
  local s = csend.socket()
  s:send_buffer_size(4096)
  s:connect(l:local_endpoint())
  local peer = l:accept()
  s:send_timeout(150)
  -- The error ends the coroutine and the loop returns it (portable: Lua
  -- 5.1 cannot yield inside pcall).
  local ticks, done = 0, false
  cq:wrap(function()
    co.send(wait, s, string.rep("t", 8 * 1024 * 1024))
    error("the send returned")
  end)
  cq:wrap(function()
    while not done do ticks = ticks + 1; cqueues.sleep(0.01) end
  end)
  local ok, err = cq:loop()
  done = true
  check(not ok, "the loop should return the send's error")
  assert(cq:loop())
  check(type(err) == "table" and err.socket_error == "TimedOut", "got %s", tostring(err))
  check(err.bytes_transferred > 0, "bytes_transferred %d", err.bytes_transferred)
  check(ticks >= 5, "the other coroutine ran %d times", ticks)
  s:close(); peer:close(); l:close()
end

-- A coroutine that waits and never comes back (closed by its scheduler,
-- or resumed by something else) leaves no watcher behind: the next send on
-- the same descriptor number waits again, and nothing resumes a coroutine
-- that is gone.
cases.a_wait_abandoned_by_its_coroutine_leaves_no_watcher = function()
  local wait = wait_for(fail_with("a sender"))
  local l = tcp_listener()
  local function pair()
    local s = csend.socket()
    s:send_buffer_size(4096)
    s:connect(l:local_endpoint())
    return s, l:accept()
  end
  local big = string.rep("b", 4 * 1024 * 1024)
  -- Resumed by something else: the wait returns, the send waits again.
  local s, peer = pair()
  local c = coroutine.create(function() co.send(wait, s, big) end)
  assert(coroutine.resume(c))
  assert(coroutine.resume(c)) -- not the loop: a stray resume
  check(coroutine.status(c) == "suspended", "waiting again")
  s:close()
  uv.run() -- the close wakes the wait; the send fails into fail_with
  check(#failures == 1 and failures[1]:find("SocketException: Software caused connection abort", 1, true), "got: %s",
        table.concat(failures, "\n"))
  failures = {}
  peer:close()
  if coroutine.close then -- 5.4: a scheduler closes the coroutine
    local fd
    s, peer = pair()
    fd = s:getfd()
    c = coroutine.create(function() co.send(wait, s, big) end)
    assert(coroutine.resume(c))
    assert(coroutine.close(c))
    s:close()
    c = nil
    collectgarbage(); collectgarbage() -- the operation goes, and its descriptor
    local s2, peer2 = pair()
    check(s2:getfd() == fd, "the descriptor number came back: %d, %d", s2:getfd(), fd)
    local sent
    spawn(function() sent = co.send(wait, s2, big) end, fail_with("second sender"))
    peer2:blocking(false)
    local t = uv.new_timer()
    t:start(1, 1, function()
      pcall(peer2.receive, peer2, 1048576)
      if sent then t:close() end
    end)
    run_loop()
    check(sent == #big, "the second send: %s", tostring(sent))
    s2:close(); peer2:close(); peer:close()
  end
  l:close()
end

-- A wait that raises gives the operation up at once (where pcall can
-- wrap a yield: 5.2+, LuaJIT), so the socket's close is ordinary: the peer
-- reads what the kernel took, then the end, never a reset.
cases.a_wait_that_raises_gives_the_send_up = function()
  if _VERSION == "Lua 5.1" and not rawget(_G, "jit") then
    print("skipped: Lua 5.1 cannot yield inside pcall; the collector ends it")
    return
  end
  local l = tcp_listener()
  local s = csend.socket()
  s:send_buffer_size(4096)
  s:connect(l:local_endpoint())
  local peer = l:accept()
  local ok, err = pcall(co.send, function() error("the scheduler gave up") end, s,
                        string.rep("r", 4 * 1024 * 1024))
  check(not ok and tostring(err):find("the scheduler gave up"), "got %s", tostring(err))
  check(s:send("tail") == 4, "the socket goes on")
  s:close()
  peer:receive_timeout(2000)
  local n, chunk = 0, nil
  repeat
    chunk = peer:receive(1048576)
    n = n + #chunk
  until chunk == ""
  check(n > 4, "the peer read %d bytes, then the end", n)
  peer:close(); l:close()
end

-- With luv_wait's default, an error that ends the coroutine inside the
-- loop is raised as text, so luv reports what it was.
cases.a_default_luv_error_is_reported_as_text = function()
  local lua = os.getenv("CSEND_LUA") or "lua5.4"
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write([[
local csend = require "csend"
local co = require "csend.co"
local uv = require "luv"
local l = csend.socket():bind("127.0.0.1", 0):listen(1)
local s = csend.socket()
s:send_buffer_size(4096)
s:connect(l:local_endpoint())
local peer = l:accept()
s:send_timeout(100)
coroutine.wrap(function() co.send(co.luv_wait(uv), s, string.rep("x", 8388608)) end)()
uv.run()
]])
  f:close()
  local p = io.popen(lua .. " " .. path .. " 2>&1")
  local out = p:read("*a")
  p:close()
  os.remove(path)
  check(out:find("SocketException: Connection timed out", 1, true), "luv printed: %s", out)
end

local name = arg[1]
check(cases[name], "no case %s", tostring(name))
cases[name]()
print("ok " .. name)
