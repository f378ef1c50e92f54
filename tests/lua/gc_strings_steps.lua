-- The string table resizes a few buckets at a time (growing and shrinking),
-- and collector steps stay bounded after large allocations (issue 5). The
-- checks are on results, which a bucket lost or read before it was moved
-- would change: interning (equal strings are one key), lookups of strings
-- made before, during and after a resize, and collection of dead strings.
-- Checked on PUC Lua 5.5.
local function full() collectgarbage(); collectgarbage() end

-- grow: many new short strings while older ones are looked up again
do
  local keep = {}
  for i = 1, 200000 do
    local s = "k" .. i
    keep[s] = i
    if i % 7 == 0 then  -- a string made earlier, made again: must be the same key
      local j = i // 2 + 1
      assert(keep["k" .. j] == j, j)
    end
  end
  local n = 0
  for k, v in pairs(keep) do
    n = n + 1
    assert(k == "k" .. v)
  end
  assert(n == 200000)
  -- shrink: most strings die; the table halves over the next cycles while
  -- the survivors are still found and new strings keep coming
  for i = 1, 200000 do
    if i % 10 ~= 0 then keep["k" .. i] = nil end
  end
  full()
  full()
  for round = 1, 3 do
    for i = 10, 200000, 10 do assert(keep["k" .. i] == i, i) end
    for i = 1, 5000 do
      local s = "new" .. round .. "_" .. i
      keep[s] = -i
    end
    full()
  end
  for round = 1, 3 do
    for i = 1, 5000 do assert(keep["new" .. round .. "_" .. i] == -i) end
  end
  local count = 0
  for _ in pairs(keep) do count = count + 1 end
  assert(count == 20000 + 15000)
end

-- a shrink while no new strings come: collector steps finish it, and every
-- string is still found
do
  local t = {}
  for i = 1, 100000 do t[i] = "s" .. i end
  t = nil
  full()
  local survivors = {}
  for i = 1, 100 do survivors[i] = "x" .. i end
  for i = 1, 50 do collectgarbage("step") end
  full()
  for i = 1, 100 do
    local again = "x" .. i
    assert(survivors[i] == again)
    local probe = {[again] = true}
    assert(probe[survivors[i]])
  end
end

-- a large allocation during a cycle (a big array) is repaid over several
-- steps: the cycle still completes, and memory comes back after the garbage
-- is dropped
do
  full()
  local base = collectgarbage("count")
  for round = 1, 5 do
    local big = table.create(1 << 20)
    for i = 1, 1 << 20 do big[i] = i end
    local small = {}
    for i = 1, 20000 do small[i] = {i} end
    big, small = nil, nil
  end
  full()
  assert(collectgarbage("count") < base + 1024, collectgarbage("count") - base)
end

-- weak table entries of strings made during a string-table resize stay
-- (strings are values), dead tables go
do
  local w = setmetatable({}, {__mode = "k"})
  local keys = {}
  for i = 1, 50000 do
    local s = "w" .. i
    w[s] = {}
    if i % 2 == 0 then keys[#keys + 1] = {} ; w[keys[#keys]] = i end
  end
  full()
  local strings, tables = 0, 0
  for k in pairs(w) do
    if type(k) == "string" then strings = strings + 1 else tables = tables + 1 end
  end
  assert(strings == 50000 and tables == 25000)
  keys = nil
  full()
  tables = 0
  for k in pairs(w) do if type(k) == "table" then tables = tables + 1 end end
  assert(tables == 0)
end

return "OK"
