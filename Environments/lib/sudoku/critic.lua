-- sudoku.critic: helpers of sudoku/critic (docs/critic.md): a solution trace in a
-- solving order, the grid after a prefix, sneaky rewrites of a correct placement
-- into a wrong one of a named type, and cheap surface features of a candidate
-- placement.

local Grid = require "sudoku.grid"
local text = require "sudoku.text"
local shuffle = require "shuffle"

local M = {}

local GEOM, POP, masks, cell_mask, bits_list = Grid.GEOM, Grid.POP, Grid.masks, Grid.cell_mask, Grid.bits_list
local step_string, parse_step = text.step_string, text.parse_step

-- Whether digit d (allowed in empty cell c) is forced there: the only candidate
-- of c, or the only place for d in c's row, column or box.
local function forced(grid, n, G, rows, cols, boxes, c, d)
  local m = cell_mask(G, rows, cols, boxes, c)
  local bit = 1 << (d - 1)
  if m & bit == 0 then return false end
  if POP[m] == 1 then return true end
  local places = { 0, 0, 0 }
  local unit = { G.row[c], G.col[c], G.box[c] }
  for e = 1, n * n do
    if grid[e] == 0 and cell_mask(G, rows, cols, boxes, e) & bit ~= 0 then
      if G.row[e] == unit[1] then places[1] = places[1] + 1 end
      if G.col[e] == unit[2] then places[2] = places[2] + 1 end
      if G.box[e] == unit[3] then places[3] = places[3] + 1 end
    end
  end
  return places[1] == 1 or places[2] == 1 or places[3] == 1
end

