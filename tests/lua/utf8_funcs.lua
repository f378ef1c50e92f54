-- utf8 library (manual §6.5): char, charpattern, codes, codepoint, len,
-- offset (5.5: two results), strict and lax modes, PUC 5.5 messages.

local maxi, mini = math.maxinteger, math.mininteger

local function checkerror(msg, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error: " .. msg)
  assert(string.find(err, msg, 1, true), "got: " .. tostring(err) .. " expected: " .. msg)
end

-- char
assert(utf8.char() == "" and utf8.char(72, 105) == "Hi")
assert(utf8.char(0) == "\0" and utf8.char(0x7F) == "\x7F" and utf8.char(0x80) == "\xC2\x80")
assert(utf8.char(0x7FF) == "\xDF\xBF" and utf8.char(0x800) == "\xE0\xA0\x80")
assert(utf8.char(0xFFFF) == "\xEF\xBF\xBF" and utf8.char(0x10000) == "\xF0\x90\x80\x80")
assert(utf8.char(0x10FFFF) == "\xF4\x8F\xBF\xBF" and utf8.char(228, 8364) == "ä€")
assert(utf8.char(0x110000) == "\xF4\x90\x80\x80" and utf8.char(0x1FFFFF) == "\xF7\xBF\xBF\xBF")
assert(utf8.char(0x200000) == "\xF8\x88\x80\x80\x80" and utf8.char(0x3FFFFFF) == "\xFB\xBF\xBF\xBF\xBF")
assert(utf8.char(0x4000000) == "\xFC\x84\x80\x80\x80\x80" and utf8.char(0x7FFFFFFF) == "\xFD\xBF\xBF\xBF\xBF\xBF")
assert(utf8.char(0xD800) == "\xED\xA0\x80")  -- surrogates can be written
assert(utf8.char(65.0) == "A")
checkerror("bad argument #1 to 'utf8.char' (value out of range)", utf8.char, 0x80000000)
checkerror("bad argument #2 to 'utf8.char' (value out of range)", utf8.char, 1, -1)
checkerror("bad argument #1 to 'utf8.char' (number expected, got string)", utf8.char, "x")

-- charpattern
assert(utf8.charpattern == "[\0-\x7F\xC2-\xFD][\x80-\xBF]*")
do
  local t = {}
  for c in string.gmatch("aä€𐍈", utf8.charpattern) do t[#t + 1] = #c end
  assert(table.concat(t, ",") == "1,2,3,4")
end

-- codepoint
assert(utf8.codepoint("A") == 65 and utf8.codepoint("ä") == 228)
do
  local a, b, c = utf8.codepoint("aä€", 1, -1)
  assert(a == 97 and b == 228 and c == 8364)
  assert(select("#", utf8.codepoint("abc", 3, 2)) == 0)
  assert(select("#", utf8.codepoint("aä€", 2, 4)) == 2)  -- characters that start in [2, 4]
  assert(utf8.codepoint("aä€", -3) == 8364)
  assert(utf8.codepoint("\u{7FFFFFFF}", 1, 1, true) == 0x7FFFFFFF)
  assert(utf8.codepoint("\u{D800}", 1, 1, true) == 0xD800)
end
checkerror("bad argument #2 to 'utf8.codepoint' (out of bounds)", utf8.codepoint, "abc", 0)
checkerror("bad argument #3 to 'utf8.codepoint' (out of bounds)", utf8.codepoint, "abc", 1, 4)
checkerror("bad argument #2 to 'utf8.codepoint' (out of bounds)", utf8.codepoint, "abc", mini)
checkerror("invalid UTF-8 code", utf8.codepoint, "\xff")
checkerror("invalid UTF-8 code", utf8.codepoint, "\u{D800}")           -- surrogate (strict)
checkerror("invalid UTF-8 code", utf8.codepoint, "\u{110000}")         -- too large (strict)
checkerror("invalid UTF-8 code", utf8.codepoint, "\xC0\x80", 1, 1, true)  -- overlong, even lax
checkerror("invalid UTF-8 code", utf8.codepoint, "\xE4\xB8", 1, 1)      -- truncated
checkerror("invalid UTF-8 code", utf8.codepoint, "\x80")                -- lone continuation

-- len
assert(utf8.len("") == 0 and utf8.len("abc") == 3 and utf8.len("aä€𐍈") == 4)
assert(utf8.len("aä€", 2) == 2)
assert(select(2, utf8.len("aä€", 3)) == 3)  -- starting inside a character: invalid there
assert(utf8.len("aä€", 1, 1) == 1 and utf8.len("aä€", -3) == 1 and utf8.len("abc", 4) == 0)
assert(utf8.len("abc", 1, 0) == 0 and utf8.len("abc", 3, 1) == 0)
do
  local n, pos = utf8.len("ab\xffcd")
  assert(n == nil and pos == 3)
  n, pos = utf8.len("\u{D800}x")
  assert(n == nil and pos == 1)
  assert(utf8.len("\u{D800}x", 1, -1, true) == 2 and utf8.len("\u{7FFFFFFF}", 1, -1, true) == 1)
  n, pos = utf8.len("a\xC1\x81")  -- overlong
  assert(n == nil and pos == 2)
end
checkerror("bad argument #2 to 'utf8.len' (initial position out of bounds)", utf8.len, "abc", 5)
checkerror("bad argument #2 to 'utf8.len' (initial position out of bounds)", utf8.len, "abc", 0)
checkerror("bad argument #3 to 'utf8.len' (final position out of bounds)", utf8.len, "abc", 1, 4)
checkerror("bad argument #1 to 'utf8.len' (string expected, got no value)", utf8.len)

-- offset: start and end of the n-th character
do
  local function off(...) return table.concat({utf8.offset(...)}, ",") end
  assert(off("aé", 2) == "2,3" and off("aé", 1) == "1,1" and off("aé", 3) == "4,4")
  assert(off("aé", 4) == "" or off("aé", 4) == "nil")
  assert(utf8.offset("aé", 4) == nil)
  assert(off("a€b", -1) == "5,5" and off("a€b", -2) == "2,4" and off("a€b", -3) == "1,1")
  assert(utf8.offset("a€b", -4) == nil)
  assert(off("a€b", 0, 3) == "2,4" and off("a€b", 0, 2) == "2,4" and off("a€b", 0, 5) == "5,5")
  assert(off("a€b", 1, 2) == "2,4" and off("a€b", 2, 2) == "5,5" and off("a€b", -1, 5) == "2,4")
  assert(off("", 1) == "1,1" and off("", 0) == "1,1" and off("abc", 0, 4) == "4,4")
  assert(off("€", 0, -1) == "1,3")
end
checkerror("initial position is a continuation byte", utf8.offset, "a€b", 1, 3)
checkerror("initial position is a continuation byte", utf8.offset, "\x80", 1)
checkerror("initial position is a continuation byte", utf8.offset, "\x80\x80", 0, 2)
checkerror("bad argument #3 to 'utf8.offset' (position out of bounds)", utf8.offset, "abc", 1, 5)
checkerror("bad argument #3 to 'utf8.offset' (position out of bounds)", utf8.offset, "abc", 1, 0)
checkerror("bad argument #2 to 'utf8.offset' (number expected, got no value)", utf8.offset, "abc")

-- codes
do
  local t = {}
  for p, c in utf8.codes("aä€𐍈") do t[#t + 1] = p .. ":" .. c end
  assert(table.concat(t, " ") == "1:97 2:228 4:8364 7:66376")
  t = {}
  for p, c in utf8.codes("") do t[#t + 1] = p end
  assert(#t == 0)
  for p, c in utf8.codes("\u{D800}\u{7FFFFFFF}", true) do t[#t + 1] = c end
  assert(t[1] == 0xD800 and t[2] == 0x7FFFFFFF)
  local f, s, i = utf8.codes("abc")
  assert(type(f) == "function" and s == "abc" and i == 0)
  assert(select("#", f("abc", 3)) == 0 and f("abc", -1) == nil)
end
local function iterate(s, lax) for _ in utf8.codes(s, lax) do end end
checkerror("invalid UTF-8 code", iterate, "ab\xff")
checkerror("invalid UTF-8 code", iterate, "a\u{D800}")
checkerror("invalid UTF-8 code", iterate, "\xE4\xB8x")
checkerror("invalid UTF-8 code", iterate, "a\x80", true)   -- a continuation byte on its own
checkerror("invalid UTF-8 code", iterate, "\xC3\xA4\x80")  -- extra continuation byte
checkerror("bad argument #1 to 'utf8.codes' (invalid UTF-8 code)", utf8.codes, "\x80")
checkerror("bad argument #1 to 'utf8.codes' (string expected, got nil)", utf8.codes, nil)

-- round trips over many code points
for _, c in ipairs{0, 1, 0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x10FFFF} do
  local s = utf8.char(c)
  assert(utf8.codepoint(s) == c and utf8.len(s) == 1 and #s == select(2, utf8.offset(s, 1)))
end

return "OK"
