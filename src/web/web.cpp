#include "web.hpp"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>

#include "decode.hpp"
#include "encode.hpp"
#include "blocking_pool.hpp"
#include "shdict.hpp"
#include "worker.hpp"

namespace rua {

namespace {

// The module's Lua half: building an app (routes, middleware, on_start) is
// not on the request path, so it is plain Lua; what runs per request
// (routing, req/res, the response) is native, apart from the middleware
// chain below.
constexpr const char* kWebSource = R"lua(
local web = {}
local App = {}
App.__index = App
App.__name = "rua.web.app"

function web.app()
  return setmetatable({ _routes = {}, _middleware = {}, _on_start = {} }, App)
end

function web.is_app(v)
  return getmetatable(v) == App
end

local function check_pattern(pattern)
  if type(pattern) ~= "string" then
    error("bad argument #1 (route pattern must be a string, got " .. type(pattern) .. ")", 4)
  end
  if pattern:sub(1, 1) ~= "/" then
    error("route pattern must start with '/': " .. pattern, 4)
  end
  local star = pattern:find("*", 1, true)
  if star and (star ~= #pattern or pattern:sub(-2, -2) ~= "/") then
    error("'*' may only end a route pattern, after a '/': " .. pattern, 4)
  end
  for seg in pattern:gmatch("/([^/]*)") do
    if seg:sub(1, 1) == ":" and #seg == 1 then
      error("':' needs a parameter name: " .. pattern, 4)
    end
  end
end

local function add(self, method, pattern, handler)
  if getmetatable(self) ~= App then error("calling an app method on something else (use app:get, not app.get)", 3) end
  check_pattern(pattern)
  if type(handler) ~= "function" then
    error("bad argument #2 (handler must be a function, got " .. type(handler) .. ")", 3)
  end
  local r = self._routes
  r[#r + 1] = { method, pattern, handler }
  return self
end

for _, m in ipairs({ "get", "post", "put", "patch", "delete", "head", "options" }) do
  local upper = m:upper()
  App[m] = function(self, pattern, handler) return add(self, upper, pattern, handler) end
end
function App:any(pattern, handler) return add(self, "*", pattern, handler) end

-- Files under folder at prefix (GET and HEAD): prefix .. "/a/b.css" is
-- folder/a/b.css. '..', encoded slashes and symlinks that leave the folder: 404.
function App:static(prefix, folder)
  if getmetatable(self) ~= App then error("calling an app method on something else (use app:static)", 2) end
  if type(prefix) ~= "string" or prefix:sub(1, 1) ~= "/" then error("bad argument #1 to 'static' (a path starting with '/' expected)", 2) end
  if type(folder) ~= "string" then error("bad argument #2 to 'static' (folder name expected)", 2) end
  prefix = prefix:gsub("/+$", "")
  local root, err = web._realdir(folder)
  if not root then error("static folder '" .. folder .. "': " .. err, 2) end
  local serve = web._serve_file
  local skip = #prefix + 2
  return add(self, "GET", prefix .. "/*", function(req)
    return serve(req, root, skip)
  end)
end

function App:use(f)
  if type(f) ~= "function" then error("bad argument #1 to 'use' (function expected, got " .. type(f) .. ")", 2) end
  self._middleware[#self._middleware + 1] = f
  return self
end

function App:on_start(f)
  if type(f) ~= "function" then error("bad argument #1 to 'on_start' (function expected, got " .. type(f) .. ")", 2) end
  self._on_start[#self._on_start + 1] = f
  return self
end

-- The middleware chain: mw[1](req, res, next) ... handler(req, res).
local function chain(mw, i, handler, req, res)
  local m = mw[i]
  if m == nil then return handler(req, res) end
  return m(req, res, function() return chain(mw, i + 1, handler, req, res) end)
end
function web._dispatch(mw, handler, req, res)
  return chain(mw, 1, handler, req, res)
end

function web._on_start(fns, worker_id)
  for i = 1, #fns do fns[i](worker_id) end
end

return web
)lua";

bool read_file(const std::string& path, size_t size, std::string& out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  out.clear();
  out.reserve(size);
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    out.append(buf, size_t(n));
  }
  ::close(fd);
  return true;
}

constexpr const char* kOver = "the request is over (req/res used after the response was sent)";

web::App* app_of(State* L) { return static_cast<web::App*>(to_userdata(L, upvalue_index(1))); }

web::Exchange* exchange_of(State* L, int idx, bool must) {
  web::App* app = app_of(L);
  if (!is_table(L, idx)) errorf(L, "expected a req or res object, got %s", type_name_of(L, type(L, idx)));
  raw_get_i(L, idx, 1);
  bool ok;
  lua_Integer id = to_integerx(L, -1, &ok);
  pop(L, 1);
  web::Exchange* ex = ok ? app->exchange(uint64_t(id)) : nullptr;
  if (ex == nullptr && must) errorf(L, kOver);
  return ex;
}

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = char(x + 32);
    if (y >= 'A' && y <= 'Z') y = char(y + 32);
    if (x != y) return false;
  }
  return true;
}

// Adds the value at idx to t[key] (on top of the stack... at t_idx): a
// second value for a key makes an array.
void add_query_value(State* L, int t, std::string_view key, std::string_view value) {
  push_sv(L, key);
  Type ty = raw_get(L, t);
  if (ty == Type::Nil) {
    pop(L, 1);
    push_sv(L, key);
    push_sv(L, value);
    raw_set(L, t);
  } else if (ty == Type::Table) {
    lua_Unsigned n = raw_len(L, -1);
    push_sv(L, value);
    raw_set_i(L, -2, lua_Integer(n + 1));
    pop(L, 1);
  } else {  // a string: becomes {old, new}
    create_table(L, 2, 0);
    insert(L, -2);
    raw_set_i(L, -2, 1);
    push_sv(L, value);
    raw_set_i(L, -2, 2);
    push_sv(L, key);
    insert(L, -2);
    raw_set(L, t);
  }
}

void push_query(State* L, std::string_view q) {
  new_table(L);
  int t = get_top(L);
  std::string key, value;
  size_t pos = 0;
  while (pos <= q.size() && !q.empty()) {
    size_t amp = q.find('&', pos);
    if (amp == std::string_view::npos) amp = q.size();
    std::string_view part = q.substr(pos, amp - pos);
    if (!part.empty()) {
      size_t eq = part.find('=');
      std::string_view k = part.substr(0, eq), v = eq == std::string_view::npos ? "" : part.substr(eq + 1);
      if (!web::percent_decode(k, key, true)) key.assign(k);
      if (!web::percent_decode(v, value, true)) value.assign(v);
      add_query_value(L, t, key, value);
    }
    pos = amp + 1;
  }
}

void push_headers(State* L, const web::Exchange& ex) {
  create_table(L, 0, int(ex.headers.size()));
  int t = get_top(L);
  std::string name;
  for (auto& [n, v] : ex.headers) {
    name.assign(n);
    for (char& c : name)
      if (c >= 'A' && c <= 'Z') c = char(c + 32);
    push_sv(L, name);
    if (raw_get(L, t) == Type::String) {  // repeated: joined with ", "
      push_string(L, ", ");
      push_sv(L, v);
      concat(L, 3);
    } else {
      pop(L, 1);
      push_sv(L, v);
    }
    push_sv(L, name);
    insert(L, -2);
    raw_set(L, t);
  }
}

int req_json(State* L) {
  web::Exchange* ex = exchange_of(L, 1, true);
  std::string err;
  json::DecodeOptions o;
  if (!json::decode_text(L, ex->body, o, err)) {
    ex->bad_json = true;
    errorf(L, "invalid JSON body: %s", err.c_str());
  }
  ex->bad_json = false;
  return 1;
}

int req_header(State* L) {
  web::Exchange* ex = exchange_of(L, 1, true);
  std::string_view name = check_sv(L, 2);
  bool found = false;
  Buffer b(L);
  for (auto& [n, v] : ex->headers) {
    if (!ieq(n, name)) continue;
    if (found) b.add(", ", 2);
    b.add(v);
    found = true;
  }
  if (!found) return 0;
  b.push_result();
  return 1;
}

// req's __index: the fields computed on first use, then cached in req.
int req_index(State* L) {
  std::string_view key = to_sv(L, 2);
  if (!is_string(L, 2)) return 0;
  if (key == "json") {
    push_value(L, upvalue_index(2));
    return 1;
  }
  if (key == "header") {
    push_value(L, upvalue_index(3));
    return 1;
  }
  bool cache = true;
  if (key == "headers") {
    push_headers(L, *exchange_of(L, 1, true));
  } else if (key == "query") {
    push_query(L, exchange_of(L, 1, true)->query);
  } else if (key == "body") {
    push_sv(L, exchange_of(L, 1, true)->body);
  } else if (key == "params") {
    new_table(L);
  } else if (key == "remote_addr") {
    push_sv(L, exchange_of(L, 1, true)->remote_addr);
  } else if (key == "id") {
    web::Exchange* ex = exchange_of(L, 1, true);
    char buf[48];
    int n = std::snprintf(buf, sizeof buf, "%d-%llu", ex->worker_id, static_cast<unsigned long long>(ex->number));
    push_lstring(L, buf, size_t(n));
  } else {
    return 0;
  }
  if (cache) {
    push_value(L, 2);
    push_value(L, -2);
    raw_set(L, 1);
  }
  return 1;
}

// Sets the response body from the value at idx: a string as text/plain, a
// table as JSON.
void set_body(State* L, web::Exchange* ex, int idx) {
  switch (type(L, idx)) {
    case Type::None:
    case Type::Nil: ex->out_body.clear(); return;
    case Type::String:
    case Type::Number: {
      std::string_view s = to_sv(L, idx);
      ex->out_body.assign(s.data(), s.size());
      if (!ex->has_content_type) ex->add_header("Content-Type", "text/plain; charset=utf-8");
      return;
    }
    case Type::Table: {
      Buffer b(L);
      json::EncodeOptions o;
      json::encode_value(L, abs_index(L, idx), o, b);
      ex->out_body.assign(b.data(), b.size());
      if (!ex->has_content_type) ex->add_header("Content-Type", "application/json");
      return;
    }
    default:
      if (is_userdata(L, idx) && to_userdata(L, idx) == null_sentinel()) {
        ex->out_body = "null";
        if (!ex->has_content_type) ex->add_header("Content-Type", "application/json");
        return;
      }
      errorf(L, "a response body must be a string or a table (got %s)", type_name_of(L, type(L, idx)));
  }
}

void set_status(State* L, web::Exchange* ex, int idx) {
  bool ok;
  lua_Integer s = to_integerx(L, idx, &ok);
  if (!ok || s < 100 || s > 999) errorf(L, "bad HTTP status (an integer 100..999 expected)");
  ex->status = int(s);
}

// Adds one header from name and value at the given indices; a table value
// is a list of values (one header line each).
void add_header_value(State* L, web::Exchange* ex, std::string_view name, int vi) {
  auto check = [&](std::string_view s, const char* what) {
    for (char c : s)
      if (c == '\r' || c == '\n' || c == '\0') errorf(L, "header %s contains a line break or NUL", what);
  };
  check(name, "name");
  if (name.empty()) errorf(L, "empty header name");
  if (is_table(L, vi)) {
    lua_Integer n = lua_Integer(raw_len(L, vi));
    for (lua_Integer i = 1; i <= n; i++) {
      raw_get_i(L, vi, i);
      if (!is_string(L, -1)) errorf(L, "header '%s': values must be strings", std::string(name).c_str());
      std::string_view v = to_sv(L, -1);
      check(v, "value");
      ex->add_header(name, v);
      pop(L, 1);
    }
    return;
  }
  if (!is_string(L, vi)) errorf(L, "header '%s': value must be a string", std::string(name).c_str());
  std::string_view v = to_sv(L, vi);
  check(v, "value");
  ex->add_header(name, v);
}

int res_status(State* L) {
  web::Exchange* ex = exchange_of(L, 1, true);
  set_status(L, ex, 2);
  push_value(L, 1);
  return 1;
}

int res_header(State* L) {
  web::Exchange* ex = exchange_of(L, 1, true);
  std::string_view name = check_sv(L, 2);
  check_any(L, 3);
  add_header_value(L, ex, name, 3);
  push_value(L, 1);
  return 1;
}

int res_send(State* L) {
  web::Exchange* ex = exchange_of(L, 1, true);
  if (ex->sent) errorf(L, "the response was already sent");
  set_body(L, ex, 2);
  ex->sent = true;
  push_value(L, 1);
  return 1;
}

int res_json(State* L) {
  web::Exchange* ex = exchange_of(L, 1, true);
  if (ex->sent) errorf(L, "the response was already sent");
  check_any(L, 2);
  if (!is_none_or_nil(L, 3)) set_status(L, ex, 3);
  Buffer b(L);
  json::EncodeOptions o;
  json::encode_value(L, 2, o, b);
  ex->out_body.assign(b.data(), b.size());
  if (!ex->has_content_type) ex->add_header("Content-Type", "application/json");
  ex->sent = true;
  push_value(L, 1);
  return 1;
}

int res_write(State* L) {
  web::Exchange* ex = exchange_of(L, 1, true);
  std::string_view chunk = check_sv(L, 2);
  if (ex->sent && !ex->streaming) errorf(L, "the response was already sent");
  if (!ex->stream) errorf(L, "this response cannot be streamed");
  Worker* w = Worker::of(L);
  if (w == nullptr || !can_suspend(L)) errorf(L, "res:write must be called from the request's task");
  if (chunk.empty() && ex->streaming) {
    push_boolean(L, true);
    return 1;
  }
  ex->streaming = true;
  ex->sent = true;
  Worker::Ticket t = w->begin_wait(L);
  ex->stream(chunk, [w, t](bool ok) {
    w->complete(t, [ok](State* L) {
      if (ok) {
        push_boolean(L, true);
        return 1;
      }
      push_nil(L);
      push_string(L, "closed");
      return 2;
    });
  });
  return suspend(L);
}

// The handlers for unmatched requests when middleware runs first.
int not_found(State* L) {
  push_integer(L, 404);
  push_string(L, "Not Found");
  return 2;
}
int method_not_allowed(State* L) {
  push_integer(L, 405);
  push_string(L, "Method Not Allowed");
  return 2;
}

// The continuation of run_request: the handler's results are on the stack.
int finish_request(State* L, int status, intptr_t ctx) {
  auto* ex = reinterpret_cast<web::Exchange*>(ctx);
  if (ex->sent) return 0;
  int n = get_top(L);
  int body = 1;
  if (n >= 1 && type(L, 1) == Type::Number && (n >= 2 || is_integer(L, 1))) {
    set_status(L, ex, 1);
    body = 2;
    if (n >= 3 && !is_nil(L, 3)) {
      if (!is_table(L, 3)) errorf(L, "response headers must be a table (got %s)", type_name_of(L, type(L, 3)));
      push_nil(L);
      while (next(L, 3)) {
        if (type(L, -2) != Type::String) errorf(L, "response header names must be strings");
        add_header_value(L, ex, to_sv(L, -2), get_top(L));
        pop(L, 1);
      }
    }
  }
  if (body <= n) set_body(L, ex, body);
  ex->sent = true;
  return 0;
}

// The request's task: run_request(ex, f, args...) calls f(args...) so that
// it may suspend, then turns its results into the response.
int run_request(State* L) {
  auto* ex = static_cast<web::Exchange*>(to_userdata(L, 1));
  remove(L, 1);
  return call_k(L, get_top(L) - 1, kMultRet, reinterpret_cast<intptr_t>(ex), finish_request);
}

// ---- static files ----

// web._realdir(folder) -> the folder's real path | nil, message
int web_realdir(State* L) {
  const char* folder = check_string(L, 1);
  char buf[PATH_MAX];
  struct stat st;
  if (realpath(folder, buf) == nullptr || stat(buf, &st) != 0) {
    push_nil(L);
    push_string(L, std::strerror(errno));
    return 2;
  }
  if (!S_ISDIR(st.st_mode)) {
    push_nil(L);
    push_string(L, "not a directory");
    return 2;
  }
  push_string(L, buf);
  return 1;
}

std::string_view content_type(std::string_view path) {
  size_t dot = path.rfind('.');
  size_t slash = path.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return "application/octet-stream";
  std::string ext(path.substr(dot + 1));
  for (char& c : ext)
    if (c >= 'A' && c <= 'Z') c = char(c + 32);
  static const std::pair<const char*, const char*> kTypes[] = {
      {"html", "text/html; charset=utf-8"}, {"htm", "text/html; charset=utf-8"},
      {"css", "text/css; charset=utf-8"}, {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"}, {"json", "application/json"},
      {"txt", "text/plain; charset=utf-8"}, {"md", "text/markdown; charset=utf-8"},
      {"csv", "text/csv; charset=utf-8"}, {"xml", "application/xml"}, {"svg", "image/svg+xml"},
      {"png", "image/png"}, {"jpg", "image/jpeg"}, {"jpeg", "image/jpeg"}, {"gif", "image/gif"},
      {"webp", "image/webp"}, {"avif", "image/avif"}, {"ico", "image/x-icon"}, {"wasm", "application/wasm"},
      {"pdf", "application/pdf"}, {"woff", "font/woff"}, {"woff2", "font/woff2"}, {"ttf", "font/ttf"},
      {"otf", "font/otf"}, {"map", "application/json"}, {"mp4", "video/mp4"}, {"webm", "video/webm"},
      {"mp3", "audio/mpeg"}, {"ogg", "audio/ogg"}, {"wav", "audio/wav"}, {"zip", "application/zip"},
      {"gz", "application/gzip"}, {"tar", "application/x-tar"}, {"lua", "text/plain; charset=utf-8"},
  };
  for (auto& [e, t] : kTypes)
    if (ext == e) return t;
  return "application/octet-stream";
}

std::string http_date(time_t t) {
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf, n);
}

int not_found_file(State* L) {
  push_integer(L, 404);
  push_string(L, "Not Found");
  return 2;
}

// A request header through req.headers (lower-case name).
std::string_view req_header_value(State* L, int req, const char* name) {
  get_field(L, req, "headers");
  get_field(L, -1, name);
  std::string_view v = is_string(L, -1) ? to_sv(L, -1) : std::string_view();
  pop(L, 1);  // the string stays referenced by the headers table below it
  return v;
}

// web._serve_file(req, root, skip): the file at req.path:sub(skip) under root.
int web_serve_file(State* L) {
  check_type(L, 1, Type::Table);
  std::string root = check_string(L, 2);
  lua_Integer skip = check_integer(L, 3);
  get_field(L, 1, "path");
  std::string_view path = to_sv(L, -1);
  std::string_view raw = skip - 1 <= lua_Integer(path.size()) ? path.substr(size_t(skip - 1)) : std::string_view();
  // encoded slashes and backslashes never name a file here
  std::string lower(raw);
  for (char& c : lower)
    if (c >= 'A' && c <= 'Z') c = char(c + 32);
  if (lower.find("%2f") != std::string::npos || lower.find("%5c") != std::string::npos ||
      lower.find("%00") != std::string::npos)
    return not_found_file(L);
  std::string rel;
  if (!web::percent_decode(raw, rel, false)) return not_found_file(L);
  // every segment a plain name: no '.', '..', empty or hidden-escape segments
  size_t pos = 0;
  while (pos <= rel.size()) {
    size_t end = rel.find('/', pos);
    if (end == std::string::npos) end = rel.size();
    std::string_view seg(rel.data() + pos, end - pos);
    if (seg == "." || seg == ".." || (seg.empty() && end != rel.size()) ||
        seg.find('\\') != std::string_view::npos || seg.find('\0') != std::string_view::npos)
      return not_found_file(L);
    pos = end + 1;
  }
  std::string full = root + "/" + rel;
  char real[PATH_MAX];
  if (realpath(full.c_str(), real) == nullptr) return not_found_file(L);
  std::string file = real;
  struct stat st;
  if (stat(file.c_str(), &st) != 0) return not_found_file(L);
  if (S_ISDIR(st.st_mode)) {
    file += "/index.html";
    if (realpath(file.c_str(), real) == nullptr || stat(real, &st) != 0 || !S_ISREG(st.st_mode))
      return not_found_file(L);
    file = real;
  }
  // symlinks may point anywhere inside the folder, never out of it
  if (file.size() <= root.size() || file.compare(0, root.size(), root) != 0 || file[root.size()] != '/')
    return not_found_file(L);
  if (!S_ISREG(st.st_mode)) return not_found_file(L);

  char etag[64];
  std::snprintf(etag, sizeof etag, "\"%llx-%llx\"", static_cast<unsigned long long>(st.st_size),
                static_cast<unsigned long long>(st.st_mtim.tv_sec) * 1000000000ull +
                    static_cast<unsigned long long>(st.st_mtim.tv_nsec));
  std::string last_modified = http_date(st.st_mtim.tv_sec);
  std::string_view type = content_type(file);

  auto push_headers = [etag = std::string(etag), last_modified, type](State* L) {
    create_table(L, 0, 3);
    push_sv(L, etag);
    set_field(L, -2, "ETag");
    push_sv(L, last_modified);
    set_field(L, -2, "Last-Modified");
    push_sv(L, type);
    set_field(L, -2, "Content-Type");
  };

  std::string_view inm = req_header_value(L, 1, "if-none-match");
  bool not_modified = false;
  if (!inm.empty()) {
    // a list of tags, or '*'; weak tags compare equal here
    size_t p = 0;
    while (p < inm.size()) {
      size_t e = inm.find(',', p);
      if (e == std::string_view::npos) e = inm.size();
      std::string_view t = inm.substr(p, e - p);
      while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
      while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
      if (t.substr(0, 2) == "W/") t.remove_prefix(2);
      if (t == "*" || t == etag) not_modified = true;
      p = e + 1;
    }
  } else {
    std::string_view ims = req_header_value(L, 1, "if-modified-since");
    if (!ims.empty()) {
      struct tm tm = {};
      std::string s(ims);
      const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
      if (end != nullptr && *end == '\0' && st.st_mtim.tv_sec <= timegm(&tm)) not_modified = true;
    }
  }
  if (not_modified) {
    push_integer(L, 304);
    push_nil(L);
    push_headers(L);
    return 3;
  }
  Worker* w = Worker::of(L);
  if (w == nullptr || !can_suspend(L)) {  // no loop to wait on: read here
    std::string body;
    if (!read_file(file, size_t(st.st_size), body)) return not_found_file(L);
    push_integer(L, 200);
    push_sv(L, body);
    push_headers(L);
    return 3;
  }
  // the read runs on the blocking pool while the request's task waits
  Worker::Ticket t = w->begin_wait(L);
  w->blocking_pool().run(
      w->ioc(),
      [file, size = size_t(st.st_size)] {
        auto body = std::make_shared<std::string>();
        bool ok = read_file(file, size, *body);
        return std::make_pair(ok, body);
      },
      [w, t, push_headers](std::pair<bool, std::shared_ptr<std::string>> r) {
        w->complete(t, [&](State* L) {
          if (!r.first) return not_found_file(L);
          push_integer(L, 200);
          push_sv(L, *r.second);
          push_headers(L);
          return 3;
        });
      });
  return suspend(L);
}

int registry_ref_of_field(State* L, int t, const char* field) {
  get_field(L, t, field);
  return ref(L, kRegistryIndex);
}

}  // namespace

int open_web(State* L) {
  if (load_buffer(L, kWebSource, "=rua.web") != kOk) error(L);
  call(L, 0, 1);
  push_native(L, web_realdir);
  set_field(L, -2, "_realdir");
  push_native(L, web_serve_file);
  set_field(L, -2, "_serve_file");
  push_native(L, shdict::lua_shared);  // web.shared(name [, capacity]): docs/shared.md
  set_field(L, -2, "shared");
  return 1;
}

void preload_web(State* L) {
  get_subtable(L, kRegistryIndex, "_PRELOAD");
  push_native(L, open_web);
  set_field(L, -2, "rua.web");
  pop(L, 1);
}

namespace web {

void Exchange::reset() {
  method = target = path = query = body = {};
  headers.clear();
  head = false;
  params.clear();
  allow.clear();
  status = 200;
  out_headers.clear();
  out_body.clear();
  has_content_type = false;
  sent = false;
  bad_json = false;
  streaming = false;
  slot_id = 0;
}

void Exchange::add_header(std::string_view name, std::string_view value) {
  if (ieq(name, "content-type")) {
    if (has_content_type) {
      for (auto& h : out_headers)
        if (ieq(h.first, "content-type")) {
          h.second.assign(value);
          return;
        }
    }
    has_content_type = true;
  }
  out_headers.emplace_back(std::string(name), std::string(value));
}

void App::load(State* L) {
  int app = get_top(L);
  if (!is_table(L, app)) errorf(L, "the app file must return an app (web.app()), not a %s", type_name_of(L, type(L, app)));
  get_field(L, app, "_routes");
  int rt = get_top(L);
  if (!is_table(L, rt)) errorf(L, "the app file must return an app (web.app())");
  lua_Integer n = lua_Integer(raw_len(L, rt));
  create_table(L, int(n), 0);
  int handlers = get_top(L);
  for (lua_Integer i = 1; i <= n; i++) {
    raw_get_i(L, rt, i);
    int r = get_top(L);
    Route route;
    raw_get_i(L, r, 1);
    route.method = to_sv(L, -1);
    raw_get_i(L, r, 2);
    route.pattern = to_sv(L, -1);
    raw_get_i(L, r, 3);
    raw_set_i(L, handlers, i);
    pop(L, 3);
    route.handler = int(i);
    std::string_view p = route.pattern;
    if (p.size() >= 2 && p.substr(p.size() - 2) == "/*") {
      route.wildcard = true;
      p.remove_suffix(2);
    }
    if (!p.empty()) {
      size_t pos = 1;
      for (;;) {
        size_t end = p.find('/', pos);
        if (end == std::string_view::npos) end = p.size();
        std::string_view seg = p.substr(pos, end - pos);
        if (!seg.empty() && seg[0] == ':')
          route.segs.push_back({std::string(seg.substr(1)), true});
        else
          route.segs.push_back({std::string(seg), false});
        if (end == p.size()) break;
        pos = end + 1;
      }
    }
    routes_.push_back(std::move(route));
  }
  handlers_ref_ = ref(L, kRegistryIndex);
  pop(L, 1);  // _routes

  get_field(L, app, "_middleware");
  has_middleware_ = is_table(L, -1) && raw_len(L, -1) > 0;
  middleware_ref_ = ref(L, kRegistryIndex);
  on_start_ref_ = registry_ref_of_field(L, app, "_on_start");

  // the module's dispatch functions
  get_global(L, "require");
  push_string(L, "rua.web");
  call(L, 1, 1);
  dispatch_ref_ = registry_ref_of_field(L, get_top(L), "_dispatch");
  on_start_runner_ref_ = registry_ref_of_field(L, get_top(L), "_on_start");
  pop(L, 1);

  // req's and res's metatables, their natives bound to this app
  create_table(L, 0, 2);
  push_light_userdata(L, this);
  push_light_userdata(L, this);
  push_native(L, req_json, 1);
  push_light_userdata(L, this);
  push_native(L, req_header, 1);
  push_native(L, req_index, 3);
  set_field(L, -2, "__index");
  push_string(L, "rua.web.request");
  set_field(L, -2, "__name");
  req_mt_ref_ = ref(L, kRegistryIndex);

  create_table(L, 0, 2);
  create_table(L, 0, 4);
  const Reg res_methods[] = {
      {"status", res_status}, {"header", res_header}, {"send", res_send}, {"json", res_json}, {"write", res_write}};
  for (const Reg& m : res_methods) {
    push_light_userdata(L, this);
    push_native(L, m.func, 1);
    set_field(L, -2, m.name);
  }
  set_field(L, -2, "__index");
  push_string(L, "rua.web.response");
  set_field(L, -2, "__name");
  res_mt_ref_ = ref(L, kRegistryIndex);
  set_top(L, app);
}

int App::push_on_start(State* L) {
  raw_get_i(L, kRegistryIndex, on_start_runner_ref_);
  raw_get_i(L, kRegistryIndex, on_start_ref_);
  return 1;  // runner and its first argument; the caller pushes the worker id
}

Match App::route(Exchange& ex, int* handler) const {
  std::string_view path = ex.path;
  if (path.empty() || path[0] != '/') return Match::NotFound;
  bool path_known = false;
  for (const Route& r : routes_) {
    ex.params.clear();
    size_t pos = 1;
    bool ok = true;
    for (const Route::Seg& seg : r.segs) {
      if (pos > path.size()) {
        ok = false;
        break;
      }
      size_t end = path.find('/', pos);
      if (end == std::string_view::npos) end = path.size();
      std::string_view s = path.substr(pos, end - pos);
      if (seg.param) {
        if (s.empty()) {
          ok = false;
          break;
        }
        ex.params.emplace_back(seg.text, s);
      } else if (s != seg.text) {
        ok = false;
        break;
      }
      pos = end + 1;
    }
    if (!ok) continue;
    if (r.wildcard) {
      ex.params.emplace_back("*", pos <= path.size() ? path.substr(pos) : std::string_view());
    } else if (pos != path.size() + 1) {
      continue;
    }
    path_known = true;
    const std::string& m = r.method;
    if (m == "*" || m == ex.method || (ex.head && m == "GET")) {
      *handler = r.handler;
      return Match::Found;
    }
  }
  ex.params.clear();
  if (!path_known) return Match::NotFound;
  // 405: the methods of every route that matches the path
  ex.allow.clear();
  auto add = [&](std::string_view m) {
    size_t pos = 0;
    while (pos < ex.allow.size()) {
      size_t end = ex.allow.find(", ", pos);
      if (end == std::string::npos) end = ex.allow.size();
      if (std::string_view(ex.allow).substr(pos, end - pos) == m) return;
      pos = end + 2;
    }
    if (!ex.allow.empty()) ex.allow += ", ";
    ex.allow += m;
  };
  Exchange probe;
  probe.path = path;
  for (const Route& r : routes_) {
    if (r.method == "*") continue;
    // a route of another method that matches the path
    Route only = r;
    only.method = "*";
    App one;
    one.routes_.push_back(std::move(only));
    int h;
    if (one.route(probe, &h) == Match::Found) {
      add(r.method);
      if (r.method == "GET") add("HEAD");
    }
  }
  return Match::MethodNotAllowed;
}

uint64_t App::attach(Exchange* ex) {
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = uint32_t(slots_.size());
    slots_.push_back({});
  }
  slots_[slot].ex = ex;
  uint64_t id = (uint64_t(slots_[slot].gen) << 24) | slot;
  ex->slot_id = id;
  return id;
}

void App::release(Exchange& ex) {
  if (ex.slot_id == 0 && (slots_.empty() || slots_[0].ex != &ex)) return;
  uint32_t slot = uint32_t(ex.slot_id & 0xffffff);
  if (slot < slots_.size() && slots_[slot].ex == &ex) {
    slots_[slot].ex = nullptr;
    slots_[slot].gen = (slots_[slot].gen + 1) & 0xffffffff;
    free_slots_.push_back(slot);
  }
  ex.slot_id = 0;
}

Exchange* App::exchange(uint64_t id) const {
  uint32_t slot = uint32_t(id & 0xffffff);
  if (slot >= slots_.size()) return nullptr;
  const Slot& s = slots_[slot];
  if (s.ex == nullptr || (uint64_t(s.gen) << 24 | slot) != id) return nullptr;
  return s.ex;
}

int App::push_call(State* L, Exchange& ex, Match m, int handler) {
  uint64_t id = attach(&ex);
  push_native(L, run_request);
  push_light_userdata(L, &ex);
  int nargs = 1;
  if (has_middleware_) {
    raw_get_i(L, kRegistryIndex, dispatch_ref_);
    raw_get_i(L, kRegistryIndex, middleware_ref_);
    nargs += 2;
  }
  if (m == Match::Found) {
    raw_get_i(L, kRegistryIndex, handlers_ref_);
    raw_get_i(L, -1, handler);
    remove(L, -2);
  } else {
    push_native(L, m == Match::NotFound ? not_found : method_not_allowed);
    if (m == Match::MethodNotAllowed) ex.add_header("Allow", ex.allow);
  }
  nargs++;
  // req
  create_table(L, 1, 4);
  push_integer(L, lua_Integer(id));
  raw_set_i(L, -2, 1);
  push_sv(L, ex.method);
  set_field(L, -2, "method");
  push_sv(L, ex.path);
  set_field(L, -2, "path");
  if (!ex.params.empty()) {
    create_table(L, 0, int(ex.params.size()));
    std::string decoded;
    for (auto& [k, v] : ex.params) {
      push_sv(L, k);
      if (v.find('%') != std::string_view::npos && percent_decode(v, decoded, false))
        push_sv(L, decoded);
      else
        push_sv(L, v);
      raw_set(L, -3);
    }
    set_field(L, -2, "params");
  }
  raw_get_i(L, kRegistryIndex, req_mt_ref_);
  set_metatable(L, -2);
  // res
  create_table(L, 1, 0);
  push_integer(L, lua_Integer(id));
  raw_set_i(L, -2, 1);
  raw_get_i(L, kRegistryIndex, res_mt_ref_);
  set_metatable(L, -2);
  nargs += 2;
  return nargs;
}

std::string_view reason(int status) {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

bool percent_decode(std::string_view s, std::string& out, bool plus) {
  out.clear();
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); i++) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return false;
      int h = hex(s[i + 1]), l = hex(s[i + 2]);
      if (h < 0 || l < 0) return false;
      out += char(h * 16 + l);
      i += 2;
    } else if (c == '+' && plus) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return true;
}

}  // namespace web
}  // namespace rua
