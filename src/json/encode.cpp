// The JSON encoder.
//
// Tables follow lua-cjson's rules: a table whose keys are all positive
// integers is an array (holes become null; an "excessively sparse" one is an
// error or, with sparse_convert, an object), any other table is an object,
// and an empty table is {} unless it carries json.empty_array_mt (or
// empty_table_as_object is off). json.array_mt, or a __len metamethod, makes
// a table an array of length #t.
//
// Speed: the common array shape (keys 1..n met in that order by `next`) is
// written in the same pass that checks it; only when the check fails is the
// output of that table dropped and the table classified in a second pass.
// Strings are copied in runs between the bytes that need escaping, numbers
// go through std::to_chars (shortest round-trip form, exact for integers).
#include "encode.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "json.hpp"
#include "utf8.hpp"

namespace rua::json {

namespace {

// Byte classes for string output.
enum : uint8_t { kPlain = 0, kEscape = 1, kMultibyte = 2 };

struct ByteClasses {
  uint8_t cls[256];
  explicit ByteClasses(bool escape_slash) {
    for (int c = 0; c < 256; c++) cls[c] = c < 0x20 || c == 0x7F ? kEscape : c >= 0x80 ? kMultibyte : kPlain;
    cls[uint8_t('"')] = kEscape;
    cls[uint8_t('\\')] = kEscape;
    if (escape_slash) cls[uint8_t('/')] = kEscape;
  }
};

const ByteClasses kClassesNoSlash(false);
const ByteClasses kClassesSlash(true);

// Appends the JSON escape of byte c (one that ByteClasses marks kEscape).
void add_escape(Buffer& b, unsigned char c) {
  static const char kHex[] = "0123456789abcdef";
  char e;
  switch (c) {
    case '"': e = '"'; break;
    case '\\': e = '\\'; break;
    case '/': e = '/'; break;
    case '\b': e = 'b'; break;
    case '\f': e = 'f'; break;
    case '\n': e = 'n'; break;
    case '\r': e = 'r'; break;
    case '\t': e = 't'; break;
    default: {
      char* p = b.prepare(6);
      std::memcpy(p, "\\u00", 4);
      p[4] = kHex[c >> 4];
      p[5] = kHex[c & 15];
      b.commit(6);
      return;
    }
  }
  b.add('\\');
  b.add(e);
}

// The first byte at or after p that is not plain ASCII (0x20..0x7E other
// than '"', '\\' and, with escape_slash, '/'), eight bytes at a time; a
// flagged byte is exact only when no lower byte is flagged, hence the
// table check of the bytes that follow.
const unsigned char* skip_plain(const unsigned char* p, const unsigned char* end, bool escape_slash) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  for (; end - p >= 8; p += 8) {
    uint64_t x;
    std::memcpy(&x, p, 8);
    auto has_byte = [&](unsigned char b) {
      uint64_t y = x ^ (kOnes * b);
      return (y - kOnes) & ~y;
    };
    uint64_t special = has_byte('"') | has_byte('\\') | has_byte(0x7F) | (x - kOnes * 0x20) | x;
    if (escape_slash) special |= has_byte('/');
    special &= kHigh;
    if (special != 0) return p + (__builtin_ctzll(special) >> 3);
  }
  return p;
}

class Encoder {
 public:
  Encoder(State* L, const EncodeOptions& o, Buffer& b)
      : L_(L), o_(o), b_(b), cls_(o.escape_slash ? kClassesSlash.cls : kClassesNoSlash.cls) {}

  // Encodes the value on top of the stack (left there). False: the value was
  // of an unsupported type and skip_unsupported left it out.
  bool value(int depth);

 private:
  void string(int idx);
  void number(int idx);
  void integer(lua_Integer i);
  void key(int depth);
  void table(int depth);
  bool try_sequence(int depth);
  void classified_table(int depth, bool raw, bool empty_array_mt);
  void array(int depth, lua_Integer len, bool raw);
  void object(int depth);
  void sorted_object(int depth);
  void member(int depth, bool& first);
  void newline(int depth);
  void enter(int depth);
  [[noreturn]] void fail(int idx, const char* reason);

