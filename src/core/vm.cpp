// The interpreter loop.
//
// Rules the loop relies on (break one and something subtle fails):
//  1. Lua-to-Lua calls, returns and tail calls never recurse in C++: a call
//     pushes a CallInfo and jumps to 'startfunc'; a return pops it and jumps
//     to 'returning'. Only a frame flagged cist::kFresh leaves the loop.
//  2. Before anything that can raise, call a metamethod, collect garbage or
//     reallocate the stack, 'savedpc' is saved (save_pc / protect) so errors
//     and hooks see the right instruction and the frame can be resumed.
//  3. After such an operation the stack may have moved: 'base' is reloaded
//     when 'trap' says so (the stack reallocation sets every frame's trap).
//  4. Metamethods run as frames (vm.hpp): an instruction that needs one
//     pushes it and continues at 'newframe'; finish_op() completes the
//     instruction when that frame returns.
//  5. A native function's result code is handled at 'native_result': a
//     count finishes its frame; the other codes request a call with a
//     continuation, a yield, a resume or a suspension (call.hpp).
//  6. A native frame that asked for a call with continuation is flagged
//     cist::kPendingK; returning into it runs the continuation.
#include "call.hpp"
#include "debug.hpp"
#include "error.hpp"
#include "func.hpp"
#include "gc.hpp"
#include "string.hpp"
#include "table.hpp"
#include "tm.hpp"
#include "vm.hpp"

