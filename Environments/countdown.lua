-- countdown: combine numbers pairwise with + - * / until one is left; it should equal the target.
--
-- Puzzles follow reasoning-gym's countdown (same params and defaults) and always
-- have a solution that uses every number once (see lib/countdown/generator.lua). One extra
-- param, `numbers`, is a single curriculum level: when 2 or more it fixes the count
-- (min_numbers = max_numbers = numbers), e.g. levels 3, 4, 5 for training and 6 as
-- the held-out test (SEC); the default 0 keeps reasoning-gym's min/max (4..6).
-- numbers = 1 is treated as 0 (a puzzle needs two numbers).
--
-- Step mode. Numbers sit in slots 1..count (unused slots hold 0). An action picks
-- two slots i < j and an operator; the larger of the two numbers goes first, so
-- "-" and "/" never give negative or fractional results, and "/" is allowed only
-- when it divides exactly. The result takes slot i, slot j is removed (later slots
-- shift down). Results above 10^12 are refused (not legal).
--
--   action = pair * 4 + op     op: 0 "+", 1 "-", 2 "*", 3 "/"
--   pair   = index of (i, j) in the list (1,2), (1,3), ..., (1,15), (2,3), ..., (14,15)
--
-- The episode ends when one number is left (reward 1 if it is the target, else 0),
-- or earlier when no legal action is left (reward 0). The functions item, score,
-- score_item, verify_trace and solve serve the question/answer form of the puzzle.

local rules = require "countdown.rules"
local CE = require "countdown.env"
local solver = require "countdown.solver"
local text = require "countdown.text"

local MAX = rules.MAX_NUMBERS
local CAP = rules.CAP

-- PAIRS[p] = {i, j} for p = 0 .. MAX*(MAX-1)/2 - 1 (constant).
local PAIRS, PAIR_INDEX = {}, {}
do
  local p = 0
  for i = 1, MAX - 1 do
    PAIR_INDEX[i] = {}
    for j = i + 1, MAX do
      PAIRS[p] = { i, j }
      PAIR_INDEX[i][j] = p
      p = p + 1
    end
  end
end
local NUM_PAIRS = MAX * (MAX - 1) // 2
local OP_CODE = { ["+"] = 0, ["-"] = 1, ["*"] = 2, ["/"] = 3 }

local E = {
  id = "countdown",
  description = "Countdown numbers: combine the numbers two at a time with + - * / to reach the target.",
  version = "1.1.0",
  players = 1,

  observation_space = space.dict{
    numbers = space.box(0, CAP, { MAX }),   -- slots 1..count hold the numbers, the rest 0
    count = space.discrete(MAX + 1),        -- how many numbers are left
    target = space.box(0, CAP, { 1 }),
  },
  action_space = space.discrete(NUM_PAIRS * 4),

  params = CE.params{
    numbers = { kind = "int", min = 0, max = MAX, default = 0,
                description = "numbers in every puzzle (a curriculum level: sets min_numbers and max_numbers); 0: use min_numbers..max_numbers" },
    partial_credit = CE.partial_credit_param("text scores for wrong answers: 0.05/0.01 (reasoning-gym) or 0.1/0 (seed papers)"),
  },

  max_steps = MAX - 1,
  reward_range = { 0, 1 },
  success_threshold = 1,
}

CE.install(E)

function E.reset(self, params)
  self:new_puzzle(params)
  local obs = self.obs
  if obs == nil then
    obs = { numbers = {}, target = { 0 } }
    self.obs = obs
  end
  local numbers = obs.numbers
  for k = 1, MAX do numbers[k] = self.numbers0[k] or 0 end
  obs.count = #self.numbers0
  obs.target[1] = self.target
  self.history = {}        -- flat: a, op code, b, result per step
  self.steps = 0
  self.over = false
  local info = self.info
  if info == nil then info = {}; self.info = info end
  info.steps, info.solved, info.dead_end = 0, false, false
  return obs, info
end

local OPS = rules.OPS

