// The input and output library (manual §6.8).
//
// Files are C stdio streams (FILE*), as in PUC Lua: print, the CLI and
// io.write all go through the same stdout buffer, so their output never
// interleaves out of order. A file handle is a full userdata with the
// metatable "FILE*" holding a Stream; 'closef' says how to close it (fclose,
// pclose, or refusing for the standard files) and is null once closed, so
// a closed handle stays a valid object that just reports "closed file".
// The default input and output files live in the registry.
#include <sys/types.h>

#include <cctype>
#include <cerrno>
#include <clocale>
#include <cstdio>
#include <cstring>

#include "lualib.hpp"

namespace rua {

namespace {

constexpr const char* kFileHandle = "FILE*";
constexpr const char* kIoInput = "_IO_input";
constexpr const char* kIoOutput = "_IO_output";
constexpr size_t kIoPrefixLen = 4;  // "_IO_": dropped in messages

// Chunk size for reads whose length is not known in advance.
constexpr size_t kReadChunk = 4096;
// setvbuf's default buffer size (PUC's LUAL_BUFFERSIZE).
constexpr lua_Integer kDefaultBufSize = 1024;
// Longest numeral the 'n' format reads.
constexpr int kMaxNumeral = 200;
// Most formats f:lines/io.lines keep (3 more upvalues must fit).
constexpr int kMaxLinesArgs = 250;

struct Stream {
  FILE* f;
  NativeFn closef;  // null: the handle is closed
};

bool is_closed(const Stream* p) { return p->closef == nullptr; }

Stream* to_stream(State* L) { return static_cast<Stream*>(check_udata(L, 1, kFileHandle)); }

FILE* to_file(State* L) {
  Stream* p = to_stream(L);
  if (is_closed(p)) errorf(L, "attempt to use a closed file");
  return p->f;
}

// A handle is created closed before its file is opened, so that an error
// in between (memory) leaves a consistent object for the collector.
Stream* new_pre_file(State* L) {
  auto* p = static_cast<Stream*>(new_userdata(L, sizeof(Stream), 0));
  p->f = nullptr;
  p->closef = nullptr;
  set_metatable_named(L, kFileHandle);
  return p;
}

int io_fclose(State* L) {
  Stream* p = to_stream(L);
  errno = 0;
  return file_result(L, std::fclose(p->f) == 0, nullptr);
}

Stream* new_file(State* L) {
  Stream* p = new_pre_file(L);
  p->closef = io_fclose;
  return p;
}

// Closes the handle at index 1 with its own close function.
int aux_close(State* L) {
  Stream* p = to_stream(L);
  NativeFn cf = p->closef;
  p->closef = nullptr;
  return cf(L);
}

void open_or_raise(State* L, const char* fname, const char* mode) {
  Stream* p = new_file(L);
  p->f = std::fopen(fname, mode);
  if (p->f == nullptr) errorf(L, "cannot open file '%s' (%s)", fname, std::strerror(errno));
}

// fopen's mode must match [rwa]%+?b*.
bool valid_mode(const char* mode) {
  if (*mode == '\0' || std::strchr("rwa", *mode++) == nullptr) return false;
  if (*mode == '+') mode++;
  return std::strspn(mode, "b") == std::strlen(mode);
}

FILE* get_io_file(State* L, const char* findex) {
  get_field(L, kRegistryIndex, findex);
  auto* p = static_cast<Stream*>(to_userdata(L, -1));
  if (is_closed(p)) errorf(L, "default %s file is closed", findex + kIoPrefixLen);
  return p->f;
}

// ---- handle life cycle ----

int io_type(State* L) {
  check_any(L, 1);
  auto* p = static_cast<Stream*>(test_udata(L, 1, kFileHandle));
  if (p == nullptr)
    push_nil(L);
  else
    push_string(L, is_closed(p) ? "closed file" : "file");
  return 1;
}

int f_tostring(State* L) {
  Stream* p = to_stream(L);
  if (is_closed(p))
    push_string(L, "file (closed)");
  else
    push_fstring(L, "file (%p)", static_cast<void*>(p->f));
  return 1;
}

int f_close(State* L) {
  to_file(L);  // must be open
  return aux_close(L);
}

int io_close(State* L) {
  if (is_none(L, 1)) get_field(L, kRegistryIndex, kIoOutput);
  return f_close(L);
}

// __gc and __close: closes a file still open (and really opened).
int f_gc(State* L) {
  Stream* p = to_stream(L);
  if (!is_closed(p) && p->f != nullptr) aux_close(L);
  return 0;
}

int io_open(State* L) {
  const char* filename = check_string(L, 1);
  const char* mode = opt_string(L, 2, "r");
  Stream* p = new_file(L);
  arg_check(L, valid_mode(mode), 2, "invalid mode");
  errno = 0;
  p->f = std::fopen(filename, mode);
  return p->f == nullptr ? file_result(L, false, filename) : 1;
}

int io_pclose(State* L) {
  Stream* p = to_stream(L);
  errno = 0;
  return exec_result(L, pclose(p->f));
}

int io_popen(State* L) {
  const char* command = check_string(L, 1);
  const char* mode = opt_string(L, 2, "r");
  Stream* p = new_pre_file(L);
  arg_check(L, (mode[0] == 'r' || mode[0] == 'w') && mode[1] == '\0', 2, "invalid mode");
  errno = 0;
  std::fflush(nullptr);  // the child must not see (and repeat) our pending output
  p->f = popen(command, mode);
  p->closef = io_pclose;
  return p->f == nullptr ? file_result(L, false, command) : 1;
}

int io_tmpfile(State* L) {
  Stream* p = new_file(L);
  errno = 0;
  p->f = std::tmpfile();
  return p->f == nullptr ? file_result(L, false, nullptr) : 1;
}

// io.input / io.output: sets the default file (by name or handle) if given;
// returns the current one.
int g_io_file(State* L, const char* findex, const char* mode) {
  if (!is_none_or_nil(L, 1)) {
    const char* filename = to_string(L, 1);
    if (filename) {
      open_or_raise(L, filename, mode);
    } else {
      to_file(L);
      push_value(L, 1);
    }
    set_field(L, kRegistryIndex, findex);
  }
  get_field(L, kRegistryIndex, findex);
  return 1;
}

int io_input(State* L) { return g_io_file(L, kIoInput, "r"); }
int io_output(State* L) { return g_io_file(L, kIoOutput, "w"); }

// The standard files cannot be closed; the handle stays open.
int io_noclose(State* L) {
  Stream* p = to_stream(L);
  p->closef = io_noclose;
  push_nil(L);
  push_string(L, "cannot close standard file");
  return 2;
}

// ===================================================================
// Reading
// ===================================================================

// Reads the longest prefix of the input that can start a numeral (at most
// kMaxNumeral characters), then lets string_to_number decide whether it is
// one. Like PUC's reader it consumes what it looked at, so "0x" followed by
// a non-digit is read and fails.
class NumeralReader {
 public:
  explicit NumeralReader(FILE* f) : f_(f) {}

