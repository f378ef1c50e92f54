// The JSON decoder.
//
// Hand-written parser; the comparison with simdjson is in bench/json/ (see below once measured).
//
// Grammar (RFC 8259); the parser is recursive descent over it, pushing each
// value on the Lua stack as soon as it is complete:
//   text    -> ws value ws
//   value   -> object | array | string | number | true | false | null
//   object  -> '{' ws [ string ws ':' ws value ws { ',' ws string ws ':' ws value ws } ] '}'
//   array   -> '[' ws [ value ws { ',' ws value ws } ] ']'
//   number  -> [ '-' ] ( '0' | [1-9] digit* ) [ '.' digit+ ] [ ( 'e' | 'E' ) [ '+' | '-' ] digit+ ]
//
// Errors carry lua-cjson's wording: "Expected <what the grammar wanted> but
// found <the token there> at character <1-based byte offset>", the token
// being named as cjson names it (T_END, T_ARR_END, invalid token, ...). The
// input is a Lua string, so a '\0' follows its last byte: scanning loops use
// it as a sentinel instead of testing the bounds at every byte.
#include "decode.hpp"

#include <locale.h>
#include <strings.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "json.hpp"
#include "utf8.hpp"

namespace rua::json {

namespace {

struct ParseError {
  std::string message;
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  c |= 0x20;
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

// The four hex digits at p as a number, or -1 (a '\0' stops it in time).
int hex4(const char* p) {
  int v = 0;
  for (int i = 0; i < 4; i++) {
    int h = hex_value(p[i]);
    if (h < 0) return -1;
    v = v << 4 | h;
  }
  return v;
}

// strtod in the "C" locale: the decimal point is '.' whatever os.setlocale did.
double c_strtod(const char* s, char** end) {
  static locale_t c_locale = newlocale(LC_ALL_MASK, "C", locale_t(0));
  return strtod_l(s, end, c_locale);
}

// True if the 8 bytes at p are all ordinary string bytes: printable ASCII
// other than '"' and '\\'.
bool plain8(const char* p) {
  uint64_t x;
  std::memcpy(&x, p, 8);
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  uint64_t quote = x ^ (kOnes * '"'), backslash = x ^ (kOnes * '\\');
  uint64_t special = ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash) | (x - kOnes * 0x20) | x;
  return (special & kHigh) == 0;
}

class Parser {
 public:
  Parser(State* L, std::string_view text, const DecodeOptions& o)
      : L_(L), o_(o), begin_(text.data()), p_(text.data()), end_(text.data() + text.size()) {}

  void run();

 private:
  void value(const char* expected);
  void object();
  void array();
  void string(const char* expected, bool push);
  void escaped_string(const char* start, const char* expected, bool push);
  const char* escape(const char* p, const char* expected);
  bool number(const char* expected, bool push);
  bool lenient_number(const char* expected, bool push);
  void literal(const char* expected);
  void skip_ws(const char* expected);
  void skip_comment(const char* expected);
  void descend();
  [[noreturn]] void unexpected(const char* expected);
  [[noreturn]] void fail(const char* expected, const char* found, const char* at);

  State* L_;
  const DecodeOptions& o_;
  const char* begin_;
  const char* p_;
  const char* end_;
  int depth_ = 0;
  int array_mt_ = 0;     // stack index of json.array_mt when o_.array_mt
  std::string scratch_;  // strings with escapes are unescaped here
};

void Parser::fail(const char* expected, const char* found, const char* at) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "Expected %s but found %s at character %zu", expected, found,
                size_t(at - begin_) + 1);
  throw ParseError{buf};
}

void Parser::run() {
  if (end_ - begin_ >= 2 && (begin_[0] == 0 || begin_[1] == 0))
    throw ParseError{"JSON parser does not support UTF-16 or UTF-32"};
  if (o_.array_mt) {
    raw_get_p(L_, kRegistryIndex, array_mt_key());
    array_mt_ = get_top(L_);
  }
  skip_ws("value");
  value("value");
  skip_ws("the end");
  if (p_ != end_) unexpected("the end");
  if (array_mt_) remove(L_, array_mt_);
}

void Parser::skip_ws(const char* expected) {
  for (;;) {
    char c = *p_;
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      p_++;
    } else if (c == '/' && o_.allow_comments && (p_[1] == '/' || p_[1] == '*')) {
      skip_comment(expected);
    } else {
      return;
    }
  }
}

void Parser::skip_comment(const char* expected) {
  if (p_[1] == '/') {
    p_ += 2;
    while (p_ < end_ && *p_ != '\n') p_++;
    return;
  }
  const char* close = static_cast<const char*>(memmem(p_ + 2, size_t(end_ - p_ - 2), "*/", 2));
  if (close == nullptr) fail(expected, "unclosed multi-line comment", end_);
  p_ = close + 2;
}

void Parser::value(const char* expected) {
  switch (*p_) {
    case '{': return object();
    case '[': return array();
    case '"': return string(expected, true);
    case 't':
    case 'f':
    case 'n': return literal(expected);
    default:
      if (o_.invalid_numbers ? lenient_number(expected, true) : number(expected, true)) return;
      unexpected(expected);
  }
}

