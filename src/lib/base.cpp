// The basic library (PUC: lbaselib.c).
#include <cctype>
#include <cstdio>
#include <cstring>

#include "lualib.hpp"

namespace rua {

namespace {

int b_print(State* L) {
  int n = get_top(L);
  for (int i = 1; i <= n; i++) {
    size_t l;
    const char* s = to_lstring_meta(L, i, &l);
    if (i > 1) std::fwrite("\t", 1, 1, stdout);
    std::fwrite(s, 1, l, stdout);
    pop(L, 1);
  }
  std::fwrite("\n", 1, 1, stdout);
  std::fflush(stdout);  // as PUC's lua_writeline: output is visible at once, also on pipes
  return 0;
}

int b_warn(State* L) {
  int n = get_top(L);
  check_string(L, 1);
  for (int i = 2; i <= n; i++) check_string(L, i);
  for (int i = 1; i < n; i++) warn(L, to_string(L, i), true);
  warn(L, to_string(L, n), false);
  return 0;
}

constexpr const char* kSpaceChars = " \f\n\r\t\v";

const char* str_to_int(const char* s, unsigned base, lua_Integer* pn) {
  lua_Unsigned n = 0;
  bool neg = false;
  s += std::strspn(s, kSpaceChars);
  if (*s == '-') {
    s++;
    neg = true;
  } else if (*s == '+') {
    s++;
  }
  if (!std::isalnum(static_cast<unsigned char>(*s))) return nullptr;
  do {
    unsigned char c = static_cast<unsigned char>(*s);
    unsigned digit = std::isdigit(c) ? unsigned(c - '0') : unsigned(std::toupper(c) - 'A') + 10;
    if (digit >= base) return nullptr;
    n = n * base + digit;
    s++;
  } while (std::isalnum(static_cast<unsigned char>(*s)));
  s += std::strspn(s, kSpaceChars);
  *pn = lua_Integer(neg ? (0u - n) : n);
  return s;
}

int b_tonumber(State* L) {
  if (is_none_or_nil(L, 2)) {
    if (type(L, 1) == Type::Number) {
      set_top(L, 1);
      return 1;
    }
    size_t l;
    const char* s = to_lstring(L, 1, &l);
    if (s != nullptr && string_to_number(L, s) == l + 1) return 1;
    check_any(L, 1);
  } else {
    lua_Integer base = check_integer(L, 2);
    check_type(L, 1, Type::String);
    size_t l;
    const char* s = to_lstring(L, 1, &l);
    arg_check(L, 2 <= base && base <= 36, 2, "base out of range");
    lua_Integer n = 0;
    if (str_to_int(s, unsigned(base), &n) == s + l) {
      push_integer(L, n);
      return 1;
    }
  }
  push_nil(L);
  return 1;
}

int b_error(State* L) {
  int level = int(opt_integer(L, 2, 1));
  set_top(L, 1);
  if (type(L, 1) == Type::String && level > 0) {
    where(L, level);
    push_value(L, 1);
    concat(L, 2);
  }
  return error_return(L);
}

int b_getmetatable(State* L) {
  check_any(L, 1);
  if (!get_metatable(L, 1)) {
    push_nil(L);
    return 1;
  }
  get_metafield(L, 1, "__metatable");
  return 1;
}

int b_setmetatable(State* L) {
  Type t = type(L, 2);
  check_type(L, 1, Type::Table);
  arg_expected(L, t == Type::Nil || t == Type::Table, 2, "nil or table");
  if (get_metafield(L, 1, "__metatable") != Type::Nil) errorf(L, "cannot change a protected metatable");
  set_top(L, 2);
  set_metatable(L, 1);
  return 1;
}

int b_rawequal(State* L) {
  check_any(L, 1);
  check_any(L, 2);
  push_boolean(L, raw_equal(L, 1, 2));
  return 1;
}

int b_rawlen(State* L) {
  Type t = type(L, 1);
  arg_expected(L, t == Type::Table || t == Type::String, 1, "table or string");
  push_integer(L, lua_Integer(raw_len(L, 1)));
  return 1;
}

int b_rawget(State* L) {
  check_type(L, 1, Type::Table);
  check_any(L, 2);
  set_top(L, 2);
  raw_get(L, 1);
  return 1;
}

int b_rawset(State* L) {
  check_type(L, 1, Type::Table);
  check_any(L, 2);
  check_any(L, 3);
  set_top(L, 3);
  raw_set(L, 1);
  return 1;
}

int push_mode(State* L, int oldmode) {
  if (oldmode == -1) push_nil(L);
  else push_string(L, oldmode == kGcInc ? "incremental" : "generational");
  return 1;
}

int b_collectgarbage(State* L) {
  static const char* const kOpts[] = {"stop",         "restart",     "collect", "count", "step", "isrunning",
                                      "generational", "incremental", "param",   nullptr};
  static const int kOptNum[] = {kGcStop, kGcRestart, kGcCollect, kGcCount, kGcStep,
                                kGcIsRunning, kGcGen, kGcInc, kGcParam};
  int o = kOptNum[check_option(L, 1, "collect", kOpts)];
  switch (o) {
    case kGcCount: {
      int k = gc(L, o);
      int b = gc(L, kGcCountB);
      if (k == -1) break;
      push_number(L, lua_Number(k) + lua_Number(b) / 1024);
      return 1;
    }
    case kGcStep: {
      lua_Integer n = opt_integer(L, 2, 0);
      int res = gc(L, o, int(n < 0 ? 0 : n > INT32_MAX ? INT32_MAX : n));
      if (res == -1) break;
      push_boolean(L, res != 0);
      return 1;
    }
    case kGcIsRunning: {
      int res = gc(L, o);
      if (res == -1) break;
      push_boolean(L, res != 0);
      return 1;
    }
    case kGcGen:
    case kGcInc: return push_mode(L, gc(L, o));
    case kGcParam: {
      static const char* const kParams[] = {"minormul", "majorminor", "minormajor", "pause",
                                            "stepmul",  "stepsize",   nullptr};
      int p = check_option(L, 2, nullptr, kParams);
      lua_Integer value = opt_integer(L, 3, -1);
      push_integer(L, gc(L, o, p, int(value)));
      return 1;
    }
    default: {
      int res = gc(L, o);
      if (res == -1) break;
      push_integer(L, res);
      return 1;
    }
  }
  push_nil(L);  // invalid call (inside a finalizer)
  return 1;
}

int b_type(State* L) {
  Type t = type(L, 1);
  arg_check(L, t != Type::None, 1, "value expected");
  push_string(L, type_name_of(L, t));
  return 1;
}

int b_next(State* L) {
  check_type(L, 1, Type::Table);
  set_top(L, 2);
  if (next(L, 1)) return 2;
  push_nil(L);
  return 1;
}

int pairs_cont(State* L, int, intptr_t) { return 4; }

int b_pairs(State* L) {
  check_any(L, 1);
  if (get_metafield(L, 1, "__pairs") == Type::Nil) {
    push_native(L, b_next);
    push_value(L, 1);
    push_nil(L);
    push_nil(L);
    return 4;
  }
  push_value(L, 1);
  return call_k(L, 1, 4, 0, pairs_cont);
}

int ipairs_aux(State* L) {
  lua_Integer i = check_integer(L, 2);
  i = lua_Integer(lua_Unsigned(i) + 1);
  push_integer(L, i);
  return get_i(L, 1, i) == Type::Nil ? 1 : 2;
}

int b_ipairs(State* L) {
  check_any(L, 1);
  push_native(L, ipairs_aux);
  push_value(L, 1);
  push_integer(L, 0);
  return 3;
}

int load_aux(State* L, Status status, int envidx) {
  if (status == kOk) {
    if (envidx != 0) {
      push_value(L, envidx);
      if (!set_upvalue(L, -2, 1)) pop(L, 1);
    }
    return 1;
  }
  push_nil(L);
  insert(L, -2);
  return 2;
}

const char* get_mode(State* L, int idx) {
  const char* mode = opt_string(L, idx, nullptr);
  if (mode != nullptr && std::strchr(mode, 'B') != nullptr) arg_error(L, idx, "invalid mode");
  return mode;
}

int b_loadfile(State* L) {
  const char* fname = opt_string(L, 1, nullptr);
  const char* mode = get_mode(L, 2);
  int env = !is_none(L, 3) ? 3 : 0;
  Status status = load_file(L, fname, mode);
  return load_aux(L, status, env);
}

// Collects the pieces a reader function returns (protected: an error in the
// reader makes load fail with that error, as in PUC).
int collect_pieces(State* L) {
  Buffer b(L);
  for (;;) {
    check_stack_msg(L, 2, "too many nested functions");
    push_value(L, 1);
    call(L, 0, 1);
    if (is_nil(L, -1)) {
      pop(L, 1);
      break;
    }
    if (!is_string(L, -1)) errorf(L, "reader function must return a string");
    size_t l;
    const char* s = to_lstring(L, -1, &l);
    if (l == 0) {
      pop(L, 1);
      break;
    }
    b.add(s, l);
    pop(L, 1);
  }
  b.push_result();
  return 1;
}

int b_load(State* L) {
  size_t l;
  const char* s = to_lstring(L, 1, &l);
  const char* mode = get_mode(L, 3);
  int env = !is_none(L, 4) ? 4 : 0;
  Status status;
  if (s != nullptr) {
    const char* chunkname = opt_string(L, 2, s);
    status = load_buffer(L, std::string_view(s, l), chunkname, mode);
  } else {
    const char* chunkname = opt_string(L, 2, "=(load)");
    check_type(L, 1, Type::Function);
    push_native(L, collect_pieces);
    push_value(L, 1);
    status = pcall(L, 1, 1, 0);
    if (status == kOk) {
      size_t cl;
      const char* chunk = to_lstring(L, -1, &cl);
      status = load_buffer(L, std::string_view(chunk, cl), chunkname, mode);
      remove(L, -2);  // the collected text
    }
  }
  return load_aux(L, status, env);
}

int dofile_cont(State* L, int, intptr_t) { return get_top(L) - 1; }

int b_dofile(State* L) {
  const char* fname = opt_string(L, 1, nullptr);
  set_top(L, 1);
  if (load_file(L, fname, "bt") != kOk) error(L);
  return call_k(L, 0, kMultRet, 0, dofile_cont);
}

int b_assert(State* L) {
  if (to_boolean(L, 1)) return get_top(L);
  check_any(L, 1);
  remove(L, 1);
  push_string(L, "assertion failed!");
  set_top(L, 1);
  return b_error(L);
}

int b_select(State* L) {
  int n = get_top(L);
  if (type(L, 1) == Type::String && *to_string(L, 1) == '#') {
    push_integer(L, n - 1);
    return 1;
  }
  lua_Integer i = check_integer(L, 1);
  if (i < 0) i = n + i;
  else if (i > n) i = n;
  arg_check(L, 1 <= i, 1, "index out of range");
  return n - int(i);
}

// Continuation of pcall and xpcall: 'extra' values below the results are not returned.
int finish_pcall(State* L, int status, intptr_t extra) {
  if (status != kOk && status != kYield) {
    push_boolean(L, false);
    push_value(L, -2);
    return 2;
  }
  return get_top(L) - int(extra);
}

int b_pcall(State* L) {
  check_any(L, 1);
  push_boolean(L, true);
  insert(L, 1);
  return pcall_k(L, get_top(L) - 2, kMultRet, 0, 0, finish_pcall);
}

int b_xpcall(State* L) {
  int n = get_top(L);
  check_type(L, 2, Type::Function);
  push_boolean(L, true);
  push_value(L, 1);
  rotate(L, 3, 2);  // stack: f, msgh, true, f, args...
  return pcall_k(L, n - 2, kMultRet, 2, 2, finish_pcall);
}

int b_tostring(State* L) {
  check_any(L, 1);
  to_lstring_meta(L, 1, nullptr);
  return 1;
}

const Reg kBaseFuncs[] = {
    {"assert", b_assert},
    {"collectgarbage", b_collectgarbage},
    {"dofile", b_dofile},
    {"error", b_error},
    {"getmetatable", b_getmetatable},
    {"ipairs", b_ipairs},
    {"loadfile", b_loadfile},
    {"load", b_load},
    {"next", b_next},
    {"pairs", b_pairs},
    {"pcall", b_pcall},
    {"print", b_print},
    {"warn", b_warn},
    {"rawequal", b_rawequal},
    {"rawlen", b_rawlen},
    {"rawget", b_rawget},
    {"rawset", b_rawset},
    {"select", b_select},
    {"setmetatable", b_setmetatable},
    {"tonumber", b_tonumber},
    {"tostring", b_tostring},
    {"type", b_type},
    {"xpcall", b_xpcall},
    {"_G", nullptr},
    {"_VERSION", nullptr},
    {nullptr, nullptr}};

}  // namespace

int open_base(State* L) {
  push_global_table(L);
  set_funcs(L, kBaseFuncs, 0);
  push_value(L, -1);
  set_field(L, -2, "_G");
  push_string(L, "Lua 5.5");
  set_field(L, -2, "_VERSION");
  return 1;
}

}  // namespace rua
