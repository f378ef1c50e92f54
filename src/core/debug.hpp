// Debug information: line numbers, variable names for error messages,
// hooks, stack inspection and tracebacks (PUC: ldebug.c, parts of ldo.c).
#pragma once

#include "state.hpp"

namespace rua {

constexpr int kHookCall = 0, kHookRet = 1, kHookLine = 2, kHookCount = 3, kHookTailCall = 4;
constexpr int kMaskCall = 1 << kHookCall, kMaskRet = 1 << kHookRet, kMaskLine = 1 << kHookLine,
              kMaskCount = 1 << kHookCount;
constexpr int kIdSize = 60;  // size of short_src

struct DebugInfo {
  int event = 0;
  const char* name = nullptr;      // (n)
  const char* namewhat = nullptr;  // (n) "global", "local", "method", "field", "upvalue", "metamethod", ...
  const char* what = nullptr;      // (S) "Lua", "C", "main"
  const char* source = nullptr;    // (S)
  size_t srclen = 0;               // (S)
  int currentline = -1;            // (l)
  int linedefined = -1;            // (S)
  int lastlinedefined = -1;        // (S)
  uint8_t nups = 0;                // (u)
  uint8_t nparams = 0;             // (u)
  bool isvararg = false;           // (u)
  bool istailcall = false;         // (t)
  int extraargs = 0;               // (t)
  int ftransfer = 0;               // (r)
  int ntransfer = 0;               // (r)
  char short_src[kIdSize] = {};    // (S)
  CallInfo* i_ci = nullptr;        // active function
};

int pc_rel(const Instruction* pc, const Proto* p);
int current_pc(CallInfo* ci);
int current_line(CallInfo* ci);
int get_func_line(const Proto* f, int pc);

// Name of the n-th local of frame ci (negative n: varargs), or null.
const char* find_local_name(State* L, CallInfo* ci, int n);

// ---- hooks ----
void run_hook(State* L, int event, int line, int ftransfer, int ntransfer);
void hook_call(State* L, CallInfo* ci);
void hook_return(State* L, CallInfo* ci, int nres);
int trace_call(State* L);
int trace_exec(State* L, const Instruction* pc);
void set_hook(State* L, Hook func, int mask, int count);
// lua_gethook, lua_gethookmask, lua_gethookcount (for debug.gethook).
inline Hook get_hook(State* L) { return L->hook; }
inline int get_hook_mask(State* L) { return L->hookmask; }
inline int get_hook_count(State* L) { return L->basehookcount; }

// ---- the debug API ----
bool get_stack(State* L, int level, DebugInfo* ar);
// 'what' as in lua_getinfo; with '>' the function is popped from the stack.
// Pushes the function for 'f' and the line table for 'L'. False on an invalid option.
bool get_info(State* L, const char* what, DebugInfo* ar);
const char* get_local(State* L, const DebugInfo* ar, int n);  // pushes the value
const char* set_local(State* L, const DebugInfo* ar, int n);  // pops the value

// Pushes "chunk:line:" of the function at 'level' (empty if not Lua).
void push_where(State* L, int level);
// Adds "chunk:line: " of the running Lua function to msg and pushes the result.
const char* add_info(State* L, const char* msg, String* src, int line);
// Pushes a traceback of L1 (as debug.traceback formats it).
void push_traceback(State* L, State* L1, const char* msg, int level);

// For error messages: "(local 'x')", "(field 'y')", etc. ("" if unknown).
const char* var_info(State* L, const Value* o);
// Name of the function running in ci as its caller sees it ("global 'f'", ...).
const char* func_name_from_call(State* L, CallInfo* ci, const char** name);

}  // namespace rua
