// rua.http: an HTTP(S) client with lua-resty-http's API, on the worker's
// event loop: a request suspends only the Lua thread that makes it.
//
//   local http = require "rua.http"
//   local httpc = http.new()
//   local res, err = httpc:request_uri("https://example.com/x", {method = "POST", body = "..."})
//   -- res.status, res.reason, res.headers (case-insensitive), res.body
//
// The API and its semantics are lua-resty-http's (0.17): new, set_timeout,
// set_timeouts, connect (options table, or host and port), ssl_handshake,
// request, request_uri, request_pipeline, res.body_reader, res:read_body,
// res:read_trailers, set_keepalive, get_reused_times, close, parse_uri.
// docs/http.md lists what differs. Layers:
//  - http.lua: the API (params, responses, pipelines, body iterators, retry);
//  - module.cpp: the natives it calls (connections as userdata);
//  - connection.cpp, pool.cpp, tls.cpp, request.cpp: sockets, parsing with
//    Beast, the per-worker keep-alive pool, OpenSSL, request heads and URIs.
#pragma once

#include "api.hpp"

namespace rua {

// The module loader: returns the module table.
int open_http(State* L);

// Registers open_http as package.preload["rua.http"].
void preload_http(State* L);

}  // namespace rua
