-- countdown.env: what the countdown environments (countdown, countdown/text,
-- countdown/critic) share: their params, and the functions that draw a puzzle
-- into self and serve it as a question/answer item (installed into E).

local rules = require "countdown.rules"
local generator = require "countdown.generator"
local solver = require "countdown.solver"
local scorer = require "countdown.scorer"
local text = require "countdown.text"
local verifier = require "countdown.verifier"

local M = {}

local MAX = rules.MAX_NUMBERS

-- The puzzle params (reasoning-gym's names and defaults), fresh tables on every
-- call; `extra` adds params or replaces some.
function M.params(extra)
  local p = {
    min_numbers = { kind = "int", min = 2, max = MAX, default = 4, description = "fewest numbers in a puzzle" },
    max_numbers = { kind = "int", min = 2, max = MAX, default = 6, description = "most numbers in a puzzle" },
    min_value = { kind = "int", min = 1, max = 1000, default = 1, description = "smallest starting number" },
    max_value = { kind = "int", min = 1, max = 1000, default = 100, description = "largest starting number" },
    min_target = { kind = "int", min = 1, max = 100000, default = 100, description = "smallest target" },
    max_target = { kind = "int", min = 1, max = 100000, default = 999, description = "largest target" },
    operators = { kind = "choice", choices = rules.OPERATOR_CHOICES, default = "+-*/",
                  description = "allowed operators" },
  }
  for name, spec in pairs(extra or {}) do p[name] = spec end
  return p
end

-- The partial_credit param of the environments that score text answers.
function M.partial_credit_param(description)
  return { kind = "choice", choices = { "reasoning_gym", "seed_papers" }, default = "reasoning_gym",
           description = description }
end

-- The generator's cfg from the params (the puzzle params only).
function M.generator_cfg(params)
  return {
    min_numbers = params.min_numbers, max_numbers = params.max_numbers,
    min_value = params.min_value, max_value = params.max_value,
    min_target = params.min_target, max_target = params.max_target,
    operators = params.operators,
  }
end

local function range(lo, hi) return { math.min(lo, hi), math.max(lo, hi) } end

function M.install(E)
  -- Draws a puzzle into self from the params.
  function E.new_puzzle(self, params)
    local p = M.generator_cfg(params)
    p.partial_credit = params.partial_credit
    -- countdown's `numbers` level (absent elsewhere): 2 or more fixes the count.
    local level = params.numbers
    if level ~= nil and level >= 2 then p.min_numbers, p.max_numbers = level, level end
    local puzzle = generator.generate(self.rng, p)
    self.params = p
    self.puzzle = puzzle
    self.numbers0 = puzzle.numbers
    self.target = puzzle.target
    self.template = self.rng:int(1, #text.TEMPLATES)
    self.opset = rules.operator_set(p.operators)
  end

  function E.question(self)
    return text.question(self.numbers0, self.target, self.template)
  end

  -- reasoning-gym's item shape; difficulty adds the solver's search nodes.
  function E.item(self)
    local p = self.params
    local nodes = solver.search_nodes(self.numbers0, self.target, p.operators, solver.DIFFICULTY_NODE_LIMIT)
    local numbers = {}
    for k, v in ipairs(self.numbers0) do numbers[k] = v end
    return {
      question = text.question(self.numbers0, self.target, self.template),
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
    return (scorer.score(self.numbers0, self.target, answer, self.params.partial_credit))
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
    return (scorer.score(numbers, target, answer, mode))
  end

  -- Steps from the starting numbers ("75 + 25 = 100", ...): first wrong step or nil
  -- (and whether the steps reach the target).
  function E.verify_trace(self, steps)
    return verifier.verify_trace(self.numbers0, self.target, steps)
  end
end

return M
