-- countdown/text: the Countdown numbers puzzle as one question and one text answer.
--
-- The observation is the question (reasoning-gym's wording); the action is the
-- answer: an arithmetic expression, bare or inside <answer>...</answer> or
-- \boxed{...}. One step: the reward is the score and the episode ends.
-- Scoring (lib/countdown.lua, docs/puzzles.md): 1.0 when the expression uses
-- exactly the given numbers and its exact rational value is the target; else
-- 0.05 if it parses, 0.01 otherwise (partial_credit = "seed_papers": 0.1 / 0).

local C = require "countdown"

local E = {
  id = "countdown/text",
  description = "Countdown numbers as a question: answer with an expression that uses every number once to make the target.",
  version = "1.0.0",
  players = 1,

  observation_space = space.text(1024),
  action_space = space.text(1024),

  params = {
    min_numbers = { kind = "int", min = 2, max = C.MAX_NUMBERS, default = 4, description = "fewest numbers in a puzzle" },
    max_numbers = { kind = "int", min = 2, max = C.MAX_NUMBERS, default = 6, description = "most numbers in a puzzle" },
    min_value = { kind = "int", min = 1, max = 1000, default = 1, description = "smallest starting number" },
    max_value = { kind = "int", min = 1, max = 1000, default = 100, description = "largest starting number" },
    min_target = { kind = "int", min = 1, max = 100000, default = 100, description = "smallest target" },
    max_target = { kind = "int", min = 1, max = 100000, default = 999, description = "largest target" },
    operators = { kind = "choice", choices = C.OPERATOR_CHOICES, default = "+-*/",
                  description = "allowed operators" },
    partial_credit = { kind = "choice", choices = { "reasoning_gym", "seed_papers" }, default = "reasoning_gym",
                       description = "scores for wrong answers: 0.05/0.01 (reasoning-gym) or 0.1/0 (seed papers)" },
  },

  max_steps = 1,
  reward_range = { 0, 1 },
  success_threshold = 1,
}

C.install(E)

function E.reset(self, params)
  self:new_puzzle(params)
  self.question_text = self:question()
  self.answered = false
  local info = self.info
  if info == nil then info = {}; self.info = info end
  info.score, info.reason = 0, ""
  return self.question_text, info
end

-- 1 while the episode runs, 0 once it is over.
function E.current_player(self)
  return self.answered and 0 or 1
end

function E.step(self, action)
  if self.answered then error("the episode is over", 2) end
  local score, reason = C.score(self.numbers0, self.target, action, self.params.partial_credit)
  self.answered = true
  self.answer_text = action
  local info = self.info
  info.score, info.reason = score, reason
  return self.question_text, score, true, false, info
end

function E.render(self)
  local out = self.question_text
  if self.answered then
    out = out .. "\nanswer: " .. tostring(self.answer_text) .. "\nscore: " .. self.info.score .. " (" .. self.info.reason .. ")"
  end
  return out
end

-- A solution (steps "a op b = c"): the one the puzzle was generated from.
function E.solve(self)
  return self.puzzle.steps
end

return E
