-- rua.http: lua-resty-http's API (0.17) on the natives of module.cpp.
-- Loaded once per state with the table of natives ('core') as its argument.
-- Connections are userdata ('conn'); every method that does I/O suspends the
-- calling Lua thread only. Failures are returned as nil, err, never raised.
local core = ...

local type, tostring, tonumber, setmetatable = type, tostring, tonumber, setmetatable
local pairs, ipairs, select = pairs, ipairs, select
local lower, upper, find, sub = string.lower, string.upper, string.find, string.sub
local concat, insert = table.concat, table.insert

local _M = { _VERSION = "0.17.1", _USER_AGENT = core.user_agent }
local mt = { __index = _M }

local DEFAULT_TIMEOUT = 60000 -- ms, as ngx_lua's lua_socket_*_timeout

-- Methods that may be sent again when a pooled connection turns out dead.
local IDEMPOTENT = { GET = true, HEAD = true, PUT = true, DELETE = true, OPTIONS = true, TRACE = true }

function _M.new()
  return setmetatable({
    conn = nil,
    keepalive = true,
    connect_timeout = DEFAULT_TIMEOUT,
    send_timeout = DEFAULT_TIMEOUT,
    read_timeout = DEFAULT_TIMEOUT,
  }, mt)
end

local function apply_timeouts(self)
  if self.conn then self.conn:set_timeouts(self.connect_timeout, self.send_timeout, self.read_timeout) end
end

function _M:set_timeout(ms)
  ms = tonumber(ms) or DEFAULT_TIMEOUT
  self.connect_timeout, self.send_timeout, self.read_timeout = ms, ms, ms
  apply_timeouts(self)
end

function _M:set_timeouts(connect, send, read)
  self.connect_timeout = tonumber(connect) or DEFAULT_TIMEOUT
  self.send_timeout = tonumber(send) or DEFAULT_TIMEOUT
  self.read_timeout = tonumber(read) or DEFAULT_TIMEOUT
  apply_timeouts(self)
end

-- ===================================================================
-- URIs
-- ===================================================================

function _M.parse_uri(self, uri, query_in_path)
  if type(self) == "string" then -- http.parse_uri(uri [, query_in_path])
    uri, query_in_path = self, uri
  end
  if type(uri) ~= "string" then return nil, "bad uri: " .. tostring(uri) end
  if query_in_path == nil then query_in_path = true end
  return core.parse_uri(uri, query_in_path)
end

-- ===================================================================
-- Connecting
-- ===================================================================

local function strip_brackets(host)
  if sub(host, 1, 1) == "[" and sub(host, -1) == "]" then return sub(host, 2, -2) end
  return host
end

-- Opens (or takes from the pool) a connection as 'args' describe; 'fresh'
-- skips the pool.
local function open(self, args, fresh)
  local conn, reused = core.connect(args.pool, args.host, args.port, args.tls, args.server_name, args.verify,
    args.ca_file, self.connect_timeout, self.send_timeout, self.read_timeout, fresh)
  if not conn then return nil, reused end
  self.conn = conn
  self.reused = reused
  return true
end

-- connect{scheme=, host=, port=, ssl_verify=, ssl_server_name=, pool=, pool_size=, ...}
-- or the older connect(host, port [, options]).
function _M:connect(options, ...)
  if type(options) ~= "table" then
    local host, port, opts = options, ...
    if type(port) == "table" then port, opts = nil, port end
    options = {}
    if type(opts) == "table" then for k, v in pairs(opts) do options[k] = v end end
    options.host, options.port, options.scheme = host, port, options.scheme or "http"
  end
  if self.conn then self:close() end
  local host = options.host
  if type(host) ~= "string" or host == "" then return nil, "no host specified" end
  if sub(host, 1, 5) == "unix:" then return nil, "unix domain sockets are not supported" end
  local scheme = lower(options.scheme or "http")
  if scheme ~= "http" and scheme ~= "https" then return nil, "unsupported scheme: " .. scheme end
  local tls = scheme == "https"
  local port = tonumber(options.port) or (tls and 443 or 80)
  if port ~= port // 1 or port < 1 or port > 65535 then return nil, "invalid port: " .. tostring(options.port) end
  local verify = options.ssl_verify ~= false
  local server_name = options.ssl_server_name or strip_brackets(host)
  local ca_file = options.ssl_ca_file
  local pool = options.pool
  if not pool then
    pool = scheme .. ":" .. host .. ":" .. port
    if tls then pool = pool .. ":" .. server_name .. ":" .. tostring(verify) .. ":" .. tostring(ca_file or "") end
  end
  local args = {
    pool = pool, host = host, port = port, tls = tls, server_name = server_name, verify = verify,
    ca_file = ca_file, pool_size = options.pool_size,
  }
  local ok, err = open(self, args, false)
  if not ok then return nil, err end
  self.conn_args = args
  self.host, self.port, self.scheme = host, port, scheme
  self.keepalive = true
  return true
