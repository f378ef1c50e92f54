// The coroutine library (PUC: lcorolib.c). Resuming is non-recursive: the
// natives ask the driver (call.cpp) to switch threads and finish in a
// continuation, so a coroutine can be suspended by async I/O as a whole chain.
#include "lualib.hpp"

namespace rua {

namespace {

State* get_co(State* L) {
  State* co = to_thread(L, 1);
  arg_expected(L, co != nullptr, 1, "thread");
  return co;
}

// Moves 'narg' arguments to co and asks for the resume; continues in k.
int aux_resume(State* L, State* co, int narg, KFunction k, const char** err) {
  *err = nullptr;
  if (!ensure_stack(co, narg)) {
    *err = "too many arguments to resume";
    return 0;
  }
  if (const char* msg = check_resumable(co, 0)) {  // the arguments are still on L
    *err = msg;
    return 0;
  }
  return resume_k(L, co, narg, 0, k);
}

int resume_cont(State* L, int status, intptr_t) {
  if (status != kOk) {  // stack: co, error object
    push_boolean(L, false);
    insert(L, -2);
    return 2;
  }
  int nres = get_top(L) - 1;  // stack: co, results...
  push_boolean(L, true);
  insert(L, -(nres + 1));
  return nres + 1;
}

int co_resume(State* L) {
  State* co = get_co(L);
  const char* err;
  int r = aux_resume(L, co, get_top(L) - 1, resume_cont, &err);
  if (err) {
    push_boolean(L, false);
    push_string(L, err);
    return 2;
  }
  return r;
}

int wrap_cont(State* L, int status, intptr_t) {
  if (status == kOk) return get_top(L);
  State* co = to_thread(L, upvalue_index(1));
  int stat = co->status;
  if (stat != kOk && stat != kYield) {  // error in the coroutine: close its tbc variables
    stat = close_thread_api(co, L);
    pop(L, 1);
    xmove(co, L, 1);  // the error object after closing
  }
  if (stat != kErrMem && type(L, -1) == Type::String) {
    where(L, 1);
    insert(L, -2);
    concat(L, 2);
  }
  error(L);
}

int aux_wrap(State* L) {
  State* co = to_thread(L, upvalue_index(1));
  const char* err;
  int r = aux_resume(L, co, get_top(L), wrap_cont, &err);
  if (err) {
    push_string(L, err);
    where(L, 1);
    insert(L, -2);
    concat(L, 2);
    error(L);
  }
  return r;
}

int co_create(State* L) {
  check_type(L, 1, Type::Function);
  State* nl = new_thread(L, 1);
  push_value(L, 1);
  xmove(L, nl, 1);
  return 1;
}

int co_wrap(State* L) {
  co_create(L);
  push_native(L, aux_wrap, 1);
  return 1;
}

int co_yield_fn(State* L) { return yield_k(L, get_top(L)); }

int co_status(State* L) {
  State* co = get_co(L);
  push_string(L, coroutine_status(L, co));
  return 1;
}

State* get_opt_co(State* L) { return is_none(L, 1) ? L : get_co(L); }

int co_isyieldable(State* L) {
  State* co = get_opt_co(L);
  push_boolean(L, is_yieldable(co));
  return 1;
}

int co_running(State* L) {
  bool ismain = push_thread(L);
  push_boolean(L, ismain);
  return 2;
}

int co_close(State* L) {
  State* co = get_opt_co(L);
  const char* st = coroutine_status(L, co);
  switch (st[0]) {
    case 'd':    // dead
    case 's': {  // suspended
      Status status = close_thread_api(co, L);
      if (status == kOk) {
        push_boolean(L, true);
        return 1;
      }
      push_boolean(L, false);
      xmove(co, L, 1);
      return 2;
    }
    case 'r': {  // running: close itself
      raw_get_i(L, kRegistryIndex, kRidxMainThread);
      if (to_thread(L, -1) == co) errorf(L, "cannot close main thread");
      close_self(co);
    }
    default: errorf(L, "cannot close a %s coroutine", st);
  }
}

const Reg kCoFuncs[] = {{"create", co_create},   {"resume", co_resume},
                        {"running", co_running}, {"status", co_status},
                        {"wrap", co_wrap},       {"yield", co_yield_fn},
                        {"isyieldable", co_isyieldable}, {"close", co_close},
                        {nullptr, nullptr}};

}  // namespace

int open_coroutine(State* L) {
  new_lib(L, kCoFuncs);
  return 1;
}

}  // namespace rua
