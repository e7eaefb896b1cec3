/// Lua run in every VM before any script: the `space` constructors, a seeded
/// `math.random`, and the host-side helpers of the environment contract.
/// It runs with the sandbox already in place and is trusted only as far as any script is.
enum Prelude {
    static let source = #"""
local vm_rng = ...
local type, error, tostring, setmetatable, select = type, error, tostring, setmetatable, select
local math_type = math.type

-- math.random draws from the VM's seeded generator: runs are reproducible.
math.random = function(m, n)
  if m == nil then return vm_rng:random() end
  if n == nil then return vm_rng:random(m) end
  return vm_rng:random(m, n)
end
math.randomseed = function(x) vm_rng:seed(math.tointeger(x) or 0) end

local function check_int(value, what, caller)
  if math_type(value) ~= "integer" then
    error(caller .. ": " .. what .. " must be an integer, got " .. tostring(value), 3)
  end
end

space = {}

function space.discrete(n, start)
  check_int(n, "n", "space.discrete(n)")
  if n < 1 then error("space.discrete(n): n must be at least 1, got " .. n, 2) end
  if start ~= nil then check_int(start, "start", "space.discrete(n, start)") end
  return { kind = "discrete", n = n, start = start or 0 }
end

function space.box(low, high, shape)
  if type(low) ~= "number" and type(low) ~= "table" then error("space.box(low, high, shape): low must be a number or a table", 2) end
  if type(high) ~= "number" and type(high) ~= "table" then error("space.box(low, high, shape): high must be a number or a table", 2) end
  if shape == nil then shape = type(low) == "table" and { #low } or { 1 } end
  if type(shape) == "number" then shape = { shape } end
  if type(shape) ~= "table" or #shape == 0 then error("space.box(low, high, shape): shape must be a list of positive integers", 2) end
  for i = 1, #shape do
    if math_type(shape[i]) ~= "integer" or shape[i] < 1 then
      error("space.box(low, high, shape): shape[" .. i .. "] must be a positive integer", 2)
    end
  end
  return { kind = "box", low = low, high = high, shape = shape }
end

function space.multi_discrete(nvec)
  if type(nvec) ~= "table" or #nvec == 0 then error("space.multi_discrete(nvec): nvec must be a non-empty list", 2) end
  for i = 1, #nvec do
    if math_type(nvec[i]) ~= "integer" or nvec[i] < 1 then
      error("space.multi_discrete(nvec): nvec[" .. i .. "] must be a positive integer", 2)
    end
  end
  return { kind = "multi_discrete", nvec = nvec }
end

function space.multi_binary(n)
  check_int(n, "n", "space.multi_binary(n)")
  return { kind = "multi_binary", n = n }
end

function space.text(max_length, min_length)
  check_int(max_length, "max_length", "space.text(max_length)")
  return { kind = "text", max_length = max_length, min_length = min_length or 0 }
end

function space.dict(spaces)
  if type(spaces) ~= "table" then error("space.dict{...}: expects a table of named spaces", 2) end
  for name, s in pairs(spaces) do
    if type(name) ~= "string" or type(s) ~= "table" or s.kind == nil then
      error("space.dict{...}: entry '" .. tostring(name) .. "' is not a named space", 2)
    end
  end
  return { kind = "dict", spaces = spaces }
end

function space.tuple(spaces)
  if type(spaces) ~= "table" or #spaces == 0 then error("space.tuple{...}: expects a list of spaces", 2) end
  return { kind = "tuple", spaces = spaces }
end

local host = {}

function host.new_instance(E, rng)
  return setmetatable({ rng = rng }, { __index = E })
end

function host.turn(E, self)
  local player = E.current_player(self)
  if player == 0 or player == -1 then return player end  -- over, or chance (no legal list)
  return player, E.legal_actions(self)
end

function host.has(E, name)
  return type(E[name]) == "function"
end

return host
"""#
}