end

-- Deprecated in lua-resty-http: TLS on a connection opened with connect(host, port).
function _M:ssl_handshake(reused_session, server_name, ssl_verify)
  local conn = self.conn
  if not conn then return nil, "not initialized" end
  local args = self.conn_args
  server_name = server_name or (args and args.server_name) or ""
  local ok, err = conn:handshake(server_name, ssl_verify ~= false, args and args.ca_file)
  if not ok then self.conn = nil; return nil, err end
  if args then
    args.tls, args.server_name, args.verify = true, server_name, ssl_verify ~= false
    args.pool = "https:" .. self.host .. ":" .. self.port .. ":" .. server_name .. ":" .. tostring(ssl_verify ~= false)
  end
  return true
end

function _M:set_keepalive(timeout, pool_size)
  local conn = self.conn
  if not conn then return nil, "not initialized" end
  self.conn = nil
  if self.keepalive == false then
    -- The server said the connection must close: closed, and 2 rather than
    -- 1 tells an intentional close from a failed set_keepalive.
    local ok, err = conn:close()
    if not ok then return nil, err end
    return 2, "connection must be closed"
  end
  return conn:set_keepalive(timeout, pool_size or (self.conn_args and self.conn_args.pool_size))
end

function _M:get_reused_times()
  if not self.conn then return nil, "not initialized" end
  return self.conn:reused_times()
end

function _M:close()
  local conn = self.conn
  if not conn then return nil, "not initialized" end
  self.conn = nil
  return conn:close()
end

-- ===================================================================
-- Requests
-- ===================================================================

local function host_header(self)
  local host = self.host or "localhost"
  local port = self.port
  local default = (self.scheme == "https") and 443 or 80
  if find(host, ":", 1, true) and sub(host, 1, 1) ~= "[" then host = "[" .. host .. "]" end
  if port and port ~= default then return host .. ":" .. port end
  return host
end

-- Sends the head, then the body of an iterator (chunked unless the caller
-- gave a length).
function _M:send_request(params)
  local conn = self.conn
  if not conn then return nil, "not initialized" end
  params = params or {}
  local mode, err, retryable = conn:send_request(params, host_header(self), _M._USER_AGENT, params.keepalive == false)
  if not mode then self.conn = nil; return nil, err, retryable end
  if mode ~= "inline" then
    local body, chunked = params.body, mode == "chunked"
    repeat
      local piece, perr = body()
      if perr then conn:close(); self.conn = nil; return nil, perr end
      if piece ~= nil and piece ~= "" then
        local ok, serr = conn:send(tostring(piece), chunked)
        if not ok then self.conn = nil; return nil, serr end
      end
    until piece == nil
    if chunked then
      local ok, serr = conn:send("", true)
      if not ok then self.conn = nil; return nil, serr end
    end
  end
  return true
end

-- Pieces of the body; 64 KiB at most unless the caller asks for another
-- size, as lua-resty-http's default_chunk_size.
local DEFAULT_CHUNK = 65536

local function body_reader(self, conn)
  return function(max_chunk_size)
    if self.conn ~= conn then return nil, "closed" end
    local piece, err = conn:read_body(tonumber(max_chunk_size) or DEFAULT_CHUNK)
    if err then self.conn = nil end
    return piece, err
  end
end

