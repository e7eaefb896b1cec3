-- leduc_poker: OpenSpiel's two-player Leduc poker (leduc_poker.cc, default params).
--
-- A deck of six cards, 0..5: J J Q Q K K (the rank is card // 2). Each player antes 1
-- and chance deals each a private card; a betting round (raise 2); chance turns a
-- public card; a second betting round (raise 4). At most two raises per round. Actions:
-- 0 fold (only when facing a bet), 1 check/call, 2 raise. At the showdown a private card
-- pairing the public card wins, else the higher rank; equal hands split the pot.
--
-- Hidden information: `observe` shows a player only its own card; `information_state`
-- is the card, the public card and both rounds' betting (OpenSpiel's distinctions);
-- `resample` re-deals the opponent's card from the cards a player has not seen.

local FOLD, CALL, RAISE = 0, 1, 2
local LETTER = { [0] = "f", "c", "r" }

local E = {
  id = "leduc_poker",
  description = "Leduc poker (OpenSpiel's rules): six cards, a private card each, a public card, two betting rounds.",
  version = "1.0.0",
  players = 2,
  observation_space = space.dict{
    card = space.discrete(7),                  -- own card + 1; 0 before the deal and in the public view
    public = space.discrete(7),                -- the public card + 1, 0 before it is turned
    round = space.discrete(3),                 -- 1 or 2 (0 once over)
    contributions = space.box(0, 13, { 2 }),   -- chips each player has put in
    to_play = space.discrete(3),               -- 1, 2; 0 at chance or when over
  },
  action_space = space.discrete(6),            -- 0 fold, 1 call, 2 raise; at chance: the card dealt
  action_names = { "fold", "call", "raise" },
  params = {},
  max_steps = 11,
  reward_range = { -13, 13 },
}

local function to_play(self)
  if self.over then return 0 end
  if self.chance then return -1 end
  return self.player
end

local function fill(self, obs, p)
  obs.card = (p > 0 and self.private[p] >= 0) and (self.private[p] + 1) or 0
  obs.public = self.public >= 0 and (self.public + 1) or 0
  obs.round = self.over and 0 or self.round
  obs.contributions[1], obs.contributions[2] = self.ante[1], self.ante[2]
  obs.to_play = math.max(to_play(self), 0)
  return obs
end

function E.reset(self, params)
  self.private, self.ante, self.folded = { -1, -1 }, { 1, 1 }, { false, false }
  self.in_deck = { [0] = true, true, true, true, true, true }
  self.deck_size, self.dealt, self.public = 6, 0, -1
  self.round, self.stakes, self.raises, self.calls, self.remaining = 1, 1, 0, 0, 2
  self.sequences = { {}, {} }
  self.chance, self.over, self.player = true, false, 0
  if self.obs == nil then self.obs = { contributions = {} }; self.info = {}; self.rewards = { 0, 0 } end
  return fill(self, self.obs, 0), self.info
end

function E.current_player(self) return to_play(self) end

