// Calls, returns, the stack, errors and the driver (PUC: ldo.c).
//
// Lua frames never recurse on the C++ stack (vm.cpp). C++ recursion happens
// only where native code calls back into Lua (call/pcall below), and every
// such level counts in L->nCcalls, which is capped at kMaxCCalls.
//
// The driver runs a thread until the frame that started a C++-level
// execution returns. It also switches between coroutines: resume, yield and
// async suspension are requests a native function makes by returning a code
// (api.hpp), not C++ calls, so a chain of coroutines can be suspended and
// continued as a whole. Errors are C++ exceptions (LuaError); the driver
// catches them and recovers at the innermost pcall frame of the running
// thread, or kills that coroutine and reports to its resumer.
#pragma once

#include <exception>
#include <new>
#include <string_view>

#include "state.hpp"

namespace rua {

// ---- the stack ----
// A new stack of 'size' usable slots (kBasicStackSize or more).
void stack_init(State* L, State* from, int size = kBasicStackSize);
void stack_free(State* L);
// Ensures n free slots; raises "stack overflow" (or returns false if !raise).
bool grow_stack(State* L, int n, bool raise);
inline void check_stack(State* L, int n) {
  if (L->stack_last - L->top <= n) grow_stack(L, n, true);
}
void shrink_stack(State* L);
void inc_top(State* L);
CallInfo* extend_ci(State* L);
void free_ci(State* L);
inline CallInfo* next_ci(State* L) { return L->ci->next ? L->ci->next : extend_ci(L); }

// Puts the error object of 'status' at oldtop and sets top after it.
void set_error_obj(State* L, Status status, StkId oldtop);

// ---- frames ----
// Pushes a frame for the function at 'func' (resolving __call chains).
// Returns the new CallInfo; for a native it has cist::kC and the caller
// must invoke it (see invoke_native).
CallInfo* push_frame(State* L, StkId func, int nresults, uint32_t extra_status = 0);
// Runs the native function of frame ci (with call hooks) and returns its result code.
int invoke_native(State* L, CallInfo* ci);
// Finishes a call: moves 'nres' results from the top to the function's slot.
void poscall(State* L, CallInfo* ci, int nres);
// Prepares a tail call into frame 'ci'. Returns -1 for a Lua function (ci
// reused), or the result code of a native (called in a new frame above ci).
int pretailcall(State* L, CallInfo* ci, StkId func, int narg1, int delta);

// ---- calling from C++ (recursive, not yieldable) ----
// Calls the function at 'func' with the values above it as arguments.
void call_value(State* L, StkId func, int nresults);
void call_value_noyield(State* L, StkId func, int nresults);
// Protected call: returns the status; on error the error object is at 'func'.
Status pcall_value(State* L, StkId func, int nresults, ptrdiff_t errfunc);
// Runs body() protected; on error restores the stack to 'old_top' and puts the
// error object there.
template <typename F>
Status run_protected(State* L, ptrdiff_t old_top, F&& body);

// Closes to-be-closed variables and upvalues down to 'level', protected; returns the final status.
Status close_protected(State* L, ptrdiff_t level, Status status);

// ---- the driver ----
// Error: a native returned kNativeError (the driver recovers at a pcall or rethrows).
enum class Exit : uint8_t { Return, Yield, Resume, Suspend, Error };

// Codes a native function may return instead of a result count (api.hpp
// has the functions that produce them).
constexpr int kNativeCallK = -3;    // call the function set up on the stack, then the continuation
constexpr int kNativeYield = -4;    // yield ci->u2.nyield values to the resumer
constexpr int kNativeResume = -5;   // resume L->target with L->req_nargs values
constexpr int kNativeSuspend = -6;  // suspend the whole chain until the host continues it
// raise the error object on the top (a run-time error, message handler already
// called): error() and assert() return it, so that an error caught by a pcall
// in the same driver costs no C++ exception (a throw costs ~25k instructions
// of DWARF unwinding; PUC Lua's longjmp a few dozen).
constexpr int kNativeError = -7;

// How to enter the VM loop for the current frame of a thread.
constexpr int kEnterContinue = -1;     // continue L->ci (Lua frame, or native waiting for its continuation)
constexpr int kEnterStartNative = -2;  // L->ci is a native frame not yet invoked
// n >= 0 or a kNative* code: the native frame L->ci returned that (n results are
// on the top, e.g. the values passed to the resume that continues a yield).

// The VM loop (vm.cpp): runs frames of L until the FRESH frame at the bottom
// of this execution returns, or the running code asks for a thread switch.
Exit execute(State* L, int enter);

// Runs 'entry' (whose current frame is set up as 'enter' says) until its
// FRESH frame returns (Exit::Return), or it yields or suspends. Coroutines
// resumed meanwhile are run by this same driver. Errors are recovered at
// pcall frames of the entry thread down to 'limit'; others propagate as
// LuaError from the entry thread. 'start' (default: entry) is the thread
// to run first: the innermost thread of a suspended chain rooted at entry.
Exit drive(State* entry, CallInfo* limit, int enter, State* start = nullptr);

// True if L (and every thread that resumed it, up to the root) can be
// suspended: no C++ level runs Lua code on any of them.
bool can_suspend(State* L);
// The root of the resume chain L belongs to.
State* chain_root(State* L);

// Prepares co (not started, yielded or suspended) to run with nargs values
// on its top; returns how to enter the VM for it.
int prepare_resume(State* co, int nargs);
// Host-level resume of a coroutine (like lua_resume); 'nargs' values are on co's stack.
Status resume_thread(State* co, State* from, int nargs, int* nresults);
// Closes a dead or suspended coroutine (tbc variables), like lua_closethread.
Status close_thread(State* co, State* from);
// Resets a thread after an error (closes everything), returning the final status.
Status reset_thread(State* L, Status status);

// ---- loading ----
// Compiles (or undumps) a chunk and pushes the new closure; on error pushes
// the message and returns the status.
Status load_chunk(State* L, std::string_view chunk, const char* chunkname, const char* mode);

// Pushes the message of a C++ exception thrown by native code; returns the status to report.
Status push_foreign_error(State* L, const std::exception& e);

template <typename F>
Status run_protected(State* L, ptrdiff_t old_top, F&& body) {
  CallInfo* old_ci = L->ci;
  uint8_t old_allowhook = L->allowhook;
  uint32_t old_nccalls = L->nCcalls;
  Status status = kOk;
  try {
    body();
  } catch (const LuaError& e) {
    if (e.to_base) throw;  // a coroutine closing itself skips every protected level
    status = e.status;
  } catch (const std::bad_alloc&) {
    status = kErrMem;
  } catch (const std::exception& e) {
    status = push_foreign_error(L, e);
  }
  if (status != kOk) {
    L->ci = old_ci;
    L->allowhook = old_allowhook;
    L->nCcalls = old_nccalls;
    status = close_protected(L, old_top, status);
    set_error_obj(L, status, restore_stack(L, old_top));
    shrink_stack(L);
  }
  return status;
}

}  // namespace rua
