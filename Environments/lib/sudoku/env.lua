-- sudoku.env: what the sudoku environments (sudoku, sudoku/text) share: their
-- params, and the functions that draw a puzzle into self and serve it as a
-- question/answer item (installed into E).

local generator = require "sudoku.generator"
local scorer = require "sudoku.scorer"
local solver = require "sudoku.solver"
local text = require "sudoku.text"
local verifier = require "sudoku.verifier"

local M = {}

-- The params of sudoku and sudoku/text (reasoning-gym's), fresh tables on every call.
function M.params()
  return {
    size = { kind = "choice", choices = { 9, 4 }, default = 9, description = "grid size: 9 (3x3 boxes) or 4 (2x2 boxes)" },
    min_empty = { kind = "int", min = 0, max = 64, default = 30, description = "fewest empty cells (4x4: at most 12)" },
    max_empty = { kind = "int", min = 0, max = 64, default = 50, description = "most empty cells (4x4: at most 12)" },
  }
end

function M.install(E)
  function E.new_puzzle(self, params)
    local n = math.tointeger(tonumber(params.size)) or 9
    local p = { size = params.size, min_empty = params.min_empty, max_empty = params.max_empty }
    local gen = generator.generate(self.rng, n, params.min_empty, params.max_empty)
    self.params = p
    self.n = n
    self.puzzle = gen.puzzle
    self.solution = gen.solution
    self.num_empty = gen.num_empty
    self.requested_empty = gen.requested_empty
  end

  function E.question(self)
    return text.question(self.puzzle, self.n)
  end

  function E.item(self)
    local n = self.n
    local _, nodes = solver.search(self.puzzle, n, 2)
    local lo, hi = generator.empty_range(n, self.params.min_empty, self.params.max_empty)
    return {
      question = text.question(self.puzzle, n),
      answer = text.to_string(self.solution, n),
      metadata = {
        source_dataset = E.id,
        puzzle = text.to_rows(self.puzzle, n),
        solution = text.to_rows(self.solution, n),
        num_empty = self.num_empty,
        size = n,
        difficulty = { empty = { lo, hi }, search_nodes = nodes },
        params = self.params,
      },
    }
  end

  function E.score(self, answer)
    return scorer.score(self.solution, self.n, answer)
  end

  -- Items from `ludus generate` or reasoning-gym (sudoku, mini_sudoku): metadata.solution
  -- (or, failing that, metadata.puzzle, solved here) and the item's answer text.
  function E.score_item(self, item, answer)
    local meta = type(item) == "table" and (item.metadata or item) or {}
    local oracle = type(item) == "table" and type(item.answer) == "string" and item.answer or nil
    local cells = oracle ~= nil and text.cell_count(meta.solution)
    if cells == 16 or cells == 81 then
      -- A usable solution and the item's answer text: an answer that is that text (or
      -- empty) is scored without building the grid.
      local quick, extracted = scorer.score_without_grid(answer, oracle)
      if quick ~= nil then return quick end
      local solution, n = text.from_rows(meta.solution)
      return scorer.score_extracted(solution, n, extracted, oracle)
    end
    local solution, n = text.from_rows(meta.solution)
    if solution == nil then
      local puzzle, pn = text.from_rows(meta.puzzle)
      if puzzle == nil then error("sudoku item needs metadata.solution or metadata.puzzle", 2) end
      local _, _, solved = solver.search(puzzle, pn, 1)
      if solved == nil then return 0.0 end
      solution, n = solved, pn
    end
    return scorer.score(solution, n, answer, oracle)
  end

  -- The hooks for many answers per item (ScriptEnvironment+PreparedItems.swift): an item
  -- with a usable solution and answer text, the case score_item scores from those two,
  -- prepared once (scorer.prepare); any other item is nil here and left to score_item.
  function E.prepare_item(self, item)
    if type(item) ~= "table" or type(item.answer) ~= "string" then return nil end
    local meta = item.metadata or item
    local cells = text.cell_count(meta.solution)
    if cells ~= 16 and cells ~= 81 then return nil end
    local solution, n = text.from_rows(meta.solution)
    return scorer.prepare(solution, n, item.answer)
  end

  function E.score_prepared(self, prepared, answer)
    return scorer.score_prepared(prepared, answer)
  end

  -- Rule check of a text answer against the puzzle only (no stored solution).
  function E.check_answer(self, answer)
    return scorer.check_answer(self.puzzle, self.n, answer)
  end

  function E.verify_trace(self, steps)
    return verifier.verify_trace(self.puzzle, self.solution, self.n, steps)
  end
end

return M
