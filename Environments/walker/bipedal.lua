-- walker/bipedal: Gymnasium's BipedalWalker-v3 on Box2D through the host's
-- physics2d library. Walk a two-legged robot to the end of a rolling track;
-- `hardcore` adds stumps, pits and stairs (BipedalWalkerHardcore-v3's track).

local walker = require "walker.env"
local bodies = require "walker.bodies"
local terrain = require "walker.terrain"

local E = walker.define{
  id = "walker/bipedal",
  description = "Gymnasium BipedalWalker-v3: drive four leg motors to walk a 2D robot along a track without falling.",
  version = "1.0.0",
  params = {
    hardcore = { kind = "choice", choices = { "no", "yes" }, default = "no",
                 description = "no: gently rolling grass (BipedalWalker-v3); yes: stumps, pits and stairs (BipedalWalkerHardcore-v3)" },
  },
  max_steps = 1600,         -- BipedalWalker-v3's TimeLimit (Hardcore-v3 uses 2000)
  success_threshold = 300,  -- Gymnasium's reward_threshold
}

function E.reset(self, params)
  local hardcore = params.hardcore == "yes"
  self.id_text = hardcore and "bipedal (hardcore)" or "bipedal"
  return walker.start(self, bodies.KINDS.default, function(world, rng)
    return terrain.gymnasium(world, rng, hardcore)
  end, 1600)
end

return E
