// Debug information and runtime error messages (PUC: ldebug.c).
//
// Variable names in messages ("attempt to call a nil value (global 'f')")
// come from symbolic execution of the bytecode: find the instruction that
// last set the register and describe where its value came from. This works
// because the compiler emits PUC Lua's code shapes.
#include "debug.hpp"

#include <cstdarg>
#include <cstring>
#include <exception>

#include "api.hpp"
#include "call.hpp"
#include "compiler.hpp"
#include "error.hpp"
#include "func.hpp"
#include "gc.hpp"
#include "string.hpp"
#include "table.hpp"
#include "tm.hpp"
#include "vm.hpp"

namespace rua {

namespace {
constexpr const char* kStrLocal = "local";
constexpr const char* kStrUpval = "upvalue";

const char* upval_name(const Proto* p, int uv) {
  String* s = p->upvalues[uv].name;
  return s == nullptr ? "?" : s->c_str();
}

void set_traps(CallInfo* ci) {
  for (; ci; ci = ci->previous)
    if (ci->is_lua()) ci->u.l.trap = 1;
}

const char* func_name_from_call_impl(State* L, CallInfo* ci, const char** name);
}  // namespace

int pc_rel(const Instruction* pc, const Proto* p) { return int(pc - p->code) - 1; }

int current_pc(CallInfo* ci) { return pc_rel(ci->u.l.savedpc, ci->func->as_lua_closure()->p); }

int get_func_line(const Proto* f, int pc) {
  if (f->lineinfo == nullptr) return -1;
  if (pc < 0) return f->linedefined;
  return f->lineinfo[pc];
}

int current_line(CallInfo* ci) { return get_func_line(ci->func->as_lua_closure()->p, current_pc(ci)); }

// ===================================================================
// Hooks
// ===================================================================

void set_hook(State* L, Hook func, int mask, int count) {
  if (func == nullptr || mask == 0) {
    mask = 0;
    func = nullptr;
  }
  L->hook = func;
  L->basehookcount = count;
  L->hookcount = count;
  L->hookmask = mask;
  if (mask) set_traps(L->ci);
}

void run_hook(State* L, int event, int line, int ftransfer, int ntransfer) {
  Hook hook = L->hook;
  if (hook == nullptr || !L->allowhook) return;
  CallInfo* ci = L->ci;
  ptrdiff_t top = save_stack(L, L->top);
  ptrdiff_t ci_top = save_stack(L, ci->top);
  DebugInfo ar;
  ar.event = event;
  ar.currentline = line;
  ar.i_ci = ci;
  ar.ftransfer = ftransfer;
  ar.ntransfer = ntransfer;
  L->req_nargs = ftransfer;  // transfer info for getinfo 'r'
  L->req_nresults = ntransfer;
  if (ci->is_lua() && L->top < ci->top) L->top = ci->top;  // protect the whole frame
  check_stack(L, kMinStack);
  if (ci->top < L->top + kMinStack) ci->top = L->top + kMinStack;
  L->allowhook = 0;
  ci->callstatus |= cist::kHooked;
  struct Restore {
    State* L;
    CallInfo* ci;
    ptrdiff_t top, ci_top;
    int exceptions = std::uncaught_exceptions();
    ~Restore() {
      L->allowhook = 1;
      ci->top = restore_stack(L, ci_top);
      // An error raised by the hook keeps its object on top (the pcall
      // that catches it moves it from there); only a normal return resets.
      if (std::uncaught_exceptions() == exceptions) L->top = restore_stack(L, top);
      ci->callstatus &= ~cist::kHooked;
    }
  } restore{L, ci, top, ci_top};
  hook(L, &ar);
}

void hook_call(State* L, CallInfo* ci) {
  L->oldpc = 0;
  if (L->hookmask & kMaskCall) {
    int event = (ci->callstatus & cist::kTail) ? kHookTailCall : kHookCall;
    Proto* p = ci->func->as_lua_closure()->p;
    ci->u.l.savedpc++;  // hooks assume 'pc' is already incremented
    run_hook(L, event, -1, 1, p->numparams);
    ci->u.l.savedpc--;
  }
}

void hook_return(State* L, CallInfo* ci, int nres) {
  if (L->hookmask & kMaskRet) {
    StkId firstres = L->top - nres;
    int delta = 0;
    if (ci->is_lua()) {
      Proto* p = ci->func->as_lua_closure()->p;
      if (p->flag & kProtoVarargHidden) delta = ci->u.l.nextraargs + p->numparams + 1;
    }
    ci->func += delta;
    int ftransfer = int(firstres - ci->func);
    run_hook(L, kHookRet, -1, ftransfer, nres);
    ci->func -= delta;
  }
  if ((ci = ci->previous)->is_lua()) L->oldpc = pc_rel(ci->u.l.savedpc, ci->func->as_lua_closure()->p);
}

int trace_call(State* L) {
  CallInfo* ci = L->ci;
  Proto* p = ci->func->as_lua_closure()->p;
  ci->u.l.trap = 1;
  if (ci->u.l.savedpc == p->code) {
    if (p->flag & (kProtoVarargHidden | kProtoVarargTable)) return 0;  // hooks start at VARARGPREP
    if (!(ci->callstatus & cist::kHookYield)) hook_call(L, ci);
  }
  return 1;
}

int trace_exec(State* L, const Instruction* pc) {
  CallInfo* ci = L->ci;
  int mask = L->hookmask;
  const Proto* p = ci->func->as_lua_closure()->p;
  if (!(mask & (kMaskLine | kMaskCount))) {
    ci->u.l.trap = 0;
    return 0;
  }
  pc++;  // reference is always the next instruction
  ci->u.l.savedpc = pc;
  bool counthook = (mask & kMaskCount) && (--L->hookcount == 0);
  if (counthook) L->hookcount = L->basehookcount;
  else if (!(mask & kMaskLine)) return 1;
  if (ci->callstatus & cist::kHookYield) {
    ci->callstatus &= ~cist::kHookYield;
    return 1;
  }
  if (!op_is_it(ci->u.l.savedpc[-1])) L->top = ci->top;
  if (counthook) run_hook(L, kHookCount, -1, 0, 0);
  if (mask & kMaskLine) {
    int oldpc = L->oldpc < p->sizecode ? L->oldpc : 0;
    int npci = pc_rel(pc, p);
    if (npci <= oldpc || get_func_line(p, oldpc) != get_func_line(p, npci)) {
      int newline = get_func_line(p, npci);
      run_hook(L, kHookLine, newline, 0, 0);
    }
    L->oldpc = npci;
  }
  return 1;
}

// ===================================================================
// Stack inspection
// ===================================================================

bool get_stack(State* L, int level, DebugInfo* ar) {
  if (level < 0) return false;
  CallInfo* ci;
  for (ci = L->ci; level > 0 && ci != &L->base_ci; ci = ci->previous) level--;
  if (level == 0 && ci != &L->base_ci) {
    ar->i_ci = ci;
    return true;
  }
  return false;
}

namespace {
const char* find_vararg(CallInfo* ci, int n, StkId* pos) {
  if (ci->func->as_lua_closure()->p->flag & kProtoVarargHidden) {
    int nextra = ci->u.l.nextraargs;
    if (n >= -nextra) {
      *pos = ci->func - nextra - (n + 1);
      return "(vararg)";
    }
  }
  return nullptr;
}

const char* find_local(State* L, CallInfo* ci, int n, StkId* pos) {
  StkId base = ci->func + 1;
  const char* name = nullptr;
  if (ci->is_lua()) {
    if (n < 0) return find_vararg(ci, n, pos);
    name = local_name(ci->func->as_lua_closure()->p, n, current_pc(ci));
  }
  if (name == nullptr) {
    StkId limit = (ci == L->ci) ? L->top : ci->next->func;
    if (limit - base >= n && n > 0) name = ci->is_lua() ? "(temporary)" : "(C temporary)";
    else return nullptr;
  }
  if (pos) *pos = base + (n - 1);
  return name;
}
}  // namespace

const char* find_local_name(State* L, CallInfo* ci, int n) { return find_local(L, ci, n, nullptr); }

const char* get_local(State* L, const DebugInfo* ar, int n) {
  if (ar == nullptr) {  // parameters of a non-active function
    if (!L->top[-1].is_lua_closure()) return nullptr;
    return local_name(L->top[-1].as_lua_closure()->p, n, 0);
  }
  StkId pos = nullptr;
  const char* name = find_local(L, ar->i_ci, n, &pos);
  if (name) {
    *L->top = *pos;
    L->top++;
  }
  return name;
}

const char* set_local(State* L, const DebugInfo* ar, int n) {
  StkId pos = nullptr;
  const char* name = find_local(L, ar->i_ci, n, &pos);
  if (name) {
    *pos = L->top[-1];
    L->top--;
  }
  return name;
}

namespace {
void func_info(DebugInfo* ar, const Value* f) {
  if (!f || !f->is_lua_closure()) {
    ar->source = "=[C]";
    ar->srclen = 4;
    ar->linedefined = -1;
    ar->lastlinedefined = -1;
    ar->what = "C";
  } else {
    const Proto* p = f->as_lua_closure()->p;
    if (p->source) {
      ar->source = p->source->c_str();
      ar->srclen = p->source->len;
    } else {
      ar->source = "=?";
      ar->srclen = 2;
    }
    ar->linedefined = p->linedefined;
    ar->lastlinedefined = p->lastlinedefined;
    ar->what = ar->linedefined == 0 ? "main" : "Lua";
  }
  std::string id = chunk_id(std::string_view(ar->source, ar->srclen));
  size_t n = id.size() < kIdSize - 1 ? id.size() : kIdSize - 1;
  std::memcpy(ar->short_src, id.data(), n);
  ar->short_src[n] = '\0';
}

void collect_valid_lines(State* L, const Value* f) {
  if (!f->is_lua_closure()) {
    L->top->set_nil();
    L->top++;
    return;
  }
  const Proto* p = f->as_lua_closure()->p;
  Table* t = table_new(L);
  L->top->set_table(t);
  L->top++;
  if (p->lineinfo != nullptr) {
    Value v;
    v.set_bool(true);
    int i = (p->flag & (kProtoVarargHidden | kProtoVarargTable)) ? 1 : 0;  // skip VARARGPREP
    for (; i < p->sizecode; i++) table_set_int(L, t, p->lineinfo[i], v);
  }
}

const char* get_func_name(State* L, CallInfo* ci, const char** name) {
  if (ci != nullptr && !(ci->callstatus & cist::kTail)) return func_name_from_call_impl(L, ci->previous, name);
  return nullptr;
}
}  // namespace

bool get_info(State* L, const char* what, DebugInfo* ar) {
  CallInfo* ci;
  Value func;
  if (*what == '>') {
    ci = nullptr;
    func = L->top[-1];
    what++;
    L->top--;
  } else {
    ci = ar->i_ci;
    func = *ci->func;
  }
  const Value* f = func.is_function() ? &func : nullptr;
  bool status = true;
  for (const char* w = what; *w; w++) {
    switch (*w) {
      case 'S': func_info(ar, f); break;
      case 'l': ar->currentline = (ci && ci->is_lua()) ? current_line(ci) : -1; break;
      case 'u':
        if (f == nullptr || f->is_light_fn()) ar->nups = 0;
        else if (f->is_lua_closure()) ar->nups = f->as_lua_closure()->nupvalues;
        else ar->nups = f->as_native_closure()->nupvalues;
        if (!f || !f->is_lua_closure()) {
          ar->isvararg = true;
          ar->nparams = 0;
        } else {
          const Proto* p = f->as_lua_closure()->p;
          ar->isvararg = (p->flag & (kProtoVarargHidden | kProtoVarargTable)) != 0;
          ar->nparams = p->numparams;
        }
        break;
      case 't':
        if (ci) {
          ar->istailcall = (ci->callstatus & cist::kTail) != 0;
          ar->extraargs = int((ci->callstatus & cist::kCcmtMask) >> cist::kCcmtShift);
        } else {
          ar->istailcall = false;
          ar->extraargs = 0;
        }
        break;
      case 'n':
        ar->namewhat = get_func_name(L, ci, &ar->name);
        if (ar->namewhat == nullptr) {
          ar->namewhat = "";
          ar->name = nullptr;
        }
        break;
      case 'r':
        if (ci == nullptr || !(ci->callstatus & cist::kHooked)) {
          ar->ftransfer = ar->ntransfer = 0;
        } else {
          ar->ftransfer = L->req_nargs;
          ar->ntransfer = L->req_nresults;
        }
        break;
      case 'L':
      case 'f': break;
      default: status = false;
    }
  }
  if (std::strchr(what, 'f')) {
    *L->top = func;
    L->top++;
  }
  if (std::strchr(what, 'L')) collect_valid_lines(L, &func);
  return status;
}

// ===================================================================
// Symbolic execution
// ===================================================================

namespace {

int filter_pc(int pc, int jmptarget) { return pc < jmptarget ? -1 : pc; }

// Last instruction before lastpc that set register reg, or -1.
int find_set_reg(const Proto* p, int lastpc, int reg) {
  int setreg = -1;
  int jmptarget = 0;
  if (op_info(get_op(p->code[lastpc])).is_mm) lastpc--;  // the previous instruction was not executed
  for (int pc = 0; pc < lastpc; pc++) {
    Instruction i = p->code[pc];
    OpCode op = get_op(i);
    int a = arg_a(i);
    bool change;
    switch (op) {
      case OpCode::LoadNil: {
        int b = arg_b(i);
        change = a <= reg && reg <= a + b;
        break;
      }
      case OpCode::TForCall: change = reg >= a + 2; break;
      case OpCode::Call:
      case OpCode::TailCall: change = reg >= a; break;
      case OpCode::Jmp: {
        int dest = pc + 1 + arg_sj(i);
        if (dest <= lastpc && dest > jmptarget) jmptarget = dest;
        change = false;
        break;
      }
      default: change = op_info(op).sets_a && reg == a; break;
    }
    if (change) setreg = filter_pc(pc, jmptarget);
  }
  return setreg;
}

const char* kname(const Proto* p, int index, const char** name) {
  const Value* kv = &p->k[index];
  if (kv->is_string()) {
    *name = kv->as_string()->c_str();
    return "constant";
  }
  *name = "?";
  return nullptr;
}

const char* basic_get_obj_name(const Proto* p, int* ppc, int reg, const char** name) {
  int pc = *ppc;
  *name = local_name(p, reg + 1, pc);
  if (*name) return kStrLocal;
  *ppc = pc = find_set_reg(p, pc, reg);
  if (pc != -1) {
    Instruction i = p->code[pc];
    switch (get_op(i)) {
      case OpCode::Move: {
        int b = arg_b(i);
        if (b < arg_a(i)) return basic_get_obj_name(p, ppc, b, name);
        break;
      }
      case OpCode::GetUpval: *name = upval_name(p, arg_b(i)); return kStrUpval;
      case OpCode::LoadK: return kname(p, arg_bx(i), name);
      case OpCode::LoadKX: return kname(p, arg_ax(p->code[pc + 1]), name);
      default: break;
    }
  }
  return nullptr;
}

void rname(const Proto* p, int pc, int c, const char** name) {
  const char* what = basic_get_obj_name(p, &pc, c, name);
  if (!(what && *what == 'c')) *name = "?";
}

const char* is_env(const Proto* p, int pc, Instruction i, bool isup) {
  int t = arg_b(i);
  const char* name;
  if (isup) {
    name = upval_name(p, t);
  } else {
    const char* what = basic_get_obj_name(p, &pc, t, &name);
    if (what != kStrLocal && what != kStrUpval) name = nullptr;
  }
  return (name && std::strcmp(name, "_ENV") == 0) ? "global" : "field";
}

const char* get_obj_name(const Proto* p, int lastpc, int reg, const char** name) {
  const char* kind = basic_get_obj_name(p, &lastpc, reg, name);
  if (kind != nullptr) return kind;
  if (lastpc != -1) {
    Instruction i = p->code[lastpc];
    switch (get_op(i)) {
      case OpCode::GetTabUp:
        kname(p, arg_c(i), name);
        return is_env(p, lastpc, i, true);
      case OpCode::GetTable:
      case OpCode::GetVarg:
        rname(p, lastpc, arg_c(i), name);
        return is_env(p, lastpc, i, false);
      case OpCode::GetI:
        *name = "integer index";
        return "field";
      case OpCode::GetField:
        kname(p, arg_c(i), name);
        return is_env(p, lastpc, i, false);
      case OpCode::Self:
        kname(p, arg_c(i), name);
        return "method";
      default: break;
    }
  }
  return nullptr;
}

const char* func_name_from_code(State* L, const Proto* p, int pc, const char** name) {
  TM tm;
  Instruction i = p->code[pc];
  switch (get_op(i)) {
    case OpCode::Call:
    case OpCode::TailCall: return get_obj_name(p, pc, arg_a(i), name);
    case OpCode::TForCall:
      *name = "for iterator";
      return "for iterator";
    case OpCode::Self: case OpCode::GetTabUp: case OpCode::GetTable: case OpCode::GetI: case OpCode::GetField:
      tm = TM::Index;
      break;
    case OpCode::SetTabUp: case OpCode::SetTable: case OpCode::SetI: case OpCode::SetField:
      tm = TM::NewIndex;
      break;
    case OpCode::MMBin: case OpCode::MMBinI: case OpCode::MMBinK: tm = TM(arg_c(i)); break;
    case OpCode::Unm: tm = TM::Unm; break;
    case OpCode::BNot: tm = TM::BNot; break;
    case OpCode::Len: tm = TM::Len; break;
    case OpCode::Concat: tm = TM::Concat; break;
    case OpCode::Eq: tm = TM::Eq; break;
    case OpCode::Lt: case OpCode::LtI: case OpCode::GtI: tm = TM::Lt; break;
    case OpCode::Le: case OpCode::LeI: case OpCode::GeI: tm = TM::Le; break;
    case OpCode::Close: case OpCode::Return: tm = TM::Close; break;
    default: return nullptr;
  }
  *name = G(L)->tmname[int(tm)]->c_str() + 2;
  return "metamethod";
}

const char* func_name_from_call_impl(State* L, CallInfo* ci, const char** name) {
  if (ci->callstatus & cist::kHooked) {
    *name = "?";
    return "hook";
  }
  if (ci->callstatus & cist::kFin) {
    *name = "__gc";
    return "metamethod";
  }
  if (ci->is_lua()) return func_name_from_code(L, ci->func->as_lua_closure()->p, current_pc(ci), name);
  return nullptr;
}

int in_stack(CallInfo* ci, const Value* o) {
  StkId base = ci->func + 1;
  for (int pos = 0; base + pos < ci->top; pos++)
    if (o == base + pos) return pos;
  return -1;
}

const char* get_upval_name(CallInfo* ci, const Value* o, const char** name) {
  LuaClosure* c = ci->func->as_lua_closure();
  for (int i = 0; i < c->nupvalues; i++) {
    if (c->upvals[i]->v == o) {
      *name = upval_name(c->p, i);
      return kStrUpval;
    }
  }
  return nullptr;
}

const char* format_var_info(State* L, const char* kind, const char* name) {
  if (kind == nullptr) return "";
  return push_fstring(L, " (%s '%s')", kind, name);
}

[[noreturn]] void type_error_extra(State* L, const Value* o, const char* op, const char* extra) {
  const char* t = obj_type_name(L, o);
  run_error(L, "attempt to %s a %s value%s", op, t, extra);
}

}  // namespace

const char* func_name_from_call(State* L, CallInfo* ci, const char** name) {
  return func_name_from_call_impl(L, ci, name);
}

const char* var_info(State* L, const Value* o) {
  CallInfo* ci = L->ci;
  const char* name = nullptr;
  const char* kind = nullptr;
  if (ci->is_lua()) {
    kind = get_upval_name(ci, o, &name);
    if (!kind) {
      int reg = in_stack(ci, o);
      if (reg >= 0) kind = get_obj_name(ci->func->as_lua_closure()->p, current_pc(ci), reg, &name);
    }
  }
  return format_var_info(L, kind, name);
}

// ===================================================================
// Raising errors
// ===================================================================

void type_error(State* L, const Value* o, const char* op) { type_error_extra(L, o, op, var_info(L, o)); }

void call_error(State* L, const Value* o) {
  CallInfo* ci = L->ci;
  const char* name = nullptr;
  const char* kind = func_name_from_call_impl(L, ci, &name);
  const char* extra = kind ? format_var_info(L, kind, name) : var_info(L, o);
  type_error_extra(L, o, "call", extra);
}

void for_error(State* L, const Value* o, const char* what) {
  run_error(L, "bad 'for' %s (number expected, got %s)", what, obj_type_name(L, o));
}

void concat_error(State* L, const Value* p1, const Value* p2) {
  if (p1->is_string() || p1->is_number()) p1 = p2;
  type_error(L, p1, "concatenate");
}

void op_int_error(State* L, const Value* p1, const Value* p2, const char* msg) {
  if (!p1->is_number()) p2 = p1;
  type_error(L, p2, msg);
}

void to_int_error(State* L, const Value* p1, const Value* p2) {
  lua_Integer temp;
  if (!to_integer_ns(*p1, &temp, F2I::Exact)) p2 = p1;
  run_error(L, "number%s has no integer representation", var_info(L, p2));
}

void order_error(State* L, const Value* p1, const Value* p2) {
  const char* t1 = obj_type_name(L, p1);
  const char* t2 = obj_type_name(L, p2);
  if (std::strcmp(t1, t2) == 0) run_error(L, "attempt to compare two %s values", t1);
  run_error(L, "attempt to compare %s with %s", t1, t2);
}

void stack_overflow_error(State* L) { run_error(L, "stack overflow"); }

const char* add_info(State* L, const char* msg, String* src, int line) {
  if (src == nullptr) return push_fstring(L, "?:?: %s", msg);
  std::string id = chunk_id(sv(src));
  return push_fstring(L, "%s:%d: %s", id.c_str(), line, msg);
}

void run_error(State* L, const char* fmt, ...) {
  CallInfo* ci = L->ci;
  va_list argp;
  va_start(argp, fmt);
  const char* msg = push_vfstring(L, fmt, argp);
  va_end(argp);
  if (ci->is_lua()) {
    add_info(L, msg, ci->func->as_lua_closure()->p->source, current_line(ci));
    L->top[-2] = L->top[-1];
    L->top--;
  }
  error_msg(L);
}

void push_where(State* L, int level) { where(L, level); }

void push_traceback(State* L, State* L1, const char* msg, int level) { traceback(L, L1, msg, level); }

}  // namespace rua
