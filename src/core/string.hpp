// Strings: immutable byte sequences. Short strings (up to kMaxShortLen bytes)
// are interned in the per-state string table, so two equal short strings are
// the same object and compare by pointer; long strings are created fresh,
// compared by content and hashed lazily.
#pragma once

#include <string_view>

#include "state.hpp"

namespace rua {

uint32_t string_hash(const char* s, size_t len, uint32_t seed);

// Creates (or finds, if short) a string. May collect garbage.
String* string_new(State* L, const char* s, size_t len);
inline String* string_new(State* L, std::string_view s) { return string_new(L, s.data(), s.size()); }
// A long string of 'len' bytes with undefined contents, to be filled by the caller.
String* string_new_long_uninit(State* L, size_t len);

bool string_equal_long(const String* a, const String* b);
inline bool string_equal(const String* a, const String* b) {
  if (a == b) return true;
  if (a->is_short || b->is_short) return false;
  return string_equal_long(a, b);
}
uint32_t string_hash_long(String* s);
inline std::string_view sv(const String* s) { return {s->data(), s->len}; }

void string_table_init(State* L);
void string_table_resize(State* L, int newsize);
void string_table_remove(State* L, String* s);  // called by the sweep when a short string dies
void string_table_check_shrink(State* L);
// Moves up to 'nbuckets' buckets of a resize in progress (the collector's
// steps call it, so a shrink finishes even when no new strings come).
void string_table_migrate(State* L, int nbuckets);
void string_free(State* L, String* s);
size_t string_size(size_t len);

}  // namespace rua
