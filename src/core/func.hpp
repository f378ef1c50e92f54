// Prototypes, closures, upvalues and to-be-closed variables.
//
// An upvalue is "open" while the variable it captures is alive on a stack:
// it points at the stack slot and sits in its thread's list of open
// upvalues, sorted by decreasing level, so that closures created in the same
// scope share it. Leaving the scope "closes" it: the value moves into the
// upvalue itself. To-be-closed variables form a list threaded through their
// stack slots (Value::aux_next holds the distance to the previous one).
#pragma once

#include "state.hpp"

namespace rua {

Proto* proto_new(State* L);
void proto_free(State* L, Proto* p);
size_t proto_size(const Proto* p);

LuaClosure* lua_closure_new(State* L, int nupvals);
NativeClosure* native_closure_new(State* L, int nupvals);
// Fills a closure's upvalues with fresh closed upvalues holding nil.
void closure_init_upvals(State* L, LuaClosure* cl);

UpVal* find_upval(State* L, StkId level);
void unlink_upval(UpVal* uv);
void close_upvals(State* L, StkId level);

// Registers the variable at 'level' as to-be-closed; errors if its value has
// no __close metamethod (false and nil need no closing).
void new_tbc_var(State* L, StkId level);
// The most recent to-be-closed variable at or above 'level', removed from the
// list; null if there is none.
StkId pop_tbc_var(State* L, StkId level);

// Status value meaning "closing on a normal exit, keep 'top' as it is".
constexpr int kCloseKTop = -1;
// Closes upvalues and to-be-closed variables at or above 'level', calling the
// __close methods from C++ (not yieldable unless 'yy'). Returns 'level',
// adjusted for stack reallocation.
StkId func_close(State* L, StkId level, int status, bool yy);

// Name of the n-th active local variable at 'pc' (1-based), or null.
const char* local_name(const Proto* f, int local_number, int pc);

}  // namespace rua
