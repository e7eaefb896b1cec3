-- countdown.generator: random Countdown puzzles that always have a solution
-- using every number once (docs/puzzles.md, "Generation"). Draws only from the
-- rng it is given.

local rules = require "countdown.rules"
local text = require "countdown.text"
local shuffle = require "shuffle"

local M = {}

local combine, join, step_text, LEAF = rules.combine, text.join, text.step_text, text.LEAF

-- Plays one random tree over leaves[1..n] (random pairs, random operators) on
-- values only, recording each step's pair and operator in `rec`; returns the
-- value, or nil when no operator fits somewhere. Most trees miss the target range
-- and are dropped, so their strings are never built (see tree_strings).
local function random_tree(rng, leaves, n, ops, rec)
  local vals, order = rec.vals, rec.order
  for k = 1, n do vals[k] = leaves[k] end
  for m = n, 2, -1 do
    local i = rng:int(1, m)
    local j = rng:int(1, m - 1)
    if j >= i then j = j + 1 end
    for k = 1, #ops do order[k] = ops[k] end
    shuffle(rng, order)
    local r, op
    for k = 1, #ops do
      op = order[k]
      r = combine(vals[i], vals[j], op)
      if r ~= nil then break end
    end
    if r == nil then return nil end
    local step = n - m + 1
    rec.i[step], rec.j[step], rec.op[step] = i, j, op
    local lo, hi = i < j and i or j, i < j and j or i
    vals[lo] = r
    for k = hi, m - 1 do vals[k] = vals[k + 1] end
  end
  return vals[1]
end

-- The expression string and steps of a tree random_tree recorded.
local function tree_strings(leaves, n, rec)
  local vals, strs, precs = {}, {}, {}
  for k = 1, n do vals[k], strs[k], precs[k] = leaves[k], tostring(leaves[k]), LEAF end
  local steps = {}
  for step = 1, n - 1 do
    local i, j, op = rec.i[step], rec.j[step], rec.op[step]
    local r, a, b = combine(vals[i], vals[j], op)
    local ls, lp, rs, rp = strs[i], precs[i], strs[j], precs[j]
    if vals[i] < vals[j] then ls, lp, rs, rp = rs, rp, ls, lp end
    local s, p = join(op, ls, lp, rs, rp)
    steps[step] = step_text(a, op, b, r)
    local lo, hi = i < j and i or j, i < j and j or i
    vals[lo], strs[lo], precs[lo] = r, s, p
    table.remove(vals, hi); table.remove(strs, hi); table.remove(precs, hi)
  end
  return strs[1], steps
end

local function new_record() return { i = {}, j = {}, op = {}, vals = {}, order = {} } end

-- A left-deep chain whose divisions pick a divisor leaf in [lo, hi]: the fallback
-- for operator sets where random trees rarely complete (e.g. "/" alone).
local function divisor_chain(rng, n, lo, hi, ops)
  local v = rng:int(lo, hi)
  local leaves, s, p, steps = { v }, tostring(v), LEAF, {}
  local order = {}
  for _ = 2, n do
    for k = 1, #ops do order[k] = ops[k] end
    shuffle(rng, order)
    local done = false
    for k = 1, #order do
      local op, x = order[k], nil
      if op == "/" then
        local divs = {}
        for d = lo, math.min(hi, v) do if d > 0 and v % d == 0 then divs[#divs + 1] = d end end
        if #divs > 0 then x = divs[rng:int(1, #divs)] end
      else
        x = rng:int(lo, hi)
      end
      local r, a, b
      if x ~= nil then r, a, b = combine(v, x, op) end
      if r ~= nil then
        local xs = tostring(x)
        if v >= x then s, p = join(op, s, p, xs, LEAF) else s, p = join(op, xs, LEAF, s, p) end
        steps[#steps + 1] = step_text(a, op, b, r)
        leaves[#leaves + 1] = x
        v = r
        done = true
        break
      end
    end
    if not done then return nil end
  end
  return v, s, steps, leaves
end

-- Generates a puzzle. cfg: min_numbers, max_numbers, min_value, max_value,
-- min_target, max_target, operators (string). Returns a table
-- { numbers, target, expression, steps, in_range } where the numbers are shuffled
-- and `expression` / `steps` solve it. Swapped bounds are reordered. If no tree
-- lands in the target range after `attempts` tries, the target is the value of the
-- last complete tree (in_range = false): the puzzle stays solvable.
function M.generate(rng, cfg, attempts)
  attempts = attempts or 1000
  local nlo, nhi = math.min(cfg.min_numbers, cfg.max_numbers), math.max(cfg.min_numbers, cfg.max_numbers)
  local vlo, vhi = math.min(cfg.min_value, cfg.max_value), math.max(cfg.min_value, cfg.max_value)
  local tlo, thi = math.min(cfg.min_target, cfg.max_target), math.max(cfg.min_target, cfg.max_target)
  local _, ops = rules.operator_set(cfg.operators or "+-*/")
  if #ops == 0 then ops = { "+", "-", "*", "/" } end
  local n = rng:int(nlo, nhi)

  local best
  local leaves, kept = {}, {}
  local rec, kept_rec = new_record(), new_record()
  local kept_value
  for _ = 1, attempts do
    for k = 1, n do leaves[k] = rng:int(vlo, vhi) end
    local value = random_tree(rng, leaves, n, ops, rec)
    if value ~= nil then
      -- The last complete tree is kept: the fallback when none lands in range.
      for k = 1, n do kept[k] = leaves[k] end
      rec, kept_rec, kept_value = kept_rec, rec, value
      if value >= tlo and value <= thi then break end
    end
  end
  if kept_value ~= nil then
    local expr, steps = tree_strings(kept, n, kept_rec)
    best = { numbers = kept, target = kept_value, expression = expr, steps = steps,
             in_range = kept_value >= tlo and kept_value <= thi }
  end
  if best == nil then
    -- Random trees never completed: chains with divisor leaves, fewer numbers if need be.
    for m = n, 2, -1 do
      for _ = 1, 50 do
        local value, expr, steps, chain = divisor_chain(rng, m, vlo, vhi, ops)
        if value ~= nil then
          best = { numbers = chain, target = value, expression = expr, steps = steps,
                   in_range = value >= tlo and value <= thi }
          if best.in_range then break end
        end
      end
      if best ~= nil then break end
    end
  end
  if best == nil then
    -- Only reachable for "/" alone with no divisors at all: x / x = 1 always works.
    local x = rng:int(math.max(vlo, 1), math.max(vhi, 1))
    best = { numbers = { x, x }, target = 1, expression = x .. " / " .. x,
             steps = { step_text(x, "/", x, 1) }, in_range = tlo <= 1 and 1 <= thi }
  end
  best.in_range = best.in_range or false
  shuffle(rng, best.numbers)
  return best
end

return M
