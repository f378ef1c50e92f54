-- math library: every function and constant of Lua 5.5.

local function check_error(msg, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error: " .. msg)
  assert(string.find(err, msg, 1, true), "got: " .. tostring(err))
end

local function eqT(a, b) return a == b and math.type(a) == math.type(b) end

local maxI, minI = math.maxinteger, math.mininteger

-- constants
assert(maxI == 0x7fffffffffffffff and minI == -0x8000000000000000)
assert(math.type(maxI) == "integer" and minI == maxI + 1)
assert(math.huge > 1e308 and -math.huge < -1e308 and math.type(math.huge) == "float")
assert(math.abs(math.pi - 3.141592653589793) < 1e-15)

-- type
assert(math.type(1) == "integer" and math.type(1.0) == "float")
assert(math.type("1") == nil and math.type({}) == nil and math.type(nil) == nil)
check_error("bad argument #1 to 'math.type' (value expected)", math.type)

-- abs
assert(eqT(math.abs(-3), 3) and eqT(math.abs(3), 3) and eqT(math.abs(-2.5), 2.5))
assert(eqT(math.abs(minI), minI))     -- wraps around
assert(eqT(math.abs(-0.0), 0.0) and eqT(math.abs("-2"), 2.0))
check_error("number expected, got string", math.abs, "x")

-- floor / ceil keep integers and convert floats that fit
assert(eqT(math.floor(3), 3) and eqT(math.ceil(3), 3))
assert(eqT(math.floor(3.7), 3) and eqT(math.ceil(3.2), 4))
assert(eqT(math.floor(-3.5), -4) and eqT(math.ceil(-3.5), -3))
assert(eqT(math.floor(-0.0), 0) and eqT(math.ceil(-0.5), 0))
assert(eqT(math.floor(1e100), 1e100) and eqT(math.ceil(-1e100), -1e100))
assert(eqT(math.floor(2^63), 2^63) and eqT(math.floor(-2^63), minI))
assert(eqT(math.floor(math.huge), math.huge))
local nan = 0/0
assert(math.floor(nan) ~= math.floor(nan))
assert(eqT(math.floor("3.5"), 3))
check_error("number expected, got table", math.floor, {})

-- fmod
assert(eqT(math.fmod(7, 3), 1) and eqT(math.fmod(-7, 3), -1) and eqT(math.fmod(7, -3), 1))
assert(eqT(math.fmod(minI, -1), 0) and eqT(math.fmod(maxI, -1), 0))
assert(eqT(math.fmod(minI, minI), 0) and eqT(math.fmod(maxI, minI), maxI))
assert(eqT(math.fmod(7.5, 2), 1.5) and eqT(math.fmod(-7.5, 2), -1.5))
assert(eqT(math.fmod(7, 2.0), 1.0))
assert(eqT(math.fmod(3, math.huge), 3.0))
local r = math.fmod(1, 0.0); assert(r ~= r)
check_error("bad argument #2 to 'math.fmod' (zero)", math.fmod, 1, 0)
check_error("bad argument #2 to 'math.fmod' (zero)", math.fmod, minI, 0)
check_error("number expected, got no value", math.fmod, 1)

-- modf
local ip, fp = math.modf(3.5)
assert(eqT(ip, 3) and eqT(fp, 0.5))
ip, fp = math.modf(-3.5)
assert(eqT(ip, -3) and eqT(fp, -0.5))
ip, fp = math.modf(5)
assert(eqT(ip, 5) and eqT(fp, 0.0))
ip, fp = math.modf(math.huge)
assert(eqT(ip, math.huge) and eqT(fp, 0.0))
ip, fp = math.modf(-math.huge)
assert(eqT(ip, -math.huge) and eqT(fp, 0.0))
ip, fp = math.modf(1e300)
assert(eqT(ip, 1e300) and eqT(fp, 0.0))
ip, fp = math.modf(nan)
assert(ip ~= ip and fp ~= fp)

-- sqrt, exp, log
assert(eqT(math.sqrt(16), 4.0) and eqT(math.sqrt(2.25), 1.5))
assert(eqT(math.exp(0), 1.0) and math.abs(math.exp(1) - 2.718281828459045) < 1e-15)
assert(eqT(math.log(1), 0.0) and math.abs(math.log(math.exp(2)) - 2) < 1e-15)
assert(eqT(math.log(8, 2), 3.0) and eqT(math.log(2^60, 2), 60.0))
assert(eqT(math.log(1000, 10), 3.0) and eqT(math.log(1e-20, 10), -20.0))
assert(math.abs(math.log(27, 3) - 3) < 1e-15)
assert(math.log(0) == -math.huge)
check_error("number expected, got string", math.log, 2, "x")

-- trigonometry
assert(eqT(math.sin(0), 0.0) and eqT(math.cos(0), 1.0) and eqT(math.tan(0), 0.0))
assert(math.abs(math.sin(math.pi / 2) - 1) < 1e-15)
assert(math.abs(math.cos(math.pi) + 1) < 1e-15)
assert(math.abs(math.tan(math.pi / 4) - 1) < 1e-15)
assert(math.abs(math.asin(1) - math.pi / 2) < 1e-15)
assert(math.abs(math.acos(-1) - math.pi) < 1e-15)
assert(math.abs(math.atan(1) - math.pi / 4) < 1e-15)
assert(math.abs(math.atan(1, -1) - 3 * math.pi / 4) < 1e-15)
assert(math.abs(math.atan(-1, -1) + 3 * math.pi / 4) < 1e-15)
assert(eqT(math.atan(0, 1), 0.0) and math.atan(1, 0) == math.pi / 2)
assert(eqT(math.deg(math.pi), 180.0) and eqT(math.rad(180), math.pi))

-- tointeger
assert(eqT(math.tointeger(3), 3) and eqT(math.tointeger(3.0), 3))
assert(eqT(math.tointeger("8"), 8) and eqT(math.tointeger("34.0"), 34))
assert(math.tointeger(3.5) == nil and math.tointeger("34.3") == nil)
assert(math.tointeger({}) == nil and math.tointeger(2^63) == nil)
assert(eqT(math.tointeger(-2^63), minI) and math.tointeger(nan) == nil)
check_error("bad argument #1 to 'math.tointeger' (value expected)", math.tointeger)

-- ult
assert(math.ult(1, 2) and not math.ult(2, 1) and math.ult(maxI, minI))
assert(math.ult(0, -1) and not math.ult(-1, 0))
check_error("number has no integer representation", math.ult, 1.5, 2)

-- max / min keep the chosen argument as it is
assert(eqT(math.max(1, 2.0), 2.0) and eqT(math.max(2, 1.0), 2))
assert(eqT(math.min(1, 2.0), 1) and eqT(math.min(3.0, 1), 1))
assert(eqT(math.max(3), 3) and eqT(math.min(-0.0), -0.0))
assert(eqT(math.max(minI, maxI, 0), maxI) and eqT(math.min(minI, maxI, 0), minI))
assert(eqT(math.max(1, 1.0), 1))   -- first of equal values
assert(math.max("a", "c", "b") == "c" and math.min("b", "a") == "a")
check_error("bad argument #1 to 'math.max' (value expected)", math.max)
check_error("bad argument #1 to 'math.min' (value expected)", math.min)
check_error("attempt to compare", math.max, 1, {})

-- frexp / ldexp
local m, e = math.frexp(8)
assert(eqT(m, 0.5) and eqT(e, 4))
m, e = math.frexp(0)
assert(m == 0 and e == 0)
m, e = math.frexp(-3)
assert(m == -0.75 and e == 2)
assert(eqT(math.ldexp(0.5, 4), 8.0) and eqT(math.ldexp(1, -1), 0.5))
check_error("number has no integer representation", math.ldexp, 1, 0.5)

-- every documented name is there
for _, name in ipairs{"abs", "acos", "asin", "atan", "ceil", "cos", "deg", "exp",
    "floor", "fmod", "frexp", "ldexp", "log", "max", "min", "modf", "rad",
    "random", "randomseed", "sin", "sqrt", "tan", "tointeger", "type", "ult"} do
  assert(type(math[name]) == "function", name)
end

return "OK"
