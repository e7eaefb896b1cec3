-- walker.lidar: ten rays fanning down and forward from the hull, as in
-- BipedalWalker-v3: ray i points at angle 1.5 * i / 10 from straight down,
-- 160 / SCALE long, and reads the fraction of the way to the closest ground hit
-- (1 when nothing is hit). One host call casts all ten.

local M = {}

M.COUNT = 10
M.RANGE = 160 / 30.0
M.MASK = 0x0001  -- ground only: the walker's own fixtures are not seen

-- End-point offsets, computed once (constants shared by every instance).
M.DX, M.DY = {}, {}
for i = 0, M.COUNT - 1 do
  M.DX[i + 1] = math.sin(1.5 * i / M.COUNT) * M.RANGE
  M.DY[i + 1] = -math.cos(1.5 * i / M.COUNT) * M.RANGE
end

local DX, DY, MASK = M.DX, M.DY, M.MASK

-- Writes the fractions into out[offset + 1 .. offset + 10].
function M.scan(world, x, y, out, offset)
  world:raycast_fan(x, y, DX, DY, MASK, out, offset)
end

return M
