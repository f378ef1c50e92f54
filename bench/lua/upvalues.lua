-- upvalues: closures and their upvalues: counter and accumulator factories, closures made in a
-- loop (a fresh upvalue per iteration, closed when the iteration ends), upvalues shared by
-- several closures, access through two and three levels of nesting, callbacks passed to
-- higher-order functions, memoization through an upvalue table.
-- usage: lua upvalues.lua [N]   (N rounds)
local n = tonumber(arg and arg[1]) or 250000

local function counter(start, step)
  local value = start
  return function() value = value + step; return value end,
         function() return value end,
         function(v) value = v end
end

local function map(t, f)
  local r = {}
  for i = 1, #t do r[i] = f(t[i]) end
  return r
end

local function reduce(t, f, acc)
  for i = 1, #t do acc = f(acc, t[i]) end
  return acc
end

local function memoize(f)
  local cache = {}
  return function(x)
    local v = cache[x]
    if v == nil then v = f(x); cache[x] = v end
    return v
  end
end

local square = memoize(function(x) return x * x % 10007 end)
local data = {}
for i = 1, 16 do data[i] = i end

local check = 0
for round = 1, n do
  -- shared upvalue between three closures
  local inc, get, set = counter(round, 3)
  for _ = 1, 5 do inc() end
  if get() > 1000000 then set(0) end
  check = (check + get()) % 1000000007

  -- closures made in a loop, each capturing its own iteration variable
  local fs = {}
  for i = 1, 8 do
    local scaled = i * round
    fs[i] = function(x) return x + scaled + i end
  end
  local s = 0
  for i = 1, 8 do s = s + fs[i](round) end
  check = (check + s) % 1000000007

  -- callbacks capturing locals of this round
  local offset = round % 17
  local mapped = map(data, function(x) return x * 2 + offset end)
  local sum = reduce(mapped, function(a, b) return a + b end, 0)
  check = (check + sum + square(round % 500)) % 1000000007

  -- three levels of nesting, the innermost writes an outer upvalue
  local total = 0
  local function outer(a)
    local function middle(b)
      local function inner(c) total = total + a + b + c end
      inner(1); inner(2)
    end
    middle(a); middle(a + 1)
  end
  outer(round % 13)
  check = (check + total) % 1000000007
end
print(string.format("upvalues %d %d", n, check))
