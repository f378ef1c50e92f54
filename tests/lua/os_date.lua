-- os.date, os.time, os.difftime, os.clock

local function check_error(msg, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error: " .. msg)
  assert(string.find(err, msg, 1, true), "got: " .. tostring(err))
end

local T = 1700000000   -- 2023-11-14 22:13:20 UTC, a Tuesday

-- UTC formatting ("!") is independent of the time zone
assert(os.date("!%Y-%m-%d %H:%M:%S", T) == "2023-11-14 22:13:20")
assert(os.date("!%y %j %w %u", T) == "23 318 2 2")
assert(os.date("!%a %A %b %B", T) == "Tue Tuesday Nov November")
assert(os.date("!%D|%F|%R|%T", T) == "11/14/23|2023-11-14|22:13|22:13:20")
assert(os.date("!%e|%C|%g|%G|%V|%U|%W", T) == "14|20|23|2023|46|46|46")
assert(os.date("!%I %p", T) == "10 PM")
assert(os.date("!%n%t%%", T) == "\n\t%")
assert(os.date("!%c", T) == "Tue Nov 14 22:13:20 2023")
assert(os.date("!%x %X", T) == "11/14/23 22:13:20")
assert(os.date("!%h", T) == "Nov")
assert(os.date("!%r", T) == "10:13:20 PM")
assert(os.date("!no conversions", T) == "no conversions")
assert(os.date("!", T) == "")
assert(os.date("!a\0b%Y", T) == "a\0b2023")   -- embedded zeros are copied
-- the E and O modifiers of C99
assert(os.date("!%Ey|%EY|%Od|%Oe|%OH|%OI|%Om|%OM|%OS", T) == "23|2023|14|14|22|10|11|13|20")
assert(os.date("!%Ou|%OU|%OV|%Ow|%OW|%Oy", T) == "2|46|46|2|46|23")
assert(os.date("!%Ec", T) == os.date("!%c", T))
assert(os.date("!%EC", T) == "20" and os.date("!%Ex", T) == os.date("!%x", T))
assert(os.date("!%EX", T) == os.date("!%X", T))
assert(type(os.date("!%z %Z", T)) == "string")
assert(type(os.date()) == "string" and type(os.date("%c")) == "string")

-- invalid conversions
check_error("bad argument #1 to 'os.date' (invalid conversion specifier '%Ez')", os.date, "%Ez")
check_error("invalid conversion specifier '%'", os.date, "abc%")
check_error("invalid conversion specifier '%Q'", os.date, "%Q")
check_error("invalid conversion specifier '%E'", os.date, "%E")
check_error("invalid conversion specifier '%O'", os.date, "%O")
check_error("invalid conversion specifier '%Oz rest'", os.date, "%Oz rest")
check_error("invalid conversion specifier '%#c'", os.date, "%#c")
check_error("number has no integer representation", os.date, "%Y", 1.5)
check_error("bad argument #2 to 'os.date' (number expected, got string)", os.date, "%Y", "x")

-- "*t": a table with all fields
local t = os.date("!*t", T)
assert(t.year == 2023 and t.month == 11 and t.day == 14)
assert(t.hour == 22 and t.min == 13 and t.sec == 20)
assert(t.wday == 3 and t.yday == 318 and t.isdst == false)
local lt = os.date("*t", T)
assert(type(lt.isdst) == "boolean" and lt.year >= 2023)

-- os.time with a table (local time) round-trips through os.date
assert(os.time(os.date("*t", T)) == T)
assert(math.type(os.time()) == "integer")
local now = os.time()
assert(os.time(os.date("*t", now)) == now)

-- defaults: hour 12, min 0, sec 0
local noon = os.time{year = 2020, month = 2, day = 29}
local d = os.date("*t", noon)
assert(d.hour == 12 and d.min == 0 and d.sec == 0 and d.day == 29 and d.month == 2)

-- fields are normalised and written back to the table
local tab = {year = 2021, month = 14, day = 35, hour = 25, min = 61, sec = -1}
local t2 = os.time(tab)
assert(tab.year == 2022 and tab.month == 3 and tab.day == 8)
assert(tab.hour == 2 and tab.min == 0 and tab.sec == 59)
assert(tab.yday and tab.wday and os.time(tab) == t2)
assert(os.time{year = 2000, month = 1, day = 1, hour = 0, sec = 86400} ==
       os.time{year = 2000, month = 1, day = 2, hour = 0})
-- string and float fields with integral values are accepted
assert(os.time{year = "2000", month = 1.0, day = 1} == os.time{year = 2000, month = 1, day = 1})

-- errors
check_error("field 'day' missing in date table", os.time, {year = 2000, month = 1})
check_error("field 'month' missing in date table", os.time, {year = 2000, day = 1})
check_error("field 'year' missing in date table", os.time, {})
check_error("field 'day' is not an integer", os.time, {year = 2000, month = 1, day = 1.5})
check_error("field 'hour' is not an integer", os.time, {year = 2000, month = 1, day = 1, hour = "x"})
check_error("field 'year' is out-of-bound", os.time, {year = 1 << 40, month = 1, day = 1})
check_error("field 'year' is out-of-bound", os.time, {year = -(1 << 31) + 1899, month = 1, day = 1})
check_error("field 'month' is out-of-bound", os.time, {year = 2000, month = math.mininteger, day = 1})
check_error("bad argument #1 to 'os.time' (table expected, got number)", os.time, 3)

-- difftime
assert(os.difftime(T, T - 60) == 60.0 and math.type(os.difftime(1, 2)) == "float")
check_error("bad argument #2 to 'os.difftime' (number expected, got no value)", os.difftime, 1)

-- clock
local c = os.clock()
assert(math.type(c) == "float" and c >= 0)
local x = 0
for i = 1, 1e5 do x = x + i end
assert(os.clock() >= c)

return "OK"
