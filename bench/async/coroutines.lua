-- The reference: PUC-style coroutines, suspended in a yield. Runs on any
-- Lua 5.4/5.5 (PUC's lua as the reference figures, rua for comparison).
-- usage: lua coroutines.lua [N]      (default 100000 coroutines)
local n = tonumber(arg and arg[1]) or 100000

local function rss_kb()
  local f = io.open("/proc/self/status")
  if not f then return 0 end
  local s = f:read("a")
  f:close()
  return tonumber(s:match("VmRSS:%s*(%d+)")) or 0
end

collectgarbage()
collectgarbage()
local kb0, rss0 = collectgarbage("count"), rss_kb()
local cos = {}
local function body() coroutine.yield() end
for i = 1, n do
  local co = coroutine.create(body)
  coroutine.resume(co)  -- now suspended in the yield
  cos[i] = co
end
collectgarbage()
collectgarbage()
local kb1, rss1 = collectgarbage("count"), rss_kb()
print(string.format("coroutines suspended       %d", n))
print(string.format("heap per suspended coroutine %.0f bytes", (kb1 - kb0) * 1024 / n))
print(string.format("RSS per suspended coroutine  %.0f bytes", (rss1 - rss0) * 1024 / n))
cos = nil

-- resume+yield round trips on one coroutine
local co = coroutine.wrap(function() while true do coroutine.yield() end end)
local m = n * 20
local t0 = os.clock()
for i = 1, m do co() end
print(string.format("resume+yield             %.0f ns", (os.clock() - t0) * 1e9 / m))
-- create + resume to the end, per coroutine
t0 = os.clock()
for i = 1, n do coroutine.resume(coroutine.create(function() end)) end
print(string.format("create+resume            %.0f ns per coroutine", (os.clock() - t0) * 1e9 / n))
