-- sudoku.solver: depth-first search with bit masks, picking the empty cell with
-- the fewest candidates first; it counts solutions up to a limit and reports its
-- search nodes (the difficulty measure).

local Grid = require "sudoku.grid"
local text = require "sudoku.text"
local shuffle = require "shuffle"

local M = {}

local GEOM, POP, DIGIT, copy = Grid.GEOM, Grid.POP, Grid.DIGIT, Grid.copy

-- One searcher per size, made once: its buffers and its recursive function are
-- reused by every search, since generation runs a search per removed clue (a
-- table and closure per search were about a third of the time). Searches never
-- nest, so sharing is safe.
local function make_searcher(n)
  local G = GEOM[n]
  local row, col, box, full, cells = G.row, G.col, G.box, G.full, G.cells
  local rows, cols, boxes, g, empties, digits = {}, {}, {}, {}, {}, {}
  local ne, limit, node_limit, rng, forbid_cell, forbid_bit
  local count, nodes, first

  local function rec(depth)
    nodes = nodes + 1
    if depth > ne then
      count = count + 1
      if first == nil then first = copy(g) end
      return
    end
    if nodes > node_limit then return end
    local best, bestc, bestm = depth, 99, 0
    for i = depth, ne do
      local c = empties[i]
      local m = full & ~(rows[row[c]] | cols[col[c]] | boxes[box[c]])
      if c == forbid_cell then m = m & ~forbid_bit end
      local pc = POP[m]
      if pc < bestc then
        best, bestc, bestm = i, pc, m
        if pc <= 1 then break end
      end
    end
    if bestc == 0 then return end
    local c = empties[best]
    empties[best] = empties[depth]
    empties[depth] = c
    local r, k, x = row[c], col[c], box[c]
    local nd = 0
    local m = bestm
    while m ~= 0 do
      local bit = m & -m
      m = m ~ bit
      nd = nd + 1
      digits[depth * 10 + nd] = bit
    end
    if rng ~= nil then shuffle(rng, digits, nd, depth * 10) end
    for i = 1, nd do
      local bit = digits[depth * 10 + i]
      rows[r], cols[k], boxes[x] = rows[r] | bit, cols[k] | bit, boxes[x] | bit
      g[c] = DIGIT[bit]
      rec(depth + 1)
      rows[r], cols[k], boxes[x] = rows[r] & ~bit, cols[k] & ~bit, boxes[x] & ~bit
      g[c] = 0
      if count >= limit or nodes > node_limit then break end
    end
    empties[depth] = empties[best]
    empties[best] = c
  end

  return function(grid, limit_, rng_, forbid_cell_, forbid_digit, node_limit_)
    for i = 0, n - 1 do rows[i], cols[i], boxes[i] = 0, 0, 0 end
    ne = 0
    for c = 1, cells do
      local d = grid[c]
      g[c] = d
      if d ~= 0 then
        local bit = 1 << (d - 1)
        local r, k, x = row[c], col[c], box[c]
        if (rows[r] | cols[k] | boxes[x]) & bit ~= 0 then return 0, 0, nil end
        rows[r], cols[k], boxes[x] = rows[r] | bit, cols[k] | bit, boxes[x] | bit
      else
        ne = ne + 1
        empties[ne] = c
      end
    end
    limit, rng, forbid_cell = limit_, rng_, forbid_cell_
    forbid_bit = forbid_digit and (1 << (forbid_digit - 1)) or 0
    node_limit = node_limit_ or math.maxinteger
    count, nodes, first = 0, 0, nil
    rec(1)
    local found = first
    first, rng = nil, nil  -- keep no reference to the caller's objects
    return count, nodes, found
  end
end
local SEARCHERS = { [4] = make_searcher(4), [9] = make_searcher(9) }

-- Counts solutions of `grid` (size n) up to `limit`. Options: rng (try candidate
-- digits in random order), forbid_cell / forbid_digit (that cell may not take that
-- digit). Returns count, nodes, first solution (or nil). Conflicting givens: 0.
function M.search(grid, n, limit, rng, forbid_cell, forbid_digit, node_limit)
  return SEARCHERS[n](grid, limit, rng, forbid_cell, forbid_digit, node_limit)
end

-- The placements that complete `grid` (row-major), or nil if it has no solution.
function M.solve_steps(grid, n)
  local count, _, solution = M.search(grid, n, 1)
  if count == 0 then return nil end
  local steps = {}
  for c = 1, n * n do
    if grid[c] == 0 then steps[#steps + 1] = text.step_string(c, solution[c], n) end
  end
  return steps
end

return M