void Parser::literal(const char* expected) {
  if (std::strncmp(p_, "true", 4) == 0) {
    push_boolean(L_, true);
    p_ += 4;
  } else if (std::strncmp(p_, "false", 5) == 0) {
    push_boolean(L_, false);
    p_ += 5;
  } else if (std::strncmp(p_, "null", 4) == 0) {
    push_light_userdata(L_, json_null_sentinel());
    p_ += 4;
  } else if (!o_.invalid_numbers || !lenient_number(expected, true)) {  // "nan"
    unexpected(expected);
  }
}

void Parser::descend() {
  if (++depth_ > o_.max_depth || !ensure_stack(L_, 3)) {
    char buf[120];
    std::snprintf(buf, sizeof buf, "Found too many nested data structures (%d) at character %zu", depth_,
                  size_t(p_ - begin_));
    throw ParseError{buf};
  }
}

void Parser::object() {
  p_++;
  descend();
  new_table(L_);
  skip_ws("object key string");
  if (*p_ == '}') {
    p_++;
    depth_--;
    return;
  }
  for (;;) {
    if (*p_ != '"') unexpected("object key string");
    string("object key string", true);
    skip_ws("colon");
    if (*p_ != ':') unexpected("colon");
    p_++;
    skip_ws("value");
    value("value");
    raw_set(L_, -3);
    skip_ws("comma or object end");
    if (*p_ == '}') break;
    if (*p_ != ',') unexpected("comma or object end");
    p_++;
    skip_ws("object key string");
  }
  p_++;
  depth_--;
}

void Parser::array() {
  p_++;
  descend();
  new_table(L_);
  if (array_mt_) {
    push_value(L_, array_mt_);
    set_metatable(L_, -2);
  }
  skip_ws("value");
  if (*p_ == ']') {
    p_++;
    depth_--;
    return;
  }
  for (lua_Integer i = 1;; i++) {
    value("value");
    raw_set_i(L_, -2, i);
    skip_ws("comma or array end");
    if (*p_ == ']') break;
    if (*p_ != ',') unexpected("comma or array end");
    p_++;
    skip_ws("value");
  }
  p_++;
  depth_--;
}

// A string (p_ at its opening quote). Without escapes its bytes are pushed
// straight from the input; push false only validates it.
void Parser::string(const char* expected, bool push) {
  const char* start = p_ + 1;
  const char* p = start;
  for (;;) {
    while (end_ - p >= 8 && plain8(p)) p += 8;
    unsigned char c = static_cast<unsigned char>(*p);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      p++;
    } else if (c == '"') {
      if (push) push_lstring(L_, start, size_t(p - start));
      p_ = p + 1;
      return;
    } else if (c == '\\') {
      return escaped_string(start, expected, push);
    } else if (c >= 0x80) {
      size_t n = utf8_sequence(reinterpret_cast<const unsigned char*>(p),
                               reinterpret_cast<const unsigned char*>(end_));
      if (n == 0) fail(expected, "invalid UTF-8", p);
      p += n;
    } else {
      fail(expected, p == end_ ? "unexpected end of string" : "unescaped control character", p);
    }
  }
}

// The rest of a string that holds escapes: unescaped into scratch_.
void Parser::escaped_string(const char* start, const char* expected, bool push) {
  scratch_.clear();
  const char* p = start;
  for (;;) {
    const char* run = p;
    while (end_ - p >= 8 && plain8(p)) p += 8;
    while (static_cast<unsigned char>(*p) >= 0x20 && *p != '"' && *p != '\\' &&
           static_cast<unsigned char>(*p) < 0x80)
      p++;
    scratch_.append(run, size_t(p - run));
    unsigned char c = static_cast<unsigned char>(*p);
    if (c == '"') break;
    if (c == '\\') {
      p = escape(p, expected);
    } else if (c >= 0x80) {
      size_t n = utf8_sequence(reinterpret_cast<const unsigned char*>(p),
                               reinterpret_cast<const unsigned char*>(end_));
      if (n == 0) fail(expected, "invalid UTF-8", p);
      scratch_.append(p, n);
      p += n;
    } else {
      fail(expected, p == end_ ? "unexpected end of string" : "unescaped control character", p);
    }
  }
  if (push) push_lstring(L_, scratch_.data(), scratch_.size());
  p_ = p + 1;
}

