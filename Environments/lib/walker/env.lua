-- walker.env: what walker/bipedal and walker/stump_tracks share: the episode
-- (world, walker, motors, contacts, observation, reward, termination).
--
--   local walker = require "walker.env"
--   local E = walker.define{ id = ..., params = ..., max_steps = ... }
--   function E.reset(self, params)
--     return walker.start(self, bodies.KINDS.default, function(world, rng) return terrain... end)
--   end
--
-- Semantics follow Gymnasium's BipedalWalker-v3 (see docs/walkers.md for the
-- layout and every kept difference). The Box2D world lives in the instance; it is
-- destroyed and rebuilt at every reset, so an episode never depends on the last.

local bodies = require "walker.bodies"
local terrain = require "walker.terrain"
local lidar = require "walker.lidar"
local render = require "walker.render"

local M = {}

local FPS = 50
local DT = 1.0 / FPS
local VELOCITY_ITERATIONS, POSITION_ITERATIONS = 6 * 30, 2 * 30
local SCALE = bodies.SCALE
local SPEED_HIP, SPEED_KNEE = bodies.SPEED_HIP, bodies.SPEED_KNEE
local VX_SCALE = 0.3 * (600 / SCALE) / FPS   -- 0.3 * vel.x * (VIEWPORT_W / SCALE) / FPS
local VY_SCALE = 0.3 * (400 / SCALE) / FPS
local FINISH_X = terrain.FINISH_X
local abs = math.abs

local inf = math.huge
-- hull angle, angular velocity, vx, vy; per leg: hip angle, hip speed,
-- knee angle + 1, knee speed, ground contact; then 10 lidar fractions.
local LOW, HIGH = {}, {}
for i = 1, 24 do LOW[i], HIGH[i] = -inf, inf end
for _, i in ipairs{ 9, 14 } do LOW[i], HIGH[i] = 0, 1 end
for i = 15, 24 do LOW[i], HIGH[i] = 0, 1 end

function M.define(E)
  E.version = E.version or "1.0.0"
  E.observation_space = space.box(LOW, HIGH, { 24 })
  E.action_space = space.box(-1, 1, { 4 })   -- hip 1, knee 1, hip 2, knee 2 motor commands
  -- The Box2D world is host memory: a deep copy of `self` would share it.
  E.clonable = false
  E.step = M.step
  E.render = render.text
  E.render_image = render.svg
  function E.clone(self)
    error(E.id .. " cannot be cloned: its Box2D world lives in the host (E.clonable = false)", 2)
  end
  return E
end

-- Builds a fresh world with the track and the walker, then takes Gymnasium's
-- first step with zero action; returns the observation and info.
function M.start(self, kind, build_terrain, max_steps)
  if self.world ~= nil then self.world:destroy() end
  local world = physics2d.world(0, -10)
  self.world = world
  self.terrain = build_terrain(world, self.rng)
  local init_x = terrain.STEP * terrain.STARTPAD / 2
  local init_y = terrain.HEIGHT + 2 * kind.leg_h
  self.walker = bodies.build(world, kind, init_x, init_y, self.rng)
  self.torque = kind.torque
  self.torque_cost = kind.torque_penalty * kind.torque
  self.max_steps = max_steps
  self.game_over = false
  self.contact_left, self.contact_right = false, false
  self.prev_shaping = nil
  if self.obs == nil then
    self.obs = {}
    for i = 1, 24 do self.obs[i] = 0 end
    self.zero_action = { 0, 0, 0, 0 }
    self.info = {}
  end
  self.steps = -1
  self.total = 0
  M.step(self, self.zero_action)
  self.steps, self.total = 0, 0
  self.info.steps, self.info.x = 0, self.x
  return self.obs, self.info
end

local function sign(a) if a > 0 then return 1 elseif a < 0 then return -1 end return 0 end
local function clip01(a) a = abs(a); if a > 1 then return 1 end return a end

-- Applies contact begin/end events in Box2D's order: a hull contact ends the
-- episode; each lower leg's flag follows its latest event.
local function contacts(self, world)
  local n = world:contact_count()
  if n == 0 then return end
  local w = self.walker
  local hull, left, right = w.hull_id, w.lower_ids[1], w.lower_ids[2]
  for i = 1, n do
    local began, a, b = world:contact(i)
    if began and (a == hull or b == hull) then self.game_over = true end
    if a == left or b == left then self.contact_left = began end
    if a == right or b == right then self.contact_right = began end
  end
end

function M.step(self, action)
  local world, w = self.world, self.walker
  local joints, torque = w.joints, self.torque
  local a1, a2, a3, a4 = action[1], action[2], action[3], action[4]
  joints[1]:set_motor(SPEED_HIP * sign(a1), torque * clip01(a1))
  joints[2]:set_motor(SPEED_KNEE * sign(a2), torque * clip01(a2))
  joints[3]:set_motor(SPEED_HIP * sign(a3), torque * clip01(a3))
  joints[4]:set_motor(SPEED_KNEE * sign(a4), torque * clip01(a4))
  world:step(DT, VELOCITY_ITERATIONS, POSITION_ITERATIONS)
  contacts(self, world)

  local x, y, angle, vx, vy, av = w.hull:state()
  local obs = self.obs
  lidar.scan(world, x, y, obs, 14)
  obs[1] = angle
  obs[2] = 2.0 * av / FPS
  obs[3] = vx * VX_SCALE
  obs[4] = vy * VY_SCALE
  local ang, spd = joints[1]:state()
  obs[5], obs[6] = ang, spd / SPEED_HIP
  ang, spd = joints[2]:state()
  obs[7], obs[8] = ang + 1.0, spd / SPEED_KNEE
  obs[9] = self.contact_left and 1.0 or 0.0
  ang, spd = joints[3]:state()
  obs[10], obs[11] = ang, spd / SPEED_HIP
  ang, spd = joints[4]:state()
  obs[12], obs[13] = ang + 1.0, spd / SPEED_KNEE
  obs[14] = self.contact_right and 1.0 or 0.0

  -- Shaping: 130 per SCALE metres forward, minus 5 per radian of hull tilt.
  local shaping = 130 * x / SCALE - 5.0 * abs(angle)
  local reward = 0
  if self.prev_shaping ~= nil then reward = shaping - self.prev_shaping end
  self.prev_shaping = shaping
  local cost = self.torque_cost
  reward = reward - cost * (clip01(a1) + clip01(a2) + clip01(a3) + clip01(a4))

  local terminated = false
  if self.game_over or x < 0 then reward, terminated = -100, true end
  if x > FINISH_X then terminated = true end
  local steps = self.steps + 1
  self.steps, self.x = steps, x
  self.total = self.total + reward
  local info = self.info
  info.steps, info.x = steps, x
  return obs, reward, terminated, not terminated and steps >= self.max_steps, info
end

return M
