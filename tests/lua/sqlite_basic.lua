-- rua.sqlite: every db and statement method, parameters and types, on a real
-- database file in a temporary folder. (rua.sqlite is native to rua: this
-- script does not run on PUC Lua.) Runs the same with or without a worker:
-- under the CLI statements go to the blocking pool (or run inline), in a
-- plain embedded state they run synchronously.
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

-- ---- the module ----
assert(type(sqlite.open) == "function" and type(sqlite.blob) == "function")
assert(type(sqlite.null) == "userdata")
assert(sqlite.null == require("rua.json").null, "sqlite.null is json.null")
assert(type(sqlite.version) == "string" and sqlite.version:match("^3%.%d+"))
assert(sqlite.OK == 0 and sqlite.ERROR == 1 and sqlite.BUSY == 5 and sqlite.CONSTRAINT == 19)
assert(sqlite.RANGE == 25 and sqlite.MISUSE == 21 and sqlite.READONLY == 8 and sqlite.CANTOPEN == 14)
assert(tostring(sqlite.blob("x")) == "x")

-- ---- open ----
local db = assert(sqlite.open(path, {busy_timeout_ms = 2000, cache_size = -4000, synchronous = "normal"}))
assert(tostring(db) == "sqlite.db (" .. path .. ")")
assert(db:first("PRAGMA journal_mode").journal_mode == "wal", "wal is the default")
assert(db:first("PRAGMA cache_size").cache_size == -4000)
assert(db:first("PRAGMA synchronous").synchronous == 1)

local mem = assert(sqlite.open(":memory:"))
assert(mem:first("SELECT 40 + 2 AS n").n == 42)
assert(mem:close() == true)

-- ---- exec: scripts of several statements, comments, no results ----
assert(db:exec([[
  -- the schema
  CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE, age INTEGER);
  CREATE TABLE v (x);  /* no type: values keep theirs */
  INSERT INTO users (name, email, age) VALUES ('Ada', 'ada@example.com', 36);
]]) == true)
assert(db:exec("") == true)
assert(db:exec("   ") == true)

-- ---- run: changes and last_insert_id ----
local r = db:run("INSERT INTO users (name, email, age) VALUES (?, ?, ?)", "Alan", "alan@example.com", 41)
assert(r.changes == 1 and r.last_insert_id == 2)
r = db:run("INSERT INTO users (name, email, age) VALUES (:name, :email, :age)",
  {name = "Grace", email = "grace@example.com", age = 85})
assert(r.changes == 1 and r.last_insert_id == 3)
r = db:run("UPDATE users SET age = age + 1 WHERE id <= ?", 2)
assert(r.changes == 2 and math.type(r.changes) == "integer")
r = db:run("UPDATE users SET age = age - 1 WHERE id <= 2")
assert(r.changes == 2)

