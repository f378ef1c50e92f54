-- GC pauses with a large live heap (issue 5): about 1,000,000 small tables
-- stay alive in one big table while a loop allocates garbage and mutates the
-- live set. Reports the longest gap between loop iterations (a GC step is
-- the only thing that can make one long), the 99th percentile, peak RSS,
-- and the heap size at checkpoints (it should stay flat).
-- Runs on any Lua 5.4/5.5. usage: lua pauses.lua [LIVE] [ITERATIONS]
local live_n = tonumber(arg and arg[1]) or 1000000
local iters = tonumber(arg and arg[2]) or 3000000
local clock = os.clock  -- CPU time of this single-threaded process, ~1 us resolution

local function rss_kb(field)
  local f = io.open("/proc/self/status")
  if not f then return 0 end
  local s = f:read("a")
  f:close()
  return tonumber(s:match(field .. ":%s*(%d+)")) or 0
end

local live = {}
for i = 1, live_n do live[i] = {i, i * 2} end

local gaps = {}
local ngaps = 0
local last = clock()
local maxgap, sum = 0, 0
local seed = 1
for it = 1, iters do
  local g = {it, tostring(it)}         -- garbage
  seed = (seed * 16807) % 2147483647
  live[seed % live_n + 1] = {it, g}     -- the live set changes too (barriers)
  if it % 64 == 0 then
    local now = clock()
    local gap = now - last
    last = now
    ngaps = ngaps + 1
    gaps[ngaps] = gap
    if gap > maxgap then maxgap = gap end
  end
  if it % (iters // 4) == 0 then
    print(string.format("  after %8d iterations: heap %.1f MB", it, collectgarbage("count") / 1024))
    last = clock()  -- the report itself is not a pause
  end
end
table.sort(gaps)
local p99 = gaps[math.max(1, math.floor(ngaps * 0.99))]
local p50 = gaps[math.max(1, math.floor(ngaps * 0.50))]
print(string.format("live tables       %d", live_n))
print(string.format("gap per 64 iterations: median %.3f ms, p99 %.3f ms, max %.3f ms", p50 * 1e3, p99 * 1e3, maxgap * 1e3))
print(string.format("peak RSS          %.1f MB", rss_kb("VmHWM") / 1024))
