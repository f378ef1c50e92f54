-- The app the end-to-end tests of rua serve run (tests/web/test_web.py).
local web = require "rua.web"
local app = web.app()

local started = {}
app:on_start(function(worker_id) started[#started + 1] = worker_id end)

-- middleware: order, a header on every answer, a short-circuit
app:use(function(req, res, next)
  res:header("X-Mw", "1")
  if req.headers["x-block"] then return 403, { blocked = true } end
  return next()
end)
app:use(function(req, res, next)
  local status, body, headers = next()
  if req.path == "/mw-after" then return status, body .. " (after)", headers end
  return status, body, headers
end)

app:get("/", function() return "root" end)
app:get("/json", function() return { message = "Hello, World!" } end)
app:get("/users/:id", function(req) return { id = req.params.id } end)
app:get("/users/:id/posts/:post", function(req) return { id = req.params.id, post = req.params.post } end)
app:get("/files/*", function(req) return "file:" .. req.params["*"] end)
app:post("/items", function(req) return 201, { created = req:json() }, { Location = "/items/1" } end)
app:put("/items/:id", function(req) return "put " .. req.params.id end)
app:patch("/items/:id", function(req) return "patch " .. req.params.id end)
app:delete("/items/:id", function(req) return 204 end)
app:options("/items", function() return 200, "", { Allow = "GET, POST" } end)
app:head("/only-head", function() return 200, "", { ["X-Head"] = "yes" } end)
app:any("/any", function(req) return "any " .. req.method end)
app:get("/mw-after", function() return 200, "body" end)

app:get("/query", function(req) return req.query end)
app:get("/headers", function(req)
  return { test = req.headers["x-test"], multi = req.headers["x-multi"], via_method = req:header("X-Test"),
           host = req.headers.host }
end)
app:get("/info", function(req)
  return { method = req.method, path = req.path, remote = req.remote_addr, id = req.id,
           started = #started, worker = started[1] }
end)
app:post("/body", function(req) return { len = #req.body, body = req.body } end)
app:post("/json", function(req) local v = req:json(); return { got = v } end)

app:get("/res-forms", function(req, res)
  res:status(202):header("X-One", "a"):header("Set-Cookie", { "a=1", "b=2" })
  res:send("sent")
  return "ignored"
end)
app:get("/res-json", function(req, res) res:json({ ok = true }, 201) end)
app:get("/empty", function(req, res) res:header("X-E", "1") end)
app:get("/content-type", function() return 200, "<b>hi</b>", { ["Content-Type"] = "text/html" } end)

app:get("/crash", function() error("boom in handler") end)
app:get("/crash-table", function() error({ code = 1 }) end)
app:get("/bad-body", function() return 200, function() end end)
app:get("/bad-status", function() return 42, "x" end)

app:get("/stream", function(req, res)
  res:header("Content-Type", "text/plain")
  local n = tonumber(req.query.n) or 3
  for i = 1, n do
    assert(res:write("part " .. i .. "\n"))
    rua.sleep(0.01)
  end
  res:write("")  -- an empty chunk is skipped
end)
app:get("/stream-crash", function(req, res)
  res:write("begun\n")
  error("crash mid-stream")
end)

app:get("/sleep", function(req)
  rua.sleep(tonumber(req.query.s) or 0.3)
  return "slept"
end)

local static_dir = os.getenv("RUA_TEST_STATIC")
if static_dir then app:static("/static/", static_dir) end

return app
