-- Expressions, metamethods and error messages (issue 3). Checked on PUC Lua 5.5.
-- precedence
assert(2 + 3 * 4 ^ 2 / 8 == 8.0)
assert(-2 ^ 2 == -4 and not nil == true and #"abc" + 1 == 4)
assert(1 .. 2 .. 3 == "123" and "a" .. "b" == "ab")
assert((2 ^ 3) ^ 2 == 64 and 2 ^ 3 ^ 2 == 512)       -- right associative
assert(1 < 2 == true and (1 or 2) == 1 and (nil and 1) == nil and (false or nil) == nil)
assert(3 & 5 | 2 ~ 1 << 2 == 7)
assert(~0 == -1 and 1 << 63 == math.mininteger and 1 << 64 == 0 and -1 >> 1 == math.maxinteger)

-- integers and floats
assert(7 // 2 == 3 and -7 // 2 == -4 and 7 // -2 == -4 and 7.0 // 2 == 3.0)
assert(7 % 3 == 1 and -7 % 3 == 2 and 7 % -3 == -2 and -4 % -5.0 == -4.0 and 5.5 % 2 == 1.5)
assert(math.mininteger // -1 == math.mininteger and math.mininteger % -1 == 0)
assert(1 / 0 == math.huge and -1 / 0 == -math.huge and (0 / 0) ~= (0 / 0))
assert(math.type(3 / 1) == "float" and math.type(2^2) == "float" and math.type(3 // 1) == "integer")
assert(math.maxinteger + 1 == math.mininteger)        -- integers wrap around
assert(not pcall(function() return 1 // 0 end) and select(2, pcall(function() return 1 % 0 end)):find("'n%%0'"))
assert(select(2, pcall(function() local z = 0 return 1 // z end)):find("attempt to divide by zero"))
-- string coercions in arithmetic
assert("10" + 1 == 11 and "3" * "4" == 12 and "0x10" + 0 == 16 and math.type("10" + 1) == "integer")
assert("1e1" + 0 == 10.0 and 10 .. "" == "10" and 1.5 .. "" == "1.5")
assert(select(2, pcall(function() return "a" + 1 end)):find("attempt to add a 'string' with a 'number'"))
-- comparison
assert(1 == 1.0 and "a" < "b" and not (1 < 1) and math.maxinteger < math.huge and math.mininteger > -math.huge)
assert(select(2, pcall(function() return 1 < "2" end)):find("attempt to compare number with string"))

-- tostring of floats (5.5: %.15g, else %.17g)
assert(tostring(1/3) == "0.33333333333333331" and tostring(0.1) == "0.1" and tostring(2^53) == "9007199254740992.0")
assert(tostring(1e100) == "1e+100" and tostring(-0.0) == "-0.0" and tostring(1/0) == "inf" and tostring(-1/0) == "-inf")
assert(tonumber("  0x1p4  ") == 16.0 and tonumber("z", 36) == 35 and tonumber("7fffffff", 16) == 2147483647)
assert(tonumber("1e") == nil and tonumber("") == nil and tonumber("inf") == nil and tonumber("10", 2) == 2)

-- every metamethod
do
  local log = {}
  local mt = {}
  for _, e in ipairs{"add", "sub", "mul", "div", "mod", "pow", "unm", "idiv", "band", "bor", "bxor", "shl", "shr", "bnot", "concat"} do
    mt["__" .. e] = function(a, b) log[#log + 1] = e; return e end
  end
  mt.__len = function() return 42 end
  mt.__eq = function() return true end
  mt.__lt = function() return true end
  mt.__le = function() return false end
  mt.__call = function(self, x) return "called " .. x end
  mt.__index = function(_, k) return k .. "!" end
  mt.__newindex = function(t, k, v) rawset(t, k, v * 2) end
  mt.__tostring = function() return "OBJ" end
  mt.__name = "MyType"
  local a, b = setmetatable({}, mt), setmetatable({}, mt)
  assert(a + 1 == "add" and 1 - a == "sub" and a * a == "mul" and a / 2 == "div" and a % 2 == "mod")
  assert(a ^ 2 == "pow" and -a == "unm" and a // 1 == "idiv" and a & 1 == "band" and 1 | a == "bor")
  assert(a ~ 1 == "bxor" and a << 1 == "shl" and a >> 1 == "shr" and ~a == "bnot" and a .. "x" == "concat")
  assert(#a == 42 and a == b and a < b and not (a <= b) and a(5) == "called 5")
  assert(a.foo == "foo!" and tostring(a) == "OBJ")
  a.x = 21
  assert(rawget(a, "x") == 42)
  -- __index and __newindex chains through tables
  local base = {greet = function() return "hi" end}
  local derived = setmetatable({}, {__index = base})
  local obj = setmetatable({}, {__index = derived})
  assert(obj.greet() == "hi")
  local store = {}
  local proxy = setmetatable({}, {__newindex = store})
  proxy.k = 1
  assert(rawget(proxy, "k") == nil and store.k == 1)
  -- __metatable protects
  local locked = setmetatable({}, {__metatable = "locked"})
  assert(getmetatable(locked) == "locked" and not pcall(setmetatable, locked, {}))
  -- __pairs returns up to four values
  local p = setmetatable({}, {__pairs = function(t) return function(_, k) if not k then return 1, "one" end end, t, nil end})
  for k, v in pairs(p) do assert(k == 1 and v == "one") end
  -- __name in messages
  local ok, msg = pcall(function() return a < 1 end)
  assert(ok)  -- __lt answers for mixed operands too
  local u = setmetatable({}, {__name = "Thing"})
  assert(select(2, pcall(function() return u + 1 end)):find("attempt to perform arithmetic on a Thing value"))
end

-- error messages name the variable, as PUC Lua does
local function msg(f) return select(2, pcall(f)) end
local t = {}
assert(msg(function() return t.x.y end):find("attempt to index a nil value %(field 'x'%)"))
assert(msg(function() return undefinedglobal.y end):find("attempt to index a nil value %(global 'undefinedglobal'%)"))
assert(msg(function() local l; return l.y end):find("attempt to index a nil value %(local 'l'%)"))
assert(msg(function() t.f() end):find("attempt to call a nil value %(field 'f'%)"))
assert(msg(function() t:m() end):find("attempt to call a nil value %(method 'm'%)"))
assert(msg(function() return #nil end):find("attempt to get length of a nil value"))
assert(msg(function() return t .. "x" end):find("attempt to concatenate a table value %(upvalue 't'%)"))
assert(msg(function() error("plain", 0) end) == "plain")
assert(msg(function() error("lvl") end):find("^lang_expressions.lua:%d+: lvl$") or msg(function() error("lvl") end):find(":%d+: lvl$"))
assert(msg(function() error({code = 1}) end).code == 1)
assert(msg(function() error() end) == "<no error object>")
assert(select(2, xpcall(function() error("e") end, function(m) return "handled: " .. m end)):find("^handled: "))

-- deep recursion is a catchable error, also in the parser
assert(msg(function() local function r() return 1 + r() end return r() end):find("stack overflow"))
assert(not load(string.rep("(", 1000) .. "1" .. string.rep(")", 1000)))
assert(not load("x = " .. string.rep("{", 1000)))
local s = setmetatable({}, {__index = function(t, k) return t[k] end})
assert(msg(function() return s.x end):find("stack overflow"))
return "OK"
