-- walker/stump_tracks: TeachMyAgent's parametric Stump Tracks (Portelas et al.,
-- ALP-GMM): a flat track with one stump every `obstacle_spacing` metres, each of
-- height ~ N(stump_height, 0.1) terrain steps (at least 0.05). A teacher picks
-- the two params before each episode; the walker body is a param too.

local walker = require "walker.env"
local bodies = require "walker.bodies"
local terrain = require "walker.terrain"

local E = walker.define{
  id = "walker/stump_tracks",
  description = "Stump Tracks: walk a 2D robot over stumps of a chosen mean height and spacing (TeachMyAgent).",
  version = "1.0.0",
  params = {
    stump_height = { kind = "float", min = 0, max = 3, default = 0,
                     description = "mean stump height mu in terrain steps; each stump ~ N(mu, 0.1), at least 0.05" },
    obstacle_spacing = { kind = "float", min = 0, max = 6, default = 6,
                         description = "metres of flat ground between stumps (at least 0.01)" },
    body = { kind = "choice", choices = { "default", "short" }, default = "default",
             description = "default: BipedalWalker's legs; short: legs half as long (TeachMyAgent's short walker)" },
  },
  max_steps = 2000,
  reward_range = { -150, 350 },   -- TeachMyAgent's normalisation bounds, not hard limits
  returns_within_reward_range = false,
  success_threshold = 230,        -- "mastered" in the ALP-GMM paper
}

function E.reset(self, params)
  local kind = bodies.KINDS[params.body]
  local mu, spacing = params.stump_height, params.obstacle_spacing
  self.id_text = string.format("stump_tracks h=%.2f s=%.2f %s", mu, spacing, kind.name)
  return walker.start(self, kind, function(world, rng)
    return terrain.stumps(world, rng, mu, spacing)
  end, 2000)
end

return E
