-- GC pauses with a large live heap (issue 5): about 1,000,000 small tables
-- stay alive in one big table while a loop allocates garbage and mutates the
-- live set. Reports the longest gap between loop iterations (a GC step is
-- the only thing that can make one long), the 99th percentile, peak RSS,
-- and the heap's range in each quarter of the run. The live set itself grows
-- at first (a replaced slot holds two tables and a string, not one table)
-- and levels off once most slots have been replaced (95% after 3 x LIVE
-- iterations); past that the range should stay flat.
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

-- The gap list is sized up front: growing it would put the copy of a large
-- array (a resize of the program's own table, not the collector) into the
-- gaps it measures. table.create is Lua 5.5; 5.4 falls back to {}.
local gaps = table.create and table.create(iters // 64 + 1) or {}
local ngaps = 0
local last = clock()
local maxgap, sum = 0, 0
local heap_lo, heap_hi = math.huge, 0  -- heap range over a quarter of the run
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
    local kb = collectgarbage("count")
    if kb > heap_hi then heap_hi = kb end
    if kb < heap_lo then heap_lo = kb end
  end
  if it % (iters // 4) == 0 then
    print(string.format("  iterations %8d: heap now %.1f MB, lowest %.1f MB, highest %.1f MB in this quarter",
      it, collectgarbage("count") / 1024, heap_lo / 1024, heap_hi / 1024))
    heap_lo, heap_hi = math.huge, 0
    last = clock()  -- the report itself is not a pause
  end
end
table.sort(gaps)
local p99 = gaps[math.max(1, math.floor(ngaps * 0.99))]
local p50 = gaps[math.max(1, math.floor(ngaps * 0.50))]
print(string.format("live tables       %d", live_n))
print(string.format("gap per 64 iterations: median %.3f ms, p99 %.3f ms, max %.3f ms", p50 * 1e3, p99 * 1e3, maxgap * 1e3))
print(string.format("peak RSS          %.1f MB", rss_kb("VmHWM") / 1024))
