-- minigrid.levels: gridworld levels as data (the host's level contract,
-- docs/environments.md "Levels").
--
-- A level is a table { layout = TEXT, max_steps = N, mission = TEXT }: the
-- level's cells in the ASCII format of minigrid.ascii (the agent as an arrow),
-- the step budget and the mission line. It is what E.level(self) returns for
-- the current episode and what reset accepts as params._level in place of
-- generating one.
--
--   local levels = require "minigrid.levels"
--   levels.declare(E)                           -- E.level, E.mutate, E.solvable
--   function E.reset(self, params)
--     if params._level ~= nil then return levels.load(self, params._level) end
--     ... generate ...; levels.remember(self); return grid.start(self)
--   end
--
-- Mutations (ACCEL's maze edits): each of the n edits is, drawn with the
-- episode's generator self.rng, a wall added or removed on an inner cell
-- (3 in 5), the goal moved (1 in 5) or the agent moved and turned (1 in 5).
-- An edit that would leave the goal unreachable is undone and drawn again
-- (at most 20 draws per edit), so a mutated solvable level stays solvable.

local core = require "minigrid.core"
local ascii = require "minigrid.ascii"

local M = {}

M.RESERVED = "_level"

-- Doors and keys count as passable, as in gridworld/maze's goal_distance.
local function passable(t, s)
  return t == 1 or t == 3 or t == 4 or t == 5 or t == 8
end

local function fail(message) error("level: " .. message, 0) end

-- A scratch world (not an episode) holding the level's cells.
local function parse(level)
  if type(level) ~= "table" then fail("expected a table { layout, max_steps, mission }, got a " .. type(level)) end
  if type(level.layout) ~= "string" then fail("layout must be a string") end
  if #level.layout > 10000 then fail("layout longer than 10000 characters") end
  local steps = math.tointeger(level.max_steps)
  if steps == nil or steps < 1 or steps > 10000 then fail("max_steps must be an integer from 1 to 10000") end
  if level.mission ~= nil and (type(level.mission) ~= "string" or #level.mission > 256) then
    fail("mission must be a string of at most 256 characters")
  end
  local world = {}
  local ok, message = pcall(ascii.parse, world, level.layout)
  if not ok then fail(tostring(message)) end
  local goals = 0
  for i = 1, world.width * world.height do
    if world.gt[i] == core.GOAL then goals = goals + 1 end
  end
  if goals ~= 1 then fail(string.format("needs exactly one goal (GG), found %d", goals)) end
  return world, steps
end

-- The shortest path from the agent to the goal in moves, or nil if there is none.
local function goal_distance(world)
  local dist = core.distances(world, world.agent_x, world.agent_y, passable)
  for i = 1, world.width * world.height do
    if world.gt[i] == core.GOAL then return dist[i] end
  end
  return nil
end
M.goal_distance = goal_distance

-- Stores the current (just generated) level of self for E.level.
function M.remember(self)
  self.level = { layout = ascii.serialise(self), max_steps = self.max_steps_ep, mission = self.mission }
end

-- Reset from a level: validates it, builds the world, starts the episode.
function M.load(self, level)
  local world, steps = parse(level)
  ascii.parse(self, level.layout)
  core.setup(self, steps, level.mission or "get to the green goal square", false)
  self.level = { layout = level.layout, max_steps = steps, mission = self.mission }
  local obs, info = core.start(self)
  info.goal_distance = goal_distance(world) or -1
  return obs, info
end

-- The inner cells (inside the outer wall) a mutation may touch.
local function inner(world, x, y)
  return x >= 1 and y >= 1 and x <= world.width - 2 and y <= world.height - 2
end

local function random_inner(world, rng)
  return rng:int(1, world.width - 2), rng:int(1, world.height - 2)
end

local function index(world, x, y) return y * world.width + x + 1 end

-- One edit of world; returns an undo function, or nil when the draw changed nothing.
local function edit(world, rng)
  local kind = rng:int(1, 5)
  local x, y = random_inner(world, rng)
  local i = index(world, x, y)
  local t, c = world.gt[i], world.gc[i]
  local is_agent = x == world.agent_x and y == world.agent_y
  if kind <= 3 then  -- flip a wall
    if is_agent or not (t == core.EMPTY or t == core.WALL) then return nil end
    if t == core.WALL then core.set(world, x, y, core.EMPTY) else core.wall(world, x, y) end
    return function() core.set(world, x, y, t, c, 0) end
  elseif kind == 4 then  -- move the goal
    if is_agent or t ~= core.EMPTY then return nil end
    local g
    for j = 1, world.width * world.height do if world.gt[j] == core.GOAL then g = j end end
    local gx, gy, gc = (g - 1) % world.width, (g - 1) // world.width, world.gc[g]
    core.set(world, gx, gy, core.EMPTY)
    core.set(world, x, y, core.GOAL, gc, 0)
    return function() core.set(world, x, y, core.EMPTY); core.set(world, gx, gy, core.GOAL, gc, 0) end
  else  -- move and turn the agent
    if t ~= core.EMPTY then return nil end
    local ax, ay, ad = world.agent_x, world.agent_y, world.agent_dir
    world.agent_x, world.agent_y, world.agent_dir = x, y, rng:int(0, 3)
    return function() world.agent_x, world.agent_y, world.agent_dir = ax, ay, ad end
  end
end

-- E.mutate(self, level, n): level changed by n edits drawn with self.rng.
function M.mutate(self, level, n)
  local world, steps = parse(level)
  n = math.tointeger(n)
  if n == nil or n < 0 or n > 1000 then fail("mutate: n must be an integer from 0 to 1000") end
  local solvable = goal_distance(world) ~= nil
  for _ = 1, n do
    for _ = 1, 20 do
      local undo = edit(world, self.rng)
      if undo ~= nil then
        if not solvable or goal_distance(world) ~= nil then break end
        undo()
      end
    end
  end
  return { layout = ascii.serialise(world), max_steps = steps, mission = level.mission }
end

-- E.solvable(self, level): the goal is reachable from the agent (doors and keys passable).
function M.solvable(self, level)
  return goal_distance((parse(level))) ~= nil
end

function M.declare(E)
  E.level = function(self) return self.level end
  E.mutate = M.mutate
  E.solvable = M.solvable
  return E
end

M.inner = inner
return M
