// Tagged values: 16 bytes, a payload union plus a one-byte tag.
//
// The tag follows PUC Lua's layout so that the basic type is the low nibble:
//   bits 0-3: basic type (Type), bits 4-5: variant, bit 6: collectable.
// A value is false in a test iff it is nil (any variant) or false.
#pragma once

#include <cstddef>
#include <cstdint>

#include "arith.hpp"

namespace rua {

struct GCObject;
struct State;
struct String;
struct Table;
struct LuaClosure;
struct NativeClosure;
struct Userdata;
struct Proto;
struct UpVal;

// A native function: receives its arguments on the stack frame, pushes its
// results and returns how many (or one of the negative codes of api.hpp).
using NativeFn = int (*)(State* L);

// Basic types, numbered as Lua's LUA_T* constants.
enum class Type : int8_t {
  None = -1,
  Nil = 0,
  Boolean = 1,
  LightUserdata = 2,
  Number = 3,
  String = 4,
  Table = 5,
  Function = 6,
  Userdata = 7,
  Thread = 8,
  // internal types, never seen by Lua code
  UpVal = 9,
  Proto = 10,
  DeadKey = 11,
};
constexpr int kNumTypes = 9;

constexpr uint8_t make_tag(Type t, int variant) { return uint8_t(int(t) | (variant << 4)); }
constexpr uint8_t kCollectableBit = 1 << 6;
constexpr uint8_t collectable(uint8_t t) { return t | kCollectableBit; }

constexpr uint8_t kTagNil = make_tag(Type::Nil, 0);
constexpr uint8_t kTagEmpty = make_tag(Type::Nil, 1);   // empty slot of a table
constexpr uint8_t kTagAbsent = make_tag(Type::Nil, 2);  // result of looking up an absent key
constexpr uint8_t kTagFalse = make_tag(Type::Boolean, 0);
constexpr uint8_t kTagTrue = make_tag(Type::Boolean, 1);
constexpr uint8_t kTagLightUd = make_tag(Type::LightUserdata, 0);
constexpr uint8_t kTagInt = make_tag(Type::Number, 0);
constexpr uint8_t kTagFloat = make_tag(Type::Number, 1);
constexpr uint8_t kTagShortStr = collectable(make_tag(Type::String, 0));
constexpr uint8_t kTagLongStr = collectable(make_tag(Type::String, 1));
constexpr uint8_t kTagTable = collectable(make_tag(Type::Table, 0));
constexpr uint8_t kTagLuaClosure = collectable(make_tag(Type::Function, 0));
constexpr uint8_t kTagLightFn = make_tag(Type::Function, 1);
constexpr uint8_t kTagNativeClosure = collectable(make_tag(Type::Function, 2));
constexpr uint8_t kTagUserdata = collectable(make_tag(Type::Userdata, 0));
constexpr uint8_t kTagThread = collectable(make_tag(Type::Thread, 0));
constexpr uint8_t kTagUpVal = collectable(make_tag(Type::UpVal, 0));
constexpr uint8_t kTagProto = collectable(make_tag(Type::Proto, 0));
constexpr uint8_t kTagDeadKey = make_tag(Type::DeadKey, 0);  // key of a table slot whose object died

struct Value {
  union {
    GCObject* gc;
    void* p;
    NativeFn f;
    lua_Integer i;
    lua_Number n;
  } u;
  uint8_t tt;
  // Spare bytes of the 16: table nodes keep their key's tag and chain link
  // here, and stack slots of to-be-closed variables the distance to the
  // previous one. Assignment copies only payload and tag, so these survive
  // when a value is stored into a node or a slot.
  uint8_t aux_tt;
  int32_t aux_next;

  Value() = default;
  Value(const Value&) = default;
  Value& operator=(const Value& o) {
    u = o.u;
    tt = o.tt;
    return *this;
  }

