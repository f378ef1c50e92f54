// Threads (State), call frames (CallInfo) and the state shared by all threads
// of one VM (GlobalState).
//
// A State is one Lua thread: its own value stack and its own list of call
// frames. Lua-to-Lua calls never recurse on the C++ stack: a call pushes a
// CallInfo and the VM loop continues with it (vm.cpp); the driver (call.cpp)
// switches between threads for coroutine.resume/yield the same way.
#pragma once

#include <csignal>
#include <cstdint>

#include "object.hpp"

namespace rua {

struct GlobalState;
struct Table;
struct DebugInfo;

enum Status : uint8_t { kOk = 0, kYield = 1, kErrRun = 2, kErrSyntax = 3, kErrMem = 4, kErrErr = 5 };

// A Lua error in flight. The error object is at the top of the thread that
// raised it. Thrown only by throw_error (call.hpp), caught only at
// protected frames.
struct LuaError {
  Status status;
  bool to_base = false;  // a coroutine closing itself: unwind to the resume, skipping pcalls
};

// Continuation of a native function after a call, yield or resume it asked
// for (see api.hpp).
using KFunction = int (*)(State* L, int status, intptr_t ctx);

using Hook = void (*)(State* L, DebugInfo* ar);

// Bits of CallInfo::callstatus (PUC's CIST_*).
namespace cist {
constexpr uint32_t kNResults = 0xff;            // nresults + 1
constexpr int kCcmtShift = 8;                   // number of __call metamethods (4 bits)
constexpr uint32_t kCcmtMask = 0xfu << kCcmtShift;
constexpr int kRecstShift = 12;                 // status of a pcall being recovered (3 bits)
constexpr uint32_t kRecstMask = 7u << kRecstShift;
constexpr uint32_t kC = 1u << 15;               // native function
constexpr uint32_t kFresh = 1u << 16;           // entry frame of a C++-level execution: returning leaves the VM loop
constexpr uint32_t kClsRet = 1u << 17;          // closing tbc variables while returning
constexpr uint32_t kTbc = 1u << 18;             // function has tbc variables to close on return
constexpr uint32_t kOah = 1u << 19;             // original value of 'allowhook'
constexpr uint32_t kHooked = 1u << 20;          // running a debug hook
constexpr uint32_t kYPcall = 1u << 21;          // protected call with a continuation (pcall/xpcall)
constexpr uint32_t kTail = 1u << 22;            // call was a tail call
constexpr uint32_t kHookYield = 1u << 23;       // last hook yielded
constexpr uint32_t kFin = 1u << 24;             // running a finalizer
constexpr uint32_t kFinishOp = 1u << 25;        // metamethod frame: on return, finish the caller's instruction
constexpr uint32_t kPendingK = 1u << 26;        // native frame waiting to run its continuation on return
constexpr uint32_t kCounted = 1u << 27;         // native's call_k/pcall_k counts one level in nCcalls (as PUC's lua_call)
}  // namespace cist

constexpr int kMultRet = -1;
constexpr int kMaxResults = 250;
constexpr int kMinStack = 20;          // free slots guaranteed to a native function
// A new thread's stack: the base native frame's kMinStack slots, room for a
// small first function, and kExtraStack above: 32 slots, 512 bytes (one of
// the allocator's size classes). PUC Lua starts with 40 + 5; a suspended
// light thread rarely uses more than this, and the async runtime keeps many
// of them waiting, so the rest is left to the first growth (1.5x, once).
constexpr int kBasicStackSize = kMinStack + 7;
constexpr int kMainStackSize = 2 * kMinStack;  // the main thread's (PUC's size: one per state)
constexpr int kExtraStack = 5;         // slots above stack_last for metamethod calls
constexpr int kMaxStack = 1000000;     // Lua stack limit ("stack overflow")
constexpr int kStackErrSpace = 200;    // extra space to handle a stack overflow
constexpr int kMaxCCalls = 200;        // C++-level nesting limit ("C stack overflow")

struct CallInfo {
  StkId func;
  StkId top;  // top for this function
  CallInfo* previous;
  CallInfo* next;
  union {
    struct {  // Lua functions
      const Instruction* savedpc;
      volatile std::sig_atomic_t trap;  // hooks or stack reallocation: reload state
      int nextraargs;                   // extra arguments of a vararg function
    } l;
    struct {  // native functions
      KFunction k;
      intptr_t ctx;
      ptrdiff_t old_errfunc;
    } c;
  } u;
  union {
    int funcidx;  // protected call: saved stack index of the called function
    int nyield;   // number of values yielded
    int nres;     // number of values returned (while closing tbc variables)
  } u2;
  uint32_t callstatus;

