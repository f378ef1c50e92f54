-- string_format: string.format as logs, reports and protocols use it: %d and %s with widths
-- and flags, %x/%X/%o, fixed and general floats (%.2f, %10.3f, %g, %e), %q of strings,
-- %c and %%, one to eight arguments per call.
-- usage: lua string_format.lua [N]   (N rounds of 10 calls)
local n = tonumber(arg and arg[1]) or 130000
local format, byte = string.format, string.byte

local methods = { "GET", "POST", "PUT", "DELETE" }
local paths = { "/", "/api/users", "/api/users/42/orders", "/static/app.js", "/login?next=%2F" }

local check = 0
local function take(s)  -- fold the length and two bytes of each result into the checksum
  check = (check * 31 + #s + byte(s, 1) + byte(s, #s)) % 1000000007
end

for i = 1, n do
  local status = 200 + (i % 5) * 100 + i % 4
  local ms = (i % 997) / 7
  local m, p = methods[i % 4 + 1], paths[i % 5 + 1]
  take(format("%s %s %d %.3fms", m, p, status, ms))
  take(format("[%5d] %-8s|%8s|", i % 100000, m, "x" .. i % 10))
  take(format("%08x %X %o", i * 2654435761 % 4294967296, i, i % 4096))
  take(format("%10.3f %-10.2f %.0f", ms * 1000, -ms, ms))
  take(format("%g %g %e", ms, i / 3, i * 1.5))
  take(format("id=%d name=%s email=%s age=%d score=%.1f active=%s", i, "user" .. i,
    "u" .. i .. "@example.com", 18 + i % 60, ms, tostring(i % 2 == 0)))
  take(format("%q", "line " .. i .. "\n\t\"quoted\" \\ end"))
  take(format("%c%c%c %d%%", 65 + i % 26, 97 + i % 26, 48 + i % 10, i % 101))
  take(format("%s", i))
  take(format("%5.1f%% of %d", (i % 1000) / 10, n))
end
print(format("string_format %d %d", n, check))
