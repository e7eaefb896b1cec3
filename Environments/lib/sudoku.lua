-- sudoku: 4x4 and 9x9 Sudoku (shared by sudoku.lua and sudoku_text.lua).
--
-- A grid is a flat list of size*size digits in row-major order, 0 = empty. The
-- solver is depth-first search with bit masks, picking the empty cell with the
-- fewest candidates first; it counts solutions up to a limit and reports its
-- search nodes (the difficulty measure). The module keeps no state.

local S = {}

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
S.GEOM = GEOM

local POP, DIGIT = {}, {}
for m = 0, 511 do
  local c, x = 0, m
  while x ~= 0 do c = c + (x & 1); x = x >> 1 end
  POP[m] = c
end
for d = 1, 9 do DIGIT[1 << (d - 1)] = d end

function S.copy(grid)
  local out = {}
  for i = 1, #grid do out[i] = grid[i] end
  return out
end

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
      if first == nil then first = S.copy(g) end
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
    if rng ~= nil then
      for i = nd, 2, -1 do
        local j = rng:int(1, i)
        digits[depth * 10 + i], digits[depth * 10 + j] = digits[depth * 10 + j], digits[depth * 10 + i]
      end
    end
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
function S.search(grid, n, limit, rng, forbid_cell, forbid_digit, node_limit)
  return SEARCHERS[n](grid, limit, rng, forbid_cell, forbid_digit, node_limit)
end

-- A random complete grid.
function S.random_solution(rng, n)
  local empty = {}
  for c = 1, n * n do empty[c] = 0 end
  local _, _, solution = S.search(empty, n, 1, rng)
  return solution
end

-- Removes clues from `solution` in a random order, keeping each removal only if
-- the solution stays unique, until `num_empty` cells are empty or every cell was
-- tried. Up to `attempts` orders are tried; the first that reaches num_empty wins,
-- else the one with the most empty cells. Returns the puzzle and its empty count.
function S.make_puzzle(rng, solution, n, num_empty, attempts)
  attempts = attempts or 4
  local best, best_empty = nil, -1
  local cells = {}
  for c = 1, n * n do cells[c] = c end
  for _ = 1, attempts do
    for i = #cells, 2, -1 do
      local j = rng:int(1, i)
      cells[i], cells[j] = cells[j], cells[i]
    end
    local puzzle, removed = S.copy(solution), 0
    if num_empty > 0 then
      for _, c in ipairs(cells) do
        local v = puzzle[c]
        puzzle[c] = 0
        -- Unique iff no solution gives this cell another digit.
        if S.search(puzzle, n, 1, nil, c, v) > 0 then
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
function S.empty_range(n, min_empty, max_empty)
  local lo, hi = math.min(min_empty, max_empty), math.max(min_empty, max_empty)
  local cap = n == 4 and 12 or 64
  return math.min(lo, cap), math.min(hi, cap)
end

-- Generates {puzzle, solution, num_empty, requested_empty}.
function S.generate(rng, n, min_empty, max_empty)
  local lo, hi = S.empty_range(n, min_empty, max_empty)
  local solution = S.random_solution(rng, n)
  local want = rng:int(lo, hi)
  local puzzle, got = S.make_puzzle(rng, solution, n, want)
  return { puzzle = puzzle, solution = solution, num_empty = got, requested_empty = want }
end

