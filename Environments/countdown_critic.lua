-- countdown/critic: the SPC generator/critic game on Countdown solution steps.
--
-- reset draws a puzzle and a correct solution trace (lib/countdown.lua), a prefix
-- length k (uniform in 0 .. #trace-1) and whether the episode shows the correct
-- step trace[k+1] (probability correct_rate: the critic moves first) or lets the
-- sneaky generator move. The generator (player 1) picks an error type; the env
-- rewrites the correct step into a wrong one of that type with self.rng and the
-- trace verifier decides the truth (a rewrite that is impossible or turns out
-- right falls back to the next type, and to the correct step if none works). The
-- critic (player 2) judges the candidate: action 0 = "correct", 1 = "incorrect".
--
-- Rewards (zero-sum, as SPC): critic right -> {-1, +1}, critic fooled -> {+1, -1};
-- when the correct step was shown without a generator move, the generator gets 0.
-- The observation holds a human-readable text (puzzle, prefix, candidate) and
-- surface features of the candidate (layout: C.CRITIC_FEATURES, docs/critic.md).

local C = require "countdown"

local ERRORS = C.CRITIC_ERRORS
local NF = #C.CRITIC_FEATURES

local E = {
  id = "countdown/critic",
  description = "SPC self-play critic on Countdown steps: a sneaky generator corrupts a solution step, a critic judges it.",
  version = "1.0.0",
  players = 2,
  roles = { "generator", "critic" },

  observation_space = space.dict{
    text = space.text(4096),
    features = space.box(-1e9, 1e9, { NF }),
    role = space.discrete(3),              -- the player to move; 0 once over
  },
  action_space = space.discrete(math.max(#ERRORS, 2)),
  error_types = ERRORS,                    -- generator action i rewrites with error type ERRORS[i + 1]

  params = {
    min_numbers = { kind = "int", min = 2, max = C.MAX_NUMBERS, default = 4, description = "fewest numbers in a puzzle" },
    max_numbers = { kind = "int", min = 2, max = C.MAX_NUMBERS, default = 6, description = "most numbers in a puzzle" },
    min_value = { kind = "int", min = 1, max = 1000, default = 1, description = "smallest starting number" },
    max_value = { kind = "int", min = 1, max = 1000, default = 100, description = "largest starting number" },
    min_target = { kind = "int", min = 1, max = 100000, default = 100, description = "smallest target" },
    max_target = { kind = "int", min = 1, max = 100000, default = 999, description = "largest target" },
    operators = { kind = "choice", choices = C.OPERATOR_CHOICES, default = "+-*/",
                  description = "allowed operators in the puzzle's solution" },
    correct_rate = { kind = "float", min = 0, max = 1, default = 0.5,
                     description = "probability that the episode shows the correct step (no generator move)" },
  },

  max_steps = 2,
  reward_range = { -1, 1 },
}

local function question_text(self)
  local lines = {
    "Countdown. Numbers: " .. table.concat(self.numbers0, ", ") .. ". Target: " .. self.target .. ".",
    "Each step combines two available numbers with + - * /; the result becomes available.",
  }
  local k = self.k
  if k == 0 then
    lines[#lines + 1] = "Solution steps so far: none."
  else
    lines[#lines + 1] = "Solution steps so far:"
    for i = 1, k do lines[#lines + 1] = "Step " .. i .. ": " .. self.trace[i] end
  end
  return lines
end

-- Sets the observation for the player to move (1 generator, 2 critic, 0 over).
local function observe(self, role)
  local obs = self.obs
  local lines = question_text(self)
  local k = self.k
  if role == 1 then
    lines[#lines + 1] = "Correct step " .. (k + 1) .. ": " .. self.correct_step
    local names = {}
    for i, name in ipairs(ERRORS) do names[i] = (i - 1) .. " " .. name end
    lines[#lines + 1] = "Rewrite it into a wrong step of type: " .. table.concat(names, ", ") .. "."
    C.critic_features(self.pool, self.correct_step, k, obs.features)
  else
    lines[#lines + 1] = "Proposed step " .. (k + 1) .. ": " .. self.candidate
    lines[#lines + 1] = "Is step " .. (k + 1) .. " correct? Answer correct or incorrect."
    C.critic_features(self.pool, self.candidate, k, obs.features)
  end
  obs.text = table.concat(lines, "\n")
  obs.role = role
end

function E.reset(self, params)
  local cfg = {
    min_numbers = params.min_numbers, max_numbers = params.max_numbers,
    min_value = params.min_value, max_value = params.max_value,
    min_target = params.min_target, max_target = params.max_target,
    operators = params.operators,
  }
  local puzzle = C.generate(self.rng, cfg)
  self.numbers0 = puzzle.numbers
  self.target = puzzle.target
  self.trace = puzzle.steps
  local k = self.rng:int(0, #puzzle.steps - 1)
  self.k = k
  local prefix = {}
  for i = 1, k do prefix[i] = puzzle.steps[i] end
  self.prefix = prefix
  self.pool, self.used = C.pool_after(puzzle.numbers, prefix)
  self.correct_step = puzzle.steps[k + 1]
  self.show_correct = self.rng:float() < params.correct_rate
  self.generator_moved = false
  self.error_type = "none"
  self.candidate = self.correct_step
  self.player = self.show_correct and 2 or 1

  if self.obs == nil then self.obs = { features = {} } end
  observe(self, self.player)
  local info = self.info
  if info == nil then info = {}; self.info = info end
  info.truth, info.error_type, info.verdict, info.first_wrong, info.prefix_length = nil, nil, nil, nil, nil
  return self.obs, info
end

function E.current_player(self) return self.player end

function E.legal_actions(self)
  local legal = {}
  if self.player == 1 then
    for i = 1, #ERRORS do legal[i] = i - 1 end
  elseif self.player == 2 then
    legal[1], legal[2] = 0, 1
  end
  return legal
end

-- Truth of a candidate: index of the first wrong step of prefix + {candidate}, or nil.
local function first_wrong(self, candidate)
  local steps = {}
  for i = 1, self.k do steps[i] = self.prefix[i] end
  steps[self.k + 1] = candidate
  return (C.verify_trace(self.numbers0, self.target, steps))
end

-- The generator's move: the first type from `choice` on (cyclically) whose
-- rewrite the verifier rejects; the correct step if none does.
local function corrupt(self, choice)
  local n = #ERRORS
  for t = 0, n - 1 do
    local kind = ERRORS[(choice + t) % n + 1]
    local cand = C.critic_rewrite(self.rng, kind, self.pool, self.used, self.correct_step)
    if cand ~= nil and first_wrong(self, cand) ~= nil then return cand, kind end
  end
  return self.correct_step, "none"
end

function E.step(self, action)
  local player = self.player
  if player == 0 then error("the episode is over", 2) end
  if math.type(action) ~= "integer" or action < 0
      or (player == 1 and action >= #ERRORS) or (player == 2 and action > 1) then
    error("illegal action " .. tostring(action), 2)
  end
  local info = self.info
  if player == 1 then
    self.generator_moved = true
    self.candidate, self.error_type = corrupt(self, action)
    self.player = 2
    observe(self, 2)
    return self.obs, { 0, 0 }, false, false, info
  end

  local fw = first_wrong(self, self.candidate)
  local truth = fw == nil and "correct" or "incorrect"
  local verdict = action == 0 and "correct" or "incorrect"
  local critic = verdict == truth and 1 or -1
  local generator = self.generator_moved and -critic or 0
  self.player = 0
  self.obs.role = 0
  info.truth, info.error_type, info.verdict, info.first_wrong = truth, self.error_type, verdict, fw
  info.prefix_length = self.k
  return self.obs, { generator, critic }, true, false, info
end

function E.render(self)
  local text = self.obs.text
  if self.player == 0 then
    local info = self.info
    text = text .. "\nCritic: " .. info.verdict .. ". Truth: " .. info.truth
      .. (info.error_type ~= "none" and (" (" .. info.error_type .. ")") or "") .. "."
  end
  return text
end

return E
