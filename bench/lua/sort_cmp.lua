-- sort_cmp: table.sort with Lua comparator functions: records by several keys, numbers in
-- descending order, strings compared case-insensitively, and inputs already sorted, reversed
-- and with many duplicates. Every comparator is a total order, so the result is the same on
-- every interpreter.
-- usage: lua sort_cmp.lua [N]   (N rounds)
local n = tonumber(arg and arg[1]) or 80
local sort, lower = table.sort, string.lower

local seed = 4242
local function rand(m)
  seed = (seed * 16807) % 2147483647
  return seed % m
end

local function by_dept_salary_id(a, b)
  if a.dept ~= b.dept then return a.dept < b.dept end
  if a.salary ~= b.salary then return a.salary > b.salary end
  return a.id < b.id
end
local function desc(a, b) return a > b end
local function nocase(a, b)
  local la, lb = lower(a), lower(b)
  if la ~= lb then return la < lb end
  return a < b
end

local depts = { "eng", "ops", "sales", "legal", "hr" }
local words = {}
for i = 1, 400 do
  local w = {}
  for j = 1, 3 + i % 6 do
    local c = 97 + rand(26)
    if rand(3) == 0 then c = c - 32 end
    w[j] = string.char(c)
  end
  words[i] = table.concat(w)
end

local check = 0
for round = 1, n do
  local people = {}
  for i = 1, 3000 do
    people[i] = { id = i, dept = depts[rand(5) + 1], salary = 1000 + rand(50) * 100 }
  end
  sort(people, by_dept_salary_id)
  for i = 1, #people, 97 do check = (check + i * people[i].id + people[i].salary) % 1000000007 end

  local nums = {}
  for i = 1, 5000 do nums[i] = rand(1000) end  -- many duplicates
  sort(nums, desc)
  sort(nums, desc)  -- again, already sorted
  for i = 1, 5000 do nums[i] = i end
  sort(nums, desc)  -- reversed input
  check = (check + nums[1] + nums[5000] + nums[2500]) % 1000000007

  local ws = {}
  for i = 1, #words do ws[i] = words[(i * round) % #words + 1] end
  sort(ws, nocase)
  for i = 1, #ws, 37 do check = (check + i * #ws[i] + ws[i]:byte(1)) % 1000000007 end
end
print(string.format("sort_cmp %d %d", n, check))
