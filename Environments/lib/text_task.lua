-- text_task: the skeleton of a one-question, one-answer environment
-- (countdown/text, sudoku/text). The observation is the question; the single
-- action is the answer text; the step's reward is its score and the episode ends.
--
--   local T = require "text_task"
--   T.define(E, task)
--
-- E already has its facts (id, description, version, params) and the functions
-- E.new_puzzle(self, params) and E.question(self) (a puzzle's env module installs
-- them). `task` supplies the puzzle's part:
--   task.clear(info)                -> resets the info fields of a new episode
--   task.answer(self, text, info)   -> the score of the answer text; fills info
--   task.summary(self)              -> what render adds after the question once answered
-- define sets the spaces (Text(1024) both), players = 1, max_steps = 1,
-- reward_range = {0, 1}, success_threshold = 1, and E.reset, E.current_player,
-- E.step and E.render.
local T = {}

-- The text between the last `open` ... `close` pair (e.g. "<answer>", "</answer>"), or nil.
-- Plain finds, so an answer after 100 KB of reasoning costs one pass over it.
function T.last_between(text, open, close)
  local last, from = nil, 1
  while true do
    local _, open_end = text:find(open, from, true)
    if open_end == nil then break end
    local stop, stop_end = text:find(close, open_end + 1, true)
    if stop == nil then break end
    last, from = text:sub(open_end + 1, stop - 1), stop_end + 1
  end
  return last
end

function T.define(E, task)
  E.players = 1
  E.observation_space = space.text(1024)
  E.action_space = space.text(1024)
  E.max_steps = 1
  E.reward_range = { 0, 1 }
  E.success_threshold = 1

  function E.reset(self, params)
    self:new_puzzle(params)
    self.question_text = self:question()
    self.answered = false
    local info = self.info
    if info == nil then info = {}; self.info = info end
    task.clear(info)
    return self.question_text, info
  end

  -- 1 while the episode runs, 0 once it is over.
  function E.current_player(self)
    return self.answered and 0 or 1
  end

  function E.step(self, action)
    if self.answered then error("the episode is over", 2) end
    local score = task.answer(self, action, self.info)
    self.answered = true
    self.answer_text = action
    return self.question_text, score, true, false, self.info
  end

  function E.render(self)
    local out = self.question_text
    if self.answered then out = out .. task.summary(self) end
    return out
  end
end

return T
