-- The SPC generator/critic game shared by countdown/critic and sudoku/critic
-- (docs/critic.md).
--
--   local G = require "critic_game"
--   G.define(E, game)
--
-- E already has its facts: id, description, version, error_types (generator
-- action i rewrites with error type error_types[i + 1]) and the puzzle's params.
-- `game` supplies the puzzle's part:
--   game.feature_count             -> how many features a candidate step has
--   game.draw(self, params)        -> draws a puzzle into self (from self.rng) and
--                                     returns a correct solution trace (a list of steps)
--   game.after_prefix(self, prefix) -> sets the state after the first steps (numbers
--                                     left, the grid, ...) that rewrite and features read
--   game.puzzle_lines(self)        -> the first lines of the observation text (the puzzle)
--   game.features(self, step, k, out) -> fills out with the features of `step` after k steps
--   game.rewrite(self, kind)       -> a sneaky rewrite of self.correct_step of that error
--                                     type (drawing from self.rng), or nil when impossible
--   game.verify(self, steps)       -> index of the first wrong step of `steps`, or nil
-- define adds the correct_rate param, players, roles, the spaces, max_steps and
-- reward_range, and E.reset, E.current_player, E.legal_actions, E.step, E.render.
local G = {}

-- Index of the first wrong step of prefix + {candidate}, or nil: the truth.
local function first_wrong(self, game, candidate)
  local steps = {}
  for i = 1, self.k do steps[i] = self.prefix[i] end
  steps[self.k + 1] = candidate
  return (game.verify(self, steps))
end

-- The generator's move: the first type from `choice` on (cyclically) whose
-- rewrite the verifier rejects; the correct step if none does.
local function corrupt(self, game, errors, choice)
  local n = #errors
  for t = 0, n - 1 do
    local kind = errors[(choice + t) % n + 1]
    local candidate = game.rewrite(self, kind)
    if candidate ~= nil and first_wrong(self, game, candidate) ~= nil then return candidate, kind end
  end
  return self.correct_step, "none"
end

-- Sets the observation for the player to move (1 generator, 2 critic).
local function observe(self, game, errors, role)
  local obs = self.obs
  local lines = game.puzzle_lines(self)
  local k = self.k
  if k == 0 then
    lines[#lines + 1] = "Solution steps so far: none."
  else
    lines[#lines + 1] = "Solution steps so far:"
    for i = 1, k do lines[#lines + 1] = "Step " .. i .. ": " .. self.trace[i] end
  end
  if role == 1 then
    lines[#lines + 1] = "Correct step " .. (k + 1) .. ": " .. self.correct_step
    local names = {}
    for i, name in ipairs(errors) do names[i] = (i - 1) .. " " .. name end
    lines[#lines + 1] = "Rewrite it into a wrong step of type: " .. table.concat(names, ", ") .. "."
    game.features(self, self.correct_step, k, obs.features)
  else
    lines[#lines + 1] = "Proposed step " .. (k + 1) .. ": " .. self.candidate
    lines[#lines + 1] = "Is step " .. (k + 1) .. " correct? Answer correct or incorrect."
    game.features(self, self.candidate, k, obs.features)
  end
  obs.text = table.concat(lines, "\n")
  obs.role = role
end

function G.define(E, game)
  local errors = E.error_types

  E.players = 2
  E.roles = { "generator", "critic" }
  E.observation_space = space.dict{
    text = space.text(4096),
    features = space.box(-1e9, 1e9, { game.feature_count }),
    role = space.discrete(3),              -- the player to move; 0 once over
  }
  E.action_space = space.discrete(math.max(#errors, 2))
  E.params.correct_rate = { kind = "float", min = 0, max = 1, default = 0.5,
                            description = "probability that the episode shows the correct step (no generator move)" }
  E.max_steps = 2
  E.reward_range = { -1, 1 }

  -- A puzzle and a correct trace, a prefix length k (uniform in 0 .. #trace-1),
  -- and whether the correct step trace[k+1] is shown (probability correct_rate:
  -- the critic moves first) or the generator moves.
  function E.reset(self, params)
    local trace = game.draw(self, params)
    self.trace = trace
    local k = self.rng:int(0, #trace - 1)
    self.k = k
    local prefix = {}
    for i = 1, k do prefix[i] = trace[i] end
    self.prefix = prefix
    game.after_prefix(self, prefix)
    self.correct_step = trace[k + 1]

    self.show_correct = self.rng:float() < params.correct_rate
    self.generator_moved = false
    self.error_type = "none"
    self.candidate = self.correct_step
    self.player = self.show_correct and 2 or 1
    if self.obs == nil then self.obs = { features = {} } end
    observe(self, game, errors, self.player)
    local info = self.info
    if info == nil then info = {}; self.info = info end
    info.truth, info.error_type, info.verdict, info.first_wrong, info.prefix_length = nil, nil, nil, nil, nil
    return self.obs, info
  end

  function E.current_player(self) return self.player end

  function E.legal_actions(self)
    local legal = {}
    if self.player == 1 then
      for i = 1, #errors do legal[i] = i - 1 end
    elseif self.player == 2 then
      legal[1], legal[2] = 0, 1
    end
    return legal
  end

  -- Rewards are zero-sum as in SPC: critic right -> {-1, +1}, fooled -> {+1, -1};
  -- when the correct step was shown without a generator move, the generator gets 0.
  function E.step(self, action)
    local player = self.player
    if player == 0 then error("the episode is over", 2) end
    if math.type(action) ~= "integer" or action < 0
        or (player == 1 and action >= #errors) or (player == 2 and action > 1) then
      error("illegal action " .. tostring(action), 2)
    end
    local info = self.info
    if player == 1 then
      self.generator_moved = true
      self.candidate, self.error_type = corrupt(self, game, errors, action)
      self.player = 2
      observe(self, game, errors, 2)
      return self.obs, { 0, 0 }, false, false, info
    end

    local fw = first_wrong(self, game, self.candidate)
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

  -- What a language-model seat reads (docs/llm.md): the role's text and how to answer.
  function E.prompt(self, legal_actions)
    local obs = self.obs
    if obs.role == 1 then
      return obs.text .. "\n\nAnswer with JSON only: {\"action\": i}, where i is the number of the error type."
    end
    return obs.text .. "\n\nAnswer with JSON only: {\"action\": 0} if the proposed step is correct, {\"action\": 1} if it is incorrect."
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
end

return G
