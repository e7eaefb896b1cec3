-- sudoku/text: a 4x4 or 9x9 Sudoku as one question and one text answer.
--
-- The observation is the question (reasoning-gym's wording and grid format, "_"
-- for empty cells); the action is the answer, the solved grid as rows of digits
-- (optionally inside <answer>...</answer>). One step: the reward is the score and
-- the episode ends. Scoring as reasoning-gym (lib/sudoku/scorer.lua, docs/puzzles.md):
-- 1.0 for the exact grid text, else 0.9 x the fraction of correct cells, scaled
-- down when the answer is longer than the solution text.

local SE = require "sudoku.env"
local scorer = require "sudoku.scorer"
local solver = require "sudoku.solver"
local T = require "text_task"

local E = {
  id = "sudoku/text",
  description = "Sudoku (4x4 or 9x9) as a question: answer with the solved grid.",
  version = "1.0.0",

  params = SE.params(),
}

SE.install(E)

T.define(E, {
  clear = function(info) info.score, info.valid = 0, false end,
  answer = function(self, action, info)
    local score = scorer.score(self.solution, self.n, action)
    info.score = score
    info.valid = (scorer.check_answer(self.puzzle, self.n, action))
    return score
  end,
  summary = function(self)
    return "\nanswer:\n" .. tostring(self.answer_text) .. "\nscore: " .. self.info.score
      .. (self.info.valid and " (valid grid)" or "")
  end,
})

-- The placements that solve the puzzle ("r1c3=5", row-major).
function E.solve(self)
  return solver.solve_steps(self.puzzle, self.n)
end

return E
