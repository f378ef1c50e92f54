#include "request.hpp"

#include <cctype>
#include <cstdio>
#include <cstring>

namespace rua::http {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); i++)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

bool icontains(std::string_view s, std::string_view part) {
  for (std::size_t i = 0; i + part.size() <= s.size(); i++)
    if (iequals(s.substr(i, part.size()), part)) return true;
  return false;
}

// Control characters (line breaks above all) in a field or the request line
// would let a value smuggle in fields or requests; a field value may hold tabs.
bool has_control(std::string_view s, bool tab_ok = false) {
  for (unsigned char c : s)
    if ((c < 0x20 && !(tab_ok && c == '\t')) || c == 0x7f) return true;
  return false;
}

void escape(std::string_view s, std::string& out) {
  static const char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
}

// The string form of the value at 'idx' (as tostring gives it).
std::string as_text(State* L, int idx) {
  if (type(L, idx) == Type::String) return std::string(to_sv(L, idx));
  idx = abs_index(L, idx);
  size_t len;
  const char* s = to_lstring_meta(L, idx, &len);
  std::string out(s, len);
  pop(L, 1);
  return out;
}

void add_arg(State* L, std::string_view key, int vidx, std::string& out) {
  if (type(L, vidx) == Type::Boolean) {
    if (!to_boolean(L, vidx)) return;
    if (!out.empty()) out += '&';
    escape(key, out);
    return;
  }
  std::string v = as_text(L, vidx);
  if (!out.empty()) out += '&';
  escape(key, out);
  out += '=';
  escape(v, out);
}

// What the header fields given by the caller already say.
struct Given {
  bool host = false, user_agent = false, content_length = false, chunked = false, connection = false;
};

bool add_field(std::string_view name, std::string_view value, std::string& head, Given& given,
               std::string& err) {
  if (name.empty() || has_control(name) || name.find_first_of(": ") != std::string_view::npos ||
      has_control(value, true)) {
    err = "invalid header field: " + std::string(name);
    return false;
  }
  if (iequals(name, "host")) given.host = true;
  if (iequals(name, "user-agent")) given.user_agent = true;
  if (iequals(name, "content-length")) given.content_length = true;
  if (iequals(name, "connection")) given.connection = true;
  if (iequals(name, "transfer-encoding") && icontains(value, "chunked")) given.chunked = true;
  head.append(name).append(": ").append(value).append("\r\n");
  return true;
}

bool add_fields(State* L, int idx, std::string& head, Given& given, std::string& err) {
  if (type(L, idx) != Type::Table) return true;
  push_nil(L);
  while (next(L, idx)) {
    int top = get_top(L);
    std::string name = as_text(L, top - 1);
    bool ok = true;
    if (type(L, top) == Type::Table) {
      for (lua_Integer i = 1; ok && raw_get_i(L, top, i) != Type::Nil; i++) {
        ok = add_field(name, as_text(L, -1), head, given, err);
        set_top(L, top);
      }
      set_top(L, top);
    } else {
      ok = add_field(name, as_text(L, top), head, given, err);
    }
    set_top(L, top - 1);
    if (!ok) {
      pop(L, 1);
      return false;
    }
  }
  return true;
}

// The body of params (at 'idx' on the stack): a string, a table of strings or
// an iterator; it stays on the stack.
void read_body(State* L, int idx, Request& out, bool& is_function) {
  Type t = type(L, idx);
  is_function = t == Type::Function;
  if (t == Type::String || t == Type::Number) {
    out.body = as_text(L, idx);
  } else if (t == Type::Table) {
    for (lua_Integer i = 1; raw_get_i(L, idx, i) != Type::Nil; i++) {
      out.body.append(as_text(L, -1));
      pop(L, 1);
    }
    pop(L, 1);
  }
}

std::string string_field(State* L, int idx, const char* name, const char* def) {
  get_field(L, idx, name);
  std::string s = is_nil(L, -1) ? def : as_text(L, -1);
  pop(L, 1);
  return s;
}

void add_query(State* L, int idx, std::string& target) {
  get_field(L, idx, "query");
  int q = get_top(L);
  std::string query;
  if (type(L, q) == Type::Table)
    encode_args(L, q, query);
  else if (!is_nil(L, q))
    query = as_text(L, q);
  set_top(L, q - 1);
  if (query.empty()) return;
  if (query[0] != '?') target += '?';
  target += query;
}

}  // namespace

void encode_args(State* L, int idx, std::string& out) {
  idx = abs_index(L, idx);
  push_nil(L);
  while (next(L, idx)) {
    int top = get_top(L);
    std::string key = as_text(L, top - 1);
    set_top(L, top);
    if (type(L, top) == Type::Table) {
      for (lua_Integer i = 1; raw_get_i(L, top, i) != Type::Nil; i++) {
        add_arg(L, key, get_top(L), out);
        pop(L, 1);
      }
      pop(L, 1);
    } else {
      add_arg(L, key, top, out);
    }
    set_top(L, top - 1);
  }
}

