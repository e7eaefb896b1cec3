-- gridworld/lava_crossing: MiniGrid's LavaCrossingSxNn. Rivers of lava cross
-- the room, each with one opening; the agent starts top-left facing right,
-- the goal is bottom-right. Defaults are MiniGrid-LavaCrossingS9N1.

local grid = require "minigrid.env"
local core = grid.core
local gen = require "minigrid.gen"

local E = grid.define{
  id = "gridworld/lava_crossing",
  description = "MiniGrid LavaCrossing: cross rivers of lava through their gaps to reach the goal.",
  version = "1.0.0",
  params = {
    size = { kind = "choice", choices = { 5, 7, 9, 11, 13, 15 }, default = 9,
             description = "side of the room including its walls (odd, MiniGrid S)" },
    crossings = { kind = "int", min = 1, max = 12, default = 1,
                  description = "number of rivers (MiniGrid N; at most size - 3)" },
  },
  max_steps = 4 * 15 * 15,  -- 4 * size^2 at the largest size
}

function E.reset(self, params)
  local size = math.tointeger(params.size)
  gen.crossing(self, size, math.tointeger(params.crossings), core.LAVA)
  grid.setup(self, 4 * size * size, "avoid the lava and get to the green goal square", false)
  return grid.start(self)
end

return E
