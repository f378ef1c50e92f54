-- debug.traceback, getmetatable, setmetatable, getregistry, getuservalue,
-- setuservalue and debug.debug.

local function check_error(msg, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error")
  assert(string.find(err, msg, 1, true), err)
end

-- ---- traceback ----
local tb = debug.traceback()
assert(tb:find("^stack traceback:\n"))
assert(tb:find("debug_misc.lua:%d+: in main chunk"))
tb = debug.traceback("message")
assert(tb:find("^message\nstack traceback:\n"))
tb = debug.traceback(12)  -- numbers are messages too
assert(tb:find("^12\nstack traceback:\n"))
tb = debug.traceback(nil)
assert(tb:find("^stack traceback:\n"))
-- non-string messages come back untouched
local t = {}
assert(debug.traceback(t) == t)
assert(debug.traceback(true) == true)
assert(debug.traceback(print) == print)

local function inner() return debug.traceback("x", 1) end
local function outer() return inner() end
tb = outer()
assert(tb:find("\n\t[^\n]*: in upvalue 'inner'") or tb:find("\n\t[^\n]*: in function 'inner'")
  or tb:find("\n\t[^\n]*: in function <"), tb)
-- level 1 is the function calling traceback; level 2 skips it
local line1 = select(2, debug.traceback("m", 1):gsub("\n", "\n"))
local line2 = select(2, debug.traceback("m", 2):gsub("\n", "\n"))
assert(line1 == line2 + 1)
-- level 0 is traceback itself
assert(debug.traceback("m", 0):find("^m\nstack traceback:\n\t%[C%]: in field 'traceback'\n"))
-- a level beyond the stack: just the header
assert(debug.traceback("m", 100) == "m\nstack traceback:")

-- long stacks are abbreviated
local function deep(n) if n == 0 then return debug.traceback() end return (deep(n - 1)) end
tb = deep(100)
assert(tb:find("\n\t...\t%(skipping %d+ levels%)"))

-- traceback of another thread: level 0 is its top
local co = coroutine.create(function()
  local function waiting() coroutine.yield() end
  waiting()
end)
coroutine.resume(co)
tb = debug.traceback(co)
assert(tb:find("^stack traceback:\n\t%[C%]: in field 'yield'\n"), tb)
assert(tb:find("in local 'waiting'") or tb:find("in function <"), tb)
tb = debug.traceback(co, "msg", 1)
assert(tb:find("^msg\nstack traceback:\n\t[^\n]*debug_misc.lua"), tb)
assert(debug.traceback(co, t) == t)
assert(debug.traceback(coroutine.create(print), "fresh") == "fresh\nstack traceback:")
check_error("bad argument #2 to 'debug.traceback' (number expected, got string)", debug.traceback, "m", "x")

-- ---- metatables ----
assert(debug.getmetatable(1) == nil)
local mt = {__metatable = "protected"}
local obj = setmetatable({}, mt)
assert(getmetatable(obj) == "protected")
assert(debug.getmetatable(obj) == mt)  -- __metatable is ignored
assert(debug.getmetatable("s").__index == string)
check_error("bad argument #1 to 'debug.getmetatable' (value expected)", debug.getmetatable)
-- setmetatable works on any type and ignores __metatable
assert(debug.setmetatable(obj, nil) == obj)
assert(getmetatable(obj) == nil)
local nmt = {__index = function(n, k) return k * n end}
assert(debug.setmetatable(10, nmt) == 10)
assert((3)[2] == 6)
debug.setmetatable(10, nil)
assert(debug.getmetatable(1) == nil)
debug.setmetatable(nil, {__index = function() return "nil field" end})
local nothing = nil
assert(nothing.anything == "nil field")
debug.setmetatable(nil, nil)
check_error("bad argument #2 to 'debug.setmetatable' (nil or table expected, got number)", debug.setmetatable, {}, 1)
check_error("bad argument #2 to 'debug.setmetatable' (nil or table expected, got no value)", debug.setmetatable, {})

-- ---- registry ----
local reg = debug.getregistry()
assert(type(reg) == "table")
assert(reg._LOADED == package.loaded)
assert(reg[2] == _G)  -- LUA_RIDX_GLOBALS
assert(type(reg[3]) == "thread")  -- LUA_RIDX_MAINTHREAD

-- ---- user values ----
-- io handles are full userdata with no user values
assert(debug.getuservalue(io.stdout) == nil)
assert(select("#", debug.getuservalue(io.stdout)) == 1)
assert(debug.getuservalue(io.stdout, 0) == nil)
assert(debug.setuservalue(io.stdout, 1) == nil)  -- fail: no such user value
-- anything else: fail
assert(debug.getuservalue(1) == nil)
assert(debug.getuservalue({}) == nil)
check_error("bad argument #1 to 'debug.setuservalue' (userdata expected, got table)", debug.setuservalue, {}, 1)
check_error("bad argument #2 to 'debug.setuservalue' (value expected)", debug.setuservalue, io.stdout)
check_error("bad argument #2 to 'debug.getuservalue' (number expected, got string)", debug.getuservalue, io.stdout, "x")

-- ---- debug.debug: reads commands from stdin until 'cont' ----
-- Only where a child interpreter can be started (the command line, not the
-- embedded test runner).
local interp = arg and arg[-1]
if interp and not interp:find("[^%w%./_-]") then
  local script = os.tmpname()
  local f = assert(io.open(script, "w"))
  f:write("x = 1\ndebug.debug()\nprint('after', x)\n")
  f:close()
  local input = os.tmpname()
  f = assert(io.open(input, "w"))
  f:write("x = 42\nprint('in debug', x)\nerror('oops')\ncont\nprint('never')\n")
  f:close()
  local p = io.popen(interp .. " " .. script .. " < " .. input .. " 2>&1")
  local out = p:read("a")
  p:close()
  os.remove(script)
  os.remove(input)
  assert(out:find("lua_debug> in debug\t42\n"), out)
  assert(out:find("lua_debug> %(debug command%):1: oops\n"), out)
  assert(out:find("after\t42\n"), out)
  assert(not out:find("never"), out)
end

return "OK"
