-- Kuhn poker, 3 players (OpenSpiel kuhn_poker(players=3)): the game is lib/kuhn_poker.lua.
local id = "kuhn_poker/3p"
return (require "kuhn_poker")(3, id)
