#include "table.hpp"

#include <climits>
#include <cmath>
#include <cstring>

#include "error.hpp"
#include "gc.hpp"
#include "string.hpp"

namespace rua {

const Value kAbsentKey = [] {
  Value v;
  v.u.i = 0;
  v.tt = kTagAbsent;
  v.aux_tt = 0;
  v.aux_next = 0;
  return v;
}();
const Value kNilValue = [] {
  Value v;
  v.u.i = 0;
  v.tt = kTagNil;
  v.aux_tt = 0;
  v.aux_next = 0;
  return v;
}();

namespace {

constexpr int kMaxABits = 31;                      // array part: at most 2^31 entries
constexpr uint32_t kMaxASize = 1u << (kMaxABits - 1);
constexpr int kMaxHBits = 30;                      // hash part: at most 2^30 nodes

// The node vector of every table without a hash part.
Node dummy_node_storage = [] {
  Node n;
  n.val.u.i = 0;
  n.val.tt = kTagEmpty;
  n.val.aux_tt = kTagNil;
  n.val.aux_next = 0;
  n.key_u.i = 0;
  return n;
}();
Node* const kDummyNode = &dummy_node_storage;

inline Node* gnode(const Table* t, size_t i) { return &t->node[i]; }
inline Node* hash_pow2(const Table* t, uint32_t h) { return gnode(t, h & (t->node_count() - 1)); }
inline Node* hash_mod(const Table* t, uint64_t n) { return gnode(t, n % ((t->node_count() - 1) | 1)); }

inline Node* hash_int(const Table* t, lua_Integer i) {
  lua_Unsigned ui = lua_Unsigned(i);
  if (ui <= unsigned(INT_MAX)) return hash_mod(t, uint32_t(ui));
  return hash_mod(t, ui);
}

// Hash of a float: PUC's l_hashfloat (frexp-based, so equal floats that are
// integers hash like... they never get here: such keys are normalised to ints).
uint32_t hash_float(lua_Number n) {
  int i;
  n = std::frexp(n, &i) * -lua_Number(INT_MIN);
  lua_Integer ni;
  if (!(n >= -9223372036854775808.0 && n < 9223372036854775808.0)) return 0;  // inf or NaN
  ni = lua_Integer(n);
  unsigned u = unsigned(i) + unsigned(ni);
  return u <= unsigned(INT_MAX) ? u : ~u;
}

inline Node* hash_pointer(const Table* t, const void* p) {
  return hash_mod(t, uint32_t(reinterpret_cast<uintptr_t>(p) & UINT_MAX));
}

Node* main_position_raw(const Table* t, uint8_t tt, const decltype(Value::u)& u) {
  switch (tt) {
    case kTagInt: return hash_int(t, u.i);
    case kTagFloat: return hash_mod(t, hash_float(u.n));
    case kTagShortStr: return hash_pow2(t, reinterpret_cast<String*>(u.gc)->hash);
    case kTagLongStr: return hash_pow2(t, string_hash_long(reinterpret_cast<String*>(u.gc)));
    case kTagFalse: return hash_pow2(t, 0);
    case kTagTrue: return hash_pow2(t, 1);
    case kTagLightUd: return hash_pointer(t, u.p);
    case kTagLightFn: return hash_pointer(t, reinterpret_cast<const void*>(u.f));
    default: return hash_pointer(t, u.gc);
  }
}

// Key equality for lookups. With 'deadok', a dead key matches a collectable
// key of the same identity (used by 'next' when the value was removed).
bool equal_key(const Value& k, const Node* n, bool deadok) {
  if (k.tt != n->key_tt()) {
    if (deadok && n->key_is_dead() && k.is_collectable()) return k.u.gc == n->key_gc();
    return false;
  }
  switch (k.tt) {
    case kTagNil: case kTagFalse: case kTagTrue: return true;
    case kTagInt: return k.u.i == n->key_u.i;
    case kTagFloat: return k.u.n == n->key_u.n;
    case kTagLightUd: return k.u.p == n->key_u.p;
    case kTagLightFn: return k.u.f == n->key_u.f;
    case kTagLongStr:
      return string_equal_long(k.as_string(), reinterpret_cast<const String*>(n->key_gc()));
    default: return k.u.gc == n->key_gc();
  }
}

const Value* get_generic(const Table* t, const Value& key, bool deadok) {
  Node* n = main_position_raw(t, key.tt, key.u);
  for (;;) {
    if (equal_key(key, n, deadok)) return &n->val;
    int nx = n->next();
    if (nx == 0) return &kAbsentKey;
    n += nx;
  }
}

Node* get_free_pos(Table* t) {
  if (t->is_dummy()) return nullptr;
  while (t->lastfree > t->node) {
    t->lastfree--;
    if (t->lastfree->key_is_nil()) return t->lastfree;
  }
  return nullptr;
}

int ceil_log2(uint32_t x) {  // ceil(log2(x)) for x >= 1
  int l = 0;
  x--;
  while (x > 0) {
    l++;
    x >>= 1;
  }
  return l;
}

// ---- rehash: choosing the new sizes ----

// nums[i] = number of integer keys k with 2^(i-1) < k <= 2^i.
struct KeyCounts {
  uint32_t nums[kMaxABits + 1] = {};
  uint32_t total_int = 0;  // integer keys that could go to the array part
};

void count_int_key(const Value& key, KeyCounts& kc) {
  lua_Integer k;
  if (key.is_int()) k = key.as_int();
  else return;
  if (lua_Unsigned(k) - 1u < kMaxASize) {
    kc.nums[ceil_log2(uint32_t(k))]++;
    kc.total_int++;
  }
}

uint32_t count_array(const Table* t, KeyCounts& kc) {
  uint32_t ause = 0;
  uint32_t i = 1;
  uint64_t ttlg = 1;  // 2^lg
  for (int lg = 0; lg <= kMaxABits; lg++, ttlg *= 2) {
    uint32_t lim = uint32_t(ttlg);
    if (ttlg > t->asize) {
      lim = t->asize;
      if (i > lim) break;
    }
    uint32_t lc = 0;  // keys in (2^(lg-1), 2^lg]
    for (; i <= lim; i++)
      if (!t->array[i - 1].is_empty()) lc++;
    kc.nums[lg] += lc;
    ause += lc;
  }
  kc.total_int += ause;
  return ause;
}

uint32_t count_hash(const Table* t, KeyCounts& kc) {
  uint32_t total = 0;
  for (size_t i = t->node_count(); i-- > 0;) {
    Node* n = gnode(t, i);
    if (!n->val.is_empty()) {
      if (n->key_tt() == kTagInt) count_int_key(n->key(), kc);
      total++;
    }
  }
  return total;
}

// Largest power of two n such that more than half of 1..n are in use.
uint32_t compute_array_size(const KeyCounts& kc, uint32_t* na_out) {
  uint32_t a = 0, na = 0, optimal = 0;
  uint32_t twotoi = 1;
  for (int i = 0; twotoi > 0 && twotoi <= kMaxASize && kc.total_int > twotoi / 2; i++, twotoi *= 2) {
    a += kc.nums[i];
    if (a > twotoi / 2) {
      optimal = twotoi;
      na = a;
    }
  }
  *na_out = na;
  return optimal;
}

void rehash(State* L, Table* t, const Value& extra_key) {
  KeyCounts kc;
  uint32_t na = count_array(t, kc);
  uint32_t total = na + count_hash(t, kc);
  count_int_key(extra_key, kc);
  total++;
  uint32_t na_in_array;
  uint32_t asize = compute_array_size(kc, &na_in_array);
  table_resize(L, t, asize, total - na_in_array);
}

Node* alloc_nodes(State* L, uint32_t size, uint8_t* lsize) {
  if (size == 0) {
    *lsize = 0;
    return kDummyNode;
  }
  int lg = ceil_log2(size);
  if (lg > kMaxHBits) run_error(L, "table overflow");
  size_t n = size_t(1) << lg;
  Node* nodes = mem_new_array<Node>(L, n);
  for (size_t i = 0; i < n; i++) {
    nodes[i].val.u.i = 0;
    nodes[i].val.tt = kTagEmpty;
    nodes[i].val.aux_tt = kTagNil;
    nodes[i].val.aux_next = 0;
    nodes[i].key_u.i = 0;
  }
  *lsize = uint8_t(lg);
  return nodes;
}

void free_nodes(State* L, Node* nodes, uint8_t lsize) {
  if (nodes != kDummyNode) mem_free_array(L, nodes, size_t(1) << lsize);
}

// Inserts without checks into a table being rebuilt (never needs to rehash).
void reinsert(State* L, Table* t, const Value& key, const Value& val) {
  if (key.is_int() && lua_Unsigned(key.as_int()) - 1u < t->asize) t->array[key.as_int() - 1] = val;
  else table_new_key(L, t, key, val);
}

[[noreturn]] void key_error(State* L, const Value& key) {
  if (key.is_nil()) run_error(L, "index is nil");
  run_error(L, "index is NaN");
}

}  // namespace

Node* table_main_position(const Table* t, const Value& key) { return main_position_raw(t, key.tt, key.u); }

Table* table_new(State* L) {
  auto* t = static_cast<Table*>(gc_new_object(L, kTagTable, sizeof(Table)));
  t->metatable = nullptr;
  t->flags = kAllTMAbsent;
  t->array = nullptr;
  t->asize = 0;
  t->node = kDummyNode;
  t->lsizenode = 0;
  t->lastfree = nullptr;
  t->gclist = nullptr;
  return t;
}

void table_free(State* L, Table* t) {
  free_nodes(L, t->node, t->lsizenode);
  mem_free_array(L, t->array, t->asize);
  mem_free(L, t, sizeof(Table));
}

void table_resize(State* L, Table* t, uint32_t nasize, uint32_t nhsize) {
  if (nasize > kMaxASize) run_error(L, "table overflow");
  uint8_t new_lsize;
  Node* new_nodes = alloc_nodes(L, nhsize, &new_lsize);
  uint32_t oldasize = t->asize;
  Value* new_array;
  try {
    new_array = mem_resize_array(L, nasize < oldasize ? nullptr : t->array, nasize < oldasize ? 0 : oldasize, nasize);
  } catch (...) {
    free_nodes(L, new_nodes, new_lsize);
    throw;
  }
  // From here on nothing can fail: the new node vector has room for every entry.
  Node* old_nodes = t->node;
  uint8_t old_lsize = t->lsizenode;
  bool old_dummy = t->is_dummy();
  Value* old_array = t->array;
  t->node = new_nodes;
  t->lsizenode = new_lsize;
  t->lastfree = new_nodes == kDummyNode ? nullptr : new_nodes + (size_t(1) << new_lsize);
  if (nasize < oldasize) {  // shrinking: move the vanishing slice into the hash
    t->array = new_array;
    t->asize = nasize;
    for (uint32_t i = 0; i < nasize; i++) new_array[i] = old_array[i];
    if (nasize > 0) new_array[0].aux_next = 0;  // the length hint
    for (uint32_t i = nasize; i < oldasize; i++)
      if (!old_array[i].is_empty()) reinsert(L, t, Value::integer(lua_Integer(i) + 1), old_array[i]);
    mem_free_array(L, old_array, oldasize);
  } else {
    t->array = new_array;
    for (uint32_t i = oldasize; i < nasize; i++) {
      new_array[i].tt = kTagEmpty;
      new_array[i].u.i = 0;
      new_array[i].aux_next = 0;
    }
    t->asize = nasize;
  }
  if (!old_dummy || old_nodes != kDummyNode) {
    size_t n = size_t(1) << old_lsize;
    for (size_t j = n; j-- > 0;) {
      Node* old = old_nodes + j;
      if (!old->val.is_empty()) reinsert(L, t, old->key(), old->val);
    }
  }
  free_nodes(L, old_nodes, old_lsize);
  gc_table_resized(L, t);
}

void table_resize_array(State* L, Table* t, uint32_t nasize) {
  uint32_t nsize = t->is_dummy() ? 0 : uint32_t(t->node_count());
  table_resize(L, t, nasize, nsize);
}

const Value* table_get_int(const Table* t, lua_Integer key) {
  if (lua_Unsigned(key) - 1u < t->asize) return &t->array[key - 1];
  Node* n = hash_int(t, key);
  for (;;) {
    if (n->key_tt() == kTagInt && n->key_u.i == key) return &n->val;
    int nx = n->next();
    if (nx == 0) return &kAbsentKey;
    n += nx;
  }
}

const Value* table_get_str(const Table* t, const String* key) {
  if (key->is_short) return table_get_short_str(t, key);
  Value k;
  k.set_string(const_cast<String*>(key));
  return get_generic(t, k, false);
}

const Value* table_get(const Table* t, const Value& key) {
  switch (key.tt) {
    case kTagShortStr: return table_get_short_str(t, key.as_string());
    case kTagInt: return table_get_int(t, key.as_int());
    case kTagNil: return &kAbsentKey;
    case kTagFloat: {
      lua_Integer k;
      if (float_to_integer(key.as_float(), &k)) return table_get_int(t, k);
      return get_generic(t, key, false);
    }
    default: return get_generic(t, key, false);
  }
}

void table_new_key(State* L, Table* t, const Value& key_in, const Value& val) {
  Value key = key_in;
  if (key.is_nil()) key_error(L, key);
  if (key.is_float()) {
    lua_Integer k;
    lua_Number f = key.as_float();
    if (float_to_integer(f, &k)) key.set_int(k);
    else if (std::isnan(f)) key_error(L, key);
  }
  if (val.is_nil()) return;  // do not insert nil values
  Node* mp = main_position_raw(t, key.tt, key.u);
  if (!mp->val.is_empty() || t->is_dummy()) {  // main position is taken?
    Node* f = get_free_pos(t);
    if (f == nullptr) {
      rehash(L, t, key);
      table_set(L, t, key, val);  // insert into the grown table
      return;
    }
    Node* othern = main_position_raw(t, mp->key_tt(), mp->key_u);
    if (othern != mp) {  // colliding node is out of its main position: move it to the free node
      while (othern + othern->next() != mp) othern += othern->next();
      othern->val.aux_next = int32_t(f - othern);
      std::memcpy(static_cast<void*>(f), static_cast<const void*>(mp), sizeof(Node));
      gc_node_moved(L, t, f);
      if (mp->next() != 0) {
        f->val.aux_next += int32_t(mp - f);
        mp->val.aux_next = 0;
      }
      mp->val.set_empty();
    } else {  // colliding node is in its main position: new key goes to the free node
      if (mp->next() != 0) f->val.aux_next = int32_t((mp + mp->next()) - f);
      mp->val.aux_next = int32_t(f - mp);
      mp = f;
    }
  }
  mp->set_key(key);
  gc_barrier_back(L, t, key);
  mp->val = val;
}

void table_set(State* L, Table* t, const Value& key, const Value& val) {
  Value* slot = table_slot(t, key);
  table_finish_set(L, t, key, slot, val);
}

void table_set_int(State* L, Table* t, lua_Integer key, const Value& val) {
  const Value* p = table_get_int(t, key);
  if (p != &kAbsentKey) *const_cast<Value*>(p) = val;
  else table_new_key(L, t, Value::integer(key), val);
}

void table_set_str(State* L, Table* t, String* key, const Value& val) {
  Value k;
  k.set_string(key);
  table_set(L, t, k, val);
}

namespace {
// Unbound search for a border in the hash part, starting after a present
// t[asize + 1]. Doubling from a fixed start would let a table holding only
// the keys 2^k report a huge length, so, as PUC 5.5 does, the first step and
// each doubling take random bits from the state's seed.
lua_Unsigned hash_search(const Table* t, uint32_t asize, uint32_t rnd) {
  auto absent = [t](lua_Unsigned k) { return table_get_int(t, lua_Integer(k))->is_empty(); };
  lua_Unsigned i = lua_Unsigned(asize) + 1;
  int n = 0;
  while (n < 32 && (uint64_t(1) << n) < asize) n++;  // ceil(log2(asize))
  uint32_t mask = uint32_t((uint64_t(1) << n) - 1);
  uint32_t incr = (rnd & mask) + 1;
  lua_Unsigned j = (incr <= lua_Unsigned(kMaxInteger) - i) ? i + incr : i + 1;
  rnd = n < 32 ? rnd >> n : 0;
  while (!absent(j)) {
    i = j;
    if (j <= lua_Unsigned(kMaxInteger) / 2 - 1) {
      j = j * 2 + (rnd & 1);
      rnd >>= 1;
    } else {
      j = lua_Unsigned(kMaxInteger);
      if (absent(j)) break;
      return j;  // max integer is a border
    }
  }
  while (j - i > 1u) {
    lua_Unsigned m = (i + j) / 2;
    if (absent(m)) j = m;
    else i = m;
  }
  return i;
}
}  // namespace

// The hint for the next length query lives in the first array slot's spare
// 'aux_next' field (array slots never use it), so it costs no memory; any
// value is safe, as it is clamped to the array's size.
namespace {
uint32_t len_hint(const Table* t) {
  uint32_t h = uint32_t(t->array[0].aux_next);
  return h > t->asize ? t->asize : h;
}
lua_Unsigned set_len_hint(Table* t, uint32_t h) {
  t->array[0].aux_next = int32_t(h);
  return h;
}
bool array_empty(const Table* t, uint32_t k) { return t->array[k - 1].is_empty(); }  // k is 1-based
// A border in [i, j): t[i] present (or i == 0), t[j] absent.
uint32_t array_binsearch(const Table* t, uint32_t i, uint32_t j) {
  while (j - i > 1u) {
    uint32_t m = (i + j) / 2;
    if (array_empty(t, m)) j = m;
    else i = m;
  }
  return i;
}
}  // namespace

// A border of t, as PUC 5.5's luaH_getn finds it: first near the previous
// answer (so 't[#t + 1] = v' and 't[#t] = nil' cost O(1)), else by binary
// search in the array part, else by the unbound search in the hash part.
lua_Unsigned table_length(Table* t, uint32_t seed) {
  uint32_t asize = t->asize;
  if (asize > 0) {
    constexpr uint32_t kVicinity = 4;
    uint32_t limit = len_hint(t);
    if (limit == 0) limit = 1;
    if (array_empty(t, limit)) {  // a border before 'limit'
      for (uint32_t i = 0; i < kVicinity && limit > 1; i++) {
        limit--;
        if (!array_empty(t, limit)) return set_len_hint(t, limit);
      }
      return set_len_hint(t, array_binsearch(t, 0, limit));
    }
    for (uint32_t i = 0; i < kVicinity && limit < asize; i++) {  // a border after 'limit'
      limit++;
      if (array_empty(t, limit)) return set_len_hint(t, limit - 1);
    }
    if (array_empty(t, asize)) return set_len_hint(t, array_binsearch(t, limit, asize));
    set_len_hint(t, asize);
  }
  if (t->is_dummy() || table_get_int(t, lua_Integer(asize) + 1)->is_empty()) return asize;
  return hash_search(t, asize, seed);
}

namespace {
// Inline in table_next (pairs); table_scan is the same for next_slot.
[[gnu::always_inline]] inline uint32_t scan_from(const Table* t, uint32_t i, StkId key) {
  for (; i < t->asize; i++) {
    if (!t->array[i].is_empty()) {
      key->set_int(lua_Integer(i) + 1);
      key[1] = t->array[i];
      return i + 1;
    }
  }
  size_t nsize = t->is_dummy() ? 0 : t->node_count();
  for (size_t j = i - t->asize; j < nsize; j++) {
    const Node* n = gnode(t, j);
    if (!n->val.is_empty()) {
      *key = n->key();
      key[1] = n->val;
      return uint32_t(t->asize + j + 1);
    }
  }
  return 0;
}
}  // namespace

bool table_next(State* L, Table* t, StkId key) {
  // Find the index where the traversal stopped.
  uint32_t i;
  const Value& k = *key;
  if (k.is_nil()) {
    i = 0;
  } else {
    lua_Integer ik;
    if (k.is_int() && lua_Unsigned(ik = k.as_int()) - 1u < t->asize) {
      i = uint32_t(ik);
    } else {
      Value kk = k;
      if (kk.is_float() && float_to_integer(kk.as_float(), &ik)) kk.set_int(ik);
      const Value* v = get_generic(t, kk, true);
      if (v == &kAbsentKey) run_error(L, "invalid key to 'next'");
      Node* n = reinterpret_cast<Node*>(const_cast<Value*>(v));
      i = uint32_t(n - t->node) + 1 + t->asize;
    }
  }
  return scan_from(t, i, key) != 0;
}

uint32_t table_scan(const Table* t, uint32_t i, StkId key) { return scan_from(t, i, key); }

size_t table_memory(const Table* t) {
  return sizeof(Table) + sizeof(Value) * t->asize + (t->is_dummy() ? 0 : sizeof(Node) * t->node_count());
}

}  // namespace rua
