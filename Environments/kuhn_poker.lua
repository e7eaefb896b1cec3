-- Kuhn poker, 2 players (OpenSpiel kuhn_poker(players=2)): the game is lib/kuhn_poker.lua.
local id = "kuhn_poker"
return (require "kuhn_poker")(2, id)
