-- first_legal: a Ludus Lua agent (`--agent lua:examples/agents/first_legal.lua`)
-- that always plays the smallest legal action. The contract is in
-- docs/agents-protocol.md ("Lua agents").

local A = {
  name = "first_legal",
}

-- Optional: called before every game with the agent's seed for that game.
function A.reset(self, seed)
  self.seed = seed
end

-- Called on the agent's turn; `legal_actions` is sorted, so [1] is the smallest.
-- (An environment that declares no legal_actions passes an empty list: every
-- action of the action space is then legal; this agent plays 0.)
function A.act(self, observation, legal_actions)
  return legal_actions[1] or 0
end

return A