  State* L_;
  const EncodeOptions& o_;
  Buffer& b_;
  const uint8_t* cls_;
  std::vector<const void*> path_;  // the tables being encoded, outermost first
};

void Encoder::fail(int idx, const char* reason) {
  errorf(L_, "Cannot serialise %s: %s", type_name_of(L_, type(L_, idx)), reason);
}

void Encoder::string(int idx) {
  size_t len;
  const char* s = to_lstring(L_, idx, &len);
  auto p = reinterpret_cast<const unsigned char*>(s);
  const unsigned char* end = p + len;
  const unsigned char* run = p;  // start of the bytes not yet copied
  b_.add('"');
  while (p < end) {
    p = skip_plain(p, end, o_.escape_slash);
    if (p == end) break;
    uint8_t c = cls_[*p];
    if (c == kPlain) {
      p++;
    } else if (c == kMultibyte) {
      size_t n = utf8_sequence(p, end);
      if (n == 0) fail(idx, "invalid UTF-8");
      p += n;
    } else {
      b_.add(reinterpret_cast<const char*>(run), size_t(p - run));
      add_escape(b_, *p++);
      run = p;
    }
  }
  b_.add(reinterpret_cast<const char*>(run), size_t(p - run));
  b_.add('"');
}

void Encoder::integer(lua_Integer i) {
  char* p = b_.prepare(24);
  b_.commit(size_t(std::to_chars(p, p + 24, i).ptr - p));
}

void Encoder::number(int idx) {
  if (is_integer(L_, idx)) return integer(to_integer(L_, idx));
  double d = to_number(L_, idx);
  if (!std::isfinite(d)) [[unlikely]] {
    switch (o_.invalid_numbers) {
      case InvalidNumbers::Error: fail(idx, "must not be NaN or Infinity");
      case InvalidNumbers::Null: return b_.add("null");
      case InvalidNumbers::Allow: return b_.add(std::isnan(d) ? "NaN" : d < 0 ? "-Infinity" : "Infinity");
    }
  }
  char* p = b_.prepare(32);
  auto r = o_.precision == 0 ? std::to_chars(p, p + 32, d)
                             : std::to_chars(p, p + 32, d, std::chars_format::general, o_.precision);
  b_.commit(size_t(r.ptr - p));
}

void Encoder::newline(int depth) {
  b_.add('\n');
  for (int i = 0; i < depth; i++) b_.add(o_.indent);
}

bool Encoder::value(int depth) {
  switch (type(L_, -1)) {
    case Type::String: string(-1); break;
    case Type::Number: number(-1); break;
    case Type::Boolean: b_.add(to_boolean(L_, -1) ? std::string_view("true") : "false"); break;
    case Type::Nil: b_.add("null"); break;
    case Type::Table: table(depth); break;
    case Type::LightUserdata: {
      void* p = to_userdata(L_, -1);
      if (p == json_null_sentinel() || p == nullptr) {  // nullptr: ngx.null and cjson.null
        b_.add("null");
        break;
      }
      if (p == json_empty_array_sentinel()) {
        b_.add("[]");
        break;
      }
      [[fallthrough]];
    }
    default:
      if (o_.skip_unsupported) return false;
      fail(-1, "type not supported");
  }
  return true;
}

// Checks the limits before entering the table on top at nesting level depth.
void Encoder::enter(int depth) {
  if (depth > o_.max_depth || !ensure_stack(L_, 4))
    errorf(L_, "Cannot serialise, excessive nesting (%d)", depth);
  const void* id = to_pointer(L_, -1);
  if (std::find(path_.begin(), path_.end(), id) != path_.end()) fail(-1, "circular reference");
  path_.push_back(id);
}

void Encoder::table(int depth) {
  depth++;
  enter(depth);
  if (!get_metatable(L_, -1)) {
    if (!try_sequence(depth)) classified_table(depth, true, false);
  } else {
    raw_get_p(L_, kRegistryIndex, array_mt_key());
    bool is_array_mt = raw_equal(L_, -1, -2);
    pop(L_, 1);
    raw_get_p(L_, kRegistryIndex, empty_array_mt_key());
    bool is_empty_array_mt = raw_equal(L_, -1, -2);
    pop(L_, 2);
    if (is_array_mt) {
      array(depth, lua_Integer(raw_len(L_, -1)), true);
    } else if (get_metafield(L_, -1, "__len") != Type::Nil) {
      pop(L_, 1);
      array(depth, len_of(L_, -1), false);
    } else {
      classified_table(depth, false, is_empty_array_mt);
    }
  }
  path_.pop_back();
}

// The fast path for arrays: writes the table as an array while the traversal yields
// the keys 1, 2, 3... in order. On any other key it drops what it wrote and
// returns false; it also returns false for an empty table.
bool Encoder::try_sequence(int depth) {
  size_t start = b_.size();
  lua_Integer expect = 1;
  bool first = true;
  b_.add('[');
  for (int it = 0; (it = next_slot(L_, -1, it)) != 0;) {
    bool in_order = is_integer(L_, -2) && type(L_, -2) == Type::Number && to_integer(L_, -2) == expect;
    if (!in_order) {
      pop(L_, 2);
      b_.shrink(b_.size() - start);
      return false;
    }
    size_t pos = b_.size();
    if (!first) b_.add(',');
    if (!o_.indent.empty()) newline(depth);
    if (value(depth))
      first = false;
    else
      b_.shrink(b_.size() - pos);
    pop(L_, 2);
    expect++;
  }
  if (expect == 1) {
    b_.shrink(b_.size() - start);
    return false;
  }
  if (!first && !o_.indent.empty()) newline(depth - 1);
  b_.add(']');
  return true;
}

// The general path: an array if every key is a positive integer (and the
// array is not excessively sparse), an object otherwise.
void Encoder::classified_table(int depth, bool raw, bool empty_array_mt) {
  lua_Integer max = 0, items = 0;
  bool is_array = true;
  for (int it = 0; (it = next_slot(L_, -1, it)) != 0;) {
    pop(L_, 1);
    lua_Integer k;
    bool positive = is_integer(L_, -1) && type(L_, -1) == Type::Number && (k = to_integer(L_, -1)) >= 1;
    pop(L_, 1);
    if (!positive) {
      is_array = false;
      break;
    }
    items++;
    max = std::max(max, k);
  }
  if (is_array && o_.sparse_ratio > 0 && max > items * o_.sparse_ratio && max > o_.sparse_safe) {
    if (!o_.sparse_convert) fail(-1, "excessively sparse array");
    is_array = false;
  }
  if (is_array && (max > 0 || !o_.empty_table_as_object)) return array(depth, max, raw);
  if (empty_array_mt) return array(depth, lua_Integer(raw_len(L_, -1)), true);
  if (o_.sort_keys) return sorted_object(depth);
  object(depth);
}

void Encoder::array(int depth, lua_Integer len, bool raw) {
  b_.add('[');
  bool first = true;
  for (lua_Integer i = 1; i <= len; i++) {
    size_t pos = b_.size();
    if (!first) b_.add(',');
    if (!o_.indent.empty()) newline(depth);
    if (raw)
      raw_get_i(L_, -1, i);
    else
      get_i(L_, -1, i);
    if (value(depth))
      first = false;
    else
      b_.shrink(b_.size() - pos);
    pop(L_, 1);
  }
  if (!first && !o_.indent.empty()) newline(depth - 1);
  b_.add(']');
}

// Writes the key at index -2 (the value is on top) and the colon.
void Encoder::key(int depth) {
  Type t = type(L_, -2);
  if (t == Type::String) {
    string(-2);
  } else if (t == Type::Number) {
    b_.add('"');
    number(-2);
    b_.add('"');
  } else {
    fail(-2, "table key must be a number or string");
  }
  b_.add(':');
  if (!o_.indent.empty()) b_.add(' ');
}

// Writes one key: value pair (key and value on top), dropping it if the
// value is skipped.
void Encoder::member(int depth, bool& first) {
  size_t pos = b_.size();
  if (!first) b_.add(',');
  if (!o_.indent.empty()) newline(depth);
  key(depth);
  if (value(depth))
    first = false;
  else
    b_.shrink(b_.size() - pos);
}

void Encoder::object(int depth) {
  b_.add('{');
  bool first = true;
  for (int it = 0; (it = next_slot(L_, -1, it)) != 0;) {
    member(depth, first);
    pop(L_, 2);
  }
  if (!first && !o_.indent.empty()) newline(depth - 1);
  b_.add('}');
}

// Key text as it is compared for sort_keys: the bytes of a string key, the
// JSON form of a number key.
std::string key_text(State* L, int idx) {
  if (type(L, idx) == Type::String) return std::string(to_sv(L, idx));
  char buf[32];
  if (is_integer(L, idx)) return std::string(buf, std::to_chars(buf, buf + 32, to_integer(L, idx)).ptr);
  return std::string(buf, std::to_chars(buf, buf + 32, to_number(L, idx)).ptr);
}

// An object with its keys in byte order: the keys are collected in a side
// table (so that they stay reachable), sorted by their text, then written.
void Encoder::sorted_object(int depth) {
  new_table(L_);
  int keys = get_top(L_);
  std::vector<std::pair<std::string, lua_Integer>> order;
  push_nil(L_);
  while (next(L_, -3)) {
    pop(L_, 1);
    Type t = type(L_, -1);
    if (t != Type::String && t != Type::Number) fail(-1, "table key must be a number or string");
    order.emplace_back(key_text(L_, -1), lua_Integer(order.size() + 1));
    push_value(L_, -1);
    raw_set_i(L_, keys, order.back().second);
  }
  std::sort(order.begin(), order.end());
  b_.add('{');
  bool first = true;
  for (const auto& entry : order) {
    raw_get_i(L_, keys, entry.second);
    push_value(L_, -1);
    raw_get(L_, keys - 1);
    member(depth, first);
    pop(L_, 2);
  }
  pop(L_, 1);
  if (!first && !o_.indent.empty()) newline(depth - 1);
  b_.add('}');
}

}  // namespace

void encode_value(State* L, int idx, const EncodeOptions& o, Buffer& b) {
  push_value(L, idx);
  Encoder(L, o, b).value(0);
  pop(L, 1);
}

}  // namespace rua::json
