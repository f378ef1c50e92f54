-- rua.http's streaming interface (connect, request, body_reader, read_body,
-- read_trailers, request_pipeline, set_keepalive, close, parse_uri,
-- streamed request bodies) against tests/http/server.py. Prints OK.
local http = require "rua.http"
local json = require "rua.json"

local port = assert(tonumber(os.getenv("HTTP_PORT")), "run through tests/http/server.py")

local function connections()
  local res = assert(http.new():request_uri("http://127.0.0.1:" .. port .. "/stats", { keepalive = false, pool = "stats" }))
  return tonumber(res.body)
end

-- ---- parse_uri ----
do
  local u = http.parse_uri("http://example.com/a/b?x=1&y=2#frag")
  assert(u[1] == "http" and u[2] == "example.com" and u[3] == 80 and u[4] == "/a/b?x=1&y=2" and u[5] == nil)
  u = http.new():parse_uri("https://Example.com:8443", false)
  assert(u[1] == "https" and u[2] == "Example.com" and u[3] == 8443 and u[4] == "/" and u[5] == "")
  u = http.parse_uri("HTTPS://[::1]:9/p?q=1", false)
  assert(u[1] == "https" and u[2] == "[::1]" and u[3] == 9 and u[4] == "/p" and u[5] == "q=1")
  for _, bad in ipairs { "", "example.com/x", "//example.com/", "http://", "http://host:0/", "http://host:65536/",
    "http://host:12a/", "gopher://host/", "http://[::1/" } do
    local r, err = http.parse_uri(bad)
    assert(r == nil and err:find("bad uri", 1, true), bad)
  end
  local r, err = http.parse_uri(nil)
  assert(r == nil and err:find("bad uri"))
end

