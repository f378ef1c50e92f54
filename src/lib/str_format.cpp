// string.format (manual §6.4): conversions A a c d E e f G g i o p q s u X x
// and %%, flags "- + # 0 space" where C allows them, width and precision of
// at most two digits.
//
// Each conversion is checked against what Lua accepts and then handed to
// the C library's snprintf, which does the actual formatting (also %a, as
// PUC does on C99 systems), so the output is byte for byte PUC's. Only %q
// (a Lua literal that reads back as the same value) is written here.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <clocale>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "strlib.hpp"

namespace rua {

namespace {

// Room for one formatted item: the widest is '%99.99e' of a float with
// '0x', sign, point and exponent (PUC's MAX_ITEM). '%f' can need all the
// digits of the largest double before the point.
constexpr size_t kMaxItem = 120;
constexpr size_t kMaxItemF = 110 + 308;  // 308 = DBL_MAX_10_EXP

// A conversion specification ("%-05.2d" and the like) fits in this with a
// length modifier added (PUC's MAX_FORMAT).
constexpr size_t kMaxFormat = 32;

// Flags each kind of conversion accepts.
constexpr const char* kFlagsFloat = "-+#0 ";  // a A e E f g G
constexpr const char* kFlagsHex = "-#0";      // o x X
constexpr const char* kFlagsInt = "-+0 ";     // d i
constexpr const char* kFlagsUnsigned = "-0";  // u
constexpr const char* kFlagsChar = "-";       // c p s

bool is_digit(char c) { return c >= '0' && c <= '9'; }

const char* skip_2_digits(const char* s) {
  if (is_digit(*s)) s++;
  if (is_digit(*s)) s++;
  return s;
}

// Checks a whole specification: only 'flags', a width and (if allowed) a
// precision of at most two digits each, then the conversion letter.
void check_spec(State* L, const char* form, const char* flags, bool precision) {
  const char* spec = form + 1;  // skip '%'
  spec += std::strspn(spec, flags);
  if (*spec != '0') {  // a width cannot start with '0' (that would be a flag not allowed here)
    spec = skip_2_digits(spec);
    if (*spec == '.' && precision) spec = skip_2_digits(spec + 1);
  }
  if (!std::isalpha(static_cast<unsigned char>(*spec))) {
    errorf(L, "invalid conversion specification: '%s'", form);
  }
}

// Copies the specification at p (just after '%') into form as "%...",
// NUL-terminated, and its conversion letter into *conv ('\0' if missing).
// Returns the position just after the conversion letter.
const char* read_spec(State* L, const char* p, const char* end, char* form, char* conv) {
  size_t len = 0;  // flags, width and precision, whatever their order ('0' counts as a flag)
  while (p + len < end && std::strchr("-+#0 123456789.", p[len]) != nullptr && p[len] != '\0') len++;
  len++;  // the conversion letter
  if (len >= kMaxFormat - 10) errorf(L, "invalid format (too long)");
  form[0] = '%';
  for (size_t i = 0; i < len; i++) form[i + 1] = p + i < end ? p[i] : '\0';
  form[len + 1] = '\0';
  *conv = form[len];
  return p + len;
}

// Inserts a length modifier (such as "ll") before the conversion letter.
void add_length_modifier(char* form, const char* mod) {
  size_t l = std::strlen(form);
  char conv = form[l - 1];
  std::strcpy(form + l - 1, mod);
  size_t m = std::strlen(mod);
  form[l - 1 + m] = conv;
  form[l + m] = '\0';
}

// snprintf into the buffer's free space; the size has been bounded by the checks.
template <typename T>
void add_formatted(Buffer& b, size_t room, const char* form, T value) {
  char* out = b.prepare(room);
  int n = std::snprintf(out, room, form, value);
  if (n > 0) b.commit(size_t(n));  // (n < 0 only for an encoding error, which these conversions cannot have)
}

// ---- %q ----

void add_quoted_string(Buffer& b, std::string_view s) {
  b.add('"');
  for (size_t i = 0; i < s.size(); i++) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\' || c == '\n') {
      b.add('\\');
      b.add(char(c));
    } else if (std::iscntrl(c)) {
      // Three digits when a digit follows, so that the escape reads back as one byte.
      bool digit_next = i + 1 < s.size() && is_digit(s[i + 1]);
      char esc[8];
      int n = std::snprintf(esc, sizeof esc, digit_next ? "\\%03d" : "\\%d", c);
      b.add(esc, size_t(n));
    } else {
      b.add(char(c));
    }
  }
  b.add('"');
}

