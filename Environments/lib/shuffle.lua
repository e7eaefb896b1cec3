-- shuffle: the Fisher-Yates shuffle every environment uses, in place, with a host rng.
--
--   local shuffle = require "shuffle"
--   shuffle(rng, list)              -- all of list; returns list
--   shuffle(rng, list, n, base)     -- only list[base + 1 .. base + n]
--
-- For i = n down to 2 it swaps item i with item rng:int(1, i): n - 1 draws, always
-- in that order, so a seed gives the same order everywhere.

local function shuffle(rng, list, n, base)
  if base == nil then
    for i = n or #list, 2, -1 do
      local j = rng:int(1, i)
      list[i], list[j] = list[j], list[i]
    end
  else
    for i = n, 2, -1 do
      local j = rng:int(1, i)
      local a, b = base + i, base + j
      list[a], list[b] = list[b], list[a]
    end
  end
  return list
end

return shuffle
