-- gridworld/ascii: a MiniGrid level given as text (format: docs/gridworld.md).
--
-- Any MiniGrid grid can be written in this format, so this environment
-- replays levels generated elsewhere (the parity test feeds it MiniGrid's own
-- levels) and lets teachers hand-write or mutate levels. E.layout(self)
-- returns the current level in the same format.

local grid = require "minigrid.env"
local core, ascii = grid.core, grid.ascii

local DEFAULT_LAYOUT = table.concat({
  "##############",
  "##>>..##....##",
  "##....Ly....##",
  "##Ky..##..GG##",
  "##############",
}, "\n")

local E = grid.define{
  id = "gridworld/ascii",
  description = "A MiniGrid level written as text: two characters per cell, agent as an arrow.",
  version = "1.0.0",
  params = {
    layout = { kind = "string", default = DEFAULT_LAYOUT, max_length = 10000,
               description = "the level, two characters per cell (docs/gridworld.md)" },
    max_steps = { kind = "int", min = 1, max = 10000, default = 100,
                  description = "steps before the episode is truncated" },
    mission = { kind = "string", default = "", max_length = 256,
                description = "mission text; empty for the task's usual one" },
    see_through_walls = { kind = "choice", choices = { "no", "yes" }, default = "no",
                          description = "MiniGrid's see_through_walls (yes for Empty)" },
    task = { kind = "choice", choices = { "goal", "open_door", "pickup" }, default = "goal",
             description = "success: reach the goal; also on opening a door (Unlock); or picking up `target` (KeyCorridor)" },
    target = { kind = "string", default = "", max_length = 2,
               description = "for task=pickup: the object's cell code, e.g. Ap (purple ball); empty: the first key, ball or box" },
  },
  max_steps = 10000,
}

function E.reset(self, params)
  ascii.parse(self, params.layout)
  local mission = params.mission
  grid.setup(self, math.tointeger(params.max_steps), "", params.see_through_walls == "yes")
  if params.task == "open_door" then
    self.task = core.TASK_OPEN_DOOR
    if mission == "" then mission = "open the door" end
  elseif params.task == "pickup" then
    local t, c
    if params.target == "" then  -- the first key, ball or box in reading order
      for i = 1, self.width * self.height do
        local ti = self.gt[i]
        if ti == core.KEY or ti == core.BALL or ti == core.BOX then t, c = ti, self.gc[i]; break end
      end
      if t == nil then error("task pickup: the layout has no key, ball or box to pick up", 0) end
    else
      t, c = ascii.decode(params.target)
      if t == nil or t == 1 then error("task pickup needs a target cell code such as Ap, got '" .. params.target .. "'", 0) end
    end
    self.task, self.target_t, self.target_c = core.TASK_PICKUP, t, c
    if mission == "" then
      mission = "pick up the " .. core.IDX_TO_COLOR[c] .. " " .. core.IDX_TO_OBJECT[t]
    end
  end
  if mission == "" then mission = "get to the green goal square" end
  self.mission = mission
  return grid.start(self)
end

return E
