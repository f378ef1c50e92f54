// rua.json through the native API, without running Lua code: the decoder's
// values, errors and offsets, the encoder's output, the module functions.
// tests/lua/json_*.lua cover the same rules from Lua.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "decode.hpp"
#include "encode.hpp"
#include "json.hpp"
#include "utf8.hpp"

namespace {

using namespace rua;
using json::DecodeOptions;

class Json : public testing::Test {
 protected:
  void SetUp() override {
    L = new_state_std();
    push_native(L, open_json);
    call(L, 0, 1);
    module = get_top(L);
  }
  void TearDown() override { close_state(L); }

  // Calls module function name with the values on top (nargs of them).
  Status invoke(const char* name, int nargs, int nresults) {
    get_field(L, module, name);
    insert(L, -nargs - 1);
    return pcall(L, nargs, nresults, 0);
  }

  // json.decode(text [, opts]) -> 2 results on the stack.
  void decode(std::string_view text) {
    push_sv(L, text);
    ASSERT_EQ(invoke("decode", 1, 2), kOk) << to_string(L, -1);
  }

  // The error message of json.decode(text), "" if it decoded.
  std::string decode_error(std::string_view text, DecodeOptions o = {}) {
    std::string err;
    if (json::decode_text(L, text, o, err)) pop(L, 1);
    return err;
  }

  // json.encode of the value on top (popped); "" and the message in error_ on failure.
  std::string encode(json::EncodeOptions o = {}) {
    int top = get_top(L);
    std::string out;
    push_native(L, [](State* L) {
      auto* o = static_cast<json::EncodeOptions*>(to_userdata(L, 2));
      Buffer b(L);
      json::encode_value(L, 1, *o, b);
      b.push_result();
      return 1;
    });
    insert(L, -2);
    push_light_userdata(L, &o);
    if (pcall(L, 2, 1, 0) == kOk)
      out = to_string(L, -1);
    else
      error_ = to_string(L, -1);
    set_top(L, top - 1);
    return out;
  }

  // decode(text) then encode with sorted keys.
  std::string round_trip(std::string_view text, json::EncodeOptions o = {}) {
    std::string err;
    if (!json::decode_text(L, text, {}, err)) return "decode error: " + err;
    o.sort_keys = true;
    return encode(o);
  }

