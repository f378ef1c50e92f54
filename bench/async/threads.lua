-- Waiting light threads on rua's event loop: memory per suspended thread
-- and the cost of spawning and resuming one. Needs rua (the 'rua' module).
-- usage: rua threads.lua [N]        (default 100000 threads)
local rua = require "rua"
local n = tonumber(arg and arg[1]) or 100000

local function rss_kb()
  local f = io.open("/proc/self/status")
  if not f then return 0 end
  local s = f:read("a")
  f:close()
  return tonumber(s:match("VmRSS:%s*(%d+)")) or 0
end

-- memory: n threads, each suspended in rua.sleep
collectgarbage()
collectgarbage()
local kb0, rss0 = collectgarbage("count"), rss_kb()
local ts = {}
local done = 0
for i = 1, n do
  ts[i] = rua.spawn(function() rua.sleep(0.5); done = done + 1 end)
end
rua.sleep(0.1)  -- all of them are now waiting
collectgarbage()
collectgarbage()
local kb1, rss1 = collectgarbage("count"), rss_kb()
for i = 1, n do rua.wait(ts[i]) end
assert(done == n)
ts = nil
print(string.format("threads waiting         %d", n))
print(string.format("heap per waiting thread %.0f bytes (collectgarbage count)", (kb1 - kb0) * 1024 / n))
print(string.format("RSS per waiting thread  %.0f bytes", (rss1 - rss0) * 1024 / n))

-- time: spawn a thread that yields to the loop once (rua.sleep(0)), wait for it
local m = n
local t0 = os.clock()
for i = 1, m do
  local t = rua.spawn(function() rua.sleep(0) return i end)
  rua.wait(t)
end
local dt = os.clock() - t0
print(string.format("spawn+suspend+resume+wait  %.0f ns per thread", dt * 1e9 / m))
