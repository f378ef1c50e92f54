// The mathematical library (manual §6.7).
//
// Functions keep integers integers where the manual says so (abs, floor,
// ceil, fmod, modf's integral part, max/min return their argument as is).
// The pseudo-random generator is xoshiro256** with PUC 5.5's seeding, float
// conversion and projection into intervals, so a given seed yields the same
// sequence as PUC Lua (math.lua checks this).
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <ctime>

#include "arith.hpp"
#include "lualib.hpp"

namespace rua {

namespace {

constexpr lua_Number kPi = 3.141592653589793238462643383279502884;

// Pushes d as an integer when it has an exact integer representation.
void push_num_int(State* L, lua_Number d) {
  lua_Integer n;
  if (float_to_integer(d, &n))
    push_integer(L, n);
  else
    push_number(L, d);
}

int m_abs(State* L) {
  if (is_integer(L, 1)) {
    lua_Integer n = to_integer(L, 1);
    push_integer(L, n < 0 ? int_neg(n) : n);  // abs(mininteger) wraps to itself
  } else {
    push_number(L, std::fabs(check_number(L, 1)));
  }
  return 1;
}

template <double (*F)(double)>
int m_unary(State* L) {
  push_number(L, F(check_number(L, 1)));
  return 1;
}

double m_sin_f(double x) { return std::sin(x); }
double m_cos_f(double x) { return std::cos(x); }
double m_tan_f(double x) { return std::tan(x); }
double m_asin_f(double x) { return std::asin(x); }
double m_acos_f(double x) { return std::acos(x); }
double m_sqrt_f(double x) { return std::sqrt(x); }
double m_exp_f(double x) { return std::exp(x); }
double m_deg_f(double x) { return x * (180.0 / kPi); }
double m_rad_f(double x) { return x * (kPi / 180.0); }

int m_atan(State* L) {
  lua_Number y = check_number(L, 1);
  lua_Number x = opt_number(L, 2, 1);
  push_number(L, std::atan2(y, x));
  return 1;
}

int m_tointeger(State* L) {
  bool valid;
  lua_Integer n = to_integerx(L, 1, &valid);
  if (valid) {
    push_integer(L, n);
  } else {
    check_any(L, 1);
    push_nil(L);
  }
  return 1;
}

int m_floor(State* L) {
  if (is_integer(L, 1))
    set_top(L, 1);  // an integer is its own floor
  else
    push_num_int(L, std::floor(check_number(L, 1)));
  return 1;
}

int m_ceil(State* L) {
  if (is_integer(L, 1))
    set_top(L, 1);
  else
    push_num_int(L, std::ceil(check_number(L, 1)));
  return 1;
}

int m_fmod(State* L) {
  if (is_integer(L, 1) && is_integer(L, 2)) {
    lua_Integer d = to_integer(L, 2);
    if (lua_Unsigned(d) + 1u <= 1u) {  // 0 or -1
      arg_check(L, d != 0, 2, "zero");
      push_integer(L, 0);  // x % -1 is 0; C's % would overflow on mininteger
    } else {
      push_integer(L, to_integer(L, 1) % d);  // C's truncating remainder, as fmod
    }
  } else {
    push_number(L, std::fmod(check_number(L, 1), check_number(L, 2)));
  }
  return 1;
}

int m_modf(State* L) {
  if (is_integer(L, 1)) {
    set_top(L, 1);
    push_number(L, 0);
    return 2;
  }
  lua_Number n = check_number(L, 1);
  lua_Number ip = n < 0 ? std::ceil(n) : std::floor(n);  // rounds toward zero
  push_num_int(L, ip);
  push_number(L, n == ip ? 0.0 : n - ip);  // inf - inf would be nan
  return 2;
}

int m_ult(State* L) {
  lua_Integer a = check_integer(L, 1);
  lua_Integer b = check_integer(L, 2);
  push_boolean(L, lua_Unsigned(a) < lua_Unsigned(b));
  return 1;
}

int m_log(State* L) {
  lua_Number x = check_number(L, 1);
  lua_Number res;
  if (is_none_or_nil(L, 2)) {
    res = std::log(x);
  } else {
    lua_Number base = check_number(L, 2);
    if (base == 2.0)
      res = std::log2(x);  // exact for powers of 2
    else if (base == 10.0)
      res = std::log10(x);
    else
      res = std::log(x) / std::log(base);
  }
  push_number(L, res);
  return 1;
}

int m_frexp(State* L) {
  int e;
  push_number(L, std::frexp(check_number(L, 1), &e));
  push_integer(L, e);
  return 2;
}

int m_ldexp(State* L) {
  lua_Number x = check_number(L, 1);
  int e = int(check_integer(L, 2));  // truncated as PUC does
  push_number(L, std::ldexp(x, e));
  return 1;
}

int m_min(State* L) {
  int n = get_top(L);
  arg_check(L, n >= 1, 1, "value expected");
  int imin = 1;
  for (int i = 2; i <= n; i++)
    if (compare(L, i, imin, kOpLt)) imin = i;
  push_value(L, imin);
  return 1;
}

int m_max(State* L) {
  int n = get_top(L);
  arg_check(L, n >= 1, 1, "value expected");
  int imax = 1;
  for (int i = 2; i <= n; i++)
    if (compare(L, imax, i, kOpLt)) imax = i;
  push_value(L, imax);
  return 1;
}

int m_type(State* L) {
  if (type(L, 1) == Type::Number) {
    push_string(L, is_integer(L, 1) ? "integer" : "float");
  } else {
    check_any(L, 1);
    push_nil(L);
  }
  return 1;
}

// ---- pseudo-random numbers: xoshiro256** ----

struct RandomState {
  uint64_t s[4];
};

uint64_t rotl(uint64_t x, int n) { return (x << n) | (x >> (64 - n)); }

uint64_t next_random(RandomState* st) {
  uint64_t* s = st->s;
  uint64_t s0 = s[0], s1 = s[1], s2 = s[2] ^ s0, s3 = s[3] ^ s1;
  uint64_t res = rotl(s1 * 5, 7) * 9;
  s[0] = s0 ^ s3;
  s[1] = s1 ^ s2;
  s[2] = s2 ^ (s1 << 17);
  s[3] = rotl(s3, 45);
  return res;
}

// A float in [0, 1) from the 53 high bits (PUC's I2d with FIGS = 53).
lua_Number to_unit_float(uint64_t x) {
  return lua_Number(x >> (64 - DBL_MANT_DIG)) * (0.5 / (uint64_t(1) << (DBL_MANT_DIG - 1)));
}

// Projects ran into [0, n] uniformly: masks it with the smallest 2^b - 1
// not below n and draws again while the result exceeds n.
lua_Unsigned project(lua_Unsigned ran, lua_Unsigned n, RandomState* st) {
  lua_Unsigned lim = n;
  for (int sh = 1; (lim & (lim + 1)) != 0; sh *= 2) lim |= lim >> sh;
  while ((ran &= lim) > n) ran = next_random(st);
  return ran;
}

// A seed that changes between runs (PUC's luai_makeseed mixes the same two
// sources: an address, which ASLR moves, and the time).
lua_Unsigned make_seed() {
  int local = 0;
  auto addr = static_cast<lua_Unsigned>(reinterpret_cast<uintptr_t>(&local));
  auto t = static_cast<lua_Unsigned>(std::time(nullptr));
  auto c = static_cast<lua_Unsigned>(std::clock());
  return static_cast<unsigned int>(addr ^ (t * 0x9E3779B97F4A7C15u) ^ (c << 20));
}

// Seeds with (n1, n2), discards 16 values to spread the seed, and pushes
// both parts (randomseed returns them).
void set_seed(State* L, RandomState* st, lua_Unsigned n1, lua_Unsigned n2) {
  st->s[0] = n1;
  st->s[1] = 0xff;  // avoids an all-zero state
  st->s[2] = n2;
  st->s[3] = 0;
  for (int i = 0; i < 16; i++) next_random(st);
  push_integer(L, lua_Integer(n1));
  push_integer(L, lua_Integer(n2));
}

RandomState* random_state(State* L) { return static_cast<RandomState*>(to_userdata(L, upvalue_index(1))); }

int m_random(State* L) {
  RandomState* st = random_state(L);
  uint64_t rv = next_random(st);  // drawn before the arguments are checked, as PUC
  lua_Integer low, up;
  switch (get_top(L)) {
    case 0: push_number(L, to_unit_float(rv)); return 1;
    case 1:
      low = 1;
      up = check_integer(L, 1);
      if (up == 0) {  // math.random(0): all 64 bits
        push_integer(L, lua_Integer(rv));
        return 1;
      }
      break;
    case 2:
      low = check_integer(L, 1);
      up = check_integer(L, 2);
      break;
    default: errorf(L, "wrong number of arguments");
  }
  arg_check(L, low <= up, 1, "interval is empty");
  lua_Unsigned p = project(rv, lua_Unsigned(up) - lua_Unsigned(low), st);
  push_integer(L, lua_Integer(p + lua_Unsigned(low)));
  return 1;
}

int m_randomseed(State* L) {
  RandomState* st = random_state(L);
  lua_Unsigned n1, n2;
  if (is_none(L, 1)) {
    n1 = make_seed();
    n2 = next_random(st);  // in case the seed is not that random
  } else {
    n1 = lua_Unsigned(check_integer(L, 1));
    n2 = lua_Unsigned(opt_integer(L, 2, 0));
  }
  set_seed(L, st, n1, n2);
  return 2;
}

const Reg kMathFuncs[] = {{"abs", m_abs},
                          {"acos", m_unary<m_acos_f>},
                          {"asin", m_unary<m_asin_f>},
                          {"atan", m_atan},
                          {"ceil", m_ceil},
                          {"cos", m_unary<m_cos_f>},
                          {"deg", m_unary<m_deg_f>},
                          {"exp", m_unary<m_exp_f>},
                          {"tointeger", m_tointeger},
                          {"floor", m_floor},
                          {"fmod", m_fmod},
                          {"frexp", m_frexp},
                          {"ult", m_ult},
                          {"ldexp", m_ldexp},
                          {"log", m_log},
                          {"max", m_max},
                          {"min", m_min},
                          {"modf", m_modf},
                          {"rad", m_unary<m_rad_f>},
                          {"sin", m_unary<m_sin_f>},
                          {"sqrt", m_unary<m_sqrt_f>},
                          {"tan", m_unary<m_tan_f>},
                          {"type", m_type},
                          {nullptr, nullptr}};

const Reg kRandomFuncs[] = {{"random", m_random}, {"randomseed", m_randomseed}, {nullptr, nullptr}};

// random and randomseed share their generator state as an upvalue.
void open_random(State* L) {
  auto* st = static_cast<RandomState*>(new_userdata(L, sizeof(RandomState), 0));
  set_seed(L, st, make_seed(), 0);
  pop(L, 2);
  set_funcs(L, kRandomFuncs, 1);
}

}  // namespace

int open_math(State* L) {
  new_lib(L, kMathFuncs);
  push_number(L, kPi);
  set_field(L, -2, "pi");
  push_number(L, HUGE_VAL);
  set_field(L, -2, "huge");
  push_integer(L, kMaxInteger);
  set_field(L, -2, "maxinteger");
  push_integer(L, kMinInteger);
  set_field(L, -2, "mininteger");
  open_random(L);
  return 1;
}

}  // namespace rua
