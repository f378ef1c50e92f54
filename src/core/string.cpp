#include "string.hpp"

#include <cstring>

#include "gc.hpp"

namespace rua {

namespace {
constexpr int kMinStrTabSize = 128;

String** bucket_of(StringTable& tb, uint32_t h);

void link_into_table(StringTable& tb, String* s) {
  String** list = bucket_of(tb, s->hash);
  s->hnext = *list;
  *list = s;
  tb.nuse++;
}

String* create_string(State* L, size_t len, uint8_t tag, uint32_t hash) {
  auto* s = static_cast<String*>(gc_new_object(L, tag, string_size(len)));
  s->len = len;
  s->hash = hash;
  s->extra = 0;
  s->is_short = tag == kTagShortStr;
  s->hnext = nullptr;
  s->data()[len] = '\0';
  return s;
}

constexpr int kMigrateStep = 32;  // old buckets moved per new string while resizing

// Resizing (doubling, or halving when most strings died) never rehashes the
// whole table at once: the previous bucket array stays as 'old' and moves
// over a few buckets per new string. The new array is not even cleared up
// front (clearing tens of megabytes is a pause of its own): old bucket i
// lands in new buckets i and i + oldsize when growing, or in i mod size when
// shrinking, and bucket_of never reads a new bucket before the old bucket(s)
// feeding it have moved, so each new bucket is cleared just before its first
// string arrives.
void migrate(State* L, StringTable& tb, int n) {
  const bool growing = tb.size > tb.oldsize;
  for (; n > 0 && tb.moved < tb.oldsize; n--, tb.moved++) {
    if (growing) {
      tb.hash[tb.moved] = nullptr;
      tb.hash[tb.moved + tb.oldsize] = nullptr;
    } else if (tb.moved < tb.size) {
      tb.hash[tb.moved] = nullptr;  // first of the two old buckets that land here
    }
    String* s = tb.old[tb.moved];
    while (s) {
      String* next = s->hnext;
      String** list = &tb.hash[s->hash & uint32_t(tb.size - 1)];
      s->hnext = *list;
      *list = s;
      s = next;
    }
    tb.old[tb.moved] = nullptr;
  }
  if (tb.moved == tb.oldsize) {
    mem_free_array(L, tb.old, size_t(tb.oldsize));
    tb.old = nullptr;
    tb.oldsize = tb.moved = 0;
  }
}

// Starts moving the table to 'newsize' buckets (a power of 2); false if the
// new array cannot be allocated (the table then stays as it is).
bool begin_resize(State* L, StringTable& tb, int newsize) {
  if (tb.old) migrate(L, tb, tb.oldsize);  // finish the previous resize first
  auto* nh = static_cast<String**>(mem_try_realloc(L, nullptr, 0, size_t(newsize) * sizeof(String*)));
  if (!nh) return false;
  tb.old = tb.hash;
  tb.oldsize = tb.size;
  tb.moved = 0;
  tb.hash = nh;
  tb.size = newsize;
  return true;
}

void begin_grow(State* L, StringTable& tb) { begin_resize(L, tb, tb.size * 2); }

// The chain where a string with hash h is (or goes): in the old array if its
// bucket there has not moved yet.
String** bucket_of(StringTable& tb, uint32_t h) {
  if (tb.old) {
    int i = int(h & uint32_t(tb.oldsize - 1));
    if (i >= tb.moved) return &tb.old[i];
  }
  return &tb.hash[h & uint32_t(tb.size - 1)];
}

String* intern_short(State* L, const char* str, size_t len) {
  GlobalState* g = G(L);
  StringTable& tb = g->strt;
  if (tb.old) migrate(L, tb, kMigrateStep);
  uint32_t h = string_hash(str, len, g->seed);
  for (String* s = *bucket_of(tb, h); s; s = s->hnext) {
    if (s->len == len && std::memcmp(str, s->data(), len) == 0) {
      if (is_dead(g, s)) s->marked ^= kWhiteBits;  // dead but not yet collected: resurrect it
      return s;
    }
  }
  if (tb.nuse >= tb.size) begin_grow(L, tb);  // grow the table before inserting
  String* s = create_string(L, len, kTagShortStr, h);
  std::memcpy(s->data(), str, len);
  link_into_table(tb, s);
  return s;
}
}  // namespace

size_t string_size(size_t len) { return sizeof(String) + len + 1; }

uint32_t string_hash(const char* s, size_t len, uint32_t seed) {
  uint32_t h = seed ^ uint32_t(len);
  for (; len > 0; len--) h ^= ((h << 5) + (h >> 2) + uint8_t(s[len - 1]));
  return h;
}

uint32_t string_hash_long(String* s) {
  if (!s->extra) {
    s->hash = string_hash(s->data(), s->len, s->hash);
    s->extra = 1;
  }
  return s->hash;
}

bool string_equal_long(const String* a, const String* b) {
  return a->len == b->len && std::memcmp(a->data(), b->data(), a->len) == 0;
}

String* string_new(State* L, const char* s, size_t len) {
  if (len <= kMaxShortLen) return intern_short(L, s, len);
  if (len >= (SIZE_MAX - sizeof(String)) / 2) mem_error(L);
  String* ts = string_new_long_uninit(L, len);
  std::memcpy(ts->data(), s, len);
  return ts;
}

String* string_new_long_uninit(State* L, size_t len) { return create_string(L, len, kTagLongStr, G(L)->seed); }

void string_table_init(State* L) {
  StringTable& tb = G(L)->strt;
  tb.hash = mem_new_array<String*>(L, kMinStrTabSize);
  for (int i = 0; i < kMinStrTabSize; i++) tb.hash[i] = nullptr;
  tb.size = kMinStrTabSize;
  tb.nuse = 0;
}

void string_table_resize(State* L, int newsize) {
  StringTable& tb = G(L)->strt;
  if (newsize != tb.size && begin_resize(L, tb, newsize)) migrate(L, tb, tb.oldsize);
}

void string_table_migrate(State* L, int nbuckets) {
  StringTable& tb = G(L)->strt;
  if (tb.old) migrate(L, tb, nbuckets);
}

void string_table_check_shrink(State* L) {
  StringTable& tb = G(L)->strt;
  // Not while a resize is still moving buckets: finishing it here would be
  // one long step; the next cycle looks again.
  if (tb.old == nullptr && tb.nuse < tb.size / 4 && tb.size > kMinStrTabSize) begin_resize(L, tb, tb.size / 2);
}

void string_table_remove(State* L, String* s) {
  StringTable& tb = G(L)->strt;
  String** p = bucket_of(tb, s->hash);
  while (*p != s) p = &(*p)->hnext;
  *p = s->hnext;
  tb.nuse--;
}

void string_free(State* L, String* s) {
  if (s->is_short) string_table_remove(L, s);
  mem_free(L, s, string_size(s->len));
}

}  // namespace rua
