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
local G = require "critic_game"

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

local game = {
  observe = observe,
  rewrite = function(self, kind)
    return C.critic_rewrite(self.rng, kind, self.pool, self.used, self.correct_step)
  end,
  verify = function(self, steps)
    return C.verify_trace(self.numbers0, self.target, steps)
  end,
}
G.install(E, game)

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
  return G.start(self, params, game)
end

return E
