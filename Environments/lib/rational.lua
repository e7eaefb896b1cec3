-- rational: exact rational arithmetic on Lua 64-bit integers.
--
-- A rational is a pair of integers (n, d) with d > 0 and gcd(|n|, d) = 1, passed
-- as two values (no tables, no allocation). Every operation returns the reduced
-- result, or nil when the result is undefined (division by zero) or would leave
-- the range |n|, d <= 2^62 (overflow: callers treat the expression as invalid).
-- Products and sums are cross-reduced first, so intermediate values stay small.

local R = {}

local LIMIT = 1 << 62
R.LIMIT = LIMIT

local function gcd(a, b)
  if a < 0 then a = -a end
  if b < 0 then b = -b end
  while b ~= 0 do a, b = b, a % b end
  return a
end
R.gcd = gcd

-- a * b, or nil if |a * b| > LIMIT.
local function mul(a, b)
  if a == 0 or b == 0 then return 0 end
  local x, y = a < 0 and -a or a, b < 0 and -b or b
  if x > LIMIT // y then return nil end
  return a * b
end
R.mul_int = mul

-- a + b, or nil if |a + b| > LIMIT (inputs are within LIMIT).
local function add(a, b)
  local s = a + b
  if s > LIMIT or s < -LIMIT then return nil end
  return s
end
R.add_int = add

-- Normalises n / d; nil when d == 0.
function R.make(n, d)
  d = d or 1
  if d == 0 then return nil end
  if d < 0 then n, d = -n, -d end
  local g = gcd(n, d)
  if g > 1 then n, d = n // g, d // g end
  return n, d
end

function R.add(an, ad, bn, bd)
  local g = gcd(ad, bd)
  local x = mul(an, bd // g)
  local y = mul(bn, ad // g)
  if x == nil or y == nil then return nil end
  local n = add(x, y)
  local d = mul(ad // g, bd)
  if n == nil or d == nil then return nil end
  local h = gcd(n, d)
  if h > 1 then n, d = n // h, d // h end
  return n, d
end

function R.sub(an, ad, bn, bd)
  return R.add(an, ad, -bn, bd)
end

function R.mul(an, ad, bn, bd)
  if an == 0 or bn == 0 then return 0, 1 end
  local g1, g2 = gcd(an, bd), gcd(bn, ad)
  local n = mul(an // g1, bn // g2)
  local d = mul(ad // g2, bd // g1)
  if n == nil or d == nil then return nil end
  return n, d
end

function R.div(an, ad, bn, bd)
  if bn == 0 then return nil end
  if bn < 0 then bn, bd = -bn, -bd end
  return R.mul(an, ad, bd, bn)
end

-- Applies an operator character "+", "-", "*" or "/".
function R.apply(op, an, ad, bn, bd)
  if op == "+" then return R.add(an, ad, bn, bd)
  elseif op == "-" then return R.sub(an, ad, bn, bd)
  elseif op == "*" then return R.mul(an, ad, bn, bd)
  elseif op == "/" then return R.div(an, ad, bn, bd)
  end
  return nil
end

function R.tostring(n, d)
  if d == 1 then return tostring(n) end
  return tostring(n) .. "/" .. tostring(d)
end

return R
