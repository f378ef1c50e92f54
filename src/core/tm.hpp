// Metatables and metamethod lookup.
#pragma once

#include "state.hpp"
#include "table.hpp"

namespace rua {

void tm_init(State* L);

// Looks up a metamethod in a metatable and records its absence in the
// table's cache (only for the first six events). Returns null if absent.
const Value* tm_get(Table* events, TM event, String* ename);

// Metamethod of a metatable with the absent cache: null if absent.
inline const Value* fast_tm(GlobalState* g, Table* mt, TM e) {
  if (mt == nullptr || (mt->flags & (1u << int(e)))) return nullptr;
  return tm_get(mt, e, g->tmname[int(e)]);
}

Table* get_metatable(State* L, const Value* o);
// The metamethod of an object (a nil value if absent, never null).
const Value* get_tm_by_obj(State* L, const Value* o, TM event);

// Type name for messages: the __name field of the metatable if it is a string.
const char* obj_type_name(State* L, const Value* o);

}  // namespace rua
