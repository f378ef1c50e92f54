-- rua.sqlite errors: bad SQL, constraint violations, a busy database, use
-- after close, the 'safe' form, failed opens, transactions that roll back.
-- After each error the connection stays usable and nothing committed is
-- lost. (Native to rua: not for PUC Lua.)
local sqlite = require "rua.sqlite"

local path = os.tmpname()
local function cleanup()
  for _, suffix in ipairs{"", "-wal", "-shm", "-journal"} do os.remove(path .. suffix) end
end

local function fails(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error matching " .. pattern)
  assert(string.find(tostring(err), pattern), err)
  return err
end

local db = assert(sqlite.open(path))
db:exec([[
  CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE NOT NULL, age INTEGER CHECK (age >= 0));
  INSERT INTO users (email, age) VALUES ('a@x', 1), ('b@x', 2);
]])
local function count() return db:first("SELECT count(*) AS n FROM users").n end

-- ---- a bad statement ----
fails("near \"SELEC\": syntax error %(SQLITE_ERROR%)", db.query, db, "SELEC * FROM users")
fails("no such table: nope %(SQLITE_ERROR%)", db.first, db, "SELECT * FROM nope")
fails("no such column: nope %(SQLITE_ERROR%)", db.run, db, "UPDATE users SET nope = 1")
fails("syntax error", db.exec, db, "CREATE TABLE t2 (a); CREATE TABLE (")
assert(db:first("SELECT count(*) AS n FROM sqlite_master WHERE name = 't2'").n == 1,
  "exec stops at the failing statement; the ones before it ran")
-- raised from a method call, the message has the caller's position
local err = fails("", function() return db:query("SELEC") end)
assert(err:match("^[^:]*sqlite_errors%.lua:%d+: near"), err)
assert(count() == 2, "still usable")

-- ---- constraint violations ----
fails("UNIQUE constraint failed: users%.email %(SQLITE_CONSTRAINT%)", db.run, db,
  "INSERT INTO users (email) VALUES (?)", "a@x")
fails("NOT NULL constraint failed: users%.email", db.run, db, "INSERT INTO users (email) VALUES (NULL)")
fails("CHECK constraint failed", db.run, db, "INSERT INTO users (email, age) VALUES ('c@x', -1)")
local st = db:prepare("INSERT INTO users (email) VALUES (?)")
fails("UNIQUE constraint failed", st.run, st, "b@x")
assert(st:run("c@x").changes == 1, "the statement is usable after a failure")
fails("UNIQUE constraint failed", function() return st:bind("c@x"):step() end)
st:finalize()
assert(count() == 3)

-- ---- the safe form: nil, message, primary code, extended code ----
local sdb = assert(sqlite.open(path, {safe = true}))
local rows, msg, code, ext = sdb:query("SELEC 1")
assert(rows == nil and msg:find("syntax error %(SQLITE_ERROR%)") and code == sqlite.ERROR and ext == 1)
local res
res, msg, code, ext = sdb:run("INSERT INTO users (email) VALUES ('a@x')")
assert(res == nil and msg:find("^UNIQUE constraint failed"))
assert(code == sqlite.CONSTRAINT and ext == 2067, "SQLITE_CONSTRAINT_UNIQUE")
res, msg, code = sdb:first("SELECT ?")
assert(res == nil and msg == "no value for parameter 1 (SQLITE_RANGE)" and code == sqlite.RANGE)
res, msg = sdb:exec("BOGUS")
assert(res == nil and msg:find("syntax error"))
res, msg = sdb:prepare("SELECT * FROM nope")
assert(res == nil and msg:find("no such table"))
local sst = assert(sdb:prepare("INSERT INTO users (email) VALUES (?)"))
res, msg, code = sst:run("a@x")
assert(res == nil and code == sqlite.CONSTRAINT)
res, msg, code = sst:bind(1, 2)
assert(res == nil and msg:find("too many values") and code == sqlite.RANGE)
sst:finalize()
assert(sdb:first("SELECT 1 AS one").one == 1, "a success returns as usual")
assert(select("#", sdb:first("SELECT 1 WHERE 0")) == 1, "no row: a single nil")
-- misuse still raises
fails("cannot bind a table value", sdb.first, sdb, "SELECT :a", {a = {}})
-- f's errors are raised, not returned
fails("boom", sdb.transaction, sdb, function() error("boom") end)
sdb:close()
fails("attempt to use a closed database", sdb.query, sdb, "SELECT 1")

-- ---- opening ----
local nodb, omsg, ocode, oext = sqlite.open("/nonexistent-dir/x.db")
assert(nodb == nil and omsg == "unable to open database file (SQLITE_CANTOPEN)" and ocode == sqlite.CANTOPEN)
assert(oext == sqlite.CANTOPEN)
assert(sqlite.open(path .. "-missing", {create = false}) == nil)
local rdb = assert(sqlite.open(path, {readonly = true}))
assert(rdb:first("SELECT count(*) AS n FROM users").n == 3)
fails("attempt to write a readonly database %(SQLITE_READONLY%)", rdb.run, rdb, "DELETE FROM users")
rdb:close()
fails("unknown option 'bogus'", sqlite.open, path, {bogus = 1})
fails("option 'wal' must be a boolean", sqlite.open, path, {wal = "yes"})
fails("option 'busy_timeout_ms' must be an integer in range", sqlite.open, path, {busy_timeout_ms = -1})
fails("option 'synchronous' must be", sqlite.open, path, {synchronous = "sometimes"})
fails("option 'inline_max_us' must be a number >= 0", sqlite.open, path, {inline_max_us = -1})
fails("bad argument #1 to 'open' %(string expected", function() return sqlite.open() end)

