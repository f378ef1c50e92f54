-- A small tour of what rua runs today: closures, tables, coroutines, errors.
local function counter()
  local n = 0
  return function() n = n + 1; return n end
end

local c = counter()
c(); c()
print("counter:", c())

local squares = {}
for i = 1, 5 do squares[#squares + 1] = i * i end
print("squares:", table.concat(squares, " "))

local gen = coroutine.wrap(function()
  for i = 1, 3 do coroutine.yield(i) end
end)
print("coroutine:", gen(), gen(), gen())

local ok, err = pcall(function() local t = nil; return t.x end)
print("error caught:", ok, err)

print(string.format("%s %d %.3f", _VERSION, 42, math.pi))
