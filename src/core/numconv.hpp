// Conversions between numbers and their text, shared by the lexer, the VM's
// string coercions and the libraries, so that every part reads and writes
// numerals exactly as PUC Lua 5.5 does (lobject.c luaO_str2num/tostringbuff).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rua {

enum class NumKind { None, Int, Float };

// Reads a whole numeral (surrounding spaces allowed): decimal or hex
// integers (decimal ones that overflow become floats, hex ones wrap around),
// decimal or hex floats. 'inf' and 'nan' are not numerals.
NumKind str_to_number(std::string_view s, int64_t& i, double& d);

// Writes 'd' as Lua 5.5 prints floats: "%.15g", or "%.17g" when that is
// needed to read back the same value, with ".0" added when the result looks
// like an integer. 'buf' must hold kNumberBufferSize bytes; returns the length.
constexpr size_t kNumberBufferSize = 64;
size_t number_to_string(double d, char* buf);
size_t number_to_string(int64_t i, char* buf);

}  // namespace rua
