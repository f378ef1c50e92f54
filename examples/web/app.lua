-- The demo `make run` starts: a small to-do service on rua.web and an
-- embedded SQLite database, created and seeded on first run.
--   rua serve examples/web/app.lua --port 8080     (DEMO_DB names the file)
local web = require "rua.web"
local sqlite = require "rua.sqlite"

local DB_PATH = os.getenv("DEMO_DB") or "demo.db"
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"

-- First run: create and seed (every worker runs this; it is idempotent).
do
  local db = assert(sqlite.open(DB_PATH))
  db:transaction(function()
    db:exec([[CREATE TABLE IF NOT EXISTS todos (
      id INTEGER PRIMARY KEY, title TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0,
      created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))]])
    if db:first("SELECT count(*) AS n FROM todos").n == 0 then
      for _, title in ipairs({ "Try rua serve", "Read docs/web.md", "Write a handler", "Benchmark it" }) do
        db:run("INSERT INTO todos (title) VALUES (?)", title)
      end
    end
  end)
  db:close()
end

local app = web.app()
local db

app:on_start(function(worker_id)
  db = assert(sqlite.open(DB_PATH))
end)

-- middleware: the handler's CPU time, as a header (headers can still be
-- added after next(): the answer goes out when the request's task ends)
app:use(function(req, res, next)
  local t0 = os.clock()
  local r = table.pack(next())
  res:header("X-Response-Time", string.format("%.3fms", (os.clock() - t0) * 1000))
  return table.unpack(r, 1, r.n)
end)

local function todo(row)
  if row then row.done = row.done ~= 0 end
  return row
end

app:get("/api/todos", function(req)
  local rows
  if req.query.done then
    rows = db:query("SELECT * FROM todos WHERE done = ? ORDER BY id", req.query.done == "true")
  else
    rows = db:query("SELECT * FROM todos ORDER BY id")
  end
  for _, r in ipairs(rows) do todo(r) end
  return { todos = rows, count = #rows }
end)

app:get("/api/todos/:id", function(req)
  local row = todo(db:first("SELECT * FROM todos WHERE id = ?", tonumber(req.params.id)))
  if not row then return 404, { error = "not found" } end
  return row
end)

app:post("/api/todos", function(req)
  local body = req:json()
  if type(body) ~= "table" or type(body.title) ~= "string" or body.title == "" then
    return 422, { error = "a non-empty 'title' is required" }
  end
  local r = db:run("INSERT INTO todos (title) VALUES (?)", body.title)
  return 201, todo(db:first("SELECT * FROM todos WHERE id = ?", r.last_insert_id)),
    { Location = "/api/todos/" .. r.last_insert_id }
end)

app:patch("/api/todos/:id", function(req)
  local body = req:json()
  local id = tonumber(req.params.id)
  if type(body) ~= "table" then return 422, { error = "a JSON object is required" } end
  if body.title ~= nil then db:run("UPDATE todos SET title = ? WHERE id = ?", tostring(body.title), id) end
  if body.done ~= nil then db:run("UPDATE todos SET done = ? WHERE id = ?", body.done == true, id) end
  local row = todo(db:first("SELECT * FROM todos WHERE id = ?", id))
  if not row then return 404, { error = "not found" } end
  return row
end)

app:delete("/api/todos/:id", function(req)
  local r = db:run("DELETE FROM todos WHERE id = ?", tonumber(req.params.id))
  if r.changes == 0 then return 404, { error = "not found" } end
  return 204
end)

app:get("/api/hello/:name", function(req)
  return { hello = req.params.name, from = req.remote_addr, request = req.id }
end)

app:static("/", here .. "public")

return app
