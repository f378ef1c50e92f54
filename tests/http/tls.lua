-- rua.http over TLS against tests/http/server.py's HTTPS servers: one with a
-- certificate for localhost/127.0.0.1 signed by a CA made at test time
-- (HTTP_CA), one self-signed. Prints OK.
local http = require "rua.http"

local port = assert(tonumber(os.getenv("HTTPS_PORT")), "run through tests/http/server.py")
local self_port = assert(tonumber(os.getenv("HTTPS_SELF_PORT")))
local plain_port = assert(tonumber(os.getenv("HTTP_PORT")))
local ca = assert(os.getenv("HTTP_CA"))

local function get(url, params)
  return http.new():request_uri(url, params)
end

local function connections()
  local res = assert(get("http://127.0.0.1:" .. plain_port .. "/stats", { keepalive = false, pool = "stats" }))
  return tonumber(res.body)
end

-- ---- verified against the test CA: by name and by address ----
do
  local res, err = get("https://localhost:" .. port .. "/json", { ssl_ca_file = ca })
  assert(res, err)
  assert(res.status == 200 and res.body == '{"hello":"world","n":42}')
  res, err = get("https://127.0.0.1:" .. port .. "/echo", { ssl_ca_file = ca })
  assert(res and res.status == 200, err)
  assert(res.body:find('"Host", "127.0.0.1:' .. port .. '"', 1, true), res.body)
  -- chunked over TLS
  res = assert(get("https://localhost:" .. port .. "/chunked", { ssl_ca_file = ca }))
  assert(#res.body == 3020)
end

-- ---- rejected: unknown CA (the system store), wrong host, self-signed ----
do
  local res, err = get("https://localhost:" .. port .. "/json")
  assert(res == nil and err:find("certificate verify failed", 1, true), err)
  res, err = get("https://localhost:" .. port .. "/json", { ssl_ca_file = ca, ssl_server_name = "wrong.example" })
  assert(res == nil and err:find("certificate verify failed", 1, true) and err:find("hostname"), err)
  res, err = get("https://localhost:" .. self_port .. "/json", { ssl_ca_file = ca })
  assert(res == nil and err:find("certificate verify failed", 1, true), err)
  res, err = get("https://localhost:" .. self_port .. "/json")
  assert(res == nil and err:find("certificate verify failed", 1, true), err)
  -- a missing CA file is an error too
  res, err = get("https://localhost:" .. port .. "/json", { ssl_ca_file = "/nonexistent/ca.pem" })
  assert(res == nil and err:find("cannot load trusted certificates", 1, true), err)
end

-- ---- ssl_verify = false ----
do
  local res, err = get("https://localhost:" .. self_port .. "/json", { ssl_verify = false })
  assert(res and res.status == 200, err)
  res, err = get("https://localhost:" .. port .. "/json", { ssl_verify = false, ssl_server_name = "wrong.example" })
  assert(res and res.status == 200, err)
  -- an unverified connection in the pool is never given to a verified request
  res, err = get("https://localhost:" .. self_port .. "/json", { ssl_ca_file = ca })
  assert(res == nil and err:find("certificate verify failed", 1, true), err)
end

-- ---- keep-alive over TLS: one connection ----
do
  local before = connections()
  for i = 1, 20 do
    assert(assert(get("https://localhost:" .. port .. "/json", { ssl_ca_file = ca, pool = "tls-ka" })).status == 200)
  end
  assert(connections() - before - 1 == 1)
end

-- ---- the streaming interface: connect{scheme = "https"}, and ssl_handshake ----
do
  local httpc = http.new()
  assert(httpc:connect { scheme = "https", host = "localhost", port = port, ssl_ca_file = ca })
  local res = assert(httpc:request { path = "/big", query = "100000" })
  local n = 0
  for piece in res.body_reader, 8192 do n = n + #piece end
  assert(n == 100000, n)
  assert(httpc:set_keepalive() == 1)

  local ok, err = httpc:connect { scheme = "https", host = "localhost", port = port }
  assert(ok == nil and err:find("certificate verify failed", 1, true), err)

  httpc = http.new()
  assert(httpc:connect("127.0.0.1", port, { ssl_ca_file = ca }))
  assert(httpc:ssl_handshake(nil, "localhost", true))
  res = assert(httpc:request { path = "/json" })
  assert(res:read_body() == '{"hello":"world","n":42}')
  httpc:close()

  httpc = http.new()
  assert(httpc:connect("127.0.0.1", self_port))
  ok, err = httpc:ssl_handshake(nil, "localhost", true)
  assert(ok == nil and err:find("certificate verify failed", 1, true), err)
end

-- ---- a TLS server that never answers the handshake: timeout ----
do
  local httpc = http.new()
  httpc:set_timeout(200)
  -- the plain server waits for a request line that a ClientHello never ends
  local t0 = rua.now()
  local ok, err = httpc:connect { scheme = "https", host = "127.0.0.1", port = plain_port, ssl_verify = false }
  assert(ok == nil, "handshake with a plain server succeeded")
  assert(err == "timeout" or err:find("handshake failed", 1, true), err)
  assert(rua.now() - t0 < 2)
end

-- ---- many concurrent TLS requests ----
do
  local tasks = {}
  for i = 1, 100 do
    tasks[i] = rua.spawn(function()
      local res, err = get("https://localhost:" .. port .. "/echo?i=" .. i, { ssl_ca_file = ca })
      return res and res.status, err
    end)
  end
  for i = 1, 100 do
    local status, err = rua.wait(tasks[i])
    assert(status == 200, tostring(err))
  end
end

print("OK")
