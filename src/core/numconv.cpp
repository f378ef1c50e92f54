// Numeral conversions (see numconv.hpp).
//
// Floats are read with strtod_l in the "C" locale: it implements decimal and
// hexadecimal floats, overflow to HUGE_VAL and underflow exactly as the C
// library that PUC Lua relies on, and the fixed locale keeps os.setlocale
// from changing what a numeral means. They are written with std::to_chars,
// which is printf's %g without the locale.
#include "numconv.hpp"

#include <locale.h>
#include <charconv>
#include <clocale>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace rua {
namespace {

bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Integer numeral: optional sign, decimal or 0x-hex digits. Decimal
// overflow is not an integer (the caller then tries a float).
bool read_integer(const char* s, const char* end, int64_t& out) {
  uint64_t a = 0;
  bool empty = true, neg = false;
  while (s < end && is_space(*s)) s++;
  if (s < end && (*s == '-' || *s == '+')) neg = (*s++ == '-');
  if (end - s >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    for (s += 2; s < end && hex_value(*s) >= 0; s++) {
      a = a * 16 + uint64_t(hex_value(*s));  // wraps around, as PUC's does
      empty = false;
    }
  } else {
    const uint64_t maxby10 = uint64_t(INT64_MAX) / 10, maxlastd = uint64_t(INT64_MAX) % 10;
    for (; s < end && *s >= '0' && *s <= '9'; s++) {
      uint64_t d = uint64_t(*s - '0');
      if (a >= maxby10 && (a > maxby10 || d > maxlastd + uint64_t(neg))) return false;  // overflow
      a = a * 10 + d;
      empty = false;
    }
  }
  while (s < end && is_space(*s)) s++;
  if (empty || s != end) return false;
  out = int64_t(neg ? 0u - a : a);
  return true;
}

locale_t c_locale() {
  static locale_t loc = newlocale(LC_ALL_MASK, "C", locale_t(0));
  return loc;
}

bool read_float(const char* s, const char* end, double& out) {
  for (const char* p = s; p < end; p++)
    if (*p == 'n' || *p == 'N') return false;  // reject 'inf' and 'nan'
  char* stop;
  double d = strtod_l(s, &stop, c_locale());
  if (stop == s) return false;
  while (stop < end && is_space(*stop)) stop++;
  if (stop != end) return false;
  out = d;
  return true;
}

}  // namespace

NumKind str_to_number(std::string_view sv, int64_t& i, double& d) {
  // strtod needs a terminated string; numerals are short, so copy when small.
  char small[201];
  std::string big;
  const char* s;
  if (sv.size() < sizeof small) {
    std::memcpy(small, sv.data(), sv.size());
    small[sv.size()] = '\0';
    s = small;
  } else {
    big.assign(sv);
    s = big.c_str();
  }
  const char* end = s + sv.size();
  if (std::memchr(s, '\0', sv.size()) != nullptr) return NumKind::None;
  if (read_integer(s, end, i)) return NumKind::Int;
  if (read_float(s, end, d)) return NumKind::Float;
  return NumKind::None;
}

size_t number_to_string(double d, char* buf) {
  if (std::isinf(d)) return size_t(std::snprintf(buf, kNumberBufferSize, d > 0 ? "inf" : "-inf"));
  if (std::isnan(d)) return size_t(std::snprintf(buf, kNumberBufferSize, std::signbit(d) ? "-nan" : "nan"));
  auto r = std::to_chars(buf, buf + kNumberBufferSize - 3, d, std::chars_format::general, 15);
  *r.ptr = '\0';
  if (strtod_l(buf, nullptr, c_locale()) != d) {
    r = std::to_chars(buf, buf + kNumberBufferSize - 3, d, std::chars_format::general, 17);
    *r.ptr = '\0';
  }
  size_t n = size_t(r.ptr - buf);
  if (std::strspn(buf, "-0123456789") == n) {  // looks like an integer?
    buf[n++] = '.';
    buf[n++] = '0';
  }
  buf[n] = '\0';
  return n;
}

size_t number_to_string(int64_t i, char* buf) {
  auto r = std::to_chars(buf, buf + kNumberBufferSize - 1, i);
  *r.ptr = '\0';
  return size_t(r.ptr - buf);
}

}  // namespace rua
