-- gridworld/unlock: MiniGrid's Unlock. Two 6x6 rooms joined by a locked door;
-- the key of the door's colour lies in the agent's room. Success: open the door.

local grid = require "minigrid.env"
local core = grid.core
local gen = require "minigrid.gen"

local E = grid.define{
  id = "gridworld/unlock",
  description = "MiniGrid Unlock: find the key and open the locked door.",
  version = "1.0.0",
  params = {},
  max_steps = 8 * 6 * 6,
}

function E.reset(self, params)
  local room_size = 6
  local rg = gen.room_grid(self, room_size, 1, 2)
  local color = gen.add_door(self, rg, 0, 0, 0, nil, true)
  gen.add_object(self, rg, 0, 0, core.KEY, color)
  gen.place_agent_in_room(self, rg, 0, 0)
  grid.setup(self, 8 * room_size * room_size, "open the door", false)
  self.task = core.TASK_OPEN_DOOR
  return grid.start(self)
end

return E
