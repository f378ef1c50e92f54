-- rua.http trusts the CA named by OpenSSL's SSL_CERT_FILE instead of the
-- system store (tests/http/server.py sets it to its test CA for this script).
local http = require "rua.http"

local port = assert(tonumber(os.getenv("HTTPS_PORT")), "run through tests/http/server.py")
local self_port = assert(tonumber(os.getenv("HTTPS_SELF_PORT")))
assert(os.getenv("SSL_CERT_FILE") == os.getenv("HTTP_CA"))

local res, err = http.new():request_uri("https://localhost:" .. port .. "/json")
assert(res and res.status == 200, err)
res, err = http.new():request_uri("https://localhost:" .. self_port .. "/json")
assert(res == nil and err:find("certificate verify failed", 1, true), err)
print("OK")
