-- method_calls: method-call heavy OOP as application code writes it: classes with inheritance
-- (__index tables), self:method() calls that call further methods, getters and setters,
-- explicit super calls (Parent.method(self, ...)), virtual dispatch over a mixed collection,
-- constructors that run an init method.
-- usage: lua method_calls.lua [N]   (N rounds over a collection of 32 objects)
local n = tonumber(arg and arg[1]) or 100000

local function class(parent)
  local c = {}
  c.__index = c
  if parent then setmetatable(c, { __index = parent }) end
  c.super = parent
  return c
end

local Account = class()
function Account.new(cls, ...)
  local o = setmetatable({}, cls)
  o:init(...)
  return o
end
function Account:init(id, balance) self.id = id; self.balance = balance; self.ops = 0 end
function Account:get_balance() return self.balance end
function Account:set_balance(v) self.balance = v; self.ops = self.ops + 1 end
function Account:fee() return 1 end
function Account:can_withdraw(amount) return self:get_balance() - amount - self:fee() >= 0 end
function Account:deposit(amount) self:set_balance(self:get_balance() + amount); return self end
function Account:withdraw(amount)
  if self:can_withdraw(amount) then
    self:set_balance(self:get_balance() - amount - self:fee())
    return true
  end
  return false
end
function Account:interest() return 0 end
function Account:month_end() self:deposit(self:interest()) end

local Savings = class(Account)
function Savings:init(id, balance, rate) Account.init(self, id, balance); self.rate = rate end
function Savings:interest() return self:get_balance() * self.rate // 1000 end
function Savings:fee() return 2 end

local Checking = class(Account)
function Checking:init(id, balance, limit) Account.init(self, id, balance); self.limit = limit end
function Checking:can_withdraw(amount) return self:get_balance() + self.limit - amount >= 0 end

local Premium = class(Savings)
function Premium:fee() return 0 end
function Premium:interest() return Savings.interest(self) + 1 end

local Ledger = class()
function Ledger.new() return setmetatable({ total = 0, count = 0, failed = 0 }, Ledger) end
function Ledger:record(ok, amount)
  if ok then self.total = (self.total + amount) % 1000000007; self.count = self.count + 1
  else self.failed = self.failed + 1 end
end

local accounts = {}
for i = 1, 32 do
  local m = i % 4
  if m == 0 then accounts[i] = Account:new(i, 100 + i)
  elseif m == 1 then accounts[i] = Savings:new(i, 1000 + i, 5)
  elseif m == 2 then accounts[i] = Checking:new(i, 50, 500)
  else accounts[i] = Premium:new(i, 5000, 7) end
end

local ledger = Ledger.new()
local check = 0
for round = 1, n do
  for i = 1, #accounts do
    local a = accounts[i]
    local amount = (round * 7 + i * 13) % 97
    if (round + i) % 3 == 0 then
      a:deposit(amount)
      ledger:record(true, amount)
    else
      ledger:record(a:withdraw(amount), amount)
    end
  end
  if round % 100 == 0 then
    for i = 1, #accounts do
      local a = accounts[i]
      a:month_end()
      check = (check + a:get_balance() % 1000003) % 1000000007
    end
    -- a short-lived object per period: constructor + init through the chain
    local t = Premium:new(round, round, 1)
    t:month_end()
    check = (check + t:get_balance()) % 1000000007
  end
end
local ops = 0
for i = 1, #accounts do ops = ops + accounts[i].ops end
print(string.format("method_calls %d %d %d %d %d", n, check, ledger.total, ledger.failed, ops))
