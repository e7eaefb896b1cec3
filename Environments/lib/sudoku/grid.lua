-- sudoku.grid: 4x4 and 9x9 Sudoku grids. A grid is a flat list of size*size digits
-- in row-major order, 0 = empty. Constant geometry (row, column and box of each
-- cell), digit bit masks and their helpers, shared by the other sudoku modules
-- (generator, solver, scorer, verifier, text, critic, env); none keeps any state.

local M = {}

-- Constant geometry per size: row, column and box (0-based) of each cell.
local GEOM = {}
for _, n in ipairs({ 4, 9 }) do
  local b = n == 4 and 2 or 3
  local g = { n = n, b = b, cells = n * n, full = (1 << n) - 1, row = {}, col = {}, box = {} }
  for c = 1, n * n do
    local r, k = (c - 1) // n, (c - 1) % n
    g.row[c], g.col[c], g.box[c] = r, k, (r // b) * b + k // b
  end
  GEOM[n] = g
end
M.GEOM = GEOM

local POP, DIGIT = {}, {}
for m = 0, 511 do
  local c, x = 0, m
  while x ~= 0 do c = c + (x & 1); x = x >> 1 end
  POP[m] = c
end
for d = 1, 9 do DIGIT[1 << (d - 1)] = d end
M.POP = POP       -- POP[m]: how many digits the mask m holds (m < 512)
M.DIGIT = DIGIT   -- DIGIT[1 << (d - 1)] = d

function M.copy(grid)
  local out = {}
  for i = 1, #grid do out[i] = grid[i] end
  return out
end

-- Row, column and box masks (0-based index -> bit set of digits) of a grid.
function M.masks(grid, n)
  local G = GEOM[n]
  local rows, cols, boxes = {}, {}, {}
  for i = 0, n - 1 do rows[i], cols[i], boxes[i] = 0, 0, 0 end
  for c = 1, n * n do
    local d = grid[c]
    if d ~= 0 then
      local bit = 1 << (d - 1)
      rows[G.row[c]] = rows[G.row[c]] | bit
      cols[G.col[c]] = cols[G.col[c]] | bit
      boxes[G.box[c]] = boxes[G.box[c]] | bit
    end
  end
  return rows, cols, boxes
end

-- The digits the rules still allow in cell c, as a mask.
function M.cell_mask(G, rows, cols, boxes, c)
  return G.full & ~(rows[G.row[c]] | cols[G.col[c]] | boxes[G.box[c]])
end

-- The digits of a mask, smallest first.
function M.bits_list(m)
  local out = {}
  while m ~= 0 do
    local bit = m & -m
    m = m ~ bit
    out[#out + 1] = DIGIT[bit]
  end
  return out
end

return M
