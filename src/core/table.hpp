// Tables: an array part for keys 1..asize and a hash part of 2^k nodes.
//
// The hash part is PUC Lua's: chained scatter table with Brent's variation.
// A key lives in its main position unless that is taken by a colliding key,
// in which case it goes to a free node (found by 'lastfree' moving down) and
// is linked from the main position's chain. Node chains use offsets
// ('aux_next' of the node's value), so a resize can rebuild them cheaply.
//
// Lookups never allocate; inserting a new key may rehash (table.cpp), which
// recounts integer keys to size the array part so that sequences stay dense.
// 'flags' caches metamethods known to be absent when the table is used as a
// metatable (bit i set: TM i absent); any raw store into the table clears it.
#pragma once

#include "object.hpp"

namespace rua {

// A hash node: the value is a Value whose spare bytes hold the key's tag
// (aux_tt) and the offset to the next node of the chain (aux_next); the key's
// payload follows.
struct Node {
  Value val;
  decltype(Value::u) key_u;

  uint8_t key_tt() const { return val.aux_tt; }
  int next() const { return val.aux_next; }
  Value key() const {
    Value k;
    k.u = key_u;
    k.tt = val.aux_tt;
    return k;
  }
  void set_key(const Value& k) {
    key_u = k.u;
    val.aux_tt = k.tt;
  }
  bool key_is_nil() const { return (val.aux_tt & 0x0F) == 0; }
  bool key_is_dead() const { return val.aux_tt == kTagDeadKey; }
  bool key_is_collectable() const { return (val.aux_tt & kCollectableBit) != 0; }
  GCObject* key_gc() const { return key_u.gc; }
};
static_assert(sizeof(Node) == 24);

struct Table : GCObject {
  uint8_t flags;      // absent-metamethod cache
  uint8_t lsizenode;  // log2 of the number of nodes
  uint32_t asize;     // size of the array part
  Value* array;
  Node* node;
  Node* lastfree;     // all free nodes are before this; null for the shared dummy node
  Table* metatable;
  GCObject* gclist;

  size_t node_count() const { return size_t(1) << lsizenode; }
  bool is_dummy() const { return lastfree == nullptr; }
};


constexpr uint8_t kAllTMAbsent = 0x3f;  // bits for TM::Index .. TM::Eq
inline void invalidate_tm_cache(Table* t) { t->flags &= uint8_t(~kAllTMAbsent); }

Table* table_new(State* L);
void table_free(State* L, Table* t);
// Resizes both parts; nhsize is a count of entries (rounded up to a power of 2).
void table_resize(State* L, Table* t, uint32_t nasize, uint32_t nhsize);
void table_resize_array(State* L, Table* t, uint32_t nasize);

// Lookups: a pointer to the value, or to kAbsentKey when absent. Never allocate.
const Value* table_get(const Table* t, const Value& key);
const Value* table_get_int(const Table* t, lua_Integer key);
// Inline: GETFIELD, SELF and global access run it on every field lookup.
inline const Value* table_get_short_str(const Table* t, const String* key) {
  const Node* n = &t->node[key->hash & (t->node_count() - 1)];
  for (;;) {
    if (n->key_tt() == kTagShortStr && n->key_gc() == key) return &n->val;
    int nx = n->next();
    if (nx == 0) return &kAbsentKey;
    n += nx;
  }
}
const Value* table_get_str(const Table* t, const String* key);

// Fast array-part access for the VM (no hash lookup).
inline const Value* table_get_int_fast(const Table* t, lua_Integer key) {
  if (lua_Unsigned(key) - 1u < t->asize) return &t->array[key - 1];
  return table_get_int(t, key);
}

// The slot holding 'key' (possibly with a nil value), or null if the key is absent.
inline Value* table_slot(Table* t, const Value& key) {
  const Value* v = table_get(t, key);
  return v == &kAbsentKey ? nullptr : const_cast<Value*>(v);
}

// Raw assignments; they may rehash and raise "index is nil"/"index is NaN".
void table_set(State* L, Table* t, const Value& key, const Value& val);
void table_set_int(State* L, Table* t, lua_Integer key, const Value& val);
void table_set_str(State* L, Table* t, String* key, const Value& val);
// Inserts an absent key (the caller checked) and stores val.
void table_new_key(State* L, Table* t, const Value& key, const Value& val);
// Completes a store: 'slot' is what table_slot returned for key.
inline void table_finish_set(State* L, Table* t, const Value& key, Value* slot, const Value& val) {
  if (slot) *slot = val;
  else table_new_key(L, t, key, val);
}

// A border of the table (the length operator without __len).
lua_Unsigned table_length(Table* t, uint32_t seed);  // 'seed': G(L)->seed

// Traversal: given a key on the stack at 'key', writes the next key and its
// value at key, key+1. Returns false at the end. Errors on an invalid key.
bool table_next(State* L, Table* t, StkId key);
// From raw position i (array slots, then nodes), the next entry: its key and
// value go to key[0], key[1]; returns its position + 1 (where to go on), or 0.
uint32_t table_scan(const Table* t, uint32_t i, StkId key);

// Estimated memory of a table (for collectgarbage("count") checks and tests).
size_t table_memory(const Table* t);

// Main position of a key in the hash part (exported for the GC's clearing of weak keys).
Node* table_main_position(const Table* t, const Value& key);

}  // namespace rua