---------------------------------------------------------------------------
-- Text (reasoning-gym's formats).
---------------------------------------------------------------------------

-- Rows of digits separated by spaces, "_" for empty cells.
function S.to_string(grid, n)
  local lines = {}
  for r = 0, n - 1 do
    local row = {}
    for k = 1, n do
      local d = grid[r * n + k]
      row[k] = d == 0 and "_" or tostring(d)
    end
    lines[r + 1] = table.concat(row, " ")
  end
  return table.concat(lines, "\n")
end

function S.question(grid, n)
  local s = S.to_string(grid, n)
  if n == 4 then
    return "In 4x4 Mini Sudoku:\n"
      .. "- Each row must contain each number from 1-4 exactly once\n"
      .. "- Each column must contain each number 1-4 exactly once\n"
      .. "- Each 2x2 subgrid must contain each number 1-4 exactly once\n"
      .. "Solve this 4x4 Mini Sudoku puzzle:\n" .. s .. "\n"
      .. "Format your response as the puzzle above, with spaces separating each number within a row, and newlines separating rows.\n"
  end
  return "Solve this Sudoku puzzle:\n" .. s .. "\n"
    .. "Respond with only your answer, formatted as the puzzle, a 9x9 grid with numbers separated by spaces, and rows separated by newlines."
end

-- A flat grid from a list of rows (JSON item metadata) or a flat list; size from it.
function S.from_rows(rows)
  if type(rows) ~= "table" or #rows == 0 then return nil end
  local flat = {}
  if type(rows[1]) == "table" then
    for _, row in ipairs(rows) do
      for _, d in ipairs(row) do flat[#flat + 1] = math.tointeger(d) or 0 end
    end
  else
    for i, d in ipairs(rows) do flat[i] = math.tointeger(d) or 0 end
  end
  local n = #flat == 16 and 4 or #flat == 81 and 9 or nil
  if n == nil then return nil end
  return flat, n
end

function S.to_rows(grid, n)
  local rows = {}
  for r = 1, n do
    local row = {}
    for k = 1, n do row[k] = grid[(r - 1) * n + k] end
    rows[r] = row
  end
  return rows
end

local function split_lines(text)
  local lines = {}
  local start = 1
  while true do
    local nl = text:find("\n", start, true)
    if nl == nil then lines[#lines + 1] = text:sub(start); break end
    lines[#lines + 1] = text:sub(start, nl - 1)
    start = nl + 1
  end
  return lines
end

local function rstrip_lines(text)
  local lines = split_lines(text)
  for i, l in ipairs(lines) do lines[i] = l:gsub("%s+$", "") end
  return table.concat(lines, "\n")
end

local function text_length(s)
  return utf8.len(s) or #s
end

-- The answer inside the last <answer>...</answer>, else the whole text.
function S.extract_answer(text)
  local last
  for inner in text:gmatch("<answer>(.-)</answer>") do last = inner end
  if last ~= nil then return (last:gsub("^%s*\n", ""):gsub("\n%s*$", "")) end
  return text
end

-- The answer's rows as reasoning-gym reads them: lines holding exactly n digits
-- 1-9 (other characters ignored), at most n of them.
function S.answer_rows(text, n)
  local rows = {}
  for _, line in ipairs(split_lines(text)) do
    if #rows >= n then break end
    local digits = {}
    for d in line:gmatch("[1-9]") do digits[#digits + 1] = tonumber(d) end
    if #digits == n then rows[#rows + 1] = digits end
  end
  return rows
end

-- reasoning-gym's score: 1.0 for the exact solution text (trailing spaces per line
-- ignored); else 0.9 * fraction of cells matching the solution, reading rows as
-- answer_rows does; times len(oracle) / len(answer) when the answer is longer.
function S.score(solution, n, answer, oracle)
  if type(answer) ~= "string" then return 0.0 end
  answer = S.extract_answer(answer)
  if #answer == 0 then return 0.0 end
  oracle = oracle or S.to_string(solution, n)
  local reward
  if answer == oracle or rstrip_lines(answer) == rstrip_lines(oracle) then
    reward = 1.0
  else
    local matching = 0
    for r, digits in ipairs(S.answer_rows(answer, n)) do
      for k = 1, n do
        if digits[k] == solution[(r - 1) * n + k] then matching = matching + 1 end
      end
    end
    reward = matching / (n * n) * 0.9
  end
  local la, lo = text_length(answer), text_length(oracle)
  if la > lo then reward = reward * lo / la end
  return reward
end

-- Rule check without the stored solution: true when the answer holds n rows of n
-- digits that keep the puzzle's givens and satisfy the row, column and box rules.
function S.check_answer(puzzle, n, answer)
  if type(answer) ~= "string" then return false, "not text" end
  local rows = S.answer_rows(S.extract_answer(answer), n)
  if #rows < n then return false, "fewer than " .. n .. " rows of " .. n .. " digits" end
  local grid = {}
  for r = 1, n do
    for k = 1, n do
      local d = rows[r][k]
      if d > n then return false, "digit " .. d .. " out of range" end
      grid[(r - 1) * n + k] = d
    end
  end
  for c = 1, n * n do
    if puzzle[c] ~= 0 and puzzle[c] ~= grid[c] then
      return false, string.format("r%dc%d changes a given", (c - 1) // n + 1, (c - 1) % n + 1)
    end
  end
  local G = GEOM[n]
  local seen = {}
  for c = 1, n * n do
    local bit = 1 << (grid[c] - 1)
    for kind, idx in ipairs({ G.row[c], G.col[c], G.box[c] }) do
      local key = kind * 16 + idx
      local m = seen[key] or 0
      if m & bit ~= 0 then return false, string.format("r%dc%d repeats %d", (c - 1) // n + 1, (c - 1) % n + 1, grid[c]) end
      seen[key] = m | bit
    end
  end
  return true, "valid"
end

---------------------------------------------------------------------------
-- Traces: placements "r1c3=5" (any text with row, column, digit as its three
-- numbers) or step-mode actions cell * n + (digit - 1).
---------------------------------------------------------------------------
function S.parse_step(step, n)
  if math.type(step) == "integer" then
    if step < 0 or step >= n * n * n then return nil end
    return step // n + 1, step % n + 1
  end
  if type(step) ~= "string" then return nil end
  local nums = {}
  for x in step:gmatch("%d+") do nums[#nums + 1] = math.tointeger(tonumber(x)) end
  if #nums ~= 3 then return nil end
  local r, k, d = nums[1], nums[2], nums[3]
  if r < 1 or r > n or k < 1 or k > n or d < 1 or d > n then return nil end
  return (r - 1) * n + k, d
end

function S.step_string(cell, digit, n)
  return string.format("r%dc%d=%d", (cell - 1) // n + 1, (cell - 1) % n + 1, digit)
end

-- First wrong placement (unreadable, a filled cell, or not the solution's digit),
-- or nil; the second value is true when the placements complete the grid.
function S.verify_trace(puzzle, solution, n, steps)
  local grid = S.copy(puzzle)
  local empty = 0
  for c = 1, n * n do if grid[c] == 0 then empty = empty + 1 end end
  for i, step in ipairs(steps) do
    local c, d = S.parse_step(step, n)
    if c == nil or grid[c] ~= 0 or solution[c] ~= d then return i, false end
    grid[c] = d
    empty = empty - 1
  end
  return nil, empty == 0
end

-- The placements that complete `grid` (row-major), or nil if it has no solution.
function S.solve_steps(grid, n)
  local count, _, solution = S.search(grid, n, 1)
  if count == 0 then return nil end
  local steps = {}
  for c = 1, n * n do
    if grid[c] == 0 then steps[#steps + 1] = S.step_string(c, solution[c], n) end
  end
  return steps
end

---------------------------------------------------------------------------
-- Functions shared by the sudoku environments (installed into E).
---------------------------------------------------------------------------
function S.install(E)
  function E.new_puzzle(self, params)
    local n = math.tointeger(tonumber(params.size)) or 9
    local p = { size = params.size, min_empty = params.min_empty, max_empty = params.max_empty }
    local gen = S.generate(self.rng, n, params.min_empty, params.max_empty)
    self.params = p
    self.n = n
    self.puzzle = gen.puzzle
    self.solution = gen.solution
    self.num_empty = gen.num_empty
    self.requested_empty = gen.requested_empty
  end

  function E.question(self)
    return S.question(self.puzzle, self.n)
  end

  function E.item(self)
    local n = self.n
    local _, nodes = S.search(self.puzzle, n, 2)
    local lo, hi = S.empty_range(n, self.params.min_empty, self.params.max_empty)
    return {
      question = S.question(self.puzzle, n),
      answer = S.to_string(self.solution, n),
      metadata = {
        source_dataset = E.id,
        puzzle = S.to_rows(self.puzzle, n),
        solution = S.to_rows(self.solution, n),
        num_empty = self.num_empty,
        size = n,
        difficulty = { empty = { lo, hi }, search_nodes = nodes },
        params = self.params,
      },
    }
  end

  function E.score(self, answer)
    return S.score(self.solution, self.n, answer)
  end

  -- Items from `ludus generate` or reasoning-gym (sudoku, mini_sudoku): metadata.solution
  -- (or, failing that, metadata.puzzle, solved here) and the item's answer text.
  function E.score_item(self, item, answer)
    local meta = type(item) == "table" and (item.metadata or item) or {}
    local solution, n = S.from_rows(meta.solution)
    if solution == nil then
      local puzzle, pn = S.from_rows(meta.puzzle)
      if puzzle == nil then error("sudoku item needs metadata.solution or metadata.puzzle", 2) end
      local _, _, solved = S.search(puzzle, pn, 1)
      if solved == nil then return 0.0 end
      solution, n = solved, pn
    end
    local oracle = type(item) == "table" and type(item.answer) == "string" and item.answer or nil
    return S.score(solution, n, answer, oracle)
  end

  -- Rule check of a text answer against the puzzle only (no stored solution).
  function E.check_answer(self, answer)
    return S.check_answer(self.puzzle, self.n, answer)
  end

  function E.verify_trace(self, steps)
    return S.verify_trace(self.puzzle, self.solution, self.n, steps)
  end
end

---------------------------------------------------------------------------
-- Critic helpers (sudoku/critic, docs/critic.md): a solution trace in a solving
-- order, the grid after a prefix, sneaky rewrites of a correct placement into a
-- wrong one of a named type, and cheap surface features of a candidate placement.
-- Added for the generator/critic game; nothing above depends on them.
---------------------------------------------------------------------------

-- Row, column and box masks (0-based index -> bit set of digits) of a grid.
function S.masks(grid, n)
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

local function cell_mask(G, rows, cols, boxes, c)
  return G.full & ~(rows[G.row[c]] | cols[G.col[c]] | boxes[G.box[c]])
end

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
function S.solving_order(puzzle, solution, n, rng)
  local G = GEOM[n]
  local grid = S.copy(puzzle)
  local rows, cols, boxes = S.masks(grid, n)
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
    steps[#steps + 1] = S.step_string(c, d, n)
  end
  return steps
end

-- The placements completing `puzzle` with the empty cells in a random order
-- (each placement the solution's digit, so the trace verifies).
function S.random_order(puzzle, solution, n, rng)
  local cells = {}
  for c = 1, n * n do if puzzle[c] == 0 then cells[#cells + 1] = c end end
  for i = #cells, 2, -1 do
    local j = rng:int(1, i)
    cells[i], cells[j] = cells[j], cells[i]
  end
  local steps = {}
  for i, c in ipairs(cells) do steps[i] = S.step_string(c, solution[c], n) end
  return steps
end

-- The grid after applying the readable placements of `steps` to `puzzle`.
function S.grid_after(puzzle, n, steps)
  local grid = S.copy(puzzle)
  for _, step in ipairs(steps) do
    local c, d = S.parse_step(step, n)
    if c ~= nil and grid[c] == 0 then grid[c] = d end
  end
  return grid
end

-- Error types of the critic game, in action order (generator action i picks
-- CRITIC_ERRORS[i + 1]).
S.CRITIC_ERRORS = {
  "row_conflict",                 -- a digit already in the cell's row
  "column_conflict",              -- a digit already in the cell's column
  "box_conflict",                 -- a digit already in the cell's box
  "rule_consistent_wrong_digit",  -- a digit the rules allow in the cell, not the solution's
  "filled_cell",                  -- the step's digit written into an already filled cell nearby
  "transposed_cell",              -- row and column swapped: rCcR=d instead of rRcC=d
  "wrong_cell_format",            -- an unreadable placement (missing digit, digit 0 or > size, row 0)
}

local function bits_list(m)
  local out = {}
  while m ~= 0 do
    local bit = m & -m
    m = m ~ bit
    out[#out + 1] = DIGIT[bit]
  end
  return out
end

local function shuffled(rng, list)
  for i = #list, 2, -1 do
    local j = rng:int(1, i)
    list[i], list[j] = list[j], list[i]
  end
  return list
end

-- The step's cell first, then the other empty cells in a random order.
local function cell_order(rng, grid, n, c)
  local others = {}
  for e = 1, n * n do if e ~= c and grid[e] == 0 then others[#others + 1] = e end end
  shuffled(rng, others)
  table.insert(others, 1, c)
  return others
end

local function conflict(unit_index)
  return function(rng, grid, _, n, c, _)
    local G = GEOM[n]
    local rows, cols, boxes = S.masks(grid, n)
    local units = { rows, cols, boxes }
    local keys = { G.row, G.col, G.box }
    for _, e in ipairs(cell_order(rng, grid, n, c)) do
      local m = units[unit_index][keys[unit_index][e]]
      if m ~= 0 then
        local other = 0
        for u = 1, 3 do if u ~= unit_index then other = other | units[u][keys[u][e]] end end
        local pure = m & ~other   -- in this unit only: the one rule the digit breaks
        local pick = bits_list(pure ~= 0 and pure or m)
        return S.step_string(e, pick[rng:int(1, #pick)], n)
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
  local rows, cols, boxes = S.masks(grid, n)
  for _, e in ipairs(cell_order(rng, grid, n, c)) do
    local m = cell_mask(G, rows, cols, boxes, e) & ~(1 << (solution[e] - 1))
    if m ~= 0 then
      local pick = bits_list(m)
      return S.step_string(e, pick[rng:int(1, #pick)], n)
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
  return S.step_string(pool[rng:int(1, #pool)], d, n)
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
function S.critic_rewrite(rng, kind, grid, solution, n, step)
  local c, d = S.parse_step(step, n)
  local f = REWRITE[kind]
  if c == nil or f == nil then return nil end
  return f(rng, grid, solution, n, c, d)
end

-- Feature layout of a candidate placement (docs/critic.md); 0/1 for flags.
S.CRITIC_FEATURES = {
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
S.CRITIC_CHECKS = { 1, 2, 6 }   -- flags that are 1 for every correct placement

-- Fills `out` (a list, reused) with the features of placement `step` on `grid`.
function S.critic_features(grid, n, step, steps_so_far, out)
  out = out or {}
  for i = 1, #S.CRITIC_FEATURES do out[i] = 0 end
  local G = GEOM[n]
  local filled = 0
  for c = 1, n * n do if grid[c] ~= 0 then filled = filled + 1 end end
  out[9], out[11], out[12] = filled / (n * n), n, steps_so_far
  local c, d = S.parse_step(step, n)
  if c == nil then return out end
  local rows, cols, boxes = S.masks(grid, n)
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

return S
