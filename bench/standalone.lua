-- Standalone speed baseline: run an environment in the plain lua5.4 interpreter,
-- with the same globals the Ludus host provides, and report raw steps per second.
--
--   lua5.4 bench/standalone.lua ENV_FILE STEPS [LIB_DIR]
--
-- Prints exactly one line: steps_per_second=<number> steps=<n> episodes=<k>
-- Actions are uniformly random (a random legal action for multi-player envs).
-- Episodes use the params' defaults; the instance rng is reseeded before every
-- reset, as the host does.

local env_file, steps_arg, lib_dir = arg[1], arg[2], arg[3]
local total_steps = math.tointeger(tonumber(steps_arg))
if env_file == nil or total_steps == nil or total_steps < 0 then
  io.stderr:write("usage: lua5.4 bench/standalone.lua ENV_FILE STEPS [LIB_DIR]\n")
  os.exit(2)
end
if lib_dir == nil then
  lib_dir = (env_file:match("^(.*)[/\\]") or ".") .. "/lib"
end

---------------------------------------------------------------------------
-- Host globals: space constructors (plain tables, as the host builds them).
---------------------------------------------------------------------------
space = {}
function space.discrete(n, start) return { kind = "discrete", n = n, start = start or 0 } end
function space.box(low, high, shape)
  if shape == nil then shape = type(low) == "table" and { #low } or { 1 } end
  if type(shape) == "number" then shape = { shape } end
  return { kind = "box", low = low, high = high, shape = shape }
end
function space.multi_discrete(nvec) return { kind = "multi_discrete", nvec = nvec } end
function space.multi_binary(n) return { kind = "multi_binary", n = n } end
function space.text(max_length, min_length)
  return { kind = "text", max_length = max_length, min_length = min_length or 0 }
end
function space.dict(spaces) return { kind = "dict", spaces = spaces } end
function space.tuple(spaces) return { kind = "tuple", spaces = spaces } end

-- require: modules from LIB_DIR only ("name" or "lib.name"; dots are folders).
local loaded = {}
function require(name)
  local module = name:gsub("^lib%.", "")
  local cached = loaded[module]
  if cached ~= nil then return cached end
  local path = lib_dir .. "/" .. module:gsub("%.", "/") .. ".lua"
  local chunk, err = loadfile(path, "t")
  if chunk == nil then error("module '" .. name .. "' not found: " .. tostring(err), 2) end
  local result = chunk(module)
  if result == nil then result = true end
  loaded[module] = result
  return result
end

---------------------------------------------------------------------------
-- Instance rng: xoshiro256** in pure Lua (64-bit wrapping integers).
---------------------------------------------------------------------------
local Rng = {}
Rng.__index = Rng

local function splitmix(x)
  x = x + 0x9E3779B97F4A7C15
  local z = x
  z = (z ~ (z >> 30)) * 0xBF58476D1CE4E5B9
  z = (z ~ (z >> 27)) * 0x94D049BB133111EB
  return x, z ~ (z >> 31)
end

function Rng:seed(n)
  local x = math.tointeger(n) or 0
  x, self[1] = splitmix(x)
  x, self[2] = splitmix(x)
  x, self[3] = splitmix(x)
  x, self[4] = splitmix(x)
end

local function next64(s)
  local s0, s1, s2, s3 = s[1], s[2], s[3], s[4]
  local r = s1 * 5
  r = ((r << 7) | (r >> 57)) * 9
  local t = s1 << 17
  s2 = s2 ~ s0
  s3 = s3 ~ s1
  s1 = s1 ~ s2
  s0 = s0 ~ s3
  s2 = s2 ~ t
  s3 = (s3 << 45) | (s3 >> 19)
  s[1], s[2], s[3], s[4] = s0, s1, s2, s3
  return r
end

local TWO_M53 = 2.0 ^ -53
function Rng:float(a, b)
  local u = (next64(self) >> 11) * TWO_M53
  if a == nil then return u end
  return a + (b - a) * u
end

function Rng:int(a, b)
  if a > b then error("rng:int(low, high): empty range [" .. a .. ", " .. b .. "]", 2) end
  local n = b - a + 1
  return a + (next64(self) >> 11) % n
end

function Rng:normal(mu, sd)
  local u1 = 1.0 - self:float()  -- (0, 1]
  local u2 = self:float()
  local z = math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
  return (mu or 0) + (sd or 1) * z
end

function Rng:choice(list)
  local n = #list
  if n == 0 then error("rng:choice(list): list is empty", 2) end
  return list[self:int(1, n)]
end

function Rng:clone()
  return setmetatable({ self[1], self[2], self[3], self[4] }, Rng)
end

local function new_rng(seed)
  local r = setmetatable({ 0, 0, 0, 0 }, Rng)
  r:seed(seed)
  return r
end

---------------------------------------------------------------------------
-- Load the environment, build default params and the action sampler.
---------------------------------------------------------------------------
math.randomseed(1)
local chunk, err = loadfile(env_file, "t")
if chunk == nil then error(err, 0) end
local E = chunk()
if type(E) ~= "table" then error(env_file .. " must return a table", 0) end

local params = {}
for name, p in pairs(E.params or {}) do
  local value = p.default
  if value == nil then
    if p.kind == "choice" then value = p.choices[1] else value = p.min or 0 end
  end
  params[name] = value
end

local players = E.players or 1
local act = E.action_space
local random = math.random

local function make_sampler(s)
  local kind = s.kind
  if kind == "discrete" then
    local lo, hi = s.start or 0, (s.start or 0) + s.n - 1
    return function() return random(lo, hi) end
  elseif kind == "multi_discrete" then
    local nvec, n = s.nvec, #s.nvec
    return function()
      local a = {}
      for i = 1, n do a[i] = random(0, nvec[i] - 1) end
      return a
    end
  elseif kind == "multi_binary" then
    local n = s.n
    return function()
      local a = {}
      for i = 1, n do a[i] = random(0, 1) end
      return a
    end
  elseif kind == "box" then
    local count = 1
    for i = 1, #s.shape do count = count * s.shape[i] end
    if #s.shape ~= 1 then error("bench: only 1-D box action spaces are supported", 0) end
    local low, high = s.low, s.high
    return function()
      local a = {}
      for i = 1, count do
        local l = type(low) == "table" and low[i] or low
        local h = type(high) == "table" and high[i] or high
        if l == -math.huge or h == math.huge then a[i] = 0.0 else a[i] = l + (h - l) * random() end
      end
      return a
    end
  end
  error("bench: cannot sample actions of a '" .. tostring(kind) .. "' space", 0)
end

---------------------------------------------------------------------------
-- The timed loop.
---------------------------------------------------------------------------
local function run(n)
  local self = setmetatable({ rng = new_rng(0) }, { __index = E })
  local reset, step = E.reset, E.step
  local rng = self.rng
  local episodes, seed = 0, 1
  rng:seed(seed)
  reset(self, params)

  local t0 = os.clock()
  if players > 1 then
    local legal_actions = E.legal_actions
    for _ = 1, n do
      local legal = legal_actions(self)
      local _, _, terminated, truncated = step(self, legal[random(1, #legal)])
      if terminated or truncated then
        episodes = episodes + 1
        seed = seed + 1
        rng:seed(seed)
        reset(self, params)
      end
    end
  elseif act.kind == "discrete" then
    local lo = act.start or 0
    local hi = lo + act.n - 1
    for _ = 1, n do
      local _, _, terminated, truncated = step(self, random(lo, hi))
      if terminated or truncated then
        episodes = episodes + 1
        seed = seed + 1
        rng:seed(seed)
        reset(self, params)
      end
    end
  else
    local sample = make_sampler(act)
    for _ = 1, n do
      local _, _, terminated, truncated = step(self, sample())
      if terminated or truncated then
        episodes = episodes + 1
        seed = seed + 1
        rng:seed(seed)
        reset(self, params)
      end
    end
  end
  local elapsed = os.clock() - t0
  return elapsed, episodes
end

local elapsed, episodes = run(total_steps)
local rate = elapsed > 0 and total_steps / elapsed or 0
print(string.format("steps_per_second=%.0f steps=%d episodes=%d", rate, total_steps, episodes))
