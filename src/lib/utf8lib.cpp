// The utf8 library (manual §6.5).
//
// Strict functions accept only what RFC 3629 allows: code points up to
// U+10FFFF, no surrogates, no overlong forms. With 'lax' they accept the
// original UTF-8 of up to six bytes (code points up to 2^31 - 1), still
// without overlong forms, as PUC does. utf8.char always writes the long
// forms. The decoder and encoder are hand-written: the C++ library has no
// UTF-8 conversion that is not deprecated, and none with a lax mode.
#include <climits>
#include <cstdint>

#include "lualib.hpp"

namespace rua {

namespace {

constexpr uint32_t kMaxUnicode = 0x10FFFF;
constexpr uint32_t kMaxUtf = 0x7FFFFFFF;
constexpr const char* kMsgInvalid = "invalid UTF-8 code";

bool is_cont(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Decodes the sequence at s; returns the position after it, or null if the
// sequence is invalid. s must be NUL-terminated (every Lua string is), so a
// truncated sequence stops at the terminator, which is not a continuation.
const char* decode(const char* s, uint32_t* code, bool strict) {
  // Smallest code point for each number of continuation bytes (overlong
  // forms are below it); the first entry rejects a lone byte >= 0x80.
  static const uint32_t kMin[] = {~uint32_t(0), 0x80, 0x800, 0x10000, 0x200000, 0x4000000};
  unsigned c = static_cast<unsigned char>(s[0]);
  uint32_t res;
  if (c < 0x80) {
    res = c;
  } else if (c >= 0xFE) {
    return nullptr;  // would need six or more continuation bytes
  } else {
    res = 0;
    int count = 0;
    for (; c & 0x40; c <<= 1) {  // one continuation byte for each 1 bit after the first
      char cc = s[++count];
      if (!is_cont(cc)) return nullptr;
      res = (res << 6) | (static_cast<unsigned char>(cc) & 0x3F);
    }
    res |= uint32_t(c & 0x7F) << (count * 5);  // the bits of the first byte
    if (res > kMaxUtf || res < kMin[count]) return nullptr;
    s += count;
  }
  if (strict && (res > kMaxUnicode || (res >= 0xD800 && res <= 0xDFFF))) return nullptr;
  if (code) *code = res;
  return s + 1;
}

// Appends the UTF-8 bytes of x (up to 0x7FFFFFFF, six bytes).
void encode(Buffer& b, uint32_t x) {
  if (x < 0x80) return b.add(char(x));
  char out[6];
  int n = 0;            // continuation bytes written, from the end
  uint32_t mfb = 0x3F;  // largest value that still fits in the first byte
  do {
    out[5 - n++] = char(0x80 | (x & 0x3F));
    x >>= 6;
    mfb >>= 1;
  } while (x > mfb);
  out[5 - n] = char((~mfb << 1) | x);  // the first byte: n + 1 high 1 bits, then the rest of x
  b.add(out + 5 - n, size_t(n) + 1);
}

// A relative position: negative counts back from the end (0 if before it).
lua_Integer relative_pos(lua_Integer pos, size_t len) {
  if (pos >= 0) return pos;
  if (0u - size_t(pos) > len) return 0;
  return lua_Integer(len) + pos + 1;
}

// utf8.len(s [, i [, j [, lax]]]): characters that start in [i, j], or
// fail plus the position of the first invalid byte.
int u_len(State* L) {
  std::string_view s = check_sv(L, 1);
  lua_Integer posi = relative_pos(opt_integer(L, 2, 1), s.size());
  lua_Integer posj = relative_pos(opt_integer(L, 3, -1), s.size());
  bool lax = to_boolean(L, 4);
  arg_check(L, 1 <= posi && --posi <= lua_Integer(s.size()), 2, "initial position out of bounds");
  arg_check(L, --posj < lua_Integer(s.size()), 3, "final position out of bounds");
  lua_Integer n = 0;
  while (posi <= posj) {
    const char* next = decode(s.data() + posi, nullptr, !lax);
    if (next == nullptr) {
      push_nil(L);
      push_integer(L, posi + 1);
      return 2;
    }
    posi = next - s.data();
    n++;
  }
  push_integer(L, n);
  return 1;
}

// utf8.codepoint(s [, i [, j [, lax]]]): the code points of the characters
// that start in [i, j].
int u_codepoint(State* L) {
  std::string_view s = check_sv(L, 1);
  lua_Integer posi = relative_pos(opt_integer(L, 2, 1), s.size());
  lua_Integer pose = relative_pos(opt_integer(L, 3, posi), s.size());
  bool lax = to_boolean(L, 4);
  arg_check(L, posi >= 1, 2, "out of bounds");
  arg_check(L, pose <= lua_Integer(s.size()), 3, "out of bounds");
  if (posi > pose) return 0;
  if (pose - posi >= INT_MAX) errorf(L, "string slice too long");
  check_stack_msg(L, int(pose - posi) + 1, "string slice too long");
  int n = 0;
  const char* end = s.data() + pose;
  for (const char* p = s.data() + posi - 1; p < end; n++) {
    uint32_t code;
    p = decode(p, &code, !lax);
    if (p == nullptr) errorf(L, "%s", kMsgInvalid);
    push_integer(L, code);
  }
  return n;
}

uint32_t check_code(State* L, int arg) {
  auto code = lua_Unsigned(check_integer(L, arg));
  arg_check(L, code <= kMaxUtf, arg, "value out of range");
  return uint32_t(code);
}

// utf8.char(...): the concatenated encodings of the arguments.
int u_char(State* L) {
  int n = get_top(L);
  Buffer b(L);
  for (int i = 1; i <= n; i++) encode(b, check_code(L, i));
  b.push_result();
  return 1;
}

// Moves posi (0-based) n characters; n == 0 finds the start of the
// character posi is in. Returns the remaining n (0 if it got there).
lua_Integer move_by(State* L, std::string_view s, lua_Integer n, lua_Integer* posi) {
  const char* p = s.data();  // NUL-terminated: p[len] is not a continuation byte
  lua_Integer i = *posi;
  if (n == 0) {
    while (i > 0 && is_cont(p[i])) i--;
  } else {
    if (is_cont(p[i])) errorf(L, "initial position is a continuation byte");
    if (n < 0) {
      for (; n < 0 && i > 0; n++) {  // back to the start of the previous character
        do i--;
        while (i > 0 && is_cont(p[i]));
      }
    } else {
      for (n--; n > 0 && i < lua_Integer(s.size()); n--) {  // n == 1 is the character at i
        do i++;
        while (is_cont(p[i]));
      }
    }
  }
  *posi = i;
  return n;
}

// utf8.offset(s, n [, i]): start and end positions of the n-th character
// counting from position i (5.5 returns both).
int u_offset(State* L) {
  std::string_view s = check_sv(L, 1);
  lua_Integer n = check_integer(L, 2);
  lua_Integer posi = n >= 0 ? 1 : lua_Integer(s.size()) + 1;
  posi = relative_pos(opt_integer(L, 3, posi), s.size());
  arg_check(L, 1 <= posi && --posi <= lua_Integer(s.size()), 3, "position out of bounds");
  if (move_by(L, s, n, &posi) != 0) {  // no such character
    push_nil(L);
    return 1;
  }
  push_integer(L, posi + 1);
  const char* p = s.data();
  if (static_cast<unsigned char>(p[posi]) & 0x80) {  // a multi-byte character: find its last byte
    if (is_cont(p[posi])) errorf(L, "initial position is a continuation byte");
    while (is_cont(p[posi + 1])) posi++;
  }
  push_integer(L, posi + 1);
  return 2;
}

// The 'for' iterator of utf8.codes: control value = byte position of the
// previous character (0 at the start).
int codes_step(State* L, bool strict) {
  std::string_view s = check_sv(L, 1);
  auto i = lua_Unsigned(to_integer(L, 2));
  const char* p = s.data();
  if (i < s.size()) {
    while (is_cont(p[i])) i++;  // skip the rest of the previous character
  }
  if (i >= s.size()) return 0;  // done (also when the control value was negative)
  uint32_t code;
  const char* next = decode(p + i, &code, strict);
  if (next == nullptr || is_cont(*next)) errorf(L, "%s", kMsgInvalid);
  push_integer(L, lua_Integer(i) + 1);
  push_integer(L, code);
  return 2;
}

int codes_step_strict(State* L) { return codes_step(L, true); }
int codes_step_lax(State* L) { return codes_step(L, false); }

// utf8.codes(s [, lax]): for p, c in utf8.codes(s) do ... end
int u_codes(State* L) {
  bool lax = to_boolean(L, 2);
  std::string_view s = check_sv(L, 1);
  arg_check(L, !is_cont(s.data()[0]), 1, kMsgInvalid);
  push_native(L, lax ? codes_step_lax : codes_step_strict);
  push_value(L, 1);
  push_integer(L, 0);
  return 3;
}

// Matches exactly one UTF-8 sequence (lax), assuming the subject is valid.
constexpr char kCharPattern[] = "[\0-\x7F\xC2-\xFD][\x80-\xBF]*";

const Reg kUtf8Lib[] = {{"offset", u_offset}, {"codepoint", u_codepoint}, {"char", u_char},
                        {"len", u_len},       {"codes", u_codes},         {nullptr, nullptr}};

}  // namespace

int open_utf8(State* L) {
  new_lib(L, kUtf8Lib);
  push_lstring(L, kCharPattern, sizeof(kCharPattern) - 1);
  set_field(L, -2, "charpattern");
  return 1;
}

}  // namespace rua
