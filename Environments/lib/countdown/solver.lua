-- countdown.solver: finds a solution of a Countdown puzzle under the step
-- convention (rules.lua), or proves there is none within a node budget. Its node
-- count to the first solution is the puzzle's difficulty label.
--
-- Depth-first search over pairs with a memo of failed multisets. Most of the
-- search is three-number nodes (a pair, then the last step), and most of those
-- fail: node3 counts a failing one in bulk, without the node-by-node bookkeeping,
-- and replays it step by step (node3_exact) only when the target may be among its
-- results. The node counts, budget and solutions are those of the step-by-step
-- search (Tests/Lua/countdown_solver_equivalence.lua checks that against a frozen
-- copy of it, Tests/Lua/countdown_solver_reference.lua).

local rules = require "countdown.rules"
local text = require "countdown.text"

local M = {}

local CAP <const> = 1000000000000          -- rules.CAP, as a constant the compiler folds in
assert(CAP == rules.CAP)
-- 0 <= x <= SMALL and y <= x: x + y and x * y are within CAP, so the last step's
-- + and * are allowed without dividing by x.
local SMALL <const> = 1000000

local function mix(v)
  local z = v * -7046029254386353131          -- 0x9E3779B97F4A7C15
  z = (z ~ (z >> 31)) * -4658895280553007687  -- 0xBF58476D1CE4E5B9
  return z ~ (z >> 29)
end

-- The difficulty label: search nodes to the first solution, capped here (a capped
-- count means "hard"); the cap keeps dataset generation fast.
M.DIFFICULTY_NODE_LIMIT = 5000

-- The search's state, shared by its functions rather than passed down: one search
-- runs at a time (a search never starts another).
local nodes, node_limit, target, aborted = 0, 0, 0, false
local codes, symbols, nops = {}, {}, 0
local has_add, has_sub, has_mul, has_div = false, false, false, false
local small_count = 0                   -- a node and its last steps + - * (small operands)
local failed = {}                       -- hashes of the multisets that failed
local vals, mixed = {}, {}              -- the numbers, and mix() of each
local pa, po, pb, pr = {}, {}, {}, {}   -- path: a op b = r per depth

