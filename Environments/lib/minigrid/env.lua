-- minigrid.env: the pieces every gridworld environment file shares.
--
--   local grid = require "minigrid.env"
--   local E = grid.define{ id = "gridworld/x", ... params, max_steps ... }
--   function E.reset(self, params) ... build the level ...; return grid.start(self) end
--   return E
--
-- define() fills in the observation and action spaces, action_names,
-- reward_range, success_threshold, and the shared step, render,
-- render_image and layout functions.

local core = require "minigrid.core"
local ascii = require "minigrid.ascii"
local render = require "minigrid.render"

local M = {}

M.core, M.ascii, M.render = core, ascii, render
M.start = core.start
M.setup = core.setup

function M.define(E)
  core.declare(E)
  E.step = core.step
  E.render = render.text
  E.render_image = render.svg
  E.layout = ascii.serialise
  return E
end

return M
