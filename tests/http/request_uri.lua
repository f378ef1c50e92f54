-- rua.http's request_uri against the loopback server of tests/http/server.py
-- (run as: server.py rua request_uri.lua). Prints OK at the end.
local http = require "rua.http"
local json = require "rua.json"

local port = assert(tonumber(os.getenv("HTTP_PORT")), "run through tests/http/server.py")
local base = "http://127.0.0.1:" .. port

local function get(path, params)
  return http.new():request_uri(base .. path, params)
end

local function connections()
  -- a pool of its own, never kept: each count is on a new connection
  local res = assert(get("/stats", { keepalive = false, pool = "stats" }))
  return tonumber(res.body)
end

-- ---- a plain GET: status, reason, headers, body ----
do
  local res, err = get("/json")
  assert(res, err)
  assert(res.status == 200 and res.reason == "OK", res.status)
  assert(res.headers["Content-Type"] == "application/json")
  assert(res.headers["content-type"] == "application/json") -- any case
  assert(res.headers["CONTENT-TYPE"] == "application/json")
  assert(res.headers["Content-Length"] == "24")
  assert(res.headers["x-absent"] == nil)
  local doc = json.decode(res.body)
  assert(doc.hello == "world" and doc.n == 42)
  assert(res.has_body == true)
end

