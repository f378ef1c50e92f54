// Building requests from lua-resty-http's params tables, and URIs.
#pragma once

#include <string>
#include <string_view>

#include "api.hpp"

namespace rua::http {

// How the body goes after the head.
enum class BodyMode {
  Inline,   // with the head (a string, a table of strings, or none)
  Raw,      // an iterator's pieces as they are (the caller set Content-Length or chunked)
  Chunked,  // an iterator's pieces, framed by us with chunked coding
};

struct Request {
  std::string head;  // request line and header fields, up to the empty line
  std::string body;  // BodyMode::Inline
  BodyMode mode = BodyMode::Inline;
  bool head_method = false;
};

// Reads method, path, query, version, headers and body from the params table
// at 'idx'. 'host' is the Host field unless params.headers has one; 'close'
// adds "Connection: close" unless params.headers has a Connection field.
// Returns false with 'err' set for a request that cannot be sent.
bool build_request(State* L, int idx, std::string_view host, std::string_view user_agent, bool close,
                   Request& out, std::string& err);

// ngx.encode_args: the table at 'idx' as a query string, keys and values
// percent-encoded (everything but letters, digits and "-._~").
void encode_args(State* L, int idx, std::string& out);

// http.parse_uri(uri [, query_in_path]) -> {scheme, host, port, path, query} | nil, err
int parse_uri(State* L);

}  // namespace rua::http