-- ---- a busy database ----
-- b waits at most 50 ms for the write lock that a holds, then fails with
-- SQLITE_BUSY; once a commits, b's write goes through.
local a = assert(sqlite.open(path))
local b = assert(sqlite.open(path, {busy_timeout_ms = 50}))
a:exec("BEGIN IMMEDIATE")
a:run("INSERT INTO users (email) VALUES ('held@x')")
fails("database is locked %(SQLITE_BUSY%)", b.run, b, "INSERT INTO users (email) VALUES ('b@y')")
fails("database is locked", b.transaction, b, function() end)
local bsafe = assert(sqlite.open(path, {busy_timeout_ms = 0, safe = true}))
local _, bmsg, bcode = bsafe:run("INSERT INTO users (email) VALUES ('b@z')")
assert(bmsg == "database is locked (SQLITE_BUSY)" and bcode == sqlite.BUSY)
assert(b:first("SELECT count(*) AS n FROM users").n == 3, "WAL: readers go on, without the uncommitted row")
a:exec("COMMIT")
assert(b:run("INSERT INTO users (email) VALUES ('b@y')").changes == 1)
assert(bsafe:run("INSERT INTO users (email) VALUES ('b@z')").changes == 1)
assert(count() == 6)
bsafe:close()
-- without WAL a reader's open cursor blocks a writer's commit; leaving the
-- loop early releases it (the iterator's closing value resets the statement)
local rb = assert(sqlite.open(path .. "-rb", {wal = false, busy_timeout_ms = 0}))
local wb = assert(sqlite.open(path .. "-rb", {wal = false, busy_timeout_ms = 0}))
rb:exec("CREATE TABLE n (x)")
rb:transaction(function() for i = 1, 200 do rb:run("INSERT INTO n VALUES (?)", i) end end)  -- over one read-ahead
local cur = rb:prepare("SELECT x FROM n")
for row in cur:rows() do
  assert(row.x == 1)
  fails("database is locked", wb.run, wb, "INSERT INTO n VALUES (0)")
  break
end
assert(wb:run("INSERT INTO n VALUES (0)").changes == 1, "the reader let go")
cur:finalize()
rb:close()
wb:close()
os.remove(path .. "-rb")

-- ---- transactions roll back ----
local n0 = count()
fails("UNIQUE constraint failed", db.transaction, db, function(tx)
  tx:run("INSERT INTO users (email) VALUES ('t1@x')")
  tx:run("INSERT INTO users (email) VALUES ('a@x')")  -- fails: the whole transaction goes
end)
assert(count() == n0, "rolled back")
assert(db:first("SELECT count(*) AS n FROM users WHERE email = 't1@x'").n == 0)
-- a failing COMMIT (a deferred foreign key) rolls back and reports
db:exec([[
  PRAGMA foreign_keys = ON;
  CREATE TABLE child (id INTEGER PRIMARY KEY,
    parent INTEGER REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED);
]])
fails("FOREIGN KEY constraint failed %(SQLITE_CONSTRAINT%)", db.transaction, db, function(tx)
  tx:run("INSERT INTO users (email) VALUES ('t2@x')")
  tx:run("INSERT INTO child (parent) VALUES (9999)")
end)
assert(count() == n0 and db:first("SELECT count(*) AS n FROM child").n == 0)
-- in safe mode a failing COMMIT returns its error after the rollback
local fdb = assert(sqlite.open(path, {safe = true}))
fdb:exec("PRAGMA foreign_keys = ON")
local fres, fmsg, fcode = fdb:transaction(function(tx)
  tx:run("INSERT INTO child (parent) VALUES (9999)")
  return "unreached"
end)
assert(fres == nil and fmsg:find("FOREIGN KEY") and fcode == sqlite.CONSTRAINT)
assert(fdb:first("SELECT count(*) AS n FROM child").n == 0)
fdb:close()
-- the connection is not left inside a transaction after any of these
db:transaction(function(tx) tx:run("INSERT INTO users (email) VALUES ('after@x')") end)
assert(count() == n0 + 1)
-- an error inside the transaction's own BEGIN: nested BEGIN by hand
db:exec("BEGIN")
fails("cannot start a transaction within a transaction", db.transaction, db, function() end)
db:exec("ROLLBACK")

-- ---- use after close ----
local stmt = db:prepare("SELECT 1 AS one")
db:close()
for _, m in ipairs{"exec", "query", "first", "run", "prepare"} do
  fails("attempt to use a closed database", db[m], db, "SELECT 1")
end
fails("attempt to use a closed database", db.transaction, db, function() end)
fails("attempt to use a closed database", stmt.step, stmt)
fails("attempt to use a closed database", stmt.rows, stmt)
fails("attempt to use a closed database", stmt.bind, stmt)
assert(stmt:finalize() == true, "finalizing after close is harmless")
fails("bad argument #1 to 'query' %(rua.sqlite.db expected", function() return db.query({}, "SELECT 1") end)
a:close()
b:close()

-- nothing committed was lost
local check = assert(sqlite.open(path, {readonly = true}))
assert(check:first("SELECT count(*) AS n FROM users").n == n0 + 1)
check:close()
cleanup()
return "OK"
