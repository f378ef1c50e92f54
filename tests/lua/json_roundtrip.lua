-- rua.json: decode(encode(v)) gives v back (a rua module: runs on rua, not on PUC's lua).
local json = require "rua.json"

local seed = 42
local function rand(n)  -- 1..n, deterministic
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % n + 1
end

local function random_string()
  local cps = {}
  for i = 1, rand(12) - 1 do
    local r = rand(10)
    cps[i] = r <= 5 and rand(95) + 31       -- printable ASCII
          or r <= 6 and rand(32) - 1        -- control characters
          or r <= 7 and rand(0x7FF - 0x80) + 0x80
          or r <= 8 and rand(0xD7FF - 0x800) + 0x800
          or r <= 9 and rand(0xFFFD - 0xE000) + 0xE000
          or rand(0x10FFFF - 0x10000) + 0x10000
  end
  return utf8.char(table.unpack(cps))
end

local function random_number()
  local r = rand(6)
  if r == 1 then return rand(1000) - 500 end
  if r == 2 then return math.mininteger + rand(1000) end
  if r == 3 then return (rand(2000000) - 1000000) / 1024 end
  if r == 4 then return (rand(1000) - 500) * 10.0 ^ (rand(600) - 300) end
  if r == 5 then return rand(2147483647) * 4294967296 + rand(1000) end
  return math.sin(rand(1000))
end

local function random_value(depth)
  local r = rand(depth > 4 and 5 or 8)
  if r == 1 then return random_string() end
  if r == 2 then return random_number() end
  if r == 3 then return rand(2) == 1 end
  if r == 4 then return json.null end
  if r == 5 then return random_number() end
  local t = {}
  if r == 6 then
    for i = 1, rand(6) do t[i] = random_value(depth + 1) end
  else
    for _ = 1, rand(6) do t[random_string() .. "k"] = random_value(depth + 1) end
  end
  return t
end

-- Equal values; integral floats may come back as integers.
local function same(a, b)
  if type(a) ~= type(b) then return false end
  if type(a) ~= "table" then
    if math.type(a) == "integer" and math.type(b) ~= "integer" then return false end
    return a == b
  end
  for k, v in pairs(a) do
    if not same(v, b[k]) then return false end
  end
  for k in pairs(b) do
    if a[k] == nil then return false end
  end
  return true
end

for _ = 1, 300 do
  local v = random_value(0)
  for _, opts in ipairs{{}, {indent = "  ", sort_keys = true}, {escape_slash = true}} do
    local text = json.encode(v, opts)
    local back, err = json.decode(text)
    assert(err == nil, err)
    assert(same(v, back), text)
    -- encoding is deterministic with sorted keys
    if opts.sort_keys then assert(json.encode(back, opts) == text) end
  end
end

-- floats stay floats unless they are integral (written without ".0", as lua-cjson does)
for _, x in ipairs{0.5, -1.25, 1e-10, 6.02214076e23, 2 ^ 53 + 0.0, 1e16} do
  local back = json.decode(json.encode(x))
  assert(back == x)
  if x ~= math.floor(x) then assert(math.type(back) == "float") end
end
assert(math.type(json.decode(json.encode(3.0))) == "integer")

-- every code point of the Basic Multilingual Plane and beyond, escaped or not
local cps = {}
for cp = 0, 0xD7FF, 7 do cps[#cps + 1] = cp end
for cp = 0xE000, 0x10FFFF, 997 do cps[#cps + 1] = cp end
local s = utf8.char(table.unpack(cps, 1, 2000)) .. utf8.char(table.unpack(cps, 2001))
assert(json.decode(json.encode(s)) == s)
local escaped = {}
for i, cp in ipairs(cps) do
  if cp >= 0x10000 then
    local v = cp - 0x10000
    escaped[i] = string.format("\\u%04x\\u%04x", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF))
  else
    escaped[i] = string.format("\\u%04X", cp)
  end
end
assert(json.decode('"' .. table.concat(escaped) .. '"') == s)

-- array_mt round trip keeps empty arrays arrays (OpenResty's idiom)
local j = json.new()
j.decode_array_with_array_mt(true)
assert(j.encode(j.decode('{"list":[],"obj":{}}'), {sort_keys = true}) == '{"list":[],"obj":{}}')

return "OK"
