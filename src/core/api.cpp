// The native API (lua.h part). The auxiliary part is in auxlib.cpp.
#include "api.hpp"

#include <cstdio>
#include <cstring>

#include "call.hpp"
#include "debug.hpp"
#include "error.hpp"
#include "func.hpp"
#include "func_proto.hpp"
#include "gc.hpp"
#include "state_api.hpp"
#include "string.hpp"
#include "table.hpp"
#include "tm.hpp"
#include "vm.hpp"

namespace rua {

namespace {

inline bool is_pseudo(int idx) { return idx <= kRegistryIndex; }
inline bool is_upvalue_index(int idx) { return idx < kRegistryIndex; }

// Pseudo-indices (registry, upvalues): out of line, so that the stack cases
// below inline into every API function.
[[gnu::noinline]] Value* pseudo2value(State* L, int idx) {
  CallInfo* ci = L->ci;
  if (idx == kRegistryIndex) return &G(L)->registry;
  idx = kRegistryIndex - idx;  // upvalue
  if (ci->func->is_native_closure()) {
    NativeClosure* f = ci->func->as_native_closure();
    return idx <= f->nupvalues ? &f->upvalue[idx - 1] : &G(L)->nilvalue;
  }
  return &G(L)->nilvalue;
}

[[gnu::always_inline]] inline Value* index2value(State* L, int idx) {
  if (idx > 0) {
    StkId o = L->ci->func + idx;
    return o < L->top ? o : &G(L)->nilvalue;
  }
  if (!is_pseudo(idx)) [[likely]] return L->top + idx;
  return pseudo2value(L, idx);
}

inline StkId index2stack(State* L, int idx) {
  CallInfo* ci = L->ci;
  if (idx > 0) return ci->func + idx;
  return L->top + idx;
}

inline bool is_valid(State* L, const Value* o) { return o != &G(L)->nilvalue; }

inline void api_inc_top(State* L) { L->top++; }

inline void push_obj(State* L, const Value& v) {
  *L->top = v;
  api_inc_top(L);
}

Table* get_globals(State* L) {
  return table_get_int(G(L)->registry.as_table(), kRidxGlobals)->as_table();
}

Type aux_get_str(State* L, const Value* t, const char* k) {
  String* str = string_new(L, k);
  Value key;
  key.set_string(str);
  if (t->is_table()) {
    const Value* slot = table_get_str(t->as_table(), str);
    if (!slot->is_nil()) {
      push_obj(L, *slot);
      return L->top[-1].type();
    }
  }
  push_obj(L, key);  // anchor the key
  finish_get(L, t, L->top - 1, L->top - 1, false);
  return L->top[-1].type();
}

void aux_set_str(State* L, const Value* t, const char* k) {
  String* str = string_new(L, k);
  push_obj(L, make_value(str));  // anchor the key: stack is [value, key]
  finish_set(L, t, L->top - 1, L->top - 2, false);
  L->top -= 2;
}

}  // namespace

// ===================================================================
// State
// ===================================================================

State* new_state() {
  State* L = state_new();
  return L;
}

void close_state(State* L) { state_close(L); }

State* new_thread(State* L, int first_fn, int nargs, int below) {
  int size = kBasicStackSize;
  if (first_fn != 0) {
    // base frame, values below, the function and its arguments (the caller
    // moves them in with xmove, which does not check), its frame, and a
    // native called from its last register (more than kMinStack slots free:
    // check_stack grows at exactly kMinStack)
    int need = 1 + below + 1 + nargs + kMinStack + 1;
    const Value* f = index2value(L, first_fn);
    if (f->is_lua_closure()) need += f->as_lua_closure()->p->maxstacksize;
    if (need > size) size = need < kMaxStack ? need : kMaxStack;
  }
  State* L1 = thread_new(L, size);
  L->top->set_thread(L1);
  api_inc_top(L);
  return L1;
}

Status close_thread_api(State* L, State* from) { return close_thread(L, from); }

int status(State* L) { return L->status; }

void set_warn_fn(State* L, WarnFn f, void* ud) {
  G(L)->ud_warn = ud;
  G(L)->warnf = f;
}

void warn(State* L, const char* msg, bool tocont) { warning(L, msg, tocont); }

// ===================================================================
// Stack
// ===================================================================

int abs_index(State* L, int idx) { return (idx > 0 || is_pseudo(idx)) ? idx : int(L->top - L->ci->func) + idx; }

int get_top(State* L) { return int(L->top - (L->ci->func + 1)); }

void set_top(State* L, int idx) {
  CallInfo* ci = L->ci;
  StkId func = ci->func;
  StkId newtop;
  if (idx >= 0) {
    newtop = func + 1 + idx;
    while (L->top < newtop) (L->top++)->set_nil();
  } else {
    newtop = L->top + idx + 1;
  }
  if (L->tbclist >= newtop && L->tbclist != L->stack) {
    newtop = func_close(L, newtop, kCloseKTop, false);
  }
  L->top = newtop;
}

void close_slot(State* L, int idx) {
  StkId level = index2stack(L, idx);
  level = func_close(L, level, kCloseKTop, false);
  level->set_nil();
}

void to_close(State* L, int idx) {
  StkId o = index2stack(L, idx);
  new_tbc_var(L, o);
  L->ci->callstatus |= cist::kTbc;  // the function has slots to close on return
}

namespace {
void reverse(StkId from, StkId to) {
  for (; from < to; from++, to--) {
    Value temp = *from;
    *from = *to;
    *to = temp;
  }
}
}  // namespace

void rotate(State* L, int idx, int n) {
  StkId t = L->top - 1;
  StkId p = index2stack(L, idx);
  StkId m = n >= 0 ? t - n : p - n - 1;
  reverse(p, m);
  reverse(m + 1, t);
  reverse(p, t);
}

void copy(State* L, int fromidx, int toidx) {
  Value* fr = index2value(L, fromidx);
  Value* to = index2value(L, toidx);
  *to = *fr;
  if (is_upvalue_index(toidx)) gc_barrier(L, L->ci->func->as_native_closure(), *fr);
}

void push_value(State* L, int idx) { push_obj(L, *index2value(L, idx)); }

bool ensure_stack(State* L, int n) {
  CallInfo* ci = L->ci;
  bool res;
  if (L->stack_last - L->top > n) res = true;
  else res = grow_stack(L, n, false);
  if (res && ci->top < L->top + n) ci->top = L->top + n;
  return res;
}

void xmove(State* from, State* to, int n) {
  if (from == to) return;
  from->top -= n;
  for (int i = 0; i < n; i++) {
    *to->top = from->top[i];
    to->top++;
  }
}

// ===================================================================
// Access
// ===================================================================

bool is_number(State* L, int idx) {
  lua_Number n;
  return to_number(index2value(L, idx), &n);
}
bool is_string(State* L, int idx) {
  const Value* o = index2value(L, idx);
  return o->is_string() || o->is_number();
}
bool is_native_function(State* L, int idx) {
  const Value* o = index2value(L, idx);
  return o->is_light_fn() || o->is_native_closure();
}
bool is_integer(State* L, int idx) { return index2value(L, idx)->is_int(); }
bool is_userdata(State* L, int idx) {
  const Value* o = index2value(L, idx);
  return o->is_userdata() || o->is_light_userdata();
}

Type type(State* L, int idx) {
  const Value* o = index2value(L, idx);
  return is_valid(L, o) ? o->type() : Type::None;
}

const char* type_name_of(State* L, Type t) { return type_name(t); }

lua_Number to_numberx(State* L, int idx, bool* isnum) {
  lua_Number n = 0;
  bool ok = to_number(index2value(L, idx), &n);
  if (isnum) *isnum = ok;
  return ok ? n : 0;
}

lua_Integer to_integerx(State* L, int idx, bool* isnum) {
  lua_Integer res = 0;
  bool ok = to_integer(index2value(L, idx), &res);
  if (isnum) *isnum = ok;
  return ok ? res : 0;
}

bool to_boolean(State* L, int idx) { return !index2value(L, idx)->is_falsy(); }

const char* to_lstring(State* L, int idx, size_t* len) {
  Value* o = index2value(L, idx);
  if (!o->is_string()) {
    if (!o->is_number()) {
      if (len) *len = 0;
      return nullptr;
    }
    gc_check(L);
    o = index2value(L, idx);  // the collector may have moved the stack
    number_to_string_value(L, o);
  }
  String* s = o->as_string();
  if (len) *len = s->len;
  return s->data();
}

lua_Unsigned raw_len(State* L, int idx) {
  const Value* o = index2value(L, idx);
  switch (o->tt) {
    case kTagShortStr:
    case kTagLongStr: return o->as_string()->len;
    case kTagUserdata: return o->as_userdata()->len;
    case kTagTable: return table_length(o->as_table(), G(L)->seed);
    default: return 0;
  }
}

NativeFn to_native_function(State* L, int idx) {
  const Value* o = index2value(L, idx);
  if (o->is_light_fn()) return o->as_light_fn();
  if (o->is_native_closure()) return o->as_native_closure()->f;
  return nullptr;
}

void* to_userdata(State* L, int idx) {
  const Value* o = index2value(L, idx);
  if (o->is_userdata()) return o->as_userdata()->memory();
  if (o->is_light_userdata()) return o->as_light_userdata();
  return nullptr;
}

State* to_thread(State* L, int idx) {
  const Value* o = index2value(L, idx);
  return o->is_thread() ? o->as_thread() : nullptr;
}

const void* to_pointer(State* L, int idx) {
  const Value* o = index2value(L, idx);
  switch (o->tt) {
    case kTagLightFn: return reinterpret_cast<const void*>(o->as_light_fn());
    case kTagUserdata: case kTagLightUd: return to_userdata(L, idx);
    default:
      if (o->is_collectable()) return o->as_gc();
      return nullptr;
  }
}

bool raw_equal(State* L, int idx1, int idx2) {
  const Value* o1 = index2value(L, idx1);
  const Value* o2 = index2value(L, idx2);
  return is_valid(L, o1) && is_valid(L, o2) && raw_equal(*o1, *o2);
}

bool compare(State* L, int idx1, int idx2, int op) {
  const Value* o1 = index2value(L, idx1);
  const Value* o2 = index2value(L, idx2);
  int res = 0;
  if (is_valid(L, o1) && is_valid(L, o2)) {
    switch (op) {
      case kOpEq: equal_obj(L, o1, o2, &res, false); break;
      case kOpLt: less_than(L, o1, o2, &res, false); break;
      case kOpLe: less_equal(L, o1, o2, &res, false); break;
    }
  }
  return res != 0;
}

void arith(State* L, int op) {
  if (op == kOpUnm || op == kOpBNot) {  // unary: duplicate the operand as second
    *L->top = L->top[-1];
    api_inc_top(L);
  }
  arith(L, op, L->top - 2, L->top - 1, L->top - 2);
  L->top--;
}

// ===================================================================
// Push
// ===================================================================

void push_nil(State* L) {
  L->top->set_nil();
  api_inc_top(L);
}
void push_number(State* L, lua_Number n) {
  L->top->set_float(n);
  api_inc_top(L);
}
void push_integer(State* L, lua_Integer n) {
  L->top->set_int(n);
  api_inc_top(L);
}
const char* push_lstring(State* L, const char* s, size_t len) {
  String* ts = len == 0 ? string_new(L, "", 0) : string_new(L, s, len);
  L->top->set_string(ts);
  api_inc_top(L);
  gc_check(L);
  return ts->data();
}
const char* push_string(State* L, const char* s) {
  if (s == nullptr) {
    push_nil(L);
    return nullptr;
  }
  return push_lstring(L, s, std::strlen(s));
}

namespace {
size_t utf8_esc(char* buff, uint32_t x) {  // writes backwards from buff+8; returns the length
  int n = 1;
  if (x < 0x80) {
    buff[7] = char(x);
  } else {
    unsigned mfb = 0x3f;
    do {
      buff[8 - (n++)] = char(0x80 | (x & 0x3f));
      x >>= 6;
      mfb >>= 1;
    } while (x > mfb);
    buff[8 - n] = char((~mfb << 1) | x);
  }
  return size_t(n);
}
}  // namespace

const char* push_vfstring(State* L, const char* fmt, va_list argp) {
  std::string out;
  const char* e;
  while ((e = std::strchr(fmt, '%')) != nullptr) {
    out.append(fmt, size_t(e - fmt));
    switch (e[1]) {
      case 's': {
        const char* s = va_arg(argp, char*);
        out += s ? s : "(null)";
        break;
      }
      case 'c': out += char(va_arg(argp, int)); break;
      case 'd': {
        char buf[64];
        Value v = Value::integer(va_arg(argp, int));
        out.append(buf, number_to_cstr(&v, buf));
        break;
      }
      case 'I': {
        char buf[64];
        Value v = Value::integer(lua_Integer(va_arg(argp, long long)));
        out.append(buf, number_to_cstr(&v, buf));
        break;
      }
      case 'f': {
        char buf[64];
        Value v = Value::number(va_arg(argp, double));
        out.append(buf, number_to_cstr(&v, buf));
        break;
      }
      case 'p': {
        char buf[64];
        void* p = va_arg(argp, void*);
        int n = p ? std::snprintf(buf, sizeof buf, "%p", p) : std::snprintf(buf, sizeof buf, "(null)");
        out.append(buf, size_t(n));
        break;
      }
      case 'U': {
        char buf[8];
        size_t n = utf8_esc(buf, uint32_t(va_arg(argp, unsigned long)));
        out.append(buf + 8 - n, n);
        break;
      }
      case '%': out += '%'; break;
      default: out.append(e, 2); break;
    }
    fmt = e + 2;
  }
  out += fmt;
  return push_lstring(L, out.data(), out.size());
}

const char* push_fstring(State* L, const char* fmt, ...) {
  va_list argp;
  va_start(argp, fmt);
  const char* r = push_vfstring(L, fmt, argp);
  va_end(argp);
  return r;
}

void push_native(State* L, NativeFn f, int n) {
  if (n == 0) {
    L->top->set_light_fn(f);
    api_inc_top(L);
    return;
  }
  NativeClosure* cl = native_closure_new(L, n);
  cl->f = f;
  L->top -= n;
  for (int i = 0; i < n; i++) cl->upvalue[i] = L->top[i];
  L->top->set_native_closure(cl);
  api_inc_top(L);
  gc_check(L);
}

void push_boolean(State* L, bool b) {
  L->top->set_bool(b);
  api_inc_top(L);
}
void push_light_userdata(State* L, void* p) {
  L->top->set_light_userdata(p);
  api_inc_top(L);
}
bool push_thread(State* L) {
  L->top->set_thread(L);
  api_inc_top(L);
  return G(L)->mainthread == L;
}
void push_global_table(State* L) {
  L->top->set_table(get_globals(L));
  api_inc_top(L);
}

// ===================================================================
// Get
// ===================================================================

Type get_global(State* L, const char* name) {
  Value g;
  g.set_table(get_globals(L));
  return aux_get_str(L, &g, name);
}

Type get_table(State* L, int idx) {
  const Value* t = index2value(L, idx);
  finish_get(L, t, L->top - 1, L->top - 1, false);
  return L->top[-1].type();
}

Type get_field(State* L, int idx, const char* k) { return aux_get_str(L, index2value(L, idx), k); }

Type get_i(State* L, int idx, lua_Integer n) {
  const Value* t = index2value(L, idx);
  if (t->is_table()) {
    const Value* slot = table_get_int_fast(t->as_table(), n);
    if (!slot->is_nil()) {
      push_obj(L, *slot);
      return L->top[-1].type();
    }
  }
  Value key = Value::integer(n);
  push_obj(L, key);
  finish_get(L, t, L->top - 1, L->top - 1, false);
  return L->top[-1].type();
}

Type raw_get(State* L, int idx) {
  Table* t = index2value(L, idx)->as_table();
  const Value* v = table_get(t, L->top[-1]);
  if (v->is_nil()) L->top[-1].set_nil();
  else L->top[-1] = *v;
  return L->top[-1].type();
}

Type raw_get_i(State* L, int idx, lua_Integer n) {
  Table* t = index2value(L, idx)->as_table();
  const Value* v = table_get_int(t, n);
  if (v->is_nil()) push_nil(L);
  else push_obj(L, *v);
  return L->top[-1].type();
}

Type raw_get_p(State* L, int idx, const void* p) {
  Table* t = index2value(L, idx)->as_table();
  Value k;
  k.set_light_userdata(const_cast<void*>(p));
  const Value* v = table_get(t, k);
  if (v->is_nil()) push_nil(L);
  else push_obj(L, *v);
  return L->top[-1].type();
}

void create_table(State* L, int narr, int nrec) {
  Table* t = table_new(L);
  L->top->set_table(t);
  api_inc_top(L);
  if (narr > 0 || nrec > 0) table_resize(L, t, uint32_t(narr), uint32_t(nrec));
  gc_check(L);
}

void* new_userdata(State* L, size_t size, int nuvalue) {
  if (nuvalue < 0 || nuvalue >= 65535) errorf(L, "invalid user value count");
  if (size > (SIZE_MAX - Userdata::memory_offset(nuvalue))) mem_error(L);
  auto* u = static_cast<Userdata*>(gc_new_object(L, kTagUserdata, Userdata::memory_offset(nuvalue) + size));
  u->len = size;
  u->nuvalue = uint16_t(nuvalue);
  u->metatable = nullptr;
  u->gclist = nullptr;
  for (int i = 0; i < nuvalue; i++) u->uv()[i].set_nil();
  L->top->set_userdata(u);
  api_inc_top(L);
  gc_check(L);
  return u->memory();
}

bool get_metatable(State* L, int objindex) {
  const Value* obj = index2value(L, objindex);
  Table* mt = get_metatable(L, obj);
  if (mt == nullptr) return false;
  L->top->set_table(mt);
  api_inc_top(L);
  return true;
}

Type get_i_uservalue(State* L, int idx, int n) {
  const Value* o = index2value(L, idx);
  Userdata* u = o->as_userdata();
  if (n <= 0 || n > u->nuvalue) {
    push_nil(L);
    return Type::None;
  }
  push_obj(L, u->uv()[n - 1]);
  return L->top[-1].type();
}

// ===================================================================
// Set
// ===================================================================

void set_global(State* L, const char* name) {
  Value g;
  g.set_table(get_globals(L));
  aux_set_str(L, &g, name);
}

void set_table(State* L, int idx) {
  const Value* t = index2value(L, idx);
  finish_set(L, t, L->top - 2, L->top - 1, false);
  L->top -= 2;
}

void set_field(State* L, int idx, const char* k) { aux_set_str(L, index2value(L, idx), k); }

void set_i(State* L, int idx, lua_Integer n) {
  const Value* t = index2value(L, idx);
  if (t->is_table()) {  // fast path (table.insert/remove shift with it): an existing slot, or
    Table* h = t->as_table();  // an array slot of a table without __newindex
    Value* slot = const_cast<Value*>(table_get_int_fast(h, n));
    if (!slot->is_nil() || (lua_Unsigned(n) - 1u < h->asize && fast_tm(G(L), h->metatable, TM::NewIndex) == nullptr)) {
      *slot = L->top[-1];
      gc_barrier_back(L, h, *slot);
      L->top--;
      return;
    }
  }
  Value key = Value::integer(n);
  push_obj(L, key);  // stack: [value, key]
  finish_set(L, t, L->top - 1, L->top - 2, false);
  L->top -= 2;
}

void raw_set(State* L, int idx) {
  Table* t = index2value(L, idx)->as_table();
  table_set(L, t, L->top[-2], L->top[-1]);
  invalidate_tm_cache(t);
  gc_barrier_back(L, t, L->top[-1]);
  L->top -= 2;
}

void raw_set_i(State* L, int idx, lua_Integer n) {
  Table* t = index2value(L, idx)->as_table();
  table_set_int(L, t, n, L->top[-1]);
  gc_barrier_back(L, t, L->top[-1]);
  L->top--;
}

void raw_set_p(State* L, int idx, const void* p) {
  Table* t = index2value(L, idx)->as_table();
  Value k;
  k.set_light_userdata(const_cast<void*>(p));
  table_set(L, t, k, L->top[-1]);
  gc_barrier_back(L, t, L->top[-1]);
  L->top--;
}

void set_metatable(State* L, int objindex) {
  Value* obj = index2value(L, objindex);
  Table* mt = L->top[-1].is_nil() ? nullptr : L->top[-1].as_table();
  switch (obj->tt) {
    case kTagTable:
      obj->as_table()->metatable = mt;
      if (mt) {
        gc_barrier_obj(L, obj->as_gc(), mt);
        gc_check_finalizer(L, obj->as_gc(), mt);
      }
      break;
    case kTagUserdata:
      obj->as_userdata()->metatable = mt;
      if (mt) {
        gc_barrier_obj(L, obj->as_gc(), mt);
        gc_check_finalizer(L, obj->as_gc(), mt);
      }
      break;
    default:
      G(L)->mt[int(obj->type())] = mt;
      break;
  }
  L->top--;
}

bool set_i_uservalue(State* L, int idx, int n) {
  Value* o = index2value(L, idx);
  Userdata* u = o->as_userdata();
  bool ok = n > 0 && n <= u->nuvalue;
  if (ok) {
    u->uv()[n - 1] = L->top[-1];
    gc_barrier(L, u, L->top[-1]);
  }
  L->top--;
  return ok;
}

// ===================================================================
// Calls
// ===================================================================

void call(State* L, int nargs, int nresults) {
  StkId func = L->top - (nargs + 1);
  call_value_noyield(L, func, nresults);
  if (nresults <= kMultRet && L->ci->top < L->top) L->ci->top = L->top;
}

bool call_predicate(State* L, int f, int a, int b) {
  StkId top = L->top;
  top[0] = *index2value(L, f);
  top[1] = *index2value(L, a);
  top[2] = *index2value(L, b);
  L->top = top + 3;
  call_value_noyield(L, top, 1);
  bool res = !L->top[-1].is_falsy();
  L->top--;
  return res;
}

Status pcall(State* L, int nargs, int nresults, int msgh) {
  ptrdiff_t func = msgh == 0 ? 0 : save_stack(L, index2stack(L, msgh));
  StkId f = L->top - (nargs + 1);
  Status st = pcall_value(L, f, nresults, func);
  if (nresults <= kMultRet && L->ci->top < L->top) L->ci->top = L->top;
  return st;
}

int call_k(State* L, int nargs, int nresults, intptr_t ctx, KFunction k) {
  CallInfo* ci = L->ci;
  ci->u.c.k = k;
  ci->u.c.ctx = ctx;
  ci->u2.funcidx = int(save_stack(L, L->top - (nargs + 1)));
  ci->callstatus |= cist::kPendingK;
  L->req_nresults = nresults;
  return kNativeCallK;
}

int pcall_k(State* L, int nargs, int nresults, int msgh, intptr_t ctx, KFunction k) {
  CallInfo* ci = L->ci;
  ci->u.c.k = k;
  ci->u.c.ctx = ctx;
  ci->u2.funcidx = int(save_stack(L, L->top - (nargs + 1)));
  ci->u.c.old_errfunc = L->errfunc;
  L->errfunc = msgh == 0 ? 0 : save_stack(L, index2stack(L, msgh));
  ci->callstatus = (ci->callstatus & ~cist::kOah) | (L->allowhook ? cist::kOah : 0);
  ci->callstatus |= cist::kYPcall | cist::kPendingK;
  L->req_nresults = nresults;
  return kNativeCallK;
}

int yield_k(State* L, int nresults, intptr_t ctx, KFunction k) {
  CallInfo* ci = L->ci;
  if (!L->yieldable()) {
    if (L != G(L)->mainthread) run_error(L, "attempt to yield across a C-call boundary");
    run_error(L, "attempt to yield from outside a coroutine");
  }
  L->status = kYield;
  ci->u2.nyield = nresults;
  if (ci->is_lua()) return 0;  // inside a hook: handled by the hook caller
  ci->u.c.k = k;
  ci->u.c.ctx = ctx;
  return kNativeYield;
}

int resume_k(State* L, State* co, int nargs, intptr_t ctx, KFunction k) {
  CallInfo* ci = L->ci;
  ci->u.c.k = k;
  ci->u.c.ctx = ctx;
  L->target = co;
  L->req_nargs = nargs;
  return kNativeResume;
}

Status resume(State* co, State* from, int nargs, int* nresults) {
  return resume_thread(co, from, nargs, nresults);
}

bool is_yieldable(State* L) { return L->yieldable(); }

int suspend(State* L) {
  if (!can_suspend(L)) run_error(L, "attempt to yield across a C-call boundary");
  L->ci->u.c.k = nullptr;  // when continued, the native returns the values pushed for it
  return kNativeSuspend;
}

namespace {
// Where the task's function is on the stack. A vararg function with hidden
// arguments has moved its frame above them (VARARGPREP, its first
// instruction, so before any suspension); its return moves the results back
// down to the original slot, which is where they must be counted from.
StkId task_func(CallInfo* ci) {
  if (!ci->is_lua()) return ci->func;
  const Proto* p = ci->lua_closure()->p;
  if ((p->flag & kProtoVarargHidden) && ci->u.l.savedpc > p->code)
    return ci->func - (ci->u.l.nextraargs + p->numparams + 1);
  return ci->func;
}

TaskStatus run_task(State* root, CallInfo* limit, int enter, State* start, int* nres) {
  ptrdiff_t base_off = save_stack(root, task_func(limit));
  CallInfo* caller = limit->previous;
  uint32_t old_nccalls = root->nCcalls;
  uint8_t old_allowhook = root->allowhook;
  Status status;
  try {
    Exit e = drive(root, limit, enter, start);
    switch (e) {
      case Exit::Return:
        *nres = int(root->top - restore_stack(root, base_off));
        return TaskStatus::Finished;
      case Exit::Yield:
        root->status = kYield;
        *nres = root->ci->u2.nyield;
        return TaskStatus::Yielded;
      case Exit::Suspend:
        *nres = 0;
        return TaskStatus::Suspended;
      default: break;
    }
  } catch (const LuaError& e) {
    status = e.status;
  } catch (const std::bad_alloc&) {
    status = kErrMem;
  }
  // The task failed: unwind its frames as a protected call does, running
  // its pending __close handlers with the error, and leave the error object
  // where the task's function was.
  root->ci = caller;
  root->nCcalls = old_nccalls;
  root->allowhook = old_allowhook;
  status = close_protected(root, base_off, status);
  set_error_obj(root, status, restore_stack(root, base_off));
  shrink_stack(root);
  *nres = 1;
  return TaskStatus::Failed;
}
}  // namespace

TaskStatus task_start(State* root, int nargs, int* nres) {
  StkId func = root->top - nargs - 1;
  CallInfo* ci = push_frame(root, func, kMultRet, cist::kFresh);
  return run_task(root, ci, ci->is_lua() ? kEnterContinue : kEnterStartNative, nullptr, nres);
}

TaskStatus task_continue(State* inner, int nargs, int* nres) {
  State* root = chain_root(inner);
  int enter = prepare_resume(inner, nargs);
  // The task's bottom frame is the lowest FRESH frame (no C++ level can be
  // running Lua code on a suspended chain, so there is no other).
  CallInfo* limit = nullptr;
  for (CallInfo* ci = root->ci; ci != &root->base_ci; ci = ci->previous) {
    if (ci->callstatus & cist::kFresh) limit = ci;
  }
  if (limit == nullptr) run_error(inner, "task_continue: not a task");
  return run_task(root, limit, enter, inner, nres);
}

const char* check_resumable(State* co, int nargs) {
  if (co->status == kOk) {
    if (co->ci != &co->base_ci) return "cannot resume non-suspended coroutine";
    if (co->top - (co->ci->func + 1) == nargs) return "cannot resume dead coroutine";
    return nullptr;
  }
  if (co->status != kYield) return "cannot resume dead coroutine";
  return nullptr;
}

const char* coroutine_status(State* L, State* co) {
  if (L == co) return "running";
  switch (co->status) {
    case kYield: return "suspended";
    case kOk:
      if (co->ci != &co->base_ci) return "normal";
      if (co->top - (co->ci->func + 1) == 0) return "dead";
      return "suspended";  // not started
    default: return "dead";
  }
}

void close_self(State* L) {
  State* resumer = L->resumer;  // the pending resume returns to it
  Status st = reset_thread(L, Status(L->status));
  L->resumer = resumer;
  LuaError e{st};
  e.to_base = true;
  throw e;
}

Status load(State* L, std::string_view chunk, const char* chunkname, const char* mode) {
  Status st = load_chunk(L, chunk, chunkname ? chunkname : "?", mode);
  return st;
}

void error(State* L) {
  const Value* errobj = L->top - 1;
  if (errobj->is_short_string() && errobj->as_string() == G(L)->memerrmsg) mem_error(L);
  error_msg(L);
}

int error_return(State* L) {
  const Value* errobj = L->top - 1;
  if (errobj->is_short_string() && errobj->as_string() == G(L)->memerrmsg) mem_error(L);
  prepare_error_msg(L);
  return kNativeError;
}

// ===================================================================
// Misc
// ===================================================================

int next_slot(State* L, int idx, int slot) {
  const Table* t = index2value(L, idx)->as_table();
  uint32_t pos = table_scan(t, uint32_t(slot), L->top);
  if (pos != 0) L->top += 2;
  return int(pos);
}

bool next(State* L, int idx) {
  Table* t = index2value(L, idx)->as_table();
  bool more = table_next(L, t, L->top - 1);
  if (more) api_inc_top(L);
  else L->top--;
  return more;
}

void concat(State* L, int n) {
  if (n > 0) {
    concat(L, n, false);
  } else {
    L->top->set_string(string_new(L, "", 0));
    api_inc_top(L);
  }
  gc_check(L);
}

void len(State* L, int idx) {
  const Value* t = index2value(L, idx);
  obj_len(L, L->top, t, false);
  api_inc_top(L);
}

size_t string_to_number(State* L, const char* s) {
  Value str;
  size_t sz = std::strlen(s);
  String* ts = string_new(L, s, sz);
  str.set_string(ts);
  Value out;
  if (!string_to_number_value(&str, &out)) return 0;
  push_obj(L, out);
  return sz + 1;
}

namespace {
const char* aux_upvalue(const Value* fi, int n, Value** val, GCObject** owner) {
  switch (fi->tt) {
    case kTagNativeClosure: {
      NativeClosure* f = fi->as_native_closure();
      if (!(unsigned(n) - 1u < unsigned(f->nupvalues))) return nullptr;
      *val = &f->upvalue[n - 1];
      if (owner) *owner = f;
      return "";
    }
    case kTagLuaClosure: {
      LuaClosure* f = fi->as_lua_closure();
      Proto* p = f->p;
      if (!(unsigned(n) - 1u < unsigned(p->sizeupvalues))) return nullptr;
      *val = f->upvals[n - 1]->v;
      if (owner) *owner = f->upvals[n - 1];
      String* name = p->upvalues[n - 1].name;
      return name == nullptr ? "(no name)" : name->c_str();
    }
    default: return nullptr;
  }
}
}  // namespace

const char* get_upvalue(State* L, int funcindex, int n) {
  Value* val = nullptr;
  const char* name = aux_upvalue(index2value(L, funcindex), n, &val, nullptr);
  if (name) push_obj(L, *val);
  return name;
}

const char* set_upvalue(State* L, int funcindex, int n) {
  Value* val = nullptr;
  GCObject* owner = nullptr;
  const char* name = aux_upvalue(index2value(L, funcindex), n, &val, &owner);
  if (name) {
    L->top--;
    *val = *L->top;
    gc_barrier(L, owner, *val);
  }
  return name;
}

void* upvalue_id(State* L, int fidx, int n) {
  const Value* fi = index2value(L, fidx);
  switch (fi->tt) {
    case kTagLuaClosure: {
      LuaClosure* f = fi->as_lua_closure();
      if (1 <= n && n <= f->p->sizeupvalues) return f->upvals[n - 1];
      return nullptr;
    }
    case kTagNativeClosure: {
      NativeClosure* f = fi->as_native_closure();
      if (1 <= n && n <= f->nupvalues) return &f->upvalue[n - 1];
      return nullptr;
    }
    case kTagLightFn: return nullptr;
    default: return nullptr;
  }
}

void upvalue_join(State* L, int f1, int n1, int f2, int n2) {
  LuaClosure* c1 = index2value(L, f1)->as_lua_closure();
  LuaClosure* c2 = index2value(L, f2)->as_lua_closure();
  c1->upvals[n1 - 1] = c2->upvals[n2 - 1];
  gc_barrier_obj(L, c1, c1->upvals[n1 - 1]);
}

void set_memory_limit(State* L, size_t bytes) { G(L)->memlimit = bytes; }
size_t memory_limit(State* L) { return G(L)->memlimit; }

int gc(State* L, int what, int a, int b) {
  GlobalState* g = G(L);
  if (g->gcstp & (kGCStopGC | kGCStopClosing)) return -1;  // collector is not usable now
  int res = 0;
  switch (what) {
    case kGcStop: g->gcstp = kGCStopUser; break;
    case kGcRestart:
      g->gcdebt = 0;
      g->gcstp = 0;
      break;
    case kGcCollect: gc_full(L, false); break;
    case kGcCount: res = int(g->totalbytes >> 10); break;
    case kGcCountB: res = int(g->totalbytes & 0x3ff); break;
    case kGcStep: {
      uint8_t old = g->gcstp;
      g->gcstp = 0;
      res = gc_step_api(L, size_t(a)) ? 1 : 0;
      g->gcstp = old;
      break;
    }
    case kGcIsRunning: res = g->gcstp == 0; break;
    case kGcGen:
      res = g->gckind == GCKind::Generational ? kGcGen : kGcInc;
      gc_change_mode(L, GCKind::Generational);
      break;
    case kGcInc:
      res = g->gckind == GCKind::Generational ? kGcGen : kGcInc;
      gc_change_mode(L, GCKind::Incremental);
      break;
    case kGcParam: {
      res = gc_get_param(g, a);
      if (b >= 0) gc_set_param(g, a, b);
      break;
    }
    default: res = -1;
  }
  return res;
}

}  // namespace rua
