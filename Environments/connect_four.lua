-- connect_four: two players drop pieces into a 6-row, 7-column board; four in a
-- row (horizontally, vertically or diagonally) wins. The rules and encodings
-- follow OpenSpiel's `connect_four` (checked by bench/parity_openspiel.py).
--
-- Player 1 plays x and moves first, player 2 plays o. An action is a column
-- 0..6; the piece falls to the lowest empty cell of that column. The legal
-- actions are the columns that are not full, in increasing order. A full board
-- without four in a row is a draw.
--
-- Observation: `board[r][c]` with r = 1..6 from the TOP row to the BOTTOM row
-- (the order in which `render` and OpenSpiel print the board) and c = 1..7 for
-- columns 0..6; cell codes 0 empty, 1 x, 2 o. `to_play` is 1 or 2, 0 once over.
--
-- Info: `legal` is the sorted list of legal columns (the same table that
-- `legal_actions` returns; empty once over), `winner` is 0 (none yet, or a
-- draw), 1 or 2. Both tables are updated in place: `step` allocates nothing.

local E = {
  id = "connect_four",
  description = "Connect Four on a 6x7 board for two players: drop pieces into columns, four in a row wins; x moves first.",
  version = "1.0.0",
  players = 2,
  roles = { "x", "o" },

  observation_space = space.dict{
    board = space.box(0, 2, { 6, 7 }),  -- rows top to bottom; 0 empty, 1 x, 2 o
    to_play = space.discrete(3),        -- 1 or 2; 0 once the game is over
  },
  action_space = space.discrete(7),     -- the column to drop a piece into
  params = {},

  max_steps = 42,
  reward_range = { -1, 1 },
}

local sorted_list = require "sorted_list"
local remove_column, clear = sorted_list.remove, sorted_list.clear  -- a full column leaves `legal`

local ROWS, COLS = 6, 7

-- Constant tables, never written to (the host only reads reward lists).
local NO_REWARD = { 0, 0 }
local WIN_REWARD = { { 1, -1 }, { -1, 1 } }
local SYMBOLS = { [0] = ".", "x", "o" }

function E.reset(self, params)
  local obs = self.obs
  if obs == nil then
    local board = {}
    for r = 1, ROWS do board[r] = {} end
    obs = { board = board }
    self.obs = obs
    self.height = {}   -- height[c]: pieces in column c (1..7)
    self.legal = {}    -- the legal columns, shared with info.legal
    self.bits = {}     -- bits[p]: player p's pieces as a bitboard (see `step`)
    self.info = { legal = self.legal }
  end
  local board, height, legal = obs.board, self.height, self.legal
  for r = 1, ROWS do
    local row = board[r]
    for c = 1, COLS do row[c] = 0 end
  end
  for c = 1, COLS do
    height[c] = 0
    legal[c] = c - 1
  end
  local bits = self.bits
  bits[1], bits[2] = 0, 0
  obs.to_play = 1
  self.player = 1     -- whose turn: 1, 2, or 0 once over
  self.moves = 0
  self.winner = 0     -- 0 none/draw, 1 x, 2 o
  self.info.winner = 0
  return obs, self.info
end

function E.current_player(self)
  return self.player
end

-- The list `step` keeps, not a copy: the host reads it at once and never writes to it, and a
-- new table per move was a sixth of a random game's time.
function E.legal_actions(self)
  return self.legal
end


function E.step(self, action)
  local player = self.player
  local height = self.height
  local c = (math.type(action) == "integer") and action + 1 or 0
  local h = height[c]
  if player == 0 or h == nil or h >= ROWS then
    error("illegal action " .. tostring(action), 2)
  end
  local obs = self.obs
  local board = obs.board
  h = h + 1
  height[c] = h
  local r = ROWS + 1 - h           -- row index from the top
  local row = board[r]
  row[c] = player
  local moves = self.moves + 1
  self.moves = moves
  if h == ROWS then remove_column(self.legal, action) end

  -- Four in a row, on bitboards: each player's pieces are the bits c*7 + h (column c =
  -- action, height h = 0..5 from the bottom, bit 6 of each column always clear so no line
  -- wraps to the next column). `m = b & (b >> s)` keeps pieces with a neighbour at step s;
  -- `m & (m >> 2s)` is non-zero exactly when four in a row at step s exist (1 vertical,
  -- 7 horizontal, 6 and 8 the diagonals). Only the mover can have made one, and only now.
  local bits = self.bits
  local b = bits[player] | (1 << (action * 7 + h - 1))
  bits[player] = b
  local won = false
  if moves >= 7 then
    local m = b & (b >> 1)
    if m & (m >> 2) ~= 0 then
      won = true
    else
      m = b & (b >> 7)
      if m & (m >> 14) ~= 0 then
        won = true
      else
        m = b & (b >> 6)
        if m & (m >> 12) ~= 0 then
          won = true
        else
          m = b & (b >> 8)
          won = m & (m >> 16) ~= 0
        end
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
  if moves == ROWS * COLS then
    self.player = 0
    obs.to_play = 0
    clear(self.legal)
    return obs, NO_REWARD, true, false, info
  end
  player = 3 - player
  self.player = player
  obs.to_play = player
  return obs, NO_REWARD, false, false, info
end

function E.render(self)
  local lines, board = {}, self.obs.board
  for r = 1, ROWS do
    local row, cells = board[r], {}
    for c = 1, COLS do cells[c] = SYMBOLS[row[c]] end
    lines[r] = table.concat(cells)
  end
  lines[ROWS + 1] = "0123456"
  if self.player ~= 0 then
    lines[ROWS + 2] = SYMBOLS[self.player] .. " to play"
  elseif self.winner ~= 0 then
    lines[ROWS + 2] = SYMBOLS[self.winner] .. " wins"
  else
    lines[ROWS + 2] = "draw"
  end
  return table.concat(lines, "\n")
end

return E
