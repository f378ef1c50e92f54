// Settings of the JSON codec: the module-wide defaults that lua-cjson's
// configuration functions change, and the per-call `opts` table overrides.
#pragma once

#include <string>

#include "api.hpp"

namespace rua::json {

// Both codecs recurse once per nesting level on the native stack; this
// bounds the stack they can use (a few hundred bytes per level).
constexpr int kMaxNestingLimit = 10000;
constexpr int kDefaultMaxDepth = 1000;

enum class InvalidNumbers : int { Error = 0, Allow = 1, Null = 2 };

struct EncodeOptions {
  int max_depth = kDefaultMaxDepth;
  bool sparse_convert = false;  // excessively sparse arrays become objects (else an error)
  int sparse_ratio = 2;
  int sparse_safe = 10;
  InvalidNumbers invalid_numbers = InvalidNumbers::Error;
  int precision = 0;  // 0: shortest round-trip form; 1..17: "%.<precision>g"
  bool empty_table_as_object = true;
  bool escape_slash = false;
  bool skip_unsupported = false;  // values of other types are left out
  bool sort_keys = false;
  std::string indent;  // empty: compact output
};

struct DecodeOptions {
  int max_depth = kDefaultMaxDepth;
  bool invalid_numbers = false;  // accept Infinity, NaN, hex, '+1', '01' (cjson's default)
  bool array_mt = false;         // decoded arrays get json.array_mt
  bool allow_comments = false;   // '//' and '/* */' count as white space
};

// One module instance's settings (the full userdata that is upvalue 1 of
// every module function).
struct Config {
  EncodeOptions enc;
  DecodeOptions dec;
};

// Registry keys (light userdata) of the two shared metatables.
void* array_mt_key();
void* empty_array_mt_key();

// Reads the fields of the opts table at index idx (nil or none: no change).
void read_encode_options(State* L, int idx, EncodeOptions& o);
void read_decode_options(State* L, int idx, DecodeOptions& o);

}  // namespace rua::json
