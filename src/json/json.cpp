// The rua.json module table: encode/decode entry points, lua-cjson's
// configuration functions, per-call options, json.new. See json.hpp for the
// rules and where they differ from lua-cjson's defaults.
//
// Each module instance keeps its settings in a full userdata (a Config) that
// is upvalue 1 of all its functions, as lua-cjson does; json.new() makes an
// instance with fresh defaults. The array metatables are shared by all
// instances of a state (registry, keyed by the addresses below).
#include "json.hpp"

#include <climits>
#include <new>
#include <string>

#include "decode.hpp"
#include "encode.hpp"
#include "options.hpp"

namespace rua {

void* json_null_sentinel() { return null_sentinel(); }  // shared with rua.sqlite (api.hpp)

void* json_empty_array_sentinel() {
  static char empty_array_sentinel;
  return &empty_array_sentinel;
}

namespace json {

void* array_mt_key() {
  static char key;
  return &key;
}

void* empty_array_mt_key() {
  static char key;
  return &key;
}

namespace {

constexpr const char* kConfigType = "rua.json.config";

Config* config(State* L) { return static_cast<Config*>(to_userdata(L, upvalue_index(1))); }

// ---- per-call options ----

[[noreturn]] void bad_option(State* L, int arg, std::string_view name, const char* what) {
  std::string n(name);
  arg_error(L, arg, push_fstring(L, "option '%s' must be %s", n.c_str(), what));
}

bool bool_field(State* L, int arg, std::string_view name) {
  if (!is_boolean(L, -1)) bad_option(L, arg, name, "a boolean");
  return to_boolean(L, -1);
}

int int_field(State* L, int arg, std::string_view name, int lo, int hi) {
  bool ok;
  lua_Integer v = to_integerx(L, -1, &ok);
  if (!ok || type(L, -1) != Type::Number || v < lo || v > hi) {
    std::string what = "an integer between " + std::to_string(lo) + " and " + std::to_string(hi);
    bad_option(L, arg, name, what.c_str());
  }
  return int(v);
}

// indent: a string, or a number of spaces.
std::string indent_field(State* L, int arg) {
  if (type(L, -1) == Type::String) return std::string(to_sv(L, -1));
  return std::string(size_t(int_field(L, arg, "indent", 0, 64)), ' ');
}

// invalid_numbers: true, false or "null".
InvalidNumbers invalid_numbers_field(State* L, int arg) {
  if (type(L, -1) == Type::String && to_sv(L, -1) == "null") return InvalidNumbers::Null;
  if (!is_boolean(L, -1)) bad_option(L, arg, "invalid_numbers", "a boolean or \"null\"");
  return to_boolean(L, -1) ? InvalidNumbers::Allow : InvalidNumbers::Error;
}

// Calls set(name) for each field of the options table at arg (value on top).
template <typename F>
void each_option(State* L, int arg, F set) {
  if (is_none_or_nil(L, arg)) return;
  check_type(L, arg, Type::Table);
  push_nil(L);
  while (next(L, arg)) {
    if (type(L, -2) != Type::String) arg_error(L, arg, "option names must be strings");
    set(to_sv(L, -2));
    pop(L, 1);
  }
}

[[noreturn]] void unknown_option(State* L, int arg, std::string_view name) {
  std::string n(name);
  arg_error(L, arg, push_fstring(L, "unknown option '%s'", n.c_str()));
}

}  // namespace

void read_encode_options(State* L, int arg, EncodeOptions& o) {
  each_option(L, arg, [&](std::string_view k) {
    if (k == "indent")
      o.indent = indent_field(L, arg);
    else if (k == "sort_keys")
      o.sort_keys = bool_field(L, arg, k);
    else if (k == "escape_slash")
      o.escape_slash = bool_field(L, arg, k);
    else if (k == "max_depth")
      o.max_depth = int_field(L, arg, k, 1, kMaxNestingLimit);
    else if (k == "invalid_numbers")
      o.invalid_numbers = invalid_numbers_field(L, arg);
    else if (k == "empty_table_as_object")
      o.empty_table_as_object = bool_field(L, arg, k);
    else if (k == "sparse_convert")
      o.sparse_convert = bool_field(L, arg, k);
    else if (k == "sparse_ratio")
      o.sparse_ratio = int_field(L, arg, k, 0, INT_MAX);
    else if (k == "sparse_safe")
      o.sparse_safe = int_field(L, arg, k, 0, INT_MAX);
    else if (k == "number_precision")
      o.precision = int_field(L, arg, k, 0, 17);
    else if (k == "skip_unsupported")
      o.skip_unsupported = bool_field(L, arg, k);
    else
      unknown_option(L, arg, k);
  });
}

void read_decode_options(State* L, int arg, DecodeOptions& o) {
  each_option(L, arg, [&](std::string_view k) {
    if (k == "max_depth")
      o.max_depth = int_field(L, arg, k, 1, kMaxNestingLimit);
    else if (k == "invalid_numbers")
      o.invalid_numbers = bool_field(L, arg, k);
    else if (k == "array_mt")
      o.array_mt = bool_field(L, arg, k);
    else if (k == "allow_comments")
      o.allow_comments = bool_field(L, arg, k);
    else
      unknown_option(L, arg, k);
  });
}

namespace {

// ---- encode / decode ----

int l_encode(State* L) {
  check_any(L, 1);
  const Config* cfg = config(L);
  Buffer b(L);
  if (is_none_or_nil(L, 2)) {
    encode_value(L, 1, cfg->enc, b);
  } else {
    EncodeOptions o = cfg->enc;
    read_encode_options(L, 2, o);
    encode_value(L, 1, o, b);
  }
  b.push_result();
  return 1;
}

// Decodes argument 1; on failure leaves nothing pushed and the message in err.
bool decode_arg(State* L, std::string& err) {
  if (!is_string(L, 1)) {
    err = std::string("bad argument #1 to 'decode' (string expected, got ") +
          (is_none(L, 1) ? "no value" : type_name_of(L, type(L, 1))) + ")";
    return false;
  }
  std::string_view text = to_sv(L, 1);
  const Config* cfg = config(L);
  if (is_none_or_nil(L, 2)) return decode_text(L, text, cfg->dec, err);
  DecodeOptions o = cfg->dec;
  read_decode_options(L, 2, o);
  return decode_text(L, text, o, err);
}

int l_decode(State* L) {
  std::string err;
  if (decode_arg(L, err)) return 1;
  push_nil(L);
  push_sv(L, err);
  return 2;
}

int l_decode_or_error(State* L) {
  std::string err;
  if (!decode_arg(L, err)) errorf(L, "%s", err.c_str());
  return 1;
}

// ---- lua-cjson's configuration functions ----
// Each takes optional new settings and returns the current ones.

// As lua-cjson: at most n arguments, padded with nil.
Config* config_args(State* L, int n) {
  arg_check(L, get_top(L) <= n, n + 1, "found too many arguments");
  set_top(L, n);
  return config(L);
}

void int_setting(State* L, int arg, int& setting, int lo, int hi) {
  if (!is_nil(L, arg)) {
    lua_Integer v = check_integer(L, arg);
    if (v < lo || v > hi) arg_error(L, arg, push_fstring(L, "expected integer between %d and %d", lo, hi));
    setting = int(v);
  }
  push_integer(L, setting);
}

// A boolean setting given as true/false or "on"/"off".
void bool_setting(State* L, int arg, bool& setting) {
  static const char* const kOnOff[] = {"off", "on", nullptr};
  if (is_boolean(L, arg))
    setting = to_boolean(L, arg);
  else if (!is_nil(L, arg))
    setting = check_option(L, arg, nullptr, kOnOff) == 1;
  push_boolean(L, setting);
}

int l_encode_sparse_array(State* L) {
  Config* c = config_args(L, 3);
  bool_setting(L, 1, c->enc.sparse_convert);
  int_setting(L, 2, c->enc.sparse_ratio, 0, INT_MAX);
  int_setting(L, 3, c->enc.sparse_safe, 0, INT_MAX);
  return 3;
}

int l_encode_max_depth(State* L) {
  int_setting(L, 1, config_args(L, 1)->enc.max_depth, 1, kMaxNestingLimit);
  return 1;
}

int l_decode_max_depth(State* L) {
  int_setting(L, 1, config_args(L, 1)->dec.max_depth, 1, kMaxNestingLimit);
  return 1;
}

// 0 (the default) is the shortest form that reads back exactly.
int l_encode_number_precision(State* L) {
  int_setting(L, 1, config_args(L, 1)->enc.precision, 0, 17);
  return 1;
}

// true/"on": NaN and Infinity as JavaScript writes them; "null": as null;
// false/"off": an error.
int l_encode_invalid_numbers(State* L) {
  static const char* const kOptions[] = {"off", "on", "null", nullptr};
  InvalidNumbers& s = config_args(L, 1)->enc.invalid_numbers;
  if (is_boolean(L, 1))
    s = to_boolean(L, 1) ? InvalidNumbers::Allow : InvalidNumbers::Error;
  else if (!is_nil(L, 1))
    s = InvalidNumbers(check_option(L, 1, nullptr, kOptions));
  if (s == InvalidNumbers::Null)
    push_string(L, "null");
  else
    push_boolean(L, s == InvalidNumbers::Allow);
  return 1;
}

int l_decode_invalid_numbers(State* L) {
  bool_setting(L, 1, config_args(L, 1)->dec.invalid_numbers);
  return 1;
}

int l_encode_empty_table_as_object(State* L) {
  bool_setting(L, 1, config_args(L, 1)->enc.empty_table_as_object);
  return 1;
}

int l_decode_array_with_array_mt(State* L) {
  bool_setting(L, 1, config_args(L, 1)->dec.array_mt);
  return 1;
}

int l_decode_allow_comment(State* L) {
  bool_setting(L, 1, config_args(L, 1)->dec.allow_comments);
  return 1;
}

int l_encode_escape_forward_slash(State* L) {
  bool_setting(L, 1, config_args(L, 1)->enc.escape_slash);
  return 1;
}

int l_encode_skip_unsupported_value_types(State* L) {
  bool_setting(L, 1, config_args(L, 1)->enc.skip_unsupported);
  return 1;
}

int l_encode_sort_keys(State* L) {
  bool_setting(L, 1, config_args(L, 1)->enc.sort_keys);
  return 1;
}

// A string: the indentation of one level ("" turns pretty printing off).
int l_encode_indent(State* L) {
  Config* c = config_args(L, 1);
  if (!is_nil(L, 1)) c->enc.indent = check_sv(L, 1);
  push_sv(L, c->enc.indent);
  return 1;
}

// ---- instances ----

int config_gc(State* L) {
  static_cast<Config*>(to_userdata(L, 1))->~Config();
  return 0;
}

void push_config(State* L) {
  new (new_userdata(L, sizeof(Config), 0)) Config();
  if (new_metatable(L, kConfigType)) {
    push_native(L, config_gc);
    set_field(L, -2, "__gc");
  }
  set_metatable(L, -2);
}

// Registry entry key -> a table, created once per state.
void push_shared_table(State* L, void* key) {
  if (raw_get_p(L, kRegistryIndex, key) != Type::Nil) return;
  pop(L, 1);
  new_table(L);
  push_value(L, -1);
  raw_set_p(L, kRegistryIndex, key);
}

int l_new(State* L);

const Reg kFuncs[] = {
    {"encode", l_encode},
    {"decode", l_decode},
    {"decode_or_error", l_decode_or_error},
    {"encode_sparse_array", l_encode_sparse_array},
    {"encode_max_depth", l_encode_max_depth},
    {"decode_max_depth", l_decode_max_depth},
    {"encode_number_precision", l_encode_number_precision},
    {"encode_invalid_numbers", l_encode_invalid_numbers},
    {"decode_invalid_numbers", l_decode_invalid_numbers},
    {"encode_empty_table_as_object", l_encode_empty_table_as_object},
    {"decode_array_with_array_mt", l_decode_array_with_array_mt},
    {"decode_allow_comment", l_decode_allow_comment},
    {"encode_escape_forward_slash", l_encode_escape_forward_slash},
    {"encode_skip_unsupported_value_types", l_encode_skip_unsupported_value_types},
    {"encode_sort_keys", l_encode_sort_keys},
    {"encode_indent", l_encode_indent},
    {"new", l_new},
    {nullptr, nullptr},
};

int l_new(State* L) {
  create_table(L, 0, 24);
  push_config(L);
  set_funcs(L, kFuncs, 1);
  push_light_userdata(L, json_null_sentinel());
  set_field(L, -2, "null");
  push_light_userdata(L, json_empty_array_sentinel());
  set_field(L, -2, "empty_array");
  push_shared_table(L, array_mt_key());
  set_field(L, -2, "array_mt");
  push_shared_table(L, empty_array_mt_key());
  set_field(L, -2, "empty_array_mt");
  push_string(L, "rua.json");
  set_field(L, -2, "_NAME");
  push_string(L, "1.0");
  set_field(L, -2, "_VERSION");
  return 1;
}

}  // namespace
}  // namespace json

int open_json(State* L) { return json::l_new(L); }

void preload_json(State* L) {
  get_subtable(L, kRegistryIndex, "_PRELOAD");
  push_native(L, open_json);
  set_field(L, -2, "rua.json");
  pop(L, 1);
}

}  // namespace rua