  State* L = nullptr;
  int module = 0;
  std::string error_;
};

TEST(JsonUtf8, SequenceLengths) {
  auto len = [](std::string_view s) {
    auto p = reinterpret_cast<const unsigned char*>(s.data());
    return json::utf8_sequence(p, p + s.size());
  };
  EXPECT_EQ(len("a"), 1u);
  EXPECT_EQ(len("\xC3\xA9"), 2u);          // é
  EXPECT_EQ(len("\xE2\x82\xAC"), 3u);      // €
  EXPECT_EQ(len("\xF0\x9F\x98\x80"), 4u);  // U+1F600
  EXPECT_EQ(len("\xF4\x8F\xBF\xBF"), 4u);  // U+10FFFF
  EXPECT_EQ(len("\xC0\xAF"), 0u);          // overlong '/'
  EXPECT_EQ(len("\xE0\x80\xAF"), 0u);      // overlong
  EXPECT_EQ(len("\xED\xA0\x80"), 0u);      // surrogate U+D800
  EXPECT_EQ(len("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(len("\xC3"), 0u);              // truncated
  EXPECT_EQ(len("\x80"), 0u);              // lone continuation byte
  EXPECT_EQ(len("\xFF"), 0u);
}

TEST(JsonUtf8, Encode) {
  char buf[4];
  EXPECT_EQ(std::string(buf, json::utf8_encode(buf, 0x24)), "$");
  EXPECT_EQ(std::string(buf, json::utf8_encode(buf, 0xE9)), "\xC3\xA9");
  EXPECT_EQ(std::string(buf, json::utf8_encode(buf, 0x20AC)), "\xE2\x82\xAC");
  EXPECT_EQ(std::string(buf, json::utf8_encode(buf, 0x1F600)), "\xF0\x9F\x98\x80");
}

TEST_F(Json, DecodesScalars) {
  decode("42");
  EXPECT_TRUE(is_integer(L, -2));
  EXPECT_EQ(to_integer(L, -2), 42);
  pop(L, 2);
  decode(" -1.5e3 ");
  EXPECT_FALSE(is_integer(L, -2));
  EXPECT_EQ(to_number(L, -2), -1500.0);
  pop(L, 2);
  decode("\"h\\u00e9\\ud83d\\ude00\"");
  EXPECT_EQ(to_sv(L, -2), "h\xC3\xA9\xF0\x9F\x98\x80");
  pop(L, 2);
  decode("null");
  EXPECT_EQ(to_userdata(L, -2), json_null_sentinel());
  pop(L, 2);
  decode("true");
  EXPECT_TRUE(to_boolean(L, -2));
  pop(L, 2);
}

TEST_F(Json, IntegersStayIntegers) {
  decode("9223372036854775807");
  EXPECT_TRUE(is_integer(L, -2));
  EXPECT_EQ(to_integer(L, -2), INT64_MAX);
  pop(L, 2);
  decode("-9223372036854775808");
  EXPECT_TRUE(is_integer(L, -2));
  EXPECT_EQ(to_integer(L, -2), INT64_MIN);
  pop(L, 2);
  decode("9223372036854775808");  // overflows int64: a float
  EXPECT_FALSE(is_integer(L, -2));
  EXPECT_EQ(to_number(L, -2), 9223372036854775808.0);
  pop(L, 2);
  decode("123456789012345678901234567890");
  EXPECT_EQ(to_number(L, -2), 1.2345678901234568e29);
  pop(L, 2);
  decode("1e400");
  EXPECT_EQ(to_number(L, -2), HUGE_VAL);
  pop(L, 2);
  decode("-1e-400");
  EXPECT_EQ(to_number(L, -2), 0.0);
  EXPECT_TRUE(std::signbit(to_number(L, -2)));
  pop(L, 2);
}

TEST_F(Json, DecodesContainers) {
  decode("[1, [2, 3], {\"a\": null}]");
  ASSERT_TRUE(is_table(L, -2));
  EXPECT_EQ(raw_len(L, -2), 3u);
  raw_get_i(L, -2, 2);
  EXPECT_EQ(raw_len(L, -1), 2u);
  pop(L, 1);
  raw_get_i(L, -2, 3);
  get_field(L, -1, "a");
  EXPECT_EQ(to_userdata(L, -1), json_null_sentinel());
  pop(L, 4);
}

TEST_F(Json, DecodeErrorsHaveCjsonWordingAndOffsets) {
  EXPECT_EQ(decode_error(""), "Expected value but found T_END at character 1");
  EXPECT_EQ(decode_error("   "), "Expected value but found T_END at character 4");
  EXPECT_EQ(decode_error("{\"a\":1,}"), "Expected object key string but found T_OBJ_END at character 8");
  EXPECT_EQ(decode_error("[1,]"), "Expected value but found T_ARR_END at character 4");
  EXPECT_EQ(decode_error("[1 2]"), "Expected comma or array end but found T_INTEGER at character 4");
  EXPECT_EQ(decode_error("[1,2"), "Expected comma or array end but found T_END at character 5");
  EXPECT_EQ(decode_error("{1:2}"), "Expected object key string but found T_INTEGER at character 2");
  EXPECT_EQ(decode_error("{\"a\" 1}"), "Expected colon but found T_INTEGER at character 6");
  EXPECT_EQ(decode_error("{\"a\":1 \"b\":2}"),
            "Expected comma or object end but found T_STRING at character 8");
  EXPECT_EQ(decode_error("[1] x"), "Expected the end but found invalid token at character 5");
  EXPECT_EQ(decode_error("[1] 2.5"), "Expected the end but found T_NUMBER at character 5");
  EXPECT_EQ(decode_error("tru"), "Expected value but found invalid token at character 1");
  EXPECT_EQ(decode_error("{\"a\": nul}"), "Expected value but found invalid token at character 7");
  EXPECT_EQ(decode_error("\"abc"), "Expected value but found unexpected end of string at character 5");
  EXPECT_EQ(decode_error("[\"a\\qb\"]"), "Expected value but found invalid escape code at character 4");
  EXPECT_EQ(decode_error("\"\\ud800\""),
            "Expected value but found invalid unicode escape code at character 2");
  EXPECT_EQ(decode_error("\"\\udc00\""),
            "Expected value but found invalid unicode escape code at character 2");
  EXPECT_EQ(decode_error("\"\\u12g4\""),
            "Expected value but found invalid unicode escape code at character 2");
  EXPECT_EQ(decode_error("{\"k\\x\":1}"),
            "Expected object key string but found invalid escape code at character 4");
}

TEST_F(Json, DecodeIsStrictRfc8259) {
  EXPECT_EQ(decode_error("01"), "Expected value but found invalid number at character 1");
  EXPECT_EQ(decode_error("1."), "Expected value but found invalid number at character 1");
  EXPECT_EQ(decode_error("[.5]"), "Expected value but found invalid token at character 2");
  EXPECT_EQ(decode_error("-"), "Expected value but found invalid number at character 1");
  EXPECT_EQ(decode_error("1e+"), "Expected value but found invalid number at character 1");
  EXPECT_EQ(decode_error("+1"), "Expected value but found invalid token at character 1");
  EXPECT_EQ(decode_error("NaN"), "Expected value but found invalid token at character 1");
  EXPECT_EQ(decode_error("-Infinity"), "Expected value but found invalid number at character 1");
  EXPECT_EQ(decode_error("0x10"), "Expected the end but found invalid token at character 2");
  EXPECT_EQ(decode_error("\"a\tb\""), "Expected value but found unescaped control character at character 3");
  EXPECT_EQ(decode_error("\"a\xC3(\""), "Expected value but found invalid UTF-8 at character 3");
  EXPECT_EQ(decode_error("\"\xED\xA0\x80\""), "Expected value but found invalid UTF-8 at character 2");
  EXPECT_EQ(decode_error(std::string_view("[1]\0", 4)),
            "Expected the end but found invalid token at character 4");
  EXPECT_EQ(decode_error(std::string_view("\0[", 2)), "JSON parser does not support UTF-16 or UTF-32");
  EXPECT_EQ(decode_error("// c\n1"), "Expected value but found invalid token at character 1");
}

TEST_F(Json, DecodeOptions) {
  DecodeOptions lenient;
  lenient.invalid_numbers = true;
  std::string err;
  for (const char* text : {"NaN", "-Infinity", "+1", "0x10", "01", "1.", "[inf, nan]"}) {
    EXPECT_TRUE(json::decode_text(L, text, lenient, err)) << text << ": " << err;
    pop(L, 1);
  }
  DecodeOptions comments;
  comments.allow_comments = true;
  EXPECT_EQ(decode_error("/* a */ [1, // b\n 2] // c", comments), "");
  EXPECT_EQ(decode_error("[1 /* a", comments),
            "Expected comma or array end but found unclosed multi-line comment at character 8");
  DecodeOptions shallow;
  shallow.max_depth = 2;
  EXPECT_EQ(decode_error("[[1]]", shallow), "");
  EXPECT_EQ(decode_error("[[[1]]]", shallow), "Found too many nested data structures (3) at character 3");
  EXPECT_EQ(decode_error(std::string(1001, '[') + std::string(1001, ']')),
            "Found too many nested data structures (1001) at character 1001");
  EXPECT_EQ(decode_error(std::string(1000, '[') + std::string(1000, ']')), "");
}

TEST_F(Json, EncodesScalars) {
  push_integer(L, -42);
  EXPECT_EQ(encode(), "-42");
  push_number(L, 0.1);
  EXPECT_EQ(encode(), "0.1");
  push_number(L, 1.0 / 3);
  EXPECT_EQ(encode(), "0.3333333333333333");
  push_number(L, 1e300);
  EXPECT_EQ(encode(), "1e+300");
  push_number(L, 5.0);
  EXPECT_EQ(encode(), "5");
  push_integer(L, INT64_MIN);
  EXPECT_EQ(encode(), "-9223372036854775808");
  push_string(L, "a\"b\\c/d\n\x01\x7f\xC3\xA9");
  EXPECT_EQ(encode(), "\"a\\\"b\\\\c/d\\n\\u0001\\u007f\xC3\xA9\"");
  json::EncodeOptions slash;
  slash.escape_slash = true;
  push_string(L, "a/b");
  EXPECT_EQ(encode(slash), "\"a\\/b\"");
  push_light_userdata(L, json_null_sentinel());
  EXPECT_EQ(encode(), "null");
  push_light_userdata(L, json_empty_array_sentinel());
  EXPECT_EQ(encode(), "[]");
  push_nil(L);
  EXPECT_EQ(encode(), "null");
  push_boolean(L, false);
  EXPECT_EQ(encode(), "false");
}

TEST_F(Json, EncodeErrors) {
  push_number(L, HUGE_VAL);
  EXPECT_EQ(encode(), "");
  EXPECT_EQ(error_, "Cannot serialise number: must not be NaN or Infinity");
  json::EncodeOptions o;
  o.invalid_numbers = json::InvalidNumbers::Null;
  push_number(L, NAN);
  EXPECT_EQ(encode(o), "null");
  o.invalid_numbers = json::InvalidNumbers::Allow;
  push_number(L, -HUGE_VAL);
  EXPECT_EQ(encode(o), "-Infinity");
  push_string(L, "bad \xFF byte");
  EXPECT_EQ(encode(), "");
  EXPECT_EQ(error_, "Cannot serialise string: invalid UTF-8");
  push_native(L, open_json);
  EXPECT_EQ(encode(), "");
  EXPECT_EQ(error_, "Cannot serialise function: type not supported");
  // a table that contains itself
  new_table(L);
  push_value(L, -1);
  raw_set_i(L, -2, 1);
  EXPECT_EQ(encode(), "");
  EXPECT_EQ(error_, "Cannot serialise table: circular reference");
  // a key of another type
  new_table(L);
  push_boolean(L, true);
  push_integer(L, 1);
  raw_set(L, -3);
  EXPECT_EQ(encode(), "");
  EXPECT_EQ(error_, "Cannot serialise boolean: table key must be a number or string");
}

TEST_F(Json, EncodeDepthLimit) {
  json::EncodeOptions o;
  o.max_depth = 3;
  EXPECT_EQ(round_trip("[[[1]]]", o), "[[[1]]]");
  EXPECT_EQ(round_trip("[[[[1]]]]", o), "");
  EXPECT_EQ(error_, "Cannot serialise, excessive nesting (4)");
}

TEST_F(Json, RoundTrips) {
  EXPECT_EQ(round_trip("{\"b\":[1,2.5,\"x\"],\"a\":{\"c\":null,\"d\":true}}"),
            "{\"a\":{\"c\":null,\"d\":true},\"b\":[1,2.5,\"x\"]}");
  EXPECT_EQ(round_trip("[]"), "{}");  // cjson: an empty table is an object
  EXPECT_EQ(round_trip("{\"1\":1}"), "{\"1\":1}");
  EXPECT_EQ(round_trip("[1e22, 1.5e-7, -0.0, 123456789012]"), "[1e+22,1.5e-07,-0,123456789012]");
  EXPECT_EQ(round_trip("\"\\u0000\\u001f\\b\\f\\t\""), "\"\\u0000\\u001f\\b\\f\\t\"");
}

TEST_F(Json, PrettyPrinting) {
  json::EncodeOptions o;
  o.indent = "  ";
  EXPECT_EQ(round_trip("{\"a\":[1,{}],\"b\":{\"c\":\"d\"}}", o),
            "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": {\n    \"c\": \"d\"\n  }\n}");
}

TEST_F(Json, SparseArrays) {
  new_table(L);
  push_string(L, "x");
  raw_set_i(L, -2, 3);
  EXPECT_EQ(encode(), "[null,null,\"x\"]");
  new_table(L);
  push_string(L, "x");
  raw_set_i(L, -2, 1000);
  EXPECT_EQ(encode(), "");
  EXPECT_EQ(error_, "Cannot serialise table: excessively sparse array");
  json::EncodeOptions o;
  o.sparse_convert = true;
  new_table(L);
  push_string(L, "x");
  raw_set_i(L, -2, 1000);
  EXPECT_EQ(encode(o), "{\"1000\":\"x\"}");
}

TEST_F(Json, ModuleFields) {
  get_field(L, module, "null");
  EXPECT_EQ(to_userdata(L, -1), json_null_sentinel());
  get_field(L, module, "empty_array");
  EXPECT_EQ(to_userdata(L, -1), json_empty_array_sentinel());
  get_field(L, module, "array_mt");
  EXPECT_TRUE(is_table(L, -1));
  get_field(L, module, "_NAME");
  EXPECT_EQ(to_sv(L, -1), "rua.json");
  pop(L, 4);
}

TEST_F(Json, SafeAndRaisingDecode) {
  decode("[1,");
  EXPECT_TRUE(is_nil(L, -2));
  EXPECT_EQ(to_sv(L, -1), "Expected value but found T_END at character 4");
  pop(L, 2);
  push_string(L, "[1,");
  EXPECT_NE(invoke("decode_or_error", 1, 1), kOk);
  EXPECT_EQ(to_sv(L, -1), "Expected value but found T_END at character 4");
  pop(L, 1);
  push_nil(L);
  ASSERT_EQ(invoke("decode", 1, 2), kOk);
  EXPECT_EQ(to_sv(L, -1), "bad argument #1 to 'decode' (string expected, got nil)");
  pop(L, 2);
}

TEST_F(Json, ConfigurationFunctions) {
  push_integer(L, 5);
  ASSERT_EQ(invoke("encode_max_depth", 1, 1), kOk);
  EXPECT_EQ(to_integer(L, -1), 5);
  pop(L, 1);
  push_integer(L, 0);
  ASSERT_NE(invoke("decode_max_depth", 1, 1), kOk);
  EXPECT_NE(std::string(to_string(L, -1)).find("expected integer between 1 and 10000"), std::string::npos);
  pop(L, 1);
  ASSERT_EQ(invoke("encode_sparse_array", 0, 3), kOk);
  EXPECT_FALSE(to_boolean(L, -3));
  EXPECT_EQ(to_integer(L, -2), 2);
  EXPECT_EQ(to_integer(L, -1), 10);
  pop(L, 3);
  push_string(L, "null");
  ASSERT_EQ(invoke("encode_invalid_numbers", 1, 1), kOk);
  EXPECT_EQ(to_sv(L, -1), "null");
  pop(L, 1);
}

}  // namespace
