-- Runs the cases of one Lua test file, on any of Lua 5.1 to 5.4 and LuaJIT:
--   lua run.lua FILE --list   names its cases, one a line; a case that does
--                             not run here is followed by a tab, "skip" or
--                             "xfail", a tab and the reason
--   lua run.lua FILE [CASE...]  runs them (or those named), exit status 1
--                             on a failure
-- It ends by returning, never by os.exit: the interpreter then closes the
-- Lua state, which runs the finalizer of every socket still there. (On
-- LuaJIT a compiled trace may keep a socket alive after its case, and
-- LeakSanitizer cannot see into LuaJIT's own heap: left to exit, that
-- socket would read as a leak.)
--
-- case(name, fn [, how]) declares a case; how.skip = reason says it cannot
-- run on this interpreter, how.xfail = reason that it is known to fail here
-- (a difference of the module between interpreters, still to be fixed).
-- A reason that is nil or false leaves the case as any other.
local file, listing = arg[1], arg[2] == "--list"
local wanted = {} -- the cases to run; none named: all
for i = 2, #arg do wanted[arg[i]] = true end
local every = arg[2] == nil
-- Each line out as it is printed: a sanitizer that aborts at exit must not
-- take the verdicts with it.
io.stdout:setvbuf("line")
local names, cases, hows = {}, {}, {}

function case(name, fn, how)
  assert(not cases[name], "two cases named " .. name)
  names[#names + 1] = name
  cases[name] = fn
  hows[name] = how or {}
end

dofile(file)
for name in pairs(wanted) do
  assert(listing or cases[name], file .. " has no case named " .. name)
end

if listing then
  for _, name in ipairs(names) do
    local how = hows[name]
    if how.skip then
      print(name .. "\tskip\t" .. how.skip)
    elseif how.xfail then
      print(name .. "\txfail\t" .. how.xfail)
    else
      print(name)
    end
  end
end

local failed = 0
for _, name in ipairs(names) do
  if not listing and (every or wanted[name]) then
    local how = hows[name]
    if how.skip then
      print("skip " .. name .. ": " .. how.skip)
    else
      local ok, err = xpcall(cases[name], function(e)
        return debug.traceback(tostring(e), 2)
      end)
      collectgarbage()
      if ok and how.xfail then
        failed = failed + 1
        print("XPASS " .. name .. " (known to fail: " .. how.xfail .. ")")
      elseif ok then
        print("ok   " .. name)
      elseif how.xfail then
        -- Still printed in full: the failure is the record of the difference.
        print("xfail " .. name .. " (" .. how.xfail .. ")\n" .. err)
        if not every then failed = failed + 1 end
      else
        failed = failed + 1
        print("FAIL " .. name .. "\n" .. err)
      end
    end
  end
end
-- Uncaught, the error makes the interpreter exit with status 1, after it
-- has closed the state.
if failed > 0 then error(failed .. " failed", 0) end
