-- minigrid.gen: level generators shared by several gridworlds (MiniGrid's
-- CrossingEnv, MultiRoomEnv and RoomGrid), drawing only from self.rng.

local core = require "minigrid.core"

local M = {}

---------------------------------------------------------------------------
-- Crossing (LavaCrossing / SimpleCrossing)
---------------------------------------------------------------------------

-- Rivers of `obstacle` (core.LAVA or core.WALL) across a size x size room,
-- num_crossings of them, with one opening per river on a path to the goal.
function M.crossing(self, size, num_crossings, obstacle)
  local w, h = size, size
  core.new_grid(self, w, h)
  core.wall_rect(self, 0, 0, w, h)
  self.agent_x, self.agent_y, self.agent_dir = 1, 1, 0
  core.set(self, w - 2, h - 2, core.GOAL, core.GREEN, 0)

  -- candidate rivers: vertical ones at even columns, horizontal at even rows
  local rivers = {}
  for i = 2, h - 3, 2 do rivers[#rivers + 1] = { "v", i } end
  for j = 2, w - 3, 2 do rivers[#rivers + 1] = { "h", j } end
  core.shuffle(self, rivers)
  local rivers_v, rivers_h = {}, {}
  for n = 1, math.min(num_crossings, #rivers) do
    local r = rivers[n]
    if r[1] == "v" then rivers_v[#rivers_v + 1] = r[2] else rivers_h[#rivers_h + 1] = r[2] end
  end
  table.sort(rivers_v)
  table.sort(rivers_h)
  local color = obstacle == core.LAVA and core.RED or core.GREY
  for _, j in ipairs(rivers_h) do
    for i = 1, w - 2 do core.set(self, i, j, obstacle, color, 0) end
  end
  for _, i in ipairs(rivers_v) do
    for j = 1, h - 2 do core.set(self, i, j, obstacle, color, 0) end
  end

  -- a path of moves through the rooms the rivers make: "h" crosses a
  -- vertical river, "v" a horizontal one; open one cell per crossing
  local path = {}
  for _ = 1, #rivers_v do path[#path + 1] = "h" end
  for _ = 1, #rivers_h do path[#path + 1] = "v" end
  core.shuffle(self, path)
  local limits_v = { 0 }
  for _, v in ipairs(rivers_v) do limits_v[#limits_v + 1] = v end
  limits_v[#limits_v + 1] = h - 1
  local limits_h = { 0 }
  for _, v in ipairs(rivers_h) do limits_h[#limits_h + 1] = v end
  limits_h[#limits_h + 1] = w - 1
  local room_i, room_j = 1, 1  -- 1-based indices into the limits
  for _, direction in ipairs(path) do
    local i, j
    if direction == "h" then
      i = limits_v[room_i + 1]
      j = self.rng:int(limits_h[room_j] + 1, limits_h[room_j + 1] - 1)
      room_i = room_i + 1
    else
      i = self.rng:int(limits_v[room_i] + 1, limits_v[room_i + 1] - 1)
      j = limits_h[room_j + 1]
      room_j = room_j + 1
    end
    core.set(self, i, j, core.EMPTY)
  end
end

---------------------------------------------------------------------------
-- MultiRoom
---------------------------------------------------------------------------

-- MiniGrid's _placeRoom: recursively places up to num_left rooms, the first
-- with its top-left corner at the entry door position.
local function place_room(self, num_left, rooms, min_sz, max_sz, entry_wall, ex, ey)
  local W, H = self.width, self.height
  local size_x = self.rng:int(min_sz, max_sz)
  local size_y = self.rng:int(min_sz, max_sz)
  local top_x, top_y
  if #rooms == 0 then
    top_x, top_y = ex, ey
  elseif entry_wall == 0 then
    top_x = ex - size_x + 1
    top_y = core.rand_int(self, ey - size_y + 2, ey)
  elseif entry_wall == 1 then
    top_x = core.rand_int(self, ex - size_x + 2, ex)
    top_y = ey - size_y + 1
  elseif entry_wall == 2 then
    top_x = ex
    top_y = core.rand_int(self, ey - size_y + 2, ey)
  else
    top_x = core.rand_int(self, ex - size_x + 2, ex)
    top_y = ey
  end
  if top_x < 0 or top_y < 0 then return false end
  if top_x + size_x > W or top_y + size_y >= H then return false end
  -- as MiniGrid, the room just before is not checked for overlap
  for n = 1, #rooms - 1 do
    local r = rooms[n]
    local non_overlap = top_x + size_x < r.x or r.x + r.w <= top_x
      or top_y + size_y < r.y or r.y + r.h <= top_y
    if not non_overlap then return false end
  end
  rooms[#rooms + 1] = { x = top_x, y = top_y, w = size_x, h = size_y, door_x = ex, door_y = ey }
  if num_left == 1 then return true end
  for _ = 1, 8 do
    local walls = {}
    for k = 0, 3 do if k ~= entry_wall then walls[#walls + 1] = k end end
    local exit_wall = walls[self.rng:int(1, 3)]
    local next_entry = (exit_wall + 2) % 4
    local dx, dy
    if exit_wall == 0 then
      dx, dy = top_x + size_x - 1, top_y + core.rand_int(self, 1, size_y - 1)
    elseif exit_wall == 1 then
      dx, dy = top_x + core.rand_int(self, 1, size_x - 1), top_y + size_y - 1
    elseif exit_wall == 2 then
      dx, dy = top_x, top_y + core.rand_int(self, 1, size_y - 1)
    else
      dx, dy = top_x + core.rand_int(self, 1, size_x - 1), top_y
    end
    if place_room(self, num_left - 1, rooms, min_sz, max_sz, next_entry, dx, dy) then break end
  end
  return true
end

-- MiniGrid's MultiRoomEnv level: num_rooms rooms of 4..max_room_size cells
-- chained by closed doors of colours that differ from the previous door's.
function M.multi_room(self, num_rooms, max_room_size, width, height)
  width, height = width or 25, height or 25
  self.width, self.height = width, height
  local rooms = {}
  local attempts = 0
  while #rooms < num_rooms do
    attempts = attempts + 1
    if attempts > 100000 then error("could not place " .. num_rooms .. " rooms", 2) end
    local current = {}
    local ex, ey = core.rand_int(self, 0, width - 2), core.rand_int(self, 0, width - 2)
    place_room(self, num_rooms, current, 4, max_room_size, 2, ex, ey)
    if #current > #rooms then rooms = current end
  end
  core.new_grid(self, width, height)
  local prev_color = nil
  for idx, room in ipairs(rooms) do
    for i = 0, room.w - 1 do
      core.wall(self, room.x + i, room.y)
      core.wall(self, room.x + i, room.y + room.h - 1)
    end
    for j = 0, room.h - 1 do
      core.wall(self, room.x, room.y + j)
      core.wall(self, room.x + room.w - 1, room.y + j)
    end
    if idx > 1 then
      local colors = {}
      for _, name in ipairs(core.COLOR_NAMES) do
        if name ~= prev_color then colors[#colors + 1] = name end
      end
      local name = colors[self.rng:int(1, #colors)]
      core.set(self, room.door_x, room.door_y, core.DOOR, core.COLOR_TO_IDX[name], core.CLOSED)
      prev_color = name
    end
  end
  local first, last = rooms[1], rooms[#rooms]
  core.place_agent(self, first.x, first.y, first.w, first.h)
  core.place_obj(self, core.GOAL, core.GREEN, 0, last.x, last.y, last.w, last.h)
  return rooms
end

---------------------------------------------------------------------------
-- RoomGrid (Unlock, KeyCorridor)
---------------------------------------------------------------------------

-- MiniGrid's RoomGrid._gen_grid: num_rows x num_cols rooms of room_size
-- (walls shared), a candidate door position on every inner wall. Returns
-- the room table rg with rg.rooms[j][i] (0-based i, j).
function M.room_grid(self, room_size, num_rows, num_cols)
  local width = (room_size - 1) * num_cols + 1
  local height = (room_size - 1) * num_rows + 1
  core.new_grid(self, width, height)
  local rg = { room_size = room_size, num_rows = num_rows, num_cols = num_cols, rooms = {} }
  for j = 0, num_rows - 1 do
    local row = {}
    for i = 0, num_cols - 1 do
      local room = { i = i, j = j, x = i * (room_size - 1), y = j * (room_size - 1),
                     w = room_size, h = room_size, doors = {}, door_pos = {}, neighbors = {},
                     locked = false }
      row[i] = room
      core.wall_rect(self, room.x, room.y, room.w, room.h)
    end
    rg.rooms[j] = row
  end
  for j = 0, num_rows - 1 do
    for i = 0, num_cols - 1 do
      local room = rg.rooms[j][i]
      local x_l, y_l = room.x + 1, room.y + 1
      local x_m, y_m = room.x + room.w - 1, room.y + room.h - 1
      if i < num_cols - 1 then
        room.neighbors[0] = rg.rooms[j][i + 1]
        room.door_pos[0] = { x_m, core.rand_int(self, y_l, y_m) }
      end
      if j < num_rows - 1 then
        room.neighbors[1] = rg.rooms[j + 1][i]
        room.door_pos[1] = { core.rand_int(self, x_l, x_m), y_m }
      end
      if i > 0 then
        room.neighbors[2] = rg.rooms[j][i - 1]
        room.door_pos[2] = room.neighbors[2].door_pos[0]
      end
      if j > 0 then
        room.neighbors[3] = rg.rooms[j - 1][i]
        room.door_pos[3] = room.neighbors[3].door_pos[1]
      end
    end
  end
  self.agent_x = (num_cols // 2) * (room_size - 1) + room_size // 2
  self.agent_y = (num_rows // 2) * (room_size - 1) + room_size // 2
  self.agent_dir = 0
  return rg
end

local function random_color(self)
  return core.COLOR_IDS[self.rng:int(1, #core.COLOR_IDS)]
end
M.random_color = random_color

-- Adds a door on wall door_idx of room (i, j); colour and lock random when nil.
function M.add_door(self, rg, i, j, door_idx, color, locked)
  local room = rg.rooms[j][i]
  if door_idx == nil then
    repeat door_idx = self.rng:int(0, 3) until room.neighbors[door_idx] and room.doors[door_idx] == nil
  end
  if color == nil then color = random_color(self) end
  if locked == nil then locked = self.rng:int(0, 1) == 0 end
  room.locked = locked
  local pos = room.door_pos[door_idx]
  core.set(self, pos[1], pos[2], core.DOOR, color, locked and core.LOCKED or core.CLOSED)
  room.doors[door_idx] = true
  room.neighbors[door_idx].doors[(door_idx + 2) % 4] = true
  return color, pos[1], pos[2]
end

-- Opens the whole wall wall_idx of room (i, j) (except its corners).
function M.remove_wall(self, rg, i, j, wall_idx)
  local room = rg.rooms[j][i]
  local tx, ty, w, h = room.x, room.y, room.w, room.h
  if wall_idx == 0 then
    for k = 1, h - 2 do core.set(self, tx + w - 1, ty + k, core.EMPTY) end
  elseif wall_idx == 1 then
    for k = 1, w - 2 do core.set(self, tx + k, ty + h - 1, core.EMPTY) end
  elseif wall_idx == 2 then
    for k = 1, h - 2 do core.set(self, tx, ty + k, core.EMPTY) end
  else
    for k = 1, w - 2 do core.set(self, tx + k, ty, core.EMPTY) end
  end
  room.doors[wall_idx] = true
  room.neighbors[wall_idx].doors[(wall_idx + 2) % 4] = true
end

local function reject_next_to(self, x, y)
  return math.abs(self.agent_x - x) + math.abs(self.agent_y - y) < 2
end

-- Places an object in room (i, j), not next to the agent.
function M.add_object(self, rg, i, j, t, color)
  local room = rg.rooms[j][i]
  if color == nil then color = random_color(self) end
  local x, y = core.place_obj(self, t, color, 0, room.x, room.y, room.w, room.h, reject_next_to, 1000)
  return color, x, y
end

-- RoomGrid.place_agent: a random cell of room (i, j) whose front cell is empty or a wall.
function M.place_agent_in_room(self, rg, i, j)
  local room = rg.rooms[j][i]
  while true do
    core.place_agent(self, room.x, room.y, room.w, room.h, true, 1000)
    local ft = core.get(self, self.agent_x + core.DX[self.agent_dir], self.agent_y + core.DY[self.agent_dir])
    if ft == core.EMPTY or ft == core.WALL then break end
  end
end

-- RoomGrid.connect_all: adds unlocked doors until every room is reachable
-- from the agent's room.
function M.connect_all(self, rg)
  local rs = rg.room_size - 1
  local start = rg.rooms[self.agent_y // rs][self.agent_x // rs]
  local total = rg.num_rows * rg.num_cols
  local function reach_count()
    local seen, stack, count = {}, { start }, 0
    while #stack > 0 do
      local room = table.remove(stack)
      local key = room.j * rg.num_cols + room.i
      if not seen[key] then
        seen[key] = true
        count = count + 1
        for k = 0, 3 do
          if room.doors[k] then stack[#stack + 1] = room.neighbors[k] end
        end
      end
    end
    return count
  end
  local iterations = 0
  while true do
    iterations = iterations + 1
    if iterations > 5000 then error("connect_all failed", 2) end
    if reach_count() == total then break end
    local i = self.rng:int(0, rg.num_cols - 1)
    local j = self.rng:int(0, rg.num_rows - 1)
    local k = self.rng:int(0, 3)
    local room = rg.rooms[j][i]
    if room.door_pos[k] and not room.doors[k] then
      local neighbor = room.neighbors[k]
      if not (room.locked or neighbor.locked) then
        M.add_door(self, rg, i, j, k, random_color(self), false)
      end
    end
  end
end

return M
