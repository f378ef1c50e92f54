-- The collector's semantics (issue 5): weak tables, ephemerons, finalizer
-- order and resurrection, errors in finalizers, and the 'collectgarbage'
-- options of 5.5. Checked on PUC Lua 5.5.
local function full() collectgarbage(); collectgarbage() end

-- weak values: collected objects disappear, strings and numbers stay
do
  local t = setmetatable({}, {__mode = "v"})
  t[1] = {}
  t[2] = "a string is a value"
  t[3] = 42
  local keep = {}
  t[4] = keep
  full()
  assert(t[1] == nil and t[2] == "a string is a value" and t[3] == 42 and t[4] == keep)
end

-- weak keys
do
  local t = setmetatable({}, {__mode = "k"})
  local k1, k2 = {}, {}
  t[k1] = 1
  t[k2] = 2
  t[{}] = 3
  k2 = nil
  full()
  local n = 0
  for k, v in pairs(t) do n = n + 1; assert(k == k1 and v == 1) end
  assert(n == 1)
end

-- all weak
do
  local t = setmetatable({}, {__mode = "kv"})
  t[{}] = {}
  local k = {}
  t[k] = {}
  t[1] = {}
  full()
  assert(next(t) == nil)
end

-- ephemerons: a value that refers to its own key does not keep it alive,
-- and chains of ephemerons resolve
do
  local e = setmetatable({}, {__mode = "k"})
  local a = {}
  e[a] = {a}              -- value refers to the key
  local x, y, z = {}, {}, {}
  e[x] = y
  e[y] = z
  e[z] = {"end"}
  a = nil
  full()
  local n = 0
  for _ in pairs(e) do n = n + 1 end
  assert(n == 3, n)         -- x, y, z (x is held by a local)
  assert(e[e[e[x]]][1] == "end")
  x, y, z = nil
  full()
  assert(next(e) == nil)
end

-- finalizers run in reverse order of marking for finalization
do
  local order = {}
  for i = 1, 5 do
    setmetatable({}, {__gc = function() order[#order + 1] = i end})
  end
  full()
  assert(table.concat(order, ",") == "5,4,3,2,1", table.concat(order, ","))
end

-- resurrection: a finalizer can store its object; it is not finalized again
do
  local saved
  local count = 0
  setmetatable({name = "phoenix"}, {__gc = function(o) count = count + 1; saved = o end})
  full()
  assert(saved and saved.name == "phoenix" and count == 1)
  saved = nil
  full()
  assert(count == 1)
end

-- a weak table loses a resurrected object's entry only after it dies
do
  local w = setmetatable({}, {__mode = "k"})
  local back
  local o = setmetatable({}, {__gc = function(x) back = x end})
  w[o] = true
  o = nil
  full()
  assert(back ~= nil)
  back = nil
  full()
  assert(next(w) == nil)
end

-- __gc set after setmetatable does not count (the manual's rule)
do
  local called = false
  local mt = {}
  setmetatable({}, mt)
  mt.__gc = function() called = true end
  full()
  assert(not called)
end

-- an error in a finalizer is a warning, not an error for the program
do
  warn("@off")
  setmetatable({}, {__gc = function() error("in gc") end})
  full()  -- must not raise
  warn("@on")
  warn("@off")
end

-- collectgarbage options of 5.5
do
  assert(collectgarbage("isrunning"))
  collectgarbage("stop")
  assert(not collectgarbage("isrunning"))
  collectgarbage("restart")
  assert(collectgarbage("isrunning"))
  local kb, _ = collectgarbage("count")
  assert(type(kb) == "number" and kb > 0)
  local old = collectgarbage("incremental")
  assert(old == "incremental" or old == "generational")
  assert(collectgarbage("generational") == "incremental")
  assert(collectgarbage("incremental") == "generational")
  local p = collectgarbage("param", "pause")
  assert(math.type(p) == "integer")
  collectgarbage("param", "pause", p)
  assert(collectgarbage("step", 0) ~= nil)
end

-- memory stays flat while garbage is made forever
do
  full()
  local base = collectgarbage("count")
  for i = 1, 200000 do local t = {i, tostring(i)} end
  full()
  assert(collectgarbage("count") < base + 1024, collectgarbage("count") - base)
end

return "OK"
