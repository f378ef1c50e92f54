// string.pack, string.packsize and string.unpack (manual §6.4.2).
//
// A format is read one option at a time by FormatReader, which also keeps
// the state options change (endianness, maximum alignment) and works out
// the padding an option needs. Integers are written and read byte by byte,
// so any size from 1 to 16 bytes and either endianness work the same way;
// floats are copied as their native bytes, reversed when the requested
// endianness is not the machine's. As in 5.5, sizes in formats are size_t
// counts: "c" takes up to maxinteger - 9 bytes.
#include <algorithm>
#include <bit>
#include <cstring>

#include "strlib.hpp"

namespace rua {

namespace {

constexpr size_t kMaxSize = size_t(kMaxInteger);  // largest string (PUC's MAX_SIZE)
constexpr unsigned kMaxIntSize = 16;              // largest integer option ("i16")
constexpr int kIntSize = int(sizeof(lua_Integer));
constexpr bool kNativeLittle = std::endian::native == std::endian::little;

// The default for '!': the strictest alignment among the basic C types
// (PUC 5.5's LUAI_MAXALIGN: long double, pointer, long long; 16 on x86-64).
constexpr size_t kNativeAlign = std::max({alignof(long double), alignof(void*), alignof(long long)});

enum class Opt {
  Int,       // signed integer
  Uint,      // unsigned integer
  Float,     // C float
  Number,    // lua_Number
  Double,    // C double
  Char,      // fixed-size string
  String,    // string preceded by its length
  Zstr,      // zero-terminated string
  Padding,   // one zero byte
  PadAlign,  // padding to an alignment
  Nop,       // configuration or space
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

class FormatReader {
 public:
  FormatReader(State* L, const char* fmt) : L_(L), fmt_(fmt) {}

  bool at_end() const { return *fmt_ == '\0'; }
  bool little() const { return little_; }

  // Reads the next option; 'total' is the offset it would start at. Sets
  // its size and the padding bytes that must precede it.
  Opt next(size_t total, size_t* size, size_t* ntoalign);

 private:
  Opt read_option(size_t* size);
  size_t read_count(size_t def);
  unsigned read_int_size(size_t def);

