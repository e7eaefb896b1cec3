-- liars_dice: OpenSpiel's Liar's Dice (liars_dice.cc, default params): two players, one
-- six-sided die each, sixes wild, the "reset-face" bidding rule.
--
-- Chance rolls player 1's die, then player 2's (outcome k is face k + 1). Players bid in
-- turn, each bid higher than the last: bid b claims "at least b // 6 + 1 dice show face
-- b % 6 + 1" (sixes count for every face), so 0 = "1-1" ... 11 = "2-6". Action 12 calls
-- the last bid a lie: if enough dice match, the bidder wins (+1, the caller -1), else the caller.
--
-- Hidden information: `observe` shows a player only its own die; `information_state` is
-- the die and the bid sequence (OpenSpiel's string); `resample` re-rolls the opponent's die.

local SIDES, DICE = 6, 2
local LIAR = SIDES * DICE

local E = {
  id = "liars_dice",
  description = "Liar's Dice (OpenSpiel's rules): one hidden die each, sixes wild, bid higher or call liar.",
  version = "1.0.0",
  players = 2,
  observation_space = space.dict{
    die = space.discrete(SIDES + 1),          -- own die's face (1..6), 0 before the roll and in the public view
    last_bid = space.discrete(LIAR + 1),      -- the last bid + 1, 0 before any
    to_play = space.discrete(3),              -- 1, 2; 0 at chance or when over
  },
  action_space = space.discrete(LIAR + 1),    -- bids 0..11, 12 = liar; at chance: face - 1
  params = {},
  max_steps = 2 + LIAR + 1,
  reward_range = { -1, 1 },
}

local function to_play(self)
  if self.winner ~= nil then return 0 end
  if self.rolled < 2 then return -1 end
  return self.player
end

local function fill(self, obs, p)
  obs.die = p > 0 and self.dice[p] or 0
  obs.last_bid = self.bid + 1
  obs.to_play = math.max(to_play(self), 0)
  return obs
end

function E.reset(self, params)
  self.dice, self.rolled, self.bids = { 0, 0 }, 0, {}
  self.bid, self.bidder, self.player, self.winner = -1, 0, 1, nil
  if self.obs == nil then self.obs = {}; self.info = {}; self.rewards = { 0, 0 } end
  return fill(self, self.obs, 0), self.info
end

function E.current_player(self) return to_play(self) end

function E.legal_actions(self)
  if to_play(self) <= 0 then return {} end
  local legal = {}
  for b = self.bid + 1, LIAR - 1 do legal[#legal + 1] = b end
  if #self.bids > 0 then legal[#legal + 1] = LIAR end
  return legal
end

function E.chance_outcomes(self)
  local outcomes = {}
  for k = 0, SIDES - 1 do outcomes[k + 1] = { k, 1 / SIDES } end
  return outcomes
end

function E.step(self, action)
  local rewards = self.rewards
  rewards[1], rewards[2] = 0, 0
  local p = to_play(self)
  if p == -1 then
    if math.type(action) ~= "integer" or action < 0 or action >= SIDES then error("illegal chance outcome " .. tostring(action), 2) end
    self.rolled = self.rolled + 1
    self.dice[self.rolled] = action + 1
    return fill(self, self.obs, 0), rewards, false, false, self.info
  end
  if p == 0 or math.type(action) ~= "integer" or action <= self.bid or action > LIAR or (action == LIAR and #self.bids == 0) then
    error("illegal action " .. tostring(action), 2)
  end
  self.bids[#self.bids + 1] = action
  if action == LIAR then
    local quantity, face = self.bid // SIDES + 1, self.bid % SIDES + 1
    local matches = 0
    for i = 1, 2 do if self.dice[i] == face or self.dice[i] == SIDES then matches = matches + 1 end end
    self.winner = matches >= quantity and self.bidder or p
    rewards[self.winner], rewards[3 - self.winner] = 1, -1
  else
    self.bid, self.bidder, self.player = action, p, 3 - p
  end
  return fill(self, self.obs, 0), rewards, self.winner ~= nil, false, self.info
end

function E.observe(self, player) return fill(self, {}, player) end

function E.information_state(self, player)
  local parts = { self.dice[player] > 0 and tostring(self.dice[player]) or "" }
  for _, b in ipairs(self.bids) do
    parts[#parts + 1] = b == LIAR and "Liar" or ((b // SIDES + 1) .. "-" .. (b % SIDES + 1))
  end
  return table.concat(parts, " ")
end

function E.resample(self, player)
  local other = 3 - player
  if self.dice[other] > 0 then self.dice[other] = self.rng:int(1, SIDES) end
end

function E.render(self)
  local bids = {}
  for _, b in ipairs(self.bids) do bids[#bids + 1] = b == LIAR and "liar" or ((b // SIDES + 1) .. "x" .. (b % SIDES + 1)) end
  return "p1:" .. (self.dice[1] > 0 and self.dice[1] or "?") .. " p2:" .. (self.dice[2] > 0 and self.dice[2] or "?")
    .. "  bids: " .. table.concat(bids, " ") .. (self.winner and ("  winner p" .. self.winner) or "")
end

return E
