// Garbage-collected objects: the common header and the layout of every type
// except threads (state.hpp) and tables (table.hpp).
//
// Objects are created by the collector (gc.hpp), linked into its lists and
// freed only by its sweep; code refers to them by raw pointer. Variable-sized
// objects (strings, closures, userdata) carry their payload after the struct.
#pragma once

#include <cstring>

#include "opcodes.hpp"
#include "value.hpp"

namespace rua {

struct GCObject {
  GCObject* next;   // link in the collector's list
  uint8_t tt;       // type tag
  uint8_t marked;   // colour and age bits (gc.hpp)
  // A user-declared default constructor makes this non-POD for layout, so
  // derived objects place their first fields in the header's tail padding.
  GCObject() = default;
};

// ---- strings ----

constexpr size_t kMaxShortLen = 40;

struct String : GCObject {
  uint8_t extra;     // short: reserved-word index (unused, 0); long: 1 if 'hash' is computed
  uint8_t is_short;
  uint32_t hash;
  size_t len;
  String* hnext;     // chain in the string table (short strings)

  char* data() { return reinterpret_cast<char*>(this + 1); }
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }
  const char* c_str() const { return data(); }
};

inline void Value::set_string(String* s) { set_gc(s, s->is_short ? kTagShortStr : kTagLongStr); }

// ---- prototypes ----

struct UpvalInfo {
  String* name;   // may be null (stripped)
  uint8_t instack;
  uint8_t idx;
  uint8_t kind;
};

struct LocVarInfo {
  String* name;
  int startpc;
  int endpc;
};

struct Proto : GCObject {
  uint8_t numparams;
  uint8_t flag;           // kProtoVarargHidden / kProtoVarargTable (func_proto.hpp)
  uint8_t maxstacksize;
  int sizeupvalues;
  int sizek;
  int sizecode;
  int sizep;
  int sizelocvars;
  int linedefined;
  int lastlinedefined;
  Value* k;
  Instruction* code;
  Proto** p;
  UpvalInfo* upvalues;
  int* lineinfo;          // absolute line of each instruction, or null if stripped
  LocVarInfo* locvars;
  String* source;         // may be null (stripped)
  GCObject* gclist;
};

// ---- upvalues and closures ----

struct UpVal : GCObject {
  Value* v;  // points into a stack while open, to 'u.value' once closed
  union {
    struct {
      UpVal* next;       // list of open upvalues of a thread, by decreasing level
      UpVal** previous;  // the pointer that points to this one
    } open;
    Value value;         // the value once closed
  } u;
  bool is_open() const { return v != &u.value; }
};

struct LuaClosure : GCObject {
  uint8_t nupvalues;
  GCObject* gclist;
  Proto* p;
  UpVal* upvals[1];
};

struct NativeClosure : GCObject {
  uint8_t nupvalues;
  GCObject* gclist;
  NativeFn f;
  Value upvalue[1];
};

inline size_t lua_closure_size(int n) { return sizeof(LuaClosure) + sizeof(UpVal*) * (n > 1 ? n - 1 : 0); }
inline size_t native_closure_size(int n) { return sizeof(NativeClosure) + sizeof(Value) * (n > 1 ? n - 1 : 0); }

inline void Value::set_table(Table* t) { set_gc(reinterpret_cast<GCObject*>(t), kTagTable); }
inline void Value::set_lua_closure(LuaClosure* c) { set_gc(c, kTagLuaClosure); }
inline void Value::set_native_closure(NativeClosure* c) { set_gc(c, kTagNativeClosure); }

// ---- userdata ----

struct Userdata : GCObject {
  uint16_t nuvalue;     // number of user values
  size_t len;           // bytes of user memory
  Table* metatable;
  GCObject* gclist;
  // followed by Value uv[nuvalue], then the user memory (aligned to 16)

  Value* uv() { return reinterpret_cast<Value*>(this + 1); }
  static size_t memory_offset(int nuv) {
    size_t off = sizeof(Userdata) + sizeof(Value) * size_t(nuv);
    return (off + 15) & ~size_t(15);
  }
  void* memory() { return reinterpret_cast<char*>(this) + memory_offset(nuvalue); }
};

inline void Value::set_userdata(Userdata* ud) { set_gc(ud, kTagUserdata); }
inline void Value::set_thread(State* th) { set_gc(reinterpret_cast<GCObject*>(th), kTagThread); }

// Convenience to build a Value from an object.
inline Value make_value(String* s) { Value v; v.set_string(s); return v; }
inline Value make_value(Table* t) { Value v; v.set_table(t); return v; }

}  // namespace rua
