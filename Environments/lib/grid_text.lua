-- grid_text: turn flat cell lists into text, for render functions.
--
--   local grid_text = require "grid_text"
--   grid_text.rows({1, 0, 2, 0, 1, 0, 0, 0, 2}, 3, {[0] = ".", "x", "o"})
--     --> {"x.o", ".x.", "..o"}
--
-- `cells` is a Lua sequence (cells[1] .. cells[n]) holding integer codes; the
-- codes are 0-based (0 usually means empty). `symbols` maps a code to its text:
-- either a table indexed by code (symbols[0], symbols[1], ...) or a string whose
-- k-th byte (1-based) is the symbol of code k-1. Unknown codes show as "?".
-- The module keeps no state.

local concat, sub, type, tostring = table.concat, string.sub, type, tostring

local grid_text = {}

-- Text of one code.
local function symbol_of(symbols, code)
  if type(symbols) == "string" then
    local s = sub(symbols, code + 1, code + 1)
    return s ~= "" and s or "?"
  end
  local s = symbols[code]
  if s == nil then return "?" end
  return tostring(s)
end
grid_text.symbol = symbol_of

-- The cells as a list of lines of `width` symbols each (the last line may be
-- shorter). `sep` (default "") goes between the symbols of a line.
function grid_text.rows(cells, width, symbols, sep)
  if type(cells) ~= "table" then error("grid_text.rows: cells must be a list", 2) end
  if math.type(width) ~= "integer" or width < 1 then
    error("grid_text.rows: width must be a positive integer", 2)
  end
  sep = sep or ""
  local lines, line = {}, {}
  local n = #cells
  for i = 1, n do
    line[#line + 1] = symbol_of(symbols, cells[i])
    if #line == width or i == n then
      lines[#lines + 1] = concat(line, sep)
      line = {}
    end
  end
  return lines
end

-- The same lines joined with "\n" (no trailing newline).
function grid_text.text(cells, width, symbols, sep)
  return concat(grid_text.rows(cells, width, symbols, sep), "\n")
end

-- One line for a 1-D strip of cells, between `left` and `right`
-- (default "[" and "]"): grid_text.strip({0, 1, 0, 2}, ".AG") --> "[.A.G]".
function grid_text.strip(cells, symbols, left, right)
  local parts = {}
  for i = 1, #cells do parts[i] = symbol_of(symbols, cells[i]) end
  return (left or "[") .. concat(parts) .. (right or "]")
end

return grid_text
