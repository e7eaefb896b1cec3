-- gridworld/four_rooms: MiniGrid's FourRooms. A 19x19 world of four rooms
-- joined by one gap in each inner wall; agent and goal at random cells.

local grid = require "minigrid.env"
local core = grid.core

local E = grid.define{
  id = "gridworld/four_rooms",
  description = "MiniGrid FourRooms: reach the goal somewhere in four connected rooms.",
  version = "1.0.0",
  params = {},
  max_steps = 100,
}

local SIZE = 19

function E.reset(self, params)
  local w, h = SIZE, SIZE
  core.new_grid(self, w, h)
  core.horz_wall(self, 0, 0)
  core.horz_wall(self, 0, h - 1)
  core.vert_wall(self, 0, 0)
  core.vert_wall(self, w - 1, 0)
  local room_w, room_h = w // 2, h // 2
  for j = 0, 1 do
    for i = 0, 1 do
      local x_l, y_t = i * room_w, j * room_h
      local x_r, y_b = x_l + room_w, y_t + room_h
      if i + 1 < 2 then  -- right wall with one gap
        core.vert_wall(self, x_r, y_t, room_h)
        core.set(self, x_r, core.rand_int(self, y_t + 1, y_b), core.EMPTY)
      end
      if j + 1 < 2 then  -- bottom wall with one gap
        core.horz_wall(self, x_l, y_b, room_w)
        core.set(self, core.rand_int(self, x_l + 1, x_r), y_b, core.EMPTY)
      end
    end
  end
  core.place_agent(self)
  core.place_obj(self, core.GOAL, core.GREEN, 0)
  grid.setup(self, 100, "reach the goal", false)
  return grid.start(self)
end

return E
