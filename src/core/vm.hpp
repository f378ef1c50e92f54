// The VM's operations beyond the fast paths: metamethods, comparisons,
// concatenation, length, conversions (vm_slow.cpp), and the interpreter loop
// (vm.cpp, declared in call.hpp as execute()).
//
// Functions taking 'in_vm' serve both the interpreter and the native API.
// With in_vm true a metamethod is never called from C++: a frame for it is
// pushed (flagged cist::kFinishOp) and the function returns true; the VM
// runs that frame, and when it returns, finish_op() completes the
// interrupted instruction. That is what lets Lua code suspend inside any
// metamethod. With in_vm false the metamethod is called to completion and
// the function returns false.
#pragma once

#include "arith.hpp"

#include "state.hpp"

namespace rua {

bool finish_get(State* L, const Value* t, const Value* key, StkId val, bool in_vm);
bool finish_set(State* L, const Value* t, const Value* key, const Value* val, bool in_vm);
bool try_bin_tm(State* L, const Value* p1, const Value* p2, StkId res, TM event, bool in_vm);
bool less_than(State* L, const Value* l, const Value* r, int* res, bool in_vm);
bool less_equal(State* L, const Value* l, const Value* r, int* res, bool in_vm);
bool equal_obj(State* L, const Value* a, const Value* b, int* res, bool in_vm);
bool order_tm(State* L, const Value* p1, const Value* p2, TM event, int* res, bool in_vm);
// Concatenates the 'total' values below the top, leaving the result there.
bool concat(State* L, int total, bool in_vm);
bool obj_len(State* L, StkId ra, const Value* rb, bool in_vm);
// Completes the instruction interrupted by a metamethod frame that returned.
// May push another frame (concatenation with several metamethods): returns true then.
bool finish_op(State* L);

// Arithmetic on any two values with full semantics (string coercion, metamethods), API use.
void arith(State* L, int op, const Value* p1, const Value* p2, StkId res);
// Raw arithmetic on numbers: false if not applicable (non-numbers).
bool raw_arith(State* L, int op, const Value* p1, const Value* p2, Value* res);

// Conversions with string coercion (PUC luaV_tonumber_/luaV_tointeger).
bool to_number(const Value* v, lua_Number* n);
bool to_integer(const Value* v, lua_Integer* i, F2I mode = F2I::Exact);
// Converts a number in place to a string (for concatenation and the API).
void number_to_string_value(State* L, Value* v);
// String of a number value (into buf, >= 64 bytes); returns its length.
size_t number_to_cstr(const Value* v, char* buf);
// Converts a string value to a number (false if not a numeral).
bool string_to_number_value(const Value* v, Value* out);

// Integer division and modulo, with the division-by-zero errors out of line
// (the operations themselves are inline: they are hot in loops).
[[noreturn]] void error_divide_by_zero(State* L);
[[noreturn]] void error_modulo_by_zero(State* L);
inline lua_Integer int_idiv(State* L, lua_Integer m, lua_Integer n) {
  if (n == 0) [[unlikely]] error_divide_by_zero(L);
  return int_floor_div(m, n);
}
inline lua_Integer int_imod(State* L, lua_Integer m, lua_Integer n) {
  if (n == 0) [[unlikely]] error_modulo_by_zero(L);
  return int_mod(m, n);
}

// String order (strcoll by segments, as PUC).
int string_compare(const String* a, const String* b);

// Vararg support for VARARGPREP/VARARG/GETVARG.
void adjust_varargs(State* L, CallInfo* ci, const Proto* p);
void get_varargs(State* L, CallInfo* ci, StkId where, int wanted, int vatab);
void get_vararg(CallInfo* ci, StkId ra, const Value* rc);

// Numeric for loop preparation; true to skip the loop.
bool for_prep(State* L, StkId ra);

}  // namespace rua
