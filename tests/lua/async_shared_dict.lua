-- rua.shared: dictionaries shared by the workers of a process (web.shared).
local shared = require "rua.shared"

local d = shared.open("test_basic")
assert(tostring(d):find("^shared dict 'test_basic'"))
-- the same name gives the same dictionary
assert(shared.open("test_basic") ~= nil)

-- types round trip, integers stay integers
assert(d:set("i", 42) == true)
assert(d:set("f", 1.5))
assert(d:set("s", "a\0b"))
assert(d:set("t", true))
assert(d:set("ff", false))
assert(math.type(d:get("i")) == "integer" and d:get("i") == 42)
assert(math.type(d:get("f")) == "float" and d:get("f") == 1.5)
assert(d:get("s") == "a\0b")
assert(d:get("t") == true and d:get("ff") == false)
assert(d:get("missing") == nil)
assert(shared.open("test_basic"):get("i") == 42, "a second handle sees the same data")

-- numbers as keys are converted to strings
assert(d:set(10, "ten"))
assert(d:get("10") == "ten")

-- bad keys and values: nil plus a message, as ngx.shared does
local v, err = d:get(nil)
assert(v == nil and err == "nil key")
v, err = d:set("", 1)
assert(v == nil and err == "empty key")
v, err = d:set(string.rep("k", 65536), 1)
assert(v == nil and err == "key too long")
v, err = d:set("x", {})
assert(v == nil and err == "bad value type")
assert(not pcall(d.get, d, {}))           -- a table key is an argument error
assert(not pcall(d.set, d, "x", 1, -1))   -- negative exptime
assert(not pcall(d.get, {}, "x"))         -- not a dict

-- set nil deletes; delete
assert(d:set("s", nil))
assert(d:get("s") == nil)
d:delete("i")
assert(d:get("i") == nil)

-- add / replace / safe_add
local ok
ok, err = d:add("a", 1)
assert(ok == true and err == nil)
ok, err = d:add("a", 2)
assert(ok == false and err == "exists")
assert(d:get("a") == 1)
ok, err = d:replace("nope", 1)
assert(ok == false and err == "not found")
assert(d:replace("a", 3) and d:get("a") == 3)
ok, err = d:safe_add("a", 4)
assert(ok == false and err == "exists")

-- incr
local n
n, err = d:incr("counter", 1)
assert(n == nil and err == "not found")
n = d:incr("counter", 1, 0)
assert(n == 1 and math.type(n) == "integer")
n = d:incr("counter", 5)
assert(n == 6)
n = d:incr("counter", 0.5)
assert(n == 6.5 and math.type(n) == "float")
n = d:incr("counter", -6.5)
assert(n == 0)
d:set("str", "abc")
n, err = d:incr("str", 1)
assert(n == nil and err == "not a number")
assert(not pcall(d.incr, d, "counter", "1"))
assert(d:incr("wrap", 1, math.maxinteger) == math.mininteger)

-- ttl and expire
assert(d:set("tmp", "v", 0.05))
local t = d:ttl("tmp")
assert(t > 0 and t <= 0.05, t)
assert(d:ttl("a") == 0)                   -- no expiry
v, err = d:ttl("missing")
assert(v == nil and err == "not found")
rua.sleep(0.08)
assert(d:get("tmp") == nil, "expired")
assert(d:set("tmp2", "v", 0.05))
assert(d:expire("tmp2", 0))               -- removes the expiry
rua.sleep(0.08)
assert(d:get("tmp2") == "v")
assert(d:expire("tmp2", 0.01))
rua.sleep(0.03)
assert(d:get("tmp2") == nil)
v, err = d:expire("missing", 1)
assert(v == nil and err == "not found")
n = d:incr("ttlctr", 1, 0, 0.02)
assert(n == 1)
rua.sleep(0.04)
assert(d:get("ttlctr") == nil)

-- keys, flush
d:flush_all()
assert(d:count() == 0)
for i = 1, 20 do d:set("k" .. i, i) end
assert(#d:get_keys() == 20)
assert(#d:get_keys(5) == 5)
assert(#d:keys(0) == 20)
local seen = {}
for _, k in ipairs(d:get_keys(0)) do seen[k] = true end
for i = 1, 20 do assert(seen["k" .. i]) end
for i = 1, 5 do d:set("e" .. i, i, 0.01) end
rua.sleep(0.03)
assert(#d:get_keys(0) == 20, "expired keys are not listed")
assert(d:flush_expired() == 5)
assert(d:count() == 20)
d:flush_all()
assert(d:get("k1") == nil and #d:get_keys(0) == 0)

-- capacity: LRU eviction on set (forcible), "no memory" on safe_set
local small = shared.open("test_small", "8k")
assert(small:capacity() == 8192)
assert(small:free_space() == 8192)
local big = string.rep("x", 1000)
local forcible_seen = false
for i = 1, 20 do
  local ok2, err2, forcible = small:set("b" .. i, big)
  assert(ok2 == true and err2 == nil)
  forcible_seen = forcible_seen or forcible
end
assert(forcible_seen, "old entries were evicted")
assert(small:get("b20") == big and small:get("b1") == nil)
assert(small:free_space() < 8192)
ok, err = small:safe_set("another", big)
assert(ok == false and err == "no memory")
ok, err = small:set("huge", string.rep("y", 9000))
assert(ok == false and err == "no memory", "larger than the whole dict")
assert(small:get("b20") == big, "a failed set loses nothing")
-- recently read entries survive eviction
small:flush_all()
for i = 1, 7 do small:set("r" .. i, big) end
assert(small:get("r1") == big)            -- r1 becomes most recently used
small:set("r8", big)
small:set("r9", big)
assert(small:get("r1") == big, "LRU keeps what was read")
-- replacing a value with a bigger one within capacity
small:flush_all()
assert(small:set("grow", "a"))
assert(small:set("grow", string.rep("z", 5000)))
assert(#small:get("grow") == 5000)

-- capacity arguments
assert(not pcall(shared.open, "test_small", "16k"), "exists with another capacity")
assert(shared.open("test_small", 8192):capacity() == 8192)
assert(not pcall(shared.open, "bad", "12q"))
assert(not pcall(shared.open, "bad", 100))
assert(not pcall(shared.open, ""))
assert(shared.open("test_mb", "2m"):capacity() == 2 * 1024 * 1024)

-- handles held by different threads see each other's writes
local c = shared.open("test_tasks")
local tasks = {}
for i = 1, 50 do
  tasks[i] = rua.spawn(function()
    for _ = 1, 100 do c:incr("n", 1, 0) ; rua.sleep(0) end
  end)
end
rua.wait(table.unpack(tasks))
assert(c:get("n") == 5000)
return "OK"
