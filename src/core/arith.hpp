// Lua's arithmetic on raw numbers, shared by the VM and the compiler's
// constant folding so both always agree (PUC: lvm.c luaV_idiv/luaV_mod/
// luaV_shiftl, lobject.c luaO_rawarith).
#pragma once

#include <cmath>
#include <cstdint>

namespace rua {

using lua_Integer = int64_t;
using lua_Unsigned = uint64_t;
using lua_Number = double;

constexpr lua_Integer kMaxInteger = INT64_MAX;
constexpr lua_Integer kMinInteger = INT64_MIN;
constexpr int kIntBits = 64;

inline lua_Integer int_add(lua_Integer a, lua_Integer b) { return lua_Integer(lua_Unsigned(a) + lua_Unsigned(b)); }
inline lua_Integer int_sub(lua_Integer a, lua_Integer b) { return lua_Integer(lua_Unsigned(a) - lua_Unsigned(b)); }
inline lua_Integer int_mul(lua_Integer a, lua_Integer b) { return lua_Integer(lua_Unsigned(a) * lua_Unsigned(b)); }
inline lua_Integer int_neg(lua_Integer a) { return lua_Integer(0u - lua_Unsigned(a)); }

// Floor division; the caller has checked n != 0.
inline lua_Integer int_floor_div(lua_Integer m, lua_Integer n) {
  if (lua_Unsigned(n) + 1u <= 1u) {  // n == 0 or n == -1
    return int_neg(m);               // n == -1; avoids overflow of mininteger // -1
  }
  lua_Integer q = m / n;
  if ((m ^ n) < 0 && m % n != 0) q -= 1;  // different signs and not exact: round down
  return q;
}

// Floor modulo; the caller has checked n != 0.
inline lua_Integer int_mod(lua_Integer m, lua_Integer n) {
  if (lua_Unsigned(n) + 1u <= 1u) return 0;  // n == -1 (mininteger % -1 would overflow)
  lua_Integer r = m % n;
  if (r != 0 && (r ^ n) < 0) r += n;
  return r;
}

inline lua_Number float_mod(lua_Number m, lua_Number n) {
  lua_Number r = std::fmod(m, n);
  if ((r > 0) ? n < 0 : (r < 0 && n > 0)) r += n;
  return r;
}

inline lua_Number float_floor_div(lua_Number m, lua_Number n) { return std::floor(m / n); }

inline lua_Number float_pow(lua_Number a, lua_Number b) {
  if (b == 2) return a * a;
  return std::pow(a, b);
}

// Shift left by y (negative: shift right), logical, as in luaV_shiftl.
inline lua_Integer shift_left(lua_Integer x, lua_Integer y) {
  if (y < 0) {
    if (y <= -kIntBits) return 0;
    return lua_Integer(lua_Unsigned(x) >> lua_Unsigned(-y));
  }
  if (y >= kIntBits) return 0;
  return lua_Integer(lua_Unsigned(x) << lua_Unsigned(y));
}
inline lua_Integer shift_right(lua_Integer x, lua_Integer y) { return shift_left(x, int_neg(y)); }

// Float -> integer conversion modes (PUC F2Imod).
enum class F2I { Exact, Floor, Ceil };

// Converts a float to an integer if it has an exact (or rounded, per mode)
// representation in range; false otherwise (PUC luaV_flttointns).
inline bool float_to_integer(lua_Number n, lua_Integer* p, F2I mode = F2I::Exact) {
  lua_Number f = std::floor(n);
  if (n != f) {
    if (mode == F2I::Exact) return false;
    if (mode == F2I::Ceil) f += 1;
  }
  // -2^63 <= f < 2^63
  if (f >= -9223372036854775808.0 && f < 9223372036854775808.0) {
    *p = static_cast<lua_Integer>(f);
    return true;
  }
  return false;
}

}  // namespace rua
