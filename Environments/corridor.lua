-- corridor: walk right along a 1-D corridor to the goal in its last cell.
--
-- Cells are 0 .. length-1 and the goal is cell length-1. The start cell is drawn
-- uniformly from 0 .. length-2. Each move goes the wrong way with probability
-- `slip`. Every step costs 0.01; the step that reaches the goal pays +1 instead
-- and ends the episode. An episode is cut (truncated) after 4*length steps.

local grid_text = require "grid_text"

local E = {
  id = "corridor",
  description = "Walk along a 1-D corridor to the goal at its right end; moves may slip.",
  version = "1.0.0",
  players = 1,

  -- {position, goal}, both 0-based cell indices (length is at most 64).
  observation_space = space.multi_discrete{ 64, 64 },
  -- 0 = left, 1 = right.
  action_space = space.discrete(2),

  params = {
    length = { kind = "int", min = 2, max = 64, default = 8,
               description = "number of cells; the goal is the last one" },
    slip = { kind = "float", min = 0, max = 0.5, default = 0,
             description = "probability that a move goes the other way" },
  },

  max_steps = 256,              -- 4 * length at the largest length
  reward_range = { -2.56, 1 },  -- 256 steps of -0.01 .. reaching the goal at once
  success_threshold = 0.5,
}

local STEP_COST = -0.01
local GOAL_REWARD = 1.0

function E.reset(self, params)
  local length = math.tointeger(params.length) or params.length
  self.length = length
  self.goal = length - 1
  self.slip = params.slip
  self.limit = 4 * length
  self.steps = 0
  self.pos = self.rng:int(0, length - 2)

  local obs = self.obs
  if obs == nil then obs = {}; self.obs = obs end
  obs[1], obs[2] = self.pos, self.goal

  local info = self.info
  if info == nil then info = {}; self.info = info end
  info.steps = 0
  return obs, info
end

function E.step(self, action)
  local dir = action == 1 and 1 or -1
  local slip = self.slip
  if slip > 0 and self.rng:float() < slip then dir = -dir end

  local pos = self.pos + dir
  if pos < 0 then pos = 0 end
  self.pos = pos

  local steps = self.steps + 1
  self.steps = steps
  self.obs[1] = pos
  self.info.steps = steps

  if pos == self.goal then
    return self.obs, GOAL_REWARD, true, false, self.info
  end
  return self.obs, STEP_COST, false, steps >= self.limit, self.info
end

function E.render(self)
  local cells = {}
  for i = 1, self.length do cells[i] = 0 end
  cells[self.goal + 1] = 2
  cells[self.pos + 1] = 1
  return grid_text.strip(cells, ".AG")
end

return E
