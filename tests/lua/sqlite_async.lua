-- rua.sqlite on the event loop: queries suspend only their own task, the
-- loop keeps serving timers and other tasks meanwhile, concurrent writers
-- lose no rows, a transaction keeps other tasks' requests out until it
-- ends, a killed task's transaction rolls back. Needs a worker (the 'rua'
-- module): under the CLI, or tests/unit/sqlite_test.cpp. In a plain state
-- without one it has nothing to test and returns "OK" at once.
local has_rua, rua = pcall(require, "rua")
if not has_rua then return "OK" end
local sqlite = require "rua.sqlite"

local path = os.tmpname()
local function cleanup()
  for _, suffix in ipairs{"", "-wal", "-shm", "-journal"} do os.remove(path .. suffix) end
end

local db = assert(sqlite.open(path))
db:exec("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT, n INTEGER)")
local function count(where)
  return db:first("SELECT count(*) AS n FROM t" .. (where or "")).n
end

-- ---- a long query does not block the loop ----
-- One task runs a query of a few hundred milliseconds (on the blocking
-- pool); another sleeps in 10 ms steps meanwhile. Were the loop blocked,
-- no sleep could end before the query did.
local slow_sql = [[
  WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1500000)
  SELECT sum(x) AS s FROM c]]
local query_done = false
local naps_during_query = 0
local slow = rua.spawn(function()
  local r = db:first(slow_sql)
  query_done = true
  return r.s
end)
local napper = rua.spawn(function()
  while not query_done do
    rua.sleep(0.01)
    if not query_done then naps_during_query = naps_during_query + 1 end
  end
end)
assert(rua.wait(slow) == 1500000 * 1500001 // 2)
rua.wait(napper)
assert(naps_during_query >= 3, "the loop went on during the query: " .. naps_during_query .. " naps")

-- a timer fires while a query is suspended, on the same worker
local fired = 0
local timer = rua.every(0.005, function() fired = fired + 1 end)
assert(db:first(slow_sql).s > 0)
timer:cancel()
assert(fired >= 3, "timer fired " .. fired .. " times during the query")

-- ---- several tasks query one connection while another sleeps ----
db:transaction(function()
  for i = 1, 100 do db:run("INSERT INTO t (who, n) VALUES ('seed', ?)", i) end
end)
local order = {}
local sleeper = rua.spawn(function()
  rua.sleep(0.02)
  order[#order + 1] = "sleeper"
end)
local workers = {}
for w = 1, 4 do
  workers[w] = rua.spawn(function()
    local sum = 0
    for i = 1, 200 do
      local row = db:first("SELECT n FROM t WHERE id = ?", (i * 7 + w) % 100 + 1)
      sum = sum + row.n
    end
    local rows = db:query("SELECT n FROM t WHERE n <= ?", 10)
    order[#order + 1] = "worker"
    return sum, #rows
  end)
end
for w = 1, 4 do
  local sum, n = rua.wait(workers[w])
  assert(type(sum) == "number" and sum > 0 and n == 10)
end
rua.wait(sleeper)
assert(#order == 5)

-- ---- two connections write the same WAL file at once: no row lost ----
local writers = {}
for w = 1, 2 do
  writers[w] = rua.spawn(function()
    local conn = assert(sqlite.open(path, {busy_timeout_ms = 10000}))
    for i = 1, 100 do
      conn:transaction(function(tx)
        tx:run("INSERT INTO t (who, n) VALUES (?, ?)", "writer" .. w, i)
      end)
    end
    conn:close()
    return true
  end)
end
for w = 1, 2 do assert(rua.wait(writers[w]) == true) end
assert(count(" WHERE who = 'writer1'") == 100 and count(" WHERE who = 'writer2'") == 100)

-- ---- a transaction keeps other tasks' requests out until it ends ----
local events = {}
local owner = rua.spawn(function()
  db:transaction(function(tx)
    tx:run("INSERT INTO t (who) VALUES ('txn')")
    events[#events + 1] = "first insert"
    rua.sleep(0.03)
    tx:run("INSERT INTO t (who) VALUES ('txn')")
    events[#events + 1] = "commit"
  end)
end)
local reader = rua.spawn(function()
  rua.sleep(0.01)  -- the transaction is open now, its task asleep
  local n = count(" WHERE who = 'txn'")
  events[#events + 1] = "reader saw " .. n
end)
rua.wait(owner)
rua.wait(reader)
assert(table.concat(events, ", ") == "first insert, commit, reader saw 2", table.concat(events, ", "))

-- ---- a killed task's transaction rolls back ----
local before = count()
local victim = rua.spawn(function()
  db:transaction(function(tx)
    tx:run("INSERT INTO t (who) VALUES ('victim')")
    rua.sleep(10)
  end)
end)
rua.sleep(0.02)
assert(rua.kill(victim) == true)
assert(count() == before, "the victim's insert was rolled back")
db:transaction(function(tx) tx:run("INSERT INTO t (who) VALUES ('after')") end)
assert(count() == before + 1, "the connection is free again")

-- a task killed while its db:transaction waits for another task's to end
-- leaves no transaction behind either
local holder = rua.spawn(function()
  db:transaction(function(tx)
    tx:run("INSERT INTO t (who) VALUES ('holder')")
    rua.sleep(0.03)
  end)
end)
rua.sleep(0.01)
local waiter = rua.spawn(function()
  db:transaction(function(tx) tx:run("INSERT INTO t (who) VALUES ('waiter')") end)
end)
rua.sleep(0.005)
assert(rua.kill(waiter) == true)
rua.wait(holder)
assert(count(" WHERE who = 'holder'") == 1 and count(" WHERE who = 'waiter'") == 0)
local free = rua.spawn(function()
  db:transaction(function(tx) tx:run("INSERT INTO t (who) VALUES ('free')") end)
  return true
end)
assert(rua.wait(free) == true and count(" WHERE who = 'free'") == 1, "no transaction was left open")

-- a task killed while its query runs, or inside a rows() loop: the query's
-- result is dropped, the loop's statement reset, the connection goes on
local victim2 = rua.spawn(function() return db:first(slow_sql) end)
rua.sleep(0.005)
assert(rua.kill(victim2) == true)
local walk = db:prepare("SELECT n FROM t WHERE who = 'seed'")
local walker = rua.spawn(function()
  for row in walk:rows() do
    if row.n == 70 then rua.sleep(10) end  -- past the first read-ahead
  end
end)
rua.sleep(0.02)
assert(rua.kill(walker) == true)
local walked = 0
for _ in walk:rows() do walked = walked + 1 end
assert(walked == 100 and count(" WHERE who = 'seed'") == 100)
walk:finalize()

-- ---- suspending through coroutines, pcall and iterators ----
local gen = coroutine.wrap(function()
  for _, row in ipairs(db:query("SELECT n FROM t WHERE who = 'seed' AND n <= 3 ORDER BY n")) do
    coroutine.yield(row.n)
  end
end)
assert(gen() == 1 and gen() == 2 and gen() == 3)
local ok, err = pcall(db.query, db, "SELEC")
assert(not ok and err:find("syntax error"))
local st = db:prepare("SELECT n FROM t WHERE who = 'seed' ORDER BY n")
local total = 0
for row in st:rows() do total = total + row.n end  -- 100 rows: two read-ahead batches
assert(total == 5050)
st:finalize()

-- ---- where the caller cannot suspend, statements run synchronously ----
local list = {3, 1, 2}
table.sort(list, function(x, y) return db:first("SELECT ? < ? AS lt", x, y).lt == 1 end)
assert(table.concat(list, ",") == "1,2,3")
package.preload["sqlite_async_probe"] = function() return db:first("SELECT 5 AS five").five end
assert(require("sqlite_async_probe") == 5)
local mt = {__index = function(_, k) return db:first("SELECT ? AS v", k).v end}
assert(setmetatable({}, mt).hello == "hello", "in a metamethod")

-- ---- many tasks, each with its own connection ----
local opened = {}
for i = 1, 8 do
  opened[i] = rua.spawn(function()
    local c = assert(sqlite.open(path, {readonly = true}))
    local n = c:first("SELECT count(*) AS n FROM t").n
    c:close()
    return n
  end)
end
for i = 1, 8 do assert(rua.wait(opened[i]) == count()) end

-- close waits for the requests made before it; later ones raise
local queued = rua.spawn(function() return db:first(slow_sql).s end)
rua.sleep(0)
assert(db:close() == true)
assert(rua.wait(queued) > 0)
assert(not pcall(db.first, db, "SELECT 1"))
cleanup()
return "OK"
