-- rua.json: encoding (a rua module: runs on rua, not on PUC's lua).
local json = require "rua.json"
local encode = json.encode

local function fails(value, message, opts)
  local ok, e = pcall(encode, value, opts)
  assert(not ok, "encoded")
  assert(e == message, string.format("got %q", e))
end

-- scalars
assert(encode(nil) == "null")
assert(encode(true) == "true" and encode(false) == "false")
assert(encode(json.null) == "null")
assert(encode(json.empty_array) == "[]")
assert(encode("") == '""')

-- integers stay integers; floats in the shortest form that reads back exactly
assert(encode(0) == "0" and encode(-7) == "-7")
assert(encode(math.maxinteger) == "9223372036854775807")
assert(encode(math.mininteger) == "-9223372036854775808")
assert(encode(0.1) == "0.1")
assert(encode(1 / 3) == "0.3333333333333333")
assert(encode(2.5) == "2.5")
assert(encode(5.0) == "5")  -- as lua-cjson: an integral float has no ".0"
assert(encode(-0.0) == "-0")
assert(encode(1e300) == "1e+300")
assert(encode(1e22) == "1e+22")
assert(encode(1.5e-7) == "1.5e-07")
assert(encode(2 ^ 63) == "9223372036854775808")
assert(encode(123456789.125) == "123456789.125")
for _, x in ipairs{0.1, 1 / 3, 2 ^ -1074, 1.7976931348623157e308, math.pi, -1e-300, 1e21, 123e45} do
  local s = encode(x)
  assert(json.decode(s) == x, s)
  assert(#s <= #string.format("%.17g", x))
end

-- NaN and infinities: an error, or written as JavaScript does, or as null
fails(math.huge, "Cannot serialise number: must not be NaN or Infinity")
fails(-math.huge, "Cannot serialise number: must not be NaN or Infinity")
fails(0 / 0, "Cannot serialise number: must not be NaN or Infinity")
fails({1, {x = math.huge}}, "Cannot serialise number: must not be NaN or Infinity")
assert(encode({math.huge, -math.huge, 0 / 0}, {invalid_numbers = true}) == "[Infinity,-Infinity,NaN]")
assert(encode({math.huge, 0 / 0}, {invalid_numbers = "null"}) == "[null,null]")

-- strings: escapes; '/' is not escaped unless asked; UTF-8 passes as is
assert(encode('a"b\\c') == [["a\"b\\c"]])
assert(encode("\b\f\n\r\t") == [["\b\f\n\r\t"]])
assert(encode("\0\1\31\127") == [["\u0000\u0001\u001f\u007f"]])
assert(encode("http://x/y") == '"http://x/y"')
assert(encode("http://x/y", {escape_slash = true}) == [["http:\/\/x\/y"]])
assert(encode("caf\u{e9} \u{1F600}") == '"caf\u{e9} \u{1F600}"')
local long = string.rep("abcdefg\n", 1000)
assert(encode(long) == '"' .. string.rep("abcdefg\\n", 1000) .. '"')
-- invalid UTF-8 is an error, so the output is always valid JSON
fails("\xFF", "Cannot serialise string: invalid UTF-8")
fails("abc\xC3", "Cannot serialise string: invalid UTF-8")
fails("\xED\xA0\x80", "Cannot serialise string: invalid UTF-8")
fails({k = "\xC0\xAF"}, "Cannot serialise string: invalid UTF-8")
fails({["\x80"] = 1}, "Cannot serialise string: invalid UTF-8")

-- tables with only keys 1..n are arrays, other tables objects
assert(encode({1, 2, 3}) == "[1,2,3]")
assert(encode({"a", {true, false}, {}}) == '["a",[true,false],{}]')
assert(encode({x = 1}) == '{"x":1}')
assert(encode({[1] = "a", [2] = "b"}) == '["a","b"]')
local mixed = encode({1, 2, x = 3})
assert(mixed == '{"1":1,"2":2,"x":3}' or mixed:sub(1, 1) == "{" and #mixed == #'{"1":1,"2":2,"x":3}')
assert(encode({[0] = "z"}) == '{"0":"z"}')
assert(encode({[-1] = "m"}) == '{"-1":"m"}')
assert(encode({[1.5] = "f"}) == '{"1.5":"f"}')
assert(encode({[2 ^ 70] = 1}) == '{"1180591620717411303424":1}')  -- float key, read back exactly
local big = {}
for i = 1, 5000 do big[i] = i end
assert(json.decode(encode(big))[5000] == 5000)
-- an empty table is an object, unless configured or marked
assert(encode({}) == "{}")
assert(encode({}, {empty_table_as_object = false}) == "[]")
assert(encode({a = {}}, {empty_table_as_object = false}) == '{"a":[]}')
assert(encode(setmetatable({}, json.empty_array_mt)) == "[]")
assert(encode(setmetatable({1, 2}, json.empty_array_mt)) == "[1,2]")
assert(encode({list = json.empty_array}) == '{"list":[]}')
-- json.array_mt: an array of length #t, whatever other keys it has
assert(encode(setmetatable({}, json.array_mt)) == "[]")
assert(encode(setmetatable({"one", "two", foo = "bar"}, json.array_mt)) == '["one","two"]')
-- a __len metamethod makes an array too, read through __index
local proxy = setmetatable({}, {__len = function() return 3 end, __index = function(_, i) return i * 10 end})
assert(encode(proxy) == "[10,20,30]")
-- other metatables are ignored
assert(encode(setmetatable({a = 1}, {__index = {b = 2}})) == '{"a":1}')
assert(encode(setmetatable({}, {__tostring = function() return "x" end})) == "{}")

-- sparse arrays: holes are null, excessively sparse ones an error (or objects)
assert(encode({[3] = "x"}) == '[null,null,"x"]')
assert(encode({1, nil, 3}) == "[1,null,3]")
assert(encode({[10] = 1}) == "[null,null,null,null,null,null,null,null,null,1]")  -- safe up to 10
fails({[11] = 1}, "Cannot serialise table: excessively sparse array")
fails({[1000] = "x"}, "Cannot serialise table: excessively sparse array")
assert(encode({[1] = 1, [2] = 2, [3] = 3, [4] = 4, [5] = 5, [6] = 6, [12] = 12}) ==
       "[1,2,3,4,5,6,null,null,null,null,null,12]")  -- 12 <= 7 * 2
assert(encode({[1000] = "x"}, {sparse_convert = true}) == '{"1000":"x"}')
assert(#encode({[1000] = "x"}, {sparse_ratio = 0}) == 1 + 5 * 999 + 3 + 1)  -- [, null x 999, "x", ]
assert(encode({[20] = 1}, {sparse_safe = 20}):sub(1, 5) == "[null")

-- keys of other types are errors
fails({[true] = 1}, "Cannot serialise boolean: table key must be a number or string")
fails({[{}] = 1}, "Cannot serialise table: table key must be a number or string")
fails({[print] = 1}, "Cannot serialise function: table key must be a number or string")
-- values of other types are errors, or left out with skip_unsupported
fails(print, "Cannot serialise function: type not supported")
fails({f = print}, "Cannot serialise function: type not supported")
fails(coroutine.create(print), "Cannot serialise thread: type not supported")
fails(io.stdout, "Cannot serialise userdata: type not supported")
assert(encode({1, print, 3}, {skip_unsupported = true}) == "[1,3]")
assert(encode({print}, {skip_unsupported = true}) == "[]")
assert(encode({a = 1, f = print}, {skip_unsupported = true}) == '{"a":1}')
assert(encode({f = print}, {skip_unsupported = true}) == "{}")
assert(encode(print, {skip_unsupported = true}) == "")

-- cycles and nesting
local cyc = {}
cyc[1] = cyc
fails(cyc, "Cannot serialise table: circular reference")
cyc = {a = {b = {}}}
cyc.a.b.c = cyc.a
fails(cyc, "Cannot serialise table: circular reference")
local shared = {1}
assert(encode({shared, shared, {x = shared}}) == '[[1],[1],{"x":[1]}]')  -- not a cycle
local deep = {}
local cur = deep
for _ = 2, 1000 do cur[1] = {}; cur = cur[1] end
assert(#encode(deep) == 2000)
cur[1] = {}
fails(deep, "Cannot serialise, excessive nesting (1001)")
assert(encode({{{}}}, {max_depth = 3}) == "[[{}]]")
fails({{{{}}}}, "Cannot serialise, excessive nesting (4)", {max_depth = 3})

-- sorted keys: byte order of the key text, numbers included
assert(encode({b = 1, a = 2, c = {z = 1, y = 2}}, {sort_keys = true}) == '{"a":2,"b":1,"c":{"y":2,"z":1}}')
assert(encode({x = 1, [10] = 2, [9] = 3}, {sort_keys = true}) == '{"10":2,"9":3,"x":1}')
local keys = {}
for i = 1, 200 do keys["k" .. i] = i end
local a, b = encode(keys, {sort_keys = true}), encode(keys, {sort_keys = true})
assert(a == b and a:find('^{"k1":1,"k10":10,"k100":100,"k101":101,'))

-- pretty printing
assert(encode({a = {1, {}}, b = {c = "d"}}, {indent = "  ", sort_keys = true}) ==
       '{\n  "a": [\n    1,\n    {}\n  ],\n  "b": {\n    "c": "d"\n  }\n}')
assert(encode({1, {2}}, {indent = 1}) == "[\n 1,\n [\n  2\n ]\n]")
assert(encode({x = json.empty_array}, {indent = "\t"}) == '{\n\t"x": []\n}')
assert(encode({}, {indent = "  "}) == "{}")
assert(encode("s", {indent = "  "}) == '"s"')

-- numbers with a fixed precision (lua-cjson's "%.14g")
assert(encode(1 / 3, {number_precision = 14}) == "0.33333333333333")
assert(encode(123456.789, {number_precision = 3}) == "1.23e+05")
assert(encode(7, {number_precision = 3}) == "7")

-- bad arguments
local ok, e = pcall(encode)
assert(not ok and e:find("bad argument #1", 1, true), e)
local function bad_opts(opts, message)
  ok, e = pcall(encode, 1, opts)
  assert(not ok and e:find(message, 1, true), e)
end
bad_opts({indent = true}, "(option 'indent' must be an integer between 0 and 64)")
bad_opts({sort_keys = "yes"}, "(option 'sort_keys' must be a boolean)")
bad_opts({invalid_numbers = "nil"}, [[(option 'invalid_numbers' must be a boolean or "null")]])
bad_opts({number_precision = 18}, "(option 'number_precision' must be an integer between 0 and 17)")
bad_opts({sparse_ratio = -1}, "(option 'sparse_ratio' must be an integer between 0 and 2147483647)")
bad_opts({sortkeys = true}, "(unknown option 'sortkeys')")
bad_opts(1, "table expected, got number")

-- module-wide settings (lua-cjson's functions); json.new() has its own
local j = json.new()
assert(select("#", j.encode_sparse_array()) == 3)
local convert, ratio, safe = j.encode_sparse_array()
assert(convert == false and ratio == 2 and safe == 10)
convert, ratio, safe = j.encode_sparse_array(true, 3, nil)
assert(convert == true and ratio == 3 and safe == 10)
assert(j.encode({[1000] = 1}) == '{"1000":1}')
fails({[1000] = 1}, "Cannot serialise table: excessively sparse array")  -- json itself is unchanged
assert(j.encode_max_depth() == 1000 and j.encode_max_depth(2) == 2)
assert(not pcall(j.encode, {{{}}}) and j.encode({{}}) == "[{}]")
assert(j.encode_number_precision() == 0 and j.encode_number_precision(5) == 5)
assert(j.encode(1 / 3) == "0.33333")
assert(j.encode_number_precision(0) == 0 and j.encode(1 / 3) == "0.3333333333333333")
assert(j.encode_invalid_numbers() == false)
assert(j.encode_invalid_numbers("null") == "null" and j.encode(0 / 0) == "null")
assert(j.encode_invalid_numbers(true) == true and j.encode(math.huge) == "Infinity")
assert(j.encode_invalid_numbers("off") == false)
assert(j.encode_empty_table_as_object() == true)
assert(j.encode_empty_table_as_object("off") == false and j.encode({}) == "[]")
assert(j.encode_escape_forward_slash() == false)
assert(j.encode_escape_forward_slash(true) == true and j.encode("/") == [["\/"]])
assert(j.encode_skip_unsupported_value_types(true) == true and j.encode({print}) == "[]")
assert(j.encode_sort_keys(true) == true and j.encode({b = 1, a = 1}) == '{"a":1,"b":1}')
assert(j.encode_indent() == "" and j.encode_indent("  ") == "  ")
assert(j.encode({1}) == "[\n  1\n]")
assert(j.encode({1}, {indent = ""}) == "[1]")  -- per-call options override
assert(j.encode_indent("") == "" and j.encode({1}) == "[1]")
ok, e = pcall(j.encode_max_depth, 10001)
assert(not ok and e:find("expected integer between 1 and 10000", 1, true), e)
ok, e = pcall(j.encode_sparse_array, 1)
assert(not ok and e:find("invalid option", 1, true) or e:find("string expected", 1, true), e)
assert(json._NAME == "rua.json" and type(json._VERSION) == "string")

return "OK"
