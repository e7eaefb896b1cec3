-- gridworld/key_corridor: MiniGrid's KeyCorridorSsRr. Three columns of rooms;
-- the middle column is a corridor. A ball sits behind a locked door in the
-- right column; its key is in a room of the left column. Success: pick up the ball.
-- Defaults are MiniGrid-KeyCorridorS3R3.

local grid = require "minigrid.env"
local core = grid.core
local gen = require "minigrid.gen"

local E = grid.define{
  id = "gridworld/key_corridor",
  description = "MiniGrid KeyCorridor: fetch the key, unlock the room and pick up the ball.",
  version = "1.0.0",
  params = {
    room_size = { kind = "int", min = 3, max = 6, default = 3,
                  description = "side of each room including walls (MiniGrid S)" },
    rows = { kind = "int", min = 1, max = 3, default = 3,
             description = "rows of rooms (MiniGrid R)" },
  },
  max_steps = 30 * 6 * 6,  -- 30 * room_size^2 at the largest rooms
}

function E.reset(self, params)
  local room_size, rows = math.tointeger(params.room_size), math.tointeger(params.rows)
  local rg = gen.room_grid(self, room_size, rows, 3)
  for j = 1, rows - 1 do gen.remove_wall(self, rg, 1, j, 3) end
  local room_idx = self.rng:int(0, rows - 1)
  local door_color = gen.add_door(self, rg, 2, room_idx, 2, nil, true)
  local ball_color = gen.add_object(self, rg, 2, room_idx, core.BALL)
  gen.add_object(self, rg, 0, self.rng:int(0, rows - 1), core.KEY, door_color)
  gen.place_agent_in_room(self, rg, 1, rows // 2)
  gen.connect_all(self, rg)
  grid.setup(self, 30 * room_size * room_size,
    "pick up the " .. core.IDX_TO_COLOR[ball_color] .. " ball", false)
  self.task, self.target_t, self.target_c = core.TASK_PICKUP, core.BALL, ball_color
  return grid.start(self)
end

return E
