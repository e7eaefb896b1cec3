-- Kuhn poker for 2..4 players, with OpenSpiel's rules (kuhn_poker.cc): a deck of
-- players + 1 cards (0 is the lowest), an ante of 1 each, one card dealt to every
-- player by chance, then one betting round: 0 = pass, 1 = bet. Facing a bet, pass
-- folds and bet calls. The highest card still in the hand takes the pot.
--
-- The number of players is a game parameter, as in OpenSpiel: `kuhn_poker(players=3)`
-- (fixed at load; the chunk receives the given game parameters as `...`).
--
-- The hidden-information contract in one file: `observe` gives each player only its
-- own card, `information_state` is OpenSpiel's "card then p/b history" string,
-- `chance_outcomes` lists the cards left in the deck, `resample` re-deals the cards
-- a player cannot see.

-- The host checks the given values against E.game_params after the chunk has run and
-- refuses the environment with a clear message; until then use only sensible ones.
local game = ...
local players = math.tointeger(game.players) or 2
if players < 2 or players > 4 then players = 2 end

local PASS, BET = 0, 1
local LETTERS = { [0] = "p", [1] = "b" }
local cards = players + 1
local E = {
  id = "kuhn_poker",
  description = "Kuhn poker for " .. players .. " players (OpenSpiel's rules): one card each from a deck of "
    .. cards .. ", ante 1, one betting round of pass or bet.",
  version = "1.0.0",
  players = players,
  game_params = {
    players = { kind = "int", min = 2, max = 4, default = 2,
                description = "number of players (the deck has players + 1 cards)" },
  },
  observation_space = space.dict{
    card = space.discrete(cards + 1),          -- own card + 1; 0 before the deal and in the public view
    contributions = space.box(0, 2, { players }),  -- chips each player has put in
    to_play = space.discrete(players + 1),     -- 1..players, 0 at chance or when over
  },
  action_space = space.discrete(cards),        -- 0 pass, 1 bet; at chance: the card dealt
  action_names = { "pass", "bet" },
  params = {},
  max_steps = 3 * players - 1,
  reward_range = { -2, 2 * (players - 1) },
}

local function to_play(self)
  if self.winner ~= nil then return 0 end
  if self.dealt < players then return -1 end
  return (#self.history % players) + 1
end

local function did_bet(self, p)  -- p is 1-based
  local first = self.first_bettor
  if first == nil then return false end
  if p == first then return true end
  if p > first then return self.history[p] == BET end
  return self.history[players + p] == BET
end

local function fill(self, obs, p)
  obs.card = (p > 0 and self.card[p] >= 0) and (self.card[p] + 1) or 0
  local c = obs.contributions
  for i = 1, players do c[i] = self.ante[i] end
  obs.to_play = math.max(to_play(self), 0)
  return obs
end

function E.reset(self, params)
  self.card, self.ante, self.history = {}, {}, {}
  for i = 1, players do self.card[i] = -1; self.ante[i] = 1 end
  self.holder = {}                     -- card -> player holding it
  self.dealt, self.pot, self.first_bettor, self.winner = 0, players, nil, nil
  if self.obs == nil then self.obs = { contributions = {} }; self.info = {}; self.rewards = {} end
  return fill(self, self.obs, 0), self.info
end

function E.current_player(self) return to_play(self) end

function E.legal_actions(self)
  if to_play(self) <= 0 then return {} end
  return { PASS, BET }
end

function E.chance_outcomes(self)
  local left, outcomes = cards - self.dealt, {}
  for c = 0, cards - 1 do
    if self.holder[c] == nil then outcomes[#outcomes + 1] = { c, 1 / left } end
  end
  return outcomes
end

function E.step(self, action)
  local p = to_play(self)
  local rewards = self.rewards
  for i = 1, players do rewards[i] = 0 end
  if p == -1 then
    if math.type(action) ~= "integer" or action < 0 or action >= cards or self.holder[action] ~= nil then
      error("illegal chance outcome " .. tostring(action), 2)
    end
    self.dealt = self.dealt + 1
    self.card[self.dealt] = action
    self.holder[action] = self.dealt
    return fill(self, self.obs, 0), rewards, false, false, self.info
  end
  if p == 0 or (action ~= PASS and action ~= BET) then error("illegal action " .. tostring(action), 2) end
  if action == BET then
    if self.first_bettor == nil then self.first_bettor = p end
    self.pot = self.pot + 1
    self.ante[p] = self.ante[p] + 1
  end
  local history = self.history
  history[#history + 1] = action
  local n = #history
  if self.first_bettor == nil and n == players then
    self.winner = self.holder[cards - 1] or self.holder[cards - 2]
  elseif self.first_bettor ~= nil and n == players + self.first_bettor - 1 then
    for c = cards - 1, 0, -1 do
      local holder = self.holder[c]
      if holder ~= nil and did_bet(self, holder) then self.winner = holder; break end
    end
  end
  local over = self.winner ~= nil
  if over then
    for i = 1, players do rewards[i] = -self.ante[i] end
    rewards[self.winner] = self.pot - self.ante[self.winner]
  end
  return fill(self, self.obs, 0), rewards, over, false, self.info
end

function E.observe(self, player)
  return fill(self, { contributions = {} }, player)
end

function E.information_state(self, player)
  local parts = { self.card[player] >= 0 and tostring(self.card[player]) or "?" }
  for i = 1, #self.history do parts[#parts + 1] = LETTERS[self.history[i]] end
  return table.concat(parts)
end

function E.resample(self, player)
  -- Deal the cards `player` cannot see again, uniformly among those it does not hold.
  local own = self.card[player]
  local pool = {}
  for c = 0, cards - 1 do if c ~= own then pool[#pool + 1] = c end end
  self.holder = {}
  if own >= 0 then self.holder[own] = player end
  for i = 1, self.dealt do
    if i ~= player then
      local k = self.rng:int(1, #pool)
      local c = pool[k]
      pool[k] = pool[#pool]; pool[#pool] = nil
      self.card[i] = c
      self.holder[c] = i
    end
  end
end

function E.render(self)
  local parts = {}
  for i = 1, players do parts[#parts + 1] = "p" .. i .. ":" .. (self.card[i] >= 0 and self.card[i] or "?") .. "/" .. self.ante[i] end
  local moves = {}
  for i = 1, #self.history do moves[#moves + 1] = LETTERS[self.history[i]] end
  return table.concat(parts, " ") .. "  [" .. table.concat(moves) .. "]" .. (self.winner and ("  winner p" .. self.winner) or "")
end

return E
