-- bench.lua MODULE DOCDIR [SECONDS]: encode/decode throughput of a JSON
-- module (rua.json on rua, cjson on lua5.4) over DOCDIR/{small,medium,large}.json.
-- Prints one line per measurement: "<op> <doc> <MB/s> <size>", MB/s counted
-- over the size of the input document for both operations, best of 3 rounds.
local json = require(arg[1])
local dir = assert(arg[2], "usage: bench.lua MODULE DOCDIR [SECONDS]")
local budget = tonumber(arg[3]) or 1.0
local clock = os.clock

-- Seconds per call of f, best of 3 rounds of budget/3 seconds each.
local function per_call(f)
  f()  -- warm up
  local best = math.huge
  for _ = 1, 3 do
    local reps, t0, dt = 0, clock(), 0
    repeat
      for _ = 1, 4 do f() end
      reps = reps + 4
      dt = clock() - t0
    until dt >= budget / 3
    best = math.min(best, dt / reps)
  end
  return best
end

for _, name in ipairs{"small", "medium", "large"} do
  local f = assert(io.open(dir .. "/" .. name .. ".json", "rb"))
  local text = f:read("a")
  f:close()
  local value = json.decode(text)
  assert(type(value) == "table", "decode failed")
  local mb = #text / 1e6
  collectgarbage()
  print(string.format("decode %s %.1f %d", name, mb / per_call(function() return json.decode(text) end), #text))
  collectgarbage()
  print(string.format("encode %s %.1f %d", name, mb / per_call(function() return json.encode(value) end), #text))
end
