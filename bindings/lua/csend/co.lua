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
-- One waiting send per socket at a time, as for a blocking socket.  Lua
-- 5.1 cannot yield inside pcall (LuaJIT and 5.2+ can): there, let the
-- error end the coroutine and take it where the scheduler reports it
-- (luv_wait's on_error).
local M = {}

function M.send(wait, s, buffer, offset, size, flags)
  local op = s:start_send(buffer, offset, size, flags)
  while true do
    local n, fd, timeout_ms = op:step()
    if n then return n end
    wait(fd, timeout_ms)
  end
end

-- A wait for luv (libuv's binding; vim.uv in Neovim): the calling coroutine
-- yields until the loop sees fd writable or the time passes.  The loop
-- must not poll the same descriptor elsewhere (libuv allows one poll
-- handle per descriptor).  The loop's callback resumes the coroutine: an
-- error that ends it goes to on_error(err, co) (default: raised in the
-- callback, where luv reports it).
function M.luv_wait(uv, on_error)
  return function(fd, timeout_ms)
    local co = coroutine.running()
    local poll, timer = uv.new_poll(fd), nil
    local woken = false
    local function wake()
      if woken then return end
      woken = true
      poll:close()
      if timer then timer:close() end
      local ok, err = coroutine.resume(co)
      if not ok then
        if on_error then on_error(err, co) else error(err, 0) end
      end
    end
    poll:start("w", wake)
    if timeout_ms >= 0 then
      timer = uv.new_timer()
      timer:start(timeout_ms, 0, wake)
    end
    coroutine.yield()
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
