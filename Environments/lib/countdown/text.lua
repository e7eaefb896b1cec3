-- countdown.text: Countdown's text formats. Questions (reasoning-gym's wording),
-- the answer inside a reply, the Unicode operators models write, expression
-- strings with the fewest parentheses, and steps "a op b = c" (read and written).

local text_task = require "text_task"

local M = {}

---------------------------------------------------------------------------
-- Questions (reasoning-gym's wording).
---------------------------------------------------------------------------
M.TEMPLATES = {
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

function M.question(numbers, target, template)
  local list = table.concat(numbers, ", ")
  local q
  if template == 1 then q = M.TEMPLATES[1]:format(list, target)
  else q = M.TEMPLATES[template]:format(target, list) end
  return FORMAT:format(q)
end

---------------------------------------------------------------------------
-- Answers.
---------------------------------------------------------------------------

-- The answer inside the last <answer>...</answer>, else inside the last \boxed{...},
-- else the whole text.
function M.extract_answer(text)
  local last = text_task.last_between(text, "<answer>", "</answer>")
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

-- The text with the Unicode operators above replaced by their ASCII forms.
function M.normalise_ops(s)
  for u, a in pairs(UNICODE_OPS) do
    if s:find(u, 1, true) then s = s:gsub(u, a) end
  end
  return s
end

---------------------------------------------------------------------------
-- Expressions: `ls op rs` with parentheses only where precedence needs them.
---------------------------------------------------------------------------
local PREC = { ["+"] = 1, ["-"] = 1, ["*"] = 2, ["/"] = 2 }
M.LEAF = 3   -- the precedence of a number

-- Joins two operand strings and their precedences; returns the string and its precedence.
function M.join(op, ls, lp, rs, rp)
  local p = PREC[op]
  if lp < p then ls = "(" .. ls .. ")" end
  if rp < p or (rp == p and (op == "-" or op == "/")) then rs = "(" .. rs .. ")" end
  return ls .. " " .. op .. " " .. rs, p
end
local join = M.join

---------------------------------------------------------------------------
-- Steps: "75 + 25 = 100".
---------------------------------------------------------------------------
function M.step_text(a, op, b, c)
  return a .. " " .. op .. " " .. b .. " = " .. c
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
function M.parse_step(step)
  if type(step) ~= "string" then return nil end
  local s = M.normalise_ops(step)
  local a, op, b, c = scan_step(s)
  if a == nil then return nil end
  if op == "x" or op == "X" then op = "*" end
  return math.tointeger(tonumber(a)), op, math.tointeger(tonumber(b)), math.tointeger(tonumber(c))
end
local parse_step = M.parse_step

-- An expression string equivalent to a list of steps (for answers), or nil.
function M.steps_to_expression(numbers, steps)
  local pool = {}
  for i, v in ipairs(numbers) do pool[i] = { v = math.tointeger(v) or v, s = tostring(v), p = M.LEAF } end
  for _, step in ipairs(steps) do
    local a, op, b, c = parse_step(step)
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

return M
