-- gridworld/lava_gap: MiniGrid's LavaGapS<n>. A vertical strip of lava with a
-- single gap separates the agent (top-left, facing right) from the goal.

local grid = require "minigrid.env"
local core = grid.core

local E = grid.define{
  id = "gridworld/lava_gap",
  description = "MiniGrid LavaGap: pass through the one gap in a wall of lava to reach the goal.",
  version = "1.0.0",
  params = {
    size = { kind = "int", min = 5, max = 16, default = 7,
             description = "side of the room including its walls (MiniGrid-LavaGapS7: 7)" },
  },
  max_steps = 4 * 16 * 16,
}

function E.reset(self, params)
  local size = math.tointeger(params.size)
  local w, h = size, size
  core.new_grid(self, w, h)
  core.wall_rect(self, 0, 0, w, h)
  self.agent_x, self.agent_y, self.agent_dir = 1, 1, 0
  core.set(self, w - 2, h - 2, core.GOAL, core.GREEN, 0)
  local gap_x = core.rand_int(self, 2, w - 2)
  local gap_y = core.rand_int(self, 1, h - 1)
  core.vert_wall(self, gap_x, 1, h - 2, core.LAVA, core.RED)
  core.set(self, gap_x, gap_y, core.EMPTY)
  grid.setup(self, 4 * w * h, "avoid the lava and get to the green goal square", false)
  return grid.start(self)
end

return E
