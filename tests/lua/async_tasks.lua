-- The async runtime seen from Lua (issue 6): sleeps and timers in order,
-- many concurrent sleepers, suspension inside coroutine.wrap generators,
-- pcall and metamethods, errors in spawned threads, kill, wait.
-- Runs as a task on a worker (tests/unit/lua_scripts_test.cpp runs the
-- async_* scripts that way, as the CLI does).
local rua = require "rua"

-- ordering: sleeps end in the order of their deadlines, not of their start
do
  local order = {}
  local ts = {}
  for _, d in ipairs{0.03, 0.01, 0.02, 0.0} do
    ts[#ts + 1] = rua.spawn(function()
      rua.sleep(d)
      order[#order + 1] = d
      return d * 2
    end)
  end
  for i, t in ipairs(ts) do assert(rua.wait(t) ~= nil) end
  assert(table.concat(order, " ") == "0.0 0.01 0.02 0.03", table.concat(order, " "))
end

-- timers fire in deadline order; a cancelled one never fires; every repeats
do
  local fired = {}
  rua.timer(0.02, function(x) fired[#fired + 1] = x end, "b")
  rua.timer(0.01, function(x) fired[#fired + 1] = x end, "a")
  local c = rua.timer(0.015, function() fired[#fired + 1] = "cancelled" end)
  c:cancel()
  local n = 0
  local ev
  ev = rua.every(0.005, function()
    n = n + 1
    if n == 3 then ev:cancel() end
  end)
  rua.sleep(0.05)
  assert(table.concat(fired, ",") == "a,b", table.concat(fired, ","))
  assert(n == 3, n)
end

-- 10,000 sleeping threads take about the longest sleep, not the sum
do
  local start = rua.now()
  local ts = {}
  local done = 0
  for i = 1, 10000 do
    ts[i] = rua.spawn(function()
      rua.sleep(0.05)
      done = done + 1
    end)
  end
  for i = 1, #ts do rua.wait(ts[i]) end
  assert(done == 10000)
  local elapsed = rua.now() - start
  assert(elapsed < 5, elapsed)  -- the sum would be 500 s
end

-- suspension inside a coroutine.wrap generator: the whole chain waits
do
  local gen = coroutine.wrap(function()
    for i = 1, 3 do
      rua.sleep(0.001)
      coroutine.yield(i)
    end
  end)
  assert(gen() == 1 and gen() == 2 and gen() == 3)
  -- and a coroutine.yield inside the generator is not confused with the sleep
  local co = coroutine.create(function(a)
    local b = coroutine.yield(a + 1)
    rua.sleep(0.001)
    return b * 2
  end)
  local ok, v = coroutine.resume(co, 1)
  assert(ok and v == 2)
  ok, v = coroutine.resume(co, 21)
  assert(ok and v == 42 and coroutine.status(co) == "dead")
end

-- suspension inside pcall, xpcall and a metamethod
do
  local ok, err = pcall(function()
    rua.sleep(0.001)
    error("after sleep")
  end)
  assert(not ok and err:find("after sleep"))
  local ok2, v = xpcall(function() rua.sleep(0.001) return 7 end, debug.traceback)
  assert(ok2 and v == 7)
  local t = setmetatable({}, {__index = function(_, k)
    rua.sleep(0.001)
    return k .. "!"
  end})
  assert(t.x == "x!")
  local closed = false
  do
    local c <close> = setmetatable({}, {__close = function() rua.sleep(0.001); closed = true end})
  end
  assert(closed)
end

-- errors in spawned threads come back from wait as nil, err; the loop goes on
do
  local t = rua.spawn(function() rua.sleep(0.001); error("boom") end)
  local r, err = rua.wait(t)
  assert(r == nil and tostring(err):find("boom"), tostring(err))
  local t2 = rua.spawn(function() error({code = 1}) end)
  local r2, err2 = rua.wait(t2)
  assert(r2 == nil and type(err2) == "table" and err2.code == 1)
end

-- kill: a sleeping thread never resumes, and its wait says so
do
  local reached = false
  local t = rua.spawn(function() rua.sleep(0.02); reached = true end)
  rua.sleep(0.001)
  rua.kill(t)
  local r, err = rua.wait(t)
  assert(r == nil and err == "killed")
  rua.sleep(0.03)
  assert(not reached)
end

-- wait returns the results of a finished thread; a second wait says so
do
  local t = rua.spawn(function(a, b) return a + b, "x" end, 1, 2)
  local s, x = rua.wait(t)
  assert(s == 3 and x == "x")
  local r, err = rua.wait(t)
  assert(r == nil and err == "already waited")
end

return "OK"
