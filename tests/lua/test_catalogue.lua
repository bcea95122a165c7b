-- Bad inputs, catalogued: every public function of the Lua module, each
-- argument in turn given nil, booleans, floats, NaN, huge and negative
-- numbers, strings, tables and functions. Each gets the documented error: a
-- Lua argument error for a wrong type, the .NET exception (with its
-- parameter) for a wrong value; a closed socket is ObjectDisposedException
-- before any value is checked; nothing crashes and repeating leaks nothing.
local csend = require "csend"
local t = require "support"

local BAD = {
  ["nil"] = {nil}, ["true"] = {true}, float = {1.5}, nan = {0 / 0}, inf = {math.huge},
  minus_inf = {-math.huge}, big_float = {1e30}, maxinteger = {t.maxinteger},
  mininteger = {t.mininteger}, string = {"abc"}, numeric_string = {"1e30"},
  fraction_string = {"1.5"}, table = {{}},
  ["function"] = {print}, socket = {false}, -- false: replaced by a socket below
}
local NAMES = {}
for k in pairs(BAD) do NAMES[#NAMES + 1] = k end
table.sort(NAMES)

local function value(name, s)
  if name == "socket" then return s end
  return BAD[name][1]
end

local ARGERR = "argerror"
-- A string is a number when it reads as one (the manual's coercions), so
-- "1e30" is out of range like 1e30, and "1.5" is no integer like 1.5.
local NOT_INT = {"true", "nan", "float", "string", "fraction_string", "table", "function",
                 "socket"}
local HUGE = {"inf", "minus_inf", "big_float", "maxinteger", "mininteger", "numeric_string"}

local function int_rules(param)
  local r = {}
  for _, k in ipairs(NOT_INT) do r[k] = {ARGERR} end
  for _, k in ipairs(HUGE) do r[k] = {"ArgumentOutOfRangeException", param} end
  return r
end

local function buffer_rules(param)
  local r = {["nil"] = {"ArgumentNullException", param}}
  for _, k in ipairs(NOT_INT) do r[k] = {ARGERR} end
  for _, k in ipairs(HUGE) do r[k] = {ARGERR} end
  r.string, r.numeric_string, r.fraction_string = nil, nil, nil -- strings are buffers
  return r
end

local function bool_rules()
  local r = {}
  for _, k in ipairs(NAMES) do r[k] = {ARGERR} end
  r["true"], r["nil"] = nil, nil -- nil reads the property
  return r
end

-- name -> {method, valid arguments, {position -> rules}}
local CALLS = {
  send = {"send", {"abc", 0, 3, 0}, {buffer_rules("buffer"), int_rules("offset"),
          int_rules("size"), int_rules("socketFlags")}},
  try_send = {"try_send", {"abc", 0, 3, 0}, {buffer_rules("buffer"), int_rules("offset"),
              int_rules("size"), int_rules("socketFlags")}},
  send_segments = {"send_segments", {{"ab", "c"}, 0}, {nil, int_rules("socketFlags")}},
  receive = {"receive", {3, 0}, {int_rules("size"), int_rules("socketFlags")}},
  listen = {"listen", {1}, {int_rules("backlog")}},
  shutdown = {"shutdown", {1}, {int_rules("how")}}, -- nil: Both, as LuaSocket
  blocking = {"blocking", {true}, {bool_rules()}},
  no_delay = {"no_delay", {true}, {bool_rules()}},
  send_timeout = {"send_timeout", {100}, {int_rules("value")}},
  receive_timeout = {"receive_timeout", {100}, {int_rules("value")}},
}
local UDP_CALLS = {
  send_to = {"send_to", {"abc", 0, 3, 0, "127.0.0.1", 9}, {buffer_rules("buffer"),
             int_rules("offset"), int_rules("size"), int_rules("socketFlags")}},
  connect = {"connect", {"127.0.0.1", 9}, {nil, int_rules("port")}},
  bind = {"bind", {"127.0.0.1", 0}, {nil, int_rules("port")}},
}

local function udp()
  return csend.socket(csend.AddressFamily.InterNetwork, csend.SocketType.Dgram,
                      csend.ProtocolType.Udp)
end

local function check(what, want, ok, e)
  if ok then error(what .. ": expected an error, the call returned", 0) end
  if want[1] == ARGERR then
    if type(e) ~= "string" or not e:find("bad argument") then
      error(what .. ": expected an argument error, got " .. tostring(e), 0)
    end
    return
  end
  if type(e) ~= "table" or e.name ~= want[1] then
    error(string.format("%s: expected %s, got %s", what, want[1], tostring(e)), 0)
  end
  assert(e.message and #e.message > 0, what .. ": empty message")
  if want[2] then t.eq(e.param_name, want[2], what .. ": param_name") end
end

-- Every (table, name, position, bad value) the catalogue holds.
local function all_cases()
  local out = {}
  for _, tab in ipairs({{CALLS, "stream"}, {UDP_CALLS, "udp"}}) do
    for name, spec in pairs(tab[1]) do
      for pos = 1, #spec[2] do
        local rules = spec[3][pos]
        if rules then
          for _, bad in ipairs(NAMES) do
            if rules[bad] then
              out[#out + 1] = {kind = tab[2], spec = spec, pos = pos, bad = bad,
                               want = rules[bad], name = name}
            end
          end
        end
      end
    end
  end
  for _, bad in ipairs(NAMES) do -- a bad element in the list of buffers
    local want = buffer_rules("buffers")[bad]
    if want then
      out[#out + 1] = {kind = "stream", element = true, bad = bad, want = want,
                       name = "send_segments"}
    end
  end
  return out
end

local function run_case(c)
  local s, peer
  if c.kind == "stream" then s, peer = t.tcp_pair() else s = udp() end
  local other = udp()
  local what = string.format("%s arg %s = %s", c.name, c.element and "element" or c.pos, c.bad)
  if c.element then
    local list = {"ok", value(c.bad, other), "x"}
    if list[2] == nil then
      -- A list with a hole has no length of its own (# may say 1 or 3, and
      -- LuaJIT says 1): __len says 3.
      setmetatable(list, {__len = function() return 3 end})
    end
    check(what, c.want, pcall(s.send_segments, s, list))
  else
    local args = t.pack(t.unpack(c.spec[2]))
    args[c.pos] = value(c.bad, other)
    local n = math.max(#c.spec[2], c.pos)
    check(what, c.want, pcall(s[c.spec[1]], s, t.unpack(args, 1, n)))
  end
  s:close()
  if peer then peer:close() end
  other:close()
end

case("every_argument_of_every_method_gets_the_documented_error", function()
  local cases = all_cases()
  assert(#cases > 200, "cases: " .. #cases)
  for _, c in ipairs(cases) do run_case(c) end
end)

case("closed_socket_is_disposed_before_any_value_is_checked", function()
  local n = 0
  for _, tab in ipairs({{CALLS, false}, {UDP_CALLS, true}}) do
    for name, spec in pairs(tab[1]) do
      local s = tab[2] and udp() or t.tcp_pair()
      s:close()
      local variants = {spec[2]}
      for pos = 1, #spec[2] do
        -- A port is checked where the endpoint is made, as .NET's IPEndPoint
        -- constructor does, before the socket is asked to use it.
        local rules = tab[2] and pos >= #spec[2] - 1 and {} or spec[3][pos] or {}
        for _, bad in ipairs({"nil", "maxinteger"}) do
          if rules[bad] and rules[bad][1] ~= ARGERR then
            local args = t.pack(t.unpack(spec[2]))
            args[pos] = value(bad)
            variants[#variants + 1] = args
          end
        end
      end
      for _, args in ipairs(variants) do
        local e = t.raises("ObjectDisposedException", s[spec[1]], s,
                           t.unpack(args, 1, #spec[2]))
        t.eq(e.object_name, "csend.Socket", name .. ": object_name")
        n = n + 1
      end
    end
  end
  assert(n > 30, "variants: " .. n)
  local s = udp()
  s:close()
  for _, m in ipairs({"accept", "available", "local_endpoint", "remote_endpoint"}) do
    t.raises("ObjectDisposedException", s[m], s)
  end
end)

case("methods_called_on_something_else_are_argument_errors", function()
  local s, peer = t.tcp_pair()
  for _, self in ipairs({"abc", 5, {}, io.stdout}) do
    t.argerror(s.send, self, "abc")
    t.argerror(s.close, self)
    t.argerror(s.blocking, self)
  end
  s:close()
  peer:close()
end)

case("module_functions_reject_bad_values", function()
  for _, k in ipairs({"true", "float", "string", "table"}) do
    t.argerror(csend.socket, value(k))
    t.argerror(csend.socket, csend.AddressFamily.InterNetwork, value(k))
  end
  for i, param in ipairs({"addressFamily", "socketType", "protocolType"}) do
    local args = {csend.AddressFamily.InterNetwork, csend.SocketType.Stream, 6}
    args[i] = t.maxinteger
    local e = t.raises("ArgumentOutOfRangeException", csend.socket, t.unpack(args, 1, 3))
    t.eq(e.param_name, param, "socket param")
  end
  for _, fd in ipairs({-1, 4294967297, t.maxinteger, t.mininteger}) do
    -- never truncated: 2^32 + 1 is not descriptor 1
    t.eq(t.raises("ArgumentOutOfRangeException", csend.fromfd, fd).param_name, "fd", "fromfd")
    t.eq(t.raises("ArgumentOutOfRangeException", csend.dup, fd).param_name, "fd", "dup")
  end
  t.eq(t.raises("SocketException", csend.dup, 1073741824).socket_error, "OperationAborted",
       "dup of a descriptor that is not open (EBADF)")
  t.argerror(csend.set_trace, true, "not a function")
  t.argerror(csend.set_trace, true, 5)
end)

-- fromfd and dup read the descriptor as every integer argument: a fraction
-- is an argument error on every Lua (luaL_checkinteger truncated it to
-- descriptor 1 on 5.1, 5.2 and LuaJIT).
case("fromfd_and_dup_reject_what_is_no_integer", function()
  for _, k in ipairs({"true", "float", "string", "table"}) do
    t.argerror(csend.fromfd, value(k))
    t.argerror(csend.dup, value(k))
  end
end)

case("the_catalogue_leaks_nothing", function()
  local cases = all_cases()
  for _, c in ipairs(cases) do run_case(c) end
  collectgarbage("collect")
  collectgarbage("collect")
  local before = collectgarbage("count")
  for _ = 1, 5 do
    for _, c in ipairs(cases) do run_case(c) end
  end
  collectgarbage("collect")
  collectgarbage("collect")
  local grown = collectgarbage("count") - before
  assert(grown < 64, string.format("%.1f KiB still allocated after 5 x %d bad calls", grown,
                                   #cases))
end)
