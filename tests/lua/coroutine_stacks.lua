-- New threads get a stack sized from the function they run first
-- (issue 6): functions with many registers, many arguments, varargs and
-- natives called from their last register work in coroutines without
-- errors, and deep recursion still grows the stack. Checked on PUC Lua 5.5.

-- a function with 110 locals that calls natives (which need 20 free slots)
-- from above its last local, yielding in between
local function wide(x)
  local a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47, a48, a49, a50, a51, a52, a53, a54, a55, a56, a57, a58, a59, a60, a61, a62, a63, a64, a65, a66, a67, a68, a69, a70, a71, a72, a73, a74, a75, a76, a77, a78, a79, a80, a81, a82, a83, a84, a85, a86, a87, a88, a89, a90, a91, a92, a93, a94, a95, a96, a97, a98, a99, a100, a101, a102, a103, a104, a105, a106, a107, a108, a109 = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109
  local s = select("#", a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47, a48, a49, a50, a51, a52, a53, a54, a55, a56, a57, a58, a59, a60, a61, a62, a63, a64, a65, a66, a67, a68, a69, a70, a71, a72, a73, a74, a75, a76, a77, a78, a79, a80, a81, a82, a83, a84, a85, a86, a87, a88, a89, a90, a91, a92, a93, a94, a95, a96, a97, a98, a99, a100, a101, a102, a103, a104, a105, a106, a107, a108, a109)
  coroutine.yield(s + x)
  return string.format("%d %d %d", a0, a109, s), math.max(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47, a48, a49, a50, a51, a52, a53, a54, a55, a56, a57, a58, a59, a60, a61, a62, a63, a64, a65, a66, a67, a68, a69, a70, a71, a72, a73, a74, a75, a76, a77, a78, a79, a80, a81, a82, a83, a84, a85, a86, a87, a88, a89, a90, a91, a92, a93, a94, a95, a96, a97, a98, a99, a100, a101, a102, a103, a104, a105, a106, a107, a108, a109)
end
do
  local co = coroutine.create(wide)
  local ok, v = coroutine.resume(co, 1)
  assert(ok and v == 111, v)
  local ok2, s, m = coroutine.resume(co)
  assert(ok2 and s == "0 109 110" and m == 109, s)
  assert(coroutine.status(co) == "dead")
end

-- many arguments to a vararg function, passed at the first resume
do
  local co = coroutine.wrap(function(...)
    local n = select("#", ...)
    local t = {...}
    coroutine.yield(n)
    local sum = 0
    for i = 1, n do sum = sum + t[i] end
    return sum
  end)
  local args = {}
  for i = 1, 240 do args[i] = i end
  assert(co(table.unpack(args)) == 240)
  assert(co() == 240 * 241 // 2)
end

-- deep recursion inside a coroutine grows its stack past any first size
do
  local function depth(n) if n == 0 then return coroutine.yield(0) + 0 end return depth(n - 1) + 1 end
  local co = coroutine.create(depth)
  local ok, v = coroutine.resume(co, 5000)
  assert(ok and v == 0)
  local ok2, r = coroutine.resume(co, 7)
  assert(ok2 and r == 5007, r)
end

-- a stack overflow in a coroutine is still a catchable error
do
  local function inf(n) return 1 + inf(n + 1) end
  local co = coroutine.create(inf)
  local ok, err = coroutine.resume(co, 1)
  assert(not ok and string.find(err, "stack overflow"), err)
end

-- a thread created from a native (no Lua frame to size from) works too
do
  local co = coroutine.wrap(string.rep)
  assert(co("ab", 3) == "ababab")
end

return "OK"