-- ---- connect{...}, request, read_body, set_keepalive ----
do
  local httpc = http.new()
  assert(httpc:connect { scheme = "http", host = "127.0.0.1", port = port, pool = "stream" })
  assert(httpc:get_reused_times() == 0)
  local res = assert(httpc:request { path = "/json", headers = { Accept = "application/json" } })
  assert(res.status == 200 and res.headers["content-type"] == "application/json")
  local body = assert(res:read_body())
  assert(json.decode(body).n == 42)
  assert(httpc:set_keepalive(10000, 10) == 1)
  -- not connected any more
  local ok, err = httpc:request { path = "/json" }
  assert(ok == nil and err, err)

  -- the pooled connection comes back
  assert(httpc:connect { scheme = "http", host = "127.0.0.1", port = port, pool = "stream" })
  assert(httpc:get_reused_times() == 1)
  res = assert(httpc:request { path = "/chunked" })
  -- body_reader: pieces of at most the size asked for, then nil
  local pieces, total = {}, 0
  repeat
    local piece, rerr = res.body_reader(1000)
    assert(rerr == nil, rerr)
    if piece then
      assert(#piece > 0 and #piece <= 1000, #piece)
      pieces[#pieces + 1] = piece
    end
  until not piece
  assert(table.concat(pieces) == "Hello, chunked world" .. ("!"):rep(3000))
  assert(#pieces >= 4, #pieces)
  assert(httpc:set_keepalive() == 1)
end

-- ---- the older connect(host, port); a content-length body in exact pieces ----
do
  local httpc = http.new()
  assert(httpc:connect("127.0.0.1", port))
  local res = assert(httpc:request { path = "/big", query = "10000" })
  local sizes = {}
  local reader = res.body_reader
  while true do
    local piece, err = reader(4096)
    assert(not err, err)
    if not piece then break end
    sizes[#sizes + 1] = #piece
  end
  assert(table.concat(sizes, ",") == "4096,4096,1808", table.concat(sizes, ","))
  assert(reader(10) == nil) -- stays at the end
  -- without a size: pieces of 64 KiB at most
  res = assert(httpc:request { path = "/big", query = "200000" })
  sizes = {}
  for piece in res.body_reader do sizes[#sizes + 1] = #piece end
  assert(table.concat(sizes, ",") == "65536,65536,65536,3392", table.concat(sizes, ","))
  assert(httpc:close() == 1)
  local ok, err = httpc:close()
  assert(ok == nil and err, "second close")
  local bad, berr = http.new():connect("127.0.0.1", 1)
  assert(bad == nil and berr == "connection refused", berr)
  bad, berr = http.new():connect { host = "127.0.0.1", port = port, scheme = "gopher" }
  assert(bad == nil and berr:find("scheme"), berr)
  bad, berr = http.new():connect {}
  assert(bad == nil and berr, berr)
end

-- ---- read_trailers ----
do
  local httpc = http.new()
  assert(httpc:connect { host = "127.0.0.1", port = port })
  local res = assert(httpc:request { path = "/trailers" })
  assert(res.headers["x-checksum"] == nil)
  assert(res:read_body() == "abcdef")
  res:read_trailers()
  assert(res.headers["X-Checksum"] == "42" and res.headers["x-done"] == "yes")
  assert(httpc:set_keepalive() == 1)
end

-- ---- streamed request bodies from an iterator ----
do
  local httpc = http.new()
  assert(httpc:connect { host = "127.0.0.1", port = port })
  local parts = { "one,", "two,", "", "three" }
  local i = 0
  local res = assert(httpc:request {
    method = "POST", path = "/echo",
    body = function()
      i = i + 1
      return parts[i]
    end,
  })
  local e = json.decode(assert(res:read_body()))
  assert(e.body == "one,two,three", e.body)
  local te
  for _, kv in ipairs(e.headers) do if kv[1]:lower() == "transfer-encoding" then te = kv[2] end end
  assert(te == "chunked", tostring(te))
  -- a coroutine that suspends between pieces (rua.sleep) as the body
  res = assert(httpc:request {
    method = "PUT", path = "/echo",
    body = coroutine.wrap(function()
      for k = 1, 3 do
        rua.sleep(0.01)
        coroutine.yield("piece" .. k .. ";")
      end
    end),
  })
  assert(json.decode(res:read_body()).body == "piece1;piece2;piece3;")
  -- with a Content-Length given, the pieces go as they are
  local sent = false
  res = assert(httpc:request {
    method = "POST", path = "/echo", headers = { ["Content-Length"] = 5 },
    body = function()
      if sent then return nil end
      sent = true
      return "hello"
    end,
  })
  e = json.decode(res:read_body())
  assert(e.body == "hello", e.body)
  -- an iterator failing: nil, its error
  local ok, err = httpc:request { method = "POST", path = "/echo", body = function() return nil, "source broke" end }
  assert(ok == nil and err == "source broke", err)
  -- a table of strings as the body
  assert(httpc:connect { host = "127.0.0.1", port = port })
  res = assert(httpc:request { method = "POST", path = "/echo", body = { "a", "b", "c" } })
  assert(json.decode(res:read_body()).body == "abc")
  httpc:close()
end

-- ---- request_pipeline: several requests on one connection ----
do
  local before = connections()
  local httpc = http.new()
  assert(httpc:connect { host = "127.0.0.1", port = port, pool = "pipeline" })
  local responses = assert(httpc:request_pipeline {
    { path = "/json" },
    { path = "/echo", method = "POST", body = "second" },
    { path = "/chunked" },
    { path = "/status", query = "404" },
  })
  assert(#responses == 4)
  assert(json.decode(responses[1]:read_body()).hello == "world")
  assert(json.decode(responses[2]:read_body()).body == "second")
  assert(#responses[3]:read_body() == 3020)
  assert(responses[4].status == 404 and responses[4]:read_body() == "status 404")
  assert(httpc:set_keepalive() == 1)
  assert(connections() - before - 1 == 1)
  local ok, err = http.new():request_pipeline { { path = "/json" } }
  assert(ok == nil and err, "pipeline without a connection")
end

-- ---- reading in a coroutine: suspension passes through coroutine.resume ----
do
  local httpc = http.new()
  assert(httpc:connect { host = "127.0.0.1", port = port })
  local res = assert(httpc:request { path = "/delay", query = "0.05" })
  local co = coroutine.wrap(function() return res:read_body() end)
  assert(co() == "late")
  httpc:close()
end

-- ---- set_keepalive on a response that must close; on an unread body ----
do
  local httpc = http.new()
  assert(httpc:connect { host = "127.0.0.1", port = port, pool = "closing" })
  local res = assert(httpc:request { path = "/close" })
  assert(res:read_body() == "bye")
  local code, msg = httpc:set_keepalive()
  assert(code == 2 and msg == "connection must be closed", code) -- closed rather than pooled
  assert(http.pool_idle("closing") == 0)
  assert(httpc:connect { host = "127.0.0.1", port = port, pool = "unread" })
  res = assert(httpc:request { path = "/big", query = "100000" })
  assert(#res.body_reader(10) == 10)
  local ok, err = httpc:set_keepalive()
  assert(ok == nil and err, "unread body pooled")
  assert(http.pool_idle("unread") == 0)
end

-- ---- a timeout on the streaming interface ----
do
  local httpc = http.new()
  httpc:set_timeouts(1000, 1000, 100)
  assert(httpc:connect { host = "127.0.0.1", port = port })
  local res = assert(httpc:request { path = "/slow-body" })
  local piece = assert(res.body_reader(7))
  assert(piece == "partial", piece)
  local more, err = res.body_reader(10)
  assert(more == nil and err == "timeout", err)
end

print("OK")
