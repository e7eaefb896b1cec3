-- The SPC generator/critic game shared by countdown/critic and sudoku/critic.
--
-- A puzzle module supplies three functions; this module supplies the game:
--   game.rewrite(self, kind) -> a sneaky rewrite of self.correct_step of that error
--                               type (drawing from self.rng), or nil when impossible
--   game.verify(self, steps) -> index of the first wrong step of `steps`, or nil
--   game.observe(self, role) -> fills self.obs for the player to move (0 once over)
-- The environment's reset sets self.k (prefix length), self.prefix and
-- self.correct_step, then returns G.start(self, params, game).
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

-- Ends a reset: decides whether the correct step is shown (the critic moves first)
-- or the generator moves, and fills the first observation.
function G.start(self, params, game)
  self.show_correct = self.rng:float() < params.correct_rate
  self.generator_moved = false
  self.error_type = "none"
  self.candidate = self.correct_step
  self.player = self.show_correct and 2 or 1
  if self.obs == nil then self.obs = { features = {} } end
  game.observe(self, self.player)
  local info = self.info
  if info == nil then info = {}; self.info = info end
  info.truth, info.error_type, info.verdict, info.first_wrong, info.prefix_length = nil, nil, nil, nil, nil
  return self.obs, info
end

-- Installs current_player, legal_actions, step and render on E (E.error_types set).
function G.install(E, game)
  local errors = E.error_types

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
      game.observe(self, 2)
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
