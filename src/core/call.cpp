#include "call.hpp"

#include <cstring>
#include <new>

#include "debug.hpp"
#include "error.hpp"
#include "func.hpp"
#include "gc.hpp"
#include "string.hpp"
#include "tm.hpp"

namespace rua {

// ===================================================================
// Errors
// ===================================================================

void throw_error(State* L, Status status) { throw LuaError{status}; }

void prepare_error_msg(State* L) {
  if (L->errfunc != 0) {  // is there a message handler?
    StkId errfunc = restore_stack(L, L->errfunc);
    L->top[0] = L->top[-1];  // move the error object up
    L->top[-1] = *errfunc;   // push the handler below it
    L->top++;                // (assumes kExtraStack)
    call_value_noyield(L, L->top - 2, 1);
  }
  if (L->top[-1].is_nil()) L->top[-1].set_string(string_new(L, "<no error object>"));
}

void error_msg(State* L) {
  prepare_error_msg(L);
  throw_error(L, kErrRun);
}

[[noreturn]] static void err_err(State* L) {
  String* msg = string_new(L, "error in error handling");
  L->top->set_string(msg);
  L->top++;
  throw_error(L, kErrErr);
}

void check_c_stack(State* L) {
  if (c_calls(L->nCcalls) == kMaxCCalls) run_error(L, "C stack overflow");
  else if (c_calls(L->nCcalls) >= kMaxCCalls / 10 * 11) err_err(L);  // error while handling the overflow
}

void set_error_obj(State* L, Status status, StkId oldtop) {
  if (status == kErrMem) oldtop->set_string(G(L)->memerrmsg);
  else *oldtop = L->top[-1];
  L->top = oldtop + 1;
}

// ===================================================================
// The stack
// ===================================================================

namespace {
constexpr int kErrorStackSize = kMaxStack + kStackErrSpace;

// After the stack moved from 'oldstack', rebase every pointer into it.
void correct_stack(State* L, StkId oldstack, StkId newstack) {
  auto fix = [&](StkId p) { return newstack + (p - oldstack); };
  L->top = fix(L->top);
  L->tbclist = fix(L->tbclist);
  for (UpVal* up = L->openupval; up; up = up->u.open.next) up->v = fix(up->v);
  for (CallInfo* ci = L->ci; ci; ci = ci->previous) {
    ci->top = fix(ci->top);
    ci->func = fix(ci->func);
    if (ci->is_lua()) ci->u.l.trap = 1;  // signal the VM to update its 'base'
  }
}

bool realloc_stack(State* L, int newsize, bool raise) {
  int oldsize = L->stack_size();
  StkId oldstack = L->stack;
  GlobalState* g = G(L);
  uint8_t oldemergency = g->gcemergency;
  g->gcemergency = 2;  // no emergency collection while pointers are being moved
  void* mem = mem_try_realloc(L, nullptr, 0, sizeof(Value) * size_t(newsize + kExtraStack));
  g->gcemergency = oldemergency;
  if (mem == nullptr) {
    if (raise) mem_error(L);
    return false;
  }
  StkId newstack = static_cast<StkId>(mem);
  int ncopy = oldsize < newsize ? oldsize : newsize;
  std::memcpy(static_cast<void*>(newstack), static_cast<const void*>(oldstack),
              sizeof(Value) * size_t(ncopy + kExtraStack));
  for (int i = ncopy + kExtraStack; i < newsize + kExtraStack; i++) {
    newstack[i].set_nil();
    newstack[i].aux_next = 0;
  }
  L->stack = newstack;
  correct_stack(L, oldstack, newstack);
  L->stack_last = newstack + newsize;
  mem_free_array(L, oldstack, size_t(oldsize + kExtraStack));
  return true;
}

int stack_in_use(State* L) {
  StkId lim = L->top;
  for (CallInfo* ci = L->ci; ci; ci = ci->previous)
    if (lim < ci->top) lim = ci->top;
  int res = int(lim - L->stack) + 1;
  return res < kMinStack ? kMinStack : res;
}
}  // namespace

void stack_init(State* L1, State* L, int size) {
  L1->stack = mem_new_array<Value>(L, size_t(size + kExtraStack));
  L1->tbclist = L1->stack;
  for (int i = 0; i < size + kExtraStack; i++) {
    L1->stack[i].set_nil();
    L1->stack[i].aux_next = 0;
  }
  L1->top = L1->stack;
  L1->stack_last = L1->stack + size;
  CallInfo* ci = &L1->base_ci;
  ci->next = ci->previous = nullptr;
  ci->callstatus = cist::kC;
  ci->func = L1->top;
  ci->u.c.k = nullptr;
  L1->top->set_nil();  // 'function' entry for this ci
  L1->top++;
  ci->top = L1->top + kMinStack;
  L1->ci = ci;
}

void free_ci(State* L) {
  CallInfo* ci = &L->base_ci;
  CallInfo* next = ci->next;
  ci->next = nullptr;
  while ((ci = next) != nullptr) {
    next = ci->next;
    mem_free(L, ci, sizeof(CallInfo));
    L->nci--;
  }
}

void stack_free(State* L) {
  if (L->stack == nullptr) return;
  L->ci = &L->base_ci;
  free_ci(L);
  mem_free_array(L, L->stack, size_t(L->stack_size() + kExtraStack));
  L->stack = nullptr;
}

CallInfo* extend_ci(State* L) {
  auto* ci = static_cast<CallInfo*>(mem_alloc(L, sizeof(CallInfo)));
  L->ci->next = ci;
  ci->previous = L->ci;
  ci->next = nullptr;
  ci->u.l.trap = 0;
  L->nci++;
  return ci;
}

namespace {
// Frees half of the unused CallInfos.
void shrink_ci(State* L) {
  CallInfo* ci = L->ci->next;
  if (ci == nullptr) return;
  CallInfo* next;
  while ((next = ci->next) != nullptr) {
    CallInfo* next2 = next->next;
    ci->next = next2;
    L->nci--;
    mem_free(L, next, sizeof(CallInfo));
    if (next2 == nullptr) break;
    next2->previous = ci;
    ci = next2;
  }
}
}  // namespace

bool grow_stack(State* L, int n, bool raise) {
  int size = L->stack_size();
  if (size > kMaxStack) {  // already using the extra space for errors
    if (raise) err_err(L);
    return false;
  }
  if (n < kMaxStack) {
    int newsize = size + (size >> 1);
    int needed = int(L->top - L->stack) + n;
    if (newsize > kMaxStack) newsize = kMaxStack;
    if (newsize < needed) newsize = needed;
    if (newsize <= kMaxStack) return realloc_stack(L, newsize, raise);
  }
  realloc_stack(L, kErrorStackSize, raise);  // room to handle the error
  if (raise) run_error(L, "stack overflow");
  return false;
}

void shrink_stack(State* L) {
  int inuse = stack_in_use(L);
  int max = inuse > kMaxStack / 3 ? kMaxStack : inuse * 3;
  if (inuse <= kMaxStack && L->stack_size() > max) {
    int nsize = inuse > kMaxStack / 2 ? kMaxStack : inuse * 2;
    realloc_stack(L, nsize, false);
  }
  shrink_ci(L);
}

void inc_top(State* L) {
  L->top++;
  check_stack(L, 1);
}

// ===================================================================
// Calls and returns
// ===================================================================

namespace {
inline StkId check_stack_p(State* L, int n, StkId p) {
  if (L->stack_last - L->top <= n) {
    ptrdiff_t t = save_stack(L, p);
    grow_stack(L, n, true);
    p = restore_stack(L, t);
  }
  return p;
}

// 'func' is not a function: put its __call metamethod below the arguments.
uint32_t try_func_tm(State* L, StkId func, uint32_t status) {
  const Value* tm = get_tm_by_obj(L, func, TM::Call);
  if (tm->is_nil()) call_error(L, func);
  for (StkId p = L->top; p > func; p--) *p = p[-1];
  L->top++;
  *func = *tm;
  if ((status & cist::kCcmtMask) == cist::kCcmtMask) run_error(L, "'__call' chain too long");
  return status + (1u << cist::kCcmtShift);
}

void move_results_generic(State* L, StkId res, int nres, int wanted) {
  StkId first = L->top - nres;
  if (nres > wanted) nres = wanted;
  int i = 0;
  for (; i < nres; i++) res[i] = first[i];
  for (; i < wanted; i++) res[i].set_nil();
  L->top = res + wanted;
}
}  // namespace

CallInfo* push_frame(State* L, StkId func, int nresults, uint32_t extra) {
  uint32_t status = uint32_t(nresults + 1) | extra;
  for (;;) {
    switch (func->tt) {
      case kTagLightFn:
      case kTagNativeClosure: {
        func = check_stack_p(L, kMinStack, func);
        CallInfo* ci = next_ci(L);
        L->ci = ci;
        ci->func = func;
        ci->top = L->top + kMinStack;
        ci->callstatus = status | cist::kC;
        ci->u.c.k = nullptr;
        return ci;
      }
      case kTagLuaClosure: {
        Proto* p = func->as_lua_closure()->p;
        int narg = int(L->top - func) - 1;
        int fsize = p->maxstacksize;
        func = check_stack_p(L, fsize, func);
        CallInfo* ci = next_ci(L);
        L->ci = ci;
        ci->func = func;
        ci->top = func + 1 + fsize;
        ci->callstatus = status;
        ci->u.l.savedpc = p->code;
        ci->u.l.trap = 0;
        ci->u.l.nextraargs = 0;
        for (; narg < p->numparams; narg++) (L->top++)->set_nil();
        return ci;
      }
      default:
        func = check_stack_p(L, 1, func);
        status = try_func_tm(L, func, status);
        break;
    }
  }
}

int invoke_native(State* L, CallInfo* ci) {
  NativeFn f = ci->func->is_light_fn() ? ci->func->as_light_fn() : ci->func->as_native_closure()->f;
  if (L->hookmask & kMaskCall) [[unlikely]] {
    int narg = int(L->top - ci->func) - 1;
    run_hook(L, kHookCall, -1, 1, narg);
  }
  return f(L);
}

void poscall(State* L, CallInfo* ci, int nres) {
  uint32_t fwanted = ci->callstatus & (cist::kTbc | cist::kNResults);
  if (L->hookmask && !(fwanted & cist::kTbc)) [[unlikely]]
    hook_return(L, ci, nres);
  StkId res = ci->func;
  switch (fwanted) {
    case 0 + 1:  // no values needed
      L->top = res;
      break;
    case 1 + 1:  // one value needed
      if (nres == 0) res->set_nil();
      else *res = L->top[-nres];
      L->top = res + 1;
      break;
    case kMultRet + 1:
      move_results_generic(L, res, nres, nres);
      break;
    default: {
      int wanted = int(fwanted & cist::kNResults) - 1;
      if (fwanted & cist::kTbc) {  // a native with to-be-closed variables
        ci->u2.nres = nres;
        ci->callstatus |= cist::kClsRet;
        res = func_close(L, res, kCloseKTop, false);
        ci->callstatus &= ~cist::kClsRet;
        if (L->hookmask) {
          ptrdiff_t savedres = save_stack(L, res);
          hook_return(L, ci, nres);
          res = restore_stack(L, savedres);
        }
        if (wanted == kMultRet) wanted = nres;
      }
      move_results_generic(L, res, nres, wanted);
      break;
    }
  }
  L->ci = ci->previous;
}

int pretailcall(State* L, CallInfo* ci, StkId func, int narg1, int delta) {
  uint32_t status = kMultRet + 1;
  for (;;) {
    switch (func->tt) {
      case kTagLightFn:
      case kTagNativeClosure: {
        CallInfo* nci = push_frame(L, func, kMultRet, status & cist::kCcmtMask);
        return invoke_native(L, nci);
      }
      case kTagLuaClosure: {
        Proto* p = func->as_lua_closure()->p;
        int fsize = p->maxstacksize;
        func = check_stack_p(L, fsize - delta, func);
        ci->func -= delta;  // restore 'func' (if vararg)
        for (int i = 0; i < narg1; i++) ci->func[i] = func[i];
        func = ci->func;
        for (; narg1 <= p->numparams; narg1++) func[narg1].set_nil();
        ci->top = func + 1 + fsize;
        ci->u.l.savedpc = p->code;
        ci->u.l.nextraargs = 0;
        ci->callstatus = (ci->callstatus & ~cist::kCcmtMask) | cist::kTail | (status & cist::kCcmtMask);
        L->top = func + narg1;
        return -1;
      }
      default:
        func = check_stack_p(L, 1, func);
        status = try_func_tm(L, func, status);
        narg1++;
        break;
    }
  }
}

// ===================================================================
// Calls from C++
// ===================================================================

namespace {
// Keeps nCcalls balanced across exceptions.
struct CCallScope {
  State* L;
  uint32_t inc;
  CCallScope(State* l, uint32_t i) : L(l), inc(i) { L->nCcalls += inc; }
  ~CCallScope() { L->nCcalls -= inc; }
};

void ccall(State* L, StkId func, int nresults, uint32_t inc) {
  CCallScope scope(L, inc);
  if (c_calls(L->nCcalls) >= kMaxCCalls) {
    func = check_stack_p(L, 0, func);
    check_c_stack(L);
  }
  CallInfo* ci = push_frame(L, func, nresults, cist::kFresh);
  if (!ci->is_lua()) {
    int n = invoke_native(L, ci);
    if (n >= 0) {  // the common case: a native that just returns
      poscall(L, ci, n);
      return;
    }
    drive(L, ci, n);
    return;
  }
  drive(L, ci, kEnterContinue);
}
}  // namespace

void call_value(State* L, StkId func, int nresults) { ccall(L, func, nresults, kNyci); }
void call_value_noyield(State* L, StkId func, int nresults) { ccall(L, func, nresults, kNyci); }

Status close_protected(State* L, ptrdiff_t level, Status status) {
  CallInfo* old_ci = L->ci;
  uint8_t old_allowhook = L->allowhook;
  for (;;) {  // keep closing until no more errors
    Status st = kOk;
    try {
      func_close(L, restore_stack(L, level), status, false);
    } catch (const LuaError& e) {
      if (e.to_base) throw;
      st = e.status;
    } catch (const std::bad_alloc&) {
      st = kErrMem;
    }
    if (st == kOk) return status;
    L->ci = old_ci;  // an error: restore and repeat with the new error
    L->allowhook = old_allowhook;
    status = st;
  }
}

Status pcall_value(State* L, StkId func, int nresults, ptrdiff_t errfunc) {
  ptrdiff_t old_top = save_stack(L, func);
  ptrdiff_t old_errfunc = L->errfunc;
  L->errfunc = errfunc;
  Status status = run_protected(L, old_top, [&] { call_value_noyield(L, restore_stack(L, old_top), nresults); });
  L->errfunc = old_errfunc;
  return status;
}

// ===================================================================
// The driver
// ===================================================================

namespace {

// Moves n values from the top of 'from' to the top of 'to'.
void xmove(State* from, State* to, int n) {
  from->top -= n;
  for (int i = 0; i < n; i++) *to->top++ = from->top[i];
}

CallInfo* find_pcall(State* L, CallInfo* limit) {
  for (CallInfo* ci = L->ci; ci != nullptr; ci = ci->previous) {
    if (ci->callstatus & cist::kYPcall) return ci;
    if (ci == limit) break;
  }
  return nullptr;
}

// Hands the outcome of coroutine 'co' (n values on its top, or an error
// object) to the thread that resumed it, whose current frame is the native
// that asked for the resume; its continuation runs next with 'status'.
State* return_to_resumer(State* co, int n, Status status) {
  State* r = co->resumer;
  co->resumer = nullptr;
  if (status == kOk && r->stack_last - r->top <= n) {
    if (!grow_stack(r, n, false)) {  // no room for the results
      co->top -= n;
      r->top->set_string(string_new(r, "too many results to resume"));
      r->top++;
      status = kErrRun;
      n = 0;
    }
  }
  if (n > 0) xmove(co, r, n);
  CallInfo* ci = r->ci;
  ci->set_recover_status(status);
  ci->callstatus |= cist::kPendingK;
  return r;
}

}  // namespace

int prepare_resume(State* co, int nargs) {
  if (co->status == kOk && co->ci == &co->base_ci) {  // starting: the body is below the arguments
    CallInfo* ci = push_frame(co, co->top - nargs - 1, kMultRet, cist::kFresh);
    return ci->is_lua() ? kEnterContinue : kEnterStartNative;
  }
  // continuing after a yield or an async suspension
  co->status = kOk;
  CallInfo* ci = co->ci;
  if (ci->is_lua()) {  // yielded inside a hook: just continue the Lua code
    co->top -= nargs;
    return kEnterContinue;
  }
  if (ci->u.c.k != nullptr) {
    ci->set_recover_status(kOk);
    ci->callstatus |= cist::kPendingK;
    return kEnterContinue;
  }
  return nargs;  // the yielding native returns the resume arguments
}

namespace {

// Starts or continues the coroutine that L asked to resume.
State* start_resume(State* L, int* enter) {
  State* co = L->target;
  int nargs = L->req_nargs;
  L->target = nullptr;
  co->resumer = L;
  co->nCcalls = c_calls(L->nCcalls) + 1;
  if (c_calls(co->nCcalls) >= kMaxCCalls) {  // resume error: the coroutine is left as it was
    co->resumer = nullptr;
    L->top -= nargs;
    L->top->set_string(string_new(L, "C stack overflow"));
    L->top++;
    L->ci->set_recover_status(kErrRun);
    L->ci->callstatus |= cist::kPendingK;
    *enter = kEnterContinue;
    return L;
  }
  check_stack(co, nargs);
  xmove(L, co, nargs);
  *enter = prepare_resume(co, nargs);
  return co;
}

// An error escaped the frames of L: recover at a pcall or report it.
State* recover(State* L, State* entry, CallInfo* entry_ci, Status status, int* enter) {
  CallInfo* limit = L == entry ? entry_ci : &L->base_ci;
  if (CallInfo* pci = find_pcall(L, limit)) {
    for (CallInfo* ci = L->ci; ci != pci; ci = ci->previous) {  // levels the error unwound
      if (ci->callstatus & cist::kCounted) L->nCcalls--;
    }
    L->ci = pci;
    pci->set_recover_status(status);
    pci->callstatus |= cist::kPendingK;
    L->allowhook = (pci->callstatus & cist::kOah) ? 1 : 0;
    *enter = kEnterContinue;
    return L;
  }
  if (L == entry) throw LuaError{status};
  // an unprotected error kills the coroutine; its resumer gets the error object
  L->status = status;
  set_error_obj(L, status, L->top);
  L->ci->top = L->top;
  *enter = kEnterContinue;
  return return_to_resumer(L, 1, status);
}

}  // namespace

Status push_foreign_error(State* L, const std::exception& e) {
  try {
    check_stack(L, 1);
    L->top->set_string(string_new(L, e.what()));
    L->top++;
    return kErrRun;
  } catch (...) {
    return kErrMem;
  }
}

bool can_suspend(State* L) {
  for (State* t = L; t; t = t->resumer) {
    uint32_t nny = t->nCcalls >> 16;
    if (nny != (t == G(t)->mainthread ? 1u : 0u)) return false;
  }
  return true;
}

State* chain_root(State* L) {
  while (L->resumer) L = L->resumer;
  return L;
}

Exit drive(State* entry, CallInfo* entry_ci, int enter, State* start) {
  State* L = start ? start : entry;
  for (;;) {
    Status status;
    try {
      Exit e = execute(L, enter);
      enter = kEnterContinue;
      switch (e) {
        case Exit::Return:
          if (L == entry) return Exit::Return;
          L = return_to_resumer(L, int(L->top - (L->ci->func + 1)), kOk);
          continue;
        case Exit::Yield:
          if (L == entry) return Exit::Yield;
          L->status = kYield;
          L = return_to_resumer(L, L->ci->u2.nyield, kOk);
          continue;
        case Exit::Resume:
          L = start_resume(L, &enter);
          continue;
        case Exit::Suspend:
          return Exit::Suspend;
        case Exit::Error:
          status = kErrRun;
          goto recover_error;  // outside the try: recover may throw (no pcall left)
      }
      continue;
    } catch (const LuaError& e) {
      status = e.status;
      if (e.to_base) {  // the coroutine closed itself: its resume returns
        if (L == entry) throw;
        enter = kEnterContinue;
        L->status = status == kOk ? kOk : status;
        L = return_to_resumer(L, status == kOk ? 0 : 1, status);
        continue;
      }
    } catch (const std::bad_alloc&) {
      status = kErrMem;
    } catch (const std::exception& ex) {
      status = push_foreign_error(L, ex);  // a foreign exception becomes a Lua error here
    }
  recover_error:
    L = recover(L, entry, entry_ci, status, &enter);
  }
}

// ===================================================================
// Host-level resume and thread closing
// ===================================================================

Status resume_thread(State* co, State* from, int nargs, int* nresults) {
  auto resume_error = [&](const char* msg) {
    co->top -= nargs;
    co->top->set_string(string_new(co, msg));
    co->top++;
    *nresults = 1;
    return kErrRun;
  };
  if (co->status == kOk) {
    if (co->ci != &co->base_ci) return resume_error("cannot resume non-suspended coroutine");
    if (co->top - (co->ci->func + 1) == nargs) return resume_error("cannot resume dead coroutine");
  } else if (co->status != kYield) {
    return resume_error("cannot resume dead coroutine");
  }
  co->nCcalls = from ? c_calls(from->nCcalls) : 0;
  if (c_calls(co->nCcalls) >= kMaxCCalls) return resume_error("C stack overflow");
  co->nCcalls++;
  int enter = prepare_resume(co, nargs);
  Status status;
  try {
    // All frames of the coroutine belong to this driver: pcalls anywhere in it count.
    Exit e = drive(co, &co->base_ci, enter);
    status = (e == Exit::Yield || e == Exit::Suspend) ? kYield : kOk;
  } catch (const LuaError& e) {
    status = e.status;
  } catch (const std::bad_alloc&) {
    status = kErrMem;
  }
  if (status == kYield) {
    co->status = kYield;
    *nresults = co->ci->u2.nyield;
  } else if (status == kOk) {
    *nresults = int(co->top - (co->ci->func + 1));
  } else {
    co->status = status;
    set_error_obj(co, status, co->top);
    co->ci->top = co->top;
    *nresults = 1;
  }
  return status;
}

Status reset_thread(State* L, Status status) {
  CallInfo* ci = L->ci = &L->base_ci;
  L->base_ci.func->set_nil();
  if (status == kYield) status = kOk;
  L->status = kOk;
  L->errfunc = 0;  // unwinding throws away any message handler left by the frames
  ci->callstatus = cist::kC;
  status = close_protected(L, 1 * sizeof(Value), status);
  if (status != kOk) set_error_obj(L, status, L->stack + 1);
  else L->top = L->stack + 1;
  ci->top = L->top + kMinStack;
  ci->callstatus = cist::kC;
  ci->u.c.k = nullptr;
  L->errfunc = 0;
  L->resumer = nullptr;
  grow_stack(L, int(ci->top - L->top), false);
  return status;
}

Status close_thread(State* co, State* from) {
  co->nCcalls = from ? c_calls(from->nCcalls) : 0;
  try {
    return reset_thread(co, Status(co->status));
  } catch (const LuaError& e) {
    // A __close handler closed the coroutine again ("closing itself"): that
    // inner close already reset it and unwinds to this, its base level.
    if (!e.to_base) throw;
    return e.status;
  }
}

}  // namespace rua
