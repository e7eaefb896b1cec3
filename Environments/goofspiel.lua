-- goofspiel: OpenSpiel's Goofspiel with hidden bids (goofspiel(num_cards=4, imp_info=True),
-- random point order, win/loss returns), a simultaneous-move game played as sequential
-- moves with hidden commitments (OpenSpiel's turn-based transform of it).
--
-- Each player holds the cards 0..3 (worth 1..4). Each turn chance turns a point card;
-- player 1 commits a bid card, then player 2 (who cannot see it); the higher bid takes
-- the point card's value, a tie discards it. Bids stay hidden: players see only who won.
-- The last turn plays itself (one card each is left). More points wins: +1 / -1, or 0.
--
-- Hidden information: `observe` shows a player its own hand; `information_state` is its
-- hand, its own bids (the one committed this turn too), the point cards and who won each turn; `resample` redraws the
-- opponent's bids among those consistent with who won every turn.

local CARDS = 4

local E = {
  id = "goofspiel",
  description = "Goofspiel with hidden bids (OpenSpiel's rules, 4 cards, random point order): bid cards for point cards.",
  version = "1.0.0",
  players = 2,
  observation_space = space.dict{
    hand = space.multi_binary(CARDS),          -- own cards still held (all zero in the public view)
    point_card = space.discrete(CARDS + 1),    -- the point card on the table + 1, 0 at chance
    points = space.box(0, 10, { 2 }),          -- points won so far
    to_play = space.discrete(3),               -- 1, 2; 0 at chance or when over
  },
  action_space = space.discrete(CARDS),        -- the bid card (0..3); at chance: the point card
  params = {},
  max_steps = 3 * (CARDS - 1),
  reward_range = { -1, 1 },
}

local function to_play(self)
  if self.over then return 0 end
  if self.point < 0 then return -1 end
  return self.pending[1] == nil and 1 or 2
end

local function fill(self, obs, p)
  local hand = obs.hand
  for c = 1, CARDS do hand[c] = (p > 0 and self.hands[p][c - 1]) and 1 or 0 end
  obs.point_card = self.point + 1
  obs.points[1], obs.points[2] = self.points[1], self.points[2]
  obs.to_play = math.max(to_play(self), 0)
  return obs
end

function E.reset(self, params)
  self.hands = { {}, {} }
  for c = 0, CARDS - 1 do self.hands[1][c] = true; self.hands[2][c] = true end
  self.bids, self.pending = { {}, {} }, {}
  self.point_sequence, self.wins, self.points = {}, {}, { 0, 0 }
  self.point, self.over = -1, false
  if self.obs == nil then self.obs = { hand = {}, points = {} }; self.info = {}; self.rewards = { 0, 0 } end
  return fill(self, self.obs, 0), self.info
end

function E.current_player(self) return to_play(self) end

function E.legal_actions(self)
  local p = to_play(self)
  if p <= 0 then return {} end
  local legal = {}
  for c = 0, CARDS - 1 do if self.hands[p][c] then legal[#legal + 1] = c end end
  return legal
end

local function unplayed_points(self)
  local seen, left = {}, {}
  for _, c in ipairs(self.point_sequence) do seen[c] = true end
  for c = 0, CARDS - 1 do if not seen[c] then left[#left + 1] = c end end
  return left
end

function E.chance_outcomes(self)
  local left, outcomes = unplayed_points(self), {}
  for i, c in ipairs(left) do outcomes[i] = { c, 1 / #left } end
  return outcomes
end

local function only_card(hand)
  for c = 0, CARDS - 1 do if hand[c] then return c end end
end

-- Both bids are in: the higher takes the point card; the last turn plays itself.
local function resolve(self, a, b, rewards)
  local winner = a > b and 1 or (b > a and 2 or 0)
  if winner > 0 then self.points[winner] = self.points[winner] + self.point + 1 end
  self.wins[#self.wins + 1] = winner
  self.bids[1][#self.bids[1] + 1], self.bids[2][#self.bids[2] + 1] = a, b
  self.hands[1][a], self.hands[2][b] = false, false
  self.pending = {}
  self.point = -1
  if #self.wins == CARDS - 1 then
    self.point = unplayed_points(self)[1]
    self.point_sequence[#self.point_sequence + 1] = self.point
    return true
  end
  return false
end

-- Chance turns point card `card` (one not played yet).
local function turn_point_card(self, card)
  for _, c in ipairs(unplayed_points(self)) do
    if c == card then
      self.point = card
      self.point_sequence[#self.point_sequence + 1] = card
      return
    end
  end
  error("illegal chance outcome " .. tostring(card), 3)
end

function E.step(self, action)
  local p, rewards = to_play(self), self.rewards
  rewards[1], rewards[2] = 0, 0
  if p == -1 then
    turn_point_card(self, action)
    return fill(self, self.obs, 0), rewards, false, false, self.info
  end
  if p == 0 or math.type(action) ~= "integer" or not self.hands[p][action] then error("illegal action " .. tostring(action), 2) end
  if p == 1 then
    self.pending[1] = action
    return fill(self, self.obs, 0), rewards, false, false, self.info
  end
  if resolve(self, self.pending[1], action, rewards) then
    resolve(self, only_card(self.hands[1]), only_card(self.hands[2]), rewards)
    self.over = true
    if self.points[1] ~= self.points[2] then
      local winner = self.points[1] > self.points[2] and 1 or 2
      rewards[winner], rewards[3 - winner] = 1, -1
    end
    self.point = -1
  end
  return fill(self, self.obs, 0), rewards, self.over, false, self.info
end

function E.observe(self, player) return fill(self, { hand = {}, points = {} }, player) end

function E.information_state(self, player)
  local hand = {}
  for c = 0, CARDS - 1 do hand[#hand + 1] = self.hands[player][c] and "1" or "0" end
  local mine = {}
  for i, b in ipairs(self.bids[player]) do mine[i] = tostring(b) end
  if self.pending[player] ~= nil then mine[#mine + 1] = "(" .. self.pending[player] .. ")" end  -- committed, not yet shown
  local points = {}
  for i, c in ipairs(self.point_sequence) do points[i] = tostring(c) end
  local wins = {}
  for i, w in ipairs(self.wins) do wins[i] = tostring(w) end
  return to_play(self) .. "|" .. table.concat(hand) .. "|" .. table.concat(mine, ",") .. "|"
    .. table.concat(points, ",") .. "|" .. table.concat(wins, ",")
end

function E.resample(self, player)
  -- Every sequence of opponent bids (completed turns, then a committed pending bid) that
  -- gives the same winners, drawn uniformly.
  local other = 3 - player
  local turns = #self.bids[other]
  local pending = (other == 1 and self.pending[1] ~= nil)
  local choices, used, current = {}, {}, {}
  local function search(t)
    if t > turns then
      if pending then
        for c = 0, CARDS - 1 do
          if not used[c] then current[t] = c; choices[#choices + 1] = table.move(current, 1, t, 1, {}) end
        end
      else
        choices[#choices + 1] = table.move(current, 1, turns, 1, {})
      end
      return
    end
    local mine = self.bids[player][t]
    for c = 0, CARDS - 1 do
      local winner = (other == 1) and (c > mine and 1 or (c < mine and 2 or 0)) or (mine > c and 1 or (mine < c and 2 or 0))
      if not used[c] and winner == self.wins[t] then
        used[c], current[t] = true, c
        search(t + 1)
        used[c] = nil
      end
    end
  end
  search(1)
  local pick = choices[self.rng:int(1, #choices)]
  for c = 0, CARDS - 1 do self.hands[other][c] = true end
  for t = 1, turns do self.bids[other][t] = pick[t]; self.hands[other][pick[t]] = false end
  if pending then self.pending[1] = pick[turns + 1] end
end

function E.render(self)
  local function list(t) local out = {} for i, v in ipairs(t) do out[i] = tostring(v) end return table.concat(out, ",") end
  return "points " .. self.points[1] .. "-" .. self.points[2] .. "  point cards [" .. list(self.point_sequence) .. "]"
    .. "  bids p1 [" .. list(self.bids[1]) .. "] p2 [" .. list(self.bids[2]) .. "]" .. (self.over and "  over" or "")
end

return E
