-- walker.bodies: the walkers' shapes, in BipedalWalker's pixel units / SCALE.
--
--   local bodies = require "walker.bodies"
--   local w = bodies.build(world, bodies.KINDS.default, x, y, self.rng)
--   -- w.hull, w.legs[1..4] (upper, lower, upper, lower), w.joints[1..4]
--   -- (hip, knee, hip, knee), w.hull_id, w.lower_ids
--
-- The walker's fixtures are category WALKER and collide only with GROUND, so
-- its parts never touch each other and lidar rays (mask GROUND) see through it.

local M = {}

M.SCALE = 30.0
M.MOTORS_TORQUE = 80
M.SPEED_HIP = 4
M.SPEED_KNEE = 6
M.INITIAL_RANDOM = 5
M.GROUND = 0x0001
M.WALKER = 0x0020

local SCALE = M.SCALE

local function hull_vertices(points)
  local out = {}
  for i, p in ipairs(points) do out[i] = { p[1] / SCALE, p[2] / SCALE } end
  return out
end

-- Gymnasium's BipedalWalker ("default") and TeachMyAgent's short-legged walker.
-- Only the leg height differs; the hull, motors and torque penalty are shared.
M.KINDS = {
  default = {
    name = "default",
    hull = hull_vertices{ {-30, 9}, {6, 9}, {34, 1}, {34, -8}, {-30, -8} },
    leg_w = 8 / SCALE, leg_h = 34 / SCALE, leg_down = -8 / SCALE,
    torque = 80, torque_penalty = 0.00035,
  },
  short = {
    name = "short",
    hull = hull_vertices{ {-30, 9}, {6, 9}, {34, 1}, {34, -8}, {-30, -8} },
    leg_w = 8 / SCALE, leg_h = 17 / SCALE, leg_down = -8 / SCALE,
    torque = 80, torque_penalty = 0.00035,
  },
}

local HULL_PROPS = { density = 5.0, friction = 0.1, restitution = 0.0, category = M.WALKER, mask = M.GROUND }
local LEG_PROPS = { density = 1.0, restitution = 0.0, category = M.WALKER, mask = M.GROUND }

-- Builds hull, legs and motorised joints at (x, y) = the hull's position, in
-- Gymnasium's creation order (which fixes Box2D's solver order), and pushes the
-- hull with a random horizontal force as Gymnasium does.
function M.build(world, kind, x, y, rng)
  local hull = world:body{ type = "dynamic", x = x, y = y }
  hull:polygon(kind.hull, HULL_PROPS)
  hull:apply_force(rng:float(-M.INITIAL_RANDOM, M.INITIAL_RANDOM), 0)
  local legs, joints, lower_ids = {}, {}, {}
  local lw, lh, down = kind.leg_w, kind.leg_h, kind.leg_down
  for _, side in ipairs{ -1, 1 } do
    local upper = world:body{ type = "dynamic", x = x, y = y - lh / 2 - down, angle = side * 0.05 }
    upper:box(lw / 2, lh / 2, LEG_PROPS)
    legs[#legs + 1] = upper
    joints[#joints + 1] = world:revolute_joint{
      a = hull, b = upper, anchor_a = { 0, down }, anchor_b = { 0, lh / 2 },
      motor = true, limit = true, max_torque = kind.torque, speed = side, lower = -0.8, upper = 1.1 }
    local lower = world:body{ type = "dynamic", x = x, y = y - lh * 3 / 2 - down, angle = side * 0.05 }
    lower:box(0.8 * lw / 2, lh / 2, LEG_PROPS)
    legs[#legs + 1] = lower
    lower_ids[#lower_ids + 1] = lower:id()
    joints[#joints + 1] = world:revolute_joint{
      a = upper, b = lower, anchor_a = { 0, -lh / 2 }, anchor_b = { 0, lh / 2 },
      motor = true, limit = true, max_torque = kind.torque, speed = 1, lower = -1.6, upper = -0.1 }
  end
  return { hull = hull, hull_id = hull:id(), legs = legs, joints = joints, lower_ids = lower_ids, kind = kind }
end

-- Local outlines for drawing: the hull polygon, then each leg's box.
function M.outlines(kind)
  local lw, lh = kind.leg_w, kind.leg_h
  local function box(hw, hh) return { {-hw, -hh}, {hw, -hh}, {hw, hh}, {-hw, hh} } end
  return { kind.hull, box(lw / 2, lh / 2), box(0.8 * lw / 2, lh / 2), box(lw / 2, lh / 2), box(0.8 * lw / 2, lh / 2) }
end

return M
