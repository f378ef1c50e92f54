-- The lexer (issue 3): escapes, long strings, numerals, and syntax errors
-- worded as PUC Lua words them. Checked on PUC Lua 5.5.
global <const> *

-- escapes
assert("\a\b\f\n\r\t\v\\\"\'" == string.char(7, 8, 12, 10, 13, 9, 11, 92, 34, 39))
assert("\x41\x62\x7A" == "Abz")
assert("\65\066\0067" == "AB\0067" and #"\0" == 1)
assert("\u{41}\u{7FF}\u{FFFF}" == "A\xDF\xBF\xEF\xBF\xBF")
assert("\u{7FFFFFFF}" == "\xFD\xBF\xBF\xBF\xBF\xBF")
assert("a\z
        b" == "ab")
assert("line\
break" == "line\nbreak")

-- long strings and comments with levels
assert([[
first newline skipped]] == "first newline skipped")
assert([==[a]]b]=]c]==] == "a]]b]=]c")
--[==[ a long
comment ]] still inside ]==]
assert(#[[

]] == 1)

-- numerals
assert(0x10 == 16 and 0xA.8p1 == 21.0 and 0x.1p4 == 1.0)
assert(1e2 == 100.0 and math.type(1e2) == "float" and .5 == 0.5 and 3. == 3.0)
assert(9223372036854775807 == math.maxinteger)
assert(math.type(9223372036854775808) == "float")      -- decimal overflow: a float
assert(0xffffffffffffffff == -1)                       -- hex wraps around
assert(math.type(0x7fffffffffffffff) == "integer")

-- errors: message, line and the token near it
local function err(src) return select(2, load(src, "=src")) end
assert(err("x = = 1") == "src:1: unexpected symbol near '='")
assert(err("x = 'abc") == "src:1: unfinished string near <eof>")
assert(err("x = 'a\\qb'") == "src:1: invalid escape sequence near ''a\\q'")
assert(err("x = '\\300'") == "src:1: decimal escape too large near ''\\300''")
assert(err("x = '\\xZZ'") == "src:1: hexadecimal digit expected near ''\\xZ'")
assert(err("x = '\\u{110000000}'") == "src:1: UTF-8 value too large near ''\\u{110000000'")
assert(err("x = [==[ abc") == "src:1: unfinished long string (starting at line 1) near <eof>")
assert(err("--[[ open\n\n") == "src:3: unfinished long comment (starting at line 1) near <eof>")
assert(err("x = 3x") == "src:1: malformed number near '3x'")
assert(err("x = 0x") == "src:1: malformed number near '0x'")
assert(err("x = [=a") == "src:1: invalid long string delimiter near '[='")
assert(err("a\1a = 1") == "src:1: syntax error near '<\\1>'")
assert(err("\n\nx = }") == "src:3: unexpected symbol near '}'")
assert(err("f(") == "src:1: unexpected symbol near <eof>")
assert(err("if x then\n\n") == "src:3: 'end' expected (to close 'if' at line 1) near <eof>")
assert(err("x = (1\n+ 2") == "src:2: ')' expected (to close '(' at line 1) near <eof>")
assert(err("for i = 1 do end") == "src:1: ',' expected near 'do'")
assert(err("break") == "src:1: break outside loop near 'break'")
assert(err("return return") == "src:1: unexpected symbol near 'return'")
assert(err("local function f(a, 1) end") == "src:1: <name> or '...' expected near '1'")
assert(err("x = ...") == nil)                         -- the main chunk is vararg
assert(err("function f() return ... end") == "src:1: cannot use '...' outside a vararg function near '...'")

-- chunk names in messages
assert(select(2, load("x = = 1")):find('^%[string "x = = 1"%]:1:'))
assert(select(2, load("x = = 1", "@file.lua")):find("^file.lua:1:"))
return "OK"
