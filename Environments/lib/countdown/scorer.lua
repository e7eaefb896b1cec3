-- countdown.scorer: scores a text answer to a Countdown puzzle. The answer is
-- parsed as an arithmetic expression and computed in exact rational arithmetic
-- (rational.lua); it is right when its integer literals are exactly the given
-- numbers and its value is the target (docs/puzzles.md, "Scoring").

local R = require "rational"
local text = require "countdown.text"

local M = {}

M.PARTIAL = {                      -- {parseable but wrong, anything else}
  reasoning_gym = { 0.05, 0.01 },
  seed_papers = { 0.1, 0.0 },
}

-- Tokens: numbers (integers; a decimal literal is kept but marked), operators and
-- parentheses. Returns the token list or nil on an unknown character.
-- The end of the run of digits starting at i (byte scan: the sandbox refuses
-- "^%d+" on subjects of about 100 KB and more).
local function digits_end(s, i)
  local n = #s
  while i <= n do
    local ch = s:byte(i)
    if ch < 48 or ch > 57 then break end
    i = i + 1
  end
  return i - 1
end

local function tokenize(s)
  s = text.normalise_ops(s)
  local tokens, i, n = {}, 1, #s
  while i <= n do
    local c = s:sub(i, i)
    if c:match("%s") then
      i = i + 1
    elseif c:match("%d") then
      local e = digits_end(s, i)
      local t = { kind = "num", text = s:sub(i, e) }
      if s:sub(e + 1, e + 1) == "." and s:sub(e + 2, e + 2):match("%d") then
        t.decimal = true
        e = digits_end(s, e + 2)
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
function M.parse(s)
  local tokens = tokenize(s)
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

-- Whether the lists hold the same values as multisets.
function M.same_multiset(a, b)
  if #a ~= #b then return false end
  local x, y = {}, {}
  for i = 1, #a do x[i] = a[i] end
  for i = 1, #b do y[i] = math.tointeger(b[i]) or b[i] end
  table.sort(x); table.sort(y)
  for i = 1, #x do if x[i] ~= y[i] then return false end end
  return true
end
local same_multiset = M.same_multiset

-- Scores an answer: 1.0 if it is an expression using exactly the multiset
-- `numbers` whose exact value is `target`; else PARTIAL[mode][1] if it parses,
-- PARTIAL[mode][2] otherwise (empty, unknown characters, syntax). Division by zero
-- counts as parseable but wrong.
-- Returns score, reason.
function M.score(numbers, target, answer, mode)
  local partial = M.PARTIAL[mode or "reasoning_gym"] or M.PARTIAL.reasoning_gym
  if type(answer) ~= "string" then return partial[2], "not text" end
  local inner = text.extract_answer(answer)
  if not inner:find("%S") then return partial[2], "empty" end
  local status, n, d, literals = M.parse(inner)
  if status == "invalid" then return partial[2], "not an expression" end
  if status == "decimal" then return partial[1], "non-integer literal" end
  if status == "undefined" then return partial[1], "division by zero" end
  if not same_multiset(literals, numbers) then return partial[1], "numbers differ" end
  if status == "overflow" then return partial[1], "value out of range" end
  if d == 1 and n == math.tointeger(target) then return 1.0, "correct" end
  return partial[1], "value " .. R.tostring(n, d) .. " is not " .. tostring(target)
end

return M
