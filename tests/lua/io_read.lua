-- io read formats: "n", "l", "L", "a", counts, several formats, lines()

local function check_error(msg, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error: " .. msg)
  assert(string.find(err, msg, 1, true), "got: " .. tostring(err))
end

local name = os.tmpname()
local function write_file(s)
  local f = assert(io.open(name, "wb"))
  assert(f:write(s) == f)
  assert(f:close() == true)
end
local function open_read(s)
  write_file(s)
  return assert(io.open(name, "rb"))
end

-- lines with and without end of line
local f = open_read("first\nsecond\r\n\nlast")
assert(f:read() == "first")
assert(f:read("L") == "second\r\n")
assert(f:read("l") == "")
assert(f:read("l") == "last")
assert(f:read("l") == nil and f:read("L") == nil and f:read() == nil)
assert(f:read("a") == "" and f:read("a") == "")
assert(f:read(0) == nil and f:read(1) == nil)
f:close()

-- old-style formats with '*'
f = open_read("x\ny\nrest")
assert(f:read("*l") == "x" and f:read("*L") == "y\n" and f:read("*a") == "rest")
f:close()

-- counts
f = open_read("0123456789")
assert(f:read(0) == "")
assert(f:read(3) == "012")
assert(f:read(1.0) == "3")
assert(f:read(100) == "456789")
assert(f:read(0) == nil and f:read(5) == nil)
f:close()

-- several formats in one call; a failure gives nil and stops there
f = open_read("10 20\nline\nend")
local a, b, c, d, e = f:read("n", "n", "l", "l", "l")
assert(a == 10 and b == 20 and c == "" and d == "line" and e == "end")
assert(select("#", f:read("l", "l")) == 1)   -- stops at the first failure
f:close()

-- numbers
f = open_read([[
  0x10   -12.5e1 .5 0x.8p1 1e  +7 -0x -  9223372036854775807 9223372036854775808
  0X1P4 00012 1.5E+3 inf nan 4.
]])
assert(f:read("n") == 16 and math.type(16) == "integer")
assert(f:read("n") == -125.0)
assert(f:read("n") == 0.5)
assert(f:read("n") == 1.0)
assert(f:read("n") == nil)           -- "1e" is not a numeral (it is consumed)
assert(f:read("n") == 7)
assert(f:read("n") == nil)           -- "-0x"
assert(f:read("n") == nil)           -- "-"
local big = f:read("n")
assert(big == math.maxinteger and math.type(big) == "integer")
local fl = f:read("n")
assert(fl == 2^63 and math.type(fl) == "float")
assert(f:read("n") == 16.0)
local twelve = f:read("n")
assert(twelve == 12 and math.type(twelve) == "integer")
assert(f:read("n") == 1500.0)
assert(f:read("n") == nil)           -- "inf" is not read as a number
assert(f:read(3) == "inf")
assert(f:read("n") == nil and f:read(3) == "nan")
assert(f:read("n") == 4.0)
assert(f:read("n") == nil)           -- end of file
f:close()

-- what follows a numeral stays in the stream
f = open_read("12abc 3.5;0x1fz")
assert(f:read("n") == 12 and f:read(3) == "abc")
assert(f:read("n") == 3.5 and f:read(1) == ";")
assert(f:read("n") == 31 and f:read(1) == "z")
f:close()

-- a numeral longer than 200 characters is refused
f = open_read(string.rep("1", 199) .. " " .. string.rep("2", 201) .. "|")
local v = f:read("n"); assert(v > 1.1e198 and v < 1.2e198)
assert(f:read("n") == nil)
f:close()

-- numbers with the 'l' format afterwards
f = open_read("42\nnext line\n")
assert(f:read("n", "l", "l") == 42)
f:close()
f = open_read("42\nnext line\n")
local n1, l1, l2 = f:read("n", "l", "l")
assert(n1 == 42 and l1 == "" and l2 == "next line")
f:close()

-- invalid formats
f = open_read("abc")
check_error("bad argument #1 to 'read' (invalid format)", function () return f:read("x") end)
check_error("bad argument #2 to 'read' (invalid format)", function () return f:read("l", "*z") end)
check_error("bad argument #1 to 'read' (string expected, got table)", function () return f:read({}) end)
check_error("number has no integer representation", function () return f:read(1.5) end)
check_error("bad argument #1 to 'read' (invalid format)", function () return io.read("x") end)
f:close()

-- long lines and binary data
local long = string.rep("x", 100000)
f = open_read(long .. "\n" .. long)
assert(f:read("l") == long and f:read("L") == long and f:read("l") == nil)
f:close()
f = open_read("\0\1\2\n\255\0")
assert(f:read("L") == "\0\1\2\n" and f:read("a") == "\255\0")
f:close()

-- file:lines with formats, several values per iteration
write_file("1 2\n3 4\n5 6\n")
f = assert(io.open(name))
local sum, count = 0, 0
for x, y in f:lines("n", "n") do sum = sum + x * y; count = count + 1 end
assert(count == 3 and sum == 2 + 12 + 30)
assert(io.type(f) == "file")   -- f:lines does not close the file
f:close()

f = assert(io.open(name))
local lines = {}
for l in f:lines("L") do lines[#lines + 1] = l end
assert(#lines == 3 and lines[1] == "1 2\n")
f:close()

f = assert(io.open(name))
local chunks = {}
for c in f:lines(4) do chunks[#chunks + 1] = c end
assert(table.concat(chunks, "|") == "1 2\n|3 4\n|5 6\n")
f:close()

-- io.lines: opens, iterates, closes at the end; returns 4 values
local it, s, ctl, tbc = io.lines(name)
assert(type(it) == "function" and s == nil and ctl == nil and io.type(tbc) == "file")
assert(it() == "1 2" and it() == "3 4" and it() == "5 6" and it() == nil)
assert(io.type(tbc) == "closed file")
check_error("file is already closed", it)

lines = {}
for l in io.lines(name) do lines[#lines + 1] = l end
assert(#lines == 3 and lines[3] == "5 6")

-- breaking out of the loop closes the file (it is the to-be-closed value)
local captured
do
  local it2, _, _, file = io.lines(name)
  captured = file
  for l in it2, nil, nil, file do break end
end
assert(io.type(captured) == "closed file")

-- io.lines with formats
local total = 0
for x in io.lines(name, "n") do total = total + x end
assert(total == 21)

check_error("No such file or directory", io.lines, name .. ".does.not.exist")
check_error("cannot open file '" .. name .. ".nope'", io.lines, name .. ".nope")

-- lines on a closed file and too many formats
f = assert(io.open(name))
local iter = f:lines()
f:close()
check_error("file is already closed", iter)
check_error("attempt to use a closed file", f.lines, f)
f = assert(io.open(name))
local many = {}
for i = 1, 251 do many[i] = "l" end
check_error("too many arguments", f.lines, f, table.unpack(many))
many[251] = nil
assert(f:lines(table.unpack(many)))
f:close()

-- the default input file
local old_input = io.input()
io.input(name)
assert(io.read() == "1 2")
assert(io.read("n", "n") == 3)
for l in io.lines() do assert(l == "" or l == "5 6") end
assert(io.read() == nil)
io.input():close()
check_error("default input file is closed", io.read)
check_error("attempt to use a closed file", io.lines)
io.input(old_input)
assert(io.input() == old_input)

os.remove(name)
return "OK"
