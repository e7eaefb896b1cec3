-- countdown.rules: the Countdown numbers puzzle's constants and its step convention.
--
-- Given numbers and a target, combine every number exactly once with + - * / to
-- make the target. The other countdown modules (generator, solver, scorer,
-- verifier, text, critic, env) build on this one; none keeps any state.
--
-- Step convention (generator, step mode, traces, solver): a step combines two
-- available numbers a >= b into a + b, a - b, a * b or a / b; results are never
-- negative and a division must be exact (b > 0, a % b == 0). Every expression
-- over positive numbers can be rewritten to follow it without changing its value,
-- so the convention loses no solutions. Results above CAP are refused.

local M = {}

M.MAX_NUMBERS = 15                 -- largest puzzle (reasoning-gym's curriculum tops out at 15)
M.CAP = 1000000000000              -- 10^12: largest value a step may produce
M.OPS = { "+", "-", "*", "/" }     -- operator codes 0..3 in action encodings
M.OPERATOR_CHOICES = {
  "+-*/", "+-*", "+-/", "+*/", "-*/", "+-", "+*", "+/", "-*", "-/", "*/", "+", "-", "*", "/",
}

local CAP = M.CAP

-- One step under the convention: returns the result, or nil if not allowed
-- (then the larger operand and the smaller).
function M.combine(a, b, op)
  if a < b then a, b = b, a end
  if op == "+" then
    local r = a + b
    if r > CAP then return nil end
    return r, a, b
  elseif op == "-" then
    return a - b, a, b
  elseif op == "*" then
    if a ~= 0 and b > CAP // a then return nil end
    return a * b, a, b
  elseif op == "/" then
    if b == 0 or a % b ~= 0 then return nil end
    return a // b, a, b
  end
  return nil
end

-- The set of allowed operators from a string like "+-*/" (unknown characters ignored).
function M.operator_set(text)
  local set, list = {}, {}
  for _, op in ipairs(M.OPS) do
    if text:find(op, 1, true) then set[op] = true; list[#list + 1] = op end
  end
  return set, list
end

return M
