-- string.format: every conversion of 5.5, flags, %q round trips, and the
-- errors for what Lua does not accept.

local maxi, mini = math.maxinteger, math.mininteger
local fmt = string.format

local function checkerror(msg, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error: " .. msg)
  assert(string.find(err, msg, 1, true), "got: " .. tostring(err) .. " expected: " .. msg)
end

-- plain text, %% and embedded zeros
assert(fmt("") == "" and fmt("abc") == "abc" and fmt("%%") == "%" and fmt("a%%b%%") == "a%b%")
assert(fmt("\0%s\0", "\0\0\1") == "\0\0\0\1\0")
assert(fmt("%s\0 is not \0%s", "not be", "be") == "not be\0 is not \0be")

-- integers: d i u o x X c
assert(fmt("%d", 42) == "42" and fmt("%i", -42) == "-42" and fmt("%d", 3.0) == "3")
assert(fmt("%5d|%-5d|%05d", 42, 42, 42) == "   42|42   |00042")
assert(fmt("%+d % d %+d", 5, 5, -5) == "+5  5 -5")
assert(fmt("%.3d", 7) == "007" and fmt("%2.5d", -100) == "-00100" and fmt("%.u", 0) == "")
assert(fmt("%013i", -100) == "-000000000100")
assert(fmt("%+08d", 31501) == "+0031501" and fmt("%+08d", -30927) == "-0030927")
assert(fmt("%d", maxi) == "9223372036854775807" and fmt("%d", mini) == "-9223372036854775808")
assert(fmt("%u", -1) == "18446744073709551615" and fmt("%u", 0xffffffff) == "4294967295")
assert(fmt("%x", 255) == "ff" and fmt("%X", 255) == "FF" and fmt("%#x", 255) == "0xff")
assert(fmt("%#10x", 100) == "      0x64" and fmt("%#-17X", 100) == "0X64             ")
assert(fmt("%x", mini) == "8000000000000000" and fmt("%x", -1) == "ffffffffffffffff")
assert(fmt("%08X", 0xFFFFFFFF) == "FFFFFFFF" and fmt("%x", 0.0) == "0" and fmt("%02x", 0.0) == "00")
assert(fmt("%o", 8) == "10" and fmt("%#o", 8) == "010" and fmt("%#12o", 10) == "         012")
assert(fmt("%o", 0xABCD) == "125715")
assert(fmt("%d", 2^53) == "9007199254740992" and fmt("%i", -2^53) == "-9007199254740992")
assert(fmt("%c", 65) == "A" and fmt("%c%c", 0, 255) == "\0\255")
assert(fmt("%-16c", 97) == "a               " and fmt("%3c", 97) == "  a")
assert(fmt("%1c%-c%-1c%c", 34, 48, 90, 100) == '"0Zd')
assert(fmt("%d", "10") == "10")  -- numeral strings are converted
checkerror("bad argument #2 to 'string.format' (number has no integer representation)", fmt, "%d", 1.5)
checkerror("bad argument #2 to 'string.format' (number expected, got string)", fmt, "%d", "x")
checkerror("bad argument #2 to 'string.format' (number expected, got nil)", fmt, "%x", nil)

-- floats: f e E g G a A
assert(fmt("%f", 1.5) == "1.500000" and fmt("%.2f", 2.5) == "2.50" and fmt("%.0f", 0.5) == "0")
assert(fmt("%5.1f", 2.25) == "  2.2" and fmt("%-8.3f|", 1) == "1.000   |")
assert(fmt("%+#014.0f", 100) == "+000000000100." and fmt("% f", 1) == " 1.000000")
assert(fmt("%e", 1234.5) == "1.234500e+03" and fmt("%.3E", 1234.5) == "1.234E+03")
assert(fmt("%+.3e", 1234.5) == "+1.234e+03")
assert(fmt("%g", 0.1) == "0.1" and fmt("%g", 1e20) == "1e+20" and fmt("%G", 1e-20) == "1E-20")
assert(fmt("%+.3G", 1.5) == "+1.5" and fmt("%#g", 1) == "1.00000" and fmt("%.14g", 2^53) == "9.007199254741e+15")
assert(fmt("%g", 3) == "3" and fmt("%f", "0.5") == "0.500000")
assert(string.match(fmt("% 1.0E", 100), "^ 1E%+0+2$") and string.match(fmt("% .1g", 2^10), "^ 1e%+0+3$"))
assert(tonumber(fmt("%f", 10.3)) == 10.3)
assert(fmt("%a", 1) == "0x1p+0" and fmt("%A", 0.5) == "0X1P-1" and fmt("%a", 0.1) == "0x1.999999999999ap-4")
assert(fmt("%.3a", 1/3) == "0x1.555p-2" and fmt("%+.2A", 12) == "+0X1.80P+3")
assert(fmt("%a", -0.0) == "-0x0p+0" and fmt("%a", 1/0) == "inf" and fmt("%A", -1/0) == "-INF")
for _, n in ipairs{0.1, -0.1, 1/3, 1e30, -45/247, 3e-20, 2^-1074, 1.7976931348623157e308} do
  assert(tonumber(fmt("%a", n)) == n and tonumber(fmt("%A", n)) == n)
end
assert(fmt("%f", 1/0) == "inf" and fmt("%5.1f", -1/0) == " -inf" and string.find(fmt("%f", 0/0), "nan"))
do  -- the widest %f result
  local s = fmt("%.99f", -1.7976931348623157e308)
  assert(#s == 309 + 1 + 1 + 99 and tonumber(s) == -1.7976931348623157e308)
  s = fmt("%99.99f", -1e38)
  assert(#s >= 38 + 101 and tonumber(s) == -1e38)
end
checkerror("bad argument #2 to 'string.format' (number expected, got string)", fmt, "%f", "x")
checkerror("bad argument #2 to 'string.format' (number expected, got table)", fmt, "%a", {})

-- %s uses tostring's rules, __tostring and __name
assert(fmt("%s %s", nil, true) == "nil true" and fmt("%s", 1) == "1" and fmt("%s", 1.0) == "1.0")
assert(fmt("%s %.4s", false, true) == "false true" and fmt("%.3s %.3s", false, true) == "fal tru")
assert(fmt("%5s|%-5s|%.2s", "ab", "ab", "abc") == "   ab|ab   |ab")
assert(fmt("%.0s", "alo") == "" and fmt("%.s", "alo") == "")
assert(fmt('"%-50s"', "a") == '"a' .. string.rep(" ", 49) .. '"')
assert(fmt("-%.20s.20s", string.rep("%", 2000)) == "-" .. string.rep("%", 20) .. ".20s")
assert(fmt("%5s", string.rep("x", 200)) == string.rep("x", 200))  -- long strings are kept whole
assert(fmt("%s", "a\0b") == "a\0b")
do
  local m = setmetatable({}, {__tostring = function() return "hello" end, __name = "hi"})
  assert(fmt("%s %.10s", m, m) == "hello hello")
  getmetatable(m).__tostring = nil
  assert(fmt("%.4s", m) == "hi: ")
  getmetatable(m).__tostring = function() return {} end
  checkerror("'__tostring' must return a string", fmt, "%s", m)
  assert(string.find(fmt("%s", {}), "^table: "))
end
checkerror("bad argument #2 to 'string.format' (string contains zeros)", fmt, "%10s", "\0")

-- %p
do
  local null = "(null)"
  assert(fmt("%p", 4) == null and fmt("%p", true) == null and fmt("%p", nil) == null)
  local t = {}
  assert(fmt("%p", t) ~= null and fmt("%p", t) == fmt("%p", t) and fmt("%p", t) ~= fmt("%p", {}))
  assert(fmt("%p", print) == fmt("%p", print) and fmt("%p", print) ~= fmt("%p", assert))
  assert(#fmt("%90p", t) == 90 and #fmt("%-60p", t) == 60)
  assert(fmt("%10p", false) == string.rep(" ", 10 - #null) .. null)
  assert(fmt("%-12p", 1.5) == null .. string.rep(" ", 12 - #null))
  local s1, s2 = string.rep("a", 10), string.rep("aa", 5)
  assert(fmt("%p", s1) == fmt("%p", s2))  -- short strings are interned
  s1, s2 = string.rep("a", 300), string.rep("a", 300)
  assert(fmt("%p", s1) ~= fmt("%p", s2))  -- long ones are not
end

-- %q: a literal that reads back as the same value
do
  local function checkQ(v)
    local s = fmt("%q", v)
    local nv = load("return " .. s)()
    assert(v == nv and math.type(v) == math.type(nv), s)
  end
  for _, v in ipairs{"\0\0\1\255\u{234}", "a\nb", 'q"\\', "\r\t\0011", maxi, mini, 0, -7,
                     math.pi, 0.1, -0.5, 1.0, 2^63, 1e300, math.huge, -math.huge, true, false} do
    checkQ(v)
  end
  checkQ(nil)
  assert(fmt("%q", "\0") == [["\0"]] and fmt("%q", "\0001") == [["\0001"]])
  assert(fmt("%q", '"a"\n\\') == '"\\"a\\"\\\n\\\\"')
  assert(fmt("%q", "\r\1\127") == [["\13\1\127"]] and fmt("%q", "\2009") == '"\2009"')
  assert(fmt("%q", 1.0) == "0x1p+0" and fmt("%q", 0.5) == "0x1p-1" and fmt("%q", -0.0) == "-0x0p+0")
  assert(fmt("%q", mini) == "0x8000000000000000" and fmt("%q", 255) == "255")
  assert(fmt("%q", 1/0) == "1e9999" and fmt("%q", -1/0) == "-1e9999" and fmt("%q", 0/0) == "(0/0)")
  assert(fmt("%q %q %q", nil, true, false) == "nil true false")
  checkerror("bad argument #2 to 'string.format' (value has no literal form)", fmt, "%q", {})
  checkerror("bad argument #2 to 'string.format' (value has no literal form)", fmt, "%q", print)
  checkerror("specifier '%q' cannot have modifiers", fmt, "%10q", "x")
  checkerror("specifier '%q' cannot have modifiers", fmt, "%-q", "x")
  local x = '"\225lo"\n\\'
  assert(load(fmt("return %q", x))() == x)
end

-- errors in the specification
local function check(f, msg) checkerror(msg, fmt, f, 10) end
local aux = string.rep("0", 600)
check("%100.3d", "invalid conversion specification: '%100.3d'")
check("%1" .. aux .. ".3d", "invalid format (too long)")
check("%1.100d", "invalid conversion specification: '%1.100d'")
check("%10.1" .. aux .. "004d", "invalid format (too long)")
check("%" .. aux .. "d", "invalid format (too long)")
check("%t", "invalid conversion '%t' to 'format'")
check("%F", "invalid conversion '%F' to 'format'")
check("%ld", "invalid conversion '%l' to 'format'")
check("%", "invalid conversion '%' to 'format'")
check("%-", "invalid conversion '%-' to 'format'")
check("%010c", "invalid conversion specification: '%010c'")
check("%.10c", "invalid conversion specification: '%.10c'")
check("%0.34s", "invalid conversion specification: '%0.34s'")
check("%#i", "invalid conversion specification: '%#i'")
check("%+u", "invalid conversion specification: '%+u'")
check("%+x", "invalid conversion specification: '%+x'")
check("%3.1p", "invalid conversion specification: '%3.1p'")
check("%0.s", "invalid conversion specification: '%0.s'")
check("%#c", "invalid conversion specification: '%#c'")
check("%d %d", "bad argument #3 to 'string.format' (no value)")
checkerror("bad argument #2 to 'string.format' (no value)", fmt, "%d")
checkerror("bad argument #2 to 'string.format' (no value)", fmt, "%")
checkerror("bad argument #1 to 'string.format' (string expected, got no value)", fmt)
assert(fmt("%5.2s|%-5.2f|%05.1f", "abc", 1, 2) == "   ab|1.00 |002.0")
assert(fmt("%99d", 1) == string.rep(" ", 98) .. "1" and #fmt("%99.99f", 1) == 101)

-- integer and fixed-point conversions written without snprintf (checked against PUC 5.5)
do
  local f = string.format
  assert(f("[%d][%3d][%-3d][%03d]", 7, 7, 7, 7) == "[7][  7][7  ][007]")
  assert(f("[%05d][%-05d][%1d]", -7, -7, -123) == "[-0007][-7   ][-123]")
  assert(f("%d %i", math.mininteger, math.maxinteger) == "-9223372036854775808 9223372036854775807")
  assert(f("%020d", math.mininteger) == "-9223372036854775808")
  assert(f("%021d", math.mininteger) == "-09223372036854775808")
  assert(f("%d", 5.0) == "5" and not pcall(f, "%d", 5.5))
  assert(#f("%99d", 1) == 99 and f("%099d", 1):sub(-2) == "01")
  assert(f("%+05d|% d|%.3d|%5.3d", 7, 7, 7, 7) == "+0007| 7|007|  007")
  assert(f("%.0f %.0f %.0f %.1f", 0.5, 1.5, 2.5, 0.05) == "0 2 2 0.1")
  assert(f("%.2f %.3f %.10f", 1/3, -0.0, 1e-7) == "0.33 -0.000 0.0000001000")
  assert(f("%.2f", "1.5") == "1.50" and f("%.2f", 3) == "3.00")
  assert(f("%.3f %.3f", 1/0, -1/0) == "inf -inf")
  assert(#f("%.99f", 1e308) == 309 + 1 + 99)
end

return "OK"
