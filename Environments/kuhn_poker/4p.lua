-- Kuhn poker, 4 players (OpenSpiel kuhn_poker(players=4)): the game is lib/kuhn_poker.lua.
local id = "kuhn_poker/4p"
return (require "kuhn_poker")(4, id)
