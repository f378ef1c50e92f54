-- coro_switch: switching between coroutines as a server's scheduler does: a round-robin run
-- queue of tasks that each yield many times, resume/yield passing several values both ways,
-- coroutine.wrap generators driving a for loop, status checks, and tasks created and finished
-- all the time (many short-lived coroutines).
-- usage: lua coro_switch.lua [N]   (N scheduler rounds)
local n = tonumber(arg and arg[1]) or 10000
local create, resume, yield, status, wrap =
  coroutine.create, coroutine.resume, coroutine.yield, coroutine.status, coroutine.wrap

local check = 0

-- a task yields a "request" and gets a "response" back, a number of times, then returns
local function task(id, steps)
  local acc = id
  for s = 1, steps do
    local a, b = yield(acc % 1009, s)
    acc = acc + a * b
  end
  return acc
end

for round = 1, n do
  -- run queue: 50 tasks of 3 to 12 steps each, round-robin until all finish
  local queue, head, tail = {}, 1, 0
  for i = 1, 50 do
    tail = tail + 1
    queue[tail] = create(task)
    local ok, v, s = resume(queue[tail], i + round, 3 + (i + round) % 10)
    check = (check + v + s) % 1000000007
  end
  while head <= tail do
    local co = queue[head]
    head = head + 1
    local ok, v, s = resume(co, head % 7 + 1, 2)
    if status(co) == "dead" then
      check = (check + v) % 1000000007
    else
      check = (check + v + s) % 1000000007
      tail = tail + 1
      queue[tail] = co
    end
  end

  -- a generator driving a for loop
  local gen = wrap(function(limit)
    for i = 1, limit do yield(i, i * i) end
  end)
  local k = 0
  for i, sq in gen, 40 + round % 20 do k = k + sq - i end
  check = (check + k) % 1000000007
end
print(string.format("coro_switch %d %d", n, check))