-- The last step on x >= y, step by step: each allowed result counts as a node, and
-- the first that hits the target is returned (result and operator), else nil.
-- x / 1 is a legal last step.
local function last_step(x, y)
  if has_add then
    local s = x + y
    if s <= CAP then
      nodes = nodes + 1
      if s == target then return s, "+" end
    end
  end
  if has_sub then
    nodes = nodes + 1
    if x - y == target then return x - y, "-" end
  end
  if has_mul and (x == 0 or y <= CAP // x) then
    nodes = nodes + 1
    if x * y == target then return x * y, "*" end
  end
  if has_div and y ~= 0 and x % y == 0 then
    nodes = nodes + 1
    if x // y == target then return x // y, "/" end
  end
  return nil
end

-- One step on a >= b that is not the last: its result, or nil when not allowed
-- (x / 1 is skipped: x * 1 covers it). Same results and order as rules.combine.
local function inner_step(a, b, code)
  if code == 1 then
    local r = a + b
    if r <= CAP then return r end
  elseif code == 2 then
    return a - b
  elseif code == 3 then
    if a == 0 or b <= CAP // a then return a * b end
  elseif b ~= 0 and b ~= 1 and a % b == 0 then
    return a // b
  end
  return nil
end

-- The three pairs of a three-number node in search order, with the number left out.
local function pair(p, v1, v2, v3)
  if p == 1 then return v1, v2, v3 elseif p == 2 then return v1, v3, v2 end
  return v2, v3, v1
end

-- A three-number node past its entry checks, step by step: true when solved (the
-- path recorded from `depth`), false when not (memoised unless aborted).
local function node3_exact(v1, v2, v3, h, depth)
  for p = 1, 3 do
    local a, b, z = pair(p, v1, v2, v3)
    if a < b then a, b = b, a end
    for k = 1, nops do
      local r = inner_step(a, b, codes[k])
      if r then
        nodes = nodes + 1
        if nodes > node_limit then aborted = true; return false end
        local x, y = r, z
        if x < y then x, y = y, x end
        local r2, op2 = last_step(x, y)
        if r2 then
          pa[depth], po[depth], pb[depth], pr[depth] = a, symbols[k], b, r
          pa[depth + 1], po[depth + 1], pb[depth + 1], pr[depth + 1] = x, op2, y, r2
          return true
        end
      end
    end
  end
  failed[h] = true
  return false
end

-- A node and its last steps on x >= y, as last_step counts them (no target hit).
local function large_count(x, y)
  local count = 1
  if has_add and x + y <= CAP then count = count + 1 end
  if has_sub then count = count + 1 end
  if has_mul and (x == 0 or y <= CAP // x) then count = count + 1 end
  return count
end

-- A three-number node (entry count, budget and memo checks included). A failing
-- node's count is the same sum whatever the order, so it is added at once; if any
-- last step might hit the target (x + y, x - y, x * y or x / y equal to it, before
-- the operator set and CAP are consulted) the node is searched step by step. A bulk
-- count that passes the budget aborts: the step-by-step search would have aborted
-- within it or at its next node, and could not have found a solution before that.
local function node3(v1, v2, v3, h, depth)
  nodes = nodes + 1
  if nodes > node_limit then aborted = true; return false end
  if failed[h] then return false end
  local count, t, small = 0, target, small_count
  local add, sub, mul, div = has_add, has_sub, has_mul, has_div
  for p = 1, 3 do
    local a, b, z                       -- pair(), inlined
    if p == 1 then a, b, z = v1, v2, v3 elseif p == 2 then a, b, z = v1, v3, v2 else a, b, z = v2, v3, v1 end
    if a < b then a, b = b, a end
    -- The allowed results of inner_step(a, b, code) in operator order (false when
    -- not allowed), then one block per result, written out four times: a loop over
    -- them costs a sixth of the node more. A block gives up at a result whose last
    -- step may hit t (x + y, x - y, x * y or x / y equal to t, before the operator
    -- set and CAP are consulted; differences against 0, as a comparison with a
    -- constant skips a call in the VM); else it adds the result's node and its
    -- last steps.
    local r1 = add and a + b <= CAP and a + b
    local r2 = sub and a - b
    local r3 = mul and (a <= SMALL and a >= 0 or b <= CAP // a) and a * b
    local r4 = div and b ~= 0 and b ~= 1 and a % b == 0 and a // b
    if r1 then
      local x, y = r1, z
      if x < y then x, y = y, x end
      if x + y - t == 0 or x - y - t == 0 or x * y - t == 0 or x - t * y == 0 then
        return node3_exact(v1, v2, v3, h, depth)
      end
      if x <= SMALL and x >= 0 then count = count + small else count = count + large_count(x, y) end
      if div and y ~= 0 and x % y == 0 then count = count + 1 end
    end
    if r2 then
      local x, y = r2, z
      if x < y then x, y = y, x end
      if x + y - t == 0 or x - y - t == 0 or x * y - t == 0 or x - t * y == 0 then
        return node3_exact(v1, v2, v3, h, depth)
      end
      if x <= SMALL and x >= 0 then count = count + small else count = count + large_count(x, y) end
      if div and y ~= 0 and x % y == 0 then count = count + 1 end
    end
    if r3 then
      local x, y = r3, z
      if x < y then x, y = y, x end
      if x + y - t == 0 or x - y - t == 0 or x * y - t == 0 or x - t * y == 0 then
        return node3_exact(v1, v2, v3, h, depth)
      end
      if x <= SMALL and x >= 0 then count = count + small else count = count + large_count(x, y) end
      if div and y ~= 0 and x % y == 0 then count = count + 1 end
    end
    if r4 then
      local x, y = r4, z
      if x < y then x, y = y, x end
      if x + y - t == 0 or x - y - t == 0 or x * y - t == 0 or x - t * y == 0 then
        return node3_exact(v1, v2, v3, h, depth)
      end
      if x <= SMALL and x >= 0 then count = count + small else count = count + large_count(x, y) end
      if div and y ~= 0 and x % y == 0 then count = count + 1 end
    end
  end
  nodes = nodes + count
  if nodes > node_limit then aborted = true; return false end
  failed[h] = true
  return false
end

-- A four-number node: vals[1..4] (copied to locals: this level runs once per
-- three-number node), their mixes mixed[1..4], their hash h. Same order as dfs:
-- pair (i, j) puts the result at i and the last number at j.
local function node4(h, depth)
  nodes = nodes + 1
  if nodes > node_limit then aborted = true; return false end
  if failed[h] then return false end
  local v1, v2, v3, v4 = vals[1], vals[2], vals[3], vals[4]
  local m1, m2, m3, m4 = mixed[1], mixed[2], mixed[3], mixed[4]
  for p = 1, 6 do
    -- The pair, the hash without it, the other two in the child's order, and
    -- where the result goes among them.
    local a, b, rest, o1, o2, at
    if p == 1 then a, b, rest, o1, o2, at = v1, v2, h - m1 - m2, v4, v3, 1
    elseif p == 2 then a, b, rest, o1, o2, at = v1, v3, h - m1 - m3, v2, v4, 1
    elseif p == 3 then a, b, rest, o1, o2, at = v1, v4, h - m1 - m4, v2, v3, 1
    elseif p == 4 then a, b, rest, o1, o2, at = v2, v3, h - m2 - m3, v1, v4, 2
    elseif p == 5 then a, b, rest, o1, o2, at = v2, v4, h - m2 - m4, v1, v3, 2
    else a, b, rest, o1, o2, at = v3, v4, h - m3 - m4, v1, v2, 3 end
    if a < b then a, b = b, a end
    for k = 1, nops do
      local code, r = codes[k], nil     -- inner_step(a, b, code), inlined
      if code == 1 then
        r = a + b
        if r > CAP then r = nil end
      elseif code == 2 then
        r = a - b
      elseif code == 3 then
        if a <= SMALL and a >= 0 or b <= CAP // a then r = a * b end
      elseif b ~= 0 and b ~= 1 and a % b == 0 then
        r = a // b
      end
      if r then
        local z = r * -7046029254386353131  -- mix(r), inlined
        z = (z ~ (z >> 31)) * -4658895280553007687
        local hr = rest + (z ~ (z >> 29))
        local found
        if at == 1 then found = node3(r, o1, o2, hr, depth + 1)
        elseif at == 2 then found = node3(o1, r, o2, hr, depth + 1)
        else found = node3(o1, o2, r, hr, depth + 1) end
        if found then
          pa[depth], po[depth], pb[depth], pr[depth] = a, symbols[k], b, r
          return true
        end
        if aborted then return false end
      end
    end
  end
  failed[h] = true
  return false
end

-- Any other node: n numbers in vals[1..n], their hash h.
local function dfs(n, h, depth)
  nodes = nodes + 1
  if nodes > node_limit then aborted = true; return false end
  if n == 1 then return vals[1] == target end
  if n == 2 then
    -- Last step: try the operators directly (each try counts as a node).
    local a, b = vals[1], vals[2]
    if a < b then a, b = b, a end
    local r, op = last_step(a, b)
    if r then
      pa[depth], po[depth], pb[depth], pr[depth] = a, op, b, r
      return true
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
        local code, r = codes[k], nil   -- inner_step(a, b, code), inlined
        if code == 1 then
          r = a + b
          if r > CAP then r = nil end
        elseif code == 2 then
          r = a - b
        elseif code == 3 then
          if a <= SMALL and a >= 0 or b <= CAP // a then r = a * b end
        elseif b ~= 0 and b ~= 1 and a % b == 0 then
          r = a // b
        end
        if r then
          -- mix(r), inlined: this line runs once per search node.
          local z = r * -7046029254386353131
          z = (z ~ (z >> 31)) * -4658895280553007687
          local mr = z ~ (z >> 29)
          local vl, ml = vals[n], mixed[n]
          vals[i], mixed[i] = r, mr
          vals[j], mixed[j] = vl, ml
          local found
          if n == 5 then
            found = node4(rest + mr, depth + 1)
          else
            found = dfs(n - 1, rest + mr, depth + 1)
          end
          vals[n], mixed[n] = vl, ml
          vals[j], mixed[j] = vj, mj
          vals[i], mixed[i] = vi, mi
          if found then
            pa[depth], po[depth], pb[depth], pr[depth] = a, symbols[k], b, r  -- the path, recorded on the way back
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

local CODES = { ["+"] = 1, ["-"] = 2, ["*"] = 3, ["/"] = 4 }
local parsed                            -- the operators string codes[] was set from

-- Sets codes, symbols, nops and the has_ flags from an operators string (kept
-- from the last search when it is the same string: dataset items share one).
local function set_operators(operators)
  if operators == parsed then return end
  local _, ops = rules.operator_set(operators)
  nops = #ops
  has_add, has_sub, has_mul, has_div = false, false, false, false
  for k = 1, nops do
    local code = CODES[ops[k]]
    codes[k], symbols[k] = code, ops[k]
    if code == 1 then has_add = true elseif code == 2 then has_sub = true
    elseif code == 3 then has_mul = true else has_div = true end
  end
  small_count = 1 + (has_add and 1 or 0) + (has_sub and 1 or 0) + (has_mul and 1 or 0)
  parsed = operators
end

-- Sets the search up for `numbers`, `target`, `operators`, `limit`; returns the count.
local function prepare(numbers, goal, operators, limit)
  set_operators(operators or "+-*/")
  node_limit = limit or 500000
  target = math.tointeger(goal) or goal
  nodes, aborted = 0, false
  failed = {}
  local count, h = 0, 0
  for i, v in ipairs(numbers) do
    vals[i] = math.tointeger(v) or v
    mixed[i] = mix(vals[i])
    h = h + mixed[i]
    count = i
  end
  return count, h
end

-- Runs the search; true when solved (path in pa..pr).
local function search(n, h)
  if n == 3 then return node3(vals[1], vals[2], vals[3], h, 1) end
  if n == 4 then return node4(h, 1) end
  return dfs(n, h, 1)
end

-- Solves `numbers` (a list of integers) for `target` with the operators of the
-- string `operators` (default "+-*/"), using every number exactly once. Returns
-- steps (list of "a op b = c") or nil, and the number of search nodes visited
-- (the difficulty measure; capped at node_limit, default 500000: reached = not
-- found). Failed multisets are remembered by an order-independent 64-bit hash
-- (sum of mixed values), x / 1 is skipped (x * 1).
function M.solve(numbers, goal, operators, limit)
  local n, h = prepare(numbers, goal, operators, limit)
  if search(n, h) then
    local path = {}
    for d = 1, n - 1 do path[d] = text.step_text(pa[d], po[d], pb[d], pr[d]) end
    return path, nodes
  end
  return nil, math.min(nodes, node_limit)
end

-- The search nodes of M.solve, without building the solution's steps (the
-- difficulty label of generated items).
function M.search_nodes(numbers, goal, operators, limit)
  local n, h = prepare(numbers, goal, operators, limit)
  if search(n, h) then return nodes end
  return math.min(nodes, node_limit)
end

return M
