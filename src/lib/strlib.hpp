// Internals shared by the files of the string library: strlib.cpp (the
// simple and the pattern functions, the string metatable, open_string),
// str_format.cpp (format) and str_pack.cpp (pack, packsize, unpack). The
// pattern matcher itself is str_pattern.hpp. Only open_string (lualib.hpp)
// is public.
#pragma once

#include <cstddef>

#include "lualib.hpp"

namespace rua {

// A relative initial position (negative counts back from the end) as a
// 1-based position clipped to [1, inf). Every string length fits in a
// lua_Integer, so the conversions cannot overflow.
inline size_t str_start_pos(lua_Integer pos, size_t len) {
  if (pos > 0) return size_t(pos);
  if (pos == 0) return 1;
  if (pos < -lua_Integer(len)) return 1;  // compared this way round: -pos may overflow
  return len + size_t(pos) + 1;
}

int str_format(State* L);
int str_pack(State* L);
int str_packsize(State* L);
int str_unpack(State* L);

}  // namespace rua
