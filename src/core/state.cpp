// Creating and closing states and threads; warnings.
#include "state_api.hpp"

#if RUA_HAVE_MIMALLOC
#include <mimalloc.h>
#endif

#include <cstdlib>
#include <cstring>
#include <ctime>

#include "call.hpp"
#include "func.hpp"
#include "gc.hpp"
#include "string.hpp"
#include "table.hpp"
#include "tm.hpp"

namespace rua {

const char* const kTypeNames[kNumTypes + 3] = {"no value", "nil",      "boolean", "userdata", "number", "string",
                                                "table",    "function", "userdata", "thread", "upvalue", "proto"};

bool raw_equal(const Value& a, const Value& b) {
  if (a.tt != b.tt) {
    if (a.type() != b.type()) return false;
    if (a.is_int() && b.is_float()) {
      lua_Integer i;
      return float_to_integer(b.as_float(), &i) && i == a.as_int();
    }
    if (a.is_float() && b.is_int()) {
      lua_Integer i;
      return float_to_integer(a.as_float(), &i) && i == b.as_int();
    }
    if (a.is_string() && b.is_string()) return string_equal(a.as_string(), b.as_string());
    return false;
  }
  switch (a.tt) {
    case kTagNil: case kTagFalse: case kTagTrue: return true;
    case kTagInt: return a.as_int() == b.as_int();
    case kTagFloat: return a.as_float() == b.as_float();
    case kTagLightUd: return a.u.p == b.u.p;
    case kTagLightFn: return a.u.f == b.u.f;
    case kTagLongStr: return string_equal_long(a.as_string(), b.as_string());
    default:
      if (a.is_nil()) return true;
      return a.u.gc == b.u.gc;
  }
}

namespace {

void* default_alloc(void*, void* ptr, size_t, size_t nsize) {
#if RUA_HAVE_MIMALLOC
  if (nsize == 0) {
    mi_free(ptr);
    return nullptr;
  }
  return mi_realloc(ptr, nsize);
#else
  if (nsize == 0) {
    std::free(ptr);
    return nullptr;
  }
  return std::realloc(ptr, nsize);
#endif
}

void preinit_thread(State* L, GlobalState* g) {
  L->g = g;
  L->stack = nullptr;
  L->ci = nullptr;
  L->nci = 0;
  L->twups = L;  // thread has no upvalues
  L->nCcalls = 0;
  L->errfunc = 0;
  L->hook = nullptr;
  L->hookmask = 0;
  L->basehookcount = 0;
  L->allowhook = 1;
  L->hookcount = 0;
  L->openupval = nullptr;
  L->status = kOk;
  L->oldpc = 0;
  L->gclist = nullptr;
  L->resumer = nullptr;
  L->target = nullptr;
  L->req_nargs = 0;
  L->req_nresults = 0;
  L->user = nullptr;
  L->tbclist = nullptr;
}

uint32_t make_seed() {
  // RUA_HASH_SEED fixes the seed: bench/regress.sh sets it so that instruction
  // counts do not move with code layout (the address of make_seed below).
  if (const char* env = std::getenv("RUA_HASH_SEED")) {
    char* end;
    unsigned long v = std::strtoul(env, &end, 10);
    if (*env != '\0' && *end == '\0' && v != 0) return uint32_t(v);
  }
  uintptr_t h = uintptr_t(std::time(nullptr));
  h ^= uintptr_t(&h);
  h ^= uintptr_t(&make_seed);
  return uint32_t(h ^ (h >> 32));
}

// Builds the parts of a state that need the allocator to work.
void init_state(State* L) {
  GlobalState* g = G(L);
  stack_init(L, L, kMainStackSize);
  // registry: [1] = false (free list of refs), [2] = globals, [3] = main thread
  Table* registry = table_new(L);
  g->registry.set_table(registry);
  table_resize(L, registry, 3, 0);
  Value v;
  v.set_bool(false);
  table_set_int(L, registry, 1, v);
  Table* globals = table_new(L);
  v.set_table(globals);
  table_set_int(L, registry, kRegistryGlobals, v);
  v.set_thread(L);
  table_set_int(L, registry, kRegistryMainThread, v);
  string_table_init(L);
  tm_init(L);
  g->memerrmsg = string_new(L, "not enough memory");
  gc_fix(L, g->memerrmsg);
  g->str_n = string_new(L, "n");
  gc_fix(L, g->str_n);
  g->nilvalue.set_nil();  // the state is complete
}

}  // namespace

State* state_new(AllocFn f, void* ud, uint32_t seed) {
  if (f == nullptr) f = default_alloc;
  auto* g = new (std::nothrow) GlobalState();
  if (g == nullptr) return nullptr;
  auto* L = static_cast<State*>(f(ud, nullptr, 0, sizeof(State)));
  if (L == nullptr) {
    delete g;
    return nullptr;
  }
  std::memset(static_cast<void*>(L), 0, sizeof(State));
  g->frealloc = f;
  g->ud = ud;
  g->totalbytes = sizeof(State);
  g->currentwhite = 1 << kWhite0Bit;
  L->tt = kTagThread;
  L->marked = current_white(g);
  L->next = nullptr;
  preinit_thread(L, g);
  g->allgc = L;
  g->mainthread = L;
  g->seed = seed ? seed : make_seed();
  g->gcstp = kGCStopGC;  // no collection while building
  g->gcstate = kGCSPause;
  g->gckind = GCKind::Incremental;
  g->gcparams[kGCPMinorMul] = 20;
  g->gcparams[kGCPMajorMinor] = 50;
  g->gcparams[kGCPMinorMajor] = 70;
  g->gcparams[kGCPPause] = 250;
  g->gcparams[kGCPStepMul] = 200;
  g->gcparams[kGCPStepSize] = 200 * int(sizeof(Table));
  g->nilvalue.set_int(0);  // signals that the state is not complete
  g->registry.set_nil();
  try {
    init_state(L);
  } catch (...) {
    state_close(L);
    return nullptr;
  }
  L->nCcalls = 0x10000u;  // the main thread is never yieldable
  g->gcstp = 0;
  g->gcdebt = -ptrdiff_t(g->totalbytes);  // first collection when memory doubles
  return L;
}

void state_close(State* L) {
  L = G(L)->mainthread;
  GlobalState* g = G(L);
  if (g->nilvalue.is_nil()) {  // complete state: close variables and run finalizers
    L->ci = &L->base_ci;
    reset_thread(L, kOk);
    gc_free_all_objects(L);
  } else {
    gc_free_all_objects(L);
  }
  if (g->strt.hash) mem_free_array(L, g->strt.hash, size_t(g->strt.size));
  if (g->strt.old) mem_free_array(L, g->strt.old, size_t(g->strt.oldsize));
  stack_free(L);
  AllocFn f = g->frealloc;
  void* ud = g->ud;
  f(ud, L, sizeof(State), 0);
  delete g;
}

State* thread_new(State* L, int stack_size) {
  GlobalState* g = G(L);
  gc_check(L);
  auto* L1 = static_cast<State*>(gc_new_object(L, kTagThread, sizeof(State)));
  uint8_t marked = L1->marked;
  GCObject* next = L1->next;
  std::memset(static_cast<void*>(reinterpret_cast<char*>(L1) + sizeof(GCObject)), 0, sizeof(State) - sizeof(GCObject));
  L1->marked = marked;
  L1->next = next;
  L1->tt = kTagThread;
  preinit_thread(L1, g);
  L1->hookmask = L->hookmask;
  L1->basehookcount = L->basehookcount;
  L1->hook = L->hook;
  L1->hookcount = L1->basehookcount;
  L1->user = L->user;
  stack_init(L1, L, stack_size);
  return L1;
}

void thread_free(State* L, State* L1) {
  close_upvals(L1, L1->stack);
  stack_free(L1);
  mem_free(L, L1, sizeof(State));
}

void warning(State* L, const char* msg, bool tocont) {
  WarnFn wf = G(L)->warnf;
  if (wf) wf(G(L)->ud_warn, msg, tocont ? 1 : 0);
}

}  // namespace rua
