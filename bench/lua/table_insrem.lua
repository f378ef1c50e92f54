-- table_insrem: table.insert and table.remove as containers use them: a stack (push/pop at the
-- end), a FIFO queue (remove at the front, which shifts), inserts at given positions to keep an
-- array sorted, removal from the middle, appends with t[#t + 1], and the length operator.
-- usage: lua table_insrem.lua [N]   (N rounds)
local n = tonumber(arg and arg[1]) or 6000
local insert, remove = table.insert, table.remove

local seed = 12345
local function rand(m)
  seed = (seed * 16807) % 2147483647
  return seed % m
end

local check = 0
for round = 1, n do
  -- stack: push 200, pop them all, with a few peeks
  local stack = {}
  for i = 1, 200 do insert(stack, i * round % 1009) end
  while #stack > 0 do
    local top = stack[#stack]
    local v = remove(stack)
    check = (check + v + top) % 1000000007
  end

  -- FIFO queue: 64 items, then remove from the front and append at the end
  local queue = {}
  for i = 1, 64 do queue[#queue + 1] = i end
  for i = 1, 150 do
    local v = remove(queue, 1)
    insert(queue, v + i)
  end
  check = (check + queue[1] + queue[#queue] + #queue) % 1000000007

  -- a sorted array kept by inserting at the right position (binary search)
  local sorted = {}
  for _ = 1, 120 do
    local v = rand(10000)
    local lo, hi = 1, #sorted
    while lo <= hi do
      local mid = (lo + hi) // 2
      if sorted[mid] < v then lo = mid + 1 else hi = mid - 1 end
    end
    insert(sorted, lo, v)
  end
  -- remove from the middle until a few are left
  while #sorted > 10 do
    local v = remove(sorted, (#sorted + 1) // 2)
    check = (check + v) % 1000000007
  end
  for i = 1, #sorted do check = (check + i * sorted[i]) % 1000000007 end
end
print(string.format("table_insrem %d %d", n, check))
