// The garbage collector: incremental tri-colour mark & sweep (PUC Lua's
// algorithm, lgc.c, in our own code).
//
// A cycle goes: pause -> propagate (traverse gray objects a few at a time)
// -> atomic (one indivisible step: re-traverse what changed behind the
// barriers, settle weak tables and finalizers, flip the white) -> sweep
// (free objects still of the old white, a few at a time) -> call finalizers.
// Between steps the program runs; the barriers in gc.hpp keep the
// invariant that no black object points to a white one.
//
// Weak tables: tables with weak values go to 'weak'; with weak keys
// (ephemerons) to 'ephemeron' while some entry has both key and value
// unmarked; fully weak to 'allweak'. The atomic step marks ephemeron values
// whose keys got marked until nothing changes, then clears dead entries.
// Strings are values, never weak.
//
// Finalizers: setmetatable with __gc moves an object to 'finobj'; the atomic
// step moves the unreachable ones to 'tobefnz' (in order of creation),
// marks them again (resurrection), and the callfin phase calls them.
//
// Pacing: 'gcdebt' counts bytes allocated since the collector last caught
// up; each step does work proportional to that debt (stepmul), and a new
// cycle starts when memory grows to 'pause' percent of what the last cycle
// left alive.
#include "gc.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "call.hpp"
#include "error.hpp"
#include "func.hpp"
#include "string.hpp"
#include "table.hpp"
#include "tm.hpp"

