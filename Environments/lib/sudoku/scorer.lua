-- sudoku.scorer: scores a text answer to a Sudoku puzzle as reasoning-gym does,
-- and checks an answer against the rules alone.

local Grid = require "sudoku.grid"
local text = require "sudoku.text"

local M = {}

local GEOM = Grid.GEOM

local byte, find, gsub, sub = string.byte, string.find, string.gsub, string.sub

-- " ", "\t", "\v", "\f", "\r": %s but "\n" (false for nil, past the end).
local function is_space(b)
  return b == 32 or b == 9 or b == 11 or b == 12 or b == 13
end

-- Whether a line of s ends in white space (what rstrip_lines would remove): the last byte,
-- or the byte before a "\n". Found from the newlines (a few per answer): a plain find of
-- " \n" stops at every space of a grid, and was a twentieth of a Sudoku batch.
local function ends_in_space(s)
  if is_space(byte(s, -1)) then return true end
  local nl = find(s, "\n", 2, true)
  while nl ~= nil do
    if is_space(byte(s, nl - 1)) then return true end
    nl = find(s, "\n", nl + 1, true)
  end
  return false
end

local function rstrip_lines(s)
  -- Most texts have no line ending in white space: nothing to strip, no copy (plain
  -- finds: a character class tried at every position cost more than the copy).
  if not ends_in_space(s) then return s end
  local lines = text.split_lines(s)
  for i, l in ipairs(lines) do lines[i] = l:gsub("%s+$", "") end
  return table.concat(lines, "\n")
end

local function text_length(s)
  return utf8.len(s) or #s
end

local function scaled(reward, answer, oracle)
  local la, lo = text_length(answer), text_length(oracle)
  if la > lo then reward = reward * lo / la end
  return reward
end

-- The score of an answer that needs no grid: not text or empty (0), or the oracle's
-- text (1, scaled by length). Otherwise nil and the answer extracted from the reply,
-- for score_extracted.
function M.score_without_grid(answer, oracle)
  if type(answer) ~= "string" then return 0.0 end
  answer = text.extract_answer(answer)
  if #answer == 0 then return 0.0 end
  if answer == oracle or rstrip_lines(answer) == rstrip_lines(oracle) then return scaled(1.0, answer, oracle) end
  return nil, answer
end

-- The score of an extracted answer that is not the oracle's text: 0.9 * the fraction
-- of cells matching the solution, scaled by length.
function M.score_extracted(solution, n, answer, oracle)
  local matching = 0
  for r, digits in ipairs(text.answer_rows(answer, n)) do
    for k = 1, n do
      if digits[k] == solution[(r - 1) * n + k] then matching = matching + 1 end
    end
  end
  return scaled(matching / (n * n) * 0.9, answer, oracle)
end

-- reasoning-gym's score: 1.0 for the exact solution text (trailing spaces per line
-- ignored); else 0.9 * fraction of cells matching the solution, reading rows as
-- answer_rows does; times len(oracle) / len(answer) when the answer is longer.
function M.score(solution, n, answer, oracle)
  oracle = oracle or text.to_string(solution, n)
  local quick, extracted = M.score_without_grid(answer, oracle)
  if quick ~= nil then return quick end
  return M.score_extracted(solution, n, extracted, oracle)
end

-- Scoring many answers to one item (E.prepare_item, E.score_prepared): what M.score
-- derives from the solution and the oracle text, once. M.score_prepared(M.prepare(solution,
-- n, oracle), answer) is M.score(solution, n, answer, oracle), bit for bit: the same tests
-- in the same order, with the oracle's stripped text and length computed ahead, and each line
-- of the oracle known ahead as a row (its matching cells were it row r, for every r) or not a
-- row, so the lines a wrong answer shares with the solution skip gsub.
function M.prepare(solution, n, oracle)
  local known = {}
  for _, line in ipairs(text.split_lines(oracle)) do
    if known[line] == nil then
      local only = gsub(line, "[^1-9]+", "")
      if #only == n then
        local counts = {}
        for r = 1, n do
          local matching, base = 0, (r - 1) * n
          for k = 1, n do
            if byte(only, k) - 48 == solution[base + k] then matching = matching + 1 end
          end
          counts[r] = matching
        end
        known[line] = counts
      else
        known[line] = false
      end
    end
  end
  return { solution = solution, n = n, oracle = oracle, stripped = rstrip_lines(oracle),
    length = text_length(oracle), known = known }
end

-- `reward` scaled as `scaled` would with an oracle of `length` characters (an answer of at
-- most `length` bytes has at most that many characters: no utf8.len).
local function scaled_to(reward, answer, length)
  if #answer > length then
    local la = text_length(answer)
    if la > length then reward = reward * length / la end
  end
  return reward
end

-- M.score for a prepared item (M.prepare); reads, never changes, `p`.
function M.score_prepared(p, answer)
  if type(answer) ~= "string" then return 0.0 end
  answer = text.extract_answer(answer)
  if #answer == 0 then return 0.0 end
  if answer == p.oracle or rstrip_lines(answer) == p.stripped then return scaled_to(1.0, answer, p.length) end
  -- text.answer_rows and score_extracted in one pass over the lines.
  local n, solution, known = p.n, p.solution, p.known
  local matching, rows, start = 0, 0, 1
  while rows < n do
    local nl = find(answer, "\n", start, true)
    local line = sub(answer, start, nl and nl - 1 or -1)
    local counts = known[line]
    if counts then
      rows = rows + 1
      matching = matching + counts[rows]
    elseif counts == nil then
      local only = gsub(line, "[^1-9]+", "")
      if #only == n then
        local base = rows * n
        rows = rows + 1
        for k = 1, n do
          if byte(only, k) - 48 == solution[base + k] then matching = matching + 1 end
        end
      end
    end
    if nl == nil then break end
    start = nl + 1
  end
  return scaled_to(matching / (n * n) * 0.9, answer, p.length)
end

-- Rule check without the stored solution: true when the answer holds n rows of n
-- digits that keep the puzzle's givens and satisfy the row, column and box rules.
function M.check_answer(puzzle, n, answer)
  if type(answer) ~= "string" then return false, "not text" end
  local rows = text.answer_rows(text.extract_answer(answer), n)
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

return M
