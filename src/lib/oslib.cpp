// The operating system library (manual §6.10), on the C and POSIX calls PUC
// Lua uses: system, remove, rename, mkstemp, getenv, clock, time/mktime,
// localtime_r/gmtime_r, strftime, setlocale, exit.
//
// os.date hands each conversion to strftime one at a time, after checking
// it against the list of conversions C99 defines (PUC's
// LUA_STRFTIMEOPTIONS), because strftime's behaviour on anything else is
// undefined.
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <clocale>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "lualib.hpp"

namespace rua {

namespace {

// Valid strftime conversions, grouped by length; "||" starts the group of
// two-character ones (C99: the E and O modifiers).
constexpr const char* kStrftimeOptions =
    "aAbBcCdDeFgGhHIjmMnprRStTuUVwWxXyYzZ%"
    "||"
    "EcECExEXEyEY"
    "OdOeOHOIOmOMOSOuOUOVOwOWOy";

// Largest output of one strftime conversion.
constexpr size_t kMaxTimeItem = 250;

int os_execute(State* L) {
  const char* cmd = opt_string(L, 1, nullptr);
  errno = 0;
  int stat = std::system(cmd);
  if (cmd != nullptr) return exec_result(L, stat);
  push_boolean(L, stat != 0);  // is there a shell?
  return 1;
}

int os_remove(State* L) {
  const char* filename = check_string(L, 1);
  errno = 0;
  return file_result(L, std::remove(filename) == 0, filename);
}

int os_rename(State* L) {
  const char* fromname = check_string(L, 1);
  const char* toname = check_string(L, 2);
  errno = 0;
  return file_result(L, std::rename(fromname, toname) == 0, nullptr);
}

// mkstemp rather than tmpnam: the file is created, so the name cannot be
// taken by someone else between the call and its use.
int os_tmpname(State* L) {
  char buff[] = "/tmp/lua_XXXXXX";
  int fd = mkstemp(buff);
  if (fd == -1) errorf(L, "unable to generate a unique filename");
  close(fd);
  push_string(L, buff);
  return 1;
}

int os_getenv(State* L) {
  push_string(L, std::getenv(check_string(L, 1)));  // null pushes nil
  return 1;
}

int os_clock(State* L) {
  push_number(L, lua_Number(std::clock()) / lua_Number(CLOCKS_PER_SEC));
  return 1;
}

// ---- date and time ----
// Date tables: { year=%Y, month=%m, day=%d, hour=%H, min=%M, sec=%S,
//                wday=%w+1, yday=%j, isdst=? }

void set_field_int(State* L, const char* key, int value, int delta) {
  push_integer(L, lua_Integer(value) + delta);
  set_field(L, -2, key);
}

void set_all_fields(State* L, const std::tm* stm) {
  set_field_int(L, "year", stm->tm_year, 1900);
  set_field_int(L, "month", stm->tm_mon, 1);
  set_field_int(L, "day", stm->tm_mday, 0);
  set_field_int(L, "hour", stm->tm_hour, 0);
  set_field_int(L, "min", stm->tm_min, 0);
  set_field_int(L, "sec", stm->tm_sec, 0);
  set_field_int(L, "yday", stm->tm_yday, 1);
  set_field_int(L, "wday", stm->tm_wday, 1);
  if (stm->tm_isdst >= 0) {  // negative: unknown, no field
    push_boolean(L, stm->tm_isdst != 0);
    set_field(L, -2, "isdst");
  }
}

// -1 when the field is absent, else its truth value.
int get_bool_field(State* L, const char* key) {
  int res = get_field(L, -1, key) == Type::Nil ? -1 : int(to_boolean(L, -1));
  pop(L, 1);
  return res;
}

// Field 'key' of the table on top, minus delta; d is the default for an
// absent field (negative: the field is required).
int get_int_field(State* L, const char* key, int d, int delta) {
  Type t = get_field(L, -1, key);
  bool isnum;
  lua_Integer res = to_integerx(L, -1, &isnum);
  if (!isnum) {
    if (t != Type::Nil) errorf(L, "field '%s' is not an integer", key);
    if (d < 0) errorf(L, "field '%s' missing in date table", key);
    res = d;
  } else {
    if (!(res >= 0 ? res - delta <= INT_MAX : INT_MIN + delta <= res))
      errorf(L, "field '%s' is out-of-bound", key);
    res -= delta;
  }
  pop(L, 1);
  return int(res);
}

// Copies the conversion at conv (after the '%') into buff if it is valid;
// returns what follows it.
const char* check_conversion(State* L, const char* conv, size_t convlen, char* buff) {
  size_t oplen = 1;
  for (const char* option = kStrftimeOptions; *option != '\0' && oplen <= convlen; option += oplen) {
    if (*option == '|') {
      oplen++;  // next group: one character longer
    } else if (std::memcmp(conv, option, oplen) == 0) {
      std::memcpy(buff, conv, oplen);
      buff[oplen] = '\0';
      return conv + oplen;
    }
  }
  arg_error(L, 1, push_fstring(L, "invalid conversion specifier '%%%s'", conv));
}

std::time_t check_time(State* L, int arg) {
  lua_Integer t = check_integer(L, arg);
  arg_check(L, std::time_t(t) == t, arg, "time out-of-bounds");
  return std::time_t(t);
}

void format_date(State* L, const char* s, const char* se, const std::tm* stm) {
  char cc[4] = {'%'};  // one conversion: '%' plus up to two characters
  Buffer b(L);
  while (s < se) {
    if (*s != '%') {
      b.add(*s++);
      continue;
    }
    s = check_conversion(L, s + 1, size_t(se - s - 1), cc + 1);
    char* out = b.prepare(kMaxTimeItem);
    b.commit(std::strftime(out, kMaxTimeItem, cc, stm));
  }
  b.push_result();
}

int os_date(State* L) {
  size_t slen;
  const char* s = opt_lstring(L, 1, "%c", &slen);
  std::time_t t = is_none_or_nil(L, 2) ? std::time(nullptr) : check_time(L, 2);
  const char* se = s + slen;
  std::tm tmr;
  std::tm* stm;
  if (*s == '!') {  // UTC
    stm = gmtime_r(&t, &tmr);
    s++;
  } else {
    stm = localtime_r(&t, &tmr);
  }
  if (stm == nullptr) errorf(L, "date result cannot be represented in this installation");
  if (std::strcmp(s, "*t") == 0) {
    create_table(L, 0, 9);
    set_all_fields(L, stm);
  } else {
    format_date(L, s, se, stm);
  }
  return 1;
}

int os_time(State* L) {
  std::time_t t;
  if (is_none_or_nil(L, 1)) {
    t = std::time(nullptr);
  } else {
    check_type(L, 1, Type::Table);
    set_top(L, 1);
    std::tm ts{};
    ts.tm_year = get_int_field(L, "year", -1, 1900);
    ts.tm_mon = get_int_field(L, "month", -1, 1);
    ts.tm_mday = get_int_field(L, "day", -1, 0);
    ts.tm_hour = get_int_field(L, "hour", 12, 0);
    ts.tm_min = get_int_field(L, "min", 0, 0);
    ts.tm_sec = get_int_field(L, "sec", 0, 0);
    ts.tm_isdst = get_bool_field(L, "isdst");
    t = std::mktime(&ts);
    set_all_fields(L, &ts);  // the table gets the normalised fields
  }
  if (t == std::time_t(-1)) errorf(L, "time result cannot be represented in this installation");
  push_integer(L, lua_Integer(t));
  return 1;
}

int os_difftime(State* L) {
  std::time_t t1 = check_time(L, 1);
  std::time_t t2 = check_time(L, 2);
  push_number(L, std::difftime(t1, t2));
  return 1;
}

int os_setlocale(State* L) {
  static const int kCategories[] = {LC_ALL, LC_COLLATE, LC_CTYPE, LC_MONETARY, LC_NUMERIC, LC_TIME};
  static const char* const kNames[] = {"all", "collate", "ctype", "monetary", "numeric", "time", nullptr};
  const char* l = opt_string(L, 1, nullptr);
  int op = check_option(L, 2, "all", kNames);
  push_string(L, std::setlocale(kCategories[op], l));
  return 1;
}

int os_exit(State* L) {
  int status;
  if (is_boolean(L, 1))
    status = to_boolean(L, 1) ? EXIT_SUCCESS : EXIT_FAILURE;
  else
    status = int(opt_integer(L, 1, EXIT_SUCCESS));
  if (to_boolean(L, 2)) close_state(L);  // runs pending __close and __gc first
  std::exit(status);
}

const Reg kOsFuncs[] = {{"clock", os_clock},     {"date", os_date},       {"difftime", os_difftime},
                        {"execute", os_execute}, {"exit", os_exit},       {"getenv", os_getenv},
                        {"remove", os_remove},   {"rename", os_rename},   {"setlocale", os_setlocale},
                        {"time", os_time},       {"tmpname", os_tmpname}, {nullptr, nullptr}};

}  // namespace

int open_os(State* L) {
  new_lib(L, kOsFuncs);
  return 1;
}

}  // namespace rua
