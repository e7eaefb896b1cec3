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

-- Counts solutions of `grid` (size n) up to `limit`. Options: rng (try candidate
-- digits in random order), forbid_cell / forbid_digit (that cell may not take that
-- digit). Returns count, nodes, first solution (or nil). Conflicting givens: 0.
function S.search(grid, n, limit, rng, forbid_cell, forbid_digit, node_limit)
  local G = GEOM[n]
  local row, col, box, full = G.row, G.col, G.box, G.full
  local rows, cols, boxes = {}, {}, {}
  for i = 0, n - 1 do rows[i], cols[i], boxes[i] = 0, 0, 0 end
  local g, empties, ne = {}, {}, 0
  for c = 1, G.cells do
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
  local forbid_bit = forbid_digit and (1 << (forbid_digit - 1)) or 0
  local count, nodes, first = 0, 0, nil
  node_limit = node_limit or math.maxinteger
  local digits = {}

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

  rec(1)
  return count, nodes, first
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
  if rstrip_lines(answer) == rstrip_lines(oracle) then
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

return S
