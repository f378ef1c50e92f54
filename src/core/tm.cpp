#include "tm.hpp"

#include "gc.hpp"
#include "string.hpp"

namespace rua {

namespace {
const char* const kEventNames[kNumTM] = {
    "__index", "__newindex", "__gc", "__mode", "__len", "__eq", "__add", "__sub", "__mul",
    "__mod", "__pow", "__div", "__idiv", "__band", "__bor", "__bxor", "__shl", "__shr",
    "__unm", "__bnot", "__lt", "__le", "__concat", "__call", "__close"};
}  // namespace

void tm_init(State* L) {
  GlobalState* g = G(L);
  for (int i = 0; i < kNumTM; i++) {
    g->tmname[i] = string_new(L, kEventNames[i]);
    gc_fix(L, g->tmname[i]);
  }
}

const Value* tm_get(Table* events, TM event, String* ename) {
  const Value* tm = table_get_short_str(events, ename);
  if (tm->is_nil()) {
    if (int(event) <= int(TM::Eq)) events->flags |= uint8_t(1u << int(event));
    return nullptr;
  }
  return tm;
}

Table* get_metatable(State* L, const Value* o) {
  switch (o->tt) {
    case kTagTable: return o->as_table()->metatable;
    case kTagUserdata: return o->as_userdata()->metatable;
    default: return G(L)->mt[int(o->type())];
  }
}

const Value* get_tm_by_obj(State* L, const Value* o, TM event) {
  Table* mt = get_metatable(L, o);
  if (mt == nullptr) return &kNilValue;
  return table_get_short_str(mt, G(L)->tmname[int(event)]);
}

const char* obj_type_name(State* L, const Value* o) {
  Table* mt;
  if ((o->is_table() && (mt = o->as_table()->metatable) != nullptr) ||
      (o->is_userdata() && (mt = o->as_userdata()->metatable) != nullptr)) {
    const Value* name = table_get_short_str(mt, string_new(L, "__name"));
    if (name->is_string()) return name->as_string()->c_str();
  }
  return type_name(o->type());
}

}  // namespace rua
