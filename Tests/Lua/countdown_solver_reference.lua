-- countdown.solver: finds a solution of a Countdown puzzle under the step
-- convention (rules.lua), or proves there is none within a node budget. Its node
-- count to the first solution is the puzzle's difficulty label.
--
-- Depth-first search over pairs with a memo of failed multisets.

local rules = require "countdown.rules"
local text = require "countdown.text"

local M = {}

local CAP = rules.CAP

local function mix(v)
  local z = v * -7046029254386353131          -- 0x9E3779B97F4A7C15
  z = (z ~ (z >> 31)) * -4658895280553007687  -- 0xBF58476D1CE4E5B9
  return z ~ (z >> 29)
end

-- The difficulty label: search nodes to the first solution, capped here (a capped
-- count means "hard"); the cap keeps dataset generation fast.
M.DIFFICULTY_NODE_LIMIT = 5000

-- Solves `numbers` (a list of integers) for `target` with the operators of the
-- string `operators` (default "+-*/"), using every number exactly once. Returns
-- steps (list of "a op b = c") or nil, and the number of search nodes visited
-- (the difficulty measure; capped at node_limit, default 500000: reached = not
-- found). Works in place on one array; failed multisets are remembered by an
-- order-independent 64-bit hash (sum of mixed values), x / 1 is skipped (x * 1).
function M.solve(numbers, target, operators, node_limit)
  node_limit = node_limit or 500000
  local _, ops = rules.operator_set(operators or "+-*/")
  local nops = #ops
  target = math.tointeger(target) or target
  local nodes, failed = 0, {}
  local aborted = false
  local vals, mixed = {}, {}             -- the numbers, and mix() of each
  local pa, po, pb, pr = {}, {}, {}, {}   -- path: a op b = r per depth

  -- apply(a, b, k): combine inlined for the search (a >= b); nil when not allowed,
  -- including x / 1 (x * 1 covers it). Same results and order as rules.combine.
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
    for d = 1, #vals - 1 do path[d] = text.step_text(pa[d], po[d], pb[d], pr[d]) end
    return path, nodes
  end
  return nil, math.min(nodes, node_limit)
end

return M
