-- rua.http benchmark client: a Lua loop fetching a small JSON document over
-- keep-alive, as bench/http/run.sh's nginx+lua-resty-http loop does.
--   rua bench.lua URL SECONDS  -> prints "rua <requests> <seconds> <requests/s>"
local http = require "rua.http"
local url, secs = assert(arg[1], "URL"), tonumber(arg[2] or "2")

local function run(deadline)
  local n = 0
  local httpc = http.new()
  while rua.now() < deadline do
    for _ = 1, 100 do
      local res, err = httpc:request_uri(url)
      if not res then error("request failed: " .. err) end
      if res.status ~= 200 or #res.body == 0 then error("bad response " .. res.status) end
      n = n + 1
    end
  end
  return n
end

run(rua.now() + 0.2) -- warm-up: the pooled connection, the code paths
local t0 = rua.now()
local n = run(t0 + secs)
local elapsed = rua.now() - t0
print(string.format("rua %d %.3f %.0f", n, elapsed, n / elapsed))
