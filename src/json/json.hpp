// rua.json: JSON encode/decode with lua-cjson's conventions (OpenResty's
// fork), so code written for `require "cjson"` ports over.
//
//   local json = require "rua.json"
//   json.encode(value [, opts])         -> string; raises "Cannot serialise ..."
//   json.decode(text [, opts])          -> value | nil, message (as cjson.safe)
//   json.decode_or_error(text [, opts]) -> value; raises the same message
//   json.null, json.empty_array, json.array_mt, json.empty_array_mt
//   json.new()                          -> an independent module (own settings)
//   json.encode_max_depth([n]) ... the configuration functions of lua-cjson
//
// Rules where rua.json differs from lua-cjson's defaults, on purpose:
//  - '/' is not escaped (encode_escape_forward_slash defaults to false).
//  - Floats are written in the shortest form that reads back exactly
//    (std::to_chars), not with 14 digits; encode_number_precision(n) restores
//    "%.<n>g" output.
//  - decode validates RFC 8259 fully: numbers with leading '+' or zeros, hex,
//    Infinity and NaN are errors unless decode_invalid_numbers(true); raw
//    control characters in strings and bytes after the document are errors.
//  - Invalid UTF-8 is an error both ways: decode reports it with its byte
//    offset, encode raises "Cannot serialise string: invalid UTF-8". So
//    whatever rua.json writes, any JSON parser reads.
//  - A cycle is reported as such ("Cannot serialise table: circular
//    reference") instead of as excessive nesting.
//  - Nesting limits accept 1..kMaxNestingLimit: the codec recurses on the
//    native stack, one frame per level.
#pragma once

#include "api.hpp"

namespace rua {

// The module loader (luaopen_*): returns a fresh module table.
int open_json(State* L);

// Registers open_json as package.preload["rua.json"] (the registry's
// _PRELOAD table, which package.preload is), so `require "rua.json"` works.
void preload_json(State* L);

// json.null: the light userdata that decoded JSON nulls are: rua::null_sentinel()
// (api.hpp), which rua.sqlite's NULL is too, so that values compare equal.
void* json_null_sentinel();

// json.empty_array: a light userdata that encodes as [].
void* json_empty_array_sentinel();

}  // namespace rua
