-- string library: find, match, gmatch, gsub and the pattern language
-- (manual §6.4.1), with PUC 5.5's limits and error messages.

local maxi, mini = math.maxinteger, math.mininteger

local function checkerror(msg, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error: " .. msg)
  assert(string.find(err, msg, 1, true), "got: " .. tostring(err) .. " expected: " .. msg)
end

-- find: plain and with patterns, init
assert(string.find("123456789", "345") == 3)
do
  local a, b = string.find("123456789", "345")
  assert(a == 3 and b == 5)
  a, b = string.find("abc", "")
  assert(a == 1 and b == 0)
  a, b = string.find("abc", "", 4)
  assert(a == 4 and b == 3)
end
assert(string.find("1234567890123456789", "345", 4) == 13)
assert(string.find("1234567890123456789", ".45", -9) == 13)
assert(not string.find("abcdefg", "\0", 5, 1))
assert(string.find("", "") == 1 and not string.find("", "", 2) and not string.find("", "aaa", 1))
assert(string.find("abc", "b", mini) == 2 and not string.find("abc", "b", maxi))
assert(("alo(.)alo"):find("(.)", 1, 1) == 4)  -- plain
assert(("a.b"):find(".", 1, true) == 2 and ("a+b"):find("+", 1, true) == 2)
assert(("a\0b"):find("\0") == 2 and ("a\0b"):find("%z") == 2)
do
  local a, b, c, d = string.find("hello world", "(o)(r)")
  assert(a == 8 and b == 9 and c == "o" and d == "r")
  a, b, c = string.find("hello", "()ll")
  assert(a == 3 and b == 4 and c == 3)
end

-- match
assert(string.match("hello world", "%w+") == "hello")
assert(string.match("  key = value ", "(%w+)%s*=%s*(%w+)") == "key")
do
  local k, v = string.match("  key = value ", "(%w+)%s*=%s*(%w+)")
  assert(k == "key" and v == "value")
  local p1, w, p2 = string.match("abc", "()(b)()")
  assert(p1 == 2 and w == "b" and p2 == 3)
end
assert(string.match("abc", "b", 3) == nil and string.match("abc", "^b") == nil)
assert(string.match("abc", "^a") == "a" and string.match("abc", "c$") == "c")
assert(string.match("a$c", "a$c") == "a$c")  -- '$' not at the end is literal
assert(string.match("aaa", "^a-$") == "aaa" and string.match("aaa", "a-") == "")
assert(string.match("aaab", "a*") == "aaa" and string.match("baaa", "a*") == "")
assert(string.match("aaab", "a+") == "aaa" and string.match("b", "a+") == nil)
assert(string.match("ab", "a?b") == "ab" and string.match("b", "a?b") == "b")
assert(string.match("xaay", "xa-y") == "xaay" and string.match("xy", "xa*y") == "xy")
assert(string.match(" x", "^%s*(.-)%s*$") == "x")
assert(string.match("2024-01-05", "(%d+)-(%d+)-(%d+)") == "2024")

-- classes and sets
assert(string.match("abc123", "%a+") == "abc" and string.match("abc123", "%d+") == "123")
assert(string.match("ABCdef", "%u+") == "ABC" and string.match("ABCdef", "%l+") == "def")
assert(string.match("a b", "%s") == " " and string.match("ab,c", "%p") == ",")
assert(string.match("\1\2a", "%c+") == "\1\2" and string.match("ff0Z", "%x+") == "ff0")
assert(string.match("a_1 ", "%w+") == "a" and string.match(" ab", "%g+") == "ab")
assert(string.match("123abc", "%D+") == "abc" and string.match("abc ", "%S+") == "abc")
assert(string.match("abc", "[b-c]+") == "bc" and string.match("abc", "[^a]+") == "bc")
assert(string.match("a-b", "[a-]+") == "a-" and string.match("]]x", "[]]+") == "]]")
assert(string.match("^^x", "[%^]+") == "^^" and string.match("x]y", "[^]]+") == "x")
assert(string.match("a.b", "[%.]") == "." and string.match("A1", "[%a%d]+") == "A1")
assert(string.match("%%", "%%+") == "%%" and string.match("a(b)", "%((%w)%)") == "b")
assert(string.match("\195\191", "[\128-\255]+") == "\195\191" and string.match("a\200", "[\200-\255]") == "\200")

-- %b, %f, back-references
assert(string.match("f(a(b)c) d", "%b()") == "(a(b)c)")
assert(string.match("((x)", "%b()") == "(x)" and string.match("(x", "%b()") == nil)
assert(string.gsub("THE (quick) fox", "%f[%a]%a+", "W") == "W (W) W")
assert(string.gsub("aaa aa a", "%f[%w]a", "X") == "Xaa Xa X")
assert(string.find("a", "%f[%z]") == 2 and string.find("a", "%f[a]") == 1)
assert(string.match("hello hello", "(h%w+) %1") == "hello")
assert(string.match("abab", "(ab)%1") == "ab" and string.match("abac", "(ab)%1") == nil)
assert(string.match('say "hi" ok', '(["\'])(.-)%1') == '"')

-- gmatch
do
  local t = {}
  for w in string.gmatch("one two three", "%a+") do t[#t + 1] = w end
  assert(#t == 3 and t[1] == "one" and t[3] == "three")
  t = {}
  for k, v in string.gmatch("a=1, b=2", "(%w+)=(%w+)") do t[k] = v end
  assert(t.a == "1" and t.b == "2")
  local n = 0
  for _ in string.gmatch("abc", "") do n = n + 1 end
  assert(n == 4)  -- empty matches at 1, 2, 3 and 4
  t = {}
  for p in string.gmatch("abc", "()") do t[#t + 1] = p end
  assert(table.concat(t, ",") == "1,2,3,4")
  t = {}
  for w in string.gmatch("a,b,,c", "([^,]*)") do t[#t + 1] = "<" .. w .. ">" end
  assert(table.concat(t) == "<a><b><><c>")
  -- init (5.4+)
  t = {}
  for w in string.gmatch("one two three", "%a+", 5) do t[#t + 1] = w end
  assert(t[1] == "two" and #t == 2)
  t = {}
  for w in string.gmatch("one two", "%a+", -3) do t[#t + 1] = w end
  assert(t[1] == "two" and #t == 1)
  n = 0
  for _ in string.gmatch("11 21 31", "%w*", 10) do n = n + 1 end
  assert(n == 0)
  -- '^' is not an anchor in gmatch
  t = {}
  for w in string.gmatch("^a^b", "^%a") do t[#t + 1] = w end
  assert(#t == 2 and t[2] == "^b")
  -- the iterator keeps working in another coroutine
  local f = string.gmatch("1 2 3 4 5", "%d+")
  assert(f() == "1")
  local co = coroutine.wrap(f)
  assert(co() == "2" and f() == "3")
end

-- gsub with strings
assert(string.gsub("hello world", "o", "0") == "hell0 w0rld")
do
  local s, n = string.gsub("hello world", "o", "0", 1)
  assert(s == "hell0 world" and n == 1)
  s, n = string.gsub("abc", "x", "y")
  assert(s == "abc" and n == 0)
  s, n = string.gsub("abc", "", "-")
  assert(s == "-a-b-c-" and n == 4)
  s, n = string.gsub("abc", ".", "%0%0", 0)
  assert(s == "abc" and n == 0)
  s, n = string.gsub("abc", ".", "x", -1)
  assert(s == "abc" and n == 0)
end
assert(string.gsub("hello world", "(%w+)", "<%1>") == "<hello> <world>")
assert(string.gsub("hello world", "%w+", "%0 %0", 1) == "hello hello world")
assert(string.gsub("abc", "(a)(b)(c)", "%3%2%1") == "cba")
assert(string.gsub("abc", "b", "%%") == "a%c")
assert(string.gsub("abc", "()b", "%1") == "a2c")  -- position capture
assert(string.gsub("abc", "b", 5) == "a5c")       -- number replacement
assert(string.gsub("abc", "^.", "x") == "xbc" and string.gsub("aaa", "^a", "x") == "xaa")
assert(string.gsub("a b c", "%s", "") == "abc")
assert(string.gsub("abc", "%w", "%1") == "abc")   -- %1 is the whole match without captures
assert(string.gsub("", "^", "x") == "x" and string.gsub("a", "$", "x") == "ax")
assert(string.gsub("a\0b", "%z", "0") == "a0b")

-- gsub with tables and functions
assert(string.gsub("$x $y $z", "%$(%w+)", {x = "1", y = 2}) == "1 2 $z")
assert(string.gsub("alo alo", "((.)(.?))", {al = "AA", o = false}) == "AAo AAo")
assert(string.gsub("alo alo", "().", {"x", "yy", "zzz"}) == "xyyzzz alo")
assert(string.gsub("abc", "%w", function(c) return c:upper() end) == "ABC")
assert(string.gsub("abc", "%w", function(c) if c == "b" then return nil end return "." end) == ".b.")
assert(string.gsub("a=1", "(%w)=(%w)", function(k, v) return v .. "=" .. k end) == "1=a")
assert(string.gsub("abc", "b", function() return 42 end) == "a42c")
do
  local s, n = string.gsub("abc", "%w", function() end)
  assert(s == "abc" and n == 3)
  local orig = string.rep("x", 50)
  s = string.gsub(orig, "y", "z")
  assert(s == orig)
end
do  -- recursive nest of gsubs
  local function rev(s)
    return string.gsub(s, "(.)(.+)", function(c, s1) return rev(s1) .. c end)
  end
  assert(rev(rev("abcdef")) == "abcdef" and rev("abc") == "cba")
end

-- gsub errors
checkerror("invalid replacement value (a table)", string.gsub, "alo", ".", {a = {}})
checkerror("invalid replacement value (a boolean)", string.gsub, "alo", ".", function() return true end)
checkerror("invalid capture index %2", string.gsub, "alo", ".", "%2")
checkerror("invalid capture index %0", string.gsub, "alo", "(%0)", "a")
checkerror("invalid capture index %1", string.gsub, "alo", "(%1)", "a")
checkerror("invalid use of '%' in replacement string", string.gsub, "alo", ".", "%x")
checkerror("invalid use of '%' in replacement string", string.gsub, "alo", ".", "x%")
checkerror("bad argument #3 to 'string.gsub' (string/function/table expected, got no value)",
           string.gsub, "alo", ".")
checkerror("bad argument #3 to 'string.gsub' (string/function/table expected, got boolean)",
           string.gsub, "alo", ".", true)
checkerror("bad argument #4 to 'string.gsub' (number expected, got string)", string.gsub, "a", ".", "", "x")

-- pattern errors
checkerror("malformed pattern (ends with '%')", string.find, "a", "%")
checkerror("malformed pattern (ends with '%')", string.match, "a", "a%")
checkerror("malformed pattern (missing ']')", string.find, "a", "[a")
checkerror("malformed pattern (missing ']')", string.find, "a", "[]")
checkerror("malformed pattern (missing ']')", string.find, "a", "[a%]")
checkerror("malformed pattern (missing arguments to '%b')", string.find, "a", "%b")
checkerror("malformed pattern (missing arguments to '%b')", string.find, "a", "%bx")
checkerror("missing '[' after '%f' in pattern", string.find, "a", "%f")
checkerror("missing '[' after '%f' in pattern", string.find, "a", "%fa")
checkerror("invalid pattern capture", string.match, "a", "a)")
checkerror("invalid pattern capture", string.match, "a", "(a))")
checkerror("unfinished capture", string.find, "a", "(a")
checkerror("unfinished capture", string.gsub, "alo", "(.", print)
checkerror("invalid capture index %1", string.find, "a", "%1")
checkerror("invalid capture index %2", string.find, "aa", "(a)%2")
checkerror("invalid capture index %1", string.find, "aa", "(a%1)")
checkerror("too many captures", string.find, "a", string.rep("()", 33))
assert(select("#", string.find("a", string.rep("()", 32))) == 34)
checkerror("pattern too complex", string.match, string.rep("a", 300), string.rep("a?", 300))
checkerror("pattern too complex", string.find, string.rep("a", 250), string.rep("(", 20) .. string.rep("a-", 200))
checkerror("bad argument #2 to 'string.find' (string expected, got no value)", string.find, "a")
do  -- an iterator that failed with "too complex" works afterwards
  local iter = string.gmatch(string.rep("a", 1000), string.rep("a?", 1000))
  assert(not pcall(iter))
  assert(not pcall(iter))
end
-- 199 nested items are fine
assert(string.match(string.rep("a", 199), string.rep("a?", 199)) == string.rep("a", 199))

-- big subjects do not exhaust the C++ stack
do
  local a = string.rep("a", 300000)
  assert(string.find(a, "^a*.?$") and not string.find(a, "^a*.?b$"))
  assert(string.find(a, "^a-.?$"))
  assert(#string.gsub(a, "a", "bb") == 600000)
  assert(string.match(a .. "(" .. a .. ")", "%b()") == "(" .. a .. ")")
end

-- locale-independent behaviour of %a etc. for ASCII
assert(string.gsub("Hello, World! 123", "%A", "") == "HelloWorld")
assert(string.gsub("x\tY\n", "%C", "") == "\t\n")

return "OK"
