-- sudoku/critic: the SPC generator/critic game on Sudoku placements.
--
-- reset draws a puzzle with a unique solution (lib/sudoku.lua), a correct trace of
-- placements (the empty cells in a random order by default; trace_order =
-- "forced_first" puts naked/hidden singles first), a prefix length k (uniform
-- in 0 .. #trace-1) and whether the episode shows the correct placement trace[k+1]
-- (probability correct_rate: the critic moves first) or lets the sneaky generator
-- move. The generator (player 1) picks an error type; the env rewrites the correct
-- placement into a wrong one of that type with self.rng and the trace verifier
-- decides the truth (a rewrite that is impossible or turns out right falls back to
-- the next type, and to the correct placement if none works). The critic
-- (player 2) judges the candidate: action 0 = "correct", 1 = "incorrect".
--
-- Rewards (zero-sum, as SPC): critic right -> {-1, +1}, critic fooled -> {+1, -1};
-- when the correct placement was shown without a generator move, the generator
-- gets 0. The observation holds a human-readable text (puzzle, prefix, candidate)
-- and surface features of the candidate (layout: S.CRITIC_FEATURES, docs/critic.md).

local S = require "sudoku"
local G = require "critic_game"

local ERRORS = S.CRITIC_ERRORS
local NF = #S.CRITIC_FEATURES

local E = {
  id = "sudoku/critic",
  description = "SPC self-play critic on Sudoku placements: a sneaky generator corrupts a solution step, a critic judges it.",
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
    size = { kind = "choice", choices = { 4, 9 }, default = 4, description = "grid size: 4 (2x2 boxes) or 9 (3x3 boxes)" },
    min_empty = { kind = "int", min = 1, max = 64, default = 30, description = "fewest empty cells (4x4: at most 12)" },
    max_empty = { kind = "int", min = 1, max = 64, default = 50, description = "most empty cells (4x4: at most 12)" },
    trace_order = { kind = "choice", choices = { "random", "forced_first" }, default = "random",
                    description = "order of the correct trace: empty cells shuffled, or forced cells (singles) first" },
    correct_rate = { kind = "float", min = 0, max = 1, default = 0.5,
                     description = "probability that the episode shows the correct step (no generator move)" },
  },

  max_steps = 2,
  reward_range = { -1, 1 },
}

local function question_text(self)
  local n = self.n
  local b = n == 4 and 2 or 3
  local lines = {
    string.format("Sudoku %dx%d (digits 1-%d; each row, column and %dx%d box holds each digit once). Puzzle (_ = empty):",
      n, n, n, b, b),
    S.to_string(self.puzzle, n),
    "Each step places one digit: \"r3c2=4\" puts 4 in row 3, column 2. The puzzle has exactly one solution.",
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

-- Sets the observation for the player to move (1 generator, 2 critic).
local function observe(self, role)
  local obs = self.obs
  local lines = question_text(self)
  local k = self.k
  if role == 1 then
    lines[#lines + 1] = "Correct step " .. (k + 1) .. ": " .. self.correct_step
    local names = {}
    for i, name in ipairs(ERRORS) do names[i] = (i - 1) .. " " .. name end
    lines[#lines + 1] = "Rewrite it into a wrong step of type: " .. table.concat(names, ", ") .. "."
    S.critic_features(self.grid, self.n, self.correct_step, k, obs.features)
  else
    lines[#lines + 1] = "Proposed step " .. (k + 1) .. ": " .. self.candidate
    lines[#lines + 1] = "Is step " .. (k + 1) .. " correct? Answer correct or incorrect."
    S.critic_features(self.grid, self.n, self.candidate, k, obs.features)
  end
  obs.text = table.concat(lines, "\n")
  obs.role = role
end

local game = {
  observe = observe,
  rewrite = function(self, kind)
    return S.critic_rewrite(self.rng, kind, self.grid, self.solution, self.n, self.correct_step)
  end,
  verify = function(self, steps)
    return S.verify_trace(self.puzzle, self.solution, self.n, steps)
  end,
}
G.install(E, game)

function E.reset(self, params)
  local n = math.tointeger(tonumber(params.size)) or 4
  local gen = S.generate(self.rng, n, params.min_empty, params.max_empty)
  self.n = n
  self.puzzle = gen.puzzle
  self.solution = gen.solution
  local trace
  if params.trace_order == "forced_first" then
    trace = S.solving_order(gen.puzzle, gen.solution, n, self.rng)
  else
    trace = S.random_order(gen.puzzle, gen.solution, n, self.rng)
  end
  self.trace = trace
  local k = self.rng:int(0, #trace - 1)
  self.k = k
  local prefix = {}
  for i = 1, k do prefix[i] = trace[i] end
  self.prefix = prefix
  self.grid = S.grid_after(gen.puzzle, n, prefix)
  self.correct_step = trace[k + 1]
  return G.start(self, params, game)
end

return E
