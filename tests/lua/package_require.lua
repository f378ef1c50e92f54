-- require, package.loaded, package.preload, package.searchers and the
-- messages of a failed require. Module files are written to temporary
-- files next to os.tmpname().

local function check_error(msg, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error")
  assert(string.find(err, msg, 1, true), err)
  return err
end

local base = os.tmpname()  -- modules live at base .. "_" .. name .. ".lua"
local created = {}
local function write_module(name, text)
  local fname = base .. "_" .. name .. ".lua"
  local f = assert(io.open(fname, "w"))
  f:write(text)
  f:close()
  created[#created + 1] = fname
  return fname
end

local saved_path, saved_cpath = package.path, package.cpath
package.path = base .. "_?.lua"
package.cpath = base .. "_?.so"

-- ---- the standard tables ----
assert(type(package.loaded) == "table" and package.loaded == debug.getregistry()._LOADED)
assert(package.loaded.string == string and package.loaded._G == _G)
assert(package.loaded.package == package)
assert(type(package.preload) == "table" and package.preload == debug.getregistry()._PRELOAD)
assert(#package.searchers == 4)
for i = 1, 4 do assert(type(package.searchers[i]) == "function") end
assert(package.config == "/\n;\n?\n!\n-\n")

-- already loaded modules are returned as they are, with one result
assert(require("string") == string)
assert(select("#", require("string")) == 1)
package.loaded.fake = false  -- a false entry does not count as loaded
package.preload.fake = function() return "fake module" end
assert(require("fake") == "fake module")
package.loaded.fake, package.preload.fake = nil, nil

-- ---- preload ----
local got_name, got_data
package.preload["pre.mod"] = function(name, data)
  got_name, got_data = name, data
  return {value = 1}
end
local m, data = require("pre.mod")
assert(m.value == 1 and data == ":preload:")
assert(got_name == "pre.mod" and got_data == ":preload:")
assert(package.loaded["pre.mod"] == m)
assert(require("pre.mod") == m)  -- only loaded once
package.preload["pre.mod"] = nil

-- a loader returning nil stores true
package.preload.nothing = function() end
m, data = require("nothing")
assert(m == true and package.loaded.nothing == true and data == ":preload:")
-- a loader that sets package.loaded itself and returns nil keeps that value
package.preload.selfset = function(name)
  package.loaded[name] = "set by module"
end
assert(require("selfset") == "set by module")
-- a non-nil result wins over what the loader stored
package.preload.both = function(name)
  package.loaded[name] = "stored"
  return "returned"
end
assert(require("both") == "returned" and package.loaded.both == "returned")
-- false is a value like any other
package.preload.falsy = function() return false end
m = require("falsy")
assert(m == false and package.loaded.falsy == false)

-- ---- Lua files along package.path ----
local fname = write_module("plain", "local name, file = ...\nreturn {name = name, file = file}\n")
m, data = require("plain")
assert(m.name == "plain" and m.file == fname and data == fname)
assert(package.loaded.plain == m)

-- dots in the name become directory separators
local dir = base .. "_dir"
if os.execute("mkdir " .. dir) then
  local f = assert(io.open(dir .. "/sub.lua", "w"))
  f:write("return ...")
  f:close()
  package.path = base .. "_?.lua;" .. base .. "_?/init.lua"
  local n, file = require("dir.sub")
  assert(n == "dir.sub" and file == dir .. "/sub.lua")
  f = assert(io.open(dir .. "/init.lua", "w"))
  f:write("return 'init'")
  f:close()
  assert(require("dir") == "init")
  os.remove(dir .. "/sub.lua")
  os.remove(dir .. "/init.lua")
  os.remove(dir)
  package.path = base .. "_?.lua"
end

-- errors while loading a file name the module and the file
fname = write_module("bad", "return +")
local err = check_error("error loading module 'bad' from file '" .. fname .. "':\n\t", require, "bad")
assert(err:find("unexpected symbol near '+'", 1, true), err)
-- errors while running the module propagate as they are
write_module("fails", "error('module failed', 0)")
check_error("module failed", require, "fails")
assert(package.loaded.fails == nil)

-- ---- not found ----
err = check_error("module 'missing.mod' not found:", require, "missing.mod")
local expected = "module 'missing.mod' not found:\n\tno field package.preload['missing.mod']\n" ..
  "\tno file '" .. base .. "_missing/mod.lua'\n" ..
  "\tno file '" .. base .. "_missing/mod.so'\n" ..
  "\tno file '" .. base .. "_missing.so'"
assert(err:find(expected, 1, true), err)

-- a native library found along package.cpath cannot be loaded here (rua has
-- no C API for it; in PUC the file is not a valid library): an error that
-- names the file, not "not found"
local so = base .. "_native.so"
local f = assert(io.open(so, "w"))
f:write("not really a library")
f:close()
created[#created + 1] = so
check_error("error loading module 'native' from file '" .. so .. "':\n\t", require, "native")
-- the C root searcher: "native.sub" is looked for in the file of "native"
check_error("error loading module 'native.sub' from file '" .. so .. "':\n\t", require, "native.sub")

-- ---- custom searchers ----
local searchers = package.searchers
package.searchers = {
  function(name) return "no luck for " .. name end,
  function(name) return nil end,  -- no message: skipped silently
  function(name)
    if name == "custom" then return function(n, d) return n .. "|" .. d end, "my data" end
  end,
}
m, data = require("custom")
assert(m == "custom|my data" and data == "my data")
err = check_error("module 'other' not found:\n\tno luck for other", require, "other")
assert(not err:find("no luck for other\n"), err)
package.searchers = {}
check_error("module 'x' not found:", require, "x")
package.searchers = "wrong"
check_error("'package.searchers' must be a table", require, "x")
package.searchers = searchers

-- require keeps the package table it was created with
local pkg = package
package = nil
assert(require("plain") == m or require("plain"))
package = pkg

-- path and cpath must be strings
package.path = nil
check_error("'package.path' must be a string", require, "nope")
package.path = base .. "_?.lua"
package.cpath = {}
check_error("'package.cpath' must be a string", require, "nope")
package.cpath = 42  -- numbers are strings here
check_error("no file '42'", require, "nope")

-- ---- argument errors ----
check_error("bad argument #1 to 'require' (string expected, got no value)", require)
check_error("bad argument #1 to 'require' (string expected, got table)", require, {})

for _, name in ipairs(created) do os.remove(name) end
os.remove(base)
package.path, package.cpath = saved_path, saved_cpath

return "OK"