-- The result of action `action` in the current state, or nil if illegal.
local function outcome(self, action)
  if math.type(action) ~= "integer" or action < 0 or action >= NUM_PAIRS * 4 then return nil end
  local pair = PAIRS[action // 4]
  local op = OPS[action % 4 + 1]
  local i, j = pair[1], pair[2]
  local obs = self.obs
  if j > obs.count or not self.opset[op] then return nil end
  local r, a, b = rules.combine(obs.numbers[i], obs.numbers[j], op)
  return r, a, b, i, j, op
end

function E.legal_actions(self)
  local legal = {}
  if self.over then return legal end
  local obs, opset = self.obs, self.opset
  local count, numbers = obs.count, obs.numbers
  local n = 0
  for p = 0, NUM_PAIRS - 1 do
    local pair = PAIRS[p]
    local i, j = pair[1], pair[2]
    if j <= count then
      local x, y = numbers[i], numbers[j]
      for o = 1, 4 do
        local op = OPS[o]
        if opset[op] and rules.combine(x, y, op) ~= nil then
          n = n + 1
          legal[n] = p * 4 + o - 1
        end
      end
    end
  end
  return legal
end

-- 1 while the episode runs, 0 once it is over.
function E.current_player(self)
  return self.over and 0 or 1
end

function E.step(self, action)
  if self.over then error("the episode is over", 2) end
  local r, a, b, i, j, op = outcome(self, action)
  if r == nil then error("illegal action " .. tostring(action), 2) end
  local obs = self.obs
  local numbers, count = obs.numbers, obs.count
  numbers[i] = r
  for k = j, count - 1 do numbers[k] = numbers[k + 1] end
  numbers[count] = 0
  count = count - 1
  obs.count = count
  local h = self.history
  h[#h + 1] = a; h[#h + 1] = OP_CODE[op]; h[#h + 1] = b; h[#h + 1] = r
  self.steps = self.steps + 1
  local info = self.info
  info.steps = self.steps

  local reward, terminated = 0, false
  if count == 1 then
    terminated = true
    if numbers[1] == self.target then reward = 1; info.solved = true end
  elseif #E.legal_actions(self) == 0 then
    terminated = true
    info.dead_end = true
  end
  self.over = terminated
  return obs, reward, terminated, false, info
end

-- How a language-model prompt names a legal action (docs/llm.md): "69 + 97 = 166".
function E.action_label(self, action)
  local r, a, b, _, _, op = outcome(self, action)
  if r == nil then return nil end
  return tostring(a) .. " " .. tostring(op) .. " " .. tostring(b) .. " = " .. tostring(r)
end

function E.render(self)
  local obs = self.obs
  local lines = {}
  for k = 1, #self.history, 4 do
    local h = self.history
    lines[#lines + 1] = string.format("  %d %s %d = %d", h[k], OPS[h[k + 1] + 1], h[k + 2], h[k + 3])
  end
  local left = {}
  for k = 1, obs.count do left[k] = tostring(obs.numbers[k]) end
  lines[#lines + 1] = "numbers: " .. table.concat(left, " ") .. "   target: " .. self.target
  if self.over then
    lines[#lines + 1] = self.info.solved and "solved" or "not solved"
  end
  return table.concat(lines, "\n")
end

---------------------------------------------------------------------------
-- Question/answer functions (shared with countdown/text).
---------------------------------------------------------------------------

-- The steps taken so far, as "a op b = c" strings.
function E.trace(self)
  local out, h = {}, self.history or {}
  for k = 1, #h, 4 do
    out[#out + 1] = string.format("%d %s %d = %d", h[k], OPS[h[k + 1] + 1], h[k + 2], h[k + 3])
  end
  return out
end

-- A solution from the current state, as steps; the stored one at the start.
function E.solve(self)
  local obs = self.obs
  if obs == nil or self.steps == 0 then return self.puzzle.steps end
  if self.over then return nil end
  local left = {}
  for k = 1, obs.count do left[k] = obs.numbers[k] end
  return (solver.solve(left, self.target, self.params.operators))
end

-- A solution from the current state as step-mode actions, or nil.
function E.solution_actions(self)
  local steps = E.solve(self)
  if steps == nil then return nil end
  local values = {}
  for k = 1, self.obs.count do values[k] = self.obs.numbers[k] end
  local actions = {}
  for _, step in ipairs(steps) do
    local a, op, b, c = text.parse_step(step)
    local ia, ib
    for k = 1, #values do if values[k] == a then ia = k; break end end
    for k = 1, #values do if k ~= ia and values[k] == b then ib = k; break end end
    if ia == nil or ib == nil then return nil end
    local i, j = math.min(ia, ib), math.max(ia, ib)
    actions[#actions + 1] = PAIR_INDEX[i][j] * 4 + OP_CODE[op]
    values[i] = c
    table.remove(values, j)
  end
  return actions
end

return E