namespace rua {

void thread_free(State* L, State* L1);                 // state.cpp
void warning(State* L, const char* msg, bool tocont);  // state.cpp

namespace {

constexpr int kGCFinMax = 10;        // finalizers per step
constexpr int kGCFinalizeCost = 50;  // work units of one finalizer
constexpr int kGCSweepMax = 100;     // objects swept per step
constexpr size_t kWork2Mem = sizeof(Value);
constexpr int kGCStrMigrate = 256;        // string-table buckets moved per step during a resize
constexpr ptrdiff_t kGCMaxStepFactor = 2;  // longest step, in normal steps (see inc_step)

// ---- tracing: RUA_GCTRACE=<microseconds> ----
// A diagnostic for pause hunting: with the variable set, every collector
// step that takes longer than the threshold prints to stderr where its time
// went (per collector state, and per part of the atomic step), and closing
// the state prints the longest step. Off (one predictable branch per step)
// when unset. Per OS thread, as each worker runs its own GlobalState.
enum TracePart : int {
  kTrRoots = 0,  // atomic: running thread, registry, metatables
  kTrUpvals,     // atomic: open upvalues of unmarked threads
  kTrGrayAgain,  // atomic: objects behind backward barriers, threads
  kTrEphemeron,  // atomic: ephemeron convergence
  kTrClearWeak,  // atomic: clearing weak tables
  kTrSeparate,   // atomic: finding objects to finalize, marking them
  kTrNParts
};
const char* const kTracePartNames[kTrNParts] = {"roots", "upvals", "grayagain", "ephemeron", "clearweak", "separate"};
const char* const kStateNames[] = {"propagate", "enteratomic", "atomic", "sweepallgc", "sweepfinobj",
                                   "sweeptobefnz", "sweepend", "callfin", "pause"};

struct GCTrace {
  int64_t threshold_ns = -1;  // < 0: off
  int64_t state_ns[kGCSPause + 1] = {};
  size_t state_work[kGCSPause + 1] = {};
  int state_steps[kGCSPause + 1] = {};
  int64_t part_ns[kTrNParts] = {};
  int64_t longest_ns = 0;
  size_t steps = 0;
  int64_t total_ns = 0;
};

int64_t trace_threshold_from_env() {
  const char* v = std::getenv("RUA_GCTRACE");
  if (v == nullptr || *v == '\0') return -1;
  return int64_t(std::strtoll(v, nullptr, 10)) * 1000;
}

GCTrace& trace() {
  thread_local GCTrace t{trace_threshold_from_env()};
  return t;
}
inline bool tracing() { return trace().threshold_ns >= 0; }
inline int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Times one part of the atomic step when tracing.
struct TraceScope {
  int part;
  int64_t t0;
  explicit TraceScope(int p) : part(p), t0(tracing() ? now_ns() : 0) {}
  ~TraceScope() {
    if (t0) trace().part_ns[part] += now_ns() - t0;
  }
};

void trace_reset_step() {
  GCTrace& t = trace();
  std::fill(std::begin(t.state_ns), std::end(t.state_ns), 0);
  std::fill(std::begin(t.state_work), std::end(t.state_work), 0);
  std::fill(std::begin(t.state_steps), std::end(t.state_steps), 0);
  std::fill(std::begin(t.part_ns), std::end(t.part_ns), 0);
}

void trace_report_step(GlobalState* g, int64_t ns, ptrdiff_t debt) {
  GCTrace& t = trace();
  t.steps++;
  t.total_ns += ns;
  if (ns > t.longest_ns) t.longest_ns = ns;
  if (ns < t.threshold_ns) return;
  std::fprintf(stderr, "[gc] step %.3f ms (debt %td KB, heap %zu KB):", double(ns) / 1e6, debt / 1024,
               g->totalbytes / 1024);
  for (int s = 0; s <= kGCSPause; s++) {
    if (t.state_steps[s] == 0) continue;
    std::fprintf(stderr, " %s %.3f ms/%d steps/%zu work", kStateNames[s], double(t.state_ns[s]) / 1e6,
                 t.state_steps[s], t.state_work[s]);
  }
  if (t.state_steps[kGCSEnterAtomic]) {
    std::fprintf(stderr, " [atomic:");
    for (int p = 0; p < kTrNParts; p++) std::fprintf(stderr, " %s %.3f", kTracePartNames[p], double(t.part_ns[p]) / 1e6);
    std::fprintf(stderr, "]");
  }
  std::fprintf(stderr, "\n");
}

inline GCObject* gco(void* p) { return static_cast<GCObject*>(p); }
inline void set_black(GCObject* o) { o->marked = uint8_t((o->marked & ~kWhiteBits) | (1 << kBlackBit)); }
inline void set_gray(GCObject* o) { o->marked &= uint8_t(~kMaskColors); }
inline bool to_finalize(GCObject* o) { return o->marked & (1 << kFinalizedBit); }

GCObject** gclist_of(GCObject* o) {
  switch (o->tt) {
    case kTagTable: return &static_cast<Table*>(o)->gclist;
    case kTagLuaClosure: return &static_cast<LuaClosure*>(o)->gclist;
    case kTagNativeClosure: return &static_cast<NativeClosure*>(o)->gclist;
    case kTagThread: return &reinterpret_cast<State*>(o)->gclist;
    case kTagProto: return &static_cast<Proto*>(o)->gclist;
    case kTagUserdata: return &static_cast<Userdata*>(o)->gclist;
    default: std::abort();
  }
}

inline void link_gclist(GCObject* o, GCObject** list) {
  *gclist_of(o) = *list;
  *list = o;
  set_gray(o);
}

void really_mark(GlobalState* g, GCObject* o);

inline void mark_value(GlobalState* g, const Value& v) {
  if (v.is_collectable() && is_white(v.as_gc())) really_mark(g, v.as_gc());
}
inline void mark_object(GlobalState* g, GCObject* o) {
  if (o && is_white(o)) really_mark(g, o);
}

void really_mark(GlobalState* g, GCObject* o) {
  switch (o->tt) {
    case kTagShortStr:
    case kTagLongStr: set_black(o); return;
    case kTagUpVal: {
      auto* uv = static_cast<UpVal*>(o);
      if (uv->is_open())
        set_gray(uv);
      else
        set_black(uv);
      mark_value(g, *uv->v);
      return;
    }
    case kTagUserdata: {
      auto* u = static_cast<Userdata*>(o);
      if (u->nuvalue == 0) {
        mark_object(g, u->metatable);
        set_black(u);
        return;
      }
      break;
    }
    default: break;
  }
  link_gclist(o, &g->gray);
}

void mark_metatables(GlobalState* g) {
  for (int i = 0; i < kNumTypes; i++) mark_object(g, g->mt[i]);
}

void mark_being_finalized(GlobalState* g) {
  for (GCObject* o = g->tobefnz; o; o = o->next) mark_object(g, o);
}

// ---- traversals ----

const char* weak_mode(GlobalState* g, Table* h) {
  const Value* mode = fast_tm(g, h->metatable, TM::Mode);
  if (mode && mode->is_string()) return mode->as_string()->c_str();
  return nullptr;
}

// Is the object of this value (or key) to be cleared from a weak table?
bool is_cleared(GlobalState* g, GCObject* o) {
  if (o == nullptr) return false;
  if (o->tt == kTagShortStr || o->tt == kTagLongStr) {
    mark_object(g, o);  // strings are values, never weak
    return false;
  }
  return is_white(o);
}
inline GCObject* key_gc_or_null(const Node* n) { return n->key_is_collectable() ? n->key_gc() : nullptr; }
inline GCObject* val_gc_or_null(const Value& v) { return v.is_collectable() ? v.as_gc() : nullptr; }
inline bool val_is_white(const Value& v) { return v.is_collectable() && is_white(v.as_gc()); }

// An empty node whose key is collectable: mark the key dead so it no longer
// keeps its object alive (next() still recognises it by identity).
inline void clear_key(Node* n) {
  if (n->key_is_collectable()) n->val.aux_tt = kTagDeadKey;
}

void traverse_weak_value(GlobalState* g, Table* h) {
  size_t nsize = h->is_dummy() ? 0 : h->node_count();
  bool hasclears = h->asize > 0;  // array part may hold white values
  for (size_t i = 0; i < nsize; i++) {
    Node* n = &h->node[i];
    if (n->val.is_empty()) {
      clear_key(n);
    } else {
      if (n->key_is_collectable()) mark_object(g, n->key_gc());
      if (!hasclears && is_cleared(g, val_gc_or_null(n->val))) hasclears = true;
    }
  }
  if (g->gcstate == kGCSAtomic && hasclears)
    link_gclist(h, &g->weak);
  else
    link_gclist(h, &g->grayagain);
}

bool traverse_ephemeron(GlobalState* g, Table* h, bool inv) {
  bool marked = false, hasclears = false, hasww = false;
  for (uint32_t i = 0; i < h->asize; i++) {
    if (val_is_white(h->array[i])) {
      marked = true;
      really_mark(g, h->array[i].as_gc());
    }
  }
  size_t nsize = h->is_dummy() ? 0 : h->node_count();
  for (size_t i = 0; i < nsize; i++) {
    Node* n = inv ? &h->node[nsize - 1 - i] : &h->node[i];
    if (n->val.is_empty()) {
      clear_key(n);
    } else if (is_cleared(g, key_gc_or_null(n))) {
      hasclears = true;
      if (val_is_white(n->val)) hasww = true;
    } else if (val_is_white(n->val)) {
      marked = true;
      really_mark(g, n->val.as_gc());
    }
  }
  if (g->gcstate == kGCSPropagate)
    link_gclist(h, &g->grayagain);
  else if (hasww)
    link_gclist(h, &g->ephemeron);
  else if (hasclears)
    link_gclist(h, &g->allweak);
  else
    set_black(h);
  return marked;
}

void traverse_strong_table(GlobalState* g, Table* h) {
  for (uint32_t i = 0; i < h->asize; i++) mark_value(g, h->array[i]);
  size_t nsize = h->is_dummy() ? 0 : h->node_count();
  for (size_t i = 0; i < nsize; i++) {
    Node* n = &h->node[i];
    if (n->val.is_empty()) {
      clear_key(n);
    } else {
      if (n->key_is_collectable()) mark_object(g, n->key_gc());
      mark_value(g, n->val);
    }
  }
  set_black(h);
}

size_t traverse_table(GlobalState* g, Table* h) {
  mark_object(g, h->metatable);
  const char* mode = weak_mode(g, h);
  bool wkey = mode && std::strchr(mode, 'k');
  bool wvalue = mode && std::strchr(mode, 'v');
  if (!wkey && !wvalue)
    traverse_strong_table(g, h);
  else if (!wkey)
    traverse_weak_value(g, h);
  else if (!wvalue)
    traverse_ephemeron(g, h, false);
  else
    link_gclist(h, &g->allweak);  // all weak: nothing to mark
  return 1 + h->asize + (h->is_dummy() ? 0 : h->node_count() * 2);
}

size_t traverse_userdata(GlobalState* g, Userdata* u) {
  mark_object(g, u->metatable);
  for (int i = 0; i < u->nuvalue; i++) mark_value(g, u->uv()[i]);
  set_black(u);
  return 1 + u->nuvalue;
}

size_t traverse_proto(GlobalState* g, Proto* f) {
  mark_object(g, f->source);
  for (int i = 0; i < f->sizek; i++) mark_value(g, f->k[i]);
  for (int i = 0; i < f->sizeupvalues; i++) mark_object(g, f->upvalues[i].name);
  for (int i = 0; i < f->sizep; i++) mark_object(g, f->p[i]);
  for (int i = 0; i < f->sizelocvars; i++) mark_object(g, f->locvars[i].name);
  set_black(f);
  return 1 + size_t(f->sizek + f->sizeupvalues + f->sizep + f->sizelocvars);
}

size_t traverse_lua_closure(GlobalState* g, LuaClosure* cl) {
  mark_object(g, cl->p);
  for (int i = 0; i < cl->nupvalues; i++) mark_object(g, cl->upvals[i]);
  set_black(cl);
  return 1 + cl->nupvalues;
}

size_t traverse_native_closure(GlobalState* g, NativeClosure* cl) {
  for (int i = 0; i < cl->nupvalues; i++) mark_value(g, cl->upvalue[i]);
  set_black(cl);
  return 1 + cl->nupvalues;
}

size_t traverse_thread(GlobalState* g, State* th) {
  // Threads stay gray: their stacks change without barriers, so they are
  // traversed again in the atomic step.
  if (g->gcstate == kGCSPropagate)
    link_gclist(th, &g->grayagain);
  else
    set_black(th);
  if (th->stack == nullptr) return 1;  // not completely built yet
  for (StkId o = th->stack; o < th->top; o++) mark_value(g, *o);
  for (UpVal* uv = th->openupval; uv; uv = uv->u.open.next) mark_object(g, uv);
  if (g->gcstate == kGCSAtomic) {
    for (StkId o = th->top; o < th->stack_last + kExtraStack; o++) o->set_nil();
    if (th->twups == th && th->openupval != nullptr) {  // relink into 'twups'
      th->twups = g->twups;
      g->twups = th;
    }
  }
  return 1 + size_t(th->stack_size());
}

size_t table_entries(const Table* h) { return h->asize + (h->is_dummy() ? 0 : h->node_count()); }

bool is_large_strong(GlobalState* g, Table* h) {
  return table_entries(h) > kGCChunk && weak_mode(g, h) == nullptr;
}

// Large strong tables leave the gray list for a queue ('g->graylarge') and
// are traversed there one at a time, a chunk per step, so that progress on
// one is never lost when another turns gray. They are black from the moment
// they are queued: writes into them go through the forward barrier.
void queue_large_table(GlobalState* g, Table* h) {
  g->gray = h->gclist;  // off the gray list
  set_black(h);
  h->gclist = g->graylarge;
  g->graylarge = h;
}

size_t large_table_step(GlobalState* g) {
  Table* h = g->trav_table;
  if (h == nullptr) {
    h = g->trav_table = static_cast<Table*>(g->graylarge);
    g->graylarge = h->gclist;
    g->trav_index = 0;
    mark_object(g, h->metatable);
  }
  size_t asize = h->asize, total = table_entries(h);
  size_t start = std::min(g->trav_index, total), end = std::min(total, start + kGCChunk);
  for (size_t i = start; i < end; i++) {
    if (i < asize) {
      mark_value(g, h->array[i]);
    } else {
      Node* n = &h->node[i - asize];
      if (n->val.is_empty()) {
        clear_key(n);
      } else {
        if (n->key_is_collectable()) mark_object(g, n->key_gc());
        mark_value(g, n->val);
      }
    }
  }
  g->trav_index = end;
  if (end == total) g->trav_table = nullptr;  // done
  return 1 + (end - start);
}

bool in_graylarge(GlobalState* g, const Table* h) {
  for (GCObject* o = g->graylarge; o; o = static_cast<Table*>(o)->gclist)
    if (o == h) return true;
  return false;
}

bool has_gray(GlobalState* g) { return g->gray || g->trav_table || g->graylarge; }

size_t propagate_mark(GlobalState* g) {
  GCObject* o = g->gray;
  if (o == nullptr) return large_table_step(g);
  if (o->tt == kTagTable && is_large_strong(g, static_cast<Table*>(o))) {
    queue_large_table(g, static_cast<Table*>(o));
    return 1;
  }
  set_black(o);
  g->gray = *gclist_of(o);
  switch (o->tt) {
    case kTagTable: return traverse_table(g, static_cast<Table*>(o));
    case kTagUserdata: return traverse_userdata(g, static_cast<Userdata*>(o));
    case kTagLuaClosure: return traverse_lua_closure(g, static_cast<LuaClosure*>(o));
    case kTagNativeClosure: return traverse_native_closure(g, static_cast<NativeClosure*>(o));
    case kTagProto: return traverse_proto(g, static_cast<Proto*>(o));
    case kTagThread: return traverse_thread(g, reinterpret_cast<State*>(o));
    default: std::abort();
  }
}

size_t propagate_all(GlobalState* g) {
  size_t work = 0;
  while (has_gray(g)) work += propagate_mark(g);
  return work;
}

// Marks ephemeron values whose keys are marked, until nothing changes.
void converge_ephemerons(GlobalState* g) {
  bool changed;
  bool dir = false;
  do {
    GCObject* next = g->ephemeron;
    g->ephemeron = nullptr;
    changed = false;
    while (GCObject* w = next) {
      auto* h = static_cast<Table*>(w);
      next = h->gclist;
      set_black(h);
      if (traverse_ephemeron(g, h, dir)) {
        propagate_all(g);
        changed = true;
      }
    }
    dir = !dir;  // alternate directions: chains converge faster
  } while (changed);
}

void clear_by_keys(GlobalState* g, GCObject* l) {
  for (; l; l = static_cast<Table*>(l)->gclist) {
    auto* h = static_cast<Table*>(l);
    size_t nsize = h->is_dummy() ? 0 : h->node_count();
    for (size_t i = 0; i < nsize; i++) {
      Node* n = &h->node[i];
      if (is_cleared(g, key_gc_or_null(n))) n->val.set_empty();
      if (n->val.is_empty()) clear_key(n);
    }
  }
}

void clear_by_values(GlobalState* g, GCObject* l, GCObject* f) {
  for (; l != f; l = static_cast<Table*>(l)->gclist) {
    auto* h = static_cast<Table*>(l);
    for (uint32_t i = 0; i < h->asize; i++) {
      if (is_cleared(g, val_gc_or_null(h->array[i]))) h->array[i].set_empty();
    }
    size_t nsize = h->is_dummy() ? 0 : h->node_count();
    for (size_t i = 0; i < nsize; i++) {
      Node* n = &h->node[i];
      if (is_cleared(g, val_gc_or_null(n->val))) n->val.set_empty();
      if (n->val.is_empty()) clear_key(n);
    }
  }
}

size_t remark_upvals(GlobalState* g) {
  size_t work = 0;
  State** p = &g->twups;
  State* th;
  while ((th = *p) != nullptr) {
    work++;
    if (!is_white(th) && th->openupval != nullptr) {
      p = &th->twups;
    } else {
      *p = th->twups;
      th->twups = th;  // out of the list
      for (UpVal* uv = th->openupval; uv; uv = uv->u.open.next) {
        work++;
        if (!is_white(uv)) mark_value(g, *uv->v);
      }
    }
  }
  return work;
}

// ---- finalizers ----

// Moves unreachable objects with finalizers to 'tobefnz' ('all': every one).
void separate_to_be_finalized(GlobalState* g, bool all) {
  GCObject** p = &g->finobj;
  GCObject** lastnext = &g->tobefnz;
  while (*lastnext) lastnext = &(*lastnext)->next;
  GCObject* curr;
  while ((curr = *p) != nullptr) {
    if (!(is_white(curr) || all)) {
      p = &curr->next;
    } else {
      *p = curr->next;
      curr->next = *lastnext;
      *lastnext = curr;
      lastnext = &curr->next;
    }
  }
}

// ---- sweeping ----

void free_object(State* L, GCObject* o) {
  switch (o->tt) {
    case kTagProto: proto_free(L, static_cast<Proto*>(o)); break;
    case kTagUpVal: {
      auto* uv = static_cast<UpVal*>(o);
      if (uv->is_open()) unlink_upval(uv);
      mem_free(L, uv, sizeof(UpVal));
      break;
    }
    case kTagLuaClosure: {
      auto* cl = static_cast<LuaClosure*>(o);
      mem_free(L, cl, lua_closure_size(cl->nupvalues));
      break;
    }
    case kTagNativeClosure: {
      auto* cl = static_cast<NativeClosure*>(o);
      mem_free(L, cl, native_closure_size(cl->nupvalues));
      break;
    }
    case kTagTable: table_free(L, static_cast<Table*>(o)); break;
    case kTagThread: thread_free(L, reinterpret_cast<State*>(o)); break;
    case kTagUserdata: {
      auto* u = static_cast<Userdata*>(o);
      mem_free(L, u, Userdata::memory_offset(u->nuvalue) + u->len);
      break;
    }
    case kTagShortStr:
    case kTagLongStr: string_free(L, static_cast<String*>(o)); break;
    default: std::abort();
  }
}

GCObject** sweep_list(State* L, GCObject** p, int countin, int* countout) {
  GlobalState* g = G(L);
  uint8_t ow = other_white(g);
  uint8_t white = current_white(g);
  int i;
  for (i = 0; *p != nullptr && i < countin; i++) {
    GCObject* curr = *p;
    uint8_t marked = curr->marked;
    if (marked & ow) {  // dead
      *p = curr->next;
      free_object(L, curr);
    } else {
      curr->marked = uint8_t((marked & ~kMaskColors) | white);
      p = &curr->next;
    }
  }
  if (countout) *countout = i;
  return *p == nullptr ? nullptr : p;
}

GCObject** sweep_to_live(State* L, GCObject** p) {
  GCObject** old = p;
  do {
    p = sweep_list(L, p, 1, nullptr);
  } while (p == old);
  return p;
}

void enter_sweep(State* L) {
  GlobalState* g = G(L);
  g->gcstate = kGCSSweepAllGC;
  g->sweepgc = sweep_to_live(L, &g->allgc);
}

size_t atomic(State* L) {
  GlobalState* g = G(L);
  size_t work = 0;
  GCObject* grayagain = g->grayagain;
  g->grayagain = nullptr;
  g->gcstate = kGCSAtomic;
  {
    TraceScope ts(kTrRoots);
    mark_object(g, L);  // the running thread
    mark_value(g, g->registry);
    mark_metatables(g);
    work += propagate_all(g);
  }
  {
    TraceScope ts(kTrUpvals);
    work += remark_upvals(g);
    work += propagate_all(g);
  }
  {
    TraceScope ts(kTrGrayAgain);
    g->gray = grayagain;
    work += propagate_all(g);
  }
  {
    TraceScope ts(kTrEphemeron);
    converge_ephemerons(g);
  }
  // All strongly reachable objects are marked. Clear weak values before
  // checking finalizers (resurrected objects must not be in weak values).
  GCObject* origweak;
  GCObject* origall;
  {
    TraceScope ts(kTrClearWeak);
    clear_by_values(g, g->weak, nullptr);
    clear_by_values(g, g->allweak, nullptr);
    origweak = g->weak;
    origall = g->allweak;
  }
  {
    TraceScope ts(kTrSeparate);
    separate_to_be_finalized(g, false);
    mark_being_finalized(g);
    work += propagate_all(g);
  }
  {
    TraceScope ts(kTrEphemeron);
    converge_ephemerons(g);
  }
  {
    TraceScope ts(kTrClearWeak);
    clear_by_keys(g, g->ephemeron);
    clear_by_keys(g, g->allweak);
    clear_by_values(g, g->weak, origweak);
    clear_by_values(g, g->allweak, origall);
  }
  g->currentwhite = other_white(g);  // flip
  return work;
}

void restart_collection(GlobalState* g) {
  g->gray = g->grayagain = nullptr;
  g->trav_table = nullptr;
  g->graylarge = nullptr;
  g->weak = g->allweak = g->ephemeron = nullptr;
  mark_object(g, g->mainthread);
  mark_value(g, g->registry);
  mark_metatables(g);
  mark_being_finalized(g);
}

// Calls the finalizer of the first object in 'tobefnz'.
void call_one_finalizer(State* L) {
  GlobalState* g = G(L);
  GCObject* o = g->tobefnz;
  g->tobefnz = o->next;
  o->next = g->allgc;  // back to the normal list
  g->allgc = o;
  o->marked &= uint8_t(~(1 << kFinalizedBit));
  if (g->gcstate >= kGCSSweepAllGC && g->gcstate <= kGCSSweepEnd) make_white(g, o);
  Value v;
  v.set_gc(o, o->tt);
  const Value* tm = get_tm_by_obj(L, &v, TM::Gc);
  if (tm->is_nil()) return;
  uint8_t oldah = L->allowhook;
  uint8_t oldstp = g->gcstp;
  g->gcstp |= kGCStopGC;  // no collection steps inside a finalizer
  L->allowhook = 0;
  StkId func = L->top;
  func[0] = *tm;
  func[1] = v;
  L->top = func + 2;
  L->ci->callstatus |= cist::kFin;
  Status status = pcall_value(L, func, 0, 0);
  L->ci->callstatus &= ~cist::kFin;
  L->allowhook = oldah;
  g->gcstp = oldstp;
  if (status != kOk) {
    const Value* err = L->top - 1;
    const char* msg = err->is_string() ? err->as_string()->c_str() : "error object is not a string";
    warning(L, "error in ", true);
    warning(L, "__gc", true);
    warning(L, " (", true);
    warning(L, msg, true);
    warning(L, ")", false);
    L->top--;
  }
}

int run_a_few_finalizers(State* L, int n) {
  GlobalState* g = G(L);
  int i;
  for (i = 0; i < n && g->tobefnz; i++) call_one_finalizer(L);
  return i;
}

size_t single_step(State* L) {
  GlobalState* g = G(L);
  size_t work = 0;
  switch (g->gcstate) {
    case kGCSPause:
      restart_collection(g);
      g->gcstate = kGCSPropagate;
      work = 1;
      break;
    case kGCSPropagate:
      if (!has_gray(g))
        g->gcstate = kGCSEnterAtomic;
      else
        work = propagate_mark(g);
      break;
    case kGCSEnterAtomic:
      work = atomic(L);
      enter_sweep(L);
      g->gcestimate = g->totalbytes;
      break;
    case kGCSSweepAllGC:
    case kGCSSweepFinObj:
    case kGCSSweepToBeFnz: {
      GCObject** next_list = g->gcstate == kGCSSweepAllGC    ? &g->finobj
                             : g->gcstate == kGCSSweepFinObj ? &g->tobefnz
                                                             : nullptr;
      int count = 0;
      if (g->sweepgc) {
        size_t before = g->totalbytes;  // a sweep only frees
        g->sweepgc = sweep_list(L, g->sweepgc, kGCSweepMax, &count);
        size_t freed = before - g->totalbytes;
        g->gcestimate = g->gcestimate > freed ? g->gcestimate - freed : 0;
        work = size_t(count);
      } else {
        g->gcstate = uint8_t(g->gcstate + 1);
        g->sweepgc = next_list;
      }
      break;
    }
    case kGCSSweepEnd:
      if (!g->gcemergency) string_table_check_shrink(L);
      // The estimate of what survived is the heap at the atomic step minus
      // what the sweep freed (PUC 5.4's rule), not the heap now: that would
      // count everything allocated while sweeping, and with 'pause' applied
      // to it the heap would climb from cycle to cycle.
      g->gcstate = kGCSCallFin;
      break;
    case kGCSCallFin:
      if (g->tobefnz && !g->gcemergency) {
        work = size_t(run_a_few_finalizers(L, kGCFinMax)) * kGCFinalizeCost;
      } else {
        g->gcstate = kGCSPause;
      }
      break;
  }
  return work;
}

void run_until(State* L, int statesmask) {
  GlobalState* g = G(L);
  while (!(statesmask & (1 << g->gcstate))) single_step(L);
}

void set_debt(GlobalState* g, ptrdiff_t debt) { g->gcdebt = debt; }

void set_pause(GlobalState* g) {
  size_t estimate = g->gcestimate > 0 ? g->gcestimate : g->totalbytes;
  size_t threshold = estimate / 100 * size_t(g->gcparams[kGCPPause]);
  if (threshold < estimate) threshold = estimate;  // overflow guard
  g->gcdebtcarry = 0;  // a new cycle owes nothing
  set_debt(g, ptrdiff_t(g->totalbytes) - ptrdiff_t(threshold));
}

void full_inc(State* L) {
  GlobalState* g = G(L);
  if (keep_invariant(g)) enter_sweep(L);  // sweep everything to turn black objects white
  run_until(L, 1 << kGCSPause);
  run_until(L, 1 << kGCSCallFin);
  g->gcestimate = g->totalbytes;
  run_until(L, 1 << kGCSPause);
  set_pause(g);
}

// Incremental step: work proportional to the debt, in units of kWork2Mem
// bytes, but never more than kGCMaxStepFactor normal steps at once: one
// large allocation (a table's array, the string table's buckets) would
// otherwise buy a step as long as a small collection. The debt beyond that
// is carried ('gcdebtcarry') and repaid by the next steps, which come at the
// usual allocation intervals, so pauses stay short and the collector still
// does all the work the allocations called for before the cycle ends.
void inc_step(State* L) {
  GlobalState* g = G(L);
  int stepmul = g->gcparams[kGCPStepMul] | 1;
  ptrdiff_t stepsize = ptrdiff_t(size_t(g->gcparams[kGCPStepSize]) / kWork2Mem) * stepmul / 100;
  if (stepmul <= 1) {  // stepmul 0: stop-the-world collections
    full_inc(L);
    return;
  }
  size_t owed = size_t(std::max<ptrdiff_t>(g->gcdebt, 0)) + g->gcdebtcarry;
  ptrdiff_t debt = ptrdiff_t(owed / kWork2Mem) * stepmul / 100;
  ptrdiff_t cap = std::max<ptrdiff_t>(stepsize, 1) * kGCMaxStepFactor;
  g->gcdebtcarry = 0;
  if (debt > cap) {
    g->gcdebtcarry = size_t((debt - cap) * 100 / stepmul) * kWork2Mem;
    debt = cap;
  }
  const bool tr = tracing();
  do {
    int64_t t0 = tr ? now_ns() : 0;
    uint8_t st = g->gcstate;
    size_t work = single_step(L);
    if (tr) {
      GCTrace& t = trace();
      t.state_ns[st] += now_ns() - t0;
      t.state_work[st] += work;
      t.state_steps[st]++;
    }
    debt -= ptrdiff_t(work);
  } while (debt > -stepsize && g->gcstate != kGCSPause);
  string_table_migrate(L, kGCStrMigrate);
  if (g->gcstate == kGCSPause) {
    set_pause(g);
  } else {
    debt = debt * 100 / stepmul * ptrdiff_t(kWork2Mem);
    set_debt(g, debt);
  }
}

}  // namespace

// ===================================================================
// Public interface
// ===================================================================

void gc_barrier_slow(State* L, GCObject* p, GCObject* o) {
  GlobalState* g = G(L);
  if (keep_invariant(g))
    really_mark(g, o);  // restore the invariant
  else
    make_white(g, p);  // sweeping: no need to mark, p will be swept white
}

void gc_barrier_back_slow(State* L, GCObject* p, GCObject* o) {
  GlobalState* g = G(L);
  if (p->tt == kTagTable) {
    auto* h = static_cast<Table*>(p);
    if (h == g->trav_table || is_large_strong(g, h) || in_graylarge(g, h)) {
      // Re-traversing a large table in the atomic step would be one long
      // pause: mark the new value now instead.
      gc_barrier_slow(L, p, o);
      return;
    }
  }
  link_gclist(p, &g->grayagain);  // p becomes gray and is re-traversed in atomic
}

void gc_table_resized(State* L, Table* t) {
  GlobalState* g = G(L);
  if (g->trav_table != t) return;
  // Entries moved, some behind the cursor: mark them all now (the resize was
  // as long already) and finish the table, which later writes keep marked
  // through the forward barrier. (Restarting the traversal instead could
  // starve the collector on a table that keeps rehashing.)
  size_t asize = t->asize, total = table_entries(t);
  if (keep_invariant(g)) {
    for (size_t i = 0; i < total; i++) {
      if (i < asize) {
        mark_value(g, t->array[i]);
      } else {
        Node* n = &t->node[i - asize];
        if (n->val.is_empty()) continue;
        if (n->key_is_collectable()) mark_object(g, n->key_gc());
        mark_value(g, n->val);
      }
    }
  }
  g->trav_index = total;  // the next step takes it off the gray list
}

void gc_node_moved(State* L, Table* t, Node* n) {
  GlobalState* g = G(L);
  if (g->trav_table != t || !keep_invariant(g)) return;
  if (n->key_is_collectable()) mark_object(g, n->key_gc());  // it may have moved behind the cursor
  mark_value(g, n->val);
}

GCObject* gc_new_object(State* L, uint8_t tt, size_t size) {
  GlobalState* g = G(L);
  auto* o = static_cast<GCObject*>(mem_alloc(L, size));
  o->marked = current_white(g);
  o->tt = tt;
  o->next = g->allgc;
  g->allgc = o;
  return o;
}

void gc_fix(State* L, GCObject* o) {
  GlobalState* g = G(L);
  // o must be the most recent object in 'allgc'.
  set_gray(o);  // never white: never collected
  g->allgc = o->next;
  o->next = g->fixedgc;
  g->fixedgc = o;
}

void gc_check_finalizer(State* L, GCObject* o, Table* mt) {
  GlobalState* g = G(L);
  if (to_finalize(o) || fast_tm(g, mt, TM::Gc) == nullptr || (g->gcstp & kGCStopClosing)) return;
  if (g->gcstate >= kGCSSweepAllGC && g->gcstate <= kGCSSweepEnd) {
    make_white(g, o);  // "sweep" the object
    if (g->sweepgc == &o->next) g->sweepgc = sweep_to_live(L, g->sweepgc);
  }
  GCObject** p = &g->allgc;
  while (*p != o) p = &(*p)->next;
  *p = o->next;
  o->next = g->finobj;
  g->finobj = o;
  o->marked |= (1 << kFinalizedBit);
}

void gc_step(State* L) {
  GlobalState* g = G(L);
  if (g->gcstp != 0) {  // stopped: avoid being called again too soon
    set_debt(g, -2000);
    return;
  }
  auto t0 = std::chrono::steady_clock::now();
  const ptrdiff_t debt0 = g->gcdebt;
  if (tracing()) trace_reset_step();
  g->gcstp |= kGCStopGC;  // not reentrant: no emergency collection inside a step
  try {
    inc_step(L);
  } catch (...) {
    g->gcstp &= uint8_t(~kGCStopGC);
    throw;
  }
  g->gcstp &= uint8_t(~kGCStopGC);
  auto ns = size_t(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count());
  if (ns > g->gc_pause_max_ns) g->gc_pause_max_ns = ns;
  if (tracing()) trace_report_step(g, int64_t(ns), debt0);
}

bool gc_step_api(State* L, size_t nbytes) {
  GlobalState* g = G(L);
  uint8_t oldstp = g->gcstp;
  g->gcstp = 0;
  bool ended = false;
  if (g->gckind == GCKind::Generational) {
    // No generational collector yet: "generational" mode collects with the
    // incremental one, and a step there is a whole cycle, which frees
    // everything a minor collection would (see README).
    full_inc(L);
  } else if (nbytes == 0) {
    single_step(L);
    while (g->gcstate != kGCSPause && g->gcstate == kGCSPropagate && !has_gray(g)) single_step(L);
    ended = g->gcstate == kGCSPause;
  } else {
    set_debt(g, g->gcdebt + ptrdiff_t(nbytes));
    if (g->gcdebt > 0) {
      inc_step(L);
      ended = g->gcstate == kGCSPause;
    }
  }
  g->gcstp = oldstp;
  return ended;
}

void gc_full(State* L, bool emergency) {
  GlobalState* g = G(L);
  uint8_t old = g->gcemergency;
  g->gcemergency = emergency ? 1 : 0;
  full_inc(L);
  g->gcemergency = old;
}

void gc_run_pending_finalizers(State* L) {
  while (G(L)->tobefnz) call_one_finalizer(L);
}

void gc_change_mode(State* L, GCKind kind) { G(L)->gckind = kind; }

void gc_free_all_objects(State* L) {
  GlobalState* g = G(L);
  if (tracing()) {
    const GCTrace& t = trace();
    std::fprintf(stderr, "[gc] %zu steps, longest %.3f ms, total %.1f ms\n", t.steps, double(t.longest_ns) / 1e6,
                 double(t.total_ns) / 1e6);
  }
  g->gcstp = kGCStopClosing;
  separate_to_be_finalized(g, true);
  gc_run_pending_finalizers(L);
  g->currentwhite = kWhiteBits;  // every object is "dead" for sweep_list
  g->gcstate = kGCSSweepAllGC;
  auto free_list = [&](GCObject** list, GCObject* keep) {
    GCObject* o = *list;
    *list = nullptr;
    while (o && o != keep) {
      GCObject* next = o->next;
      free_object(L, o);
      o = next;
    }
  };
  free_list(&g->finobj, nullptr);
  free_list(&g->allgc, reinterpret_cast<GCObject*>(g->mainthread));
  free_list(&g->fixedgc, nullptr);
}

int gc_get_param(GlobalState* g, int p) { return g->gcparams[p]; }
void gc_set_param(GlobalState* g, int p, int value) { g->gcparams[p] = value; }

// ===================================================================
// Memory
// ===================================================================

void mem_error(State* L) { throw_error(L, kErrMem); }

void* mem_try_realloc(State* L, void* block, size_t osize, size_t nsize) {
  GlobalState* g = G(L);
  if (nsize > osize && g->memlimit && g->totalbytes - osize + nsize > g->memlimit) return nullptr;
  void* p = g->frealloc(g->ud, block, osize, nsize);
  if (p == nullptr && nsize > 0) return nullptr;
  g->totalbytes = g->totalbytes - osize + nsize;
  g->gcdebt += ptrdiff_t(nsize) - ptrdiff_t(osize);
  return p;
}

void* mem_realloc(State* L, void* block, size_t osize, size_t nsize) {
  void* p = mem_try_realloc(L, block, osize, nsize);
  if (p == nullptr && nsize > 0) [[unlikely]] {
    GlobalState* g = G(L);
    // Emergency: collect everything we can and try once more (not while
    // the collector or a stack move is in the middle of its work).
    if (g->gcemergency == 0 && !(g->gcstp & (kGCStopGC | kGCStopClosing)) && g->mainthread != nullptr) {
      uint8_t oldstp = g->gcstp;
      g->gcstp |= kGCStopGC;
      try {
        g->gcemergency = 1;
        full_inc(L);
        g->gcemergency = 0;
      } catch (...) {
        g->gcemergency = 0;
        g->gcstp = oldstp;
        throw;
      }
      g->gcstp = oldstp;
      p = mem_try_realloc(L, block, osize, nsize);
    }
    if (p == nullptr) mem_error(L);
  }
  return p;
}

}  // namespace rua