function E.legal_actions(self)
  if to_play(self) <= 0 then return {} end
  local legal = {}
  if self.stakes > self.ante[self.player] then legal[#legal + 1] = FOLD end
  legal[#legal + 1] = CALL
  if self.raises < 2 then legal[#legal + 1] = RAISE end
  return legal
end

function E.chance_outcomes(self)
  local outcomes, p = {}, 1 / self.deck_size
  for c = 0, 5 do if self.in_deck[c] then outcomes[#outcomes + 1] = { c, p } end end
  return outcomes
end

local function next_player(self, from)
  for i = 1, 2 do
    local p = (from + i - 1) % 2 + 1
    if not self.folded[p] then return p end
  end
end

local function ready_for_next_round(self)
  return (self.raises == 0 and self.calls == self.remaining) or (self.raises > 0 and self.calls == self.remaining - 1)
end

local function rank(self, p)
  local a, b = self.public, self.private[p]
  if a > b then a, b = b, a end
  if a % 2 == 0 and b == a + 1 then return 36 + a end
  return (b // 2) * 6 + (a // 2)
end

local function finish(self, rewards)
  self.over = true
  local pot = self.ante[1] + self.ante[2]
  local winners = {}
  if self.remaining == 1 then
    winners[1] = self.folded[1] and 2 or 1
  else
    local best = -1
    for p = 1, 2 do
      local r = rank(self, p)
      if r > best then best, winners = r, { p } elseif r == best then winners[#winners + 1] = p end
    end
  end
  for p = 1, 2 do rewards[p] = -self.ante[p] end
  for _, p in ipairs(winners) do rewards[p] = rewards[p] + pot / #winners end
end

-- After a fold or a call: the hand ends, the round ends (public card), or the other player moves.
local function after(self, rewards)
  if self.remaining == 1 or (self.round == 2 and ready_for_next_round(self)) then
    finish(self, rewards)
  elseif ready_for_next_round(self) then
    self.round, self.raises, self.calls, self.chance = 2, 0, 0, true
  else
    self.player = next_player(self, self.player)
  end
end

function E.step(self, action)
  local rewards = self.rewards
  rewards[1], rewards[2] = 0, 0
  if self.over then error("the hand is over", 2) end
  if self.chance then
    if math.type(action) ~= "integer" or not self.in_deck[action] then error("illegal chance outcome " .. tostring(action), 2) end
    self.in_deck[action] = false
    self.deck_size = self.deck_size - 1
    if self.dealt < 2 then
      self.dealt = self.dealt + 1
      self.private[self.dealt] = action
      if self.dealt == 2 then self.chance, self.player = false, 1 end
    else
      self.public = action
      self.chance, self.player = false, next_player(self, 2)
    end
    return fill(self, self.obs, 0), rewards, false, false, self.info
  end
  local p = self.player
  local legal = false
  for _, a in ipairs(E.legal_actions(self)) do if a == action then legal = true end end
  if not legal then error("illegal action " .. tostring(action), 2) end
  local sequence = self.sequences[self.round]
  sequence[#sequence + 1] = action
  if action == FOLD then
    self.folded[p] = true
    self.remaining = self.remaining - 1
    after(self, rewards)
  elseif action == CALL then
    self.ante[p] = self.stakes
    self.calls = self.calls + 1
    after(self, rewards)
  else
    local raise = self.round == 1 and 2 or 4
    self.stakes = self.stakes + raise
    self.ante[p] = self.stakes
    self.raises, self.calls = self.raises + 1, 0
    self.player = next_player(self, p)
  end
  return fill(self, self.obs, 0), rewards, self.over, false, self.info
end

function E.observe(self, player)
  return fill(self, { contributions = {} }, player)
end

local function letters(sequence)
  local out = {}
  for i = 1, #sequence do out[i] = LETTER[sequence[i]] end
  return table.concat(out)
end

function E.information_state(self, player)
  local own = self.private[player]
  return (own >= 0 and tostring(own) or "?") .. "|" .. (self.public >= 0 and tostring(self.public) or "?")
    .. "|" .. letters(self.sequences[1]) .. "|" .. letters(self.sequences[2])
end

function E.resample(self, player)
  local other = 3 - player
  if self.private[other] < 0 then return end
  local pool = {}
  for c = 0, 5 do
    if c ~= self.private[player] and c ~= self.public then pool[#pool + 1] = c end
  end
  self.in_deck[self.private[other]] = true
  local c = pool[self.rng:int(1, #pool)]
  self.private[other] = c
  self.in_deck[c] = false
end

function E.render(self)
  local function card(c) return c < 0 and "?" or ({ "J", "Q", "K" })[c // 2 + 1] .. (c % 2 + 1) end
  return "p1:" .. card(self.private[1]) .. "/" .. self.ante[1] .. " p2:" .. card(self.private[2]) .. "/" .. self.ante[2]
    .. " public:" .. card(self.public) .. "  [" .. letters(self.sequences[1]) .. "|" .. letters(self.sequences[2]) .. "]"
    .. (self.over and "  over" or "")
end

return E
