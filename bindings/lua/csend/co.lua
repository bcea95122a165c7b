-- csend.co: csend's Send inside a coroutine scheduler (luv, cqueues,
-- copas, or your own), on every Lua csend supports.
--
-- co.send(wait, s, buffer [, offset [, size [, flags]]]) sends as
-- s:send(buffer, offset, size, flags) does -- the same argument checks and
-- errors, the whole buffer or a SocketException with bytes_transferred,
-- SendTimeout as one deadline, one attempt on a non-blocking socket -- but
-- where s:send would block the OS thread it calls wait(fd, timeout_ms).
-- wait must return once fd is writable or timeout_ms has passed (-1: no
-- limit); under a scheduler it suspends the calling coroutine meanwhile.
-- The core makes every decision (s:start_send); this file only loops, so
-- it also runs where a C function cannot yield (Lua 5.1, LuaJIT).
--
-- One waiting send per socket at a time, as for a blocking socket.  To
-- cancel a send, close the socket: the send fails at once.  Lua 5.1 cannot
-- yield inside pcall (LuaJIT and 5.2+ can): there, let the error end the
-- coroutine and take it where the scheduler reports it (luv_wait's
-- on_error).
local M = {}

-- Where a coroutine can yield inside pcall (5.2+, LuaJIT), a wait that
-- raises gives the operation up at once; on 5.1 the collector does.
local pcall_yields = _VERSION ~= "Lua 5.1" or rawget(_G, "jit") ~= nil

function M.send(wait, s, buffer, offset, size, flags)
  local op = s:start_send(buffer, offset, size, flags)
  while true do
    local n, fd, timeout_ms = op:step()
    if n then return n end
    if pcall_yields then
      local ok, err = pcall(wait, fd, timeout_ms)
      if not ok then
        op:close() -- the descriptor is let go now, so a close stays ordinary
        error(err, 0)
      end
    else
      wait(fd, timeout_ms)
    end
  end
end

-- A wait for luv (libuv's binding; vim.uv in Neovim): the calling coroutine
-- yields until the loop sees fd writable or the time passes.  Use one wait
-- per loop: libuv allows one poll handle per descriptor, and this wait
-- closes what a coroutine that never came back (closed, collected) left on
-- a descriptor before it watches that descriptor again.  Don't poll the
-- socket elsewhere in the same loop.  The loop's callback resumes the
-- coroutine: an error that ends it goes to on_error(err, co); by default it
-- is raised there as a string, and luv reports it and stops the process.
function M.luv_wait(uv, on_error)
  local watching = {} -- fd -> the stop function of the wait on it
  return function(fd, timeout_ms)
    local co = coroutine.running()
    if watching[fd] then watching[fd]() end
    local poll = assert(uv.new_poll(fd))
    local timer
    local function stop()
      if watching[fd] == stop then watching[fd] = nil end
      if not poll:is_closing() then poll:close() end
      if timer and not timer:is_closing() then timer:close() end
    end
    watching[fd] = stop
    local function wake()
      stop()
      if coroutine.status(co) ~= "suspended" then return end -- closed meanwhile
      local ok, err = coroutine.resume(co)
      if not ok then
        if on_error then on_error(err, co) else error(tostring(err), 0) end
      end
    end
    poll:start("w", wake)
    if timeout_ms >= 0 then
      timer = assert(uv.new_timer())
      timer:start(timeout_ms, 0, wake)
    end
    coroutine.yield()
    stop() -- resumed by something else: leave nothing behind
  end
end

-- A wait for cqueues: cqueues.poll on the descriptor, inside a cqueues
-- controller's coroutine; the descriptor is cancelled after each wait, so
-- the socket may be closed at any time.
function M.cqueues_wait(cqueues)
  return function(fd, timeout_ms)
    local pollable = {
      pollfd = function() return fd end,
      events = function() return "w" end,
    }
    if timeout_ms >= 0 then
      cqueues.poll(pollable, timeout_ms / 1000)
    else
      cqueues.poll(pollable)
    end
    -- cqueues keeps a descriptor it polled registered; the socket may be
    -- closed before the next poll, and a closed descriptor must be
    -- cancelled first.
    cqueues.cancel(fd)
  end
end

return M