namespace rua {

namespace {

// Closes upvalues and, one at a time, to-be-closed variables at or above
// 'level' for OP_CLOSE/OP_RETURN. Returns true if a __close frame was pushed
// (the instruction is then redone when it returns, see finish_op).
bool close_vars(State* L, StkId level, int status) {
  close_upvals(L, level);
  StkId tbc = pop_tbc_var(L, level);
  if (tbc == nullptr) return false;
  if (status == kOk) L->top = tbc + 1;  // the call can go right after the variable
  StkId func = L->top;
  const Value* tm = get_tm_by_obj(L, tbc, TM::Close);
  func[0] = *tm;
  func[1] = *tbc;
  L->top = func + 2;
  push_frame(L, func, 0, cist::kFinishOp);
  return true;
}

// Creates the closure for prototype p in register ra.
void push_closure(State* L, Proto* p, UpVal** encup, StkId base, StkId ra) {
  int nup = p->sizeupvalues;
  LuaClosure* ncl = lua_closure_new(L, nup);
  ncl->p = p;
  ra->set_lua_closure(ncl);
  for (int i = 0; i < nup; i++) {
    if (p->upvalues[i].instack) ncl->upvals[i] = find_upval(L, base + p->upvalues[i].idx);
    else ncl->upvals[i] = encup[p->upvalues[i].idx];
    gc_barrier_obj(L, ncl, ncl->upvals[i]);
  }
}

bool float_for_loop(StkId ra) {
  lua_Number step = ra[1].as_float();
  lua_Number limit = ra[0].as_float();
  lua_Number idx = ra[2].as_float() + step;
  if (0 < step ? idx <= limit : limit <= idx) {
    ra[2].set_float(idx);
    return true;
  }
  return false;
}

// Number comparisons between int and float without loss (PUC LTnum/LEnum).
inline bool lt_int_float(lua_Integer i, lua_Number f) {
  if (i >= -(lua_Integer(1) << 53) && i <= (lua_Integer(1) << 53)) return lua_Number(i) < f;
  lua_Integer fi;
  if (float_to_integer(f, &fi, F2I::Ceil)) return i < fi;
  return f > 0;
}
inline bool le_int_float(lua_Integer i, lua_Number f) {
  if (i >= -(lua_Integer(1) << 53) && i <= (lua_Integer(1) << 53)) return lua_Number(i) <= f;
  lua_Integer fi;
  if (float_to_integer(f, &fi, F2I::Floor)) return i <= fi;
  return f > 0;
}
inline bool lt_float_int(lua_Number f, lua_Integer i) {
  if (i >= -(lua_Integer(1) << 53) && i <= (lua_Integer(1) << 53)) return f < lua_Number(i);
  lua_Integer fi;
  if (float_to_integer(f, &fi, F2I::Floor)) return fi < i;
  return f < 0;
}
inline bool le_float_int(lua_Number f, lua_Integer i) {
  if (i >= -(lua_Integer(1) << 53) && i <= (lua_Integer(1) << 53)) return f <= lua_Number(i);
  lua_Integer fi;
  if (float_to_integer(f, &fi, F2I::Ceil)) return fi <= i;
  return f < 0;
}
inline bool lt_num(const Value* l, const Value* r) {
  if (l->is_int()) return r->is_int() ? l->as_int() < r->as_int() : lt_int_float(l->as_int(), r->as_float());
  return r->is_float() ? l->as_float() < r->as_float() : lt_float_int(l->as_float(), r->as_int());
}
inline bool le_num(const Value* l, const Value* r) {
  if (l->is_int()) return r->is_int() ? l->as_int() <= r->as_int() : le_int_float(l->as_int(), r->as_float());
  return r->is_float() ? l->as_float() <= r->as_float() : le_float_int(l->as_float(), r->as_int());
}

}  // namespace

// Number comparison helpers for vm_slow.cpp.
bool vm_lt_num(const Value* l, const Value* r) { return lt_num(l, r); }
bool vm_le_num(const Value* l, const Value* r) { return le_num(l, r); }

Exit execute(State* L, int enter) {
  static const void* const kDispatch[kNumOpcodes] = {
      &&L_Move,     &&L_LoadI,      &&L_LoadF,     &&L_LoadK,     &&L_LoadKX,   &&L_LoadFalse, &&L_LFalseSkip,
      &&L_LoadTrue, &&L_LoadNil,    &&L_GetUpval,  &&L_SetUpval,  &&L_GetTabUp, &&L_GetTable,  &&L_GetI,
      &&L_GetField, &&L_SetTabUp,   &&L_SetTable,  &&L_SetI,      &&L_SetField, &&L_NewTable,  &&L_Self,
      &&L_AddI,     &&L_AddK,       &&L_SubK,      &&L_MulK,      &&L_ModK,     &&L_PowK,      &&L_DivK,
      &&L_IDivK,    &&L_BAndK,      &&L_BOrK,      &&L_BXorK,     &&L_ShlI,     &&L_ShrI,      &&L_Add,
      &&L_Sub,      &&L_Mul,        &&L_Mod,       &&L_Pow,       &&L_Div,      &&L_IDiv,      &&L_BAnd,
      &&L_BOr,      &&L_BXor,       &&L_Shl,       &&L_Shr,       &&L_MMBin,    &&L_MMBinI,    &&L_MMBinK,
      &&L_Unm,      &&L_BNot,       &&L_Not,       &&L_Len,       &&L_Concat,   &&L_Close,     &&L_Tbc,
      &&L_Jmp,      &&L_Eq,         &&L_Lt,        &&L_Le,        &&L_EqK,      &&L_EqI,       &&L_LtI,
      &&L_LeI,      &&L_GtI,        &&L_GeI,       &&L_Test,      &&L_TestSet,  &&L_Call,      &&L_TailCall,
      &&L_Return,   &&L_Return0,    &&L_Return1,   &&L_ForLoop,   &&L_ForPrep,  &&L_TForPrep,  &&L_TForCall,
      &&L_TForLoop, &&L_SetList,    &&L_Closure,   &&L_VarArg,    &&L_GetVarg,  &&L_ErrNNil,   &&L_VarArgPrep,
      &&L_ExtraArg};

  CallInfo* ci;
  LuaClosure* cl;
  const Value* k;
  StkId base;
  const Instruction* pc;
  int trap;
  Instruction i;
  int n;  // result code of a native

#define RA(i) (base + arg_a(i))
#define RB(i) (base + arg_b(i))
#define RC(i) (base + arg_c(i))
#define KB(i) (k + arg_b(i))
#define KC(i) (k + arg_c(i))
#define RKC(i) (arg_k(i) ? k + arg_c(i) : base + arg_c(i))
#define save_pc() (ci->u.l.savedpc = pc)
#define save_state() (save_pc(), L->top = ci->top)
#define update_trap() (trap = ci->u.l.trap)
#define update_base() (base = ci->func + 1)
// Runs 'exp' that may raise, call back into Lua, reallocate the stack or change hooks.
#define protect(exp) (save_state(), (exp), update_trap())
#define protect_nt(exp) (save_pc(), (exp), update_trap())
#define half_protect(exp) (save_state(), (exp))
// Pushed a metamethod frame? Go run it.
#define protect_mm(exp)         \
  do {                          \
    save_state();               \
    if (exp) goto newframe;     \
    update_trap();              \
  } while (0)
#define check_gc(c)               \
  do {                            \
    if (G(L)->gcdebt > 0) {       \
      save_pc();                  \
      L->top = (c);               \
      gc_step(L);                 \
      update_trap();              \
    }                             \
  } while (0)
#define vm_fetch()                       \
  do {                                   \
    if (trap) [[unlikely]] {             \
      trap = trace_exec(L, pc);          \
      update_base();                     \
    }                                    \
    i = *pc++;                           \
  } while (0)
#define vm_next()            \
  do {                       \
    vm_fetch();              \
    goto* kDispatch[int(get_op(i))]; \
  } while (0)
#define do_jump(i, e)           \
  do {                          \
    pc += arg_sj(i) + (e);      \
    update_trap();              \
  } while (0)
#define do_next_jump() do_jump(*pc, 1)
#define do_cond_jump(cond)               \
  do {                                   \
    if ((cond) != arg_k(i)) pc++;        \
    else do_next_jump();                 \
  } while (0)

  // ---- entering ----
  ci = L->ci;
  if (enter == kEnterContinue) goto returning;
  if (enter == kEnterStartNative) goto start_native;
  n = enter;
  goto native_result;

startfunc:
  trap = L->hookmask;
  ci = L->ci;
  goto enter_frame;

returning:
  // L->ci is the frame to continue: a Lua frame, or a native waiting for its continuation.
  ci = L->ci;
  if (!ci->is_lua()) goto native_continue;
  trap = L->hookmask | ci->u.l.trap;
enter_frame:
  cl = ci->func->as_lua_closure();
  k = cl->p->k;
  pc = ci->u.l.savedpc;
  if (trap) [[unlikely]] trap = trace_call(L);
  update_base();
  vm_next();

newframe:
  // A frame was pushed by a call or a metamethod: run it.
  ci = L->ci;
  if (ci->is_lua()) goto startfunc;
start_native:
  ci = L->ci;
  n = invoke_native(L, ci);
native_result:
  ci = L->ci;
  if (n >= 0) [[likely]] {
    uint32_t st = ci->callstatus;
    poscall(L, ci, n);
    if (st & cist::kFresh) return Exit::Return;
    if (st & cist::kFinishOp) {
      if (finish_op(L)) goto newframe;
    }
    goto returning;
  }
  switch (n) {
    case kNativeCallK: {
      // A native calling back into Lua is one C level in PUC Lua: nested
      // pcalls are bounded ("C stack overflow") even though no C++ stack is used.
      check_c_stack(L);
      L->nCcalls++;
      ci->callstatus |= cist::kCounted;
      StkId func = restore_stack(L, ci->u2.funcidx);
      push_frame(L, func, L->req_nresults);
      goto newframe;
    }
    case kNativeYield: return Exit::Yield;
    case kNativeResume: return Exit::Resume;
    case kNativeSuspend: return Exit::Suspend;
    case kNativeError: return Exit::Error;
    default: run_error(L, "invalid result code from native function");
  }

native_continue: {
  // The callee of a native's call_k returned (or an error was recovered at a
  // pcall, or a coroutine it resumed came back): run its continuation.
  Status status = ci->recover_status();
  if (!(ci->callstatus & cist::kPendingK)) [[unlikely]]
    run_error(L, "internal error: returning into a native frame without a continuation");
  if ((ci->callstatus & cist::kYPcall) && status != kOk) {
    // Recovering from an error at this pcall: close what the callee left open, one __close at a time.
    StkId func = restore_stack(L, ci->u2.funcidx);
    close_upvals(L, func);
    if (StkId tbc = pop_tbc_var(L, func)) {
      set_error_obj(L, status, tbc + 1);  // error object goes after the variable
      StkId f = L->top;
      f[0] = *get_tm_by_obj(L, tbc, TM::Close);
      f[1] = *tbc;
      f[2] = tbc[1];
      L->top = f + 3;
      push_frame(L, f, 0);  // returns here; kPendingK is still set
      goto newframe;
    }
    set_error_obj(L, status, func);
    shrink_stack(L);
    ci = L->ci;
  }
  if (ci->callstatus & cist::kCounted) {
    ci->callstatus &= ~cist::kCounted;
    L->nCcalls--;
  }
  ci->callstatus &= ~cist::kPendingK;
  ci->set_recover_status(kOk);
  if (ci->callstatus & cist::kYPcall) {
    ci->callstatus &= ~cist::kYPcall;
    L->errfunc = ci->u.c.old_errfunc;
  }
  if (L->ci->top < L->top) L->ci->top = L->top;  // the callee may have left many results
  n = ci->u.c.k(L, status, ci->u.c.ctx);
  goto native_result;
}

  // ================= the instructions =================

L_Move: {
  StkId ra = RA(i);
  *ra = *RB(i);
  vm_next();
}
L_LoadI: {
  RA(i)->set_int(arg_sbx(i));
  vm_next();
}
L_LoadF: {
  RA(i)->set_float(lua_Number(arg_sbx(i)));
  vm_next();
}
L_LoadK: {
  *RA(i) = k[arg_bx(i)];
  vm_next();
}
L_LoadKX: {
  StkId ra = RA(i);
  *ra = k[arg_ax(*pc)];
  pc++;
  vm_next();
}
L_LoadFalse: {
  RA(i)->set_bool(false);
  vm_next();
}
L_LFalseSkip: {
  RA(i)->set_bool(false);
  pc++;
  vm_next();
}
L_LoadTrue: {
  RA(i)->set_bool(true);
  vm_next();
}
L_LoadNil: {
  StkId ra = RA(i);
  int b = arg_b(i);
  do {
    (ra++)->set_nil();
  } while (b--);
  vm_next();
}
L_GetUpval: {
  *RA(i) = *cl->upvals[arg_b(i)]->v;
  vm_next();
}
L_SetUpval: {
  UpVal* uv = cl->upvals[arg_b(i)];
  *uv->v = *RA(i);
  gc_barrier(L, uv, *RA(i));
  vm_next();
}
L_GetTabUp: {
  StkId ra = RA(i);
  const Value* upval = cl->upvals[arg_b(i)]->v;
  const Value* rc = KC(i);
  if (upval->is_table()) {
    const Value* slot = table_get_short_str(upval->as_table(), rc->as_string());
    if (!slot->is_nil()) [[likely]] {
      *ra = *slot;
      vm_next();
    }
  }
  protect_mm(finish_get(L, upval, rc, ra, true));
  vm_next();
}
L_GetTable: {
  StkId ra = RA(i);
  const Value* rb = RB(i);
  const Value* rc = RC(i);
  if (rb->is_table()) {
    const Value* slot = rc->is_int() ? table_get_int_fast(rb->as_table(), rc->as_int()) : table_get(rb->as_table(), *rc);
    if (!slot->is_nil()) [[likely]] {
      *ra = *slot;
      vm_next();
    }
  }
  protect_mm(finish_get(L, rb, rc, ra, true));
  vm_next();
}
L_GetI: {
  StkId ra = RA(i);
  const Value* rb = RB(i);
  int c = arg_c(i);
  if (rb->is_table()) {
    const Value* slot = table_get_int_fast(rb->as_table(), c);
    if (!slot->is_nil()) [[likely]] {
      *ra = *slot;
      vm_next();
    }
  }
  {
    Value key = Value::integer(c);
    protect_mm(finish_get(L, rb, &key, ra, true));
  }
  vm_next();
}
L_GetField: {
  StkId ra = RA(i);
  const Value* rb = RB(i);
  const Value* rc = KC(i);
  if (rb->is_table()) {
    const Value* slot = table_get_short_str(rb->as_table(), rc->as_string());
    if (!slot->is_nil()) [[likely]] {
      *ra = *slot;
      vm_next();
    }
  }
  protect_mm(finish_get(L, rb, rc, ra, true));
  vm_next();
}
L_SetTabUp: {
  const Value* upval = cl->upvals[arg_a(i)]->v;
  const Value* rb = KB(i);
  const Value* rc = RKC(i);
  if (upval->is_table()) {
    Table* t = upval->as_table();
    Value* slot = const_cast<Value*>(table_get_short_str(t, rb->as_string()));
    if (!slot->is_nil()) [[likely]] {
      *slot = *rc;
      gc_barrier_back(L, t, *rc);
      vm_next();
    }
  }
  protect_mm(finish_set(L, upval, rb, rc, true));
  vm_next();
}
L_SetTable: {
  StkId ra = RA(i);
  const Value* rb = RB(i);
  const Value* rc = RKC(i);
  if (ra->is_table()) {
    Table* t = ra->as_table();
    const Value* slot = rb->is_int() ? table_get_int_fast(t, rb->as_int()) : table_get(t, *rb);
    if (!slot->is_nil()) [[likely]] {
      *const_cast<Value*>(slot) = *rc;
      gc_barrier_back(L, t, *rc);
      vm_next();
    }
  }
  protect_mm(finish_set(L, ra, rb, rc, true));
  vm_next();
}
L_SetI: {
  StkId ra = RA(i);
  int b = arg_b(i);
  const Value* rc = RKC(i);
  if (ra->is_table()) {
    Table* t = ra->as_table();
    const Value* slot = table_get_int_fast(t, b);
    if (!slot->is_nil()) [[likely]] {
      *const_cast<Value*>(slot) = *rc;
      gc_barrier_back(L, t, *rc);
      vm_next();
    }
  }
  {
    Value key = Value::integer(b);
    protect_mm(finish_set(L, ra, &key, rc, true));
  }
  vm_next();
}
L_SetField: {
  StkId ra = RA(i);
  const Value* rb = KB(i);
  const Value* rc = RKC(i);
  if (ra->is_table()) {
    Table* t = ra->as_table();
    Value* slot = const_cast<Value*>(table_get_short_str(t, rb->as_string()));
    if (!slot->is_nil()) [[likely]] {
      *slot = *rc;
      gc_barrier_back(L, t, *rc);
      vm_next();
    }
  }
  protect_mm(finish_set(L, ra, rb, rc, true));
  vm_next();
}
L_NewTable: {
  StkId ra = RA(i);
  unsigned b = unsigned(arg_vb(i));
  unsigned c = unsigned(arg_vc(i));
  if (b > 0) b = 1u << (b - 1);
  if (arg_k(i)) c += unsigned(arg_ax(*pc)) * (kMaxArgVC + 1);
  pc++;
  L->top = ra + 1;  // correct top in case of emergency GC
  save_pc();
  Table* t = table_new(L);
  ra->set_table(t);
  if (b != 0 || c != 0) table_resize(L, t, c, b);
  check_gc(ra + 1);
  vm_next();
}
L_Self: {
  StkId ra = RA(i);
  const Value* rb = RB(i);
  const Value* rc = KC(i);
  ra[1] = *rb;
  // Keep reading R[B] (not the copy) so that errors name the variable; the
  // result is written to R[A] only at the end, also when B == A.
  if (rb->is_table()) {
    const Value* slot = table_get_short_str(rb->as_table(), rc->as_string());
    if (!slot->is_nil()) [[likely]] {
      *ra = *slot;
      vm_next();
    }
  }
  protect_mm(finish_get(L, rb, rc, ra, true));
  vm_next();
}

  // ---- arithmetic: the fast path skips the MMBIN that follows ----
#define OP_ARITH_I(iop, fop)                          \
  {                                                   \
    StkId ra = RA(i);                                 \
    const Value* v1 = RB(i);                          \
    int imm = arg_sc(i);                              \
    if (v1->is_int()) {                               \
      lua_Integer iv1 = v1->as_int();                 \
      pc++;                                           \
      ra->set_int(iop(iv1, lua_Integer(imm)));        \
    } else if (v1->is_float()) {                      \
      lua_Number nb = v1->as_float();                 \
      pc++;                                           \
      ra->set_float(fop(nb, lua_Number(imm)));        \
    }                                                 \
    vm_next();                                        \
  }
#define OP_ARITHF_AUX(v1, v2, fop)                           \
  {                                                          \
    lua_Number n1, n2;                                       \
    if (to_number_ns(*v1, &n1) && to_number_ns(*v2, &n2)) {  \
      pc++;                                                  \
      RA(i)->set_float(fop(n1, n2));                         \
    }                                                        \
  }
#define OP_ARITH_AUX(v1, v2, iop, fop)                    \
  {                                                       \
    if (v1->is_int() && v2->is_int()) {                   \
      lua_Integer i1 = v1->as_int(), i2 = v2->as_int();   \
      pc++;                                               \
      RA(i)->set_int(iop(i1, i2));                        \
    } else                                                \
      OP_ARITHF_AUX(v1, v2, fop);                         \
    vm_next();                                            \
  }
#define OP_ARITH(iop, fop)        \
  {                               \
    const Value* v1 = RB(i);      \
    const Value* v2 = RC(i);      \
    OP_ARITH_AUX(v1, v2, iop, fop) \
  }
#define OP_ARITHK(iop, fop)       \
  {                               \
    const Value* v1 = RB(i);      \
    const Value* v2 = KC(i);      \
    OP_ARITH_AUX(v1, v2, iop, fop) \
  }
#define OP_ARITHF(fop)            \
  {                               \
    const Value* v1 = RB(i);      \
    const Value* v2 = RC(i);      \
    OP_ARITHF_AUX(v1, v2, fop);   \
    vm_next();                    \
  }
#define OP_ARITHFK(fop)           \
  {                               \
    const Value* v1 = RB(i);      \
    const Value* v2 = KC(i);      \
    OP_ARITHF_AUX(v1, v2, fop);   \
    vm_next();                    \
  }
#define OP_BITWISEK(op)                                   \
  {                                                       \
    const Value* v1 = RB(i);                              \
    lua_Integer i1;                                       \
    lua_Integer i2 = KC(i)->as_int();                     \
    if (to_integer_ns(*v1, &i1)) {                        \
      pc++;                                               \
      RA(i)->set_int(op(i1, i2));                         \
    }                                                     \
    vm_next();                                            \
  }
#define OP_BITWISE(op)                                                \
  {                                                                   \
    const Value* v1 = RB(i);                                          \
    const Value* v2 = RC(i);                                          \
    lua_Integer i1, i2;                                               \
    if (to_integer_ns(*v1, &i1) && to_integer_ns(*v2, &i2)) {         \
      pc++;                                                           \
      RA(i)->set_int(op(i1, i2));                                     \
    }                                                                 \
    vm_next();                                                        \
  }
#define F_ADD(a, b) ((a) + (b))
#define F_SUB(a, b) ((a) - (b))
#define F_MUL(a, b) ((a) * (b))
#define F_DIV(a, b) ((a) / (b))
#define F_POW(a, b) float_pow(a, b)
#define F_IDIV(a, b) float_floor_div(a, b)
#define F_MOD(a, b) float_mod(a, b)
#define I_BAND(a, b) lua_Integer(lua_Unsigned(a) & lua_Unsigned(b))
#define I_BOR(a, b) lua_Integer(lua_Unsigned(a) | lua_Unsigned(b))
#define I_BXOR(a, b) lua_Integer(lua_Unsigned(a) ^ lua_Unsigned(b))
#define I_MOD(a, b) int_imod(L, a, b)
#define I_IDIV(a, b) int_idiv(L, a, b)

L_AddI: OP_ARITH_I(int_add, F_ADD)
L_AddK: OP_ARITHK(int_add, F_ADD)
L_SubK: OP_ARITHK(int_sub, F_SUB)
L_MulK: OP_ARITHK(int_mul, F_MUL)
L_ModK: {
  save_state();  // in case of division by 0
  OP_ARITHK(I_MOD, F_MOD)
}
L_PowK: OP_ARITHFK(F_POW)
L_DivK: OP_ARITHFK(F_DIV)
L_IDivK: {
  save_state();
  OP_ARITHK(I_IDIV, F_IDIV)
}
L_BAndK: OP_BITWISEK(I_BAND)
L_BOrK: OP_BITWISEK(I_BOR)
L_BXorK: OP_BITWISEK(I_BXOR)
L_ShlI: {
  StkId ra = RA(i);
  const Value* rb = RB(i);
  int ic = arg_sc(i);
  lua_Integer ib;
  if (to_integer_ns(*rb, &ib)) {
    pc++;
    ra->set_int(shift_left(ic, ib));
  }
  vm_next();
}
L_ShrI: {
  StkId ra = RA(i);
  const Value* rb = RB(i);
  int ic = arg_sc(i);
  lua_Integer ib;
  if (to_integer_ns(*rb, &ib)) {
    pc++;
    ra->set_int(shift_left(ib, -ic));
  }
  vm_next();
}
L_Add: OP_ARITH(int_add, F_ADD)
L_Sub: OP_ARITH(int_sub, F_SUB)
L_Mul: OP_ARITH(int_mul, F_MUL)
L_Mod: {
  save_state();
  OP_ARITH(I_MOD, F_MOD)
}
L_Pow: OP_ARITHF(F_POW)
L_Div: OP_ARITHF(F_DIV)
L_IDiv: {
  save_state();
  OP_ARITH(I_IDIV, F_IDIV)
}
L_BAnd: OP_BITWISE(I_BAND)
L_BOr: OP_BITWISE(I_BOR)
L_BXor: OP_BITWISE(I_BXOR)
L_Shl: OP_BITWISE(shift_left)
L_Shr: OP_BITWISE(shift_right)
L_MMBin: {
  StkId ra = RA(i);
  Instruction pi = pc[-2];  // the original arithmetic instruction
  const Value* rb = RB(i);
  TM tm = TM(arg_c(i));
  StkId result = RA(pi);
  protect_mm(try_bin_tm(L, ra, rb, result, tm, true));
  vm_next();
}
L_MMBinI: {
  StkId ra = RA(i);
  Instruction pi = pc[-2];
  Value imm = Value::integer(arg_sb(i));
  TM tm = TM(arg_c(i));
  StkId result = RA(pi);
  if (arg_k(i)) protect_mm(try_bin_tm(L, &imm, ra, result, tm, true));
  else protect_mm(try_bin_tm(L, ra, &imm, result, tm, true));
  vm_next();
}
L_MMBinK: {
  StkId ra = RA(i);
  Instruction pi = pc[-2];
  const Value* imm = KB(i);
  TM tm = TM(arg_c(i));
  StkId result = RA(pi);
  if (arg_k(i)) protect_mm(try_bin_tm(L, imm, ra, result, tm, true));
  else protect_mm(try_bin_tm(L, ra, imm, result, tm, true));
  vm_next();
}
L_Unm: {
  StkId ra = RA(i);
  const Value* rb = RB(i);
  if (rb->is_int()) {
    ra->set_int(int_neg(rb->as_int()));
  } else if (rb->is_float()) {
    ra->set_float(-rb->as_float());
  } else {
    protect_mm(try_bin_tm(L, rb, rb, ra, TM::Unm, true));
  }
  vm_next();
}
L_BNot: {
  StkId ra = RA(i);
  const Value* rb = RB(i);
  lua_Integer ib;
  if (to_integer_ns(*rb, &ib)) ra->set_int(lua_Integer(~lua_Unsigned(ib)));
  else protect_mm(try_bin_tm(L, rb, rb, ra, TM::BNot, true));
  vm_next();
}
L_Not: {
  StkId ra = RA(i);
  ra->set_bool(RB(i)->is_falsy());
  vm_next();
}
L_Len: {
  StkId ra = RA(i);
  const Value* rb = RB(i);
  if (rb->is_table()) {
    Table* t = rb->as_table();
    if (fast_tm(G(L), t->metatable, TM::Len) == nullptr) {
      ra->set_int(lua_Integer(table_length(t, G(L)->seed)));
      vm_next();
    }
  } else if (rb->is_string()) {
    ra->set_int(lua_Integer(rb->as_string()->len));
    vm_next();
  }
  protect_mm(obj_len(L, ra, rb, true));
  vm_next();
}
L_Concat: {
  StkId ra = RA(i);
  int nc = arg_b(i);
  L->top = ra + nc;  // mark the end of the operands
  save_pc();
  if (concat(L, nc, true)) goto newframe;
  update_trap();
  check_gc(L->top);
  vm_next();
}
L_Close: {
  save_state();
  if (close_vars(L, RA(i), kOk)) goto newframe;
  update_trap();
  vm_next();
}
L_Tbc: {
  half_protect(new_tbc_var(L, RA(i)));
  vm_next();
}
L_Jmp: {
  do_jump(i, 0);
  vm_next();
}
L_Eq: {
  StkId ra = RA(i);
  const Value* rb = RB(i);
  int cond;
  if (ra->tt != rb->tt || !(ra->is_table() || ra->is_userdata())) cond = raw_equal(*ra, *rb);
  else protect_mm(equal_obj(L, ra, rb, &cond, true));
  do_cond_jump(cond);
  vm_next();
}
L_Lt: {
  StkId ra = RA(i);
  const Value* rb = RB(i);
  int cond;
  if (ra->is_int() && rb->is_int()) cond = ra->as_int() < rb->as_int();
  else if (ra->is_number() && rb->is_number()) cond = lt_num(ra, rb);
  else protect_mm(less_than(L, ra, rb, &cond, true));
  do_cond_jump(cond);
  vm_next();
}
L_Le: {
  StkId ra = RA(i);
  const Value* rb = RB(i);
  int cond;
  if (ra->is_int() && rb->is_int()) cond = ra->as_int() <= rb->as_int();
  else if (ra->is_number() && rb->is_number()) cond = le_num(ra, rb);
  else protect_mm(less_equal(L, ra, rb, &cond, true));
  do_cond_jump(cond);
  vm_next();
}
L_EqK: {
  StkId ra = RA(i);
  int cond = raw_equal(*ra, *KB(i));
  do_cond_jump(cond);
  vm_next();
}
L_EqI: {
  StkId ra = RA(i);
  int im = arg_sb(i);
  int cond;
  if (ra->is_int()) cond = ra->as_int() == im;
  else if (ra->is_float()) cond = ra->as_float() == lua_Number(im);
  else cond = 0;
  do_cond_jump(cond);
  vm_next();
}
#define OP_ORDER_I(opi, opf, flip, tm)                                     \
  {                                                                         \
    StkId ra = RA(i);                                                       \
    int cond;                                                               \
    int im = arg_sb(i);                                                     \
    if (ra->is_int()) cond = opi(ra->as_int(), lua_Integer(im));            \
    else if (ra->is_float()) cond = opf(ra->as_float(), lua_Number(im));    \
    else {                                                                  \
      Value aux;                                                            \
      if (arg_c(i)) aux.set_float(lua_Number(im));                          \
      else aux.set_int(im);                                                 \
      if (flip) protect_mm(order_tm(L, &aux, ra, tm, &cond, true));         \
      else protect_mm(order_tm(L, ra, &aux, tm, &cond, true));              \
    }                                                                       \
    do_cond_jump(cond);                                                     \
    vm_next();                                                              \
  }
#define LT(a, b) ((a) < (b))
#define LE(a, b) ((a) <= (b))
#define GT(a, b) ((a) > (b))
#define GE(a, b) ((a) >= (b))
L_LtI: OP_ORDER_I(LT, LT, false, TM::Lt)
L_LeI: OP_ORDER_I(LE, LE, false, TM::Le)
L_GtI: OP_ORDER_I(GT, GT, true, TM::Lt)
L_GeI: OP_ORDER_I(GE, GE, true, TM::Le)
L_Test: {
  int cond = !RA(i)->is_falsy();
  do_cond_jump(cond);
  vm_next();
}
L_TestSet: {
  StkId ra = RA(i);
  const Value* rb = RB(i);
  if (rb->is_falsy() == bool(arg_k(i))) {
    pc++;
  } else {
    *ra = *rb;
    do_next_jump();
  }
  vm_next();
}
L_Call: {
  StkId ra = RA(i);
  int b = arg_b(i);
  int nresults = arg_c(i) - 1;
  if (b != 0) L->top = ra + b;
  save_pc();
  if (ra->is_lua_closure()) [[likely]] {
    // Inline push_frame for the common case.
    Proto* p = ra->as_lua_closure()->p;
    int narg = int(L->top - ra) - 1;
    int fsize = p->maxstacksize;
    if (L->stack_last - L->top <= fsize) [[unlikely]] {
      push_frame(L, ra, nresults);
      goto startfunc;
    }
    CallInfo* nci = ci->next ? ci->next : extend_ci(L);
    L->ci = nci;
    nci->func = ra;
    nci->top = ra + 1 + fsize;
    nci->callstatus = uint32_t(nresults + 1);
    nci->u.l.savedpc = p->code;
    nci->u.l.trap = 0;
    nci->u.l.nextraargs = 0;
    for (; narg < p->numparams; narg++) (L->top++)->set_nil();
    goto startfunc;
  }
  push_frame(L, ra, nresults);
  goto newframe;
}
L_TailCall: {
  StkId ra = RA(i);
  int b = arg_b(i);
  int nparams1 = arg_c(i);
  int delta = nparams1 ? ci->u.l.nextraargs + nparams1 : 0;
  if (b != 0) L->top = ra + b;
  else b = int(L->top - ra);
  save_pc();
  if (arg_k(i)) close_upvals(L, base);
  n = pretailcall(L, ci, ra, b, delta);
  if (n == -1) goto startfunc;  // a Lua function: run it in this frame
  if (n < 0) goto native_result;  // a native asked for something: its frame is on top
  // a native returned n results: the tail-calling frame returns them
  poscall(L, L->ci, n);
  ci->func -= delta;
  poscall(L, ci, n);
  goto ret;
}
L_Return: {
  StkId ra = RA(i);
  int nr = arg_b(i) - 1;
  int nparams1 = arg_c(i);
  if (nr < 0) nr = int(L->top - ra);
  save_pc();
  if (arg_k(i)) {  // may there be open upvalues or tbc variables?
    ci->u2.nres = nr;
    if (L->top < ci->top) L->top = ci->top;
    if (close_vars(L, base, kCloseKTop)) goto newframe;  // redone after the __close returns
    update_trap();
    update_base();
    ra = RA(i);
  }
  if (nparams1) ci->func -= ci->u.l.nextraargs + nparams1;
  L->top = ra + nr;
  poscall(L, ci, nr);
  update_trap();
  goto ret;
}
L_Return0: {
  if (L->hookmask) [[unlikely]] {
    L->top = RA(i);
    save_pc();
    poscall(L, ci, 0);
    trap = 1;
  } else {
    int nres = ci->nresults();
    L->ci = ci->previous;
    L->top = base - 1;
    for (; nres > 0; nres--) (L->top++)->set_nil();
  }
  goto ret;
}
L_Return1: {
  if (L->hookmask) [[unlikely]] {
    L->top = RA(i) + 1;
    save_pc();
    poscall(L, ci, 1);
    trap = 1;
  } else {
    int nres = ci->nresults();
    L->ci = ci->previous;
    if (nres == 0) {
      L->top = base - 1;
    } else {
      base[-1] = *RA(i);
      L->top = base;
      for (; nres > 1; nres--) (L->top++)->set_nil();
    }
  }
  goto ret;
}
ret: {
  uint32_t st = ci->callstatus;
  if (st & cist::kFresh) return Exit::Return;
  if (st & cist::kFinishOp) {
    if (finish_op(L)) goto newframe;
  }
  goto returning;
}
L_ForLoop: {
  StkId ra = RA(i);
  if (ra[1].is_int()) {
    lua_Unsigned count = lua_Unsigned(ra[0].as_int());
    if (count > 0) {
      lua_Integer step = ra[1].as_int();
      lua_Integer idx = ra[2].as_int();
      ra[0].u.i = lua_Integer(count - 1);
      ra[2].u.i = int_add(idx, step);
      pc -= arg_bx(i);
    }
  } else if (float_for_loop(ra)) {
    pc -= arg_bx(i);
  }
  update_trap();
  vm_next();
}
L_ForPrep: {
  StkId ra = RA(i);
  save_state();
  if (for_prep(L, ra)) pc += arg_bx(i) + 1;
  vm_next();
}
L_TForPrep: {
  StkId ra = RA(i);
  Value temp = ra[3];  // swap the control and closing variables
  ra[3] = ra[2];
  ra[2] = temp;
  half_protect(new_tbc_var(L, ra + 2));
  pc += arg_bx(i);
  i = *pc++;
  goto l_tforcall;
}
L_TForCall:
l_tforcall: {
  StkId ra = RA(i);
  ra[5] = ra[3];  // control variable
  ra[4] = ra[1];  // state
  ra[3] = ra[0];  // function
  L->top = ra + 3 + 3;
  save_pc();
  // The iterator runs as an ordinary call; TFORLOOP follows when it returns.
  if (ra[3].is_lua_closure()) {
    push_frame(L, ra + 3, arg_c(i));
    goto startfunc;
  }
  push_frame(L, ra + 3, arg_c(i));
  goto newframe;
}
L_TForLoop: {
  StkId ra = RA(i);
  if (!ra[3].is_nil()) pc -= arg_bx(i);
  vm_next();
}
L_SetList: {
  StkId ra = RA(i);
  unsigned nn = unsigned(arg_vb(i));
  unsigned last = unsigned(arg_vc(i));
  Table* h = ra->as_table();
  if (nn == 0) nn = unsigned(L->top - ra) - 1;
  else L->top = ci->top;  // correct top in case of emergency GC
  last += nn;
  if (arg_k(i)) {
    last += unsigned(arg_ax(*pc)) * (kMaxArgVC + 1);
    pc++;
  }
  save_pc();
  if (last > h->asize) table_resize_array(L, h, last);
  for (; nn > 0; nn--) {
    const Value* val = ra + nn;
    h->array[last - 1] = *val;
    last--;
    gc_barrier_back(L, h, *val);
  }
  vm_next();
}
L_Closure: {
  StkId ra = RA(i);
  Proto* p = cl->p->p[arg_bx(i)];
  half_protect(push_closure(L, p, cl->upvals, base, ra));
  check_gc(ra + 1);
  vm_next();
}
L_VarArg: {
  StkId ra = RA(i);
  int nw = arg_c(i) - 1;
  int vatab = arg_k(i) ? arg_b(i) : -1;
  protect(get_varargs(L, ci, ra, nw, vatab));
  vm_next();
}
L_GetVarg: {
  get_vararg(ci, RA(i), RC(i));
  vm_next();
}
L_ErrNNil: {
  StkId ra = RA(i);
  if (!ra->is_nil()) {
    half_protect((void)0);
    int kidx = arg_bx(i);
    const char* name = "?";
    if (kidx > 0 && k[kidx - 1].is_string()) name = k[kidx - 1].as_string()->c_str();
    run_error(L, "global '%s' already defined", name);
  }
  vm_next();
}
L_VarArgPrep: {
  protect_nt(adjust_varargs(L, ci, cl->p));
  if (trap) [[unlikely]] {
    hook_call(L, ci);
    L->oldpc = 1;  // next opcode will be seen as a "new" line
  }
  update_base();
  vm_next();
}
L_ExtraArg: {
  vm_next();
}
}

}  // namespace rua
