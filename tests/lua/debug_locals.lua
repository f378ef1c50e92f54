-- debug.getlocal, setlocal, getupvalue, setupvalue, upvalueid,
-- upvaluejoin.

local function check_error(msg, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error")
  assert(string.find(err, msg, 1, true), err)
end

-- ---- getlocal on an active function ----
local function locals(a, b)
  local c = a + b
  do
    local inner = 1
    local name, value = debug.getlocal(1, 4)
    assert(name == "inner" and value == 1)
  end
  local n1, v1 = debug.getlocal(1, 1)
  local n2, v2 = debug.getlocal(1, 2)
  local n3, v3 = debug.getlocal(1, 3)
  assert(n1 == "a" and v1 == 10 and n2 == "b" and v2 == 20 and n3 == "c" and v3 == 30)
  assert(debug.getlocal(1, 100) == nil)  -- no such local: fail
  assert(debug.getlocal(1, 0) == nil)
  return c
end
assert(locals(10, 20) == 30)

-- the caller's locals (level 2)
local function peek(i) return debug.getlocal(2, i) end
do
  local x, y = "x-value", "y-value"
  local nx, vx = peek(1)
  -- main-chunk locals before x: check_error, locals, peek
  assert(nx == "check_error" and type(vx) == "function")
  local names = {}
  for i = 1, math.huge do
    local n, v = peek(i)
    if not n then break end
    names[n] = v
  end
  assert(names.x == "x-value" and names.y == "y-value")
end

-- varargs: negative indices
local function va(...)
  local n1, v1 = debug.getlocal(1, -1)
  local n2, v2 = debug.getlocal(1, -2)
  assert(n1 == "(vararg)" and v1 == "first")
  assert(n2 == "(vararg)" and v2 == "second")
  assert(debug.getlocal(1, -3) == nil)
  assert(debug.setlocal(1, -2, "changed") == "(vararg)")
  local _, second = ...
  return second
end
assert(va("first", "second") == "changed")
local function novarargs(a) return debug.getlocal(1, -1) end
assert(novarargs(1) == nil)

-- temporaries of a native frame: level 0 is getlocal itself
local n, v = debug.getlocal(0, 1)
assert(n == "(C temporary)" and v == 0)
assert(debug.getlocal(0, 2) == "(C temporary)")

-- ---- getlocal on a function value: parameter names ----
local function params(alpha, beta, ...) local gamma end
assert(debug.getlocal(params, 1) == "alpha")
assert(debug.getlocal(params, 2) == "beta")
assert(debug.getlocal(params, 3) == nil)  -- locals are not parameters
assert(debug.getlocal(params, 0) == nil)
assert(select("#", debug.getlocal(params, 1)) == 1)  -- a name, no value
assert(debug.getlocal(print, 1) == nil)  -- native functions: nothing known

-- ---- setlocal ----
local function setter()
  local target = 1
  assert(debug.setlocal(1, 1, "new") == "target")
  assert(debug.setlocal(1, 10, "x") == nil)  -- no such local
  return target
end
assert(setter() == "new")
local function set_in_caller() return debug.setlocal(2, 1, 99) end
do
  local function f()
    local mine = 1
    local name = set_in_caller()
    return name, mine
  end
  local name, mine = f()
  assert(name == "mine" and mine == 99)
end

-- ---- threads ----
local co = coroutine.create(function(p, ...)
  local inside = "in"
  coroutine.yield()
  return inside, p
end)
coroutine.resume(co, "param", "extra1", "extra2")
assert(select(2, debug.getlocal(co, 1, 1)) == "param")
assert(debug.getlocal(co, 1, 2) == "(vararg table)")  -- 5.5: the hidden vararg parameter
local name, value = debug.getlocal(co, 1, 3)
assert(name == "inside" and value == "in")
assert(select(2, debug.getlocal(co, 1, -2)) == "extra2")
assert(debug.setlocal(co, 1, 3, "changed") == "inside")
assert(debug.getlocal(co, params, 2) == "beta")  -- function argument after a thread
local ok, r1, r2 = coroutine.resume(co)
assert(ok and r1 == "changed" and r2 == "param")

-- ---- errors ----
check_error("bad argument #1 to 'debug.getlocal' (level out of range)", debug.getlocal, 100, 1)
check_error("bad argument #2 to 'debug.getlocal' (level out of range)", debug.getlocal, co, 1, 1)
check_error("bad argument #2 to 'debug.getlocal' (number expected, got no value)", debug.getlocal, 1)
check_error("bad argument #1 to 'debug.getlocal' (number expected, got string)", debug.getlocal, "a", 1)
check_error("bad argument #1 to 'debug.setlocal' (level out of range)", debug.setlocal, 100, 1, 1)
check_error("bad argument #3 to 'debug.setlocal' (value expected)", debug.setlocal, 1, 1)

-- ---- upvalues ----
local u1, u2 = "one", "two"
local function ups() return u1, u2 end
assert(debug.getupvalue(ups, 1) == "u1")
local uname, uvalue = debug.getupvalue(ups, 2)
assert(uname == "u2" and uvalue == "two")
assert(debug.getupvalue(ups, 3) == nil)
assert(select("#", debug.getupvalue(ups, 3)) == 0)
assert(select("#", debug.getupvalue(ups, 0)) == 0)
assert(debug.setupvalue(ups, 1, "ONE") == "u1")
assert(u1 == "ONE")
assert(select("#", debug.setupvalue(ups, 5, 1)) == 0)
-- native closures have nameless upvalues
local gm = string.gmatch("abc", "%a")
uname = debug.getupvalue(gm, 1)
assert(uname == "")
assert(debug.getupvalue(print, 1) == nil)
-- _ENV is the main chunk's upvalue
local chunk = load("return x")
assert(debug.getupvalue(chunk, 1) == "_ENV")
debug.setupvalue(chunk, 1, {x = "from env"})
assert(chunk() == "from env")
check_error("bad argument #1 to 'debug.getupvalue' (function expected, got number)", debug.getupvalue, 1, 1)
check_error("bad argument #3 to 'debug.setupvalue' (value expected)", debug.setupvalue, ups, 1)

-- upvalueid / upvaluejoin
local function shares1() return u1 end
local function shares2() return u1, u2 end
assert(type(debug.upvalueid(shares1, 1)) == "userdata")
assert(debug.upvalueid(shares1, 1) == debug.upvalueid(shares2, 1))
assert(debug.upvalueid(shares2, 1) ~= debug.upvalueid(shares2, 2))
assert(debug.upvalueid(shares1, 2) == nil)  -- no such upvalue: fail
assert(debug.upvalueid(print, 1) == nil)
assert(debug.upvalueid(gm, 1) ~= nil)
debug.upvaluejoin(shares1, 1, shares2, 2)  -- shares1's u1 is now u2
assert(shares1() == "two")
assert(debug.upvalueid(shares1, 1) == debug.upvalueid(shares2, 2))
check_error("bad argument #2 to 'debug.upvaluejoin' (invalid upvalue index)", debug.upvaluejoin, shares1, 5, shares2, 1)
check_error("bad argument #4 to 'debug.upvaluejoin' (invalid upvalue index)", debug.upvaluejoin, shares1, 1, shares2, 9)
check_error("bad argument #1 to 'debug.upvaluejoin' (Lua function expected)", debug.upvaluejoin, gm, 1, shares2, 1)
check_error("bad argument #3 to 'debug.upvaluejoin' (Lua function expected)", debug.upvaluejoin, shares1, 1, gm, 1)
check_error("bad argument #1 to 'debug.upvalueid' (function expected, got table)", debug.upvalueid, {}, 1)
check_error("bad argument #2 to 'debug.upvalueid' (number expected, got no value)", debug.upvalueid, print)

return "OK"
