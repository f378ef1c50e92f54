-- web.shared across the workers of one `rua serve` process (test_shared.py).
local web = require "rua.web"
local app = web.app()
local hits = web.shared("test_hits")
local cache = web.shared("test_cache", "64k")
local me

app:on_start(function(worker_id) me = worker_id end)

app:get("/hit", function()
  return { n = hits:incr("n", 1, 0), worker = me }
end)

app:get("/count", function() return { n = hits:get("n") or 0 } end)

app:post("/cache/:key", function(req)
  local ok, err = cache:set(req.params.key, req.body, tonumber(req.query.ttl) or 0)
  if not ok then return 500, { error = err } end
  return { ok = true, worker = me }
end)

app:get("/cache/:key", function(req)
  local v = cache:get(req.params.key)
  if v == nil then return 404, { error = "not found", worker = me } end
  return { value = v, worker = me }
end)

return app
