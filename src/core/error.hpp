// Raising Lua errors from C++. Every raise goes through these [[noreturn]]
// helpers (PUC: luaG_runerror, luaD_throw); none returns.
#pragma once

#include "state.hpp"

namespace rua {

// Throws the error object that is at the top of L's stack, with 'status'.
[[noreturn]] void throw_error(State* L, Status status);
// Calls the current message handler on the error object at the top (if the
// status is kErrRun and a handler is set), then throws (PUC luaG_errormsg).
[[noreturn]] void error_msg(State* L);
// error_msg without the throw: calls the message handler on the error object on top.
void prepare_error_msg(State* L);
// Formats a message (printf-like, see push_fstring), prefixes "chunk:line:" of
// the running Lua function, if any, and raises it as a runtime error.
[[noreturn]] void run_error(State* L, const char* fmt, ...);
// "attempt to <op> a <type> value (<varinfo>)" family (debug.cpp).
[[noreturn]] void type_error(State* L, const Value* o, const char* op);
[[noreturn]] void call_error(State* L, const Value* o);
[[noreturn]] void for_error(State* L, const Value* o, const char* what);
[[noreturn]] void concat_error(State* L, const Value* p1, const Value* p2);
[[noreturn]] void op_int_error(State* L, const Value* p1, const Value* p2, const char* msg);
[[noreturn]] void to_int_error(State* L, const Value* p1, const Value* p2);
[[noreturn]] void order_error(State* L, const Value* p1, const Value* p2);
[[noreturn]] void mem_error(State* L);
// Stack overflow while growing the Lua stack; C++ nesting overflow.
[[noreturn]] void stack_overflow_error(State* L);
void check_c_stack(State* L);

}  // namespace rua
