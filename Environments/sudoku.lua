-- sudoku: fill a 4x4 or 9x9 Sudoku one digit at a time.
--
-- Puzzles follow reasoning-gym's sudoku / mini_sudoku (same params) and always
-- have exactly one solution. An action places a digit in an empty cell:
--
--   action = cell * size + (digit - 1)     cell 0 .. size*size-1, row-major
--
-- Legal actions: empty cells, digits not already in the cell's row, column or box.
-- A legal placement can still contradict the unique solution: info.contradicts_solution
-- says so (such an episode can no longer be won). The episode ends with reward 1
-- when the grid is full, or with reward 0 (info.dead_end) when some empty cell has
-- no legal digit left. The observation pads 4x4 grids to 81 cells with zeros.

local SE = require "sudoku.env"
local Grid = require "sudoku.grid"
local solver = require "sudoku.solver"
local text = require "sudoku.text"

local E = {
  id = "sudoku",
  description = "Sudoku (4x4 or 9x9) with a unique solution: place digits one cell at a time.",
  version = "1.0.0",
  players = 1,

  observation_space = space.dict{
    board = space.box(0, 9, { 81 }),   -- row-major digits, 0 = empty; 4x4 uses the first 16
    size = space.discrete(10),         -- 4 or 9
  },
  action_space = space.discrete(81 * 9),

  params = SE.params(),

  max_steps = 81,
  reward_range = { 0, 1 },
  success_threshold = 1,
}

SE.install(E)

local GEOM = Grid.GEOM

function E.reset(self, params)
  self:new_puzzle(params)
  local n = self.n
  local obs = self.obs
  if obs == nil then obs = { board = {} }; self.obs = obs end
  local board = obs.board
  for c = 1, 81 do board[c] = 0 end
  local empty = 0
  for c = 1, n * n do
    local d = self.puzzle[c]
    board[c] = d
    if d == 0 then empty = empty + 1 end
  end
  obs.size = n
  self.rows, self.cols, self.boxes = Grid.masks(self.puzzle, n)
  self.empty = empty
  self.placed = {}      -- actions taken, in order
  self.over = false
  self.wrong = 0        -- placements that contradict the solution
  local info = self.info
  if info == nil then info = {}; self.info = info end
  info.steps, info.contradicts_solution, info.dead_end, info.solved, info.wrong_placements = 0, false, false, false, 0
  return obs, info
end

local function candidates(self, c)
  local G = GEOM[self.n]
  return G.full & ~(self.rows[G.row[c]] | self.cols[G.col[c]] | self.boxes[G.box[c]])
end

function E.legal_actions(self)
  local legal = {}
  if self.over then return legal end
  local n, board = self.n, self.obs.board
  local m = 0
  for c = 1, n * n do
    if board[c] == 0 then
      local mask = candidates(self, c)
      for d = 1, n do
        if mask & (1 << (d - 1)) ~= 0 then m = m + 1; legal[m] = (c - 1) * n + d - 1 end
      end
    end
  end
  return legal
end

-- 1 while the episode runs, 0 once it is over.
function E.current_player(self)
  return self.over and 0 or 1
end

function E.step(self, action)
  if self.over then error("the episode is over", 2) end
  local n = self.n
  if math.type(action) ~= "integer" or action < 0 or action >= n * n * n then
    error("illegal action " .. tostring(action), 2)
  end
  local c, d = action // n + 1, action % n + 1
  local board = self.obs.board
  local bit = 1 << (d - 1)
  if board[c] ~= 0 or candidates(self, c) & bit == 0 then error("illegal action " .. tostring(action), 2) end
  local G = GEOM[n]
  board[c] = d
  self.rows[G.row[c]] = self.rows[G.row[c]] | bit
  self.cols[G.col[c]] = self.cols[G.col[c]] | bit
  self.boxes[G.box[c]] = self.boxes[G.box[c]] | bit
  self.empty = self.empty - 1
  self.placed[#self.placed + 1] = action
  local info = self.info
  info.steps = #self.placed
  local wrong = self.solution[c] ~= d
  info.contradicts_solution = wrong
  if wrong then self.wrong = self.wrong + 1 end
  info.wrong_placements = self.wrong

  if self.empty == 0 then
    self.over = true
    info.solved = true
    return self.obs, 1, true, false, info
  end
  for e = 1, n * n do
    if board[e] == 0 and candidates(self, e) == 0 then
      self.over = true
      info.dead_end = true
      return self.obs, 0, true, false, info
    end
  end
  return self.obs, 0, false, false, info
end

-- How a language-model prompt names a legal action (docs/llm.md): "r2c3=4".
function E.action_label(self, action)
  local n = self.n
  local c, d = action // n + 1, action % n + 1
  return "r" .. ((c - 1) // n + 1) .. "c" .. ((c - 1) % n + 1) .. "=" .. d
end

function E.render(self)
  local n, board = self.n, self.obs.board
  local b = n == 4 and 2 or 3
  local lines = {}
  for r = 0, n - 1 do
    if r > 0 and r % b == 0 then
      local sep = {}
      for _ = 1, n // b do sep[#sep + 1] = string.rep("-", 2 * b - 1) end
      lines[#lines + 1] = table.concat(sep, "-+-")
    end
    local parts = {}
    for k = 0, n - 1 do
      if k > 0 and k % b == 0 then parts[#parts + 1] = "|" end
      local d = board[r * n + k + 1]
      parts[#parts + 1] = d == 0 and "." or tostring(d)
    end
    lines[#lines + 1] = table.concat(parts, " ")
  end
  local status = string.format("empty %d, steps %d, wrong %d", self.empty, #self.placed, self.wrong)
  if self.over then status = status .. (self.info.solved and ", solved" or ", dead end") end
  lines[#lines + 1] = status
  return table.concat(lines, "\n")
end

-- Placements completing the current board ("r1c3=5", row-major), or nil if a
-- placement so far contradicts the solution.
function E.solve(self)
  if self.obs == nil then return solver.solve_steps(self.puzzle, self.n) end
  local grid = {}
  for c = 1, self.n * self.n do grid[c] = self.obs.board[c] end
  return solver.solve_steps(grid, self.n)
end

-- The same as step-mode actions.
function E.solution_actions(self)
  local steps = E.solve(self)
  if steps == nil then return nil end
  local actions = {}
  for i, s in ipairs(steps) do
    local c, d = text.parse_step(s, self.n)
    actions[i] = (c - 1) * self.n + d - 1
  end
  return actions
end

return E
