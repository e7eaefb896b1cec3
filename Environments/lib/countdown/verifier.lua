-- countdown.verifier: checks a trace of steps "a op b = c" from the starting numbers.

local text = require "countdown.text"

local M = {}

-- Returns the 1-based index of the first wrong step (unparseable, an operand not
-- available, wrong arithmetic, a negative or non-integer result), or nil if every
-- step is right; the second value is true when the steps end with exactly one
-- number left and it equals `target`.
function M.verify_trace(numbers, target, steps)
  local pool = {}
  for i, v in ipairs(numbers) do pool[i] = math.tointeger(v) or v end
  local function take(v)
    for i = 1, #pool do
      if pool[i] == v then table.remove(pool, i); return true end
    end
    return false
  end
  for k, step in ipairs(steps) do
    local a, op, b, c = text.parse_step(step)
    if a == nil then return k, false end
    local r
    if op == "+" then r = a + b
    elseif op == "-" then r = a - b
    elseif op == "*" then r = a * b
    elseif op == "/" then
      if b == 0 or a % b ~= 0 then return k, false end
      r = a // b
    end
    if r ~= c or r < 0 then return k, false end
    if not take(a) then return k, false end
    if not take(b) then return k, false end
    pool[#pool + 1] = c
  end
  return nil, #pool == 1 and pool[1] == math.tointeger(target)
end

return M
