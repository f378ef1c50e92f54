// The JSON decoder.
//
// Why hand-written rather than simdjson (Debian libsimdjson-dev 3.0.1): the
// time goes into building Lua tables and interning strings, not into
// parsing. Measured with bench/json/parser_choice.cpp (Xeon, g++ 12 -O2,
// MB/s of JSON decoded into Lua tables, best of 5; simdjson building the
// same tables through the same API, with exact table sizes from its DOM):
//              this parser   simdjson DOM   simdjson On-Demand   (DOM parse alone)
//   ~1 KB          242           238              140                 1660
//   ~100 KB        199           227              139                 1590
//   ~5 MB          175           165              136                  786
// simdjson parses 8x faster, but parsing is only ~12% of the total. What
// counts is building each table at its final size (see object()): that took
// this parser from 126/120/123 MB/s to the figures above, and simdjson's DOM,
// which knows the sizes, from 134/141/138. simdjson would also need a padded copy of every input, a per-state
// parser whose buffers grow to the largest document, and this parser anyway for lua-cjson's error messages
// and offsets, decode_invalid_numbers, comments and integers beyond 64 bits. Even at best it wins on one size
// out of three.
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

// Members of a container kept on the stack before it is built (see object()).
constexpr int kBatch = 256;

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

bool is_plain(unsigned char c) { return c >= 0x20 && c != '"' && c != '\\' && c < 0x80; }

// The first byte at or after p that is not an ordinary string byte (printable
// ASCII other than '"' and '\\'). Eight bytes at a time while they last:
// the lowest byte flagged in the mask is always a real one (a false flag only
// arises from a borrow out of a lower, really flagged, byte).
const char* skip_plain(const char* p, const char* end) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  for (; end - p >= 8; p += 8) {
    uint64_t x;
    std::memcpy(&x, p, 8);
    uint64_t quote = x ^ (kOnes * '"'), backslash = x ^ (kOnes * '\\');
    uint64_t special =
        ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash) | (x - kOnes * 0x20) | x;
    special &= kHigh;
    if (special != 0) return p + (__builtin_ctzll(special) >> 3);
  }
  while (is_plain(static_cast<unsigned char>(*p))) p++;  // the '\0' after the text stops it
  return p;
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
  int move_members(int base, int n);
  void move_elements(int base, int n);
  void string(const char* expected, bool push);
  void escaped_string(const char* start, const char* expected, bool push);
  const char* escape(const char* p, const char* expected);
  const char* multibyte(const char* p, const char* expected);
  bool number(bool push);
  void push_number_text(bool neg, uint64_t m, int digits, int scale, bool is_float, const char* end);
  bool lenient_number(bool push);
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
  if (static_cast<unsigned char>(*p_) > ' ' && *p_ != '/') [[likely]]
    return;
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
      if (o_.invalid_numbers ? lenient_number(true) : number(true)) return;
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
  } else if (!o_.invalid_numbers || !lenient_number(true)) {  // "nan"
    unexpected(expected);
  }
}

void Parser::descend() {
  if (++depth_ > o_.max_depth || !ensure_stack(L_, 2 * kBatch + 4)) {
    char buf[120];
    std::snprintf(buf, sizeof buf, "Found too many nested data structures (%d) at character %zu", depth_,
                  size_t(p_ - begin_));
    throw ParseError{buf};
  }
}

// Containers are built with their exact size: the members are left on the
// stack while they are parsed, then moved into a table created at the right
// size, which spares the table its rehashes as it grows. A container with
// more than kBatch members is moved at that point and grows from there, which
// bounds the stack a document can take.
void Parser::object() {
  p_++;
  descend();
  int base = get_top(L_);
  skip_ws("object key string");
  int n = 0;  // members on the stack (above base), or -1 once they are in the table
  if (*p_ != '}') {
    for (;;) {
      if (*p_ != '"') unexpected("object key string");
      string("object key string", true);
      skip_ws("colon");
      if (*p_ != ':') unexpected("colon");
      p_++;
      skip_ws("value");
      value("value");
      if (n < 0)
        raw_set(L_, base + 1);
      else if (++n == kBatch)
        n = move_members(base, n);
      skip_ws("comma or object end");
      if (*p_ == '}') break;
      if (*p_ != ',') unexpected("comma or object end");
      p_++;
      skip_ws("object key string");
    }
  }
  p_++;
  if (n >= 0) move_members(base, n);
  depth_--;
}

// Moves the n key/value pairs above base into a new table, in order (the
// last of duplicate keys wins), and leaves the table at base + 1.
int Parser::move_members(int base, int n) {
  create_table(L_, 0, n);
  if (n == 0) return -1;  // already at base + 1
  int t = get_top(L_);
  for (int i = 0; i < n; i++) {
    push_value(L_, base + 2 * i + 1);
    push_value(L_, base + 2 * i + 2);
    raw_set(L_, t);
  }
  replace(L_, base + 1);
  set_top(L_, base + 1);
  return -1;
}

