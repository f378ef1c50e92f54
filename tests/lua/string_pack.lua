-- string.pack, string.packsize, string.unpack (manual §6.4.2) on a 64-bit
-- little- or big-endian machine with 8-byte long and size_t.

local pack, packsize, unpack = string.pack, string.packsize, string.unpack
local maxi, mini = math.maxinteger, math.mininteger

local function checkerror(msg, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error: " .. msg)
  assert(string.find(err, msg, 1, true), "got: " .. tostring(err) .. " expected: " .. msg)
end

local little = pack("i2", 1) == "\1\0"

-- sizes of the fixed options
assert(packsize("b") == 1 and packsize("B") == 1 and packsize("h") == 2 and packsize("H") == 2)
assert(packsize("i") == 4 and packsize("I") == 4 and packsize("l") == 8 and packsize("L") == 8)
assert(packsize("j") == 8 and packsize("J") == 8 and packsize("T") == 8)
assert(packsize("f") == 4 and packsize("d") == 8 and packsize("n") == 8)
assert(packsize("i1i2i3i7i16") == 29 and packsize("c10") == 10 and packsize("x") == 1)
assert(packsize("") == 0 and packsize("   ") == 0 and packsize("<>=!") == 0)
assert(packsize("!xXi16") == 16)  -- native maximum alignment (long double)

-- integers of every size, both endiannesses
for i = 1, 16 do
  local s = string.rep("\xff", i)
  assert(pack("i" .. i, -1) == s and unpack("i" .. i, s) == -1)
  s = "\xAA" .. string.rep("\0", i - 1)
  assert(pack("<I" .. i, 0xAA) == s and unpack("<I" .. i, s) == 0xAA)
  assert(pack(">I" .. i, 0xAA) == s:reverse() and unpack(">I" .. i, s:reverse()) == 0xAA)
end
assert(pack("<i4", 0x01020304) == "\4\3\2\1" and pack(">i4", 0x01020304) == "\1\2\3\4")
assert(pack(">i2 <i2", 10, 20) == "\0\10\20\0" and pack("=i4", 2001) == pack("i4", 2001))
assert(pack("b", -128) == "\x80" and pack("B", 255) == "\xff" and unpack("b", "\x80") == -128)
assert(pack("<h", -2) == "\xfe\xff" and unpack("<H", "\xfe\xff") == 0xfffe)
assert(pack("<j", mini) == "\0\0\0\0\0\0\0\x80" and unpack("<j", pack("<j", maxi)) == maxi)
assert(pack("<J", -1) == string.rep("\xff", 8) and unpack("<J", string.rep("\xff", 8)) == -1)
assert(unpack("<i16", pack("<i16", mini)) == mini and unpack(">i16", pack(">i16", maxi)) == maxi)
assert(pack("<i9", -2) == "\xfe" .. string.rep("\xff", 8) and pack("<I9", 2) == "\2" .. string.rep("\0", 8))
assert(unpack("<i3", "\xf0\xff\xff") == -16 and unpack("<I3", "\xf0\xff\xff") == 0xfffff0)
assert(pack("i", 3.0) == pack("i", 3))
checkerror("bad argument #2 to 'string.pack' (integer overflow)", pack, "i1", 128)
checkerror("bad argument #2 to 'string.pack' (integer overflow)", pack, "i1", -129)
checkerror("bad argument #3 to 'string.pack' (unsigned overflow)", pack, "i1I1", 0, 256)
checkerror("bad argument #2 to 'string.pack' (unsigned overflow)", pack, "I2", -1)
checkerror("bad argument #2 to 'string.pack' (number has no integer representation)", pack, "i", 1.5)
checkerror("bad argument #2 to 'string.pack' (number expected, got nil)", pack, "i")
checkerror("9-byte integer does not fit into Lua Integer", unpack, "<I9", string.rep("\0", 8) .. "\1")
checkerror("16-byte integer does not fit into Lua Integer", unpack, "i16", string.rep("\3", 16))
assert(unpack("<i9", pack("<j", -5) .. "\xff") == -5)
checkerror("9-byte integer does not fit", unpack, "<i9", pack("<j", -5) .. "\0")

-- floats
for _, n in ipairs{0.0, -0.0, 1.5, -math.pi, 1e300, math.huge, -math.huge, 2^-1074} do
  assert(unpack("d", pack("d", n)) == n and unpack("n", pack("n", n)) == n)
  assert(unpack("<d", pack("<d", n)) == n and unpack(">n", pack(">n", n)) == n)
end
assert(unpack("f", pack("f", 1.5)) == 1.5 and unpack(">f", pack(">f", -0.25)) == -0.25)
assert(unpack("f", pack("f", 0.1)) ~= 0.1)  -- float precision
assert(pack("<d", 1.0) == "\0\0\0\0\0\0\xf0\x3f" and pack(">f", 1.0) == "\x3f\x80\0\0")
do local x = unpack("d", pack("d", 0/0)); assert(x ~= x) end
assert(math.type(unpack("d", pack("d", 3))) == "float")
checkerror("bad argument #2 to 'string.pack' (number expected, got string)", pack, "d", "x")

-- strings: fixed size, counted, zero-terminated
assert(pack("c5", "ab") == "ab\0\0\0" and unpack("c2", "abc") == "ab" and pack("c0", "") == "")
assert(pack("z", "hi") == "hi\0" and unpack("z", "hi\0rest") == "hi")
assert(pack("<s1", "abc") == "\3abc" and pack(">s2", "abc") == "\0\3abc" and pack("<s", "a") == "\1" .. string.rep("\0", 7) .. "a")
assert(unpack("<s1", "\3abcd") == "abc" and unpack("s", pack("s", "")) == "")
assert(pack("s16", "x"):len() == 17)
do
  local a, b, c, nxt = unpack("z c3 s1", "ab\0xyz\2hi!")
  assert(a == "ab" and b == "xyz" and c == "hi" and nxt == 10)
end
checkerror("bad argument #2 to 'string.pack' (string longer than given size)", pack, "c2", "abc")
checkerror("bad argument #2 to 'string.pack' (string length does not fit in given size)", pack, "s1", string.rep("x", 256))
checkerror("bad argument #2 to 'string.pack' (string contains zeros)", pack, "z", "a\0b")
checkerror("bad argument #2 to 'string.unpack' (unfinished string for format 'z')", unpack, "z", "abc")
checkerror("bad argument #2 to 'string.unpack' (data string too short)", unpack, "s1", "\5abc")
checkerror("bad argument #2 to 'string.unpack' (data string too short)", unpack, "c4", "abc")
checkerror("bad argument #2 to 'string.unpack' (data string too short)", unpack, "i4", "abc")
checkerror("missing size for format option 'c'", pack, "c", "")
checkerror("bad argument #1 to 'string.packsize' (variable-length format)", packsize, "s")
checkerror("bad argument #1 to 'string.packsize' (variable-length format)", packsize, "z")

-- padding and alignment
assert(pack("bxb", 1, 2) == "\1\0\2" and packsize("bxxb") == 4)
assert(pack("!4 b i4", 1, 2) == (little and "\1\0\0\0\2\0\0\0" or "\1\0\0\0\0\0\0\2"))
assert(packsize("!8 b d") == 16 and packsize("!2 b d") == 10 and packsize("b d") == 9)
assert(packsize("!4 b Xi4") == 4 and packsize("!4 b Xh b") == 3 and packsize("! b j") == 16)
assert(packsize("!8 c3 i8") == 16 and packsize("!8 b c3") == 4)  -- 'c' needs no alignment
assert(pack("!4 b Xi4 b", 1, 2) == "\1\0\0\0\2")
do
  local x, y, nxt = unpack("!4 b i4", pack("!4 b i4", 7, -9))
  assert(x == 7 and y == -9 and nxt == 9)
  -- alignment is relative to the start of the data, not to the initial position
  local a, b = unpack("!4 i4", "xx\0\0\5\0\0\0", 3)
  assert(a == (little and 5 or 5 << 24) and b == 9)
end
checkerror("bad argument #1 to 'string.pack' (format asks for alignment not power of 2)", pack, "!4i3", 0)
checkerror("bad argument #1 to 'string.packsize' (invalid next option for option 'X')", packsize, "X")
checkerror("invalid next option for option 'X'", packsize, "Xc1")
checkerror("invalid next option for option 'X'", packsize, "X!")
assert(packsize("Xx") == 0 and packsize("!8 b Xd") == 8)  -- 'X' consumes the option after it

-- format errors
checkerror("integral size (0) out of limits [1,16]", pack, "i0", 0)
checkerror("integral size (17) out of limits [1,16]", pack, "i17", 0)
checkerror("integral size (17) out of limits [1,16]", pack, "!17", 0)
checkerror("(17) out of limits [1,16]", pack, "Xi17")
checkerror("invalid format option 'r'", pack, "i3r", 0)
checkerror("invalid format option '0'", packsize, "c1" .. string.rep("0", 40))
checkerror("bad argument #1 to 'string.pack' (string expected, got no value)", pack)

-- huge sizes (5.5: size_t counts up to maxinteger - 9)
assert(packsize("c3000000000") == 3000000000)
assert(packsize(string.format("c%d", maxi - 9)) == maxi - 9)
checkerror("bad argument #1 to 'string.packsize' (format result too large)", packsize, string.format("c%dc10", maxi - 9))
checkerror("result too long", pack, string.format("xxxxxxxxxx c%d", maxi - 9))

-- unpack: positions
do
  local s = pack("i4i4i4", 1, 2, 3)
  local a, nxt = unpack("i4", s, 5)
  assert(a == 2 and nxt == 9)
  a, nxt = unpack("i4", s, -4)
  assert(a == 3 and nxt == 13)
  assert(unpack("", s, 13) == 13 and unpack("", "") == 1 and unpack("", s, mini) == 1)
  assert(select("#", unpack("i4i4i4", s)) == 4)
  checkerror("bad argument #3 to 'string.unpack' (initial position out of string)", unpack, "i4", s, 14)
  checkerror("bad argument #3 to 'string.unpack' (initial position out of string)", unpack, "", "", maxi)
  checkerror("bad argument #2 to 'string.unpack' (data string too short)", unpack, "i4", s, 12)
end

-- round trip of a record
do
  local fmt = "<!8 i2 d s1 z B j"
  local s = pack(fmt, -3, 2.5, "name", "zed", 200, maxi)
  local a, b, c, d, e, f, nxt = unpack(fmt, s)
  assert(a == -3 and b == 2.5 and c == "name" and d == "zed" and e == 200 and f == maxi and nxt == #s + 1)
end

return "OK"
