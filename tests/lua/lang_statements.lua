-- Statements and scoping (issue 3): global declarations, attributes,
-- read-only loop variables, goto, for loops, repeat scoping, assignment
-- order, varargs and named vararg tables, tail calls. Checked on PUC Lua 5.5.
local function err(src) return select(2, load(src, "=src")) end

-- 'global' declarations
assert(err("global x; y = 1") == "src:1: variable 'y' not declared")
assert(err("global<const> *; x = 1") == "src:1: attempt to assign to const variable 'x'")
assert(err("global <close> x") == "src:1: global variables cannot be to-be-closed")
assert(err("local <foo> x = 1") == "src:1: unknown attribute 'foo'")
assert(err("local <close> a, b <close> = 1, 2") == "src:1: multiple to-be-closed variables in local list")
assert(err("local x <const> = 1; x = 2") == "src:1: attempt to assign to const variable 'x'")
assert(err("for i = 1, 3 do i = i + 1 end") == "src:1: attempt to assign to const variable 'i'")
assert(err("for k, v in pairs{} do k = 1 end") == "src:1: attempt to assign to const variable 'k'")
assert(load("for i = 1, 3 do local i = i + 1 end"))  -- shadowing is fine
do
  local f = load("global G1 = 10; return G1")
  G1 = nil
  assert(f() == 10 and G1 == 10)
  local ok, msg = pcall(f)
  assert(not ok and msg:find("global 'G1' already defined"))
  G1 = nil
  global = 3   -- 'global' is only a keyword before a name, '<', '*' or 'function'
  assert(global == 3)
  global = nil
end

-- goto
assert(err("goto l1; local x; ::l1:: print(x)") == "src:1: <goto l1> at line 1 jumps into the scope of 'x'")
assert(err("goto nowhere") == "src:1: no visible label 'nowhere' for <goto> at line 1")
assert(err("::a:: ::a::") == "src:1: label 'a' already defined on line 1")
do
  local i, out = 1, {}
  ::top::
  if i <= 3 then out[#out + 1] = i; i = i + 1; goto top end
  assert(table.concat(out) == "123")
  for j = 1, 3 do
    for k = 1, 3 do
      if k == 2 then goto continue end
      out[#out + 1] = j * 10 + k
      ::continue::
    end
  end
  assert(#out == 9)
end

-- numeric for: integer and float loops, overflow, no iterations
do
  local n = 0
  for i = math.maxinteger - 2, math.maxinteger do n = n + 1 end
  assert(n == 3)                                   -- no overflow into an endless loop
  n = 0
  for i = math.mininteger, math.mininteger + 2 do n = n + 1 end
  assert(n == 3)
  n = 0
  for i = 1, 0 do n = n + 1 end
  assert(n == 0)
  local fs = {}
  for x = 0.5, 1.5, 0.25 do fs[#fs + 1] = x end
  assert(#fs == 5 and math.type(fs[1]) == "float")
  for i = 3, 1, -1 do fs[#fs + 1] = i end
  assert(fs[#fs] == 1)
  assert(not pcall(load("for i = 1, 10, 0 do end")))   -- step 0: 'for' step is zero
  local ok, msg = pcall(load("for i = 1, 'x' do end"))
  assert(not ok and msg:find("bad 'for' limit %(number expected, got string%)"))
end

-- generic for with a closing value (the 4th one)
do
  local closed = false
  local function iter(s, c) if c < 3 then return c + 1 end end
  for i in iter, nil, 0, setmetatable({}, {__close = function() closed = true end}) do
    if i == 2 then break end
  end
  assert(closed)
end

-- repeat: the condition sees the body's locals
do
  local n = 0
  repeat local done = n >= 2; n = n + 1 until done
  assert(n == 3)
end

-- multiple assignment: all expressions are evaluated before assigning
do
  local a, b = 1, 2
  a, b = b, a
  assert(a == 2 and b == 1)
  local t = {}
  local i = 1
  i, t[i] = i + 1, 20
  assert(i == 2 and t[1] == 20)
  local x, y, z = (function() return 1, 2, 3 end)()
  assert(x == 1 and y == 2 and z == 3)
  local p, q = ((function() return 1, 2 end)())
  assert(p == 1 and q == nil)
end

-- varargs and named vararg tables (5.5)
do
  local function count(...) return select("#", ...) end
  assert(count() == 0 and count(nil, nil) == 2)
  local function pack(...t) return t end
  local t = pack(1, nil, 3)
  assert(t.n == 3 and t[1] == 1 and t[3] == 3)
  local function first(...t) return t[1], ... end
  assert(select("#", first(7, 8)) == 3)
  assert(err("local function f(...t) t = {} end") == "src:1: attempt to assign to const variable 't'")
  local function grow(...t) t[1] = 10; return ... end
  assert(grow(1, 2) == 10)                         -- '...' reads the table as it is now
end

-- proper tail calls run in constant stack
do
  local function loop(n) if n == 0 then return "done" end return loop(n - 1) end
  assert(loop(1000000) == "done")
  local obj = {n = 0}
  function obj:down(k) if k == 0 then return self.n end self.n = self.n + 1 return self:down(k - 1) end
  assert(obj:down(100000) == 100000)
end

-- methods and closures over shared upvalues
do
  local fs = {}
  for i = 1, 3 do fs[i] = function() return i end end
  assert(fs[1]() == 1 and fs[3]() == 3)           -- a fresh variable per iteration
  local function counter()
    local c = 0
    return function() c = c + 1 return c end, function() return c end
  end
  local inc, get = counter()
  inc(); inc()
  assert(get() == 2)
end

-- <close>: reverse order, on normal exit, break, return and errors
do
  local log = {}
  local function closer(name) return setmetatable({}, {__close = function(_, e) log[#log + 1] = name .. (e and ":err" or "") end}) end
  do
    local a <close> = closer("a")
    local b <close> = closer("b")
  end
  assert(table.concat(log, ",") == "b,a")
  log = {}
  for i = 1, 2 do local c <close> = closer("c" .. i); if i == 1 then break end end
  assert(table.concat(log, ",") == "c1")
  log = {}
  local ok = pcall(function() local d <close> = closer("d"); error("x") end)
  assert(not ok and log[1] == "d:err")
  log = {}
  local function f() local e <close> = closer("e"); return "r" end
  assert(f() == "r" and log[1] == "e")
end
return "OK"
