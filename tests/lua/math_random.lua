-- math.random / math.randomseed: xoshiro256** with PUC 5.5's seeding, so a
-- seed gives the same sequence as PUC Lua.

local function check_error(msg, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error: " .. msg)
  assert(string.find(err, msg, 1, true), "got: " .. tostring(err))
end

local maxI, minI = math.maxinteger, math.mininteger

-- randomseed returns its two parts
local a, b = math.randomseed(42)
assert(a == 42 and b == 0)

-- the reference sequence (values printed by PUC Lua 5.5.1)
assert(math.random(0) == -1276290044721465627)
assert(math.random(0) == 8333941968102511665)
assert(math.random(0) == -8358531260401861301)
assert(math.random(0) == -3807604385970496171)
assert(math.random() == 0x1.3c110ea35f10ap-1)
assert(math.random() == 0x1.3a9865608e04p-7)
assert(math.random() == 0x1.ed83f5b35f379p-1)
local dice = {}
for i = 1, 5 do dice[i] = math.random(1, 6) end
assert(table.concat(dice, ",") == "2,1,3,1,1")
assert(math.random(100) == 63 and math.random(100) == 97 and math.random(100) == 10)
assert(math.random(minI, maxI) == -5551181838183337496)

a, b = math.randomseed(7, 3)
assert(a == 7 and b == 3)
assert(math.random(0) == -9074996818531800909)
assert(math.random(-3, 3) == 3)
assert(math.random(1 << 40) == 52106373243)

-- same seed, same sequence
math.randomseed(99, -5)
local s1 = {}
for i = 1, 20 do s1[i] = math.random(0) end
math.randomseed(99, -5)
for i = 1, 20 do assert(math.random(0) == s1[i]) end

-- no arguments: a random seed, returned so it can be replayed
local x, y = math.randomseed()
assert(math.type(x) == "integer" and math.type(y) == "integer")
local r1 = math.random(0)
math.randomseed(x, y)
assert(math.random(0) == r1)

-- ranges
math.randomseed(2024)
for _ = 1, 1000 do
  local f = math.random()
  assert(math.type(f) == "float" and 0 <= f and f < 1)
  local i = math.random(10)
  assert(math.type(i) == "integer" and 1 <= i and i <= 10)
  local j = math.random(-5, 5)
  assert(-5 <= j and j <= 5)
  local k = math.random(maxI - 1, maxI)
  assert(k == maxI - 1 or k == maxI)
  local m = math.random(minI, minI + 2)
  assert(minI <= m and m <= minI + 2)
end
assert(math.random(3, 3) == 3 and math.random(minI, minI) == minI)

-- every value of a small interval shows up
do
  local seen, count = {}, 0
  for _ = 1, 200 do
    local v = math.random(-2, 2)
    if not seen[v] then seen[v] = true; count = count + 1 end
  end
  assert(count == 5)
end

-- errors
check_error("bad argument #1 to 'math.random' (interval is empty)", math.random, 2, 1)
check_error("bad argument #1 to 'math.random' (interval is empty)", math.random, -1)
check_error("bad argument #1 to 'math.random' (interval is empty)", math.random, maxI, minI)
check_error("wrong number of arguments", math.random, 1, 2, 3)
check_error("number has no integer representation", math.random, 1.5)
check_error("number has no integer representation", math.random, 1, 2.5)
check_error("number has no integer representation", math.randomseed, 1.5)
assert(math.random(3.0) <= 3)     -- floats with integral values are accepted

return "OK"
