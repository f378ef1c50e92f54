// The debug library (manual §6.10; PUC: ldblib.c).
//
// Functions that take an optional thread as first argument work on that
// thread's stack (L1). L1 may be suspended or dead, so every push on it is
// checked, and values cross between the two stacks with xmove.
//
// Hooks: the core calls one native hook (lua_hook below) per thread; the Lua
// function set by debug.sethook lives in a registry table keyed by thread
// with weak keys, so a dead coroutine does not keep its hook alive.
#include <cstdio>
#include <cstring>

#include "debug.hpp"
#include "lualib.hpp"

namespace rua {

namespace {

constexpr const char* kHookKey = "_HOOKKEY";

// Pushes on a thread other than the running one need an explicit check:
// its stack has no free slots guaranteed.
void check_stack_of(State* L, State* L1, int n) {
  if (L != L1 && !ensure_stack(L1, n)) errorf(L, "stack overflow");
}

// An optional thread as first argument: returns it (or L) and sets *arg to
// the number of arguments it takes (1 or 0), so callers can skip it.
State* get_thread(State* L, int* arg) {
  if (type(L, 1) == Type::Thread) {
    *arg = 1;
    return to_thread(L, 1);
  }
  *arg = 0;
  return L;
}

// luaL_pushfail: 'fail' is nil in Lua 5.5.
void push_fail(State* L) { push_nil(L); }

int db_getregistry(State* L) {
  push_value(L, kRegistryIndex);
  return 1;
}

int db_getmetatable(State* L) {
  check_any(L, 1);
  if (!get_metatable(L, 1)) push_nil(L);
  return 1;
}

int db_setmetatable(State* L) {
  Type t = type(L, 2);
  arg_expected(L, t == Type::Nil || t == Type::Table, 2, "nil or table");
  set_top(L, 2);
  set_metatable(L, 1);
  return 1;
}

int db_getuservalue(State* L) {
  int n = int(opt_integer(L, 2, 1));
  if (type(L, 1) != Type::Userdata) {
    push_fail(L);
    return 1;
  }
  if (get_i_uservalue(L, 1, n) != Type::None) {
    push_boolean(L, true);
    return 2;
  }
  return 1;
}

int db_setuservalue(State* L) {
  int n = int(opt_integer(L, 3, 1));
  check_type(L, 1, Type::Userdata);
  check_any(L, 2);
  set_top(L, 2);
  if (!set_i_uservalue(L, 1, n)) push_fail(L);
  return 1;
}

// ---- getinfo ----

void set_field_string(State* L, const char* k, const char* v) {
  push_string(L, v);
  set_field(L, -2, k);
}

void set_field_int(State* L, const char* k, lua_Integer v) {
  push_integer(L, v);
  set_field(L, -2, k);
}

void set_field_bool(State* L, const char* k, bool v) {
  push_boolean(L, v);
  set_field(L, -2, k);
}

// get_info pushed the function ('f') and then the line table ('L') on L1.
// Moves the topmost of them into field fname of the result table, which
// is on L's top (above them when L1 is L).
void move_stack_result(State* L, State* L1, const char* fname) {
  if (L == L1)
    rotate(L, -2, 1);  // exchange value and table
  else
    xmove(L1, L, 1);
  set_field(L, -2, fname);
}

void fill_info_table(State* L, State* L1, const char* options, const DebugInfo& ar) {
  new_table(L);
  if (std::strchr(options, 'S')) {
    push_lstring(L, ar.source, ar.srclen);
    set_field(L, -2, "source");
    set_field_string(L, "short_src", ar.short_src);
    set_field_int(L, "linedefined", ar.linedefined);
    set_field_int(L, "lastlinedefined", ar.lastlinedefined);
    set_field_string(L, "what", ar.what);
  }
  if (std::strchr(options, 'l')) set_field_int(L, "currentline", ar.currentline);
  if (std::strchr(options, 'u')) {
    set_field_int(L, "nups", ar.nups);
    set_field_int(L, "nparams", ar.nparams);
    set_field_bool(L, "isvararg", ar.isvararg);
  }
  if (std::strchr(options, 'n')) {
    set_field_string(L, "name", ar.name);
    set_field_string(L, "namewhat", ar.namewhat);
  }
  if (std::strchr(options, 'r')) {
    set_field_int(L, "ftransfer", ar.ftransfer);
    set_field_int(L, "ntransfer", ar.ntransfer);
  }
  if (std::strchr(options, 't')) {
    set_field_bool(L, "istailcall", ar.istailcall);
    set_field_int(L, "extraargs", ar.extraargs);
  }
  // get_info pushed the function first, then the line table.
  if (std::strchr(options, 'L')) move_stack_result(L, L1, "activelines");
  if (std::strchr(options, 'f')) move_stack_result(L, L1, "func");
}

int db_getinfo(State* L) {
  DebugInfo ar;
  int arg;
  State* L1 = get_thread(L, &arg);
  const char* options = opt_string(L, arg + 2, "flnSrtu");
  check_stack_of(L, L1, 3);  // a function in, a function and a line table out
  arg_check(L, options[0] != '>', arg + 2, "invalid option '>'");
  if (is_function(L, arg + 1)) {
    options = push_fstring(L, ">%s", options);  // info about a function value
    push_value(L, arg + 1);
    xmove(L, L1, 1);
  } else if (!get_stack(L1, int(check_integer(L, arg + 1)), &ar)) {
    push_fail(L);  // level out of range
    return 1;
  }
  if (!get_info(L1, options, &ar)) arg_error(L, arg + 2, "invalid option");
  fill_info_table(L, L1, options, ar);
  return 1;
}

// ---- locals and upvalues ----

int db_getlocal(State* L) {
  int arg;
  State* L1 = get_thread(L, &arg);
  int nvar = int(check_integer(L, arg + 2));
  if (is_function(L, arg + 1)) {  // parameter names of a function value
    push_value(L, arg + 1);
    push_string(L, get_local(L, nullptr, nvar));
    return 1;
  }
  DebugInfo ar;
  int level = int(check_integer(L, arg + 1));
  if (!get_stack(L1, level, &ar)) arg_error(L, arg + 1, "level out of range");
  check_stack_of(L, L1, 1);
  const char* name = get_local(L1, &ar, nvar);
  if (name == nullptr) {
    push_fail(L);
    return 1;
  }
  xmove(L1, L, 1);
  push_string(L, name);
  rotate(L, -2, 1);  // name, value
  return 2;
}

int db_setlocal(State* L) {
  int arg;
  State* L1 = get_thread(L, &arg);
  DebugInfo ar;
  int level = int(check_integer(L, arg + 1));
  int nvar = int(check_integer(L, arg + 2));
  if (!get_stack(L1, level, &ar)) arg_error(L, arg + 1, "level out of range");
  check_any(L, arg + 3);
  set_top(L, arg + 3);
  check_stack_of(L, L1, 1);
  xmove(L, L1, 1);
  const char* name = set_local(L1, &ar, nvar);
  if (name == nullptr) pop(L1, 1);  // set_local pops the value only on success
  push_string(L, name);
  return 1;
}

int aux_upvalue(State* L, bool get) {
  int n = int(check_integer(L, 2));
  check_type(L, 1, Type::Function);
  const char* name = get ? get_upvalue(L, 1, n) : set_upvalue(L, 1, n);
  if (name == nullptr) return 0;
  push_string(L, name);
  if (get) {
    insert(L, -2);  // name, value
    return 2;
  }
  return 1;
}

int db_getupvalue(State* L) { return aux_upvalue(L, true); }

int db_setupvalue(State* L) {
  check_any(L, 3);
  return aux_upvalue(L, false);
}

// The identity of upvalue argnup of function argf (null if there is no
// such upvalue). With pnup, a missing upvalue is an argument error.
void* check_upvalue(State* L, int argf, int argnup, int* pnup) {
  int nup = int(check_integer(L, argnup));
  check_type(L, argf, Type::Function);
  void* id = upvalue_id(L, argf, nup);
  if (pnup) {
    arg_check(L, id != nullptr, argnup, "invalid upvalue index");
    *pnup = nup;
  }
  return id;
}

int db_upvalueid(State* L) {
  void* id = check_upvalue(L, 1, 2, nullptr);
  if (id != nullptr)
    push_light_userdata(L, id);
  else
    push_fail(L);
  return 1;
}

int db_upvaluejoin(State* L) {
  int n1, n2;
  check_upvalue(L, 1, 2, &n1);
  check_upvalue(L, 3, 4, &n2);
  arg_check(L, !is_native_function(L, 1), 1, "Lua function expected");
  arg_check(L, !is_native_function(L, 3), 3, "Lua function expected");
  upvalue_join(L, 1, n1, 3, n2);
  return 0;
}

// ---- hooks ----

// The native hook of every thread with a Lua hook: calls the thread's entry
// in the hook table with the event name and the line (nil if none).
void lua_hook(State* L, DebugInfo* ar) {
  static const char* const kEventNames[] = {"call", "return", "line", "count", "tail call"};
  get_field(L, kRegistryIndex, kHookKey);
  push_thread(L);
  if (raw_get(L, -2) != Type::Function) return;  // run_hook restores the top
  push_string(L, kEventNames[ar->event]);
  if (ar->currentline >= 0)
    push_integer(L, ar->currentline);
  else
    push_nil(L);
  call(L, 2, 0);
}

int make_mask(const char* smask, int count) {
  int mask = 0;
  if (std::strchr(smask, 'c')) mask |= kMaskCall;
  if (std::strchr(smask, 'r')) mask |= kMaskRet;
  if (std::strchr(smask, 'l')) mask |= kMaskLine;
  if (count > 0) mask |= kMaskCount;
  return mask;
}

void push_mask_string(State* L, int mask) {
  char smask[4];
  int i = 0;
  if (mask & kMaskCall) smask[i++] = 'c';
  if (mask & kMaskRet) smask[i++] = 'r';
  if (mask & kMaskLine) smask[i++] = 'l';
  push_lstring(L, smask, size_t(i));
}

// Pushes the hook table, creating it (with weak keys) on first use.
void push_hook_table(State* L) {
  if (get_subtable(L, kRegistryIndex, kHookKey)) return;
  push_string(L, "k");
  set_field(L, -2, "__mode");
  push_value(L, -1);
  set_metatable(L, -2);  // the table is its own metatable
}

int db_sethook(State* L) {
  int arg, mask, count;
  Hook func;
  State* L1 = get_thread(L, &arg);
  if (is_none_or_nil(L, arg + 1)) {  // turn hooks off
    set_top(L, arg + 1);
    func = nullptr;
    mask = 0;
    count = 0;
  } else {
    const char* smask = check_string(L, arg + 2);
    check_type(L, arg + 1, Type::Function);
    count = int(opt_integer(L, arg + 3, 0));
    func = lua_hook;
    mask = make_mask(smask, count);
  }
  push_hook_table(L);
  check_stack_of(L, L1, 1);
  push_thread(L1);
  xmove(L1, L, 1);
  push_value(L, arg + 1);
  raw_set(L, -3);  // hooktable[L1] = function (or nil)
  set_hook(L1, func, mask, count);
  return 0;
}

int db_gethook(State* L) {
  int arg;
  State* L1 = get_thread(L, &arg);
  Hook hook = get_hook(L1);
  if (hook == nullptr) {
    push_fail(L);
    return 1;
  }
  if (hook != lua_hook) {
    push_string(L, "external hook");
  } else {
    get_field(L, kRegistryIndex, kHookKey);
    check_stack_of(L, L1, 1);
    push_thread(L1);
    xmove(L1, L, 1);
    raw_get(L, -2);
    remove(L, -2);
  }
  push_mask_string(L, get_hook_mask(L1));
  push_integer(L, get_hook_count(L1));
  return 3;
}

// ---- interactive prompt and traceback ----

int db_debug(State* L) {
  for (;;) {
    char line[250];  // PUC's limit: longer lines are read as several commands
    std::fputs("lua_debug> ", stderr);
    std::fflush(stderr);
    if (std::fgets(line, sizeof line, stdin) == nullptr || std::strcmp(line, "cont\n") == 0) return 0;
    if (load_buffer(L, line, "=(debug command)", "t") != kOk || pcall(L, 0, 0, 0) != kOk) {
      std::fprintf(stderr, "%s\n", to_lstring_meta(L, -1, nullptr));
      std::fflush(stderr);
    }
    set_top(L, 0);
  }
}

int db_traceback(State* L) {
  int arg;
  State* L1 = get_thread(L, &arg);
  const char* msg = to_string(L, arg + 1);
  if (msg == nullptr && !is_none_or_nil(L, arg + 1)) {
    push_value(L, arg + 1);  // a non-string message is returned untouched
    return 1;
  }
  int level = int(opt_integer(L, arg + 2, L == L1 ? 1 : 0));
  traceback(L, L1, msg, level);
  return 1;
}

const Reg kDebugFuncs[] = {
    {"debug", db_debug},
    {"getuservalue", db_getuservalue},
    {"gethook", db_gethook},
    {"getinfo", db_getinfo},
    {"getlocal", db_getlocal},
    {"getregistry", db_getregistry},
    {"getmetatable", db_getmetatable},
    {"getupvalue", db_getupvalue},
    {"upvaluejoin", db_upvaluejoin},
    {"upvalueid", db_upvalueid},
    {"setuservalue", db_setuservalue},
    {"sethook", db_sethook},
    {"setlocal", db_setlocal},
    {"setmetatable", db_setmetatable},
    {"setupvalue", db_setupvalue},
    {"traceback", db_traceback},
    {nullptr, nullptr},
};

}  // namespace

int open_debug(State* L) {
  new_lib(L, kDebugFuncs);
  return 1;
}

}  // namespace rua
