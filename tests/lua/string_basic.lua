-- string library: the simple functions, the string metatable and the
-- arithmetic metamethods (manual §6.4; PUC 5.5 messages).

local maxi, mini = math.maxinteger, math.mininteger

local function checkerror(msg, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error: " .. msg)
  assert(string.find(err, msg, 1, true), "got: " .. tostring(err) .. " expected: " .. msg)
end

-- len
assert(string.len("") == 0 and string.len("\0\0\0") == 3 and ("abc"):len() == 3)
assert(string.len(123) == 3)  -- numbers are converted
checkerror("bad argument #1 to 'string.len' (string expected, got no value)", string.len)
checkerror("bad argument #1 to 'string.len' (string expected, got table)", string.len, {})

-- sub
local s = "123456789"
assert(s:sub(2, 4) == "234" and s:sub(7) == "789" and s:sub(7, 6) == "")
assert(s:sub(0, 0) == "" and s:sub(-10, 10) == s and s:sub(-1) == "9")
assert(s:sub(-4) == "6789" and s:sub(-6, -4) == "456")
assert(s:sub(mini, -4) == "123456" and s:sub(mini, maxi) == s and s:sub(mini, mini) == "")
assert(s:sub(maxi) == "" and s:sub(10) == "" and s:sub(3, 2.0) == "")
assert(("\0a\0b"):sub(2, 3) == "a\0")
checkerror("bad argument #2 to 'string.sub' (number expected, got no value)", string.sub, "x")
checkerror("bad argument #2 to 'string.sub' (number has no integer representation)", string.sub, "x", 1.5)
checkerror("bad argument #3 to 'string.sub' (number expected, got string)", string.sub, "x", 1, "a")

-- byte / char
assert(string.byte("a") == 97 and string.byte("\xe4") == 228)
assert(string.byte("") == nil and string.byte("hi", -3) == nil and string.byte("hi", 3) == nil)
assert(string.byte("hi", 9, 10) == nil and string.byte("hi", 2, 1) == nil)
assert(select("#", string.byte("hello", 2, -2)) == 3)
do
  local a, b, c = string.byte("hello", -3, -1)
  assert(a == 108 and b == 108 and c == 111)
  assert(select("#", string.byte("abc", mini, maxi)) == 3)
end
assert(string.char() == "" and string.char(0, 255, 0) == "\0\255\0")
assert(string.char(72, 105) == "Hi" and string.char(65.0) == "A")
checkerror("bad argument #1 to 'string.char' (value out of range)", string.char, 256)
checkerror("bad argument #2 to 'string.char' (value out of range)", string.char, 1, -1)
checkerror("value out of range", string.char, maxi)
checkerror("value out of range", string.char, mini)
checkerror("bad argument #1 to 'string.char' (number expected, got string)", string.char, "x")

-- upper / lower / reverse
assert(string.upper("ab\0c") == "AB\0C" and string.lower("\0ABCc%$") == "\0abcc%$")
assert(string.reverse("") == "" and string.reverse("\0\1\2\3") == "\3\2\1\0")
assert(("abc"):reverse() == "cba" and string.upper(12) == "12")

-- rep
assert(string.rep("teste", 0) == "" and string.rep("tés\0tê", 2) == "tés\0têtés\0tê")
assert(string.rep("", 10) == "" and string.rep("ab", -1) == "")
assert(string.rep("teste", 0, "xuxu") == "" and string.rep("teste", 1, "xuxu") == "teste")
assert(string.rep("\1\0\1", 2, "\0\0") == "\1\0\1\0\0\1\0\1")
assert(string.rep("", 10, ".") == ".........")
assert(string.rep("x", 3, ", ") == "x, x, x")
for i = 0, 30 do assert(#string.rep("a", i) == i) end
checkerror("resulting string too large", string.rep, "aa", maxi)
checkerror("resulting string too large", string.rep, "a", maxi, ",")
checkerror("resulting string too large", string.rep, "aa", maxi // 2 + 10)
checkerror("resulting string too large", string.rep, "", maxi // 2 + 10, "aa")
-- representable but impossible to allocate: the allocator's error (5.5)
checkerror("not enough memory", string.rep, "x", 1 << 62)
checkerror("not enough memory", string.rep, "", maxi, "a")  -- maxi - 1 bytes
checkerror("resulting string too large", string.rep, "x", maxi)  -- maxi bytes
checkerror("bad argument #2 to 'string.rep' (number expected, got no value)", string.rep, "x")

-- dump
do
  local function f(a) return a * 2 end
  local d = string.dump(f)
  assert(type(d) == "string" and d:sub(1, 4) == "\27Lua")
  assert(load(d, "d", "b")(21) == 42)
  local ds = string.dump(f, true)
  assert(load(ds, "d", "b")(4) == 8)
  checkerror("bad argument #1 to 'string.dump' (Lua function expected)", string.dump, print)
  checkerror("bad argument #1 to 'string.dump' (Lua function expected)", string.dump, {})
  checkerror("bad argument #1 to 'string.dump' (Lua function expected)", string.dump)
end

-- the string metatable
do
  local mt = getmetatable("")
  assert(type(mt) == "table" and mt.__index == string)
  assert(getmetatable("abc") == mt)
  assert(("x"):rep(3) == "xxx" and ("%d"):format(7) == "7")
  local t = {}
  for k in pairs(mt) do t[#t + 1] = k end
  table.sort(t)
  assert(table.concat(t, " ") == "__add __div __idiv __index __mod __mul __pow __sub __unm")
  assert(#"abc" == 3)  -- no __len needed
end

-- arithmetic on strings converts them as numerals
assert("10" + 1 == 11 and math.type("10" + 1) == "integer")
assert("10" + "0x10" == 26 and "3" * "4" == 12 and -"2" == -2)
assert("10" // "3" == 3 and "2" ^ "2" == 4.0 and "7" % "2.0" == 1.0 and "1" / "2" == 0.5)
assert("10" - 2.5 == 7.5 and 1 - "3" == -2 and " 0x10 " + 0 == 16)
assert(math.type("1e2" + 0) == "float" and "1e2" + 0 == 100.0)
assert(10 .. "1" + 1 == "102")  -- ".." binds looser than "+"
do
  local function arith_err(f) local ok, e = pcall(f); assert(not ok); return e end
  assert(string.find(arith_err(function() return "abc" + 1 end), "attempt to add a 'string' with a 'number'", 1, true))
  assert(string.find(arith_err(function() return 1 - "x" end), "attempt to sub a 'number' with a 'string'", 1, true))
  assert(string.find(arith_err(function() return "a" * "b" end), "attempt to mul a 'string' with a 'string'", 1, true))
  assert(string.find(arith_err(function() return -"a" end), "attempt to unm a 'string' with a 'string'", 1, true))
  assert(string.find(arith_err(function() return "10" + {} end), "attempt to add a 'string' with a 'table'", 1, true))
  assert(string.find(arith_err(function() return "1\0" + 1 end), "attempt to add", 1, true))
  assert(string.find(arith_err(function() return "1" // "0" end), "attempt to divide by zero", 1, true))
  -- the other operand's metamethod is used when the string does not convert
  local v = setmetatable({}, {__add = function(a, b) return "meta" end, __unm = function() return "neg" end})
  assert("abc" + v == "meta" and v + "abc" == "meta" and "1" + v == "meta")
  -- no bitwise metamethods: strings do not take part in bitwise operations
  assert(string.find(arith_err(function() return "3" | 0 end), "attempt to perform bitwise operation on a string value", 1, true))
end

return "OK"
