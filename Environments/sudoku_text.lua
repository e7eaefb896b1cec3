-- sudoku/text: a 4x4 or 9x9 Sudoku as one question and one text answer.
--
-- The observation is the question (reasoning-gym's wording and grid format, "_"
-- for empty cells); the action is the answer, the solved grid as rows of digits
-- (optionally inside <answer>...</answer>). One step: the reward is the score and
-- the episode ends. Scoring as reasoning-gym (lib/sudoku.lua, docs/puzzles.md):
-- 1.0 for the exact grid text, else 0.9 x the fraction of correct cells, scaled
-- down when the answer is longer than the solution text.

local S = require "sudoku"

local E = {
  id = "sudoku/text",
  description = "Sudoku (4x4 or 9x9) as a question: answer with the solved grid.",
  version = "1.0.0",
  players = 1,

  observation_space = space.text(1024),
  action_space = space.text(1024),

  params = {
    size = { kind = "choice", choices = { 9, 4 }, default = 9, description = "grid size: 9 (3x3 boxes) or 4 (2x2 boxes)" },
    min_empty = { kind = "int", min = 0, max = 64, default = 30, description = "fewest empty cells (4x4: at most 12)" },
    max_empty = { kind = "int", min = 0, max = 64, default = 50, description = "most empty cells (4x4: at most 12)" },
  },

  max_steps = 1,
  reward_range = { 0, 1 },
  success_threshold = 1,
}

S.install(E)

function E.reset(self, params)
  self:new_puzzle(params)
  self.question_text = S.question(self.puzzle, self.n)
  self.answered = false
  local info = self.info
  if info == nil then info = {}; self.info = info end
  info.score, info.valid = 0, false
  return self.question_text, info
end

-- 1 while the episode runs, 0 once it is over.
function E.current_player(self)
  return self.answered and 0 or 1
end

function E.step(self, action)
  if self.answered then error("the episode is over", 2) end
  local score = S.score(self.solution, self.n, action)
  self.answered = true
  self.answer_text = action
  local info = self.info
  info.score = score
  info.valid = (S.check_answer(self.puzzle, self.n, action))
  return self.question_text, score, true, false, info
end

function E.render(self)
  local out = self.question_text
  if self.answered then
    out = out .. "\nanswer:\n" .. tostring(self.answer_text) .. "\nscore: " .. self.info.score
      .. (self.info.valid and " (valid grid)" or "")
  end
  return out
end

-- The placements that solve the puzzle ("r1c3=5", row-major).
function E.solve(self)
  return S.solve_steps(self.puzzle, self.n)
end

return E