void Parser::array() {
  p_++;
  descend();
  int base = get_top(L_);
  skip_ws("value");
  lua_Integer n = 0;  // elements so far
  bool in_table = false;
  if (*p_ != ']') {
    for (;;) {
      value("value");
      if (in_table) {
        raw_set_i(L_, base + 1, ++n);
      } else if (++n == kBatch) {
        move_elements(base, int(n));
        in_table = true;
      }
      skip_ws("comma or array end");
      if (*p_ == ']') break;
      if (*p_ != ',') unexpected("comma or array end");
      p_++;
      skip_ws("value");
    }
  }
  p_++;
  if (!in_table) move_elements(base, int(n));
  if (array_mt_) {
    push_value(L_, array_mt_);
    set_metatable(L_, base + 1);
  }
  depth_--;
}

// Moves the n elements above base into a new table (filled from the last,
// each raw_set_i popping one) and leaves the table at base + 1.
void Parser::move_elements(int base, int n) {
  create_table(L_, n, 0);
  insert(L_, base + 1);
  for (int i = n; i >= 1; i--) raw_set_i(L_, base + 1, i);
}

// A string (p_ at its opening quote). Without escapes its bytes are pushed
// straight from the input; push false only validates it.
void Parser::string(const char* expected, bool push) {
  const char* start = p_ + 1;
  const char* p = start;
  for (;;) {
    p = skip_plain(p, end_);
    unsigned char c = static_cast<unsigned char>(*p);
    if (c == '"') {
      if (push) push_lstring(L_, start, size_t(p - start));
      p_ = p + 1;
      return;
    }
    if (c == '\\') return escaped_string(start, expected, push);
    p = multibyte(p, expected);
  }
}

// The rest of a string that holds escapes: unescaped into scratch_.
void Parser::escaped_string(const char* start, const char* expected, bool push) {
  scratch_.clear();
  const char* p = start;
  for (;;) {
    const char* run = p;
    p = skip_plain(p, end_);
    scratch_.append(run, size_t(p - run));
    unsigned char c = static_cast<unsigned char>(*p);
    if (c == '"') break;
    if (c == '\\') {
      p = escape(p, expected);
    } else {
      run = p;
      p = multibyte(p, expected);
      scratch_.append(run, size_t(p - run));
    }
  }
  if (push) push_lstring(L_, scratch_.data(), scratch_.size());
  p_ = p + 1;
}

// Checks the UTF-8 sequence at p (a byte >= 0x80) and returns the position
// after it; a control character or the end of the text there is an error.
const char* Parser::multibyte(const char* p, const char* expected) {
  auto u = reinterpret_cast<const unsigned char*>(p);
  if (*u < 0x80) fail(expected, p == end_ ? "unexpected end of string" : "unescaped control character", p);
  size_t n = utf8_sequence(u, reinterpret_cast<const unsigned char*>(end_));
  if (n == 0) fail(expected, "invalid UTF-8", p);
  return p + n;
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
bool Parser::number(bool push) {
  const char* p = p_;
  bool neg = *p == '-';
  if (neg) p++;
  if (!is_digit(*p) || (p[0] == '0' && is_digit(p[1]))) return false;
  uint64_t m = 0;  // the digits, integer and fraction, while they fit
  int digits = 0, scale = 0;
  for (; is_digit(*p); p++, digits++) m = m * 10 + unsigned(*p - '0');
  bool is_float = false;
  if (*p == '.') {
    if (!is_digit(*++p)) return false;
    for (; is_digit(*p); p++, digits++, scale--) m = m * 10 + unsigned(*p - '0');
    is_float = true;
  }
  if (*p == 'e' || *p == 'E') {
    bool eneg = *++p == '-';
    if (*p == '+' || *p == '-') p++;
    if (!is_digit(*p)) return false;
    int e = 0;
    for (; is_digit(*p); p++) e = e < 100000 ? e * 10 + (*p - '0') : e;
    scale += eneg ? -e : e;
    is_float = true;
  }
  if (push) push_number_text(neg, m, digits, scale, is_float, p);
  p_ = p;
  return true;
}

// Pushes the number just scanned (from p_ to end): an integer when it has no
// fraction or exponent and fits lua_Integer, otherwise the nearest double.
// m holds its digits when there are at most 19 of them; scale is the power of
// ten that m is to be multiplied by.
void Parser::push_number_text(bool neg, uint64_t m, int digits, int scale, bool is_float, const char* end) {
  if (!is_float && digits <= 19) {
    uint64_t limit = neg ? uint64_t(INT64_MAX) + 1 : uint64_t(INT64_MAX);
    if (m <= limit) return push_integer(L_, neg ? lua_Integer(0 - m) : lua_Integer(m));
  }
  // Clinger's fast path: m and 10^|scale| are exact doubles, so one
  // multiplication or division rounds correctly.
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                      1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  if (digits <= 19 && m <= (uint64_t(1) << 53) && scale >= -22 && scale <= 22) {
    double d = scale >= 0 ? double(m) * kPow10[scale] : double(m) / kPow10[-scale];
    return push_number(L_, neg ? -d : d);
  }
  double d;
  auto r = std::from_chars(p_, end, d);
  if (r.ec != std::errc()) d = c_strtod(p_, nullptr);  // out of range: strtod gives ±HUGE_VAL or 0
  push_number(L_, d);
}

// What lua-cjson reads with decode_invalid_numbers on: whatever strtoll or
// strtod accept at p_ (Infinity, NaN, hex, '+1', '01', '1.').
bool Parser::lenient_number(bool push) {
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
          bool ok = o_.invalid_numbers ? lenient_number(false) : number(false);
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
