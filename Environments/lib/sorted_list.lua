-- sorted_list: a sorted list of legal actions kept in place by a game's `step`, so that
-- `legal_actions` can hand out the same table every move instead of building a new one.
--
--   local sorted_list = require "sorted_list"
--   sorted_list.remove(legal, 3)   -- {0, 3, 5} --> {0, 5}
--   sorted_list.clear(legal)       -- --> {}
--
-- The module keeps no state.

local sorted_list = {}

-- Removes `value` (which must be in the list) and closes the gap.
function sorted_list.remove(list, value)
  local n = #list
  local i = 1
  while list[i] ~= value do i = i + 1 end
  for j = i, n - 1 do list[j] = list[j + 1] end
  list[n] = nil
end

-- Empties the list (the table stays: whoever holds it sees it empty).
function sorted_list.clear(list)
  for i = #list, 1, -1 do list[i] = nil end
end

return sorted_list
