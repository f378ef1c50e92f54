-- pcall_error: protected calls as request handlers use them: pcall around calls that mostly
-- succeed, error() with string and table values, errors raised a few frames deep, error
-- levels, xpcall with a message handler, assert with a message, and errors from the runtime
-- (arithmetic on nil, indexing nil) caught and classified.
-- usage: lua pcall_error.lua [N]   (N rounds)
local n = tonumber(arg and arg[1]) or 800000
local find = string.find

local function validate(x)
  if x % 7 == 0 then error({ code = 400, field = "x" }) end
  if x % 11 == 0 then error("x must not be a multiple of 11", 2) end
  return x * 2
end
local function service(x) return validate(x) + 1 end
local function handler(x) return service(x) + service(x + 1) end

local function runtime_error(x)
  local t
  if x % 13 ~= 0 then t = { v = x } end
  return t.v + 1  -- indexes nil when x % 13 == 0
end

local function on_error(e)
  if type(e) == "table" then return e.code end
  return 500
end

local ok_count, table_errors, string_errors, runtime_errors, handled = 0, 0, 0, 0, 0
local check = 0
for i = 1, n do
  local ok, v = pcall(handler, i)
  if ok then
    ok_count = ok_count + 1
    check = (check + v) % 1000000007
  elseif type(v) == "table" then
    table_errors = table_errors + v.code // 100
  else
    string_errors = string_errors + 1
  end

  local ok2, v2 = pcall(runtime_error, i)
  if ok2 then check = (check + v2) % 1000000007
  elseif find(v2, "index", 1, true) then runtime_errors = runtime_errors + 1 end

  local ok3, v3 = xpcall(service, on_error, i + 3)
  if ok3 then check = (check + v3) % 1000000007 else handled = handled + v3 // 100 end

  local ok4 = pcall(assert, i % 5 ~= 0, "not a multiple of 5")
  if ok4 then ok_count = ok_count + 1 end

  -- nested: a protected call inside a protected call, the inner one fails
  local ok5, v5 = pcall(function()
    local ok6 = pcall(error, "inner")
    return ok6 and 1 or 2
  end)
  check = (check + (ok5 and v5 or 0)) % 1000000007
end
print(string.format("pcall_error %d %d %d %d %d %d %d", n, check, ok_count, table_errors,
  string_errors, runtime_errors, handled))