// Appends the character of the escape at p (a backslash) to scratch_ and
// returns the position after the escape.
const char* Parser::escape(const char* p, const char* expected) {
  char c;
  switch (p[1]) {
    case '"': c = '"'; break;
    case '\\': c = '\\'; break;
    case '/': c = '/'; break;
    case 'b': c = '\b'; break;
    case 'f': c = '\f'; break;
    case 'n': c = '\n'; break;
    case 'r': c = '\r'; break;
    case 't': c = '\t'; break;
    case 'u': {
      int cp = hex4(p + 2), len = 6;
      if (cp >= 0xD800 && cp <= 0xDFFF) {  // a surrogate: must be a high one followed by a low one
        int low = cp <= 0xDBFF && p[6] == '\\' && p[7] == 'u' ? hex4(p + 8) : -1;
        cp = low >= 0xDC00 && low <= 0xDFFF ? 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00) : -1;
        len = 12;
      }
      if (cp < 0) fail(expected, "invalid unicode escape code", p);
      char buf[4];
      scratch_.append(buf, utf8_encode(buf, uint32_t(cp)));
      return p + len;
    }
    default: fail(expected, "invalid escape code", p);
  }
  scratch_.push_back(c);
  return p + 2;
}

// A number by RFC 8259's grammar. Integers that fit lua_Integer stay
// integers; others become floats. False (nothing consumed) if the text at p_
// is not such a number.
bool Parser::number(const char* expected, bool push) {
  const char* p = p_;
  if (!is_digit(*p) && *p != '-') return false;
  bool neg = *p == '-';
  if (neg) p++;
  if (!is_digit(*p) || (p[0] == '0' && is_digit(p[1]))) return false;
  uint64_t u = 0;
  bool big = false;
  for (; is_digit(*p); p++) {
    unsigned d = unsigned(*p - '0');
    if (u > (UINT64_MAX - d) / 10)
      big = true;
    else
      u = u * 10 + d;
  }
  bool is_float = false;
  if (*p == '.') {
    if (!is_digit(*++p)) return false;
    while (is_digit(*p)) p++;
    is_float = true;
  }
  if (*p == 'e' || *p == 'E') {
    if (*++p == '+' || *p == '-') p++;
    if (!is_digit(*p)) return false;
    while (is_digit(*p)) p++;
    is_float = true;
  }
  uint64_t limit = neg ? uint64_t(INT64_MAX) + 1 : uint64_t(INT64_MAX);
  if (!is_float && !big && u <= limit) {
    if (push) push_integer(L_, neg ? lua_Integer(0 - u) : lua_Integer(u));
  } else if (push) {
    double d;
    auto r = std::from_chars(p_, p, d);
    if (r.ec != std::errc()) d = c_strtod(p_, nullptr);  // out of range: strtod gives ±HUGE_VAL or 0
    push_number(L_, d);
  }
  p_ = p;
  return true;
}

// What lua-cjson reads with decode_invalid_numbers on: whatever strtoll or
// strtod accept at p_ (Infinity, NaN, hex, '+1', '01', '1.').
bool Parser::lenient_number(const char* expected, bool push) {
  char c = *p_;
  if (!(is_digit(c) || c == '-' || c == '+' || strncasecmp(p_, "inf", 3) == 0 ||
        strncasecmp(p_, "nan", 3) == 0))
    return false;
  char* end;
  errno = 0;
  long long i = std::strtoll(p_, &end, 10);
  if (end != p_ && errno == 0 && *end != '.' && *end != 'e' && *end != 'E' && *end != 'x' && *end != 'X') {
    if (push) push_integer(L_, i);
  } else {
    double d = c_strtod(p_, &end);
    if (end == p_) return false;
    if (push) push_number(L_, d);
  }
  p_ = end;
  return true;
}

// Raises the error for an unexpected token at p_, named as lua-cjson names it.
void Parser::unexpected(const char* expected) {
  const char* at = p_;
  const char* found = "invalid token";
  if (p_ == end_) {
    found = "T_END";
  } else {
    switch (*p_) {
      case '{': found = "T_OBJ_BEGIN"; break;
      case '}': found = "T_OBJ_END"; break;
      case '[': found = "T_ARR_BEGIN"; break;
      case ']': found = "T_ARR_END"; break;
      case ',': found = "T_COMMA"; break;
      case ':': found = "T_COLON"; break;
      case '"':
        string(expected, false);  // raises the string's own error, if any
        found = "T_STRING";
        break;
      default:
        if (std::strncmp(p_, "true", 4) == 0 || std::strncmp(p_, "false", 5) == 0) {
          found = "T_BOOLEAN";
        } else if (std::strncmp(p_, "null", 4) == 0) {
          found = "T_NULL";
        } else if (is_digit(*p_) || *p_ == '-' || o_.invalid_numbers) {
          const char* start = p_;
          bool ok = o_.invalid_numbers ? lenient_number(expected, false) : number(expected, false);
          bool integral = ok && std::strpbrk(std::string(start, p_).c_str(), ".eExXnNiI") == nullptr;
          found = !ok ? "invalid number" : integral ? "T_INTEGER" : "T_NUMBER";
          if (!ok && !is_digit(*p_) && *p_ != '-') found = "invalid token";
        }
    }
  }
  fail(expected, found, at);
}

}  // namespace

bool decode_text(State* L, std::string_view text, const DecodeOptions& o, std::string& err) {
  int base = get_top(L);
  try {
    Parser(L, text, o).run();
    return true;
  } catch (ParseError& e) {
    set_top(L, base);
    err = std::move(e.message);
    return false;
  }
}

}  // namespace rua::json
