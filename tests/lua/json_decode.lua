-- rua.json: decoding (a rua module: runs on rua, not on PUC's lua).
local json = require "rua.json"

local function decodes(text, expected_type)
  local v, err = json.decode(text)
  assert(err == nil, err)
  if expected_type then assert(math.type(v) == expected_type or type(v) == expected_type, text) end
  return v
end

local function fails(text, message, opts)
  local v, err = json.decode(text, opts)
  assert(v == nil, "decoded: " .. text)
  assert(err == message, string.format("%q: got %q", text, err))
  -- the raising variant raises the same message
  local ok, e = pcall(json.decode_or_error, text, opts)
  assert(not ok and e == message, e)
end

-- scalars
assert(decodes("true") == true and decodes("false") == false)
assert(decodes("null") == json.null)
assert(type(json.null) == "userdata")
assert(decodes('"abc"') == "abc")
assert(decodes(' \t\r\n 7 \n') == 7)

-- integers stay integers, floats are floats
assert(decodes("42", "integer") == 42)
assert(decodes("-42", "integer") == -42)
assert(decodes("0", "integer") == 0)
assert(decodes("-0", "integer") == 0)
assert(decodes("1.0", "float") == 1.0)
assert(decodes("1e2", "float") == 100.0)
assert(decodes("1E+2", "float") == 100.0)
assert(decodes("-2.5e-3", "float") == -0.0025)
assert(decodes("0.1", "float") == 0.1)
assert(decodes("9223372036854775807", "integer") == math.maxinteger)
assert(decodes("-9223372036854775808", "integer") == math.mininteger)
-- beyond int64: floats
assert(decodes("9223372036854775808", "float") == 2^63)
assert(decodes("-9223372036854775809", "float") == -2^63)
assert(decodes("123456789012345678901234567890", "float") == 1.2345678901234568e29)
assert(decodes("1e400") == math.huge)
assert(decodes("-1e400") == -math.huge)
assert(decodes("1e-400") == 0.0)
-- doubles read back exactly
for _, x in ipairs{0.1, 1 / 3, 2 ^ -1074, 1.7976931348623157e308, 123456.789, -5e-324} do
  assert(decodes(string.format("%.17g", x)) == x)
end

-- strings: escapes, \u with surrogate pairs to UTF-8
assert(decodes('"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t"') == 'a"b\\c/d\b\f\n\r\t')
assert(decodes('"\\u0041\\u00e9\\u20AC"') == "A\u{e9}\u{20ac}")
assert(decodes('"\\ud83d\\ude00"') == "\u{1F600}")
assert(decodes('"\\uDBFF\\uDFFF"') == "\u{10FFFF}")
assert(decodes('"\\u0000"') == "\0")
assert(decodes('"caf\u{e9} \u{65e5}\u{672c} \u{1F600}"') == "caf\u{e9} \u{65e5}\u{672c} \u{1F600}")
local long = string.rep("abcdefgh", 1000)
assert(decodes('"' .. long .. '"') == long)
assert(decodes('"' .. long .. '\\n' .. long .. '"') == long .. "\n" .. long)

-- containers
local t = decodes('[1, "two", [3], {"four": 4}, null, true]')
assert(#t == 6 and t[1] == 1 and t[2] == "two" and t[3][1] == 3 and t[4].four == 4)
assert(t[5] == json.null and t[6] == true)
assert(getmetatable(t) == nil)
t = decodes('{"a": {"b": {"c": [1, 2, {"d": null}]}}, "e": []}')
assert(t.a.b.c[3].d == json.null)
assert(next(t.e) == nil)
-- number-like keys stay strings (as in lua-cjson)
t = decodes('{"1": "one", "2.5": "x"}')
assert(t["1"] == "one" and t[1] == nil and t["2.5"] == "x")
-- the last of duplicate keys wins
assert(decodes('{"k": 1, "k": 2}').k == 2)
-- big containers (built in batches)
local parts = {}
for i = 1, 3000 do parts[i] = tostring(i) end
t = decodes("[" .. table.concat(parts, ",") .. "]")
assert(#t == 3000 and t[1] == 1 and t[3000] == 3000)
for i = 1, 3000 do parts[i] = string.format('"k%d": %d', i, i) end
t = decodes("{" .. table.concat(parts, ",") .. "}")
for i = 1, 3000 do assert(t["k" .. i] == i) end

-- errors: lua-cjson's messages, 1-based byte offsets
fails("", "Expected value but found T_END at character 1")
fails("   ", "Expected value but found T_END at character 4")
fails("[1,2", "Expected comma or array end but found T_END at character 5")
fails("[1,]", "Expected value but found T_ARR_END at character 4")
fails("[1 2]", "Expected comma or array end but found T_INTEGER at character 4")
fails("[1 2.5]", "Expected comma or array end but found T_NUMBER at character 4")
fails('{"a":1,}', "Expected object key string but found T_OBJ_END at character 8")
fails("{1:2}", "Expected object key string but found T_INTEGER at character 2")
fails('{"a" 1}', "Expected colon but found T_INTEGER at character 6")
fails('{"a":1 "b":2}', "Expected comma or object end but found T_STRING at character 8")
fails('{"a":1]', "Expected comma or object end but found T_ARR_END at character 7")
fails('[1}', "Expected comma or array end but found T_OBJ_END at character 3")
fails('[{]', "Expected object key string but found T_ARR_END at character 3")
fails("[1] x", "Expected the end but found invalid token at character 5")
fails("[1] [2]", "Expected the end but found T_ARR_BEGIN at character 5")
fails("1 2", "Expected the end but found T_INTEGER at character 3")
fails("tru", "Expected value but found invalid token at character 1")
fails("True", "Expected value but found invalid token at character 1")
fails('{"a": nul}', "Expected value but found invalid token at character 7")
fails("[1,:]", "Expected value but found T_COLON at character 4")
fails("[,", "Expected value but found T_COMMA at character 2")
fails('{"a":true false}', "Expected comma or object end but found T_BOOLEAN at character 11")
fails('[null null]', "Expected comma or array end but found T_NULL at character 7")
fails("'a'", "Expected value but found invalid token at character 1")
-- strings
fails('"abc', "Expected value but found unexpected end of string at character 5")
fails('["a\\qb"]', "Expected value but found invalid escape code at character 4")
fails('"\\', "Expected value but found invalid escape code at character 2")
fails('"\\ud800"', "Expected value but found invalid unicode escape code at character 2")
fails('"\\ud800\\u0041"', "Expected value but found invalid unicode escape code at character 2")
fails('"\\udc00"', "Expected value but found invalid unicode escape code at character 2")
fails('"ab\\u12g4"', "Expected value but found invalid unicode escape code at character 4")
fails('"\\u12"', "Expected value but found invalid unicode escape code at character 2")
fails('{"k\\x":1}', "Expected object key string but found invalid escape code at character 4")
-- RFC 8259: control characters must be escaped; UTF-8 must be well formed
fails('"a\tb"', "Expected value but found unescaped control character at character 3")
fails('"a\nb"', "Expected value but found unescaped control character at character 3")
fails('"a\0b"', "Expected value but found unescaped control character at character 3")
fails('"a\xC3("', "Expected value but found invalid UTF-8 at character 3")
fails('"\xFF"', "Expected value but found invalid UTF-8 at character 2")
fails('"\xC0\xAF"', "Expected value but found invalid UTF-8 at character 2")  -- overlong '/'
fails('"\xED\xA0\x80"', "Expected value but found invalid UTF-8 at character 2")  -- a surrogate
fails('"\xF4\x90\x80\x80"', "Expected value but found invalid UTF-8 at character 2")  -- > U+10FFFF
fails('["ok", "' .. string.rep("x", 20) .. '\x80"]', "Expected value but found invalid UTF-8 at character 29")
fails('{"\xE2\x82":1}', "Expected object key string but found invalid UTF-8 at character 3")
fails("\xEF\xBB\xBF[]", "Expected value but found invalid token at character 1")  -- no BOM
fails("[1]\0", "Expected the end but found invalid token at character 4")
fails("\0[1]", "JSON parser does not support UTF-16 or UTF-32")
fails("[\0", "JSON parser does not support UTF-16 or UTF-32")
-- RFC 8259 numbers
fails("01", "Expected value but found invalid number at character 1")
fails("-01", "Expected value but found invalid number at character 1")
fails("1.", "Expected value but found invalid number at character 1")
fails("1.e5", "Expected value but found invalid number at character 1")
fails("[.5]", "Expected value but found invalid token at character 2")
fails("-", "Expected value but found invalid number at character 1")
fails("1e", "Expected value but found invalid number at character 1")
fails("1e+", "Expected value but found invalid number at character 1")
fails("+1", "Expected value but found invalid token at character 1")
fails("NaN", "Expected value but found invalid token at character 1")
fails("nan", "Expected value but found invalid token at character 1")
fails("Infinity", "Expected value but found invalid token at character 1")
fails("-Infinity", "Expected value but found invalid number at character 1")
fails("[0x10]", "Expected comma or array end but found invalid token at character 3")
-- nesting
local deep = string.rep("[", 1000) .. string.rep("]", 1000)
assert(decodes(deep))
fails(string.rep("[", 1001) .. string.rep("]", 1001),
      "Found too many nested data structures (1001) at character 1001")
fails(' {"a":' .. string.rep("[", 1000), "Found too many nested data structures (1001) at character 1006")

-- the argument: strings and numbers, anything else returned as an error
assert(json.decode(12) == 12)
local v, err = json.decode(nil)
assert(v == nil and err == "bad argument #1 to 'decode' (string expected, got nil)")
v, err = json.decode({})
assert(v == nil and err == "bad argument #1 to 'decode' (string expected, got table)")
v, err = json.decode()
assert(v == nil and err == "bad argument #1 to 'decode' (string expected, got no value)")

-- per-call options
v = json.decode("[NaN, -Infinity, Infinity, +1, 0x10, 01, 1.]", {invalid_numbers = true})
assert(v[1] ~= v[1] and v[2] == -math.huge and v[3] == math.huge)
assert(v[4] == 1 and v[5] == 16 and v[6] == 1 and v[7] == 1.0)
fails("[1, nan]", "Expected value but found invalid token at character 5")
v = json.decode("/* c */ [1, // line\n 2 /**/] // end", {allow_comments = true})
assert(v[1] == 1 and v[2] == 2)
fails("[1 /* open", "Expected comma or array end but found unclosed multi-line comment at character 11",
      {allow_comments = true})
fails("// x\n1", "Expected value but found invalid token at character 1")
assert(json.decode("[[1]]", {max_depth = 2}))
fails("[[[1]]]", "Found too many nested data structures (3) at character 3", {max_depth = 2})
v = json.decode('{"a": [1, [2]], "b": {}}', {array_mt = true})
assert(getmetatable(v) == nil and getmetatable(v.a) == json.array_mt and getmetatable(v.a[2]) == json.array_mt)
assert(getmetatable(v.b) == nil)
assert(getmetatable(json.decode("[]", {array_mt = true})) == json.array_mt)
-- bad options raise
local function bad_opts(opts, message)
  local ok, e = pcall(json.decode, "1", opts)
  assert(not ok and e:find(message, 1, true), e)
end
bad_opts({max_depth = 0}, "(option 'max_depth' must be an integer between 1 and 10000)")
bad_opts({max_depth = 1.5}, "(option 'max_depth' must be an integer between 1 and 10000)")
bad_opts({array_mt = 1}, "(option 'array_mt' must be a boolean)")
bad_opts({arraymt = true}, "(unknown option 'arraymt')")
bad_opts({true}, "(option names must be strings)")
bad_opts("x", "table expected, got string")

-- module-wide settings (lua-cjson's functions); json.new() has its own
local j = json.new()
assert(j ~= json and j.null == json.null and j.array_mt == json.array_mt)
assert(j.decode_max_depth() == 1000)
assert(j.decode_max_depth(2) == 2)
assert(j.decode("[[[1]]]") == nil and json.decode("[[[1]]]"))
assert(j.decode_invalid_numbers() == false)
assert(j.decode_invalid_numbers(true) == true)
assert(j.decode("NaN") ~= j.decode("NaN"))
assert(j.decode_invalid_numbers("off") == false)
assert(j.decode_array_with_array_mt(true) == true)
assert(getmetatable(j.decode("[1]")) == json.array_mt)
assert(getmetatable(json.decode("[1]")) == nil)
assert(j.decode_allow_comment(true) == true and j.decode("1 // one") == 1)
-- per-call options override the module's
assert(getmetatable(j.decode("[1]", {array_mt = false})) == nil)
local ok, e = pcall(j.decode_max_depth, 0)
assert(not ok and e:find("expected integer between 1 and 10000", 1, true), e)
ok, e = pcall(j.decode_max_depth, 1, 2)
assert(not ok and e:find("found too many arguments", 1, true), e)
ok, e = pcall(j.decode_invalid_numbers, "maybe")
assert(not ok and e:find("invalid option 'maybe'", 1, true), e)

return "OK"
