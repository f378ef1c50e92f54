// The JSON decoder: JSON text -> Lua value.
#pragma once

#include <string>
#include <string_view>

#include "options.hpp"

namespace rua::json {

// Decodes text and pushes the value. On malformed input it pushes nothing,
// stores lua-cjson's message ("Expected value but found invalid token at
// character 12") in err and returns false. text.data()[text.size()] must be
// readable and '\0' (true of every Lua string and std::string).
bool decode_text(State* L, std::string_view text, const DecodeOptions& o, std::string& err);

}  // namespace rua::json