  bool is_lua() const { return !(callstatus & cist::kC); }
  int nresults() const { return int(callstatus & cist::kNResults) - 1; }
  LuaClosure* lua_closure() const { return func->as_lua_closure(); }
  Status recover_status() const { return Status((callstatus & cist::kRecstMask) >> cist::kRecstShift); }
  void set_recover_status(Status st) {
    callstatus = (callstatus & ~cist::kRecstMask) | (uint32_t(st) << cist::kRecstShift);
  }
};

// Non-yieldable calls are counted in the upper 16 bits of nCcalls (PUC's nyci).
constexpr uint32_t kNyci = 0x10000u | 1u;
inline uint32_t c_calls(uint32_t n) { return n & 0xffff; }

struct State : GCObject {
  uint8_t status;     // Status: kOk (running or not started), kYield, or the error that killed it
  uint8_t allowhook;
  uint16_t nci;       // number of CallInfos allocated
  StkId top;          // first free slot
  GlobalState* g;
  CallInfo* ci;       // current frame
  StkId stack_last;   // end of the usable stack (kExtraStack slots follow)
  StkId stack;
  UpVal* openupval;   // open upvalues, by decreasing level
  StkId tbclist;      // last to-be-closed variable
  GCObject* gclist;
  State* twups;       // list of threads with open upvalues
  CallInfo base_ci;   // frame of the C++ host
  volatile Hook hook;
  ptrdiff_t errfunc;  // stack index of the current message handler
  uint32_t nCcalls;   // C++ nesting (lower 16 bits) and non-yieldable calls (upper 16)
  int oldpc;          // last pc traced by hooks
  int basehookcount;
  int hookcount;
  volatile std::sig_atomic_t hookmask;
  State* resumer;     // thread that resumed this one (while running or normal)
  State* target;      // coroutine a native asked to resume (api resume_k)
  int req_nargs;      // arguments of a pending resume request
  int req_nresults;   // results wanted by a pending call request (api call_k)
  void* user;         // embedder's pointer (async runtime)

  bool yieldable() const { return (nCcalls & 0xffff0000u) == 0; }
  int stack_size() const { return int(stack_last - stack); }
};

inline ptrdiff_t save_stack(State* L, StkId p) { return reinterpret_cast<char*>(p) - reinterpret_cast<char*>(L->stack); }
inline StkId restore_stack(State* L, ptrdiff_t n) {
  return reinterpret_cast<StkId>(reinterpret_cast<char*>(L->stack) + n);
}

// ---- the string table ----
struct StringTable {
  String** hash = nullptr;
  int nuse = 0;  // strings in 'hash' and 'old'
  int size = 0;
  // While the table grows, the previous bucket array is moved into the new
  // one a few buckets per new string, so growing never pauses the program
  // for a rehash of every string.
  String** old = nullptr;
  int oldsize = 0;
  int moved = 0;  // buckets of 'old' already moved
};

enum class GCKind : uint8_t { Incremental, Generational };

using WarnFn = void (*)(void* ud, const char* msg, int tocont);
using AllocFn = void* (*)(void* ud, void* ptr, size_t osize, size_t nsize);

struct GlobalState {
  // ---- memory accounting ----
  AllocFn frealloc = nullptr;
  void* ud = nullptr;
  size_t totalbytes = 0;     // bytes allocated (including debt)
  ptrdiff_t gcdebt = 0;      // bytes allocated not yet compensated by the collector
  size_t gcdebtcarry = 0;    // debt beyond one step's cap, repaid by the next steps
  size_t gcestimate = 0;     // estimate of live bytes after the last cycle
  size_t memlimit = 0;       // 0: no limit

  // ---- strings ----
  StringTable strt;
  uint32_t seed = 0;

  // ---- collector ----
  uint8_t currentwhite = 0;
  uint8_t gcstate = 0;
  GCKind gckind = GCKind::Incremental;
  uint8_t gcstp = 0;         // reasons the collector is stopped
  uint8_t gcemergency = 0;
  bool gcrunning_finalizers = false;
  int gcparams[6] = {};
  GCObject* allgc = nullptr;
  GCObject** sweepgc = nullptr;
  GCObject* finobj = nullptr;
  GCObject* gray = nullptr;
  GCObject* grayagain = nullptr;
  GCObject* graylarge = nullptr;  // large tables waiting for their chunked traversal
  Table* trav_table = nullptr;  // large table whose traversal is in progress
  size_t trav_index = 0;        // next entry of trav_table to traverse (array, then nodes)
  GCObject* weak = nullptr;
  GCObject* ephemeron = nullptr;
  GCObject* allweak = nullptr;
  GCObject* tobefnz = nullptr;
  GCObject* fixedgc = nullptr;
  State* twups = nullptr;
  size_t gcmarked = 0;
  size_t gc_pause_max_ns = 0;  // statistics: longest collector step

  // ---- registry and per-type data ----
  Value registry;
  Value nilvalue;            // a nil; its tag is kTagInt while the state is being built
  State* mainthread = nullptr;
  String* memerrmsg = nullptr;
  String* tmname[kNumTM] = {};
  Table* mt[kNumTypes] = {};
  String* str_n = nullptr;       // "n"
  String* str_close = nullptr;   // "__close" ... (fast access names)

  WarnFn warnf = nullptr;
  void* ud_warn = nullptr;
  void* host = nullptr;          // embedder data (async runtime)
};

inline GlobalState* G(State* L) { return L->g; }

}  // namespace rua