-- The placements completing `puzzle` in a solving order: at each step a forced
-- placement (naked or hidden single) if there is one, else a cell with the fewest
-- candidates; ties broken with rng (or row-major without one). Every placement is
-- the solution's digit, so the trace verifies.
function M.solving_order(puzzle, solution, n, rng)
  local G = GEOM[n]
  local grid = Grid.copy(puzzle)
  local rows, cols, boxes = masks(grid, n)
  local steps = {}
  while true do
    local best, bestscore = {}, math.huge
    for c = 1, n * n do
      if grid[c] == 0 then
        local score = POP[cell_mask(G, rows, cols, boxes, c)]
        if score > 1 and forced(grid, n, G, rows, cols, boxes, c, solution[c]) then score = 1 end
        if score < bestscore then best, bestscore = { c }, score
        elseif score == bestscore then best[#best + 1] = c end
      end
    end
    if #best == 0 then break end
    local c = rng ~= nil and best[rng:int(1, #best)] or best[1]
    local d = solution[c]
    local bit = 1 << (d - 1)
    grid[c] = d
    rows[G.row[c]] = rows[G.row[c]] | bit
    cols[G.col[c]] = cols[G.col[c]] | bit
    boxes[G.box[c]] = boxes[G.box[c]] | bit
    steps[#steps + 1] = step_string(c, d, n)
  end
  return steps
end

-- The placements completing `puzzle` with the empty cells in a random order
-- (each placement the solution's digit, so the trace verifies).
function M.random_order(puzzle, solution, n, rng)
  local cells = {}
  for c = 1, n * n do if puzzle[c] == 0 then cells[#cells + 1] = c end end
  shuffle(rng, cells)
  local steps = {}
  for i, c in ipairs(cells) do steps[i] = step_string(c, solution[c], n) end
  return steps
end

-- The grid after applying the readable placements of `steps` to `puzzle`.
function M.grid_after(puzzle, n, steps)
  local grid = Grid.copy(puzzle)
  for _, step in ipairs(steps) do
    local c, d = parse_step(step, n)
    if c ~= nil and grid[c] == 0 then grid[c] = d end
  end
  return grid
end

-- Error types of the critic game, in action order (generator action i picks
-- CRITIC_ERRORS[i + 1]).
M.CRITIC_ERRORS = {
  "row_conflict",                 -- a digit already in the cell's row
  "column_conflict",              -- a digit already in the cell's column
  "box_conflict",                 -- a digit already in the cell's box
  "rule_consistent_wrong_digit",  -- a digit the rules allow in the cell, not the solution's
  "filled_cell",                  -- the step's digit written into an already filled cell nearby
  "transposed_cell",              -- row and column swapped: rCcR=d instead of rRcC=d
  "wrong_cell_format",            -- an unreadable placement (missing digit, digit 0 or > size, row 0)
}

-- The step's cell first, then the other empty cells in a random order.
local function cell_order(rng, grid, n, c)
  local others = {}
  for e = 1, n * n do if e ~= c and grid[e] == 0 then others[#others + 1] = e end end
  shuffle(rng, others)
  table.insert(others, 1, c)
  return others
end

local function conflict(unit_index)
  return function(rng, grid, _, n, c, _)
    local G = GEOM[n]
    local rows, cols, boxes = masks(grid, n)
    local units = { rows, cols, boxes }
    local keys = { G.row, G.col, G.box }
    for _, e in ipairs(cell_order(rng, grid, n, c)) do
      local m = units[unit_index][keys[unit_index][e]]
      if m ~= 0 then
        local other = 0
        for u = 1, 3 do if u ~= unit_index then other = other | units[u][keys[u][e]] end end
        local pure = m & ~other   -- in this unit only: the one rule the digit breaks
        local pick = bits_list(pure ~= 0 and pure or m)
        return step_string(e, pick[rng:int(1, #pick)], n)
      end
    end
    return nil
  end
end

local REWRITE = {
  row_conflict = conflict(1),
  column_conflict = conflict(2),
  box_conflict = conflict(3),
}

REWRITE.rule_consistent_wrong_digit = function(rng, grid, solution, n, c, _)
  local G = GEOM[n]
  local rows, cols, boxes = masks(grid, n)
  for _, e in ipairs(cell_order(rng, grid, n, c)) do
    local m = cell_mask(G, rows, cols, boxes, e) & ~(1 << (solution[e] - 1))
    if m ~= 0 then
      local pick = bits_list(m)
      return step_string(e, pick[rng:int(1, #pick)], n)
    end
  end
  return nil
end

REWRITE.filled_cell = function(rng, grid, _, n, c, d)
  local G = GEOM[n]
  local peers, others = {}, {}
  for e = 1, n * n do
    if grid[e] ~= 0 then
      if G.row[e] == G.row[c] or G.col[e] == G.col[c] or G.box[e] == G.box[c] then
        peers[#peers + 1] = e
      else
        others[#others + 1] = e
      end
    end
  end
  local pool = #peers > 0 and peers or others
  if #pool == 0 then return nil end
  return step_string(pool[rng:int(1, #pool)], d, n)
end

REWRITE.transposed_cell = function(_, _, _, n, c, d)
  local r, k = (c - 1) // n + 1, (c - 1) % n + 1
  if r == k then return nil end
  return string.format("r%dc%d=%d", k, r, d)
end

REWRITE.wrong_cell_format = function(rng, _, _, n, c, d)
  local r, k = (c - 1) // n + 1, (c - 1) % n + 1
  local v = rng:int(1, 4)
  if v == 1 then return string.format("r%dc%d=", r, k) end
  if v == 2 then return string.format("r%dc%d=0", r, k) end
  if v == 3 then return string.format("r0c%d=%d", k, d) end
  return string.format("r%dc%d=%d", r, k, n + 1)
end

-- Rewrites the correct placement `step` on `grid` (the grid after the prefix)
-- into a wrong one of type `kind` (a name in CRITIC_ERRORS), using rng. Returns
-- the placement text, or nil when this type is impossible here. The caller
-- checks the result with verify_trace (a transposed cell can be right).
function M.critic_rewrite(rng, kind, grid, solution, n, step)
  local c, d = parse_step(step, n)
  local f = REWRITE[kind]
  if c == nil or f == nil then return nil end
  return f(rng, grid, solution, n, c, d)
end

-- Feature layout of a candidate placement (docs/critic.md); 0/1 for flags.
M.CRITIC_FEATURES = {
  "parses",           -- 1  row, column and digit read, all in 1 .. size
  "cell_empty",       -- 2  the cell is empty after the prefix
  "digit_in_row",     -- 3  the digit already appears in the cell's row
  "digit_in_column",  -- 4  ... in its column
  "digit_in_box",     -- 5  ... in its box
  "digit_allowed",    -- 6  cell empty and the digit in none of the three
  "cell_candidates",  -- 7  digits the rules allow in the cell (0 if filled or unreadable)
  "digit_count",      -- 8  cells holding the digit after the prefix (0 if unreadable)
  "fraction_filled",  -- 9  filled cells / size^2 after the prefix
  "digit",            -- 10 the digit (0 if unreadable)
  "size",             -- 11 4 or 9
  "steps_so_far",     -- 12 placements before the candidate
}
M.CRITIC_CHECKS = { 1, 2, 6 }   -- flags that are 1 for every correct placement

-- Fills `out` (a list, reused) with the features of placement `step` on `grid`.
function M.critic_features(grid, n, step, steps_so_far, out)
  out = out or {}
  for i = 1, #M.CRITIC_FEATURES do out[i] = 0 end
  local G = GEOM[n]
  local filled = 0
  for c = 1, n * n do if grid[c] ~= 0 then filled = filled + 1 end end
  out[9], out[11], out[12] = filled / (n * n), n, steps_so_far
  local c, d = parse_step(step, n)
  if c == nil then return out end
  local rows, cols, boxes = masks(grid, n)
  local bit = 1 << (d - 1)
  out[1] = 1
  out[2] = grid[c] == 0 and 1 or 0
  out[3] = rows[G.row[c]] & bit ~= 0 and 1 or 0
  out[4] = cols[G.col[c]] & bit ~= 0 and 1 or 0
  out[5] = boxes[G.box[c]] & bit ~= 0 and 1 or 0
  if grid[c] == 0 then
    local m = cell_mask(G, rows, cols, boxes, c)
    out[6] = m & bit ~= 0 and 1 or 0
    out[7] = POP[m]
  end
  local count = 0
  for e = 1, n * n do if grid[e] == d then count = count + 1 end end
  out[8] = count
  out[10] = d
  return out
end

return M
