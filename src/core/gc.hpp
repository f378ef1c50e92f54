// Memory and the garbage collector.
//
// Every byte the VM allocates goes through mem_realloc (accounted per
// GlobalState, optionally capped). The collector is a precise tri-colour
// mark & sweep in PUC Lua's shape: white objects are candidates, gray ones
// are marked but not traversed, black ones are done. Write barriers keep the
// invariant "no black object points to a white one" while a cycle is in its
// marking phase, so the collector can run in steps interleaved with the
// program (gc.cpp explains the phases).
#pragma once

#include "state.hpp"

namespace rua {
struct Node;
}

namespace rua {

// ---- colour bits of GCObject::marked ----
constexpr uint8_t kWhite0Bit = 3;
constexpr uint8_t kWhite1Bit = 4;
constexpr uint8_t kBlackBit = 5;
constexpr uint8_t kFinalizedBit = 6;  // object has been marked for finalization
constexpr uint8_t kWhiteBits = (1 << kWhite0Bit) | (1 << kWhite1Bit);
constexpr uint8_t kMaskColors = kWhiteBits | (1 << kBlackBit);

inline bool is_white(const GCObject* o) { return o->marked & kWhiteBits; }
inline bool is_black(const GCObject* o) { return o->marked & (1 << kBlackBit); }
inline bool is_gray(const GCObject* o) { return !(o->marked & kMaskColors); }
inline uint8_t other_white(const GlobalState* g) { return g->currentwhite ^ kWhiteBits; }
inline uint8_t current_white(const GlobalState* g) { return g->currentwhite & kWhiteBits; }
// Dead: white of the previous cycle, during a sweep.
inline bool is_dead(const GlobalState* g, const GCObject* o) { return (o->marked & other_white(g)) != 0; }
inline void make_white(GlobalState* g, GCObject* o) {
  o->marked = uint8_t((o->marked & ~kMaskColors) | current_white(g));
}

// Collector states (PUC's GCS*).
enum GCState : uint8_t {
  kGCSPropagate = 0,
  kGCSEnterAtomic,
  kGCSAtomic,
  kGCSSweepAllGC,
  kGCSSweepFinObj,
  kGCSSweepToBeFnz,
  kGCSSweepEnd,
  kGCSCallFin,
  kGCSPause,
};
inline bool keep_invariant(const GlobalState* g) { return g->gcstate <= kGCSAtomic; }

// Reasons for the collector to be stopped (GlobalState::gcstp).
constexpr uint8_t kGCStopUser = 1;     // collectgarbage("stop")
constexpr uint8_t kGCStopGC = 2;       // running a collection step or finalizer
constexpr uint8_t kGCStopClosing = 4;  // state is closing

// GC parameters (collectgarbage "param" names, in PUC's order).
enum GCParam {
  kGCPMinorMul = 0,
  kGCPMajorMinor,
  kGCPMinorMajor,
  kGCPPause,
  kGCPStepMul,
  kGCPStepSize,
  kGCPN
};

// ---- allocation ----
// Allocates, reallocates or frees (nsize == 0) a block; raises a memory error
// (after an emergency collection) when the block cannot be allocated.
void* mem_realloc(State* L, void* block, size_t osize, size_t nsize);
// Same, but returns null instead of raising.
void* mem_try_realloc(State* L, void* block, size_t osize, size_t nsize);
inline void* mem_alloc(State* L, size_t n) { return n ? mem_realloc(L, nullptr, 0, n) : nullptr; }
inline void mem_free(State* L, void* p, size_t n) {
  if (p) mem_realloc(L, p, n, 0);
}
template <typename T>
T* mem_new_array(State* L, size_t n) {
  return static_cast<T*>(mem_alloc(L, n * sizeof(T)));
}
template <typename T>
void mem_free_array(State* L, T* p, size_t n) {
  mem_free(L, p, n * sizeof(T));
}
template <typename T>
T* mem_resize_array(State* L, T* p, size_t on, size_t nn) {
  return static_cast<T*>(mem_realloc(L, p, on * sizeof(T), nn * sizeof(T)));
}
[[noreturn]] void mem_error(State* L);

// Creates an object of the given tag and size, white, in the 'allgc' list.
GCObject* gc_new_object(State* L, uint8_t tt, size_t size);

// Runs a collector step if enough has been allocated since the last one.
void gc_step(State* L);
inline void gc_check(State* L) {
  if (G(L)->gcdebt > 0) gc_step(L);
}
void gc_full(State* L, bool emergency);
// One basic step, or work of 'nbytes' (collectgarbage("step", n)); true at the end of a cycle.
bool gc_step_api(State* L, size_t nbytes);
void gc_free_all_objects(State* L);
void gc_fix(State* L, GCObject* o);
void gc_check_finalizer(State* L, GCObject* o, Table* mt);
void gc_change_mode(State* L, GCKind kind);
void gc_run_pending_finalizers(State* L);
// Parameter access, values in percent/bytes as collectgarbage("param") shows them.
int gc_get_param(GlobalState* g, int p);
void gc_set_param(GlobalState* g, int p, int value);

// ---- large tables ----
// A table with more than this many entries (array + nodes) is traversed in
// chunks of this many, and writes into it mark the new value at once
// (forward barrier) instead of re-traversing the whole table in the atomic
// step: no single GC step grows with the size of one table.
constexpr size_t kGCChunk = 1024;
// The table moved entries (resize, or a node moved to make room): the
// collector must not miss them if it is traversing that table.
void gc_table_resized(State* L, Table* t);
void gc_node_moved(State* L, Table* t, Node* n);

// ---- barriers ----
void gc_barrier_slow(State* L, GCObject* p, GCObject* o);
void gc_barrier_back_slow(State* L, GCObject* p, GCObject* o);

// 'p' (black) now points to 'v': mark v (forward barrier).
inline void gc_barrier(State* L, GCObject* p, const Value& v) {
  if (v.is_collectable() && is_black(p) && is_white(v.as_gc())) gc_barrier_slow(L, p, v.as_gc());
}
inline void gc_barrier_obj(State* L, GCObject* p, GCObject* o) {
  if (is_black(p) && is_white(o)) gc_barrier_slow(L, p, o);
}
// Table 'p' (black) got a new reference: make it gray again (backward barrier).
inline void gc_barrier_back(State* L, GCObject* p, const Value& v) {
  if (v.is_collectable() && is_black(p) && is_white(v.as_gc())) gc_barrier_back_slow(L, p, v.as_gc());
}
inline void gc_barrier_back_obj(State* L, GCObject* p, GCObject* o) {
  if (is_black(p) && is_white(o)) gc_barrier_back_slow(L, p, o);
}

// Bytes currently allocated.
inline size_t gc_total_bytes(const GlobalState* g) { return g->totalbytes; }

}  // namespace rua