// A float as a numeral that reads back exactly: hexadecimal, except for the
// values no numeral denotes.
void add_quoted_float(Buffer& b, lua_Number x) {
  if (x == HUGE_VAL) return b.add_string("1e9999");
  if (x == -HUGE_VAL) return b.add_string("-1e9999");
  if (x != x) return b.add_string("(0/0)");  // NaN
  char* out = b.prepare(kMaxItem);
  int n = std::snprintf(out, kMaxItem, "%a", x);
  if (std::memchr(out, '.', size_t(n)) == nullptr) {  // a locale may use another radix character
    char point = std::localeconv()->decimal_point[0];
    if (char* pp = static_cast<char*>(std::memchr(out, point, size_t(n)))) *pp = '.';
  }
  b.commit(size_t(n));
}

void add_literal(State* L, Buffer& b, int arg) {
  switch (type(L, arg)) {
    case Type::String: add_quoted_string(b, to_sv(L, arg)); break;
    case Type::Number:
      if (!is_integer(L, arg)) {
        add_quoted_float(b, to_number(L, arg));
      } else {
        lua_Integer n = to_integer(L, arg);
        // mininteger has no decimal numeral (it would read back as a float)
        add_formatted(b, kMaxItem, n == kMinInteger ? "0x%llx" : "%lld", static_cast<long long>(n));
      }
      break;
    case Type::Nil:
    case Type::Boolean:
      to_lstring_meta(L, arg, nullptr);
      b.add_value();
      break;
    default: arg_error(L, arg, "value has no literal form");
  }
}

// ---- %s ----

void add_string_item(State* L, Buffer& b, int arg, char* form) {
  size_t len;
  const char* s = to_lstring_meta(L, arg, &len);
  if (form[2] == '\0') return b.add_value();  // plain "%s": the whole string, zeros included
  arg_check(L, len == std::strlen(s), arg, "string contains zeros");
  check_spec(L, form, kFlagsChar, true);
  if (std::strchr(form, '.') == nullptr && len >= 100) {
    return b.add_value();  // no precision, and too long to need padding: keep it whole
  }
  add_formatted(b, kMaxItem, form, s);
  pop(L, 1);
}

// ---- one conversion ----

void add_integer_item(State* L, Buffer& b, int arg, char* form, const char* flags) {
  lua_Integer n = check_integer(L, arg);
  check_spec(L, form, flags, true);
  add_length_modifier(form, "ll");
  add_formatted(b, kMaxItem, form, static_cast<long long>(n));
}

void add_float_item(State* L, Buffer& b, int arg, char* form, size_t room) {
  lua_Number x = check_number(L, arg);
  check_spec(L, form, kFlagsFloat, true);
  add_formatted(b, room, form, x);
}

void add_pointer_item(State* L, Buffer& b, int arg, char* form) {
  const void* p = to_pointer(L, arg);
  check_spec(L, form, kFlagsChar, false);
  if (p == nullptr) {  // values with no address print as "(null)", padded as asked
    form[std::strlen(form) - 1] = 's';
    return add_formatted(b, kMaxItem, form, "(null)");
  }
  add_formatted(b, kMaxItem, form, p);
}

