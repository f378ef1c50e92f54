-- rua.http against rua serve (test_client.py starts the server, with
-- shared_app.lua, and passes its port): concurrent keep-alive requests from
-- one worker, a POST body, a 404, and the server's answers decoded as JSON.
local http = require "rua.http"
local json = require "rua.json"
local port = assert(tonumber(arg[1]), "usage: client_against_server.lua PORT")
local base = "http://127.0.0.1:" .. port

local httpc = http.new()
local res, err = httpc:request_uri(base .. "/cache/greeting", { method = "POST", body = "hello" })
assert(res, err)
assert(res.status == 200, res.status)
assert(res.headers["Content-Type"]:match("^application/json"), res.headers["content-type"])

res, err = httpc:request_uri(base .. "/cache/greeting")
assert(res and res.status == 200, err)
assert(json.decode(res.body).value == "hello")

res = assert(httpc:request_uri(base .. "/cache/nothing-here"))
assert(res.status == 404 and json.decode(res.body).error == "not found")

-- 200 requests from 20 concurrent Lua threads, each with its own client
-- (keep-alive pool shared by the worker)
local before = json.decode(assert(httpc:request_uri(base .. "/count")).body).n
local tasks = {}
for t = 1, 20 do
  tasks[t] = rua.spawn(function()
    local c = http.new()
    local seen = {}
    for _ = 1, 10 do
      local r, e = c:request_uri(base .. "/hit")
      assert(r, e)
      assert(r.status == 200)
      seen[#seen + 1] = json.decode(r.body).n
    end
    return seen
  end)
end
local all = {}
for t = 1, 20 do
  local seen = assert(rua.wait(tasks[t]))
  for _, n in ipairs(seen) do
    assert(not all[n], "each increment seen once")
    all[n] = true
  end
end
local after = json.decode(assert(httpc:request_uri(base .. "/count")).body).n
assert(after - before == 200, after - before)
print("client_against_server ok")
