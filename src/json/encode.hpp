// The JSON encoder: Lua value -> JSON text.
#pragma once

#include "options.hpp"

namespace rua::json {

// Appends the JSON text of the value at index idx to b. Raises a Lua error
// ("Cannot serialise ...") for a value that has no JSON form under o.
void encode_value(State* L, int idx, const EncodeOptions& o, Buffer& b);

}  // namespace rua::json