// Plain "%d" and "%.Nf": std::to_chars writes exactly what snprintf would
// (the C standard defines both as the same conversion) at a fraction of the
// cost of parsing the format again. Floats only when finite and when the
// locale's decimal point is '.' (snprintf follows LC_NUMERIC, to_chars not).
bool add_fast_item(State* L, Buffer& b, int arg, char conv, const char* form) {
  if (conv == 'd' || conv == 'i') {
    // "%d", and "%Nd", "%-Nd", "%0Nd" (width up to 99): padded here.
    const char* q = form + 1;
    bool left = false, zero = false;
    if (*q == '-') left = true, q++;
    else if (*q == '0') zero = true, q++;
    int width = 0;
    if (is_digit(*q)) width = *q++ - '0';
    if (is_digit(*q)) width = width * 10 + (*q++ - '0');
    if (q[0] != conv || q[1] != '\0') return false;  // other flags or a precision: snprintf
    lua_Integer n = check_integer(L, arg);
    char digits[24];
    auto r = std::to_chars(digits, digits + sizeof digits, n);
    size_t len = size_t(r.ptr - digits);
    size_t pad = size_t(width) > len ? size_t(width) - len : 0;
    char* out = b.prepare(len + pad);
    char* o = out;
    if (pad == 0 || left) {
      o = std::copy(digits, digits + len, o);
      o = std::fill_n(o, pad, ' ');
    } else if (zero) {
      const char* d = digits;
      if (*d == '-') *o++ = *d++;  // the sign goes before the zeros
      o = std::fill_n(o, pad, '0');
      o = std::copy(d, static_cast<const char*>(digits) + len, o);
    } else {
      o = std::fill_n(o, pad, ' ');
      o = std::copy(digits, digits + len, o);
    }
    b.commit(size_t(o - out));
    return true;
  }
  if (conv == 'f' && form[1] == '.' && is_digit(form[2])) {
    int prec = form[2] - '0';
    const char* q = form + 3;
    if (is_digit(*q)) prec = prec * 10 + (*q++ - '0');
    if (*q != 'f') return false;
    if (type(L, arg) != Type::Number) return false;  // the slow path raises the error
    lua_Number x = to_number(L, arg);
    if (!std::isfinite(x) || std::localeconv()->decimal_point[0] != '.') return false;
    char* out = b.prepare(kMaxItemF);
    auto r = std::to_chars(out, out + kMaxItemF, x, std::chars_format::fixed, prec);
    if (r.ec != std::errc()) return false;
    b.commit(size_t(r.ptr - out));
    return true;
  }
  return false;
}

void add_item(State* L, Buffer& b, int arg, char conv, char* form) {
  if (add_fast_item(L, b, arg, conv, form)) return;
  switch (conv) {
    case 'c': {
      check_spec(L, form, kFlagsChar, false);
      add_formatted(b, kMaxItem, form, int(check_integer(L, arg)));
      break;
    }
    case 'd':
    case 'i': add_integer_item(L, b, arg, form, kFlagsInt); break;
    case 'u': add_integer_item(L, b, arg, form, kFlagsUnsigned); break;
    case 'o':
    case 'x':
    case 'X': add_integer_item(L, b, arg, form, kFlagsHex); break;
    case 'a':
    case 'A': {
      check_spec(L, form, kFlagsFloat, true);
      add_formatted(b, kMaxItem, form, check_number(L, arg));
      break;
    }
    case 'f': add_float_item(L, b, arg, form, kMaxItemF); break;
    case 'e':
    case 'E':
    case 'g':
    case 'G': add_float_item(L, b, arg, form, kMaxItem); break;
    case 'p': add_pointer_item(L, b, arg, form); break;
    case 'q': {
      if (form[2] != '\0') errorf(L, "specifier '%%q' cannot have modifiers");
      add_literal(L, b, arg);
      break;
    }
    case 's': add_string_item(L, b, arg, form); break;
    default: errorf(L, "invalid conversion '%s' to 'format'", form);
  }
}

}  // namespace

int str_format(State* L) {
  int top = get_top(L);
  int arg = 1;
  std::string_view fmt = check_sv(L, 1);
  const char* p = fmt.data();
  const char* end = p + fmt.size();
  Buffer b(L);
  while (p < end) {
    const char* pct = static_cast<const char*>(std::memchr(p, '%', size_t(end - p)));
    if (pct == nullptr) pct = end;
    b.add(p, size_t(pct - p));  // the literal text up to the next '%'
    p = pct;
    if (p == end) break;
    if (++p < end && *p == '%') {  // "%%"
      b.add('%');
      p++;
      continue;
    }
    if (++arg > top) arg_error(L, arg, "no value");
    char form[kMaxFormat];
    char conv;
    p = read_spec(L, p, end, form, &conv);
    add_item(L, b, arg, conv, form);
  }
  b.push_result();
  return 1;
}

}  // namespace rua
