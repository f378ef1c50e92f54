-- json_shaped: what a web handler does with JSON-shaped data held in plain Lua tables (no
-- native module): build nested documents (objects with string keys, arrays of objects), walk
-- them to filter, group and aggregate, deep-copy and transform them into a response shape, and
-- serialize the response with a small pure-Lua encoder (object keys sorted, strings escaped).
-- usage: lua json_shaped.lua [N]   (N requests)
local n = tonumber(arg and arg[1]) or 3000
local concat, sort, format, gsub, byte = table.concat, table.sort, string.format, string.gsub, string.byte

local seed = 99
local function rand(m)
  seed = (seed * 16807) % 2147483647
  return seed % m
end

local statuses = { "new", "paid", "shipped", "delivered", "cancelled" }
local cities = { "Lisbon", "Porto", "Braga", "Faro", "Coimbra", "Évora" }

local function make_order(id)
  local items = {}
  for i = 1, 1 + rand(5) do
    items[i] = { sku = "SKU-" .. rand(500), qty = 1 + rand(4), price = (100 + rand(9900)) / 100 }
  end
  return {
    id = id,
    status = statuses[rand(5) + 1],
    customer = {
      name = "Customer " .. rand(1000),
      email = "c" .. rand(1000) .. "@example.com",
      address = { city = cities[rand(6) + 1], zip = format("%04d-%03d", rand(10000), rand(1000)) },
      tags = rand(3) == 0 and { "vip", "newsletter" } or {},
    },
    items = items,
    note = rand(4) == 0 and 'fragile "glass"\nhandle with care' or nil,
  }
end

local function deep_copy(v)
  if type(v) ~= "table" then return v end
  local r = {}
  for k, x in pairs(v) do r[k] = deep_copy(x) end
  return r
end

local escapes = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }
local function encode(v, out)
  local t = type(v)
  if t == "table" then
    if v[1] ~= nil or next(v) == nil then
      out[#out + 1] = "["
      for i = 1, #v do
        if i > 1 then out[#out + 1] = "," end
        encode(v[i], out)
      end
      out[#out + 1] = "]"
    else
      local keys = {}
      for k in pairs(v) do keys[#keys + 1] = k end
      sort(keys)
      out[#out + 1] = "{"
      for i = 1, #keys do
        if i > 1 then out[#out + 1] = "," end
        out[#out + 1] = '"' .. keys[i] .. '":'
        encode(v[keys[i]], out)
      end
      out[#out + 1] = "}"
    end
  elseif t == "string" then
    out[#out + 1] = '"' .. gsub(v, '[%c"\\]', escapes) .. '"'
  elseif math.type(v) == "integer" then
    out[#out + 1] = format("%d", v)
  elseif t == "number" then
    out[#out + 1] = format("%.2f", v)
  else
    out[#out + 1] = tostring(v)
  end
end

-- the store: 300 orders
local orders = {}
for i = 1, 300 do orders[i] = make_order(i) end

local check = 0
for req = 1, n do
  -- an incoming request body: a few new orders replace old ones
  for _ = 1, 3 do
    local id = rand(300) + 1
    orders[id] = make_order(id)
  end
  -- query: orders of one status in one city, with totals
  local want_status, want_city = statuses[req % 5 + 1], cities[req % 6 + 1]
  local by_status, matched = {}, {}
  for i = 1, #orders do
    local o = orders[i]
    local total = 0
    for j = 1, #o.items do total = total + o.items[j].qty * o.items[j].price end
    local g = by_status[o.status]
    if not g then g = { count = 0, revenue = 0 }; by_status[o.status] = g end
    g.count = g.count + 1
    g.revenue = g.revenue + total
    if o.status == want_status and o.customer.address.city == want_city then
      local c = deep_copy(o)
      c.total = total
      c.customer.email = nil  -- not exposed
      matched[#matched + 1] = c
    end
  end
  -- the response document, serialized
  local response = { request = req, status = want_status, city = want_city,
                     results = matched, summary = by_status, ok = true }
  local out = {}
  encode(response, out)
  local body = concat(out)
  check = (check * 7 + #body + byte(body, #body // 2)) % 1000000007
end
print(format("json_shaped %d %d", n, check))
