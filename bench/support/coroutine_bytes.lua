-- coroutine_bytes.lua [N]: bytes of Lua heap per suspended coroutine, as a server keeps one per
-- waiting request: N coroutines of one function, each resumed once and now suspended in a
-- yield one call deep. Prints an integer (bytes) for bench/run.py.
local n = tonumber(arg and arg[1]) or 20000
local create, resume, yield = coroutine.create, coroutine.resume, coroutine.yield
local function wait_for(x) return yield(x) end
local function handler(id) local v = wait_for(id); return v end
local keep = {}
for i = 1, n do keep[i] = false end  -- the array slots exist before the first count
collectgarbage(); collectgarbage()
local before = collectgarbage("count")
for i = 1, n do
  local co = create(handler)
  resume(co, i)
  keep[i] = co
end
collectgarbage(); collectgarbage()
local after = collectgarbage("count")
io.write(string.format("%d\n", math.floor((after - before) * 1024 / n + 0.5)))