  // Pushes the number (true) or nil (false).
  bool read(State* L) {
    char decp[2] = {locale_decimal_point(), '.'};  // the locale's, and always '.'
    flockfile(f_);
    scan(decp);
    ungetc(c_, f_);  // give back the look-ahead
    funlockfile(f_);
    buff_[n_] = '\0';
    if (string_to_number(L, buff_) != 0) return true;
    push_nil(L);
    return false;
  }

 private:
  static char locale_decimal_point() { return std::localeconv()->decimal_point[0]; }

  void scan(const char decp[2]) {
    int count = 0;  // digits in the mantissa
    bool hex = false;
    do c_ = getc_unlocked(f_);
    while (std::isspace(c_));
    accept("-+");
    if (accept("00")) {
      if (accept("xX"))
        hex = true;
      else
        count = 1;  // the '0' is a digit
    }
    count += read_digits(hex);
    if (accept(decp)) count += read_digits(hex);
    if (count > 0 && accept(hex ? "pP" : "eE")) {
      accept("-+");
      read_digits(false);
    }
  }

  // Stores the current character and reads the next; false when the
  // numeral is too long (then the result is made invalid).
  bool next() {
    if (n_ >= kMaxNumeral) {
      buff_[0] = '\0';
      return false;
    }
    buff_[n_++] = char(c_);
    c_ = getc_unlocked(f_);
    return true;
  }

  bool accept(const char set[2]) { return (c_ == set[0] || c_ == set[1]) && next(); }

  int read_digits(bool hex) {
    int count = 0;
    while ((hex ? std::isxdigit(c_) : std::isdigit(c_)) && next()) count++;
    return count;
  }

