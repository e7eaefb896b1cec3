-- countdown/text: the Countdown numbers puzzle as one question and one text answer.
--
-- The observation is the question (reasoning-gym's wording); the action is the
-- answer: an arithmetic expression, bare or inside <answer>...</answer> or
-- \boxed{...}. One step: the reward is the score and the episode ends.
-- Scoring (lib/countdown/scorer.lua, docs/puzzles.md): 1.0 when the expression uses
-- exactly the given numbers and its exact rational value is the target; else
-- 0.05 if it parses, 0.01 otherwise (partial_credit = "seed_papers": 0.1 / 0).

local CE = require "countdown.env"
local scorer = require "countdown.scorer"
local solver = require "countdown.solver"
local T = require "text_task"

local E = {
  id = "countdown/text",
  description = "Countdown numbers as a question: answer with an expression that uses every number once to make the target.",
  version = "1.0.0",

  params = CE.params{
    partial_credit = CE.partial_credit_param("scores for wrong answers: 0.05/0.01 (reasoning-gym) or 0.1/0 (seed papers)"),
  },
}

CE.install(E)

T.define(E, {
  clear = function(info) info.score, info.reason = 0, "" end,
  answer = function(self, action, info)
    local score, reason = scorer.score(self.numbers0, self.target, action, self.params.partial_credit)
    info.score, info.reason = score, reason
    return score
  end,
  summary = function(self)
    return "\nanswer: " .. tostring(self.answer_text) .. "\nscore: " .. self.info.score .. " (" .. self.info.reason .. ")"
  end,
})

-- A solution (steps "a op b = c"): the one the puzzle was generated from.
function E.solve(self)
  return self.puzzle.steps
end

-- The solver on any numbers (tests, tools): steps or nil, and its search nodes.
-- `operators` defaults to "+-*/", `node_limit` to the solver's 500000.
function E.solve_numbers(self, numbers, target, operators, node_limit)
  return solver.solve(numbers, target, operators, node_limit)
end

return E