bool build_request(State* L, int idx, std::string_view host, std::string_view user_agent, bool close,
                   Request& out, std::string& err) {
  idx = abs_index(L, idx);
  std::string method = string_field(L, idx, "method", "GET");
  for (char& c : method) c = char(std::toupper(static_cast<unsigned char>(c)));
  std::string target = string_field(L, idx, "path", "/");
  if (target.empty()) target = "/";
  add_query(L, idx, target);
  get_field(L, idx, "version");
  lua_Number version = is_nil(L, -1) ? 1.1 : to_number(L, -1);
  pop(L, 1);
  if (version != 1.0 && version != 1.1) {
    err = "unsupported HTTP version (1.0 or 1.1)";
    return false;
  }
  if (method.empty() || has_control(method) || method.find(' ') != std::string::npos || has_control(target) ||
      target.find(' ') != std::string::npos) {
    err = "invalid method or path";
    return false;
  }
  out.head_method = method == "HEAD";
  out.head = method + " " + target + (version == 1.0 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");

  Given given;
  get_field(L, idx, "headers");
  bool ok = add_fields(L, get_top(L), out.head, given, err);
  pop(L, 1);
  if (!ok) return false;

  get_field(L, idx, "body");
  bool is_function = false;
  read_body(L, get_top(L), out, is_function);
  pop(L, 1);

  if (!given.host) out.head.append("Host: ").append(host).append("\r\n");
  if (!given.user_agent) out.head.append("User-Agent: ").append(user_agent).append("\r\n");
  if (close && !given.connection)
    out.head.append("Connection: close\r\n");
  else if (version == 1.0 && !given.connection)
    out.head.append("Connection: Keep-Alive\r\n");
  if (is_function) {
    if (given.content_length || given.chunked) {
      out.mode = BodyMode::Raw;
    } else if (version == 1.0) {
      err = "Request body is a function but a length or chunked encoding is not specified";
      return false;
    } else {
      out.mode = BodyMode::Chunked;
      out.head.append("Transfer-Encoding: chunked\r\n");
    }
  } else if (!given.content_length && !given.chunked) {
    bool has_body = !out.body.empty() || method == "POST" || method == "PUT" || method == "PATCH";
    if (has_body) out.head.append("Content-Length: ").append(std::to_string(out.body.size())).append("\r\n");
  }
  out.head.append("\r\n");
  return true;
}

// ===================================================================
// parse_uri
// ===================================================================

namespace {

struct Uri {
  std::string scheme, host, path, query;
  long port = 0;
};

// [scheme:]//host[:port][path][?query][#fragment], with host a name or [v6].
bool split_uri(std::string_view s, Uri& u) {
  std::size_t colon = s.find("://");
  if (s.substr(0, 2) == "//") return false;  // schemeless: needs a request to inherit from
  if (colon == std::string_view::npos) return false;
  u.scheme = std::string(s.substr(0, colon));
  for (char& c : u.scheme) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (u.scheme != "http" && u.scheme != "https") return false;
  s.remove_prefix(colon + 3);
  if (std::size_t hash = s.find('#'); hash != std::string_view::npos) s = s.substr(0, hash);
  std::size_t end = s.find_first_of("/?");
  std::string_view authority = s.substr(0, end);
  std::string_view rest = end == std::string_view::npos ? std::string_view() : s.substr(end);
  std::size_t port_colon = std::string_view::npos;
  if (!authority.empty() && authority[0] == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    u.host = std::string(authority.substr(0, close + 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return false;
      port_colon = close + 1;
    }
  } else {
    port_colon = authority.find(':');
    u.host = std::string(authority.substr(0, port_colon));
    if (u.host.empty() || u.host.find_first_of("[]@") != std::string::npos) return false;
  }
  u.port = u.scheme == "https" ? 443 : 80;
  if (port_colon != std::string_view::npos) {
    std::string_view p = authority.substr(port_colon + 1);
    if (p.empty() || p.size() > 5) return false;
    long port = 0;
    for (char c : p) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
      port = port * 10 + (c - '0');
    }
    if (port < 1 || port > 65535) return false;
    u.port = port;
  }
  std::size_t q = rest.find('?');
  u.path = std::string(rest.substr(0, q));
  if (q != std::string_view::npos) u.query = std::string(rest.substr(q + 1));
  if (u.path.empty()) u.path = "/";
  return true;
}

}  // namespace

int parse_uri(State* L) {
  int arg = type(L, 1) == Type::String ? 1 : 2;  // http.parse_uri(uri) or httpc:parse_uri(uri)
  std::string_view s = check_sv(L, arg);
  bool query_in_path = is_none_or_nil(L, arg + 1) || to_boolean(L, arg + 1);
  Uri u;
  if (!split_uri(s, u)) {
    push_nil(L);
    push_fstring(L, "bad uri: %s", std::string(s).c_str());
    return 2;
  }
  if (query_in_path && !u.query.empty()) {
    u.path += '?' + u.query;
    u.query.clear();
  }
  create_table(L, 5, 0);
  push_sv(L, u.scheme);
  raw_set_i(L, -2, 1);
  push_sv(L, u.host);
  raw_set_i(L, -2, 2);
  push_integer(L, u.port);
  raw_set_i(L, -2, 3);
  push_sv(L, u.path);
  raw_set_i(L, -2, 4);
  if (!query_in_path) {
    push_sv(L, u.query);
    raw_set_i(L, -2, 5);
  }
  return 1;
}

}  // namespace rua::http
