-- gridworld/multi_room: MiniGrid's MultiRoom-Nn-Ss. A chain of rooms joined by
-- closed (unlocked) doors in a 25x25 world; the goal is in the last room.
-- Defaults are MiniGrid-MultiRoom-N4-S5 (-v1: four rooms of at most 5x5).

local grid = require "minigrid.env"
local core = grid.core
local gen = require "minigrid.gen"

local E = grid.define{
  id = "gridworld/multi_room",
  description = "MiniGrid MultiRoom: open doors through a chain of rooms to reach the goal.",
  version = "1.0.0",
  params = {
    rooms = { kind = "int", min = 1, max = 6, default = 4,
              description = "number of rooms (MiniGrid N)" },
    max_room_size = { kind = "int", min = 4, max = 10, default = 5,
                      description = "largest room side including walls (MiniGrid S)" },
  },
  max_steps = 20 * 6,  -- 20 * rooms at the most rooms
}

function E.reset(self, params)
  local rooms = math.tointeger(params.rooms)
  gen.multi_room(self, rooms, math.tointeger(params.max_room_size), 25, 25)
  grid.setup(self, 20 * rooms, "traverse the rooms to get to the goal", false)
  return grid.start(self)
end

return E
