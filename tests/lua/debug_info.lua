-- debug.getinfo: every option letter, level and function arguments,
-- threads, and its errors.

local function check_error(msg, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error")
  assert(string.find(err, msg, 1, true), err)
end

-- ---- a Lua function by value ----
local function sample(a, b, ...)
  local c = a + b
  return c
end

local info = debug.getinfo(sample)
assert(info.func == sample)
assert(info.what == "Lua")
assert(info.source == "@" .. info.short_src or info.source:sub(1, 1) ~= "@")
assert(info.lastlinedefined == info.linedefined + 3)
assert(info.currentline == -1)  -- not active
assert(info.nups == 0 and info.nparams == 2 and info.isvararg == true)
assert(info.name == nil and info.namewhat == "")
assert(info.istailcall == false and info.extraargs == 0)
assert(info.ftransfer == 0 and info.ntransfer == 0)
assert(info.activelines == nil)  -- 'L' is not in the default options

-- only the requested fields
info = debug.getinfo(sample, "S")
assert(info.what == "Lua" and info.currentline == nil and info.func == nil and info.nups == nil)
info = debug.getinfo(sample, "u")
assert(info.nparams == 2 and info.what == nil)
info = debug.getinfo(sample, "")
assert(next(info) == nil)

-- activelines: the lines with code
info = debug.getinfo(sample, "L")
local def = debug.getinfo(sample, "S").linedefined
assert(info.activelines[def + 1] and info.activelines[def + 2] and info.activelines[def + 3])
assert(not info.activelines[def] and not info.activelines[def + 4])
local nlines = 0
for k, v in pairs(info.activelines) do
  assert(v == true and math.type(k) == "integer")
  nlines = nlines + 1
end
assert(nlines == 3)

-- upvalues and non-vararg functions
local up1, up2 = 1, 2
local function withups(x) return up1 + up2 + x end
info = debug.getinfo(withups, "u")
assert(info.nups == 2 and info.nparams == 1 and info.isvararg == false)

-- ---- native functions ----
info = debug.getinfo(print)
assert(info.what == "C" and info.source == "=[C]" and info.short_src == "[C]")
assert(info.currentline == -1 and info.linedefined == -1 and info.lastlinedefined == -1)
assert(info.nups == 0 and info.nparams == 0 and info.isvararg == true)
assert(debug.getinfo(print, "L").activelines == nil)
info = debug.getinfo(string.gmatch("x", "x"), "u")  -- a native closure
assert(info.nups > 0)

-- ---- the main chunk ----
local main = debug.getinfo(1, "S")
assert(main.what == "main" and main.linedefined == 0)

-- ---- stack levels ----
local function level1()
  local here = debug.getinfo(1, "nSlf")
  assert(here.func == level1)
  assert(here.name == "level1" and here.namewhat == "local")
  assert(here.currentline == here.linedefined + 1)
  assert(here.what == "Lua")
  local caller = debug.getinfo(2, "l")
  return caller.currentline
end
local line_of_call = debug.getinfo(1, "l").currentline + 1
assert(level1() == line_of_call)
assert(debug.getinfo(0, "n").name == "getinfo")  -- level 0: getinfo itself
assert(debug.getinfo(0, "S").what == "C")
assert(debug.getinfo(100) == nil)  -- level out of range: fail
assert(debug.getinfo(-1) == nil)

-- names as the caller sees them
local t = {}
function t.field() return debug.getinfo(1, "n") end
function t:method() return debug.getinfo(1, "n") end
GLOBAL_FN = function() return debug.getinfo(1, "n") end
local r = t.field()
assert(r.name == "field" and r.namewhat == "field")
r = t:method()
assert(r.name == "method" and r.namewhat == "method")
r = GLOBAL_FN()
assert(r.name == "GLOBAL_FN" and r.namewhat == "global")
GLOBAL_FN = nil
local mt = setmetatable({}, {__index = function() return debug.getinfo(1, "n") end})
r = mt.anything
assert(r.name == "index" and r.namewhat == "metamethod")
for _ in function() r = debug.getinfo(1, "n") end do end
assert(r.name == "for iterator" and r.namewhat == "for iterator")

-- tail calls
local function tailed() return debug.getinfo(1, "tn") end
local function caller() return tailed() end
r = caller()
assert(r.istailcall == true and r.name == nil and r.namewhat == "")
r = (function() local x = tailed() return x end)()
assert(r.istailcall == false and r.name == "tailed")

-- extraargs: functions called through __call
local callable = setmetatable({}, {__call = function(self, a) return debug.getinfo(1, "t"), self, a end})
local ci, self, a = callable(42)
assert(ci.extraargs == 1 and self == callable and a == 42)
ci = debug.getinfo(1, "t")
assert(ci.extraargs == 0)

-- ---- threads ----
local co_line
local co = coroutine.create(function(x)
  co_line = debug.getinfo(1, "l").currentline + 1
  local y = coroutine.yield(x)
  return y
end)
assert(debug.getinfo(co, 0) == nil)  -- not started: no frames
coroutine.resume(co, 1)
info = debug.getinfo(co, 0, "Sl")  -- level 0 of a suspended coroutine: yield
assert(info.what == "C")
info = debug.getinfo(co, 1, "Slf")
assert(info.what == "Lua" and info.currentline == co_line and type(info.func) == "function")
assert(debug.getinfo(co, 2) == nil)
info = debug.getinfo(co, print, "S")  -- a function argument after a thread
assert(info.what == "C")
coroutine.resume(co)
assert(debug.getinfo(co, 0) == nil)  -- dead

-- ---- errors ----
check_error("bad argument #2 to 'debug.getinfo' (invalid option '>')", debug.getinfo, 1, ">S")
check_error("bad argument #2 to 'debug.getinfo' (invalid option)", debug.getinfo, 1, "X")
check_error("bad argument #2 to 'debug.getinfo' (invalid option)", debug.getinfo, print, "Sz")
check_error("bad argument #3 to 'debug.getinfo' (invalid option '>')", debug.getinfo, co, 1, ">")
check_error("bad argument #1 to 'debug.getinfo' (number expected, got no value)", debug.getinfo)
check_error("bad argument #1 to 'debug.getinfo' (number expected, got string)", debug.getinfo, "x")
check_error("bad argument #2 to 'debug.getinfo' (number expected, got no value)", debug.getinfo, co)
check_error("bad argument #2 to 'debug.getinfo' (string expected, got table)", debug.getinfo, 1, {})

return "OK"
