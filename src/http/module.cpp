// The natives of rua.http, and its loader: connections as userdata whose
// methods suspend the calling Lua thread while the worker's loop does the
// I/O (see the async protocol in worker.hpp). http.lua builds
// lua-resty-http's API on them.
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <utility>

#include "connection.hpp"
#include "http.hpp"
#include "pool.hpp"
#include "request.hpp"
#include "worker.hpp"

namespace rua::http {

extern const char kHttpLua[];

namespace {

constexpr const char* kConnType = "rua.http.conn";
constexpr const char* kHeadersType = "rua.http.headers";
constexpr const char* kUserAgent = "rua-http/0.1 (Lua 5.5; rua)";
constexpr lua_Integer kDefaultTimeoutMs = 60000;
constexpr lua_Integer kDefaultPoolSize = 30;

struct ConnRef {
  std::shared_ptr<Connection> c;
};

using Push = std::function<int(State*)>;
using Finish = std::function<void(const Push&)>;

Worker* worker_of(State* L) {
  Worker* w = Worker::of(L);
  if (w == nullptr) errorf(L, "rua.http: no event loop (this state is not run by a rua worker)");
  return w;
}

int fail(State* L, const std::string& err) {
  push_nil(L);
  push_sv(L, err);
  return 2;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); i++)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// Suspends the calling thread until the operation that 'start' begins calls
// its Finish with a function that pushes the results. A killed task closes
// the connection, which ends the operation.
//
// Worker::complete continues the task at once, so it must not run before
// this native has returned suspend(L): an operation that ends inside 'start'
// (an error found before any I/O) has its completion posted to the loop.
template <typename Start>
int await(State* L, const std::shared_ptr<Connection>& c, Start start) {
  Worker* w = worker_of(L);
  Worker::Ticket tk = w->begin_wait(L, [weak = std::weak_ptr<Connection>(c)] {
    if (auto conn = weak.lock()) conn->close();
  });
  auto starting = std::make_shared<bool>(true);
  start(Finish([w, tk, starting](const Push& push) {
    if (*starting)
      net::post(w->ioc(), [w, tk, push] { w->complete(tk, push); });
    else
      w->complete(tk, push);
  }));
  *starting = false;
  return suspend(L);
}

void push_conn(State* L, std::shared_ptr<Connection> c) {
  auto* r = static_cast<ConnRef*>(new_userdata(L, sizeof(ConnRef), 0));
  new (r) ConnRef{std::move(c)};
  set_metatable_named(L, kConnType);
}

ConnRef* check_ref(State* L) { return static_cast<ConnRef*>(check_udata(L, 1, kConnType)); }

// The connection of argument 1 if an operation can start on it, else null
// with nil, err pushed.
Connection* usable(State* L, ConnRef* r) {
  if (!r->c || !r->c->is_open()) {
    fail(L, "closed");
    return nullptr;
  }
  if (r->c->busy()) {
    fail(L, "socket busy");
    return nullptr;
  }
  return r->c.get();
}

// ===================================================================
// Header tables: field names keep the server's case, lookups ignore case
// ===================================================================

// Finds the key of table 'idx' equal to the string 'k' but for case; pushes it.
bool find_key(State* L, int idx, std::string_view k) {
  push_nil(L);
  while (next(L, idx)) {
    pop(L, 1);
    if (type(L, -1) == Type::String && iequals(to_sv(L, -1), k)) return true;
  }
  return false;
}

int headers_index(State* L) {
  if (type(L, 2) != Type::String) return 0;
  if (!find_key(L, 1, to_sv(L, 2))) return 0;
  raw_get(L, 1);
  return 1;
}

int headers_newindex(State* L) {
  if (type(L, 2) == Type::String && find_key(L, 1, to_sv(L, 2))) replace(L, 2);  // the existing spelling
  set_top(L, 3);
  raw_set(L, 1);
  return 0;
}

// Adds a field; a repeated one (in any case) turns into an array of values.
void add_header(State* L, int t, std::string_view name, std::string_view value) {
  if (!find_key(L, t, name)) push_sv(L, name);
  push_value(L, -1);
  Type old = raw_get(L, t);
  if (old == Type::Nil) {
    pop(L, 1);
    push_sv(L, value);
  } else if (old == Type::String) {
    create_table(L, 2, 0);
    insert(L, -2);
    raw_set_i(L, -2, 1);
    push_sv(L, value);
    raw_set_i(L, -2, 2);
  } else {
    push_sv(L, value);
    raw_set_i(L, -2, lua_Integer(raw_len(L, -2)) + 1);
  }
  raw_set(L, t);
}

void push_headers(State* L, const bhttp::response_header<>& h) {
  create_table(L, 0, 8);
  int t = get_top(L);
  for (const auto& f : h) add_header(L, t, f.name_string(), f.value());
  set_metatable_named(L, kHeadersType);
}

// ===================================================================
// core: connecting, URIs, the pool
// ===================================================================

Timeouts timeouts_from(State* L, int first) {
  auto ms = [L](int i) { return Millis(opt_integer(L, i, kDefaultTimeoutMs)); };
  return Timeouts{ms(first), ms(first + 1), ms(first + 2)};
}

// core.connect(key, host, port, tls, server_name, verify, ca_file, connect_ms, send_ms, read_ms, fresh)
//   -> conn, reused_times | nil, err. 'fresh': a new connection, not one from the pool.
int core_connect(State* L) {
  std::string key(check_sv(L, 1));
  std::string host(check_sv(L, 2));
  lua_Integer port = check_integer(L, 3);
  bool tls = to_boolean(L, 4);
  TlsOptions opts;
  opts.server_name = opt_string(L, 5, host.c_str());
  opts.verify = is_none_or_nil(L, 6) || to_boolean(L, 6);
  opts.ca_file = opt_string(L, 7, "");
  Timeouts t = timeouts_from(L, 8);
  if (port < 1 || port > 65535) return fail(L, "invalid port");
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (opts.server_name.size() > 2 && opts.server_name.front() == '[')
    opts.server_name = opts.server_name.substr(1, opts.server_name.size() - 2);
  Worker* w = worker_of(L);
  bool fresh = to_boolean(L, 11);
  if (auto c = fresh ? nullptr : ConnectionPool::of(w->ioc()).take(key)) {
    c->timeouts = t;
    push_conn(L, c);
    push_integer(L, c->reused);
    return 2;
  }
  auto c = std::make_shared<Connection>(w->ioc());
  c->pool_key = key;
  c->timeouts = t;
  return await(L, c, [c, host, port, tls, opts](Finish finish) {
    c->connect(host, uint16_t(port), [c, tls, opts, finish](const std::string& err) {
      auto done = [c, finish](const std::string& err) {
        finish([c, err](State* L) {
          if (!err.empty()) return fail(L, err);
          push_conn(L, c);
          push_integer(L, 0);
          return 2;
        });
      };
      if (!err.empty() || !tls) return done(err);
      c->handshake(opts, done);
    });
  });
}

// core.pool_idle([pool]) -> idle connections in this worker's pool (under that pool name)
int core_pool_idle(State* L) {
  ConnectionPool& pool = ConnectionPool::of(worker_of(L)->ioc());
  std::size_t n = is_none_or_nil(L, 1) ? pool.idle_count() : pool.idle_count(std::string(check_sv(L, 1)));
  push_integer(L, lua_Integer(n));
  return 1;
}

// core.encode_args(t) -> query string
int core_encode_args(State* L) {
  check_type(L, 1, Type::Table);
  std::string out;
  encode_args(L, 1, out);
  push_sv(L, out);
  return 1;
}

// ===================================================================
// conn: sending
// ===================================================================

// A request usually fits in the socket's buffer: written at once, the native
// returns without suspending the thread (no completion to post and run).
int write_then(State* L, const std::shared_ptr<Connection>& c, std::vector<std::string> parts,
               Push on_success) {
  if (c->write_now(parts)) return on_success(L);
  return await(L, c, [c, parts = std::move(parts), on_success](Finish finish) mutable {
    c->write(std::move(parts), [c, finish, on_success](const std::string& err) {
      if (!err.empty()) {
        bool retryable = c->failed_before_response();  // a pooled connection the server had closed
        return finish([err, retryable](State* L) {
          fail(L, err);
          push_boolean(L, retryable);
          return 3;
        });
      }
      finish(on_success);
    });
  });
}

const char* mode_name(BodyMode m) {
  switch (m) {
    case BodyMode::Inline: return "inline";
    case BodyMode::Raw: return "raw";
    case BodyMode::Chunked: return "chunked";
  }
  return "inline";
}

// conn:send_request(params, host_header, user_agent, close) -> body mode ("inline", "raw",
// "chunked") | nil, err, retryable (as read_response's). 'close' asks the server to close the connection
// after the response.
int conn_send_request(State* L) {
  ConnRef* r = check_ref(L);
  check_type(L, 2, Type::Table);
  std::string_view host = check_sv(L, 3);
  std::string_view agent = opt_lstring(L, 4, kUserAgent, nullptr);
  bool close = to_boolean(L, 5);
  Connection* c = usable(L, r);
  if (c == nullptr) return 2;
  Request req;
  std::string err;
  if (!build_request(L, 2, host, agent, close, req, err)) {
    r->c->close();
    r->c.reset();
    return fail(L, err);
  }
  const char* mode = mode_name(req.mode);
  std::vector<std::string> parts{std::move(req.head), std::move(req.body)};
  return write_then(L, r->c, std::move(parts), [mode](State* L) {
    push_string(L, mode);
    return 1;
  });
}

// conn:send(data [, chunked]) -> true | nil, err. With 'chunked' the data is
// sent as one chunk; an empty one ends the body.
int conn_send(State* L) {
  ConnRef* r = check_ref(L);
  std::string data(check_sv(L, 2));
  bool chunked = to_boolean(L, 3);
  Connection* c = usable(L, r);
  if (c == nullptr) return 2;
  std::vector<std::string> parts;
  if (chunked) {
    char size[24];
    std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    parts = {size, std::move(data), "\r\n"};
  } else {
    parts = {std::move(data)};
  }
  return write_then(L, r->c, std::move(parts), [](State* L) {
    push_boolean(L, true);
    return 1;
  });
}

// ===================================================================
// conn: receiving
// ===================================================================

bool is_interim(const Connection& c) {
  unsigned s = c.header().result_int();
  return s >= 100 && s < 200 && s != 101;
}

// 1xx responses other than 101 announce the real one: skip them.
Connection::Step skip_interim(Connection& c, bool head, Connection::Step st) {
  while (st == Connection::Step::Ready && is_interim(c)) st = c.start_header(head);
  return st;
}

void read_header_async(std::shared_ptr<Connection> c, bool head, Connection::Done done) {
  c->read_more([c, head, done](const std::string& err) {
    if (!err.empty()) return done(err);
    switch (skip_interim(*c, head, Connection::Step::Ready)) {
      case Connection::Step::Ready: return done("");
      case Connection::Step::Failed: return done(c->last_error());
      case Connection::Step::NeedIo: return read_header_async(c, head, done);
    }
  });
}

int push_response(State* L, Connection& c, bool head) {
  const auto& h = c.header();
  unsigned status = h.result_int();
  push_integer(L, status);
  push_sv(L, h.reason());
  push_headers(L, h);
  push_number(L, h.version() / 10.0);
  push_boolean(L, c.header_keep_alive());
  push_boolean(L, !head && status != 204 && status != 304 && !(status >= 100 && status < 200));
  return 6;
}

int push_failure(State* L, Connection& c, const std::string& err) {
  push_nil(L);
  push_sv(L, err);
  push_boolean(L, c.failed_before_response());
  return 3;
}

// conn:read_response(is_head) -> status, reason, headers, version, keepalive, has_body
//   | nil, err, retryable (the pooled connection was dead before the response began)
int conn_read_response(State* L) {
  ConnRef* r = check_ref(L);
  bool head = to_boolean(L, 2);
  Connection* c = usable(L, r);
  if (c == nullptr) return 2;
  if (!c->response_done()) return fail(L, "the previous response's body has not been read");
  switch (skip_interim(*c, head, c->start_header(head))) {
    case Connection::Step::Ready: return push_response(L, *c, head);
    case Connection::Step::Failed: return push_failure(L, *c, c->last_error());
    case Connection::Step::NeedIo: break;
  }
  auto conn = r->c;
  return await(L, conn, [conn, head](Finish finish) {
    read_header_async(conn, head, [conn, head, finish](const std::string& err) {
      finish([conn, head, err](State* L) {
        if (!err.empty()) return push_failure(L, *conn, err);
        return push_response(L, *conn, head);
      });
    });
  });
}

// The piece just read: nil at the end of the body, unless 'whole' (then "").
int push_piece(State* L, Connection& c, bool whole) {
  std::string& piece = c.body_piece();
  if (piece.empty() && c.body_done() && !whole)
    push_nil(L);
  else
    push_sv(L, piece);
  piece.clear();
  return 1;
}

int read_body(State* L, BodyRead mode, std::size_t max, bool whole) {
  ConnRef* r = check_ref(L);
  Connection* c = usable(L, r);
  if (c == nullptr) {
    if (r->c && r->c->body_done() && !r->c->busy()) return whole ? (push_string(L, ""), 1) : (push_nil(L), 1);
    return 2;
  }
  if (!c->response_started()) return fail(L, "no response to read");
  if (c->body_done() && !whole) {
    push_nil(L);
    return 1;
  }
  if (mode != BodyRead::All && c->body_has_no_length()) mode = BodyRead::Available;
  switch (c->start_body(mode, max)) {
    case Connection::Step::Ready: return push_piece(L, *c, whole);
    case Connection::Step::Failed: return fail(L, c->last_error());
    case Connection::Step::NeedIo: break;
  }
  auto conn = r->c;
  return await(L, conn, [conn, whole](Finish finish) {
    conn->read_more([conn, whole, finish](const std::string& err) {
      finish([conn, whole, err](State* L) {
        if (!err.empty()) return fail(L, err);
        return push_piece(L, *conn, whole);
      });
    });
  });
}

// conn:read_body([max]) -> piece | nil (the end) | nil, err. Without max: the
// whole body if it has a length, else what has arrived.
int conn_read_body(State* L) {
  lua_Integer max = opt_integer(L, 2, 0);
  return read_body(L, BodyRead::Exactly, max > 0 ? std::size_t(max) : 0, false);
}

// conn:read_all() -> the rest of the body ("" if none) | nil, err
int conn_read_all(State* L) { return read_body(L, BodyRead::All, 0, true); }

// conn:add_trailers(headers) -> number of trailer fields (added where the header lacks them)
int conn_add_trailers(State* L) {
  ConnRef* r = check_ref(L);
  check_type(L, 2, Type::Table);
  if (!r->c) return 0;
  auto trailers = r->c->trailers();
  for (const auto& [name, value] : trailers) {
    if (find_key(L, 2, name)) {
      pop(L, 1);
      continue;
    }
    push_sv(L, name);
    push_sv(L, value);
    raw_set(L, 2);
  }
  push_integer(L, lua_Integer(trailers.size()));
  return 1;
}

// ===================================================================
// conn: the rest
// ===================================================================

// conn:handshake(server_name, verify, ca_file) -> true | nil, err (a pooled TLS connection: at once)
int conn_handshake(State* L) {
  ConnRef* r = check_ref(L);
  TlsOptions opts;
  opts.server_name = opt_string(L, 2, "");
  opts.verify = is_none_or_nil(L, 3) || to_boolean(L, 3);
  opts.ca_file = opt_string(L, 4, "");
  Connection* c = usable(L, r);
  if (c == nullptr) return 2;
  if (c->is_tls()) {
    push_boolean(L, true);
    return 1;
  }
  auto conn = r->c;
  return await(L, conn, [conn, opts](Finish finish) {
    conn->handshake(opts, [finish](const std::string& err) {
      finish([err](State* L) {
        if (!err.empty()) return fail(L, err);
        push_boolean(L, true);
        return 1;
      });
    });
  });
}

int conn_set_timeouts(State* L) {
  ConnRef* r = check_ref(L);
  if (r->c) r->c->timeouts = timeouts_from(L, 2);
  return 0;
}

// conn:set_keepalive([idle_ms [, pool_size]]) -> 1 | 2, "connection must be closed" | nil, err
int conn_set_keepalive(State* L) {
  ConnRef* r = check_ref(L);
  lua_Integer idle = opt_integer(L, 2, 0);
  lua_Integer size = opt_integer(L, 3, 0);
  Connection* c = usable(L, r);
  if (c == nullptr) return 2;
  std::shared_ptr<Connection> conn = std::move(r->c);
  if (!conn->response_done()) {
    conn->close();
    return fail(L, "unread data in buffer");
  }
  if (!conn->keep_alive() || conn->pool_ == nullptr) {
    conn->close();
    push_integer(L, 2);
    push_string(L, "connection must be closed");
    return 2;
  }
  conn->pool_->put(conn, Millis(idle > 0 ? idle : kDefaultTimeoutMs),
                   std::size_t(size > 0 ? size : kDefaultPoolSize));
  push_integer(L, 1);
  return 1;
}

int conn_close(State* L) {
  ConnRef* r = check_ref(L);
  std::shared_ptr<Connection> conn = std::move(r->c);
  if (!conn || !conn->is_open()) return fail(L, "closed");
  conn->close();
  push_integer(L, 1);
  return 1;
}

int conn_reused_times(State* L) {
  ConnRef* r = check_ref(L);
  if (!r->c) return fail(L, "closed");
  push_integer(L, r->c->reused);
  return 1;
}

int conn_gc(State* L) {
  auto* r = static_cast<ConnRef*>(to_userdata(L, 1));
  if (r->c && !r->c->busy()) r->c->close();
  r->~ConnRef();
  return 0;
}

const Reg kConnMethods[] = {{"send_request", conn_send_request},   {"send", conn_send},
                            {"read_response", conn_read_response}, {"read_body", conn_read_body},
                            {"read_all", conn_read_all},           {"add_trailers", conn_add_trailers},
                            {"handshake", conn_handshake},         {"set_timeouts", conn_set_timeouts},
                            {"set_keepalive", conn_set_keepalive}, {"close", conn_close},
                            {"reused_times", conn_reused_times},   {nullptr, nullptr}};

const Reg kCoreFuncs[] = {{"connect", core_connect},
                          {"parse_uri", parse_uri},
                          {"pool_idle", core_pool_idle},
                          {"encode_args", core_encode_args},
                          {nullptr, nullptr}};

void create_metatables(State* L) {
  if (new_metatable(L, kConnType)) {
    new_lib(L, kConnMethods);
    set_field(L, -2, "__index");
    push_native(L, conn_gc);
    set_field(L, -2, "__gc");
  }
  pop(L, 1);
  if (new_metatable(L, kHeadersType)) {
    push_native(L, headers_index);
    set_field(L, -2, "__index");
    push_native(L, headers_newindex);
    set_field(L, -2, "__newindex");
  }
  pop(L, 1);
}

}  // namespace

}  // namespace rua::http

namespace rua {

int open_http(State* L) {
  http::create_metatables(L);
  if (load_buffer(L, std::string_view(http::kHttpLua, std::strlen(http::kHttpLua)), "=[rua.http]") != kOk)
    error(L);
  new_lib(L, http::kCoreFuncs);
  push_string(L, http::kUserAgent);
  set_field(L, -2, "user_agent");
  get_metatable_named(L, http::kHeadersType);
  set_field(L, -2, "headers_mt");
  call(L, 1, 1);
  return 1;
}

void preload_http(State* L) {
  get_subtable(L, kRegistryIndex, "_PRELOAD");
  push_native(L, open_http);
  set_field(L, -2, "rua.http");
  pop(L, 1);
}

}  // namespace rua
