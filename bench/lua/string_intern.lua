-- string_intern: making strings at run time: short strings built by .. and tostring that the
-- interpreter must intern (most already exist, so the lookup finds them), used as table keys and
-- compared for equality; long strings (over 40 bytes, not interned) as keys and in compares;
-- concatenation chains of 2 to 6 operands mixing strings and numbers; string.sub slices.
-- usage: lua string_intern.lua [N]   (N rounds)
local n = tonumber(arg and arg[1]) or 16000
local sub, rep = string.sub, string.rep

local check = 0
local counts = {}
local long_keys = {}
local prefix = rep("x", 40)

for round = 1, n do
  -- short keys: 200 distinct names, made again every round
  for i = 1, 200 do
    local key = "user:" .. (i * round) % 200
    counts[key] = (counts[key] or 0) + 1
  end
  -- equality of strings made by different routes
  local same = 0
  for i = 1, 50 do
    local a = "item" .. i
    local b = "item" .. tostring(i)
    local c = sub("..item" .. i .. "..", 3, -3)
    if a == b then same = same + 1 end
    if a == c then same = same + 1 end
  end
  -- long strings: not interned, hashed when used as keys, compared by contents
  for i = 1, 20 do
    local k = prefix .. (round % 10) .. ":" .. i
    local v = long_keys[k]
    if v then long_keys[k] = v + #k else long_keys[k] = 1 end
  end
  -- concatenation chains with numbers (integer and float conversions)
  local line = "GET /api/v" .. (round % 3) .. "/items/" .. round .. "?page=" .. (round % 7)
  local rec = round .. "," .. (round * 3) .. "," .. (round % 11) .. "," .. line .. "," .. round + 0.5
  check = (check + #line * 7 + #rec + same) % 1000000007
  -- split the record back into fields with sub
  local pos, fields = 1, 0
  for j = 1, #rec do
    if sub(rec, j, j) == "," then
      local f = sub(rec, pos, j - 1)
      fields = fields + #f
      pos = j + 1
    end
  end
  check = (check + fields) % 1000000007
end

local total = 0
for i = 0, 199 do total = total + counts["user:" .. i] * (i + 1) end
local long_total = 0
for r = 0, 9 do
  for i = 1, 20 do long_total = long_total + (long_keys[prefix .. r .. ":" .. i] or 0) end
end
print(string.format("string_intern %d %d %d %d", n, check, total % 1000000007, long_total))
