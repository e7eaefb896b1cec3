-- gridworld/maze: a parametric MiniGrid level generator for teachers.
--
-- A walled square room with random wall blocks and lava, optionally split in
-- two by a wall with a locked door whose key lies on the agent's side, and a
-- goal at least `min_goal_distance` moves from the agent when possible.
-- Levels range from trivial (small, empty) to impossible (dense blocks can cut
-- the goal off); a level is identified by its params and the reset seed.
-- info.goal_distance is the shortest path length in moves from the agent to
-- the goal (doors and the key counted as passable), or -1 if unreachable.
--
-- Levels as data (minigrid.levels): E.level(self) is the episode's level
-- { layout, max_steps, mission }, reset takes one as params._level instead of
-- generating, E.mutate(self, level, n) makes n ACCEL edits, E.solvable(self,
-- level) tells whether the goal is reachable.

local grid = require "minigrid.env"
local core = grid.core
local levels = require "minigrid.levels"

local E = grid.define{
  id = "gridworld/maze",
  description = "A generated MiniGrid level: blocks, lava, an optional locked door, a distant goal.",
  version = "1.0.0",
  params = {
    size = { kind = "int", min = 5, max = 25, default = 9,
             description = "side of the room including its outer walls" },
    block_density = { kind = "float", min = 0, max = 0.6, default = 0.2,
                      description = "probability that an inner cell becomes a wall" },
    lava_density = { kind = "float", min = 0, max = 0.4, default = 0,
                     description = "probability that an inner cell (not a wall) becomes lava" },
    door_key = { kind = "int", min = 0, max = 1, default = 0,
                 description = "1: a wall with a locked door splits the room; its key is on the agent's side" },
    min_goal_distance = { kind = "int", min = 0, max = 48, default = 0,
                          description = "wanted shortest path (moves) from agent to goal; the farthest reachable cell if none is that far" },
  },
  max_steps = 10 * 25 * 25,  -- 10 * size^2 with a door, 4 * size^2 without
}

local function passable(t, s)
  return t == 1 or t == 3 or t == 4 or t == 5 or t == 8
end

levels.declare(E)

function E.reset(self, params)
  if params._level ~= nil then return levels.load(self, params._level) end
  local size = math.tointeger(params.size)
  local door_key = math.tointeger(params.door_key) == 1
  local w, h = size, size
  core.new_grid(self, w, h)
  core.wall_rect(self, 0, 0, w, h)

  -- the dividing wall: the agent is left of it, the goal right of it
  local split, door_x, door_y = w - 1, -1, -1
  if door_key then
    split = self.rng:int(2, w - 3)
    core.vert_wall(self, split, 0)
    door_x, door_y = split, self.rng:int(1, h - 2)
    core.set(self, door_x, door_y, core.DOOR, core.COLOR_IDS[self.rng:int(1, 6)], core.LOCKED)
  end
  core.place_agent(self, 0, 0, split, h)

  -- blocks and lava, cell by cell in reading order; the cells beside the
  -- door stay free so that the door itself is never walled in
  local block, lava = params.block_density, params.lava_density
  for y = 1, h - 2 do
    for x = 1, w - 2 do
      if core.is_empty(self, x, y) and not (x == self.agent_x and y == self.agent_y)
          and not (y == door_y and (x == door_x - 1 or x == door_x + 1)) then
        local u = self.rng:float()
        if u < block then
          core.wall(self, x, y)
        elseif u < block + lava * (1 - block) then
          core.set(self, x, y, core.LAVA, core.RED, 0)
        end
      end
    end
  end

  if door_key then
    local _, key_y
    local ok = pcall(function()
      _, key_y = core.place_obj(self, core.KEY, self.gc[door_y * w + door_x + 1], 0, 0, 0, split, h, nil, 2000)
    end)
    if not ok then  -- the agent's side is full: the key replaces a block
      for y = 1, h - 2 do
        for x = 1, split - 1 do
          if key_y == nil and self.gt[y * w + x + 1] ~= 1 and not (x == self.agent_x and y == self.agent_y) then
            core.set(self, x, y, core.KEY, self.gc[door_y * w + door_x + 1], 0)
            key_y = y
          end
        end
      end
    end
  end

  -- the goal: a free cell past the split, preferring distance >= min_goal_distance
  local dist = core.distances(self, self.agent_x, self.agent_y, passable)
  local far, farthest, free = {}, {}, {}
  local best = -1
  local want = math.tointeger(params.min_goal_distance)
  local x0 = door_key and split + 1 or 1
  for y = 1, h - 2 do
    for x = x0, w - 2 do
      if core.is_empty(self, x, y) and not (x == self.agent_x and y == self.agent_y) then
        local i = y * w + x + 1
        free[#free + 1] = i
        local d = dist[i]
        if d ~= nil then
          if d >= want then far[#far + 1] = i end
          if d > best then best = d; farthest = { i } elseif d == best then farthest[#farthest + 1] = i end
        end
      end
    end
  end
  local choices = #far > 0 and far or (#farthest > 0 and farthest or free)
  if #choices == 0 then  -- no free cell at all: the goal replaces a block
    for y = h - 2, 1, -1 do
      for x = w - 2, x0, -1 do
        if #choices == 0 and not (x == self.agent_x and y == self.agent_y) and self.gt[y * w + x + 1] ~= 4 then
          choices = { y * w + x + 1 }
        end
      end
    end
  end
  local gi = choices[self.rng:int(1, #choices)]
  core.set(self, (gi - 1) % w, (gi - 1) // w, core.GOAL, core.GREEN, 0)

  local mission = "get to the green goal square"
  if door_key then
    mission = "use the key to open the door and then get to the goal"
  elseif lava > 0 then
    mission = "avoid the lava and get to the green goal square"
  end
  grid.setup(self, (door_key and 10 or 4) * w * h, mission, false)
  levels.remember(self)
  local obs, info = grid.start(self)
  info.goal_distance = dist[gi] or -1
  return obs, info
end

return E
