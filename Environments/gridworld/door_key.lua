-- gridworld/door_key: MiniGrid's DoorKey-NxN. A wall splits the room; pick up
-- the yellow key, unlock the yellow door and reach the goal behind it.

local grid = require "minigrid.env"
local core = grid.core

local E = grid.define{
  id = "gridworld/door_key",
  description = "MiniGrid DoorKey: pick up the key, unlock the door, reach the goal.",
  version = "1.0.0",
  params = {
    size = { kind = "int", min = 5, max = 16, default = 8,
             description = "side of the room including its walls (MiniGrid-DoorKey-8x8: 8)" },
  },
  max_steps = 10 * 16 * 16,  -- 10 * size^2 at the largest size
}

local MISSION = "use the key to open the door and then get to the goal"

function E.reset(self, params)
  local size = math.tointeger(params.size)
  local w, h = size, size
  core.new_grid(self, w, h)
  core.wall_rect(self, 0, 0, w, h)
  core.set(self, w - 2, h - 2, core.GOAL, core.GREEN, 0)
  local split = core.rand_int(self, 2, w - 2)       -- the dividing wall's column
  core.vert_wall(self, split, 0)
  core.place_agent(self, 0, 0, split, h)
  local door_y = core.rand_int(self, 1, h - 2)
  core.set(self, split, door_y, core.DOOR, core.YELLOW, core.LOCKED)
  core.place_obj(self, core.KEY, core.YELLOW, 0, 0, 0, split, h)
  grid.setup(self, 10 * w * h, MISSION, false)
  return grid.start(self)
end

return E
