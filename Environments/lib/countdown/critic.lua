-- countdown.critic: helpers of countdown/critic (docs/critic.md): the numbers left
-- after a prefix of a correct trace, sneaky rewrites of a correct step into a wrong
-- one of a named type, and cheap surface features of a candidate step.

local rules = require "countdown.rules"
local text = require "countdown.text"
local shuffle = require "shuffle"

local M = {}

local combine, parse_step, step_text = rules.combine, text.parse_step, text.step_text

-- The multiset left after applying `steps` (assumed correct) to `numbers`, and
-- the values consumed on the way (starting numbers and intermediate results).
function M.pool_after(numbers, steps)
  local pool, used = {}, {}
  for i, v in ipairs(numbers) do pool[i] = math.tointeger(v) or v end
  for _, step in ipairs(steps) do
    local a, _, b, c = parse_step(step)
    if a == nil then break end
    for _, x in ipairs({ a, b }) do
      for i = 1, #pool do
        if pool[i] == x then table.remove(pool, i); used[#used + 1] = x; break end
      end
    end
    pool[#pool + 1] = c
  end
  return pool, used
end

local function count_in(list, v)
  local n = 0
  for i = 1, #list do if list[i] == v then n = n + 1 end end
  return n
end

-- Error types of the critic game, in action order (generator action i picks
-- CRITIC_ERRORS[i + 1]).
M.CRITIC_ERRORS = {
  "wrong_result",           -- the result off by 1 .. 5
  "off_by_ten",             -- the result off by 10 (a carry slip: same last digit)
  "wrong_operator_result",  -- the result another operator gives on the same operands
  "unavailable_number",     -- an operand not in the current numbers (used twice, or a near value); arithmetic right
  "inexact_division",       -- a / b = floor(a / b) for available a, b where b does not divide a
}

local REWRITE = {}

REWRITE.wrong_result = function(rng, _, _, a, op, b, c)
  local d = rng:int(1, 5)
  if rng:int(0, 1) == 0 and c - d >= 0 then d = -d end
  return step_text(a, op, b, c + d)
end

REWRITE.off_by_ten = function(rng, _, _, a, op, b, c)
  local d = 10
  if rng:int(0, 1) == 0 and c >= 10 then d = -10 end
  return step_text(a, op, b, c + d)
end

REWRITE.wrong_operator_result = function(rng, _, _, a, op, b, c)
  local alts = {}
  for _, o in ipairs(rules.OPS) do if o ~= op then alts[#alts + 1] = o end end
  shuffle(rng, alts)
  for _, o in ipairs(alts) do
    local r = combine(a, b, o)
    if r ~= nil and r ~= c then return step_text(a, op, b, r) end
  end
  return nil
end

REWRITE.unavailable_number = function(rng, pool, used, a, op, b, c)
  local side = rng:int(1, 2)
  local keep = side == 1 and b or a       -- the operand kept
  local old = side == 1 and a or b        -- the operand replaced
  -- Reuses first (a consumed value, or the kept operand a second time), then near values.
  local reuse, seen = {}, {}
  for _, v in ipairs(used) do
    if not seen[v] and v ~= old and count_in(pool, v) == 0 then seen[v] = true; reuse[#reuse + 1] = v end
  end
  if not seen[keep] and keep ~= old and count_in(pool, keep) < 2 then seen[keep] = true; reuse[#reuse + 1] = keep end
  shuffle(rng, reuse)
  local near = {}
  for _, dv in ipairs({ 1, -1, 2, -2, 3, -3 }) do
    local v = old + dv
    if v > 0 and not seen[v] and count_in(pool, v) == 0 then seen[v] = true; near[#near + 1] = v end
  end
  shuffle(rng, near)
  for _, v in ipairs(near) do reuse[#reuse + 1] = v end
  for _, x in ipairs(reuse) do
    local r, hi, lo = combine(x, keep, op)
    if r ~= nil then return step_text(hi, op, lo, r) end
  end
  return nil
end

REWRITE.inexact_division = function(rng, pool, _, a, _, b, _)
  local hi, lo = math.max(a, b), math.min(a, b)
  if lo > 1 and hi % lo ~= 0 then return step_text(hi, "/", lo, hi // lo) end
  local pairs_ = {}
  for i = 1, #pool - 1 do
    for j = i + 1, #pool do
      local x, y = math.max(pool[i], pool[j]), math.min(pool[i], pool[j])
      if y > 1 and x % y ~= 0 then pairs_[#pairs_ + 1] = { x, y } end
    end
  end
  if #pairs_ == 0 then return nil end
  local p = pairs_[rng:int(1, #pairs_)]
  return step_text(p[1], "/", p[2], p[1] // p[2])
end

-- Rewrites the correct step `step` (from the numbers `pool` left, with `used`
-- the values consumed before) into a wrong one of type `kind` (a name in
-- CRITIC_ERRORS), using rng. Returns the step text, or nil when this type is
-- impossible here. The caller checks the result with verify_trace: a rewrite can
-- happen to be right (e.g. 2 + 2 = 4 shown for 2 * 2).
function M.critic_rewrite(rng, kind, pool, used, step)
  local a, op, b, c = parse_step(step)
  local f = REWRITE[kind]
  if a == nil or f == nil then return nil end
  return f(rng, pool, used, a, op, b, c)
end

-- Feature layout of a candidate step (docs/critic.md); all numbers, 0/1 for flags.
M.CRITIC_FEATURES = {
  "op_add", "op_sub", "op_mul", "op_div",      -- 1-4 operator one-hot
  "a_available",         -- 5  the first operand is among the numbers left
  "b_available",         -- 6  the second is, besides the first
  "exact_integer",       -- 7  a op b computed exactly is an integer (division exact, b > 0)
  "exact_nonnegative",   -- 8  a op b >= 0
  "log_result",          -- 9  log10(1 + shown result)
  "log_first_operand",   -- 10 log10(1 + a)
  "last_digit_match",    -- 11 shown result mod 10 = (a op b) mod 10 (0 unless a op b is an integer)
  "digit_count_match",   -- 12 shown result has as many digits as |a op b| (0 unless an integer)
  "steps_so_far",        -- 13 steps before the candidate
  "numbers_left",        -- 14 numbers available before the candidate
}
M.CRITIC_CHECKS = { 5, 6, 7, 8, 11, 12 }   -- flags that are 1 for every correct step

local function log10p(x) return math.log(1 + math.abs(x), 10) end

-- Fills `out` (a list, reused) with the features of `step` given the numbers
-- left `pool` and the number of steps so far. An unparseable step gets all
-- zeros except the counts. (No "result is the target" flag: correct last steps
-- always hit the target, so it would give the verdict away on last steps.)
function M.critic_features(pool, step, steps_so_far, out)
  out = out or {}
  for i = 1, #M.CRITIC_FEATURES do out[i] = 0 end
  out[13], out[14] = steps_so_far, #pool
  local a, op, b, c = parse_step(step)
  if a == nil then return out end
  local code = op == "+" and 1 or op == "-" and 2 or op == "*" and 3 or 4
  out[code] = 1
  local na = count_in(pool, a)
  out[5] = na > 0 and 1 or 0
  out[6] = count_in(pool, b) - (a == b and 1 or 0) > 0 and 1 or 0
  local exact, integer
  if op == "+" then exact, integer = a + b, true
  elseif op == "-" then exact, integer = a - b, true
  elseif op == "*" then exact, integer = a * b, true
  elseif b ~= 0 then exact, integer = a / b, a % b == 0
  end
  if integer and op == "/" then exact = a // b end
  out[7] = integer and 1 or 0
  out[8] = (exact ~= nil and exact >= 0) and 1 or 0
  out[9] = log10p(c)
  out[10] = log10p(a)
  if integer then
    local e = math.abs(exact)
    out[11] = (c % 10 == e % 10) and 1 or 0
    out[12] = (#tostring(c) == #tostring(e)) and 1 or 0
  end
  return out
end

return M
