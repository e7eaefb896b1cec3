-- sudoku.verifier: checks a trace of placements against the puzzle's unique solution.

local Grid = require "sudoku.grid"
local text = require "sudoku.text"

local M = {}

-- First wrong placement (unreadable, a filled cell, or not the solution's digit),
-- or nil; the second value is true when the placements complete the grid.
function M.verify_trace(puzzle, solution, n, steps)
  local grid = Grid.copy(puzzle)
  local empty = 0
  for c = 1, n * n do if grid[c] == 0 then empty = empty + 1 end end
  for i, step in ipairs(steps) do
    local c, d = text.parse_step(step, n)
    if c == nil or grid[c] ~= 0 or solution[c] ~= d then return i, false end
    grid[c] = d
    empty = empty - 1
  end
  return nil, empty == 0
end

return M
