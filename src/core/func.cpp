#include "func.hpp"

#include "call.hpp"
#include "debug.hpp"
#include "error.hpp"
#include "gc.hpp"
#include "string.hpp"
#include "tm.hpp"

namespace rua {

Proto* proto_new(State* L) {
  auto* f = static_cast<Proto*>(gc_new_object(L, kTagProto, sizeof(Proto)));
  f->numparams = 0;
  f->flag = 0;
  f->maxstacksize = 0;
  f->sizeupvalues = f->sizek = f->sizecode = f->sizep = f->sizelocvars = 0;
  f->linedefined = f->lastlinedefined = 0;
  f->k = nullptr;
  f->code = nullptr;
  f->p = nullptr;
  f->upvalues = nullptr;
  f->lineinfo = nullptr;
  f->locvars = nullptr;
  f->source = nullptr;
  f->gclist = nullptr;
  return f;
}

size_t proto_size(const Proto* f) {
  return sizeof(Proto) + sizeof(Value) * size_t(f->sizek) + sizeof(Instruction) * size_t(f->sizecode) +
         sizeof(Proto*) * size_t(f->sizep) + sizeof(UpvalInfo) * size_t(f->sizeupvalues) +
         (f->lineinfo ? sizeof(int) * size_t(f->sizecode) : 0) + sizeof(LocVarInfo) * size_t(f->sizelocvars);
}

void proto_free(State* L, Proto* f) {
  mem_free_array(L, f->k, size_t(f->sizek));
  mem_free_array(L, f->code, size_t(f->sizecode));
  mem_free_array(L, f->p, size_t(f->sizep));
  mem_free_array(L, f->upvalues, size_t(f->sizeupvalues));
  if (f->lineinfo) mem_free_array(L, f->lineinfo, size_t(f->sizecode));
  mem_free_array(L, f->locvars, size_t(f->sizelocvars));
  mem_free(L, f, sizeof(Proto));
}

LuaClosure* lua_closure_new(State* L, int n) {
  auto* c = static_cast<LuaClosure*>(gc_new_object(L, kTagLuaClosure, lua_closure_size(n)));
  c->p = nullptr;
  c->nupvalues = uint8_t(n);
  c->gclist = nullptr;
  for (int i = 0; i < n; i++) c->upvals[i] = nullptr;
  return c;
}

NativeClosure* native_closure_new(State* L, int n) {
  auto* c = static_cast<NativeClosure*>(gc_new_object(L, kTagNativeClosure, native_closure_size(n)));
  c->nupvalues = uint8_t(n);
  c->gclist = nullptr;
  c->f = nullptr;
  for (int i = 0; i < n; i++) c->upvalue[i].set_nil();
  return c;
}

void closure_init_upvals(State* L, LuaClosure* cl) {
  for (int i = 0; i < cl->nupvalues; i++) {
    auto* uv = static_cast<UpVal*>(gc_new_object(L, kTagUpVal, sizeof(UpVal)));
    uv->v = &uv->u.value;
    uv->u.value.set_nil();
    cl->upvals[i] = uv;
    gc_barrier_obj(L, cl, uv);
  }
}

namespace {
UpVal* new_upval(State* L, StkId level, UpVal** prev) {
  auto* uv = static_cast<UpVal*>(gc_new_object(L, kTagUpVal, sizeof(UpVal)));
  UpVal* next = *prev;
  uv->v = level;
  uv->u.open.next = next;
  uv->u.open.previous = prev;
  if (next) next->u.open.previous = &uv->u.open.next;
  *prev = uv;
  if (L->twups == L) {  // not in the list of threads with upvalues?
    L->twups = G(L)->twups;
    G(L)->twups = L;
  }
  return uv;
}
}  // namespace

UpVal* find_upval(State* L, StkId level) {
  UpVal** pp = &L->openupval;
  UpVal* p;
  while ((p = *pp) != nullptr && p->v >= level) {
    if (p->v == level) return p;
    pp = &p->u.open.next;
  }
  return new_upval(L, level, pp);
}

void unlink_upval(UpVal* uv) {
  *uv->u.open.previous = uv->u.open.next;
  if (uv->u.open.next) uv->u.open.next->u.open.previous = uv->u.open.previous;
}

void close_upvals(State* L, StkId level) {
  UpVal* uv;
  while ((uv = L->openupval) != nullptr && uv->v >= level) {
    Value* slot = &uv->u.value;
    unlink_upval(uv);
    *slot = *uv->v;
    uv->v = slot;
    if (!is_white(uv)) {  // neither white nor dead: closed upvalues cannot be gray
      uv->marked |= (1 << kBlackBit);
      gc_barrier(L, uv, *slot);
    }
  }
}

void new_tbc_var(State* L, StkId level) {
  if (level->is_falsy()) return;  // false and nil need no closing
  const Value* tm = get_tm_by_obj(L, level, TM::Close);
  if (tm->is_nil()) {
    int idx = int(level - L->ci->func);
    const char* vname = find_local_name(L, L->ci, idx);
    if (vname == nullptr) vname = "?";
    run_error(L, "variable '%s' got a non-closable value", vname);
  }
  level->aux_next = int32_t(level - L->tbclist);
  L->tbclist = level;
}

StkId pop_tbc_var(State* L, StkId level) {
  StkId tbc = L->tbclist;
  if (tbc < level || tbc == L->stack) return nullptr;
  L->tbclist = tbc - tbc->aux_next;
  return tbc;
}

namespace {
// Pushes the __close method of the variable at 'level', the variable, and the
// error object (if any), ready for a call with no results; returns the function slot.
StkId prep_close_call(State* L, StkId level, int status) {
  const Value* err = nullptr;
  switch (status) {
    case kOk: L->top = level + 1; break;
    case kCloseKTop: break;
    default:
      set_error_obj(L, Status(status), level + 1);  // error object goes after the variable
      err = level + 1;
      break;
  }
  StkId func = L->top;
  const Value* tm = get_tm_by_obj(L, level, TM::Close);
  func[0] = *tm;
  func[1] = *level;
  L->top = func + 2;
  if (err) *L->top++ = *err;
  return func;
}
}  // namespace

StkId func_close(State* L, StkId level, int status, bool yy) {
  ptrdiff_t levelrel = save_stack(L, level);
  close_upvals(L, level);
  while (StkId tbc = pop_tbc_var(L, level)) {
    StkId func = prep_close_call(L, tbc, status);
    if (yy) call_value(L, func, 0);
    else call_value_noyield(L, func, 0);
    level = restore_stack(L, levelrel);
  }
  return level;
}

const char* local_name(const Proto* f, int local_number, int pc) {
  for (int i = 0; i < f->sizelocvars && f->locvars[i].startpc <= pc; i++) {
    if (pc < f->locvars[i].endpc) {
      local_number--;
      if (local_number == 0) return f->locvars[i].name->c_str();
    }
  }
  return nullptr;
}

}  // namespace rua
