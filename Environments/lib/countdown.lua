-- countdown: the Countdown numbers puzzle (shared by countdown.lua and countdown_text.lua).
--
-- Given numbers and a target, combine every number exactly once with + - * / to
-- make the target. This module holds the generator, the answer scorer (exact
-- rational arithmetic, see rational.lua), the trace verifier and the solver. It
-- keeps no state: every function takes what it needs and returns new tables.
--
-- Step convention (generator, step mode, traces, solver): a step combines two
-- available numbers a >= b into a + b, a - b, a * b or a / b; results are never
-- negative and a division must be exact (b > 0, a % b == 0). Every expression
-- over positive numbers can be rewritten to follow it without changing its value,
-- so the convention loses no solutions. Results above CAP are refused.

local R = require "rational"

local C = {}

C.MAX_NUMBERS = 15                 -- largest puzzle (reasoning-gym's curriculum tops out at 15)
C.CAP = 1000000000000              -- 10^12: largest value a step may produce
C.OPS = { "+", "-", "*", "/" }     -- operator codes 0..3 in action encodings
C.OPERATOR_CHOICES = {
  "+-*/", "+-*", "+-/", "+*/", "-*/", "+-", "+*", "+/", "-*", "-/", "*/", "+", "-", "*", "/",
}
C.PARTIAL = {                      -- {parseable but wrong, anything else}
  reasoning_gym = { 0.05, 0.01 },
  seed_papers = { 0.1, 0.0 },
}

local CAP = C.CAP

---------------------------------------------------------------------------
-- One step under the convention: returns the result, or nil if not allowed.
---------------------------------------------------------------------------
function C.combine(a, b, op)
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
local combine = C.combine

-- The set of allowed operators from a string like "+-*/" (unknown characters ignored).
function C.operator_set(text)
  local set, list = {}, {}
  for _, op in ipairs(C.OPS) do
    if text:find(op, 1, true) then set[op] = true; list[#list + 1] = op end
  end
  return set, list
end

---------------------------------------------------------------------------
-- Generation.
---------------------------------------------------------------------------
local PREC = { ["+"] = 1, ["-"] = 1, ["*"] = 2, ["/"] = 2 }

local function join(op, ls, lp, rs, rp)
  local p = PREC[op]
  if lp < p then ls = "(" .. ls .. ")" end
  if rp < p or (rp == p and (op == "-" or op == "/")) then rs = "(" .. rs .. ")" end
  return ls .. " " .. op .. " " .. rs, p
end

local function shuffle(rng, list)
  for i = #list, 2, -1 do
    local j = rng:int(1, i)
    list[i], list[j] = list[j], list[i]
  end
end
C.shuffle = shuffle

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
  for k = 1, n do vals[k], strs[k], precs[k] = leaves[k], tostring(leaves[k]), 3 end
  local steps = {}
  for step = 1, n - 1 do
    local i, j, op = rec.i[step], rec.j[step], rec.op[step]
    local r, a, b = combine(vals[i], vals[j], op)
    local ls, lp, rs, rp = strs[i], precs[i], strs[j], precs[j]
    if vals[i] < vals[j] then ls, lp, rs, rp = rs, rp, ls, lp end
    local s, p = join(op, ls, lp, rs, rp)
    steps[step] = a .. " " .. op .. " " .. b .. " = " .. r
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
  local leaves, s, p, steps = { v }, tostring(v), 3, {}
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
        if v >= x then s, p = join(op, s, p, xs, 3) else s, p = join(op, xs, 3, s, p) end
        steps[#steps + 1] = a .. " " .. op .. " " .. b .. " = " .. r
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
function C.generate(rng, cfg, attempts)
  attempts = attempts or 1000
  local nlo, nhi = math.min(cfg.min_numbers, cfg.max_numbers), math.max(cfg.min_numbers, cfg.max_numbers)
  local vlo, vhi = math.min(cfg.min_value, cfg.max_value), math.max(cfg.min_value, cfg.max_value)
  local tlo, thi = math.min(cfg.min_target, cfg.max_target), math.max(cfg.min_target, cfg.max_target)
  local _, ops = C.operator_set(cfg.operators or "+-*/")
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
             steps = { x .. " / " .. x .. " = 1" }, in_range = tlo <= 1 and 1 <= thi }
  end
  best.in_range = best.in_range or false
  shuffle(rng, best.numbers)
  return best
end

---------------------------------------------------------------------------
-- Questions (reasoning-gym's wording).
---------------------------------------------------------------------------
C.TEMPLATES = {
  "Using all the numbers %s, create an expression that equals %d.\nYou can only use each number once.",
  "Find a way to make %d using all of these numbers: %s.\nEach number can only be used once.",
  "Calculate %d using all of these numbers: %s.\nEach number may be used at most once.",
}
local FORMAT = "%s\n\nFinal answer format instructions:\n"
  .. "1. Provide your solution as a arithmetic expression (no '=' sign).\n"
  .. "2. Do not include the target number in the expression.\n"
  .. "3. Use '*' for multiplication.\n"
  .. "4. Use '/' for division.\n"
  .. "5. Do not include any other text or formatting.\n"

function C.question(numbers, target, template)
  local list = table.concat(numbers, ", ")
  local q
  if template == 1 then q = C.TEMPLATES[1]:format(list, target)
  else q = C.TEMPLATES[template]:format(target, list) end
  return FORMAT:format(q)
end

---------------------------------------------------------------------------
-- Answers: extraction, parsing, scoring.
---------------------------------------------------------------------------

-- The answer inside the last <answer>...</answer>, else inside the last \boxed{...},
-- else the whole text.
function C.extract_answer(text)
  local last
  for inner in text:gmatch("<answer>(.-)</answer>") do last = inner end
  if last ~= nil then return last end
  local pos, found = 1, nil
  while true do
    local s, e = text:find("\\boxed{", pos, true)
    if s == nil then break end
    local depth, k = 1, e + 1
    while k <= #text and depth > 0 do
      local ch = text:sub(k, k)
      if ch == "{" then depth = depth + 1 elseif ch == "}" then depth = depth - 1 end
      k = k + 1
    end
    if depth == 0 then found = text:sub(e + 1, k - 2) end
    pos = e + 1
  end
  if found ~= nil then return found end
  return text
end

local UNICODE_OPS = {
  ["\u{00D7}"] = "*", ["\u{22C5}"] = "*", ["\u{00B7}"] = "*",  -- × ⋅ ·
  ["\u{00F7}"] = "/", ["\u{2215}"] = "/",                       -- ÷ ∕
  ["\u{2212}"] = "-", ["\u{2013}"] = "-",                       -- − –
}

-- Tokens: numbers (integers; a decimal literal is kept but marked), operators and
-- parentheses. Returns the token list or nil on an unknown character.
local function tokenize(text)
  for u, a in pairs(UNICODE_OPS) do
    if text:find(u, 1, true) then text = text:gsub(u, a) end
  end
  local tokens, i, n = {}, 1, #text
  while i <= n do
    local c = text:sub(i, i)
    if c:match("%s") then
      i = i + 1
    elseif c:match("%d") then
      local s, e = text:find("^%d+", i)
      local t = { kind = "num", text = text:sub(s, e) }
      if text:sub(e + 1, e + 1) == "." and text:sub(e + 2, e + 2):match("%d") then
        local _, e2 = text:find("^%d+", e + 2)
        t.decimal = true
        e = e2
      end
      tokens[#tokens + 1] = t
      i = e + 1
    elseif c == "+" or c == "-" or c == "*" or c == "/" or c == "(" or c == ")" then
      tokens[#tokens + 1] = { kind = c }
      i = i + 1
    else
      return nil
    end
  end
  return tokens
end

-- Parses an arithmetic expression. Returns status, n, d, literals:
--   "ok"       value n/d, literals = the integer literals in order
--   "overflow" parsed, but a value left the 64-bit rational range
--   "decimal"  parsed, but holds a non-integer literal (never correct)
--   "undefined" parsed, but divides by zero somewhere (never correct)
--   "invalid"  not an expression (unknown character, syntax)
-- Unary plus and minus are allowed before a number or a parenthesis (as in
-- reasoning-gym, whose parser is sympy's); juxtaposition, powers and "=" are not.
function C.parse(text)
  local tokens = tokenize(text)
  if tokens == nil or #tokens == 0 then return "invalid" end
  local pos, literals, overflow, decimal, undefined = 1, {}, false, false, false
  local expr

  local function primary()
    local t = tokens[pos]
    if t == nil then error("end", 0) end
    if t.kind == "num" then
      pos = pos + 1
      if t.decimal then decimal = true; return 0, 1 end
      local v = math.tointeger(tonumber(t.text))
      if v == nil or v > R.LIMIT then overflow = true; return 0, 1 end
      literals[#literals + 1] = v
      return v, 1
    elseif t.kind == "(" then
      pos = pos + 1
      local n, d = expr()
      if tokens[pos] == nil or tokens[pos].kind ~= ")" then error("paren", 0) end
      pos = pos + 1
      return n, d
    elseif t.kind == "-" then
      pos = pos + 1
      local n, d = primary()
      return -n, d
    elseif t.kind == "+" then
      pos = pos + 1
      return primary()
    end
    error("syntax", 0)
  end

  local function apply(op, an, ad, bn, bd)
    if overflow or decimal or undefined then return 0, 1 end
    if op == "/" and bn == 0 then undefined = true; return 0, 1 end
    local n, d = R.apply(op, an, ad, bn, bd)
    if n == nil then overflow = true; return 0, 1 end
    return n, d
  end

  local function term()
    local n, d = primary()
    while tokens[pos] ~= nil and (tokens[pos].kind == "*" or tokens[pos].kind == "/") do
      local op = tokens[pos].kind
      pos = pos + 1
      local bn, bd = primary()
      n, d = apply(op, n, d, bn, bd)
    end
    return n, d
  end

  expr = function()
    local n, d = term()
    while tokens[pos] ~= nil and (tokens[pos].kind == "+" or tokens[pos].kind == "-") do
      local op = tokens[pos].kind
      pos = pos + 1
      local bn, bd = term()
      n, d = apply(op, n, d, bn, bd)
    end
    return n, d
  end

  local ok, n, d = pcall(expr)
  if not ok or pos <= #tokens then return "invalid" end
  if decimal then return "decimal", nil, nil, literals end
  if undefined then return "undefined", nil, nil, literals end
  if overflow then return "overflow", nil, nil, literals end
  return "ok", n, d, literals
end

local function same_multiset(a, b)
  if #a ~= #b then return false end
  local x, y = {}, {}
  for i = 1, #a do x[i] = a[i] end
  for i = 1, #b do y[i] = math.tointeger(b[i]) or b[i] end
  table.sort(x); table.sort(y)
  for i = 1, #x do if x[i] ~= y[i] then return false end end
  return true
end
C.same_multiset = same_multiset

-- Scores an answer: 1.0 if it is an expression using exactly the multiset
-- `numbers` whose exact value is `target`; else PARTIAL[mode][1] if it parses,
-- PARTIAL[mode][2] otherwise (empty, unknown characters, syntax). Division by zero
-- counts as parseable but wrong.
-- Returns score, reason.
function C.score(numbers, target, answer, mode)
  local partial = C.PARTIAL[mode or "reasoning_gym"] or C.PARTIAL.reasoning_gym
  if type(answer) ~= "string" then return partial[2], "not text" end
  local text = C.extract_answer(answer)
  if not text:find("%S") then return partial[2], "empty" end
  local status, n, d, literals = C.parse(text)
  if status == "invalid" then return partial[2], "not an expression" end
  if status == "decimal" then return partial[1], "non-integer literal" end
  if status == "undefined" then return partial[1], "division by zero" end
  if not same_multiset(literals, numbers) then return partial[1], "numbers differ" end
  if status == "overflow" then return partial[1], "value out of range" end
  if d == 1 and n == math.tointeger(target) then return 1.0, "correct" end
  return partial[1], "value " .. R.tostring(n, d) .. " is not " .. tostring(target)
end

---------------------------------------------------------------------------
-- Traces: steps like "75 + 25 = 100".
---------------------------------------------------------------------------
local function normalise_ops(s)
  for u, a in pairs(UNICODE_OPS) do
    if s:find(u, 1, true) then s = s:gsub(u, a) end
  end
  return s
end

-- Byte classes for the step scanner: %s (C locale) and %d.
local SPACE = { [9] = true, [10] = true, [11] = true, [12] = true, [13] = true, [32] = true }
local STEP_OPS = { [43] = "+", [45] = "-", [42] = "*", [47] = "/", [120] = "x", [88] = "X" }
local STEP_END = { [46] = true, [44] = true, [59] = true }   -- . , ;

-- Scans "a op b = c" with optional spaces and one trailing . , or ; -- the same
-- language as the pattern "^%s*(%d+)%s*([%+%-%*/xX])%s*(%d+)%s*=%s*(%d+)%s*[%.,;]?%s*$",
-- by hand: the sandbox's pattern guard refuses that pattern (11 backtracking
-- items) on any subject longer than a few bytes. Returns the four captures or nil.
local function scan_step(s)
  local i, n = 1, #s
  local function spaces() while i <= n and SPACE[s:byte(i)] do i = i + 1 end end
  local function digits()
    local j = i
    while i <= n do
      local ch = s:byte(i)
      if ch < 48 or ch > 57 then break end
      i = i + 1
    end
    if i == j then return nil end
    return s:sub(j, i - 1)
  end
  spaces()
  local a = digits(); if a == nil then return nil end
  spaces()
  local op = i <= n and STEP_OPS[s:byte(i)]; if not op then return nil end
  i = i + 1
  spaces()
  local b = digits(); if b == nil then return nil end
  spaces()
  if s:byte(i) ~= 61 then return nil end   -- "="
  i = i + 1
  spaces()
  local c = digits(); if c == nil then return nil end
  spaces()
  if i <= n and STEP_END[s:byte(i)] then i = i + 1 end
  spaces()
  if i <= n then return nil end
  return a, op, b, c
end

-- Parses one step: a, op, b, c (integers) or nil.
function C.parse_step(step)
  if type(step) ~= "string" then return nil end
  local s = normalise_ops(step)
  local a, op, b, c = scan_step(s)
  if a == nil then return nil end
  if op == "x" or op == "X" then op = "*" end
  return math.tointeger(tonumber(a)), op, math.tointeger(tonumber(b)), math.tointeger(tonumber(c))
end

-- Returns the 1-based index of the first wrong step (unparseable, an operand not
-- available, wrong arithmetic, a negative or non-integer result), or nil if every
-- step is right; the second value is true when the steps end with exactly one
-- number left and it equals `target`.
function C.verify_trace(numbers, target, steps)
  local pool = {}
  for i, v in ipairs(numbers) do pool[i] = math.tointeger(v) or v end
  local function take(v)
    for i = 1, #pool do
      if pool[i] == v then table.remove(pool, i); return true end
    end
    return false
  end
  for k, step in ipairs(steps) do
    local a, op, b, c = C.parse_step(step)
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

---------------------------------------------------------------------------
-- Solver: depth-first search over pairs with a memo of failed multisets.
---------------------------------------------------------------------------

local function mix(v)
  local z = v * -7046029254386353131          -- 0x9E3779B97F4A7C15
  z = (z ~ (z >> 31)) * -4658895280553007687  -- 0xBF58476D1CE4E5B9
  return z ~ (z >> 29)
end

-- Returns steps (list of "a op b = c") or nil, and the number of search nodes
-- visited (the difficulty measure; capped at node_limit, reached = not found).
-- Works in place on one array; failed multisets are remembered by an
-- order-independent 64-bit hash (sum of mixed values), x / 1 is skipped (x * 1).
-- The difficulty label: search nodes to the first solution, capped here (a capped
-- count means "hard"); the cap keeps dataset generation fast.
C.DIFFICULTY_NODE_LIMIT = 5000

function C.solve(numbers, target, operators, node_limit)
  node_limit = node_limit or 500000
  local _, ops = C.operator_set(operators or "+-*/")
  local nops = #ops
  target = math.tointeger(target) or target
  local nodes, failed = 0, {}
  local aborted = false
  local vals, mixed = {}, {}             -- the numbers, and mix() of each
  local pa, po, pb, pr = {}, {}, {}, {}   -- path: a op b = r per depth

  -- apply(a, b, k): combine inlined for the search (a >= b); nil when not allowed,
  -- including x / 1 (x * 1 covers it). Same results and order as C.combine.
  local codes = {}
  for k = 1, nops do codes[k] = ({ ["+"] = 1, ["-"] = 2, ["*"] = 3, ["/"] = 4 })[ops[k]] end
  local has_add, has_sub, has_mul, has_div = false, false, false, false
  for k = 1, nops do
    local code = codes[k]
    if code == 1 then has_add = true elseif code == 2 then has_sub = true
    elseif code == 3 then has_mul = true else has_div = true end
  end
  local function apply(a, b, code)
    if code == 1 then
      local r = a + b
      if r > CAP then return nil end
      return r
    elseif code == 2 then
      return a - b
    elseif code == 3 then
      if a ~= 0 and b > CAP // a then return nil end
      return a * b
    end
    if b == 0 or b == 1 or a % b ~= 0 then return nil end
    return a // b
  end

  local function dfs(n, h, depth)
    nodes = nodes + 1
    if nodes > node_limit then aborted = true; return false end
    if n == 1 then return vals[1] == target end
    if n == 2 then
      -- Last step: try the operators directly (each try counts as a node).
      local a, b = vals[1], vals[2]
      if a < b then a, b = b, a end
      for k = 1, nops do
        local code = codes[k]
        local r
        if code == 4 then
          if b ~= 0 and a % b == 0 then r = a // b end  -- x / 1 is a legal last step here
        else
          r = apply(a, b, code)
        end
        if r ~= nil then
          nodes = nodes + 1
          if r == target then
            pa[depth], po[depth], pb[depth], pr[depth] = a, ops[k], b, r
            return true
          end
        end
      end
      return false
    end
    if failed[h] then return false end
    for i = 1, n - 1 do
      for j = i + 1, n do
        local vi, vj, mi, mj = vals[i], vals[j], mixed[i], mixed[j]
        local a, b = vi, vj
        if a < b then a, b = b, a end
        local rest = h - mi - mj
        for k = 1, nops do
          local code, r = codes[k], nil
          if code == 1 then
            r = a + b
            if r > CAP then r = nil end
          elseif code == 2 then
            r = a - b
          elseif code == 3 then
            if a == 0 or b <= CAP // a then r = a * b end
          elseif b ~= 0 and b ~= 1 and a % b == 0 then
            r = a // b
          end
          if r ~= nil and n == 3 then
            -- The child has two numbers left (r and the one not picked): its search,
            -- inlined, as most nodes are such leaves. Same order, same node count.
            nodes = nodes + 1
            if nodes > node_limit then aborted = true; return false end
            local x, y = r, vals[6 - i - j]
            if x < y then x, y = y, x end
            -- The four operators in their fixed order, straight-line: each allowed
            -- result counts as a node, and the first that hits the target wins.
            local r2, op2
            if has_add then
              local s = x + y
              if s <= CAP then
                nodes = nodes + 1
                if s == target then r2, op2 = s, "+" end
              end
            end
            if r2 == nil and has_sub then
              nodes = nodes + 1
              if x - y == target then r2, op2 = x - y, "-" end
            end
            if r2 == nil and has_mul and (x == 0 or y <= CAP // x) then
              nodes = nodes + 1
              if x * y == target then r2, op2 = x * y, "*" end
            end
            if r2 == nil and has_div and y ~= 0 and x % y == 0 then  -- x / 1 is a legal last step here
              nodes = nodes + 1
              if x // y == target then r2, op2 = x // y, "/" end
            end
            if r2 ~= nil then
              pa[depth], po[depth], pb[depth], pr[depth] = a, ops[k], b, r
              pa[depth + 1], po[depth + 1], pb[depth + 1], pr[depth + 1] = x, op2, y, r2
              return true
            end
          elseif r ~= nil then
            -- mix(r), inlined: this line runs once per search node.
            local z = r * -7046029254386353131
            z = (z ~ (z >> 31)) * -4658895280553007687
            local mr = z ~ (z >> 29)
            local vl, ml = vals[n], mixed[n]
            vals[i], mixed[i] = r, mr
            vals[j], mixed[j] = vl, ml
            local found = dfs(n - 1, rest + mr, depth + 1)
            vals[n], mixed[n] = vl, ml
            vals[j], mixed[j] = vj, mj
            vals[i], mixed[i] = vi, mi
            if found then
              pa[depth], po[depth], pb[depth], pr[depth] = a, ops[k], b, r  -- the path, recorded on the way back
              return true
            end
            if aborted then return false end
          end
        end
      end
    end
    failed[h] = true
    return false
  end

  local h = 0
  for i, v in ipairs(numbers) do
    vals[i] = math.tointeger(v) or v
    mixed[i] = mix(vals[i])
    h = h + mixed[i]
  end
  if dfs(#vals, h, 1) then
    local path = {}
    for d = 1, #vals - 1 do path[d] = pa[d] .. " " .. po[d] .. " " .. pb[d] .. " = " .. pr[d] end
    return path, nodes
  end
  return nil, math.min(nodes, node_limit)
end

-- An expression string equivalent to a list of steps (for answers), or nil.
function C.steps_to_expression(numbers, steps)
  local pool = {}
  for i, v in ipairs(numbers) do pool[i] = { v = math.tointeger(v) or v, s = tostring(v), p = 3 } end
  for _, step in ipairs(steps) do
    local a, op, b, c = C.parse_step(step)
    if a == nil then return nil end
    local ea, eb
    for i = 1, #pool do if pool[i].v == a then ea = table.remove(pool, i); break end end
    for i = 1, #pool do if pool[i].v == b then eb = table.remove(pool, i); break end end
    if ea == nil or eb == nil then return nil end
    local s, p = join(op, ea.s, ea.p, eb.s, eb.p)
    pool[#pool + 1] = { v = c, s = s, p = p }
  end
  if #pool ~= 1 then return nil end
  return pool[1].s
end

---------------------------------------------------------------------------
-- Functions shared by the countdown environments (installed into E).
---------------------------------------------------------------------------
local function range(lo, hi) return { math.min(lo, hi), math.max(lo, hi) } end

function C.install(E)
  -- Draws a puzzle into self from the params.
  function E.new_puzzle(self, params)
    local p = {
      min_numbers = params.min_numbers, max_numbers = params.max_numbers,
      min_value = params.min_value, max_value = params.max_value,
      min_target = params.min_target, max_target = params.max_target,
      operators = params.operators, partial_credit = params.partial_credit,
    }
    -- countdown's `numbers` level (absent elsewhere): 2 or more fixes the count.
    local level = params.numbers
    if level ~= nil and level >= 2 then p.min_numbers, p.max_numbers = level, level end
    local puzzle = C.generate(self.rng, p)
    self.params = p
    self.puzzle = puzzle
    self.numbers0 = puzzle.numbers
    self.target = puzzle.target
    self.template = self.rng:int(1, #C.TEMPLATES)
    self.opset = C.operator_set(p.operators)
  end

  function E.question(self)
    return C.question(self.numbers0, self.target, self.template)
  end

  -- reasoning-gym's item shape; difficulty adds the solver's search nodes.
  function E.item(self)
    local p = self.params
    local _, nodes = C.solve(self.numbers0, self.target, p.operators, C.DIFFICULTY_NODE_LIMIT)
    local numbers = {}
    for k, v in ipairs(self.numbers0) do numbers[k] = v end
    return {
      question = C.question(self.numbers0, self.target, self.template),
      answer = self.puzzle.expression,
      metadata = {
        source_dataset = E.id,
        numbers = numbers,
        target = self.target,
        expression = self.puzzle.expression,
        steps = self.puzzle.steps,
        target_in_range = self.puzzle.in_range,
        difficulty = {
          numbers = range(p.min_numbers, p.max_numbers),
          target = range(p.min_target, p.max_target),
          value = range(p.min_value, p.max_value),
          search_nodes = nodes,
        },
        params = p,
      },
    }
  end

  -- Scores an answer against the current puzzle.
  function E.score(self, answer)
    return (C.score(self.numbers0, self.target, answer, self.params.partial_credit))
  end

  -- Items from `ludus generate` or reasoning-gym: metadata.numbers and metadata.target.
  -- The partial-credit mode is the item's (metadata.params) if it has one, else ours.
  function E.score_item(self, item, answer)
    local meta = type(item) == "table" and (item.metadata or item) or {}
    local numbers, target = meta.numbers, meta.target
    if type(numbers) ~= "table" or target == nil then
      error("countdown item needs metadata.numbers and metadata.target", 2)
    end
    local mode = (type(meta.params) == "table" and meta.params.partial_credit)
      or (self.params and self.params.partial_credit) or "reasoning_gym"
    return (C.score(numbers, target, answer, mode))
  end

  -- Steps from the starting numbers ("75 + 25 = 100", ...): first wrong step or nil
  -- (and whether the steps reach the target).
  function E.verify_trace(self, steps)
    return C.verify_trace(self.numbers0, self.target, steps)
  end
end

---------------------------------------------------------------------------
-- Critic helpers (countdown/critic, docs/critic.md): the numbers left after a
-- prefix of a correct trace, sneaky rewrites of a correct step into a wrong one
-- of a named type, and cheap surface features of a candidate step. Added for
-- the generator/critic game; nothing above depends on them.
---------------------------------------------------------------------------

-- The multiset left after applying `steps` (assumed correct) to `numbers`, and
-- the values consumed on the way (starting numbers and intermediate results).
function C.pool_after(numbers, steps)
  local pool, used = {}, {}
  for i, v in ipairs(numbers) do pool[i] = math.tointeger(v) or v end
  for _, step in ipairs(steps) do
    local a, _, b, c = C.parse_step(step)
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

local function step_text(a, op, b, c)
  return a .. " " .. op .. " " .. b .. " = " .. c
end

-- Error types of the critic game, in action order (generator action i picks
-- CRITIC_ERRORS[i + 1]).
C.CRITIC_ERRORS = {
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
  for _, o in ipairs(C.OPS) do if o ~= op then alts[#alts + 1] = o end end
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
function C.critic_rewrite(rng, kind, pool, used, step)
  local a, op, b, c = C.parse_step(step)
  local f = REWRITE[kind]
  if a == nil or f == nil then return nil end
  return f(rng, pool, used, a, op, b, c)
end

-- Feature layout of a candidate step (docs/critic.md); all numbers, 0/1 for flags.
C.CRITIC_FEATURES = {
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
C.CRITIC_CHECKS = { 5, 6, 7, 8, 11, 12 }   -- flags that are 1 for every correct step

local function log10p(x) return math.log(1 + math.abs(x), 10) end

-- Fills `out` (a list, reused) with the features of `step` given the numbers
-- left `pool` and the number of steps so far. An unparseable step gets all
-- zeros except the counts. (No "result is the target" flag: correct last steps
-- always hit the target, so it would give the verdict away on last steps.)
function C.critic_features(pool, step, steps_so_far, out)
  out = out or {}
  for i = 1, #C.CRITIC_FEATURES do out[i] = 0 end
  out[13], out[14] = steps_so_far, #pool
  local a, op, b, c = C.parse_step(step)
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

return C
