-- package.searchpath, package.loadlib, and package.path/cpath from the
-- environment (LUA_PATH_5_5, LUA_PATH, LUA_CPATH_5_5, LUA_CPATH, ";;").

local function check_error(msg, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error")
  assert(string.find(err, msg, 1, true), err)
end

assert(type(package.path) == "string" and type(package.cpath) == "string")

-- ---- searchpath ----
local base = os.tmpname()
local file = base .. "_a_b.lua"
local f = assert(io.open(file, "w"))
f:close()

-- '.' becomes the directory separator by default
local r, msg = package.searchpath("x.y", "/nonexistent/?.lua;/other/?/init.lua")
assert(r == nil)
assert(msg == "no file '/nonexistent/x/y.lua'\n\tno file '/other/x/y/init.lua'", msg)
-- found: the first readable name
assert(package.searchpath("a.b", "/nonexistent/?.x;" .. base .. "_?.lua", ".", "_") == file)
assert(package.searchpath("a_b", base .. "_?.lua") == file)
-- every '?' is replaced
r, msg = package.searchpath("m", "/no/?/?.lua")
assert(msg == "no file '/no/m/m.lua'")
-- custom separators; an empty separator replaces nothing
r, msg = package.searchpath("a.b", "/no/?", "", "/")
assert(msg == "no file '/no/a.b'")
r, msg = package.searchpath("a-b", "/no/?", "-", "+")
assert(msg == "no file '/no/a+b'")
-- empty templates are tried (and fail) like the others
r, msg = package.searchpath("m", ";/no/?")
assert(msg == "no file ''\n\tno file '/no/m'", msg)
r, msg = package.searchpath("m", "")
assert(r == nil and msg == "no file ''", msg)
check_error("bad argument #1 to 'package.searchpath' (string expected, got table)", package.searchpath, {}, "?")
check_error("bad argument #2 to 'package.searchpath' (string expected, got nil)", package.searchpath, "x", nil)
check_error("bad argument #3 to 'package.searchpath' (string expected, got table)", package.searchpath, "x", "?", {})
os.remove(file)
os.remove(base)

-- ---- loadlib ----
-- rua cannot load native libraries (no C API yet): like a PUC Lua built
-- without dynamic libraries it answers fail, a message and "absent". A PUC
-- build with dlopen answers "open" for a file that does not exist.
local fn, err, where = package.loadlib("/nonexistent/lib.so", "luaopen_lib")
assert(fn == nil and type(err) == "string")
assert(where == "absent" or where == "open", where)
fn, err, where = package.loadlib("/nonexistent/lib.so", "*")
assert(fn == nil and (where == "absent" or where == "open"))
check_error("bad argument #2 to 'package.loadlib' (string expected, got no value)", package.loadlib, "x")
check_error("bad argument #1 to 'package.loadlib' (string expected, got table)", package.loadlib, {}, "f")

-- ---- paths from the environment ----
-- Needs a child interpreter: only on the command line (arg[-1]).
local interp = arg and arg[-1]
if interp and not interp:find("[^%w%./_-]") then
  local default_path, default_cpath
  local function run(env)
    local p = io.popen(env .. " " .. interp .. [[ -e "io.write(package.path, '\n', package.cpath)"]])
    local out = p:read("a")
    p:close()
    return out:match("^(.-)\n(.*)$")
  end
  default_path, default_cpath = run("env -u LUA_PATH -u LUA_PATH_5_5 -u LUA_CPATH -u LUA_CPATH_5_5 LUA_INIT=")
  assert(default_path:find("./?.lua", 1, true) and default_cpath:find("./?.so", 1, true))

  local clean = "env -u LUA_PATH -u LUA_PATH_5_5 -u LUA_CPATH -u LUA_CPATH_5_5 LUA_INIT="
  local p, c = run(clean .. " LUA_PATH='/a/?.lua' LUA_CPATH='/c/?.so'")
  assert(p == "/a/?.lua" and c == "/c/?.so", p)
  -- the versioned name wins
  p, c = run(clean .. " LUA_PATH='/a/?.lua' LUA_PATH_5_5='/v/?.lua' LUA_CPATH_5_5='/vc/?.so'")
  assert(p == "/v/?.lua" and c == "/vc/?.so", p)
  -- ";;" stands for the default path
  p = run(clean .. " LUA_PATH='/a/?.lua;;/b/?.lua'")
  assert(p == "/a/?.lua;" .. default_path .. ";/b/?.lua", p)
  p = run(clean .. " LUA_PATH=';;/b/?.lua'")
  assert(p == default_path .. ";/b/?.lua", p)
  p = run(clean .. " LUA_PATH='/a/?.lua;;'")
  assert(p == "/a/?.lua;" .. default_path, p)
  p = run(clean .. " LUA_PATH=';;'")
  assert(p == default_path, p)
  p, c = run(clean .. " LUA_CPATH='/x/?.so;;'")
  assert(c == "/x/?.so;" .. default_cpath, c)
  -- only the first ";;" is replaced
  p = run(clean .. " LUA_PATH='/a;;/b;;/c'")
  assert(p == "/a;" .. default_path .. ";/b;;/c", p)
  -- -E ignores the environment
  local out = io.popen(clean .. " LUA_PATH='/a/?.lua' " .. interp .. [[ -E -e "io.write(package.path)"]]):read("a")
  assert(out == default_path, out)
end

return "OK"
