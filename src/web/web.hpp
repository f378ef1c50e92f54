// rua.web: the Lua side of the HTTP server (src/server runs the sockets).
//
//   local web = require "rua.web"
//   local app = web.app()
//   app:get("/users/:id", function(req, res) return { id = req.params.id } end)
//   app:post / put / patch / delete / head / options / any (pattern, handler)
//   app:use(function(req, res, next) ... return next() end)   -- middleware, in order
//   app:on_start(function(worker_id) ... end)                  -- once per worker
//   return app                                                 -- the app file's result
//
// Patterns: literal segments, ':name' segments (req.params.name, percent-
// decoded) and a trailing '*' (the rest of the path, possibly empty, as
// req.params["*"]). Routes are tried in the order they were added; a path
// that some route matches with another method answers 405 with Allow; no
// match answers 404. HEAD runs the GET route (the body is not sent).
//
// req: method, path (without the query), params, query (decoded; a repeated
// key gives an array), headers (lower-case names; repeated headers joined
// with ", "), body (string), remote_addr, id (the request id), req:json()
// (the body decoded; invalid JSON ends the request with 400
// {"error":"invalid json"}), req:header(name).
// res: res:status(n), res:header(name, value), res:send(body), res:json(v),
// res:write(chunk) (streams the body chunked: the status and headers go out
// with the first chunk; waits until the chunk is written; returns true, or
// nil and "closed" when the client has gone).
// A handler's results: body | status, body [, headers]. A table body is
// sent as JSON, a string as text/plain; nothing sends what res:status /
// res:header set with an empty body. After res:send/res:json the results
// are ignored.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api.hpp"

namespace rua {

// Registers the module loader as package.preload["rua.web"].
void preload_web(State* L);
int open_web(State* L);

namespace web {

// One request and the response being built for it. The server fills the
// request part, the Lua handler (through req/res) the response part.
struct Exchange {
  // ---- request (views stay valid until the response is written) ----
  std::string_view method;
  std::string_view target;  // path and query as received
  std::string_view path;    // target up to '?'
  std::string_view query;   // after '?', without it
  std::string_view body;
  std::vector<std::pair<std::string_view, std::string_view>> headers;  // as received
  std::string remote_addr;
  uint64_t number = 0;  // per worker, for the request id
  uint64_t slot_id = 0;  // ties req/res to this exchange while the task runs
  int worker_id = 0;
  bool head = false;  // HEAD: the body is not sent

  // ---- routing ----
  std::vector<std::pair<std::string_view, std::string_view>> params;
  std::string allow;  // for 405

  // ---- response ----
  int status = 200;
  std::vector<std::pair<std::string, std::string>> out_headers;
  std::string out_body;
  bool has_content_type = false;
  bool sent = false;      // res:send / res:json ran, or the results were taken
  bool bad_json = false;  // req:json() failed (ends as 400)
  bool streaming = false; // res:write sent the head (chunked); the body goes out as written

  // Set by the server: writes a piece of a streamed body (the head first,
  // when streaming starts), then calls done(ok) on the loop.
  std::function<void(std::string_view chunk, std::function<void(bool ok)> done)> stream;

  void reset();
  void add_header(std::string_view name, std::string_view value);
};

struct Route {
  std::string method;  // upper case; "*" for any
  std::string pattern;
  struct Seg {
    std::string text;
    bool param;
  };
  std::vector<Seg> segs;
  bool wildcard = false;
  int handler = 0;  // index in the app's handler table
};

// What the router found.
enum class Match { Found, NotFound, MethodNotAllowed };

// The app as one worker sees it: its routes, the handler functions (in a
// registry table), middleware, and the slots that tie req/res objects to
// the exchanges in progress.
class App {
 public:
  // Reads the app table on L's top (leaves it). Raises a Lua error on a
  // malformed app.
  void load(State* L);
  bool has_middleware() const { return has_middleware_; }
  // Runs the app's on_start functions for this worker (a Lua function to
  // call is pushed: returns how many functions were pushed).
  int push_on_start(State* L);

  Match route(Exchange& ex, int* handler) const;

  // Pushes the function to run as the request's task and its arguments;
  // returns the number of arguments. 'handler' as route() gave it
  // (meaningless unless m is Found).
  int push_call(State* L, Exchange& ex, Match m, int handler);
  // Called when the task is over: detaches req/res from ex.
  void release(Exchange& ex);

  Exchange* exchange(uint64_t id) const;

 private:
  uint64_t attach(Exchange* ex);
  std::vector<Route> routes_;
  int handlers_ref_ = kNoRef;   // {handler functions...}
  int middleware_ref_ = kNoRef; // {middleware functions...}
  int dispatch_ref_ = kNoRef;   // the Lua function that runs the middleware chain
  int req_mt_ref_ = kNoRef, res_mt_ref_ = kNoRef;
  int on_start_ref_ = kNoRef, on_start_runner_ref_ = kNoRef;
  bool has_middleware_ = false;
  struct Slot {
    Exchange* ex = nullptr;
    uint32_t gen = 0;
  };
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_slots_;
};

// The reason phrase of a status code ("OK", "Not Found"; "" if unknown).
std::string_view reason(int status);

// Percent-decodes s (and '+' as space when plus is set) into out; false
// when s has a malformed escape.
bool percent_decode(std::string_view s, std::string& out, bool plus);

}  // namespace web
}  // namespace rua