  // ---- tests ----
  Type type() const { return Type(tt & 0x0F); }
  bool is_nil() const { return (tt & 0x0F) == 0; }
  bool is_strict_nil() const { return tt == kTagNil; }
  bool is_empty() const { return is_nil(); }
  bool is_abstkey() const { return tt == kTagAbsent; }
  bool is_false() const { return tt == kTagFalse; }
  bool is_true() const { return tt == kTagTrue; }
  bool is_falsy() const { return is_nil() || tt == kTagFalse; }
  bool is_boolean() const { return type() == Type::Boolean; }
  bool is_int() const { return tt == kTagInt; }
  bool is_float() const { return tt == kTagFloat; }
  bool is_number() const { return type() == Type::Number; }
  bool is_string() const { return type() == Type::String; }
  bool is_short_string() const { return tt == kTagShortStr; }
  bool is_long_string() const { return tt == kTagLongStr; }
  bool is_table() const { return tt == kTagTable; }
  bool is_function() const { return type() == Type::Function; }
  bool is_lua_closure() const { return tt == kTagLuaClosure; }
  bool is_light_fn() const { return tt == kTagLightFn; }
  bool is_native_closure() const { return tt == kTagNativeClosure; }
  bool is_userdata() const { return tt == kTagUserdata; }
  bool is_light_userdata() const { return tt == kTagLightUd; }
  bool is_thread() const { return tt == kTagThread; }
  bool is_collectable() const { return (tt & kCollectableBit) != 0; }

  // ---- payload access (caller checked the tag) ----
  lua_Integer as_int() const { return u.i; }
  lua_Number as_float() const { return u.n; }
  lua_Number as_number() const { return is_int() ? lua_Number(u.i) : u.n; }
  GCObject* as_gc() const { return u.gc; }
  String* as_string() const { return reinterpret_cast<String*>(u.gc); }
  Table* as_table() const { return reinterpret_cast<Table*>(u.gc); }
  LuaClosure* as_lua_closure() const { return reinterpret_cast<LuaClosure*>(u.gc); }
  NativeClosure* as_native_closure() const { return reinterpret_cast<NativeClosure*>(u.gc); }
  Userdata* as_userdata() const { return reinterpret_cast<Userdata*>(u.gc); }
  State* as_thread() const { return reinterpret_cast<State*>(u.gc); }
  NativeFn as_light_fn() const { return u.f; }
  void* as_light_userdata() const { return u.p; }

  // ---- setters ----
  void set_nil() { tt = kTagNil; }
  void set_empty() { tt = kTagEmpty; }
  void set_bool(bool b) { tt = b ? kTagTrue : kTagFalse; }
  void set_int(lua_Integer i) { u.i = i; tt = kTagInt; }
  void set_float(lua_Number n) { u.n = n; tt = kTagFloat; }
  void set_light_userdata(void* p) { u.p = p; tt = kTagLightUd; }
  void set_light_fn(NativeFn f) { u.f = f; tt = kTagLightFn; }
  void set_gc(GCObject* o, uint8_t tag) { u.gc = o; tt = tag; }
  inline void set_string(String* s);
  inline void set_table(Table* t);
  inline void set_lua_closure(LuaClosure* c);
  inline void set_native_closure(NativeClosure* c);
  inline void set_userdata(Userdata* ud);
  inline void set_thread(State* th);

  static Value nil() { Value v; v.tt = kTagNil; v.u.i = 0; return v; }
  static Value integer(lua_Integer i) { Value v; v.set_int(i); return v; }
  static Value number(lua_Number n) { Value v; v.set_float(n); return v; }
  static Value boolean(bool b) { Value v; v.u.i = 0; v.set_bool(b); return v; }
};
static_assert(sizeof(Value) == 16);

using StkId = Value*;

// The shared nil returned for absent keys.
extern const Value kAbsentKey;
extern const Value kNilValue;

// Names of the basic types, as type() returns them.
extern const char* const kTypeNames[kNumTypes + 3];
inline const char* type_name(Type t) { return kTypeNames[int(t) + 1]; }

// Raw equality (no metamethods): same type and value; strings by content.
bool raw_equal(const Value& a, const Value& b);

// Conversions without string coercion.
inline bool to_integer_ns(const Value& v, lua_Integer* out, F2I mode = F2I::Exact) {
  if (v.is_int()) { *out = v.as_int(); return true; }
  if (v.is_float()) return float_to_integer(v.as_float(), out, mode);
  return false;
}
inline bool to_number_ns(const Value& v, lua_Number* out) {
  if (v.is_int()) { *out = lua_Number(v.as_int()); return true; }
  if (v.is_float()) { *out = v.as_float(); return true; }
  return false;
}

}  // namespace rua
