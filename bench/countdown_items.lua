-- The Countdown dataset's Lua work per item in the plain lua5.4 interpreter, in CPU
-- time: drawing a puzzle (countdown.generator) and its difficulty label (the
-- solver's search nodes, countdown.solver.search_nodes), against the frozen
-- step-by-step solver in the same run.
--
--   lua5.4 bench/countdown_items.lua [ITEMS] [LIB_DIR] [REFERENCE_SOLVER]
--
-- Defaults: 20000 items of countdown/text's default params, Environments/lib,
-- Tests/Lua/countdown_solver_reference.lua. Prints one line:
--   generate <us>/item label <us>/item reference label <us>/item (<ratio>x) nodes <sum>
-- The node sums of both solvers are checked equal (exit 1 if not).

local items = math.tointeger(tonumber(arg[1] or "20000"))
local lib_dir = arg[2] or "Environments/lib"
local reference_file = arg[3] or "Tests/Lua/countdown_solver_reference.lua"
if items == nil or items < 1 then
  io.stderr:write("usage: lua5.4 bench/countdown_items.lua [ITEMS] [LIB_DIR] [REFERENCE_SOLVER]\n")
  os.exit(2)
end
package.path = lib_dir .. "/?.lua;" .. package.path
local generator = require "countdown.generator"
local solver = require "countdown.solver"
local reference = dofile(reference_file)

-- xorshift64: the puzzles depend only on this file (not the host's rng).
local Rng = {}
Rng.__index = Rng
function Rng:int(lo, hi)
  local s = self.s
  s = s ~ (s << 13); s = s ~ (s >> 7); s = s ~ (s << 17)
  self.s = s
  return lo + (s >> 1) % (hi - lo + 1)
end
local rng = setmetatable({ s = 88172645463325252 }, Rng)

local cfg = { min_numbers = 4, max_numbers = 6, min_value = 1, max_value = 100,
              min_target = 100, max_target = 999, operators = "+-*/" }
local limit = solver.DIFFICULTY_NODE_LIMIT

local start = os.clock()
local puzzles = {}
for i = 1, items do puzzles[i] = generator.generate(rng, cfg) end
local generate = os.clock() - start

local function label(search)
  local began, sum = os.clock(), 0
  for i = 1, items do
    local p = puzzles[i]
    sum = sum + search(p.numbers, p.target, cfg.operators, limit)
  end
  return os.clock() - began, sum
end
local ours, nodes = label(solver.search_nodes)
local theirs, reference_nodes = label(function(...) local _, n = reference.solve(...); return n end)

local us = 1e6 / items
print(("generate %.1f us/item label %.1f us/item reference label %.1f us/item (%.2fx) nodes %d")
  :format(generate * us, ours * us, theirs * us, theirs / ours, nodes))
if nodes ~= reference_nodes then
  io.stderr:write(("node sums differ: %d, reference %d\n"):format(nodes, reference_nodes))
  os.exit(1)
end
