-- table library: concat, insert, remove, move, pack, unpack, create,
-- and metamethod-driven access (__index/__newindex/__len).

local function check_error(msg, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error: " .. msg)
  assert(string.find(err, msg, 1, true), "got: " .. tostring(err))
end

local maxI, minI = math.maxinteger, math.mininteger

-- concat
assert(table.concat({}) == "")
assert(table.concat({1, 2, 3}) == "123")
assert(table.concat({1, 2, 3}, ", ") == "1, 2, 3")
assert(table.concat({"a", "b", "c", "d"}, "-", 2, 3) == "b-c")
assert(table.concat({"a", "b"}, "-", 3, 2) == "")
assert(table.concat({"a"}, "-", 1, 1) == "a")
assert(table.concat({1.5, 2, "x"}, "") == "1.52x")
assert(table.concat({[maxI] = "z"}, "", maxI, maxI) == "z")
assert(table.concat({[minI] = "a", [minI + 1] = "b"}, "", minI, minI + 1) == "ab")
check_error("invalid value (boolean) at index 2 in table for 'concat'", table.concat, {1, true, 3})
check_error("invalid value (nil) at index 3 in table for 'concat'", table.concat, {1, 2}, "", 1, 3)
check_error("bad argument #1 to 'table.concat' (table expected, got no value)", table.concat)
check_error("bad argument #2 to 'table.concat' (string expected, got table)", table.concat, {}, {})

-- insert
local t = {}
table.insert(t, "a")
table.insert(t, "c")
table.insert(t, 2, "b")
table.insert(t, 1, "z")
assert(table.concat(t) == "zabc" and #t == 4)
table.insert(t, 5, "e")
assert(t[5] == "e")
check_error("position out of bounds", table.insert, t, 7, "x")
check_error("position out of bounds", table.insert, t, 0, "x")
check_error("position out of bounds", table.insert, t, -1, "x")
check_error("wrong number of arguments to 'insert'", table.insert, t, 1, 2, 3)
check_error("wrong number of arguments to 'insert'", table.insert, t)
check_error("bad argument #2 to 'table.insert' (number expected, got string)", table.insert, t, "x", 1)
table.insert(t, #t + 1, nil)   -- inserting nil at the end is allowed
assert(#t == 5)

-- remove
t = {10, 20, 30, 40}
assert(table.remove(t) == 40 and #t == 3)
assert(table.remove(t, 1) == 10 and t[1] == 20 and t[2] == 30 and #t == 2)
assert(table.remove(t, #t + 1) == nil and #t == 2)
assert(table.remove({}) == nil)
assert(table.remove({}, 0) == nil)        -- size 0: position 0 is allowed
assert(table.remove({}, 1) == nil)
check_error("position out of bounds", table.remove, {}, 2)
check_error("position out of bounds", table.remove, {1, 2}, 4)
check_error("position out of bounds", table.remove, {1, 2}, -1)
t = {[0] = "zero"}
assert(table.remove(t, 0) == "zero" and t[0] == nil)
t = {n = 1}
t[1] = "x"
assert(table.remove(t, 1) == "x" and next(t) == "n")

-- move
local a = table.move({10, 20, 30}, 1, 3, 2)
assert(a[1] == 10 and a[2] == 10 and a[3] == 20 and a[4] == 30)
a = table.move({10, 20, 30}, 2, 3, 1)
assert(a[1] == 20 and a[2] == 30 and a[3] == 30)
local b = {}
assert(table.move({1, 2, 3}, 1, 3, 1, b) == b and b[3] == 3)
assert(table.move({1, 2, 3}, 1, 0, 5) [5] == nil)  -- f > e: nothing moved
a = table.move({1, 2, 3}, 1, 3, -1)
assert(a[-1] == 1 and a[0] == 2 and a[1] == 3)
b = table.move({[maxI - 1] = 1, [maxI] = 2}, maxI - 1, maxI, 1, {})
assert(b[1] == 1 and b[2] == 2)
b = table.move({[minI] = 1, [minI + 1] = 2}, minI, minI + 1, 1, {})
assert(b[1] == 1 and b[2] == 2)
check_error("too many elements to move", table.move, {}, 0, maxI, 1)
check_error("too many elements to move", table.move, {}, -1, maxI - 1, 1)
check_error("too many elements to move", table.move, {}, minI, -1, 1)
check_error("destination wrap around", table.move, {}, 1, maxI, 2)
check_error("destination wrap around", table.move, {}, 1, 2, maxI)
check_error("bad argument #1 to 'table.move' (table expected, got number)", table.move, 1, 1, 1, 1)
check_error("bad argument #5 to 'table.move' (table expected, got number)", table.move, {}, 1, 1, 1, 2)

-- pack / unpack
local p = table.pack()
assert(p.n == 0 and next(p) == "n")
p = table.pack(1, nil, 3, nil)
assert(p.n == 4 and p[1] == 1 and p[2] == nil and p[3] == 3)
assert(select("#", table.unpack({1, 2, 3})) == 3)
assert(select("#", table.unpack({1, 2, 3}, 2)) == 2)
assert(select("#", table.unpack({1, 2, 3}, 2, 5)) == 4)
assert(select("#", table.unpack({}, 3, 2)) == 0)
local x, y, z = table.unpack({1, 2, 3}, -1, 1)
assert(x == nil and y == nil and z == 1)
x, y = table.unpack({[maxI] = "m"}, maxI, maxI)
assert(x == "m" and y == nil)
x, y = table.unpack({[minI] = "m", [minI + 1] = "n"}, minI, minI + 1)
assert(x == "m" and y == "n")
check_error("too many results to unpack", table.unpack, {}, 1, maxI)
check_error("too many results to unpack", table.unpack, {}, minI, maxI)
check_error("too many results to unpack", table.unpack, {}, 0, (1 << 31) - 1)
assert(select("#", table.unpack({}, maxI, minI)) == 0)

-- create (5.5)
t = table.create(100)
assert(next(t) == nil and #t == 0)
for i = 1, 100 do t[i] = i end
assert(#t == 100)
t = table.create(0, 50)
assert(next(t) == nil)
t = table.create(10, 10)
t.x = 1; t[1] = 2
assert(t.x == 1 and t[1] == 2)
check_error("out of range", table.create, -1)
check_error("out of range", table.create, 1 << 40)
check_error("out of range", table.create, 0, -1)
check_error("bad argument #1 to 'table.create' (number expected, got no value)", table.create)
check_error("number has no integer representation", table.create, 1.5)

-- length not an integer
local weird = setmetatable({}, {__len = function () return "abc" end})
check_error("object length is not an integer", table.insert, weird, 1)
check_error("object length is not an integer", table.unpack, weird)

-- proxies: every access goes through the metamethods
do
  local log = {}
  local store = {"a", "b", "c"}
  local proxy = setmetatable({}, {
    __index = function (_, k) log[#log + 1] = "get" .. k; return store[k] end,
    __newindex = function (_, k, v) log[#log + 1] = "set" .. k; store[k] = v end,
    __len = function () return #store end,
  })
  assert(table.concat(proxy, ",") == "a,b,c")
  table.insert(proxy, "d")
  assert(store[4] == "d")
  table.insert(proxy, 1, "z")
  assert(table.concat(store) == "zabcd")
  assert(table.remove(proxy, 1) == "z" and table.concat(store) == "abcd")
  assert(select("#", table.unpack(proxy)) == 4)
  table.sort(proxy, function (p, q) return p > q end)
  assert(table.concat(store) == "dcba")
  local dest = table.move(proxy, 1, 2, 1, {})
  assert(dest[1] == "d" and dest[2] == "c")
  -- a userdata-like value with only __index can be read but not written
  local ro = setmetatable({}, {__index = store})
  assert(ro[1] == "d")
end

-- a non-table with the right metamethods is accepted
do
  local mt = {__index = function (_, i) return i * 10 end, __len = function () return 3 end}
  local obj = setmetatable({}, mt)
  local x1, x2, x3 = table.unpack(obj)
  assert(x1 == 10 and x2 == 20 and x3 == 30)
  check_error("table expected", table.insert, "abc", 1)
  check_error("table expected", table.concat, 42)
end

return "OK"