local function read_body(res)
  local self, conn = res._client, res._conn
  if not res.has_body then return "" end
  if self.conn ~= conn then return nil, "closed" end
  local body, err = conn:read_all()
  if not body then self.conn = nil end
  return body, err
end

local function read_trailers(res)
  local self, conn = res._client, res._conn
  if not res.has_body then return end
  conn:add_trailers(res.headers)
end

function _M:read_response(params)
  local conn = self.conn
  if not conn then return nil, "not initialized" end
  params = params or {}
  local is_head = upper(params.method or "GET") == "HEAD"
  local status, reason, headers, version, keepalive, has_body = conn:read_response(is_head)
  if not status then
    self.conn = nil
    return nil, reason, headers -- err, retryable
  end
  if not keepalive then self.keepalive = false end
  local res = {
    status = status, reason = reason, headers = headers, has_body = has_body,
    read_body = read_body, read_trailers = read_trailers, _client = self, _conn = conn,
  }
  if has_body then res.body_reader = body_reader(self, conn) end
  return res
end

function _M:request(params)
  params = params or {}
  local ok, err, retryable = self:send_request(params)
  if ok then
    local res
    res, err, retryable = self:read_response(params)
    if res then return res end
  end
  -- A pooled connection the server had closed meanwhile: once more on a new one.
  local method = upper(params.method or "GET")
  if not (retryable and self.conn_args and IDEMPOTENT[method] and type(params.body) ~= "function") then
    return nil, err
  end
  ok, err = open(self, self.conn_args, true)
  if not ok then return nil, err end
  ok, err = self:send_request(params)
  if not ok then return nil, err end
  return self:read_response(params)
end

function _M:request_pipeline(requests)
  for _, params in ipairs(requests) do
    if type(params.body) == "function" then return nil, "cannot pipeline request specified with a body iterator" end
    local ok, err = self:send_request(params)
    if not ok then return nil, err end
  end
  local responses = {}
  for i, params in ipairs(requests) do
    local res, err = self:read_response(params)
    if not res then return nil, err end
    responses[i] = res
    -- Each body must be read before the next response can be: read it now.
    -- (lua-resty-http leaves this to the caller, in order; buffering the
    -- body lets the caller read them in any order.)
    if res.has_body then
      local body, berr = read_body(res)
      if not body then return nil, berr end
      read_trailers(res)
      res.body = body
      local done = false
      res.body_reader = function()
        if done then return nil end
        done = true
        return body
      end
      res.read_body = function() return body end
    end
  end
  return responses
end

-- ===================================================================
-- request_uri: connect, request, read the body, pool the connection
-- ===================================================================

function _M:request_uri(uri, params)
  params = params or {}
  local parsed, err = core.parse_uri(uri, false)
  if not parsed then return nil, err end
  local scheme, host, port, path, query = parsed[1], parsed[2], parsed[3], parsed[4], parsed[5]
  local req = {}
  for k, v in pairs(params) do req[k] = v end
  if not req.path then req.path = path end
  if not req.query and query ~= "" then req.query = query end
  local ok, cerr = self:connect{
    scheme = scheme, host = host, port = port,
    ssl_verify = params.ssl_verify, ssl_server_name = params.ssl_server_name, ssl_ca_file = params.ssl_ca_file,
    pool = params.pool, pool_size = params.pool_size,
  }
  if not ok then return nil, cerr end
  local res, rerr = self:request(req)
  if not res then
    if self.conn then self:close() end
    return nil, rerr
  end
  local body, berr = res:read_body()
  if not body then
    if self.conn then self:close() end
    return nil, berr
  end
  res.body = body
  res:read_trailers()
  -- As lua-resty-http, a connection that cannot be pooled is closed and the
  -- response returned all the same.
  if params.keepalive == false then
    self:close()
  else
    self:set_keepalive(params.keepalive_timeout, params.keepalive_pool)
  end
  return res
end

-- ===================================================================
-- Helpers
-- ===================================================================

-- The number of idle connections in this worker's keep-alive pool.
_M.pool_idle = core.pool_idle
-- ngx.encode_args: a table as a query string.
_M.encode_args = core.encode_args

return _M
