-- walker.terrain: the tracks, built as static Box2D fixtures on one ground body.
--
--   local terrain = require "walker.terrain"
--   local t = terrain.gymnasium(world, self.rng, hardcore)
--   local t = terrain.stumps(world, self.rng, height_mu, spacing)
--   -- t.xs, t.ys: the ground line; t.polys: obstacle polygons (for drawing)
--
-- All randomness comes from the instance's rng. Gymnasium makes one static
-- body per piece; one body with many fixtures collides the same way.

local M = {}

local SCALE = 30.0
M.STEP = 14 / SCALE              -- TERRAIN_STEP
M.LENGTH = 200                   -- TERRAIN_LENGTH, in steps
M.HEIGHT = 400 / SCALE / 4       -- TERRAIN_HEIGHT
M.GRASS = 10                     -- TERRAIN_GRASS
M.STARTPAD = 20                  -- TERRAIN_STARTPAD
M.FRICTION = 2.5
M.FINISH_X = (M.LENGTH - M.GRASS) * M.STEP  -- past this x the episode ends

local STEP, HEIGHT = M.STEP, M.HEIGHT
local EDGE = { friction = M.FRICTION, category = 0x0001 }
local POLY = { friction = M.FRICTION }

local function sign(v) if v > 0 then return 1 elseif v < 0 then return -1 end return 0 end

-- numpy's integers(lo, hi): hi excluded.
local function below(rng, lo, hi) return rng:int(lo, hi - 1) end

-- Edges along the ground line; Stump Tracks repeats the start pad's end point,
-- and Box2D cannot hold a zero-length edge, so such pieces are skipped.
local function finish(ground, xs, ys, polys)
  for i = 1, #xs - 1 do
    if math.abs(xs[i + 1] - xs[i]) + math.abs(ys[i + 1] - ys[i]) > 1e-3 then
      ground:edge(xs[i], ys[i], xs[i + 1], ys[i + 1], EDGE)
    end
  end
  return { xs = xs, ys = ys, polys = polys }
end

local function add_poly(ground, polys, poly)
  ground:polygon(poly, POLY)
  polys[#polys + 1] = poly
end

-- Gymnasium's BipedalWalker track: gently rolling grass; with `hardcore`, pits,
-- stumps and stairs between grass stretches.
function M.gymnasium(world, rng, hardcore)
  local ground = world:body{ type = "static" }
  local GRASS, STUMP, STAIRS, PIT = 0, 1, 2, 3
  local state, velocity, y = GRASS, 0.0, HEIGHT
  local counter, oneshot = M.STARTPAD, false
  local xs, ys, polys = {}, {}, {}
  local stair_steps, stair_width, stair_height, original_y = 0, 0, 0, 0
  for i = 0, M.LENGTH - 1 do
    local x = i * STEP
    xs[#xs + 1] = x
    if state == GRASS and not oneshot then
      velocity = 0.8 * velocity + 0.01 * sign(HEIGHT - y)
      if i > M.STARTPAD then velocity = velocity + rng:float(-1, 1) / SCALE end
      y = y + velocity
    elseif state == PIT and oneshot then
      counter = below(rng, 3, 5)
      local poly = { {x, y}, {x + STEP, y}, {x + STEP, y - 4 * STEP}, {x, y - 4 * STEP} }
      add_poly(ground, polys, poly)
      local shifted = {}
      for k, p in ipairs(poly) do shifted[k] = { p[1] + STEP * counter, p[2] } end
      add_poly(ground, polys, shifted)
      counter = counter + 2
      original_y = y
    elseif state == PIT and not oneshot then
      y = original_y
      if counter > 1 then y = y - 4 * STEP end
    elseif state == STUMP and oneshot then
      counter = below(rng, 1, 3)
      add_poly(ground, polys, { {x, y}, {x + counter * STEP, y}, {x + counter * STEP, y + counter * STEP}, {x, y + counter * STEP} })
    elseif state == STAIRS and oneshot then
      stair_height = rng:float() > 0.5 and 1 or -1
      stair_width = below(rng, 4, 5)
      stair_steps = below(rng, 3, 5)
      original_y = y
      for s = 0, stair_steps - 1 do
        add_poly(ground, polys, {
          {x + (s * stair_width) * STEP, y + (s * stair_height) * STEP},
          {x + ((1 + s) * stair_width) * STEP, y + (s * stair_height) * STEP},
          {x + ((1 + s) * stair_width) * STEP, y + (-1 + s * stair_height) * STEP},
          {x + (s * stair_width) * STEP, y + (-1 + s * stair_height) * STEP},
        })
      end
      counter = stair_steps * stair_width
    elseif state == STAIRS and not oneshot then
      local s = stair_steps * stair_width - counter - stair_height
      y = original_y + (s / stair_width * stair_height) * STEP
    end
    oneshot = false
    ys[#ys + 1] = y
    counter = counter - 1
    if counter == 0 then
      counter = below(rng, M.GRASS // 2, M.GRASS)
      if state == GRASS and hardcore then state = below(rng, 1, 4 + 1) else state = GRASS end
      oneshot = true
    end
  end
  return finish(ground, xs, ys, polys)
end

-- TeachMyAgent's Stump Tracks (flat ground, roughness 0): after the start pad,
-- one stump of height ~ N(mu, 0.1) (at least 0.05, in terrain steps) and one
-- TERRAIN_STEP wide, then `spacing` metres of grass, repeated to the track's end.
function M.stumps(world, rng, mu, spacing)
  local ground = world:body{ type = "static" }
  spacing = math.max(0.01, spacing)
  local xs, ys, polys = { 0, M.STARTPAD * STEP }, { HEIGHT, HEIGHT }, {}
  local x, y, max_x = M.STARTPAD * STEP, HEIGHT, M.LENGTH * STEP
  local stump = true
  while x < max_x do
    xs[#xs + 1] = x
    if stump then
      local h = math.max(0.05, rng:normal(mu, 0.1)) * STEP
      add_poly(ground, polys, { {x, y}, {x + STEP, y}, {x + STEP, y + h}, {x, y + h} })
      x = x + STEP
    else
      x = x + spacing
    end
    ys[#ys + 1] = y
    stump = not stump
  end
  return finish(ground, xs, ys, polys)
end

-- Ground height under x (linear between the points of the ground line).
function M.height_at(t, x)
  local xs, ys = t.xs, t.ys
  if x <= xs[1] then return ys[1] end
  for i = 2, #xs do
    if x <= xs[i] then
      local dx = xs[i] - xs[i - 1]
      if dx <= 0 then return ys[i] end
      return ys[i - 1] + (ys[i] - ys[i - 1]) * (x - xs[i - 1]) / dx
    end
  end
  return ys[#ys]
end

return M
