-- bench.lua PATH SECONDS [study]: rua.sqlite on the benchmark's database
-- (made by bench.py gen). Prints "<measurement> <per second>" lines; with
-- 'study', the table behind the default of inline_max_us instead (see
-- README.md). Runs on rua only.
local sqlite = require "rua.sqlite"
local path = assert(arg[1], "usage: bench.lua PATH SECONDS [study]")
local budget = tonumber(arg[2]) or 1.5

local ROWS = 10000
local LOOKUP = "SELECT id, name, email, age, created_at FROM users WHERE id = ?"
local INSERT = "INSERT INTO users_copy (name, email, age, created_at) VALUES (?, ?, ?, ?)"
local INSERTS = 10000

-- rua.now() is the loop's cached time: a sleep(0) turns the loop and refreshes it.
local function wall()
  rua.sleep(0)
  return rua.now()
end

-- Operations per second of step() (which does n operations), best of 5
-- rounds: by the wall clock, and by the process's CPU time (all threads),
-- which other jobs on a shared machine disturb much less.
local function rate(step)
  step()  -- warm up (and let the statements' timings settle)
  local best, best_cpu = 0, 0
  for _ = 1, 5 do
    local n, t0, c0, dt = 0, wall(), os.clock(), 0
    repeat
      n = n + step()
      dt = wall() - t0
    until dt >= budget / 5
    best = math.max(best, n / dt)
    best_cpu = math.max(best_cpu, n / (os.clock() - c0))
  end
  return best, best_cpu
end

local function lookups(db)
  local keys = {}
  for i = 1, 1000 do keys[i] = (i * 7919) % ROWS + 1 end  -- the same ids as bench.py
  return function()
    for i = 1, #keys do db:first(LOOKUP, keys[i]) end
    return #keys
  end
end

local function inserts(db, prepared)
  local ins = prepared and db:prepare(INSERT)
  local batch = {}  -- made beforehand, as bench.py does
  for i = 0, INSERTS - 1 do
    batch[i + 1] = {"name" .. i, "user" .. i .. "@example.com", i % 63 + 18, "2024-01-01T00:00:00Z"}
  end
  return function()
    db:run("DELETE FROM users_copy")
    db:transaction(function()
      for i = 1, INSERTS do
        local r = batch[i]
        if ins then
          ins:run(r[1], r[2], r[3], r[4])
        else
          db:run(INSERT, r[1], r[2], r[3], r[4])
        end
      end
    end)
    return INSERTS
  end
end

local function measure()
  local auto = assert(sqlite.open(path))
  local pool = assert(sqlite.open(path, {inline_max_us = 0}))
  local function report(name, step) print(string.format("%s %.0f %.0f", name, rate(step))) end
  report("lookup", lookups(auto))
  report("lookup_pool", lookups(pool))
  report("insert_tx", inserts(auto))
  report("insert_tx_prepared", inserts(auto, true))
  report("insert_tx_pool", inserts(pool))
  auto:close()
  pool:close()
end

-- Where should a query run? Queries of growing cost (a range of 'span'
-- rows), always inline or always on the pool: by 1 task, the wall time and
-- the CPU time (all threads) per query; by 4 tasks at once, each with its
-- own connection, queries per second.
local RANGE = "SELECT count(*) AS n, sum(age) AS s FROM users WHERE id BETWEEN ? AND ?"

local function range_queries(tasks, inline_us, span)
  local conns = {}
  for t = 1, tasks do conns[t] = assert(sqlite.open(path, {inline_max_us = inline_us})) end
  local per_task = 100
  local cpu, n = 0, 0
  local r = rate(function()
    local c0 = os.clock()
    local handles = {}
    for t = 1, tasks do
      handles[t] = rua.spawn(function()
        for i = 1, per_task do
          local lo = (i * 7919 + t) % (ROWS - span) + 1
          conns[t]:first(RANGE, lo, lo + span - 1)
        end
      end)
    end
    for t = 1, tasks do rua.wait(handles[t]) end
    cpu, n = cpu + os.clock() - c0, n + tasks * per_task
    return tasks * per_task
  end)
  for t = 1, tasks do conns[t]:close() end
  return r, cpu / n * 1e6
end

local function study()
  print("         ------- 1 task, us/query -------   4 tasks, queries/s")
  print("span    wall:inline  pool   cpu:inline  pool     inline    pool")
  for _, span in ipairs{1, 10, 30, 100, 300, 1000, 3000} do
    local inline_rate, inline_cpu = range_queries(1, 1e9, span)
    local pool_rate, pool_cpu = range_queries(1, 0, span)
    print(string.format("%4d %14.1f %5.1f %12.1f %5.1f %10.0f %7.0f", span, 1e6 / inline_rate, 1e6 / pool_rate,
      inline_cpu, pool_cpu, range_queries(4, 1e9, span), range_queries(4, 0, span)))
  end
end

if arg[3] == "study" then study() else measure() end
