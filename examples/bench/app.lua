-- The web yardstick's service (/work/shared/bench/web/SPEC.md) on rua.web:
--   rua serve examples/bench/app.lua --port 8080 --workers 2 --log off
-- DB names the SQLite file (the bench's gen_db.py makes it); one read-only
-- connection per worker, opened when the worker starts.
local web = require "rua.web"
local sqlite = require "rua.sqlite"
local json = require "rua.json"

local app = web.app()
local db, user_stmt

app:on_start(function()
  local path = os.getenv("DB") or "users.db"
  db = assert(sqlite.open(path, { readonly = true, create = false, wal = false }))
end)

app:get("/plaintext", function()
  return "Hello, World!"
end)

app:get("/json", function()
  return { message = "Hello, World!" }
end)

local NOT_FOUND = { error = "not found" }

app:get("/users/*", function(req)
  local rest = req.params["*"]
  -- ASCII digits only; ids beyond 64 bits become floats that match no row
  local id = rest:find("^%d+$") and math.tointeger(tonumber(rest))
  local row = id and db:first("SELECT id, name, email, age, created_at FROM users WHERE id = ?", id)
  if not row then return 404, NOT_FOUND end
  return row
end)

local INVALID = { error = "invalid json" }

app:post("/echo", function(req)
  local body = req.body
  -- a JSON object starts with '{' (arrays decode to tables too)
  local doc = body:find("^%s*{") and json.decode(body)
  if type(doc) ~= "table" then return 400, INVALID end
  local count = 0
  for _ in pairs(doc) do count = count + 1 end
  doc.count = count
  return doc
end)

local function by_score_then_id(a, b)
  if a.score ~= b.score then return a.score > b.score end
  return a.id < b.id
end

local format = string.format

app:get("/compute", function()
  local items = {}
  for i = 1, 100 do
    items[i] = { id = i, name = format("item-%03d", i), score = (i * 7919) % 1000 }
  end
  table.sort(items, by_score_then_id)
  local top, checksum = {}, 0
  for k, item in ipairs(items) do
    checksum = checksum + k * item.id
    if k <= 10 then top[k] = format("%s:%d", item.name, item.score) end
  end
  return { top = top, checksum = checksum }
end)

return app
