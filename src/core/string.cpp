#include "string.hpp"

#include <cstring>

#include "gc.hpp"

namespace rua {

namespace {
constexpr int kMinStrTabSize = 128;

void link_into_table(StringTable& tb, String* s) {
  String** list = &tb.hash[s->hash & uint32_t(tb.size - 1)];
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

String* intern_short(State* L, const char* str, size_t len) {
  GlobalState* g = G(L);
  StringTable& tb = g->strt;
  uint32_t h = string_hash(str, len, g->seed);
  for (String* s = tb.hash[h & uint32_t(tb.size - 1)]; s; s = s->hnext) {
    if (s->len == len && std::memcmp(str, s->data(), len) == 0) {
      if (is_dead(g, s)) s->marked ^= kWhiteBits;  // dead but not yet collected: resurrect it
      return s;
    }
  }
  if (tb.nuse >= tb.size) {  // grow the table before inserting
    string_table_resize(L, tb.size * 2);
  }
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
  String** nh = static_cast<String**>(mem_try_realloc(L, nullptr, 0, size_t(newsize) * sizeof(String*)));
  if (!nh) return;  // cannot grow: keep the old (denser) table
  for (int i = 0; i < newsize; i++) nh[i] = nullptr;
  for (int i = 0; i < tb.size; i++) {
    String* s = tb.hash[i];
    while (s) {
      String* next = s->hnext;
      String** list = &nh[s->hash & uint32_t(newsize - 1)];
      s->hnext = *list;
      *list = s;
      s = next;
    }
  }
  mem_free_array(L, tb.hash, size_t(tb.size));
  tb.hash = nh;
  tb.size = newsize;
}

void string_table_check_shrink(State* L) {
  StringTable& tb = G(L)->strt;
  if (tb.nuse < tb.size / 4 && tb.size > kMinStrTabSize) string_table_resize(L, tb.size / 2);
}

void string_table_remove(State* L, String* s) {
  StringTable& tb = G(L)->strt;
  String** p = &tb.hash[s->hash & uint32_t(tb.size - 1)];
  while (*p != s) p = &(*p)->hnext;
  *p = s->hnext;
  tb.nuse--;
}

void string_free(State* L, String* s) {
  if (s->is_short) string_table_remove(L, s);
  mem_free(L, s, string_size(s->len));
}

}  // namespace rua
