-- sudoku.generator: random puzzles with exactly one solution (reasoning-gym's
-- sudoku / mini_sudoku), drawing only from the rng it is given.

local Grid = require "sudoku.grid"
local solver = require "sudoku.solver"
local shuffle = require "shuffle"

local M = {}

-- A random complete grid.
function M.random_solution(rng, n)
  local empty = {}
  for c = 1, n * n do empty[c] = 0 end
  local _, _, solution = solver.search(empty, n, 1, rng)
  return solution
end

-- Removes clues from `solution` in a random order, keeping each removal only if
-- the solution stays unique, until `num_empty` cells are empty or every cell was
-- tried. Up to `attempts` orders are tried; the first that reaches num_empty wins,
-- else the one with the most empty cells. Returns the puzzle and its empty count.
function M.make_puzzle(rng, solution, n, num_empty, attempts)
  attempts = attempts or 4
  local best, best_empty = nil, -1
  local cells = {}
  for c = 1, n * n do cells[c] = c end
  for _ = 1, attempts do
    shuffle(rng, cells)
    local puzzle, removed = Grid.copy(solution), 0
    if num_empty > 0 then
      for _, c in ipairs(cells) do
        local v = puzzle[c]
        puzzle[c] = 0
        -- Unique iff no solution gives this cell another digit.
        if solver.search(puzzle, n, 1, nil, c, v) > 0 then
          puzzle[c] = v
        else
          removed = removed + 1
          if removed >= num_empty then break end
        end
      end
    end
    if removed > best_empty then best, best_empty = puzzle, removed end
    if removed >= num_empty then break end
  end
  return best, best_empty
end

-- Empty-cell bounds for a size: 4x4 puzzles have at most 12 empty cells.
function M.empty_range(n, min_empty, max_empty)
  local lo, hi = math.min(min_empty, max_empty), math.max(min_empty, max_empty)
  local cap = n == 4 and 12 or 64
  return math.min(lo, cap), math.min(hi, cap)
end

-- Generates {puzzle, solution, num_empty, requested_empty}.
function M.generate(rng, n, min_empty, max_empty)
  local lo, hi = M.empty_range(n, min_empty, max_empty)
  local solution = M.random_solution(rng, n)
  local want = rng:int(lo, hi)
  local puzzle, got = M.make_puzzle(rng, solution, n, want)
  return { puzzle = puzzle, solution = solution, num_empty = got, requested_empty = want }
end

return M
