-- os.execute, os.exit, os.getenv, os.remove, os.rename, os.tmpname, os.setlocale

local function check_error(msg, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error: " .. msg)
  assert(string.find(err, msg, 1, true), "got: " .. tostring(err))
end

-- getenv
assert(os.getenv("RUA_SURELY_UNDEFINED_VARIABLE_42") == nil)
assert(type(os.getenv("PATH")) == "string")
check_error("bad argument #1 to 'os.getenv' (string expected, got no value)", os.getenv)

-- tmpname creates the file; remove and rename report errors as fail, msg, errno
local name = os.tmpname()
assert(type(name) == "string")
local f = assert(io.open(name, "r"))  -- it exists
f:close()
local other = name .. ".renamed"
assert(os.rename(name, other) == true)
local ok, msg, code = os.rename(name, other)
assert(ok == nil and type(msg) == "string" and math.type(code) == "integer" and code > 0)
assert(os.remove(other) == true)
ok, msg, code = os.remove(other)
assert(ok == nil and msg == other .. ": No such file or directory" and code == 2)
assert(name ~= os.tmpname() or true)
local n2 = os.tmpname(); os.remove(n2)
check_error("bad argument #1 to 'os.remove' (string expected, got no value)", os.remove)
check_error("bad argument #2 to 'os.rename' (string expected, got no value)", os.rename, "a")

-- execute
assert(os.execute() == true)          -- there is a shell
local a, b, c = os.execute("true")
assert(a == true and b == "exit" and c == 0)
a, b, c = os.execute("exit 3")
assert(a == nil and b == "exit" and c == 3)
a, b, c = os.execute("kill -s TERM $$")
assert(a == nil and b == "signal" and c == 15)

-- setlocale
assert(os.setlocale() == "C" or type(os.setlocale()) == "string")
assert(os.setlocale("C") == "C")
assert(os.setlocale(nil, "numeric") == "C")
assert(os.setlocale("C", "time") == "C")
for _, cat in ipairs{"all", "collate", "ctype", "monetary", "numeric", "time"} do
  assert(os.setlocale(nil, cat) == "C")
end
assert(os.setlocale("no-such-locale-here") == nil)
check_error("bad argument #2 to 'os.setlocale' (invalid option 'bogus')", os.setlocale, "C", "bogus")

-- exit, through a child interpreter when we know how to start one
local interp = arg and arg[-1]
if interp then
  local function run(code)
    local _, kind, status = os.execute(interp .. " -e '" .. code .. "'")
    return kind, status
  end
  local kind, status = run("os.exit(7)")
  assert(kind == "exit" and status == 7)
  kind, status = run("os.exit(true)")
  assert(kind == "exit" and status == 0)
  kind, status = run("os.exit(false)")
  assert(kind == "exit" and status == 1)
  kind, status = run("os.exit()")
  assert(kind == "exit" and status == 0)
  -- with 'close', pending to-be-closed variables and finalizers run
  local out = os.tmpname()
  kind, status = run(
    "local f <close> = setmetatable({}, {__close = function () " ..
    "local h = io.open([[" .. out .. "]], [[w]]) h:write([[closed]]) h:close() end}) " ..
    "os.exit(5, true)")
  assert(kind == "exit" and status == 5)
  local h = io.open(out)
  assert(h:read("a") == "closed")
  h:close()
  os.remove(out)
  -- buffered output is flushed on exit
  local p = io.popen(interp .. " -e 'io.write([[pending]]) os.exit(0)'")
  assert(p:read("a") == "pending")
  assert(p:close())
end

return "OK"
