-- sudoku/critic: the SPC generator/critic game on Sudoku placements.
--
-- reset draws a puzzle with a unique solution (lib/sudoku/generator.lua), a correct trace of
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
-- and surface features of the candidate (layout: critic.CRITIC_FEATURES, docs/critic.md).
-- The game itself is lib/critic_game.lua.

local critic = require "sudoku.critic"
local generator = require "sudoku.generator"
local text = require "sudoku.text"
local verifier = require "sudoku.verifier"
local G = require "critic_game"

local E = {
  id = "sudoku/critic",
  description = "SPC self-play critic on Sudoku placements: a sneaky generator corrupts a solution step, a critic judges it.",
  version = "1.0.0",
  error_types = critic.CRITIC_ERRORS,

  params = {
    size = { kind = "choice", choices = { 4, 9 }, default = 4, description = "grid size: 4 (2x2 boxes) or 9 (3x3 boxes)" },
    min_empty = { kind = "int", min = 1, max = 64, default = 30, description = "fewest empty cells (4x4: at most 12)" },
    max_empty = { kind = "int", min = 1, max = 64, default = 50, description = "most empty cells (4x4: at most 12)" },
    trace_order = { kind = "choice", choices = { "random", "forced_first" }, default = "random",
                    description = "order of the correct trace: empty cells shuffled, or forced cells (singles) first" },
  },
}

G.define(E, {
  feature_count = #critic.CRITIC_FEATURES,

  draw = function(self, params)
    local n = math.tointeger(tonumber(params.size)) or 4
    local gen = generator.generate(self.rng, n, params.min_empty, params.max_empty)
    self.n = n
    self.puzzle = gen.puzzle
    self.solution = gen.solution
    if params.trace_order == "forced_first" then
      return critic.solving_order(gen.puzzle, gen.solution, n, self.rng)
    end
    return critic.random_order(gen.puzzle, gen.solution, n, self.rng)
  end,

  after_prefix = function(self, prefix)
    self.grid = critic.grid_after(self.puzzle, self.n, prefix)
  end,

  puzzle_lines = function(self)
    local n = self.n
    local b = n == 4 and 2 or 3
    return {
      string.format("Sudoku %dx%d (digits 1-%d; each row, column and %dx%d box holds each digit once). Puzzle (_ = empty):",
        n, n, n, b, b),
      text.to_string(self.puzzle, n),
      "Each step places one digit: \"r3c2=4\" puts 4 in row 3, column 2. The puzzle has exactly one solution.",
    }
  end,

  features = function(self, step, k, out)
    critic.critic_features(self.grid, self.n, step, k, out)
  end,

  rewrite = function(self, kind)
    return critic.critic_rewrite(self.rng, kind, self.grid, self.solution, self.n, self.correct_step)
  end,

  verify = function(self, steps)
    return verifier.verify_trace(self.puzzle, self.solution, self.n, steps)
  end,
})

return E
