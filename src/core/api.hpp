// The native API: what native functions, libraries and embedders use.
//
// It follows Lua 5.5's C API (lua.h and lauxlib.h) in meaning, index rules
// and error behaviour, with rua's names: lua_pushinteger is push_integer,
// luaL_checkinteger is check_integer, and so on. The manual's description
// of each C API function applies. Differences:
//  - Errors are C++ exceptions (LuaError); a native may use RAII freely,
//    and destructors run when an error unwinds it.
//  - Calls from a native back into Lua (call, pcall) are never yieldable.
//    A native that wants its callee to be able to yield, or to yield itself,
//    returns call_k / pcall_k / yield_k / resume_k and continues in the given
//    continuation (as with lua_callk, but the continuation is always used).
//  - A native holds no raw object pointer across an allocation unless the
//    object is also on the stack or in the registry.
#pragma once

#include <cstdarg>
#include <string>
#include <string_view>

#include "state.hpp"

namespace rua {

// ---- pseudo-indices ----
constexpr int kRegistryIndex = -kMaxStack - 1000;
constexpr int upvalue_index(int i) { return kRegistryIndex - i; }
constexpr int kRidxGlobals = 2;
constexpr int kRidxMainThread = 3;

// ---- options ----
constexpr int kOpAdd = 0, kOpSub = 1, kOpMul = 2, kOpMod = 3, kOpPow = 4, kOpDiv = 5, kOpIDiv = 6, kOpBAnd = 7,
              kOpBOr = 8, kOpBXor = 9, kOpShl = 10, kOpShr = 11, kOpUnm = 12, kOpBNot = 13;
constexpr int kOpEq = 0, kOpLt = 1, kOpLe = 2;
constexpr int kNoRef = -2, kRefNil = -1;

// ---- state ----
State* new_state();                 // a state with the default allocator (no libraries)
State* new_state_std();             // the same with the standard warning function (luaL_newstate)
void close_state(State* L);
// Pushes a new thread. 'first_fn' (0: unknown) is the index of the function
// it will run first, called with 'nargs' arguments above 'below' other
// values: its stack is then made big enough for that function's frame, so
// the first call does not grow it at once.
State* new_thread(State* L, int first_fn = 0, int nargs = 0, int below = 0);
Status close_thread_api(State* L, State* from);
int status(State* L);
void set_warn_fn(State* L, WarnFn f, void* ud);
void warn(State* L, const char* msg, bool tocont);

// ---- the stack ----
int abs_index(State* L, int idx);
int get_top(State* L);
void set_top(State* L, int idx);  // also closes to-be-closed slots being removed
void push_value(State* L, int idx);
void rotate(State* L, int idx, int n);
void copy(State* L, int fromidx, int toidx);
bool ensure_stack(State* L, int n);  // lua_checkstack
void xmove(State* from, State* to, int n);
inline void pop(State* L, int n) { set_top(L, -n - 1); }
inline void insert(State* L, int idx) { rotate(L, idx, 1); }
inline void remove(State* L, int idx) {
  rotate(L, idx, -1);
  pop(L, 1);
}
inline void replace(State* L, int idx) {
  copy(L, -1, idx);
  pop(L, 1);
}

// ---- access ----
bool is_number(State* L, int idx);
bool is_string(State* L, int idx);  // strings and numbers
bool is_native_function(State* L, int idx);
bool is_integer(State* L, int idx);
bool is_userdata(State* L, int idx);  // full or light
Type type(State* L, int idx);
const char* type_name_of(State* L, Type t);
inline bool is_none(State* L, int idx) { return type(L, idx) == Type::None; }
inline bool is_nil(State* L, int idx) { return type(L, idx) == Type::Nil; }
inline bool is_none_or_nil(State* L, int idx) { return int(type(L, idx)) <= 0; }
inline bool is_table(State* L, int idx) { return type(L, idx) == Type::Table; }
inline bool is_function(State* L, int idx) { return type(L, idx) == Type::Function; }
inline bool is_boolean(State* L, int idx) { return type(L, idx) == Type::Boolean; }

lua_Number to_numberx(State* L, int idx, bool* isnum = nullptr);
lua_Integer to_integerx(State* L, int idx, bool* isnum = nullptr);
inline lua_Number to_number(State* L, int idx) { return to_numberx(L, idx); }
inline lua_Integer to_integer(State* L, int idx) { return to_integerx(L, idx); }
bool to_boolean(State* L, int idx);
// Converts numbers in place (like lua_tolstring); null for other types.
const char* to_lstring(State* L, int idx, size_t* len);
inline const char* to_string(State* L, int idx) { return to_lstring(L, idx, nullptr); }
inline std::string_view to_sv(State* L, int idx) {
  size_t len;
  const char* s = to_lstring(L, idx, &len);
  return s ? std::string_view(s, len) : std::string_view();
}
lua_Unsigned raw_len(State* L, int idx);
NativeFn to_native_function(State* L, int idx);
void* to_userdata(State* L, int idx);
State* to_thread(State* L, int idx);
const void* to_pointer(State* L, int idx);

bool raw_equal(State* L, int idx1, int idx2);
bool compare(State* L, int idx1, int idx2, int op);
void arith(State* L, int op);  // pops operands, pushes result

// ---- push ----
void push_nil(State* L);
void push_number(State* L, lua_Number n);
void push_integer(State* L, lua_Integer n);
const char* push_lstring(State* L, const char* s, size_t len);
const char* push_string(State* L, const char* s);  // null pushes nil
inline const char* push_sv(State* L, std::string_view s) { return push_lstring(L, s.data(), s.size()); }
const char* push_vfstring(State* L, const char* fmt, va_list argp);
const char* push_fstring(State* L, const char* fmt, ...);
void push_native(State* L, NativeFn f, int nupvalues = 0);  // lua_pushcclosure
void push_boolean(State* L, bool b);
void push_light_userdata(State* L, void* p);
bool push_thread(State* L);  // true if it is the main thread
void push_global_table(State* L);

// ---- get ----
Type get_global(State* L, const char* name);
Type get_table(State* L, int idx);
Type get_field(State* L, int idx, const char* k);
Type get_i(State* L, int idx, lua_Integer n);
Type raw_get(State* L, int idx);
Type raw_get_i(State* L, int idx, lua_Integer n);
Type raw_get_p(State* L, int idx, const void* p);
void create_table(State* L, int narr = 0, int nrec = 0);
inline void new_table(State* L) { create_table(L, 0, 0); }
void* new_userdata(State* L, size_t size, int nuvalue = 1);
bool get_metatable(State* L, int objindex);
Type get_i_uservalue(State* L, int idx, int n);

// ---- set ----
void set_global(State* L, const char* name);
void set_table(State* L, int idx);
void set_field(State* L, int idx, const char* k);
void set_i(State* L, int idx, lua_Integer n);
void raw_set(State* L, int idx);
void raw_set_i(State* L, int idx, lua_Integer n);
void raw_set_p(State* L, int idx, const void* p);
void set_metatable(State* L, int objindex);  // pops the table (or nil)
bool set_i_uservalue(State* L, int idx, int n);

// ---- calls ----
void call(State* L, int nargs, int nresults);
// f(a, b) is true? Calls the value at index f with the values at a and b
// (three free stack slots needed) and leaves the stack as it was: table.sort's
// comparator, without the pushes and pops of the general form.
bool call_predicate(State* L, int f, int a, int b);
Status pcall(State* L, int nargs, int nresults, int msgh = 0);
// Non-recursive forms: 'return call_k(...)' from a native. The callee may
// yield; when it returns, k(L, status, ctx) runs in the native's frame with
// the results on the stack and its result is the native's.
int call_k(State* L, int nargs, int nresults, intptr_t ctx, KFunction k);
// As call_k, protected: on error k gets the status and the error object on top.
int pcall_k(State* L, int nargs, int nresults, int msgh, intptr_t ctx, KFunction k);
// 'return yield_k(L, n, ctx, k)': yields the top n values. When resumed, the
// native returns the resume's arguments (k null) or k runs.
int yield_k(State* L, int nresults, intptr_t ctx = 0, KFunction k = nullptr);
// 'return resume_k(L, co, nargs, ctx, k)': moves nargs values to co and runs
// it; when it yields or ends, k runs with co's values moved to L's top
// (status kOk), or its error object (status != kOk).
int resume_k(State* L, State* co, int nargs, intptr_t ctx, KFunction k);
// Host-level resume (lua_resume): runs co until it yields, ends or fails.
Status resume(State* co, State* from, int nargs, int* nresults);
bool is_yieldable(State* L);
// Why co cannot be resumed with nargs arguments ("cannot resume dead
// coroutine", ...), or null if it can.
const char* check_resumable(State* co, int nargs);
// Coroutine status as coroutine.status names it: "running", "dead", "suspended", "normal".
const char* coroutine_status(State* L, State* co);
// A coroutine closing itself (coroutine.close() inside it): never returns;
// the resume that is running it returns.
[[noreturn]] void close_self(State* L);
Status load(State* L, std::string_view chunk, const char* chunkname, const char* mode = nullptr);
// string.dump: pushes the binary chunk of the Lua function on top.
bool dump(State* L, bool strip);

// ---- async: the core's side of the event loop (rua_async builds on it) ----
// 'return suspend(L);' from a native that started an operation whose
// completion will push its results on L and call task_continue(L, n).
// Raises "attempt to yield across a C-call boundary" when the running chain
// of threads cannot be suspended (a C++ level runs Lua code in it).
int suspend(State* L);
enum class TaskStatus : uint8_t { Finished, Yielded, Suspended, Failed };
// Runs the function below 'nargs' arguments on root's stack as a task
// rooted at 'root' (any thread, the main one included). Finished: results
// on root's top (count in *nres). Failed: the error object on root's top.
// Suspended: an async operation will continue it. Yielded: root yielded.
TaskStatus task_start(State* root, int nargs, int* nres);
// Continues a suspended (or yielded) task: 'inner' is the thread whose
// operation completed, with 'nargs' values pushed on it.
TaskStatus task_continue(State* inner, int nargs, int* nres);
// The root of the chain of resumes L is part of (the task's thread).
State* chain_root(State* L);
// True if the running chain can be suspended (no C++ level runs Lua code in it).
bool can_suspend(State* L);

// ---- errors ----
[[noreturn]] void error(State* L);  // raises the value on top
// 'return error_return(L);' from a native: raises the value on top as
// error(L) does, without a C++ exception (cheaper when a pcall catches it).
// Only as a native's (or continuation's) own return value.
int error_return(State* L);
// GC control (lua_gc): what is one of the option names of collectgarbage.
int gc(State* L, int what, int a = 0, int b = 0);
// Caps the bytes a state may allocate (0: no cap). An allocation beyond it
// first runs an emergency collection, then fails with the catchable "not
// enough memory" error; the state stays usable.
void set_memory_limit(State* L, size_t bytes);
size_t memory_limit(State* L);
constexpr int kGcStop = 0, kGcRestart = 1, kGcCollect = 2, kGcCount = 3, kGcCountB = 4, kGcStep = 5,
              kGcIsRunning = 6, kGcGen = 7, kGcInc = 8, kGcParam = 9;

// ---- misc ----
bool next(State* L, int idx);
// next() by position, without looking the previous key up: from slot 0,
// pushes the next key and value of the table at idx and returns the slot to
// continue from, or returns 0 (nothing pushed) at the end. Keys added to the
// table meanwhile may be missed or seen twice, as with next().
int next_slot(State* L, int idx, int slot);
void concat(State* L, int n);
void len(State* L, int idx);  // pushes #value (with __len)
size_t string_to_number(State* L, const char* s);  // pushes the number; returns size+1 or 0
void to_close(State* L, int idx);
void close_slot(State* L, int idx);
const char* get_upvalue(State* L, int funcindex, int n);
const char* set_upvalue(State* L, int funcindex, int n);
void* upvalue_id(State* L, int fidx, int n);
void upvalue_join(State* L, int f1, int n1, int f2, int n2);
// The light userdata that stands for a null value across modules: json.null
// and sqlite.null are this one pointer, so a row read from SQLite encodes to
// JSON with its nulls and a decoded null binds as SQL NULL.
void* null_sentinel();

// ===================================================================
// Auxiliary library (lauxlib)
// ===================================================================

struct Reg {
  const char* name;
  NativeFn func;
};

[[noreturn]] void errorf(State* L, const char* fmt, ...);  // luaL_error: adds where(1)
[[noreturn]] void arg_error(State* L, int arg, const char* extramsg);
[[noreturn]] void arg_type_error(State* L, int arg, const char* tname);
inline void arg_check(State* L, bool cond, int arg, const char* extramsg) {
  if (!cond) [[unlikely]] arg_error(L, arg, extramsg);
}
inline void arg_expected(State* L, bool cond, int arg, const char* tname) {
  if (!cond) [[unlikely]] arg_type_error(L, arg, tname);
}
void check_stack_msg(State* L, int sz, const char* msg);  // luaL_checkstack
void check_type(State* L, int arg, Type t);
void check_any(State* L, int arg);
lua_Number check_number(State* L, int arg);
lua_Number opt_number(State* L, int arg, lua_Number def);
lua_Integer check_integer(State* L, int arg);
lua_Integer opt_integer(State* L, int arg, lua_Integer def);
const char* check_lstring(State* L, int arg, size_t* len);
inline const char* check_string(State* L, int arg) { return check_lstring(L, arg, nullptr); }
inline std::string_view check_sv(State* L, int arg) {
  size_t len;
  const char* s = check_lstring(L, arg, &len);
  return std::string_view(s, len);
}
const char* opt_lstring(State* L, int arg, const char* def, size_t* len);
inline const char* opt_string(State* L, int arg, const char* def) { return opt_lstring(L, arg, def, nullptr); }
int check_option(State* L, int arg, const char* def, const char* const lst[]);

bool new_metatable(State* L, const char* tname);  // registry[tname]; false if it existed
void set_metatable_named(State* L, const char* tname);  // luaL_setmetatable
void* test_udata(State* L, int ud, const char* tname);
void* check_udata(State* L, int ud, const char* tname);
inline Type get_metatable_named(State* L, const char* tname) { return get_field(L, kRegistryIndex, tname); }
// Pushes field e of the metatable of obj; returns its type (Nil: nothing pushed).
Type get_metafield(State* L, int obj, const char* e);
bool call_meta(State* L, int obj, const char* e);
// luaL_tolstring: converts any value to a string (with __tostring/__name), pushing it.
const char* to_lstring_meta(State* L, int idx, size_t* len);
void where(State* L, int lvl);  // pushes "chunk:line:"
lua_Integer len_of(State* L, int idx);  // luaL_len
int ref(State* L, int t);
void unref(State* L, int t, int ref);
void set_funcs(State* L, const Reg* l, int nup);
void new_lib(State* L, const Reg* l);
bool get_subtable(State* L, int idx, const char* fname);
void require_f(State* L, const char* modname, NativeFn openf, bool glb);
void traceback(State* L, State* L1, const char* msg, int level);
const char* gsub(State* L, const char* s, const char* p, const char* r);
Status load_buffer(State* L, std::string_view buff, const char* name, const char* mode = nullptr);
Status load_file(State* L, const char* filename, const char* mode = nullptr);  // null: stdin
inline Status do_string(State* L, const char* s) {
  Status st = load_buffer(L, s, s);
  return st != kOk ? st : pcall(L, 0, kMultRet, 0);
}
int file_result(State* L, bool stat, const char* fname);  // luaL_fileresult
int exec_result(State* L, int stat);                        // luaL_execresult

// A string buffer for natives (luaL_Buffer). Its memory goes through the
// state's allocator and is released by the destructor, also when an error
// unwinds the native.
class Buffer {
 public:
  explicit Buffer(State* L);
  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  void add(char c) {
    if (n_ == cap_) grow(1);
    data_[n_++] = c;
  }
  void add(const char* s, size_t l);
  void add(std::string_view s) { add(s.data(), s.size()); }
  void add_string(const char* s);
  // Pops the value on top of the stack and appends it (must be a string or number).
  void add_value();
  // Space for at least n more bytes; call commit(k) after writing k of them.
  char* prepare(size_t n);
  void commit(size_t n) { n_ += n; }
  void shrink(size_t n) { n_ -= n; }
  size_t size() const { return n_; }
  char* data() { return data_; }
  // Pushes the contents as a string.
  void push_result();

 private:
  void grow(size_t extra);
  State* L_;
  char* data_;
  size_t n_ = 0;
  size_t cap_;
  char init_[256];
};

}  // namespace rua
