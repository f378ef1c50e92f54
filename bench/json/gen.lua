-- Writes the benchmark documents: gen.lua OUTDIR
--   small.json  (~1 KB): one API response object
--   medium.json (~100 KB): a page of records
--   large.json  (~5 MB): many records and a numeric series
-- Deterministic (a fixed linear congruential generator), so every run and
-- every interpreter sees the same bytes. Plain Lua 5.4/5.5, no JSON library.
local outdir = assert(arg[1], "usage: gen.lua OUTDIR")

local seed = 12345
local function rand(n)  -- 1..n
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % n + 1
end

local words = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
               "india", "juliett", "kilo", "lima", "mike", "november", "oscar", "papa",
               "caf\u{e9}", "na\u{ef}ve", "\u{65e5}\u{672c}", "emoji \u{1F600}",
               "tab\\there", "quote \\\"q\\\"", "path/to/file", "line\\nbreak"}

local function text(n)
  local t = {}
  for i = 1, n do t[i] = words[rand(#words)] end
  return '"' .. table.concat(t, " ") .. '"'
end

local function float()
  return string.format("%.6f", rand(2000000) / 1000 - 1000)
end

local function record(id)
  local tags = {}
  for i = 1, rand(4) do tags[i] = text(1) end
  return string.format(
    '{"id":%d,"uuid":"%08x-%04x-%04x","name":%s,"email":"user%d@example.com",' ..
    '"active":%s,"score":%s,"balance":%s,"age":%d,"tags":[%s],' ..
    '"address":{"street":%s,"city":%s,"zip":"%05d","geo":{"lat":%s,"lng":%s}},' ..
    '"bio":%s,"parent":null}',
    id, rand(0x7fffffff), rand(0xffff), rand(0xffff), text(2), id,
    rand(2) == 1 and "true" or "false", float(), float(), rand(90),
    table.concat(tags, ","), text(3), text(1), rand(99999), float(), float(), text(rand(12)))
end

local function records(n, first)
  local t = {}
  for i = 1, n do t[i] = record(first + i) end
  return "[" .. table.concat(t, ",") .. "]"
end

local function series(n)
  local t = {}
  for i = 1, n do t[i] = i % 3 == 0 and tostring(rand(1000000)) or float() end
  return "[" .. table.concat(t, ",") .. "]"
end

local function write(name, s)
  local f = assert(io.open(outdir .. "/" .. name, "wb"))
  f:write(s)
  f:close()
end

write("small.json", string.format('{"status":"ok","page":1,"total":3,"items":%s}', records(3, 0)))
write("medium.json", string.format('{"status":"ok","page":1,"total":250,"items":%s}', records(250, 100)))
write("large.json", string.format('{"status":"ok","items":%s,"series":%s}', records(9000, 1000), series(250000)))
