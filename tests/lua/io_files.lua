-- io: opening and closing, handles, write, seek, setvbuf, flush, popen,
-- tmpfile, the default output and the standard files.

local function check_error(msg, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error: " .. msg)
  assert(string.find(err, msg, 1, true), "got: " .. tostring(err))
end

local name = os.tmpname()

-- open modes
for _, mode in ipairs{"r", "w", "a", "r+", "w+", "a+", "rb", "wb", "r+b", "ab", "a+bb"} do
  local f = assert(io.open(name, mode))
  f:close()
end
for _, mode in ipairs{"", "x", "rw", "rb+", "+", "r+x", "wt", "r++"} do
  check_error("bad argument #2 to 'io.open' (invalid mode)", io.open, name, mode)
end
local f, msg, code = io.open(name .. "/no/such/dir", "w")
assert(f == nil and msg == name .. "/no/such/dir: Not a directory" and code == 20)
f, msg, code = io.open("/no-such-directory-for-rua/x")
assert(f == nil and msg == "/no-such-directory-for-rua/x: No such file or directory" and code == 2)
check_error("bad argument #1 to 'io.open' (string expected, got no value)", io.open)

-- handles: type, tostring, metatable
f = assert(io.open(name, "w"))
assert(io.type(f) == "file")
assert(string.match(tostring(f), "^file %(0x%x+%)$"))
local mt = getmetatable(f)
assert(mt.__name == "FILE*" and type(mt.__index) == "table")
assert(type(mt.__gc) == "function" and type(mt.__close) == "function")
assert(f:close() == true)
assert(io.type(f) == "closed file" and tostring(f) == "file (closed)")
assert(io.type(42) == nil and io.type({}) == nil and io.type(io.stdout) == "file")
check_error("bad argument #1 to 'io.type' (value expected)", io.type)
check_error("attempt to use a closed file", f.close, f)
check_error("attempt to use a closed file", f.write, f, "x")
check_error("attempt to use a closed file", f.read, f)
check_error("attempt to use a closed file", f.seek, f)
check_error("attempt to use a closed file", f.flush, f)
check_error("attempt to use a closed file", f.setvbuf, f, "no")
check_error("FILE* expected, got table", f.read, {})
check_error("FILE* expected, got no value", io.stdout.write)

-- write: numbers use Lua's format; returns the file
f = assert(io.open(name, "w"))
assert(f:write("a", 1, " ", 2.5, " ", -0.0, " ", 1e100, " ", math.mininteger, "\n") == f)
assert(f:write() == f)
assert(f:write("x"):write("y"):write("\n") == f)
check_error("bad argument #1 to 'write' (string expected, got table)", function () f:write({}) end)
check_error("bad argument #2 to 'write' (string expected, got nil)", function () f:write("a", nil) end)
f:close()
f = assert(io.open(name))
assert(f:read("a") == "a1 2.5 -0.0 1e+100 " .. math.mininteger .. "\nxy\na")  -- "a" written before the nil
-- writing to a read-only file fails with fail, message, errno, bytes written
local r1, r2, r3, r4 = f:write("abc")
assert(r1 == nil and r2 == "Bad file descriptor" and r3 == 9 and r4 == 0)
f:close()

-- seek
f = assert(io.open(name, "w+"))
f:write("0123456789")
assert(f:seek() == 10 and f:seek("cur") == 10)
assert(f:seek("set") == 0 and f:read(3) == "012")
assert(f:seek("cur", 2) == 5 and f:read(1) == "5")
assert(f:seek("end", -2) == 8 and f:read("a") == "89")
assert(f:seek("end") == 10)
assert(f:seek("set", 3) == 3)
f:write("X")
assert(f:seek("set") == 0 and f:read("a") == "012X456789")
local s1, s2, s3 = f:seek("set", -1)
assert(s1 == nil and s2 == "Invalid argument" and s3 == 22)
check_error("bad argument #1 to 'seek' (invalid option 'bogus')", function () f:seek("bogus") end)
check_error("bad argument #2 to 'seek' (number has no integer representation)",
            function () f:seek("set", 1.5) end)
f:close()

-- append mode writes at the end
f = assert(io.open(name, "a"))
f:write("++")
f:close()
f = assert(io.open(name))
assert(f:read("a") == "012X456789++")
f:close()

-- setvbuf and flush
f = assert(io.open(name, "w"))
assert(f:setvbuf("no") == true)
assert(f:setvbuf("full", 4096) == true)
assert(f:setvbuf("line") == true)
check_error("bad argument #1 to 'setvbuf' (invalid option 'some')", function () f:setvbuf("some") end)
check_error("bad argument #1 to 'setvbuf' (string expected, got no value)", function () f:setvbuf() end)
f:write("buffered")
assert(f:flush() == f or f:flush() == true)
local g = assert(io.open(name))
assert(g:read("a") == "buffered")   -- visible after flush
g:close()
f:close()

-- to-be-closed handles and the collector close files
local leaked
do
  local h <close> = assert(io.open(name, "w"))
  leaked = h
  h:write("closed by <close>")
end
assert(io.type(leaked) == "closed file")
f = assert(io.open(name))
assert(f:read("a") == "closed by <close>")
f:close()
do
  local h = assert(io.open(name, "w"))
  h:write("closed by gc")
  h = nil
  collectgarbage()
  collectgarbage()
end
f = assert(io.open(name))
assert(f:read("a") == "closed by gc")
f:close()

-- tmpfile
f = assert(io.tmpfile())
assert(io.type(f) == "file")
f:write("temporary")
f:seek("set")
assert(f:read("a") == "temporary")
assert(f:close())

-- popen
f = assert(io.popen("echo hello; echo world", "r"))
assert(f:read() == "hello" and f:read() == "world" and f:read() == nil)
local c1, c2, c3 = f:close()
assert(c1 == true and c2 == "exit" and c3 == 0)
f = assert(io.popen("exit 5"))
c1, c2, c3 = f:close()
assert(c1 == nil and c2 == "exit" and c3 == 5)
f = assert(io.popen("cat > " .. name, "w"))
f:write("through a pipe")
assert(f:close())
f = assert(io.open(name))
assert(f:read("a") == "through a pipe")
f:close()
for _, mode in ipairs{"rw", "", "r+", "a", "rb"} do
  check_error("bad argument #2 to 'io.popen' (invalid mode)", io.popen, "true", mode)
end

-- the default output
local old_out = io.output()
assert(old_out == io.stdout)
assert(io.output(name) ~= old_out)
assert(io.write("via ", "io.write", 42) == io.output())
assert(io.flush() == true or io.flush())
assert(io.close() == true)
check_error("default output file is closed", io.write, "x")
check_error("default output file is closed", io.flush)
io.output(old_out)
assert(io.output() == io.stdout)
f = assert(io.open(name))
assert(f:read("a") == "via io.write42")
f:close()
local h = assert(io.open(name, "w"))
assert(io.output(h) == h and io.output() == h)
io.write("handle")
io.close(h)
io.output(io.stdout)
check_error("attempt to use a closed file", io.output, h)
check_error("cannot open file '/no-such-directory-for-rua/x'", io.output, "/no-such-directory-for-rua/x")
check_error("cannot open file '/no-such-directory-for-rua/x'", io.input, "/no-such-directory-for-rua/x")
assert(io.output() == io.stdout)

-- the standard files cannot be closed
local ok1, m1 = io.stdout:close()
assert(ok1 == nil and m1 == "cannot close standard file")
assert(io.type(io.stdout) == "file")
ok1, m1 = io.stderr:close()
assert(ok1 == nil and m1 == "cannot close standard file")
assert(io.type(io.stdin) == "file" and io.type(io.stderr) == "file")
assert(io.stderr:write("") == io.stderr)

os.remove(name)
return "OK"
