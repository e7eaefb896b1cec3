-- minigrid.core: MiniGrid-compatible grid worlds (Farama `minigrid` 3.x semantics).
--
-- The world lives in the instance `self` as flat integer arrays, one entry per
-- cell, index `y * width + x + 1` (x, y are 0-based as in MiniGrid):
--
--   self.gt[i]   object type  (MiniGrid OBJECT_TO_IDX: empty 1, wall 2, ... lava 9)
--   self.gc[i]   colour       (COLOR_TO_IDX: red 0 .. grey 5; 0 for empty cells)
--   self.gs[i]   state        (doors: open 0, closed 1, locked 2; 0 otherwise)
--   self.contents[i]  what a box holds: nil or { t, c, s, contents }
--
-- plus the agent (agent_x, agent_y, agent_dir), what it carries (carry_t = 0
-- for nothing, carry_c, carry_s, carry_contents), step_count, max_steps_ep,
-- mission and the task. Everything is plain data, so the host's deep copy
-- clones an episode exactly. This module keeps no state of its own.

local shuffle = require "shuffle"

local M = {}

---------------------------------------------------------------------------
-- Constants (MiniGrid's indices)
---------------------------------------------------------------------------

M.UNSEEN, M.EMPTY, M.WALL, M.FLOOR, M.DOOR = 0, 1, 2, 3, 4
M.KEY, M.BALL, M.BOX, M.GOAL, M.LAVA, M.AGENT = 5, 6, 7, 8, 9, 10

M.OBJECT_TO_IDX = {
  unseen = 0, empty = 1, wall = 2, floor = 3, door = 4, key = 5,
  ball = 6, box = 7, goal = 8, lava = 9, agent = 10,
}
M.IDX_TO_OBJECT = {
  [0] = "unseen", "empty", "wall", "floor", "door", "key",
  "ball", "box", "goal", "lava", "agent",
}

M.RED, M.GREEN, M.BLUE, M.PURPLE, M.YELLOW, M.GREY = 0, 1, 2, 3, 4, 5
M.COLOR_TO_IDX = { red = 0, green = 1, blue = 2, purple = 3, yellow = 4, grey = 5 }
M.IDX_TO_COLOR = { [0] = "red", "green", "blue", "purple", "yellow", "grey" }
-- MiniGrid's COLOR_NAMES (sorted by name): the list its generators draw from.
M.COLOR_NAMES = { "blue", "green", "grey", "purple", "red", "yellow" }
M.COLOR_IDS = { 2, 1, 5, 3, 0, 4 }  -- the same list as indices

M.OPEN, M.CLOSED, M.LOCKED = 0, 1, 2

-- Directions: 0 right (+x), 1 down (+y), 2 left, 3 up.
M.DX = { [0] = 1, 0, -1, 0 }
M.DY = { [0] = 0, 1, 0, -1 }
M.DIR_NAMES = { [0] = "right", "down", "left", "up" }

M.LEFT, M.RIGHT, M.FORWARD, M.PICKUP, M.DROP, M.TOGGLE, M.DONE = 0, 1, 2, 3, 4, 5, 6
M.ACTION_NAMES = { "left", "right", "forward", "pickup", "drop", "toggle", "done" }

-- Tasks: what, beyond MiniGrid's goal and lava, ends an episode with success.
M.TASK_GOAL = 0       -- only the goal square (Empty, DoorKey, FourRooms, ...)
M.TASK_OPEN_DOOR = 1  -- a toggle that leaves the door ahead open (Unlock)
M.TASK_PICKUP = 2     -- picking up an object of type target_t, colour target_c (KeyCorridor)

M.VIEW = 7  -- agent_view_size

local DX, DY = M.DX, M.DY
local VIEW = M.VIEW
local HALF = VIEW // 2
local NCELL = VIEW * VIEW
local AGENT_K = (VIEW - 1) * VIEW + HALF + 1  -- the agent's cell in the view

-- For each direction d and view cell k = vy * 7 + vx + 1 (vx column, vy row,
-- the agent at vx = 3, vy = 6 facing up): the world offset from the agent.
-- MiniGrid: slice the view square, rotate it left d + 1 times; equivalently
-- world = agent + forward * (6 - vy) + right * (vx - 3), right = (-dy, dx).
local OFFX, OFFY = {}, {}
for d = 0, 3 do
  local fx, fy = DX[d], DY[d]
  local rx, ry = -fy, fx
  local ox, oy = {}, {}
  for vy = 0, VIEW - 1 do
    for vx = 0, VIEW - 1 do
      local k = vy * VIEW + vx + 1
      ox[k] = fx * (VIEW - 1 - vy) + rx * (vx - HALF)
      oy[k] = fy * (VIEW - 1 - vy) + ry * (vx - HALF)
    end
  end
  OFFX[d], OFFY[d] = ox, oy
end

---------------------------------------------------------------------------
-- The observation space and the facts every gridworld shares
---------------------------------------------------------------------------

function M.observation_space()
  return space.dict{
    image = space.box(0, 255, { VIEW, VIEW, 3 }),
    direction = space.discrete(4),
    mission = space.text(256),
  }
end

function M.action_space() return space.discrete(7) end

-- Fills the shared fields of an environment table E.
function M.declare(E)
  E.observation_space = M.observation_space()
  E.action_space = M.action_space()
  E.action_names = M.ACTION_NAMES
  E.reward_range = E.reward_range or { 0, 1 }
  E.success_threshold = E.success_threshold or 0.1
  E.players = 1
  return E
end

---------------------------------------------------------------------------
-- Grid construction (used by the level generators in reset)
---------------------------------------------------------------------------

-- A new empty world of width x height; forgets the agent and what it carries.
function M.new_grid(self, width, height)
  self.width, self.height = width, height
  local n = width * height
  local gt, gc, gs = {}, {}, {}
  for i = 1, n do gt[i] = 1; gc[i] = 0; gs[i] = 0 end
  self.gt, self.gc, self.gs = gt, gc, gs
  self.contents = {}
  self.agent_x, self.agent_y, self.agent_dir = -1, -1, 0
  self.carry_t, self.carry_c, self.carry_s, self.carry_contents = 0, 0, 0, nil
end

function M.in_bounds(self, x, y)
  return x >= 0 and y >= 0 and x < self.width and y < self.height
end

-- Sets cell (x, y) to an object (type, colour, state, box contents); t = 1 empties it.
function M.set(self, x, y, t, c, s, contents)
  local i = y * self.width + x + 1
  self.gt[i] = t
  if t == 1 then
    self.gc[i], self.gs[i] = 0, 0
  else
    self.gc[i], self.gs[i] = c or 0, s or 0
  end
  self.contents[i] = contents
end

function M.get(self, x, y)
  if x < 0 or y < 0 or x >= self.width or y >= self.height then return 2, 5, 0, nil end
  local i = y * self.width + x + 1
  return self.gt[i], self.gc[i], self.gs[i], self.contents[i]
end

function M.is_empty(self, x, y)
  return self.gt[y * self.width + x + 1] == 1
end

function M.wall(self, x, y) M.set(self, x, y, 2, 5, 0) end

function M.horz_wall(self, x, y, length, t, c)
  length = length or (self.width - x)
  for i = 0, length - 1 do M.set(self, x + i, y, t or 2, c or 5, 0) end
end

function M.vert_wall(self, x, y, length, t, c)
  length = length or (self.height - y)
  for j = 0, length - 1 do M.set(self, x, y + j, t or 2, c or 5, 0) end
end

function M.wall_rect(self, x, y, w, h)
  M.horz_wall(self, x, y, w)
  M.horz_wall(self, x, y + h - 1, w)
  M.vert_wall(self, x, y, h)
  M.vert_wall(self, x + w - 1, y, h)
end

-- MiniGrid's _rand_int(low, high): an integer in [low, high).
function M.rand_int(self, low, high) return self.rng:int(low, high - 1) end

-- MiniGrid's place_obj: a uniformly random empty cell of the rectangle
-- (top_x, top_y, size_x, size_y), not the agent's, not rejected by
-- reject(self, x, y). Puts the object there (t == nil places nothing) and
-- returns x, y.
function M.place_obj(self, t, c, s, top_x, top_y, size_x, size_y, reject, max_tries)
  top_x = math.max(top_x or 0, 0)
  top_y = math.max(top_y or 0, 0)
  size_x = size_x or self.width
  size_y = size_y or self.height
  local hx = math.min(top_x + size_x, self.width)
  local hy = math.min(top_y + size_y, self.height)
  max_tries = max_tries or 100000
  local tries = 0
  while true do
    tries = tries + 1
    if tries > max_tries then error("rejection sampling failed in place_obj", 2) end
    local x = self.rng:int(top_x, hx - 1)
    local y = self.rng:int(top_y, hy - 1)
    if M.is_empty(self, x, y) and not (x == self.agent_x and y == self.agent_y)
        and not (reject and reject(self, x, y)) then
      if t ~= nil then M.set(self, x, y, t, c, s) end
      return x, y
    end
  end
end

-- MiniGrid's place_agent: a random empty cell of the rectangle and, if
-- rand_dir ~= false, a random direction.
function M.place_agent(self, top_x, top_y, size_x, size_y, rand_dir, max_tries)
  self.agent_x, self.agent_y = -1, -1
  local x, y = M.place_obj(self, nil, nil, nil, top_x, top_y, size_x, size_y, nil, max_tries)
  self.agent_x, self.agent_y = x, y
  if rand_dir ~= false then self.agent_dir = self.rng:int(0, 3) end
  return x, y
end

-- Fisher-Yates shuffle of a list in place with self.rng (lib/shuffle.lua).
function M.shuffle(self, list)
  return shuffle(self.rng, list)
end

---------------------------------------------------------------------------
-- Episode start, observation, step
---------------------------------------------------------------------------

-- Allocates the observation tables once per instance.
local function ensure_obs(self)
  local obs = self.obs
  if obs ~= nil then return obs end
  local image, cells = {}, {}
  for vx = 1, VIEW do
    local column = {}
    for vy = 1, VIEW do
      local cell = { 0, 0, 0 }
      column[vy] = cell
      cells[(vy - 1) * VIEW + vx] = cell
    end
    image[vx] = column
  end
  obs = { image = image, direction = 0, mission = "" }
  self.obs = obs
  self.view_cells = cells      -- view cell k -> image[vx][vy] (shared tables)
  self.view_opaque, self.view_mask = {}, {}
  self.info = { steps = 0 }
  return obs
end

-- Writes the egocentric 7x7x3 view into self.obs.image (no allocation).
function M.gen_obs(self)
  local obs = self.obs
  local gt, gc, gs = self.gt, self.gc, self.gs
  local W, H = self.width, self.height
  local ax, ay, dir = self.agent_x, self.agent_y, self.agent_dir
  local ox, oy = OFFX[dir], OFFY[dir]
  local opaque, mask = self.view_opaque, self.view_mask
  local cells = self.view_cells

  -- copy the world under the view; outside the grid MiniGrid sees grey walls
  for k = 1, NCELL do
    local x, y = ax + ox[k], ay + oy[k]
    local cell = cells[k]
    if x >= 0 and y >= 0 and x < W and y < H then
      local i = y * W + x + 1
      local t, s = gt[i], gs[i]
      cell[1], cell[2], cell[3] = t, gc[i], s
      opaque[k] = t == 2 or (t == 4 and s ~= 0)
    else
      cell[1], cell[2], cell[3] = 2, 5, 0
      opaque[k] = true
    end
  end

  if self.see_through_walls then
    for k = 1, NCELL do mask[k] = true end
  else
    -- MiniGrid's Grid.process_vis, agent at (3, 6) of the view; cells it
    -- cannot see become unseen (0, 0, 0)
    for k = 1, NCELL do mask[k] = false end
    mask[AGENT_K] = true
    for j = VIEW - 1, 0, -1 do
      local row = j * VIEW
      for k = row + 1, row + VIEW - 1 do
        if mask[k] and not opaque[k] then
          mask[k + 1] = true
          if j > 0 then mask[k + 1 - VIEW] = true; mask[k - VIEW] = true end
        end
      end
      for k = row + VIEW, row + 2, -1 do
        if mask[k] and not opaque[k] then
          mask[k - 1] = true
          if j > 0 then mask[k - 1 - VIEW] = true; mask[k - VIEW] = true end
        end
      end
    end
    for k = 1, NCELL do
      if not mask[k] then
        local cell = cells[k]
        cell[1], cell[2], cell[3] = 0, 0, 0
      end
    end
  end
  -- The agent sees what it carries in its own cell.
  local cell = cells[AGENT_K]
  local ct = self.carry_t
  if ct ~= 0 then
    cell[1], cell[2], cell[3] = ct, self.carry_c, self.carry_s
  else
    cell[1], cell[2], cell[3] = 1, 0, 0
  end
  obs.direction = dir
  return obs
end

-- Finishes reset once a generator has built the world: agent placed,
-- self.max_steps_ep, self.mission, self.see_through_walls and the task set.
function M.start(self)
  local obs = ensure_obs(self)
  if self.agent_x < 0 then error("level has no agent", 2) end
  self.step_count = 0
  self.task = self.task or M.TASK_GOAL
  obs.mission = self.mission or ""
  local info = self.info
  info.steps = 0
  M.gen_obs(self)
  return obs, info
end

-- Sets the episode facts most generators share.
function M.setup(self, max_steps, mission, see_through_walls)
  self.max_steps_ep = max_steps
  self.mission = mission
  self.see_through_walls = see_through_walls and true or false
  self.task = M.TASK_GOAL
  self.target_t, self.target_c = 0, 0
end

function M.step(self, action)
  local sc = self.step_count + 1
  self.step_count = sc
  local reward, terminated = 0, false

  local W, H = self.width, self.height
  local gt, gs = self.gt, self.gs
  local dir = self.agent_dir
  local fx, fy = self.agent_x + DX[dir], self.agent_y + DY[dir]
  local inside = fx >= 0 and fy >= 0 and fx < W and fy < H
  local fi = fy * W + fx + 1
  local ft = 2
  if inside then ft = gt[fi] end

  if action == 2 then  -- forward
    if ft == 1 or ft == 3 or ft == 8 or ft == 9 or (ft == 4 and gs[fi] == 0) then
      self.agent_x, self.agent_y = fx, fy
    end
    if ft == 8 then
      terminated = true
      reward = 1 - 0.9 * (sc / self.max_steps_ep)
    elseif ft == 9 then
      terminated = true
    end
  elseif action == 0 then  -- left
    self.agent_dir = (dir + 3) % 4
  elseif action == 1 then  -- right
    self.agent_dir = (dir + 1) % 4
  elseif action == 3 then  -- pickup
    if (ft == 5 or ft == 6 or ft == 7) and self.carry_t == 0 then
      local gc, contents = self.gc, self.contents
      self.carry_t, self.carry_c, self.carry_s = ft, gc[fi], gs[fi]
      self.carry_contents = contents[fi]
      gt[fi], gc[fi], gs[fi] = 1, 0, 0
      contents[fi] = nil
      if self.task == 2 and ft == self.target_t and self.carry_c == self.target_c then
        terminated = true
        reward = 1 - 0.9 * (sc / self.max_steps_ep)
      end
    end
  elseif action == 4 then  -- drop
    if inside and ft == 1 and self.carry_t ~= 0 then
      gt[fi], self.gc[fi], gs[fi] = self.carry_t, self.carry_c, self.carry_s
      self.contents[fi] = self.carry_contents
      self.carry_t, self.carry_c, self.carry_s, self.carry_contents = 0, 0, 0, nil
    end
  elseif action == 5 then  -- toggle
    if ft == 4 then
      local state = gs[fi]
      if state == 2 then
        if self.carry_t == 5 and self.carry_c == self.gc[fi] then gs[fi] = 0 end
      elseif state == 0 then
        gs[fi] = 1
      else
        gs[fi] = 0
      end
      if self.task == 1 and gs[fi] == 0 then
        terminated = true
        reward = 1 - 0.9 * (sc / self.max_steps_ep)
      end
    elseif ft == 7 and inside then  -- a box turns into what it holds
      local inner = self.contents[fi]
      if inner == nil then
        gt[fi], self.gc[fi], gs[fi] = 1, 0, 0
        self.contents[fi] = nil
      else
        gt[fi], self.gc[fi], gs[fi] = inner[1], inner[2], inner[3]
        self.contents[fi] = inner[4]
      end
    end
  elseif action ~= 6 then
    error("unknown action " .. tostring(action), 2)
  end

  local obs = M.gen_obs(self)
  local info = self.info
  info.steps = sc
  -- As MiniGrid: truncated whenever the step budget is used up, even on the
  -- step that also terminates.
  return obs, reward, terminated, sc >= self.max_steps_ep, info
end

---------------------------------------------------------------------------
-- Queries
---------------------------------------------------------------------------

-- Breadth-first distance (in moves, ignoring turns) from (x0, y0) to every
-- cell, walking through cells that pass(t, s) accepts. Returns a table
-- index -> distance (nil when unreachable).
function M.distances(self, x0, y0, pass)
  local W, H = self.width, self.height
  local gt, gs = self.gt, self.gs
  local dist = {}
  local queue, head = { y0 * W + x0 + 1 }, 1
  dist[queue[1]] = 0
  while head <= #queue do
    local i = queue[head]; head = head + 1
    local x, y = (i - 1) % W, (i - 1) // W
    local d = dist[i] + 1
    for dir = 0, 3 do
      local nx, ny = x + DX[dir], y + DY[dir]
      if nx >= 0 and ny >= 0 and nx < W and ny < H then
        local j = ny * W + nx + 1
        if dist[j] == nil and pass(gt[j], gs[j]) then
          dist[j] = d
          queue[#queue + 1] = j
        end
      end
    end
  end
  return dist
end

return M
