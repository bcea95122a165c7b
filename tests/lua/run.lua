-- Runs the cases of one Lua test file:
--   lua5.4 run.lua FILE --list   names its cases, one a line
--   lua5.4 run.lua FILE [CASE]   runs them (or one), exit status 1 on a failure
local file, want = arg[1], arg[2]
local names, cases = {}, {}

function case(name, fn)
  assert(not cases[name], "two cases named " .. name)
  names[#names + 1] = name
  cases[name] = fn
end

dofile(file)

if want == "--list" then
  for _, name in ipairs(names) do print(name) end
  os.exit(0)
end

local failed = 0
for _, name in ipairs(names) do
  if want == nil or want == name then
    local ok, err = xpcall(cases[name], function(e)
      return debug.traceback(tostring(e), 2)
    end)
    collectgarbage()
    if ok then
      print("ok   " .. name)
    else
      failed = failed + 1
      print("FAIL " .. name .. "\n" .. err)
    end
  end
end
os.exit(failed == 0 and 0 or 1)
