-- countdown/critic: the SPC generator/critic game on Countdown solution steps.
--
-- reset draws a puzzle and a correct solution trace (lib/countdown/generator.lua), a prefix
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
-- surface features of the candidate (layout: critic.CRITIC_FEATURES, docs/critic.md).
-- The game itself is lib/critic_game.lua.

local CE = require "countdown.env"
local critic = require "countdown.critic"
local generator = require "countdown.generator"
local rules = require "countdown.rules"
local verifier = require "countdown.verifier"
local G = require "critic_game"

local E = {
  id = "countdown/critic",
  description = "SPC self-play critic on Countdown steps: a sneaky generator corrupts a solution step, a critic judges it.",
  version = "1.0.0",
  error_types = critic.CRITIC_ERRORS,

  params = CE.params{
    operators = { kind = "choice", choices = rules.OPERATOR_CHOICES, default = "+-*/",
                  description = "allowed operators in the puzzle's solution" },
  },
}

G.define(E, {
  feature_count = #critic.CRITIC_FEATURES,

  draw = function(self, params)
    local puzzle = generator.generate(self.rng, CE.generator_cfg(params))
    self.numbers0 = puzzle.numbers
    self.target = puzzle.target
    return puzzle.steps
  end,

  after_prefix = function(self, prefix)
    self.pool, self.used = critic.pool_after(self.numbers0, prefix)
  end,

  puzzle_lines = function(self)
    return {
      "Countdown. Numbers: " .. table.concat(self.numbers0, ", ") .. ". Target: " .. self.target .. ".",
      "Each step combines two available numbers with + - * /; the result becomes available.",
    }
  end,

  features = function(self, step, k, out)
    critic.critic_features(self.pool, step, k, out)
  end,

  rewrite = function(self, kind)
    return critic.critic_rewrite(self.rng, kind, self.pool, self.used, self.correct_step)
  end,

  verify = function(self, steps)
    return verifier.verify_trace(self.numbers0, self.target, steps)
  end,
})

return E