  State* L_;
  const char* fmt_;
  bool little_ = kNativeLittle;
  size_t maxalign_ = 1;
};

// A decimal count, or def if there is none. Digits beyond what keeps the
// count below kMaxSize are left for the next option (an error then).
size_t FormatReader::read_count(size_t def) {
  if (!is_digit(*fmt_)) return def;
  size_t a = 0;
  do {
    a = a * 10 + size_t(*fmt_++ - '0');
  } while (is_digit(*fmt_) && a <= (kMaxSize - 9) / 10);
  return a;
}

unsigned FormatReader::read_int_size(size_t def) {
  size_t sz = read_count(def);
  if (sz - 1u >= kMaxIntSize)
    errorf(L_, "integral size (%d) out of limits [1,%d]", int(sz), int(kMaxIntSize));
  return unsigned(sz);
}

Opt FormatReader::read_option(size_t* size) {
  char opt = *fmt_++;
  *size = 0;
  switch (opt) {
    case 'b': *size = sizeof(char); return Opt::Int;
    case 'B': *size = sizeof(char); return Opt::Uint;
    case 'h': *size = sizeof(short); return Opt::Int;
    case 'H': *size = sizeof(short); return Opt::Uint;
    case 'l': *size = sizeof(long); return Opt::Int;
    case 'L': *size = sizeof(long); return Opt::Uint;
    case 'j': *size = sizeof(lua_Integer); return Opt::Int;
    case 'J': *size = sizeof(lua_Integer); return Opt::Uint;
    case 'T': *size = sizeof(size_t); return Opt::Uint;
    case 'f': *size = sizeof(float); return Opt::Float;
    case 'n': *size = sizeof(lua_Number); return Opt::Number;
    case 'd': *size = sizeof(double); return Opt::Double;
    case 'i': *size = read_int_size(sizeof(int)); return Opt::Int;
    case 'I': *size = read_int_size(sizeof(int)); return Opt::Uint;
    case 's': *size = read_int_size(sizeof(size_t)); return Opt::String;
    case 'c':
      *size = read_count(size_t(-1));
      if (*size == size_t(-1)) errorf(L_, "missing size for format option 'c'");
      return Opt::Char;
    case 'z': return Opt::Zstr;
    case 'x': *size = 1; return Opt::Padding;
    case 'X': return Opt::PadAlign;
    case ' ': break;
    case '<': little_ = true; break;
    case '>': little_ = false; break;
    case '=': little_ = kNativeLittle; break;
    case '!': maxalign_ = read_int_size(kNativeAlign); break;
    default: errorf(L_, "invalid format option '%c'", opt);
  }
  return Opt::Nop;
}

Opt FormatReader::next(size_t total, size_t* size, size_t* ntoalign) {
  Opt opt = read_option(size);
  size_t align = *size;        // an option aligns to its own size...
  if (opt == Opt::PadAlign) {  // ...but 'X' to that of the option after it, which it consumes
    if (at_end() || read_option(&align) == Opt::Char || align == 0) {
      arg_error(L_, 1, "invalid next option for option 'X'");
    }
  }
  *ntoalign = 0;
  if (align <= 1 || opt == Opt::Char) return opt;  // no alignment needed
  if (align > maxalign_) align = maxalign_;
  if (!std::has_single_bit(align)) arg_error(L_, 1, "format asks for alignment not power of 2");
  *ntoalign = (align - (total & (align - 1))) & (align - 1);
  return opt;
}

// ---- packing ----

void add_zeros(Buffer& b, size_t n) {
  if (n == 0) return;
  std::memset(b.prepare(n), 0, n);
  b.commit(n);
}

// Writes the low 'size' bytes of n; bytes beyond a lua_Integer repeat the sign.
void pack_int(Buffer& b, lua_Unsigned n, bool little, size_t size, bool negative) {
  char* out = b.prepare(size);
  for (size_t i = 0; i < size; i++) {
    unsigned char byte = i < sizeof(n) ? static_cast<unsigned char>(n >> (8 * i)) : (negative ? 0xff : 0);
    out[little ? i : size - 1 - i] = char(byte);
  }
  b.commit(size);
}

// Copies size bytes, reversing them if 'little' is not the native order.
void copy_with_endian(char* dest, const char* src, size_t size, bool little) {
  if (little == kNativeLittle) {
    std::memcpy(dest, src, size);
  } else {
    for (size_t i = 0; i < size; i++) dest[i] = src[size - 1 - i];
  }
}

template <typename T>
void pack_float(Buffer& b, T f, bool little) {
  char* out = b.prepare(sizeof f);
  copy_with_endian(out, reinterpret_cast<const char*>(&f), sizeof f, little);
  b.commit(sizeof f);
}

void pack_integer(State* L, Buffer& b, int arg, size_t size, bool little, bool is_signed) {
  lua_Integer n = check_integer(L, arg);
  if (size < sizeof(lua_Integer)) {  // does it fit?
    if (is_signed) {
      lua_Integer lim = lua_Integer(1) << (size * 8 - 1);
      arg_check(L, -lim <= n && n < lim, arg, "integer overflow");
    } else {
      arg_check(L, lua_Unsigned(n) < (lua_Unsigned(1) << (size * 8)), arg, "unsigned overflow");
    }
  }
  pack_int(b, lua_Unsigned(n), little, size, is_signed && n < 0);
}

// Packs one string-like item; returns the bytes it adds beyond the option's size.
size_t pack_string(State* L, Buffer& b, int arg, Opt opt, size_t size, bool little) {
  std::string_view s = check_sv(L, arg);
  switch (opt) {
    case Opt::Char: {
      arg_check(L, s.size() <= size, arg, "string longer than given size");
      b.add(s);
      add_zeros(b, size - s.size());
      return 0;
    }
    case Opt::String:
      arg_check(L, size >= sizeof(lua_Unsigned) || s.size() < (lua_Unsigned(1) << (size * 8)), arg,
                "string length does not fit in given size");
      pack_int(b, s.size(), little, size, false);
      b.add(s);
      return s.size();
    default:  // Zstr
      arg_check(L, s.find('\0') == s.npos, arg, "string contains zeros");
      b.add(s);
      b.add('\0');
      return s.size() + 1;
  }
}

// ---- unpacking ----

lua_Integer unpack_int(State* L, const char* str, bool little, size_t size, bool is_signed) {
  lua_Unsigned res = 0;
  size_t limit = size <= sizeof(res) ? size : sizeof(res);
  for (size_t i = limit; i-- > 0;) {
    res = (res << 8) | static_cast<unsigned char>(str[little ? i : size - 1 - i]);
  }
  if (size < sizeof(res)) {
    if (is_signed) {  // extend the sign
      lua_Unsigned mask = lua_Unsigned(1) << (size * 8 - 1);
      res = (res ^ mask) - mask;
    }
  } else if (size > sizeof(res)) {  // the extra bytes must only repeat the sign
    unsigned char ext = (is_signed && lua_Integer(res) < 0) ? 0xff : 0;
    for (size_t i = limit; i < size; i++) {
      if (static_cast<unsigned char>(str[little ? i : size - 1 - i]) != ext) {
        errorf(L, "%d-byte integer does not fit into Lua Integer", int(size));
      }
    }
  }
  return lua_Integer(res);
}

template <typename T>
lua_Number unpack_float(const char* src, bool little) {
  T f;
  copy_with_endian(reinterpret_cast<char*>(&f), src, sizeof f, little);
  return lua_Number(f);
}

// Pushes the item of option opt at data[pos]; returns the bytes it takes
// beyond the option's size (the contents of a counted or zero-terminated string).
size_t unpack_item(State* L, std::string_view data, size_t pos, Opt opt, size_t size, bool little) {
  const char* p = data.data() + pos;
  switch (opt) {
    case Opt::Int:
    case Opt::Uint: push_integer(L, unpack_int(L, p, little, size, opt == Opt::Int)); return 0;
    case Opt::Float: push_number(L, unpack_float<float>(p, little)); return 0;
    case Opt::Number: push_number(L, unpack_float<lua_Number>(p, little)); return 0;
    case Opt::Double: push_number(L, unpack_float<double>(p, little)); return 0;
    case Opt::Char: push_lstring(L, p, size); return 0;
    case Opt::String: {
      auto len = lua_Unsigned(unpack_int(L, p, little, size, false));
      arg_check(L, len <= data.size() - pos - size, 2, "data string too short");
      push_lstring(L, p + size, size_t(len));
      return size_t(len);
    }
    default: {  // Zstr
      size_t len = data.find('\0', pos);
      arg_check(L, len != data.npos, 2, "unfinished string for format 'z'");
      len -= pos;
      push_lstring(L, p, len);
      return len + 1;
    }
  }
}

}  // namespace

int str_pack(State* L) {
  FormatReader fr(L, check_string(L, 1));
  push_nil(L);  // as PUC's buffer mark: a missing argument reads "got nil", not "got no value"
  Buffer b(L);
  int arg = 1;  // the argument being packed
  size_t total = 0;
  while (!fr.at_end()) {
    size_t size, ntoalign;
    Opt opt = fr.next(total, &size, &ntoalign);
    arg_check(L, size + ntoalign <= kMaxSize - total, arg, "result too long");
    total += ntoalign + size;
    add_zeros(b, ntoalign);
    switch (opt) {
      case Opt::Int:
      case Opt::Uint: pack_integer(L, b, ++arg, size, fr.little(), opt == Opt::Int); break;
      case Opt::Float: pack_float(b, float(check_number(L, ++arg)), fr.little()); break;
      case Opt::Number: pack_float(b, lua_Number(check_number(L, ++arg)), fr.little()); break;
      case Opt::Double: pack_float(b, double(check_number(L, ++arg)), fr.little()); break;
      case Opt::Char:
      case Opt::String:
      case Opt::Zstr: total += pack_string(L, b, ++arg, opt, size, fr.little()); break;
      case Opt::Padding: b.add('\0'); break;
      case Opt::PadAlign:
      case Opt::Nop: break;
    }
  }
  b.push_result();
  return 1;
}

int str_packsize(State* L) {
  FormatReader fr(L, check_string(L, 1));
  size_t total = 0;
  while (!fr.at_end()) {
    size_t size, ntoalign;
    Opt opt = fr.next(total, &size, &ntoalign);
    arg_check(L, opt != Opt::String && opt != Opt::Zstr, 1, "variable-length format");
    size += ntoalign;
    arg_check(L, total <= kMaxSize - size, 1, "format result too large");
    total += size;
  }
  push_integer(L, lua_Integer(total));
  return 1;
}

int str_unpack(State* L) {
  FormatReader fr(L, check_string(L, 1));
  std::string_view data = check_sv(L, 2);
  size_t pos = str_start_pos(opt_integer(L, 3, 1), data.size()) - 1;
  arg_check(L, pos <= data.size(), 3, "initial position out of string");
  int n = 0;
  while (!fr.at_end()) {
    size_t size, ntoalign;
    Opt opt = fr.next(pos, &size, &ntoalign);
    arg_check(L, ntoalign + size <= data.size() - pos, 2, "data string too short");
    pos += ntoalign;
    check_stack_msg(L, 2, "too many results");  // the item and the final position
    if (opt != Opt::Padding && opt != Opt::PadAlign && opt != Opt::Nop) {
      pos += unpack_item(L, data, pos, opt, size, fr.little());
      n++;
    }
    pos += size;
  }
  push_integer(L, lua_Integer(pos) + 1);  // where the next item would start
  return n + 1;
}

}  // namespace rua
