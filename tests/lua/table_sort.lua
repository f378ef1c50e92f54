-- table.sort: default order, comparators, stability of errors, limits.

local function check_error(msg, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error: " .. msg)
  assert(string.find(err, msg, 1, true), "got: " .. tostring(err))
end

local function is_sorted(t, lt)
  lt = lt or function (a, b) return a < b end
  for i = 2, #t do
    if lt(t[i], t[i - 1]) then return false end
  end
  return true
end

-- small cases
local t = {}
table.sort(t); assert(#t == 0)
t = {1}; table.sort(t); assert(t[1] == 1)
t = {2, 1}; table.sort(t); assert(t[1] == 1 and t[2] == 2)
t = {3, 1, 2}; table.sort(t); assert(t[1] == 1 and t[2] == 2 and t[3] == 3)
t = {"b", "c", "a"}; table.sort(t); assert(table.concat(t) == "abc")
t = {3, 1.5, -2, 10, 0}; table.sort(t); assert(is_sorted(t) and t[1] == -2 and t[5] == 10)
t = {5, 4, 3, 2, 1}; table.sort(t, function (a, b) return a > b end)
assert(table.concat(t) == "54321")

-- larger arrays: random, sorted, reversed, all equal
local N = 2000
local function fill(gen)
  local a = {}
  for i = 1, N do a[i] = gen(i) end
  return a
end
math.randomseed(1234)
for _, gen in ipairs{
  function () return math.random(1, 100000) end,
  function (i) return i end,
  function (i) return N - i end,
  function () return 7 end,
  function (i) return i % 13 end,
  function () return math.random() end,
} do
  local a = fill(gen)
  table.sort(a)
  assert(is_sorted(a))
  a = fill(gen)
  table.sort(a, function (x, y) return x > y end)
  assert(is_sorted(a, function (x, y) return x > y end))
end

-- sorting records by a field
local recs = {}
for i = 1, 200 do recs[i] = {key = (i * 37) % 101, id = i} end
table.sort(recs, function (r, s) return r.key < s.key end)
for i = 2, #recs do assert(recs[i - 1].key <= recs[i].key) end

-- a nil comparator is the default order
t = {3, 2, 1}; table.sort(t, nil); assert(table.concat(t) == "123")

-- errors
check_error("attempt to compare", table.sort, {1, "x", 2})
check_error("attempt to compare", table.sort, {{}, {}})
check_error("bad argument #2 to 'table.sort' (function expected, got number)", table.sort, {1, 2}, 3)
check_error("bad argument #1 to 'table.sort' (table expected, got string)", table.sort, "abc")

-- an inconsistent comparator is detected, not a crash
do
  local a = {}
  for i = 1, 100 do a[i] = i % 7 end
  local ok, err = pcall(table.sort, a, function (x, y) return true end)
  assert(not ok and string.find(err, "invalid order function for sorting", 1, true))
  local a2 = {}
  for i = 1, 300 do a2[i] = 300 - i end
  ok, err = pcall(table.sort, a2, function (x, y) return x <= y end)
  -- either sorted or "invalid order function": never an out-of-range access
  assert(ok or string.find(err, "invalid order function for sorting", 1, true))
end

-- errors raised by the comparator propagate
check_error("boom", table.sort, {3, 2, 1}, function () error("boom") end)

-- too big arrays are refused before anything is read
do
  local big = setmetatable({}, {__len = function () return math.maxinteger end,
                                __index = function () error("read") end,
                                __newindex = function () error("write") end})
  check_error("array too big", table.sort, big)
end

-- a comparator that sorts in place through the length metamethod
do
  local store = {5, 3, 9, 1}
  local proxy = setmetatable({}, {
    __index = store, __newindex = store, __len = function () return #store end})
  table.sort(proxy)
  assert(table.concat(store, ",") == "1,3,5,9")
end

return "OK"