  FILE* f_;
  int c_ = 0;  // look-ahead character
  int n_ = 0;
  char buff_[kMaxNumeral + 1];
};

// read(0): "" unless at end of file.
bool test_eof(State* L, FILE* f) {
  int c = std::getc(f);
  std::ungetc(c, f);  // no-op for EOF
  push_string(L, "");
  return c != EOF;
}

bool read_line(State* L, FILE* f, bool chop) {
  Buffer b(L);
  int c;
  do {  // a chunk at a time; allocation happens outside the stream lock
    char* buff = b.prepare(kReadChunk);
    size_t i = 0;
    flockfile(f);
    while (i < kReadChunk && (c = getc_unlocked(f)) != EOF && c != '\n') buff[i++] = char(c);
    funlockfile(f);
    b.commit(i);
  } while (c != EOF && c != '\n');
  if (!chop && c == '\n') b.add('\n');
  bool got = c == '\n' || b.size() > 0;
  b.push_result();
  return got;
}

void read_all(State* L, FILE* f) {
  Buffer b(L);
  size_t nr;
  do {
    nr = std::fread(b.prepare(kReadChunk), 1, kReadChunk, f);
    b.commit(nr);
  } while (nr == kReadChunk);
  b.push_result();
}

// Reads n bytes, in chunks so that a huge n on a short file does not
// allocate n bytes up front.
bool read_chars(State* L, FILE* f, size_t n) {
  Buffer b(L);
  size_t nr;
  do {
    size_t want = n < kReadChunk * 16 ? n : kReadChunk * 16;
    nr = std::fread(b.prepare(want), 1, want, f);
    b.commit(nr);
    n -= nr;
  } while (n > 0 && nr > 0);
  b.push_result();
  return b.size() > 0;
}

// Reads with the format at index n and pushes the result; false on failure.
bool read_format(State* L, FILE* f, int n) {
  if (type(L, n) == Type::Number) {
    auto l = size_t(check_integer(L, n));
    return l == 0 ? test_eof(L, f) : read_chars(L, f, l);
  }
  const char* p = check_string(L, n);
  if (*p == '*') p++;  // Lua 5.1-5.2 formats ("*l") still work
  switch (*p) {
    case 'n': return NumeralReader(f).read(L);
    case 'l': return read_line(L, f, true);
    case 'L': return read_line(L, f, false);
    case 'a': read_all(L, f); return true;
    default: arg_error(L, n, "invalid format");
  }
}

// Reads with the formats at first, first+1, ... up to the top; pushes one
// result per format, stopping at the first failure (which gives nil).
int g_read(State* L, FILE* f, int first) {
  int nargs = get_top(L) - 1;
  int n;
  bool success;
  std::clearerr(f);
  errno = 0;
  if (nargs == 0) {
    success = read_line(L, f, true);
    n = first + 1;
  } else {
    check_stack_msg(L, nargs + kMinStack, "too many arguments");
    success = true;
    for (n = first; nargs-- && success; n++) success = read_format(L, f, n);
  }
  if (std::ferror(f)) return file_result(L, false, nullptr);
  if (!success) {
    pop(L, 1);
    push_nil(L);
  }
  return n - first;
}

int io_read(State* L) { return g_read(L, get_io_file(L, kIoInput), 1); }
int f_read(State* L) { return g_read(L, to_file(L), 2); }

// The iterator of lines(): upvalues are the file, the number of formats,
// whether to close the file at the end, and the formats.
int io_readline(State* L) {
  auto* p = static_cast<Stream*>(to_userdata(L, upvalue_index(1)));
  int n = int(to_integer(L, upvalue_index(2)));
  if (is_closed(p)) errorf(L, "file is already closed");
  set_top(L, 1);
  check_stack_msg(L, n, "too many arguments");
  for (int i = 1; i <= n; i++) push_value(L, upvalue_index(3 + i));
  n = g_read(L, p->f, 2);
  if (to_boolean(L, -n)) return n;
  if (n > 1) errorf(L, "%s", to_string(L, -n + 1));  // a read error: its message
  if (to_boolean(L, upvalue_index(3))) {             // lines opened the file: close it
    set_top(L, 0);
    push_value(L, upvalue_index(1));
    aux_close(L);
  }
  return 0;
}

// Pushes the lines iterator over the file at 1 with the formats above it.
void aux_lines(State* L, bool toclose) {
  int n = get_top(L) - 1;
  arg_check(L, n <= kMaxLinesArgs, kMaxLinesArgs + 2, "too many arguments");
  push_value(L, 1);
  push_integer(L, n);
  push_boolean(L, toclose);
  rotate(L, 2, 3);  // file, n, toclose go below the formats
  push_native(L, io_readline, 3 + n);
}

int f_lines(State* L) {
  to_file(L);
  aux_lines(L, false);
  return 1;
}

// With a file name, also returns the file as the 4th value, the generic
// for's to-be-closed variable, so breaking out of the loop closes it.
int io_lines(State* L) {
  if (is_none(L, 1)) push_nil(L);
  bool toclose;
  if (is_nil(L, 1)) {  // the default input
    get_field(L, kRegistryIndex, kIoInput);
    replace(L, 1);
    to_file(L);
    toclose = false;
  } else {
    const char* filename = check_string(L, 1);
    open_or_raise(L, filename, "r");
    replace(L, 1);
    toclose = true;
  }
  aux_lines(L, toclose);
  if (!toclose) return 1;
  push_nil(L);
  push_nil(L);
  push_value(L, 1);
  return 4;
}

// ===================================================================
// Writing and the other methods
// ===================================================================

// Writes the values from arg up to just below the top (where the value to
// return is). On failure: fail, message, errno and the bytes written.
int g_write(State* L, FILE* f, int arg) {
  int nargs = get_top(L) - arg;
  size_t total = 0;
  errno = 0;
  for (; nargs--; arg++) {
    size_t len;
    const char* s = check_lstring(L, arg, &len);  // numbers in Lua's format
    size_t written = std::fwrite(s, 1, len, f);
    total += written;
    if (written < len) {
      int n = file_result(L, false, nullptr);
      push_integer(L, lua_Integer(total));
      return n + 1;
    }
  }
  return 1;
}

int io_write(State* L) { return g_write(L, get_io_file(L, kIoOutput), 1); }

int f_write(State* L) {
  FILE* f = to_file(L);
  push_value(L, 1);  // returned on success
  return g_write(L, f, 2);
}

int f_seek(State* L) {
  static const int kModes[] = {SEEK_SET, SEEK_CUR, SEEK_END};
  static const char* const kNames[] = {"set", "cur", "end", nullptr};
  FILE* f = to_file(L);
  int op = check_option(L, 2, "cur", kNames);
  lua_Integer p3 = opt_integer(L, 3, 0);
  auto offset = off_t(p3);
  arg_check(L, lua_Integer(offset) == p3, 3, "not an integer in proper range");
  errno = 0;
  if (fseeko(f, offset, kModes[op]) != 0) return file_result(L, false, nullptr);
  push_integer(L, lua_Integer(ftello(f)));
  return 1;
}

int f_setvbuf(State* L) {
  static const int kModes[] = {_IONBF, _IOFBF, _IOLBF};
  static const char* const kNames[] = {"no", "full", "line", nullptr};
  FILE* f = to_file(L);
  int op = check_option(L, 2, nullptr, kNames);
  lua_Integer sz = opt_integer(L, 3, kDefaultBufSize);
  errno = 0;
  int res = std::setvbuf(f, nullptr, kModes[op], size_t(sz));
  return file_result(L, res == 0, nullptr);
}

int aux_flush(State* L, FILE* f) {
  errno = 0;
  return file_result(L, std::fflush(f) == 0, nullptr);
}

int f_flush(State* L) { return aux_flush(L, to_file(L)); }
int io_flush(State* L) { return aux_flush(L, get_io_file(L, kIoOutput)); }

const Reg kIoFuncs[] = {{"close", io_close}, {"flush", io_flush}, {"input", io_input},
                        {"lines", io_lines}, {"open", io_open},   {"output", io_output},
                        {"popen", io_popen}, {"read", io_read},   {"tmpfile", io_tmpfile},
                        {"type", io_type},   {"write", io_write}, {nullptr, nullptr}};

const Reg kMethods[] = {{"read", f_read}, {"write", f_write}, {"lines", f_lines},     {"flush", f_flush},
                        {"seek", f_seek}, {"close", f_close}, {"setvbuf", f_setvbuf}, {nullptr, nullptr}};

const Reg kMetaMethods[] = {
    {"__gc", f_gc}, {"__close", f_gc}, {"__tostring", f_tostring}, {nullptr, nullptr}};

void create_meta(State* L) {
  new_metatable(L, kFileHandle);
  set_funcs(L, kMetaMethods, 0);
  new_lib(L, kMethods);
  set_field(L, -2, "__index");
  pop(L, 1);
}

void create_std_file(State* L, FILE* f, const char* regkey, const char* fname) {
  Stream* p = new_pre_file(L);
  p->f = f;
  p->closef = io_noclose;
  if (regkey != nullptr) {
    push_value(L, -1);
    set_field(L, kRegistryIndex, regkey);
  }
  set_field(L, -2, fname);
}

}  // namespace

int open_io(State* L) {
  new_lib(L, kIoFuncs);
  create_meta(L);
  create_std_file(L, stdin, kIoInput, "stdin");
  create_std_file(L, stdout, kIoOutput, "stdout");
  create_std_file(L, stderr, nullptr, "stderr");
  return 1;
}

}  // namespace rua
