-- gridworld/empty: MiniGrid's Empty-NxN. An empty room; the goal is in the
-- bottom-right corner. The agent starts at (1, 1) facing right, or anywhere
-- (random direction) with start = "random" (MiniGrid's Empty-Random-NxN).
-- As in MiniGrid, this environment sees through walls.

local grid = require "minigrid.env"
local core = grid.core

local E = grid.define{
  id = "gridworld/empty",
  description = "MiniGrid Empty: walk to the green goal square of an empty room.",
  version = "1.0.0",
  params = {
    size = { kind = "int", min = 5, max = 16, default = 8,
             description = "side of the room including its walls (MiniGrid-Empty-8x8: 8)" },
    start = { kind = "choice", choices = { "fixed", "random" }, default = "fixed",
              description = "agent starts at (1,1) facing right, or at a random cell and direction" },
  },
  max_steps = 4 * 16 * 16,  -- 4 * size^2 at the largest size
}

local MISSION = "get to the green goal square"

function E.reset(self, params)
  local size = math.tointeger(params.size)
  core.new_grid(self, size, size)
  core.wall_rect(self, 0, 0, size, size)
  core.set(self, size - 2, size - 2, core.GOAL, core.GREEN, 0)
  if params.start == "random" then
    core.place_agent(self)
  else
    self.agent_x, self.agent_y, self.agent_dir = 1, 1, 0
  end
  grid.setup(self, 4 * size * size, MISSION, true)
  return grid.start(self)
end

return E