-- ---- repeated headers become arrays, in order ----
do
  local res = assert(get("/headers"))
  local c = res.headers["set-cookie"]
  assert(type(c) == "table" and c[1] == "a=1" and c[2] == "b=2", tostring(c))
  local m = res.headers["X-MULTI"]
  assert(type(m) == "table" and #m == 3 and m[1] == "1" and m[3] == "3")
  assert(res.headers["x-mixed-case"] == "v")
end

-- ---- params: method, path, query (string and table), headers, body, version ----
do
  local res = assert(get("/echo?a=1", { method = "post", body = "payload", headers = { ["X-One"] = "1", ["X-Many"] = { "a", "b" } } }))
  local e = json.decode(res.body)
  assert(e.method == "POST" and e.path == "/echo" and e.query == "a=1" and e.body == "payload", res.body)
  local seen = {}
  for _, kv in ipairs(e.headers) do seen[#seen + 1] = kv[1]:lower() .. "=" .. kv[2] end
  local s = table.concat(seen, ";")
  assert(s:find("x-one=1", 1, true) and s:find("x-many=a;x-many=b", 1, true), s)
  assert(s:find("host=127.0.0.1:" .. port, 1, true), s)
  assert(s:find("user-agent=rua", 1, true), s)
  assert(s:find("content-length=7", 1, true), s)

  res = assert(get("/ignored", { path = "/echo", query = { b = "x y", c = true, d = { 1, 2 } } }))
  e = json.decode(res.body)
  assert(e.method == "GET" and e.path == "/echo", res.body)
  local q = {}
  for part in e.query:gmatch("[^&]+") do q[#q + 1] = part end
  table.sort(q)
  assert(table.concat(q, "&") == "b=x%20y&c&d=1&d=2", e.query)

  -- a body larger than the socket's buffer: written in part at once, the rest as it drains
  local big = ("0123456789abcdef"):rep(256 * 1024)
  res = assert(get("/echo", { method = "PUT", body = big }))
  assert(json.decode(res.body).body == big)

  res = assert(get("/echo", { query = "?k=v" }))
  assert(json.decode(res.body).query == "k=v")

  res = assert(get("/echo", { headers = { Host = "example.test", ["User-Agent"] = "mine" } }))
  s = res.body
  assert(s:find('"Host", "example.test"', 1, true) and s:find('"User-Agent", "mine"', 1, true), s)
  assert(not s:find("127.0.0.1", 1, true), s)

  res = assert(get("/echo", { version = 1.0 }))
  assert(json.decode(res.body).version == "HTTP/1.0")

  local bad, err = get("/echo", { version = 2 })
  assert(bad == nil and err:find("version"), err)
  bad, err = get("/echo", { headers = { ["X-Bad"] = "a\r\nInjected: 1" } })
  assert(bad == nil and err:find("invalid header"), err)
  bad, err = get("/echo", { path = "/a b" })
  assert(bad == nil and err:find("invalid"), err)
  bad, err = get("/echo", { path = "/a\0b" })
  assert(bad == nil and err:find("invalid"), err)
  bad, err = get("/echo", { method = "GET\r\nX: y" })
  assert(bad == nil and err:find("invalid"), err)
  bad, err = get("/echo", { headers = { ["Bad Name"] = "v" } })
  assert(bad == nil and err:find("invalid header"), err)
  res = assert(get("/echo", { headers = { ["X-Tab"] = "a\tb" } }))
  assert(res.body:find('"X-Tab", "a\\tb"', 1, true), res.body)
end

-- ---- status codes, reasons, bodiless responses ----
do
  local res = assert(get("/status?201"))
  assert(res.status == 201 and res.reason == "Custom Reason" and res.body == "status 201")
  res = assert(get("/status?204"))
  assert(res.status == 204 and res.body == "" and res.has_body == false)
  res = assert(get("/status?404"))
  assert(res.status == 404 and res.body == "status 404") -- not an error: a response
  res = assert(get("/head", { method = "HEAD" }))
  assert(res.status == 200 and res.body == "" and res.headers["content-length"] == "12")
  res = assert(get("/head"))
  assert(res.body == "body of head")
  res = assert(get("/interim"))
  assert(res.status == 200 and res.body == "after continue")
end

-- ---- bodies: content-length, chunked, until EOF, large ----
do
  local res = assert(get("/chunked"))
  assert(res.body == "Hello, chunked world" .. ("!"):rep(3000), #res.body)
  assert(res.headers["Transfer-Encoding"] == "chunked")
  res = assert(get("/trailers"))
  assert(res.body == "abcdef")
  assert(res.headers["x-checksum"] == "42" and res.headers["X-Done"] == "yes")
  res = assert(get("/eof-body"))
  assert(res.body == "until the end")
  res = assert(get("/big?1000000"))
  assert(#res.body == 1000000)
  for _, i in ipairs { 0, 1, 250, 251, 999999 } do
    assert(res.body:byte(i + 1) == (i * 7) % 251, i)
  end
end

-- ---- keep-alive: one TCP connection for many requests ----
do
  assert(get("/reset-stats", { keepalive = false }))
  local before = connections()
  for i = 1, 50 do
    local res = assert(get("/json", { pool = "ka" }))
    assert(res.status == 200)
  end
  local used = connections() - before - 1 -- the /stats request itself is on a new connection
  assert(used == 1, "keep-alive used " .. used .. " connections for 50 requests")
  assert(http.pool_idle() >= 1)

  -- keepalive = false: a connection each, closed after ("Connection: close")
  before = connections()
  for i = 1, 5 do assert(get("/json", { keepalive = false, pool = "none" })) end
  used = connections() - before - 1
  assert(used == 5, used)

  -- a server closing after its response: the connection is not pooled
  before = connections()
  for i = 1, 3 do assert(assert(get("/close", { pool = "close" })).body == "bye") end
  used = connections() - before - 1
  assert(used == 3, used)

  -- keepalive_pool: at most that many idle connections per pool
  local tasks = {}
  for i = 1, 10 do
    tasks[i] = rua.spawn(function()
      return http.new():request_uri(base .. "/delay?0.05", { keepalive_pool = 2, pool = "small" })
    end)
  end
  for i = 1, 10 do assert(rua.wait(tasks[i])) end
  assert(http.pool_idle("small") == 2, http.pool_idle("small"))
  assert(http.pool_idle("ka") == 1)

  -- keepalive_timeout: the idle connection is closed after it
  local res = assert(get("/json", { pool = "short", keepalive_timeout = 50 }))
  assert(http.pool_idle("short") == 1)
  rua.sleep(0.2)
  assert(http.pool_idle("short") == 0, "idle connection not closed after its timeout")
  -- a server closing an idle connection: it leaves the pool at once
  -- a connection the server closed while idle: found dead when taken, and
  -- the request goes on a new connection (not through the retry)
  local before = connections()
  assert(get("/close-later", { pool = "watched" }))
  assert(http.pool_idle("watched") == 1)
  rua.sleep(0.2)
  local httpc = http.new()
  assert(httpc:connect { host = "127.0.0.1", port = port, pool = "watched" })
  assert(httpc:get_reused_times() == 0, "a closed connection was taken from the pool")
  assert(assert(httpc:request { path = "/json" }):read_body())
  httpc:close()
  assert(http.pool_idle("watched") == 0)
  assert(connections() - before - 1 == 2)
end

-- ---- a dead pooled connection is retried once for idempotent requests ----
do
  local before = connections()
  local res = assert(get("/once", { pool = "once" }))
  assert(res.body == "once GET")
  -- the pooled connection answers no second request: the GET goes again on a new one
  res, err = get("/once", { pool = "once" })
  assert(res and res.body == "once GET", err)
  assert(connections() - before - 1 == 2)
  -- not a POST
  res, err = get("/once", { pool = "once", method = "POST", body = "x" })
  assert(res == nil and err == "closed", tostring(err))
end

-- ---- failures: nil, err and never an error ----
do
  local httpc = http.new()
  local res, err = httpc:request_uri("http://127.0.0.1:1/")
  assert(res == nil and err == "connection refused", err)
  res, err = httpc:request_uri("http://no-such-host.invalid/")
  assert(res == nil and err:find("could not be resolved"), err)
  res, err = httpc:request_uri("not a uri")
  assert(res == nil and err:find("bad uri"), err)
  res, err = httpc:request_uri("ftp://127.0.0.1/")
  assert(res == nil and err:find("bad uri"), err)
  res, err = httpc:request_uri("http://127.0.0.1:99999/")
  assert(res == nil and err:find("bad uri"), err)

  httpc:set_timeout(200)
  local t0 = rua.now()
  res, err = httpc:request_uri(base .. "/hang")
  assert(res == nil and err == "timeout", err)
  local took = rua.now() - t0
  assert(took >= 0.15 and took < 2, took)
  res, err = httpc:request_uri(base .. "/slow-body")
  assert(res == nil and err == "timeout", err)
  httpc:set_timeouts(1000, 1000, 100)
  res, err = httpc:request_uri(base .. "/delay?0.5")
  assert(res == nil and err == "timeout", err)
  httpc:set_timeouts(1000, 1000, 2000)
  res, err = httpc:request_uri(base .. "/delay?0.05")
  assert(res and res.body == "late", err)

  res, err = get("/reset")
  assert(res == nil and (err == "connection reset by peer" or err == "closed"), err)
  res, err = get("/truncated")
  assert(res == nil and err == "closed", err)
  res, err = get("/malformed")
  assert(res == nil and err:find("invalid response"), err)
  res, err = get("/garbage")
  assert(res == nil and err:find("invalid response"), err)
  res, err = get("/bad-chunk")
  assert(res == nil and err:find("invalid response"), err)
  res, err = get("/huge-header")
  assert(res == nil and err:find("invalid response") and err:find("header"), err)
  -- an HTTP/1.0 response without keep-alive: read, and the connection not pooled
  res, err = get("/http10", { pool = "http10" })
  assert(res and res.body == "ok", err)
  assert(http.pool_idle("http10") == 0)
  -- after all that, the pool still serves
  assert(assert(get("/json")).status == 200)
end

-- ---- 1,000 concurrent requests from one worker ----
do
  local n = 1000
  local tasks = {}
  for i = 1, n do
    tasks[i] = rua.spawn(function()
      local res, err = http.new():request_uri(base .. "/echo?i=" .. i)
      if not res then return nil, err end
      return json.decode(res.body).query
    end)
  end
  local ok = 0
  for i = 1, n do
    local q, err = rua.wait(tasks[i])
    assert(q == "i=" .. i, tostring(err))
    ok = ok + 1
  end
  assert(ok == n)
end

-- ---- a killed task's request ends; the others go on ----
do
  local t = rua.spawn(function() return http.new():request_uri(base .. "/hang") end)
  rua.sleep(0.05)
  assert(rua.kill(t))
  assert(assert(get("/json")).status == 200)
end

print("OK")
