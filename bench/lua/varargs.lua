-- varargs: variadic functions: forwarding ... through wrappers, select("#", ...) and
-- select(i, ...), table.pack/table.unpack, multiple returns adjusted in calls and table
-- constructors, and small helpers (max, sum, bind) that take any number of arguments.
-- usage: lua varargs.lua [N]   (N rounds)
local n = tonumber(arg and arg[1]) or 700000
local select, pack, unpack = select, table.pack, table.unpack

local function sum(...)
  local s = 0
  for i = 1, select("#", ...) do s = s + (select(i, ...)) end
  return s
end

local function max(first, ...)
  local m = first
  local rest = { ... }
  for i = 1, #rest do if rest[i] > m then m = rest[i] end end
  return m
end

local function bind(f, a)
  return function(...) return f(a, ...) end
end

local function logged(f)  -- a wrapper that forwards everything, as middleware does
  return function(...)
    local results = pack(f(...))
    return unpack(results, 1, results.n)
  end
end

local function three(x) return x, x + 1, x + 2 end

local lsum = logged(sum)
local add10 = bind(sum, 10)
local check = 0
for i = 1, n do
  local a = lsum(i, 1, 2, 3)
  local b = add10(three(i))
  local c = max(three(i % 100))
  local t = { three(i) }
  local p = pack(i, nil, three(i))
  local d = select("#", three(i)) + p.n + #t
  local e = sum(unpack(t)) + select(-1, three(i))
  check = (check + a + b + c + d + e) % 1000000007
end
print(string.format("varargs %d %d", n, check))