-- ---- query and first ----
local rows = db:query("SELECT id, name, age FROM users ORDER BY id")
assert(#rows == 3)
assert(rows[1].id == 1 and rows[1].name == "Ada" and rows[1].age == 36)
assert(rows[3].name == "Grace" and rows[3].email == nil, "only the selected columns")
assert(next(db:query("SELECT * FROM users WHERE id < 0")) == nil, "no rows: an empty array")
local u = db:first("SELECT * FROM users WHERE id = ?", 2)
assert(u.name == "Alan" and u.email == "alan@example.com" and u.age == 41)
assert(db:first("SELECT * FROM users WHERE id = ?", 99) == nil)
assert(db:first("SELECT name FROM users ORDER BY id DESC").name == "Grace", "first of several rows")
local dup = db:first("SELECT 1 AS a, 2 AS a")
assert(dup.a == 2, "a repeated column name keeps the last value")
-- the same SQL again uses the cached statement, with fresh values
for i = 1, 3 do assert(db:first("SELECT name FROM users WHERE id = ?", i).name == rows[i].name) end

-- a cached 'SELECT *' sees a column added since (SQLite prepares it anew)
db:exec("CREATE TABLE grow (a)")
db:run("INSERT INTO grow (a) VALUES (1)")
assert(db:first("SELECT * FROM grow").b == nil)
db:exec("ALTER TABLE grow ADD COLUMN b DEFAULT 2")
local grown = db:first("SELECT * FROM grow")
assert(grown.a == 1 and grown.b == 2)
local gst = db:prepare("SELECT * FROM grow")
assert(gst:step().b == 2)
db:exec("ALTER TABLE grow ADD COLUMN c DEFAULT 3")
assert(gst:reset():step().c == 3, "a prepared statement too")
gst:finalize()
db:exec("DROP TABLE grow")

-- ---- parameters ----
local p = db:first("SELECT ?2 AS a, ?1 AS b", "x", "y")
assert(p.a == "y" and p.b == "x")
p = db:first("SELECT ? AS a, :x AS b, @y AS c, $z AS d", {10, x = 20, y = 30, [":z"] = 40})
assert(p.a == 10 and p.b == 20 and p.c == 30 and p.d == 40)
p = db:first("SELECT :a AS a, :b AS b", 1, 2)
assert(p.a == 1 and p.b == 2, "varargs bind named parameters by position")
p = db:first("SELECT ? AS a, ? AS b", nil, sqlite.null)
assert(p.a == sqlite.null and p.b == sqlite.null)
p = db:first("SELECT ? AS t, ? AS f", true, false)
assert(p.t == 1 and p.f == 0)
assert(db:first("SELECT count(*) AS n FROM users WHERE name = ?", "x' OR '1'='1").n == 0,
  "values are bound, never spliced")
fails("no value for parameter 2 %(SQLITE_RANGE%)", db.first, db, "SELECT ?, ?", 1)
fails("too many values to bind: the statement has 1 parameter %(SQLITE_RANGE%)", db.first, db, "SELECT ?", 1, 2)
fails("no value for parameter ':a' %(SQLITE_RANGE%)", db.first, db, "SELECT :a", {b = 1})
fails("no value for parameter 1", db.first, db, "SELECT ?")
fails("cannot bind a function value", function() return db:first("SELECT ?", print) end)
fails("cannot bind a table value to parameter 'x'", db.first, db, "SELECT :x", {x = {}})
fails("cannot bind a function value to parameter 2", db.first, db, "SELECT ?, ?", {1, print})

-- ---- types round trip ----
local function roundtrip(value)
  db:run("DELETE FROM v")
  db:run("INSERT INTO v (x) VALUES (?)", value)
  local row = db:first("SELECT x, typeof(x) AS t FROM v")
  return row.x, row.t
end
local big = {math.maxinteger, math.mininteger, 0, -1, 1 << 53, (1 << 53) + 1, 1 << 62}
for _, n in ipairs(big) do
  local x, t = roundtrip(n)
  assert(x == n and math.type(x) == "integer" and t == "integer", n)
end
for _, f in ipairs{0.5, -2.25, 0.1, 1e308, 5e-324, 2.0^53, math.pi, math.huge, -math.huge} do
  local x, t = roundtrip(f)
  assert(x == f and math.type(x) == "float" and t == "real", f)
end
local x, t = roundtrip(3.0)
assert(x == 3.0 and math.type(x) == "float" and t == "real", "an integral float stays a float")
x, t = roundtrip(0 / 0)
assert(x == sqlite.null and t == "null", "NaN binds as NULL (SQLite has no NaN)")
for _, s in ipairs{"", "hello", "h\195\169llo", "a\0b\0", string.rep("x", 100000)} do
  x, t = roundtrip(s)
  assert(x == s and t == "text", "text " .. #s)
end
local bytes = {}
for i = 0, 255 do bytes[#bytes + 1] = string.char(i) end
bytes = table.concat(bytes) .. "\0\0\0"
x, t = roundtrip(sqlite.blob(bytes))
assert(x == bytes and t == "blob", "a BLOB with NUL bytes round trips")
x, t = roundtrip(sqlite.blob(""))
assert(x == "" and t == "blob", "an empty BLOB is not NULL")
x, t = roundtrip(nil)
assert(x == sqlite.null and t == "null")
assert(db:first("SELECT x'00ff00' AS b").b == "\0\255\0")
assert(db:first("SELECT 9223372036854775807 AS n").n == math.maxinteger)
-- INTEGER affinity turns an integral REAL into an integer, as SQLite does
db:run("INSERT INTO users (name, age) VALUES ('Tmp', ?)", 50.0)
local age = db:first("SELECT age FROM users WHERE name = 'Tmp'").age
assert(age == 50 and math.type(age) == "integer")
db:run("DELETE FROM users WHERE name = 'Tmp'")
-- a row with a NULL holds sqlite.null, so it encodes to JSON with null
local json = require "rua.json"
local nullrow = db:first("SELECT 1 AS a, NULL AS b")
assert(nullrow.b == sqlite.null and json.decode(json.encode(nullrow)).b == json.null)
-- and a decoded JSON null binds as NULL
assert(db:first("SELECT ? IS NULL AS n", json.decode("null")).n == 1)

-- ---- prepared statements ----
local st = db:prepare("SELECT id, name FROM users WHERE id >= ? ORDER BY id")
assert(tostring(st) == "sqlite.stmt (SELECT id, name FROM users WHERE id >= ? ORDER BY id)")
assert(st:bind(2) == st, "bind returns the statement")
assert(st:step().name == "Alan")
assert(st:step().name == "Grace")
assert(st:step() == nil, "nil at the end")
assert(st:step().name == "Alan", "the next step runs it again")
assert(st:reset() == st)
assert(st:step().name == "Alan", "reset goes back to the start and keeps the values")
st:bind(3)
assert(st:step().name == "Grace" and st:step() == nil)
local seen = {}
for row in st:rows(1) do seen[#seen + 1] = row.name end
assert(table.concat(seen, ",") == "Ada,Alan,Grace")
seen = {}
for row in st:rows() do seen[#seen + 1] = row.id end
assert(table.concat(seen, ",") == "1,2,3", "rows() starts over with the values bound last")
for row in st:rows(2) do
  assert(row.name == "Alan")
  break  -- leaving early resets the statement (its closing value)
end
assert(st:step().name == "Alan", "after a break, the statement starts over")
fails("no value for parameter 1", st.rows, st, {})
fails("too many values to bind", st.bind, st, 1, 2)
assert(st:finalize() == true)
assert(st:finalize() == true, "finalize twice")
assert(tostring(st) == "sqlite.stmt (finalized)")
fails("attempt to use a finalized statement", st.step, st)
fails("attempt to use a finalized statement", st.bind, st, 1)
fails("attempt to use a finalized statement", st.rows, st)

-- many rows, more than one read-ahead batch
local ins = db:prepare("INSERT INTO v (x) VALUES (?)")
db:run("DELETE FROM v")
db:transaction(function()
  for i = 1, 300 do
    local res = ins:run(i)
    assert(res.changes == 1)
  end
end)
local res = ins:bind(301):run()
assert(res.changes == 1 and res.last_insert_id == 301)
local sum, count = 0, 0
local all = db:prepare("SELECT x FROM v ORDER BY x")
for row in all:rows() do
  sum, count = sum + row.x, count + 1
end
assert(count == 301 and sum == 301 * 302 // 2)
-- step and rows walk the same cursor
assert(all:step().x == 1 and all:step().x == 2)
count = 0
for _ in all:rows() do count = count + 1 end
assert(count == 301)
-- a statement that returns no rows
local upd = db:prepare("UPDATE v SET x = x WHERE x < ?")
assert(upd:bind(11):step() == nil)
assert(upd:run(21).changes == 20)
-- to-be-closed statements and databases
do
  local s2 <close> = db:prepare("SELECT 1 AS one")
  assert(s2:step().one == 1)
  st = s2
end
assert(tostring(st) == "sqlite.stmt (finalized)")
ins:finalize()
all:finalize()
upd:finalize()
fails("more than one SQL statement in the text", db.prepare, db, "SELECT 1; SELECT 2")
fails("near \"SELEC\": syntax error %(SQLITE_ERROR%)", db.prepare, db, "SELEC 1")
fails("no SQL statement in the text", db.query, db, "-- only a comment")
assert(db:first("SELECT 1 AS one; -- a trailing comment").one == 1)

-- ---- transactions ----
local before = db:first("SELECT count(*) AS n FROM users").n
local a, b = db:transaction(function(tx)
  assert(tx == db)
  tx:run("INSERT INTO users (name) VALUES ('Edsger')")
  return "done", 2
end)
assert(a == "done" and b == 2)
assert(db:first("SELECT count(*) AS n FROM users").n == before + 1)
-- an error rolls back and is raised again, unchanged
local marker = {}
local ok, err = pcall(db.transaction, db, function(tx)
  tx:run("INSERT INTO users (name) VALUES ('Niklaus')")
  error(marker)
end)
assert(not ok and err == marker)
assert(db:first("SELECT count(*) AS n FROM users").n == before + 1, "rolled back")
-- nested transactions are savepoints
db:transaction(function(tx)
  tx:run("INSERT INTO users (name) VALUES ('Barbara')")
  local ok2 = pcall(tx.transaction, tx, function()
    tx:run("INSERT INTO users (name) VALUES ('Inner')")
    error("inner fails")
  end)
  assert(not ok2)
  tx:transaction(function() tx:run("INSERT INTO users (name) VALUES ('Inner2')") end)
end)
assert(db:first("SELECT count(*) AS n FROM users WHERE name = 'Barbara'").n == 1)
assert(db:first("SELECT count(*) AS n FROM users WHERE name = 'Inner'").n == 0)
assert(db:first("SELECT count(*) AS n FROM users WHERE name = 'Inner2'").n == 1)
assert(db:transaction(function() return db:first("SELECT 7 AS n").n end, "deferred") == 7)
assert(db:transaction(function() return true end, "exclusive") == true)
fails("invalid option 'bogus'", db.transaction, db, function() end, "bogus")
fails("bad argument #1 to 'transaction' %(function expected", function() return db:transaction(1) end)

-- ---- close ----
assert(db:close() == true)
assert(db:close() == true, "closing twice is harmless")
assert(tostring(db) == "sqlite.db (closed)")
do
  local d <close> = assert(sqlite.open(path))
  assert(d:first("SELECT count(*) AS n FROM users").n == before + 3)
  mem = d
end
assert(tostring(mem) == "sqlite.db (closed)", "a to-be-closed db is closed")

cleanup()
return "OK"
