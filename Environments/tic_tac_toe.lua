-- tic_tac_toe: two players take turns marking a 3x3 board; three in a row wins.
--
-- Player 1 plays x, player 2 plays o, x moves first. An action is a cell index
-- 0..8 in row-major order. Board codes: 0 empty, 1 x, 2 o.

local grid_text = require "grid_text"
local sorted_list = require "sorted_list"
local remove_cell, clear = sorted_list.remove, sorted_list.clear

local E = {
  id = "tic_tac_toe",
  description = "Classic 3x3 tic-tac-toe for two players; x moves first.",
  version = "1.0.0",
  players = 2,
  roles = { "x", "o" },

  observation_space = space.dict{
    board = space.box(0, 2, { 9 }),  -- 0 empty, 1 x, 2 o (row-major)
    to_play = space.discrete(3),     -- 1 or 2; 0 once the game is over
  },
  action_space = space.discrete(9),
  params = {},

  max_steps = 9,
  reward_range = { -1, 1 },
}

-- Constant tables, never written to (the host only reads reward lists).
local NO_REWARD = { 0, 0 }
local WIN_REWARD = { { 1, -1 }, { -1, 1 } }
local LINES = {
  { 1, 2, 3 }, { 4, 5, 6 }, { 7, 8, 9 },  -- rows
  { 1, 4, 7 }, { 2, 5, 8 }, { 3, 6, 9 },  -- columns
  { 1, 5, 9 }, { 3, 5, 7 },               -- diagonals
}
local SYMBOLS = { [0] = ".", "x", "o" }
-- LINES_THROUGH[cell]: the lines that hold the cell (2 to 4 of them): only a line through
-- the last move can have become three in a row.
local LINES_THROUGH = {}
for cell = 1, 9 do
  local through = {}
  for i = 1, #LINES do
    local line = LINES[i]
    if line[1] == cell or line[2] == cell or line[3] == cell then through[#through + 1] = line end
  end
  LINES_THROUGH[cell] = through
end

function E.reset(self, params)
  local obs = self.obs
  if obs == nil then
    obs = { board = {} }
    self.obs = obs
  end
  local board = obs.board
  for i = 1, 9 do board[i] = 0 end
  -- The legal cells, in increasing order, kept by `step`: `legal_actions` hands out this
  -- table (the host reads it at once and never writes to it) instead of a new one per move.
  local legal = self.legal
  if legal == nil then legal = {}; self.legal = legal end
  for i = 1, 9 do legal[i] = i - 1 end
  obs.to_play = 1         -- obs.board is the game board itself
  self.player = 1         -- whose turn: 1, 2, or 0 once over
  self.moves = 0
  self.winner = 0         -- 0 none/draw, 1 x, 2 o

  local info = self.info
  if info == nil then info = {}; self.info = info end
  info.winner = 0
  return obs, info
end

function E.current_player(self)
  return self.player
end

function E.legal_actions(self)
  return self.legal
end


function E.step(self, action)
  local obs, player = self.obs, self.player
  local board = obs.board
  if player == 0 or math.type(action) ~= "integer" or action < 0 or action > 8
      or board[action + 1] ~= 0 then
    error("illegal action " .. tostring(action), 2)
  end
  board[action + 1] = player
  remove_cell(self.legal, action)
  local moves = self.moves + 1
  self.moves = moves

  local won = false
  if moves >= 5 then
    local lines = LINES_THROUGH[action + 1]
    for i = 1, #lines do
      local line = lines[i]
      if board[line[1]] == player and board[line[2]] == player and board[line[3]] == player then
        won = true
        break
      end
    end
  end

  local info = self.info
  if won then
    self.player, self.winner = 0, player
    obs.to_play, info.winner = 0, player
    clear(self.legal)
    return obs, WIN_REWARD[player], true, false, info
  end
  if moves == 9 then
    self.player = 0
    obs.to_play = 0
    return obs, NO_REWARD, true, false, info
  end
  player = 3 - player
  self.player = player
  obs.to_play = player
  return obs, NO_REWARD, false, false, info
end

function E.render(self)
  local lines = grid_text.rows(self.obs.board, 3, SYMBOLS)
  if self.player ~= 0 then
    lines[4] = SYMBOLS[self.player] .. " to play"
  elseif self.winner ~= 0 then
    lines[4] = SYMBOLS[self.winner] .. " wins"
  else
    lines[4] = "draw"
  end
  return table.concat(lines, "\n")
end

return E
