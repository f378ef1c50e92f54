-- Loading corrupt, truncated or foreign binary chunks is a clean error,
-- never a crash (run under ASan in CI). Checked on PUC Lua 5.5.
local function sample(a, ...)
  local t = {a, ...}
  local s = "constant" .. #t
  for i = 1, 3 do t[i] = (t[i] or 0) + i * 2.5 end
  local n = select('#', ...)
  local function inner(x) return x .. s, n end
  return inner(tostring(t[1])), t
end
local dumps = {string.dump(sample), string.dump(sample, true), string.dump(function() return 1 end)}

local seed = 12345
local function rand(n)
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % n
end

local loaded, failed = 0, 0
for _, d in ipairs(dumps) do
  -- every truncation fails with a message
  for len = 0, #d - 1 do
    local f, err = load(d:sub(1, len), "trunc", "b")
    assert(f == nil and type(err) == "string")
  end
  -- random byte changes: an error, or a function (never a crash)
  for _ = 1, 2000 do
    local bytes = {d:byte(1, -1)}
    for _ = 1, 1 + rand(4) do
      local i = 1 + rand(#bytes)
      bytes[i] = rand(256)
    end
    local ok, f = pcall(load, string.char(table.unpack(bytes)), "fuzz", "b")
    assert(ok)
    if f then loaded = loaded + 1 else failed = failed + 1 end
  end
end
assert(failed > 0)
-- a binary chunk is refused in text mode, and text in binary mode
assert(select(2, load(dumps[1], "x", "t")):find("attempt to load a binary chunk"))
assert(select(2, load("return 1", "x", "b")):find("attempt to load a text chunk"))
return "OK"
