-- debug.sethook and debug.gethook: call, return, line and count hooks,
-- transfer information, per-thread hooks.

local function check_error(msg, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error")
  assert(string.find(err, msg, 1, true), err)
end

assert(debug.gethook() == nil)

-- ---- line hook ----
local lines = {}
local function target()
  local a = 1
  local b = 2
  return a + b
end
local def = debug.getinfo(target, "S").linedefined
debug.sethook(function(event, line)
  assert(event == "line")
  lines[#lines + 1] = line
end, "l")
target()
debug.sethook()
-- the call line, the lines of target, then the line of debug.sethook()
assert(lines[1] == def + 10)
assert(lines[2] == def + 1 and lines[3] == def + 2 and lines[4] == def + 3)
assert(lines[5] == def + 11)
assert(#lines == 5)

-- a loop on one line fires a line event for each backward jump
lines = {}
debug.sethook(function(_, line) lines[#lines + 1] = line end, "l")
for i = 1, 3 do local _ = i end
debug.sethook()
assert(#lines == 4)  -- the loop line three times, the sethook line once

-- ---- call and return hooks ----
local events = {}
local function callee(x) return x * 2 end
debug.sethook(function(event, line)
  assert(line == nil)
  local info = debug.getinfo(2, "nS")
  if info.name == "callee" then events[#events + 1] = event end
end, "cr")
callee(1)
debug.sethook()
assert(#events == 2 and events[1] == "call" and events[2] == "return")

-- tail calls are reported as "tail call"
events = {}
local function tailer(x) return callee(x) end
debug.sethook(function(event)
  local info = debug.getinfo(2, "f")
  if info.func == callee then events[#events + 1] = event end
end, "c")
tailer(2)
debug.sethook()
assert(events[1] == "tail call")

-- native functions are hooked too
local native_calls = 0
debug.sethook(function(event)
  if debug.getinfo(2, "f").func == math.abs then native_calls = native_calls + 1 end
end, "cr")
math.abs(-1)
debug.sethook()
assert(native_calls == 2)

-- ---- transfer information ('r') ----
local transfers = {}
local function add3(a, b, c) return a + b + c, "extra" end
debug.sethook(function(event)
  local info = debug.getinfo(2, "fr")
  if info.func ~= add3 then return end
  local values = {}
  for i = info.ftransfer, info.ftransfer + info.ntransfer - 1 do
    values[#values + 1] = select(2, debug.getlocal(2, i))
  end
  transfers[event] = values
end, "cr")
add3(1, 2, 3)
debug.sethook()
assert(#transfers.call == 3 and transfers.call[1] == 1 and transfers.call[3] == 3)
assert(#transfers["return"] == 2 and transfers["return"][1] == 6 and transfers["return"][2] == "extra")
-- outside a hook there is nothing transferred
local r = debug.getinfo(1, "r")
assert(r.ftransfer == 0 and r.ntransfer == 0)

-- ---- count hook ----
local count = 0
debug.sethook(function(event, line)
  assert(event == "count" and line == nil)
  count = count + 1
end, "", 1)
for i = 1, 100 do local _ = i end
debug.sethook()
assert(count > 100)
count = 0
debug.sethook(function() count = count + 1 end, "", 1000)
for i = 1, 100 do local _ = i end
debug.sethook()
assert(count == 0)

-- ---- gethook ----
local function h() end
debug.sethook(h, "crl", 7)
local f, mask, n = debug.gethook()
debug.sethook()
assert(f == h and mask == "crl" and n == 7)
debug.sethook(h, "lrc")  -- the order of letters does not matter
f, mask, n = debug.gethook()
debug.sethook()
assert(f == h and mask == "crl" and n == 0)
debug.sethook(h, "", 3)
f, mask, n = debug.gethook()
debug.sethook(nil)
assert(f == h and mask == "" and n == 3)
debug.sethook(h, "x")  -- unknown letters are ignored; no events at all
f, mask = debug.gethook()
assert(f == nil and mask == nil)  -- a hook with an empty mask is no hook
debug.sethook()
assert(debug.gethook() == nil)

-- ---- hooks are per thread ----
local co_lines = 0
local co = coroutine.create(function()
  local a = 1
  coroutine.yield()
  local b = 2
  return a + b
end)
debug.sethook(co, function(event) co_lines = co_lines + 1 end, "l")
assert(debug.gethook() == nil)  -- the running thread has no hook
local cf, cmask = debug.gethook(co)
assert(type(cf) == "function" and cmask == "l")
coroutine.resume(co)
local lines_in_main = co_lines
assert(lines_in_main > 0)
local x = 1  -- the main thread is not hooked
assert(co_lines == lines_in_main)
coroutine.resume(co)
assert(co_lines > lines_in_main)
debug.sethook(co)
assert(debug.gethook(co) == nil)

-- a coroutine's hook sees the coroutine as its running thread
local seen
co = coroutine.create(function() local y = 1 end)
debug.sethook(co, function() seen = coroutine.running() end, "l")
coroutine.resume(co)
assert(seen == co)

-- ---- hooks do not run inside hooks; errors in hooks propagate ----
local depth, max_depth = 0, 0
debug.sethook(function()
  depth = depth + 1
  if depth > max_depth then max_depth = depth end
  local _ = math.abs(-1)
  depth = depth - 1
end, "crl")
local _ = math.abs(-2)
debug.sethook()
assert(max_depth == 1)

local ok, err = pcall(function()
  debug.sethook(function(event)
    debug.sethook()
    error("from hook")
  end, "l")
  local _ = 1
end)
assert(not ok and err:find("from hook"))

-- ---- errors ----
check_error("bad argument #2 to 'debug.sethook' (string expected, got no value)", debug.sethook, h)
check_error("bad argument #1 to 'debug.sethook' (function expected, got number)", debug.sethook, 1, "l")
check_error("bad argument #3 to 'debug.sethook' (number expected, got string)", debug.sethook, h, "l", "x")
check_error("bad argument #3 to 'debug.sethook' (string expected, got no value)", debug.sethook, co, h)
assert(debug.gethook() == nil)

return "OK"
