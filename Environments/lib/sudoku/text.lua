-- sudoku.text: Sudoku's text formats. Grids as reasoning-gym writes them (rows
-- of digits, "_" for empty cells) and its questions, grids as JSON rows, the
-- answer inside a reply and the rows an answer holds, and trace steps: placements
-- "r1c3=5" (any text with row, column, digit as its three numbers) or step-mode
-- actions cell * n + (digit - 1).

local text_task = require "text_task"

local byte, gsub, tointeger = string.byte, string.gsub, math.tointeger

local M = {}

-- Rows of digits separated by spaces, "_" for empty cells.
function M.to_string(grid, n)
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

function M.question(grid, n)
  local s = M.to_string(grid, n)
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
function M.from_rows(rows)
  if type(rows) ~= "table" or #rows == 0 then return nil end
  local flat, count = {}, 0
  if type(rows[1]) == "table" then
    for _, row in ipairs(rows) do
      for _, d in ipairs(row) do count = count + 1; flat[count] = tointeger(d) or 0 end
    end
  else
    for i, d in ipairs(rows) do flat[i] = tointeger(d) or 0 end
  end
  local n = #flat == 16 and 4 or #flat == 81 and 9 or nil
  if n == nil then return nil end
  return flat, n
end

-- How many cells from_rows would read from `rows` (the grid is usable at 16 or 81),
-- without building the grid; nil when from_rows itself must decide (a row not a table).
function M.cell_count(rows)
  if type(rows) ~= "table" or #rows == 0 then return 0 end
  local count = 0
  if type(rows[1]) ~= "table" then
    for _ in ipairs(rows) do count = count + 1 end
    return count
  end
  for _, row in ipairs(rows) do
    if type(row) ~= "table" then return nil end
    for _ in ipairs(row) do count = count + 1 end
  end
  return count
end

function M.to_rows(grid, n)
  local rows = {}
  for r = 1, n do
    local row = {}
    for k = 1, n do row[k] = grid[(r - 1) * n + k] end
    rows[r] = row
  end
  return rows
end

-- The lines of a text ("\n" only; a last empty line counts).
function M.split_lines(text)
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
local split_lines = M.split_lines


local function is_space(b) return b == 32 or (b >= 9 and b <= 13) end

-- Drops a first line and a last line that hold only white space, as
-- gsub("^%s*\n", ""):gsub("\n%s*$", "") would, in one pass of byte tests.
local function trim_blank_edges(s)
  local first, n = 1, #s
  local i = 1
  while i <= n and is_space(s:byte(i)) do
    if s:byte(i) == 10 then first = i + 1 end
    i = i + 1
  end
  local stop = n
  local j = n
  while j >= first and is_space(s:byte(j)) do
    if s:byte(j) == 10 then stop = j - 1 end
    j = j - 1
  end
  return s:sub(first, stop)
end

-- The answer inside the last <answer>...</answer>, else the whole text.
function M.extract_answer(text)
  local last = text_task.last_between(text, "<answer>", "</answer>")
  if last ~= nil then return trim_blank_edges(last) end
  return text
end

-- The answer's rows as reasoning-gym reads them: lines holding exactly n digits
-- 1-9 (other characters ignored), at most n of them.
function M.answer_rows(text, n)
  local rows = {}
  for _, line in ipairs(split_lines(text)) do
    if #rows >= n then break end
    -- The line's digits 1-9 in one pass of gsub, then their values in one call of byte.
    local only = gsub(line, "[^1-9]+", "")
    if #only == n then
      local digits = { byte(only, 1, n) }
      for k = 1, n do digits[k] = digits[k] - 48 end
      rows[#rows + 1] = digits
    end
  end
  return rows
end

---------------------------------------------------------------------------
-- Trace steps.
---------------------------------------------------------------------------

-- The cell (1-based, row-major) and digit of a step, or nil when unreadable.
function M.parse_step(step, n)
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

function M.step_string(cell, digit, n)
  return string.format("r%dc%d=%d", (cell - 1) // n + 1, (cell - 1) % n + 1, digit)
end

return M
