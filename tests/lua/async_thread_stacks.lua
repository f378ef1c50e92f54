-- Spawned threads get a stack sized from the function they run (issue 6):
-- a function with many registers, called with 200 arguments (they are
-- moved onto the new thread's stack: a fixed-size stack overflowed here),
-- that waits in rua.sleep from above its last local, and one that recurses
-- deeply before waiting.
local rua = require "rua"

local function wide(x, y)
  local a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47, a48, a49, a50, a51, a52, a53, a54, a55, a56, a57, a58, a59, a60, a61, a62, a63, a64, a65, a66, a67, a68, a69, a70, a71, a72, a73, a74, a75, a76, a77, a78, a79, a80, a81, a82, a83, a84, a85, a86, a87, a88, a89, a90, a91, a92, a93, a94, a95, a96, a97, a98, a99, a100, a101, a102, a103, a104, a105, a106, a107, a108, a109 = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109
  rua.sleep(0.001)
  return x + y + math.max(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47, a48, a49, a50, a51, a52, a53, a54, a55, a56, a57, a58, a59, a60, a61, a62, a63, a64, a65, a66, a67, a68, a69, a70, a71, a72, a73, a74, a75, a76, a77, a78, a79, a80, a81, a82, a83, a84, a85, a86, a87, a88, a89, a90, a91, a92, a93, a94, a95, a96, a97, a98, a99, a100, a101, a102, a103, a104, a105, a106, a107, a108, a109)
end

local function deep(n)
  if n == 0 then rua.sleep(0.001) return 0 end
  return deep(n - 1) + 1
end

local args = {}
for i = 1, 200 do args[i] = i end
local ts = {}
for i = 1, 50 do
  ts[#ts + 1] = rua.spawn(wide, i, table.unpack(args))
  ts[#ts + 1] = rua.spawn(deep, 1000 + i)
end
for i = 1, 50 do
  assert(rua.wait(ts[2 * i - 1]) == i + 1 + 109)
  assert(rua.wait(ts[2 * i]) == 1000 + i)
end
-- a native function spawned with many arguments: the new thread's stack
-- must hold them all though there is no Lua frame to size it from
do
  local many = {}
  for i = 1, 300 do many[i] = i end
  local t = rua.spawn(select, "#", table.unpack(many))
  assert(rua.wait(t) == 300)
  local t2 = rua.spawn(math.max, table.unpack(many))
  assert(rua.wait(t2) == 300)
end

-- vararg functions that wait: their frame sits above their hidden
-- arguments, and their results must still be counted from where the
-- function was (before the fix rua.wait got a garbage result count)
do
  local t1 = rua.spawn(function(...) rua.sleep(0.001) return select("#", ...), ... end, 5, 6, 7)
  local n, a, b, c = rua.wait(t1)
  assert(n == 3 and a == 5 and b == 6 and c == 7)
  local t2 = rua.spawn(function(x, ...) rua.sleep(0) return x, ... end, "x", nil, "z")
  local r = table.pack(rua.wait(t2))
  assert(r.n == 3 and r[1] == "x" and r[2] == nil and r[3] == "z")
  local t3 = rua.spawn(function(...) rua.sleep(0) return end, 1, 2)
  assert(select("#", rua.wait(t3)) == 0)
  local t4 = rua.spawn(function(...)
    local gen = coroutine.wrap(function(...) rua.sleep(0) coroutine.yield(...) end)
    return gen(...)
  end, 8, 9)
  local p, q = rua.wait(t4)
  assert(p == 8 and q == 9)
  local t5 = rua.spawn(function(...) rua.sleep(0) error({code = select("#", ...)}) end, 1, 2, 3)
  local ok, err = rua.wait(t5)
  assert(ok == nil and type(err) == "table" and err.code == 3)
end

return "OK"
