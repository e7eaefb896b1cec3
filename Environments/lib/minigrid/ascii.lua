-- minigrid.ascii: levels as text, two characters per cell (see docs/gridworld.md).
--
--   ..  empty            ##  wall (grey)        #c  wall of colour c
--   ~~  lava             GG  goal (green)       Gc  goal of colour c
--   Fc  floor            Kc  key                Ac  ball         Bc  box
--   Dc  closed door      Lc  locked door        dc  open door
--   >>  vv  <<  ^^       the agent (facing right, down, left, up) on an empty cell
--
-- Colours c: r red, g green, b blue, p purple, y yellow, e grey.
-- Lines with a space after the grid (or anywhere) are directives:
--   agent X Y DIR          the agent when it stands on a non-empty cell (DIR right/down/left/up)
--   carrying CODE...       what the agent carries (a box's contents follow it)
--   box X Y CODE...        what the box at X Y holds (CODE CODE ... for boxes in boxes)
-- Blank lines and lines starting with ';' are ignored.

local core = require "minigrid.core"

local M = {}

local COLOR_CHAR = { [0] = "r", "g", "b", "p", "y", "e" }
local CHAR_COLOR = { r = 0, g = 1, b = 2, p = 3, y = 4, e = 5 }
local AGENT_CHAR = { [0] = ">", "v", "<", "^" }
local CHAR_AGENT = { [">"] = 0, v = 1, ["<"] = 2, ["^"] = 3 }
local DIR_WORD = { right = 0, down = 1, left = 2, up = 3 }

-- object letter -> type (and door state)
local LETTER_TYPE = { ["#"] = 2, F = 3, D = 4, L = 4, d = 4, K = 5, A = 6, B = 7, G = 8 }
local LETTER_STATE = { D = 1, L = 2, d = 0 }
local TYPE_LETTER = { [2] = "#", [3] = "F", [5] = "K", [6] = "A", [7] = "B", [8] = "G" }
local DOOR_LETTER = { [0] = "d", "D", "L" }

M.COLOR_CHAR, M.CHAR_COLOR = COLOR_CHAR, CHAR_COLOR

-- The two-character code of an object (type, colour, state).
function M.code(t, c, s)
  if t == 1 then return ".." end
  if t == 9 then return "~~" end
  if t == 2 and c == 5 then return "##" end
  if t == 8 and c == 1 then return "GG" end
  if t == 4 then return DOOR_LETTER[s] .. COLOR_CHAR[c] end
  local letter = TYPE_LETTER[t]
  if letter == nil then error("cannot write object type " .. tostring(t)) end
  return letter .. COLOR_CHAR[c]
end

-- Decodes a two-character cell code: type, colour, state (nil if invalid).
function M.decode(code)
  if code == ".." then return 1, 0, 0 end
  if code == "~~" then return 9, 0, 0 end
  if code == "##" then return 2, 5, 0 end
  if code == "GG" then return 8, 1, 0 end
  local letter, cc = code:sub(1, 1), code:sub(2, 2)
  local t, c = LETTER_TYPE[letter], CHAR_COLOR[cc]
  if t == nil or c == nil then return nil end
  return t, c, LETTER_STATE[letter] or 0
end

local function fail(line_no, message)
  error(string.format("layout line %d: %s", line_no, message), 0)
end

-- A chain of codes "Br Bg Ky" -> contents table { t, c, s, inner } (nil for none).
local function decode_chain(words, first, line_no)
  local result, last = nil, nil
  for n = first, #words do
    local t, c, s = M.decode(words[n])
    if t == nil or t == 1 then fail(line_no, "bad object code '" .. words[n] .. "'") end
    local item = { t, c, s, nil }
    if last == nil then result = item else
      if last[1] ~= 7 then fail(line_no, "only a box can hold an object") end
      last[4] = item
    end
    last = item
  end
  return result
end

local function encode_chain(item)
  local words = {}
  while item ~= nil do
    words[#words + 1] = M.code(item[1], item[2], item[3])
    item = item[4]
  end
  return table.concat(words, " ")
end

-- Parses a layout into self (grid, agent, carried object, box contents).
function M.parse(self, text)
  if type(text) ~= "string" then error("layout must be a string", 2) end
  local rows, directives = {}, {}
  local line_no = 0
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    line_no = line_no + 1
    line = line:gsub("\r$", "")
    local stripped = line:match("^%s*(.-)%s*$")
    if stripped == "" or stripped:sub(1, 1) == ";" then
      -- skip
    elseif stripped:find(" ", 1, true) then
      directives[#directives + 1] = { stripped, line_no }
    else
      rows[#rows + 1] = { stripped, line_no }
    end
  end
  if #rows == 0 then error("layout has no grid rows", 0) end
  local width2 = #rows[1][1]
  if width2 % 2 ~= 0 then fail(rows[1][2], "a row needs two characters per cell") end
  local width, height = width2 // 2, #rows
  core.new_grid(self, width, height)
  local agents = 0
  for y = 0, height - 1 do
    local row, ln = rows[y + 1][1], rows[y + 1][2]
    if #row ~= width2 then
      fail(ln, string.format("row has %d characters, the first row has %d", #row, width2))
    end
    for x = 0, width - 1 do
      local code = row:sub(2 * x + 1, 2 * x + 2)
      local a = code:sub(1, 1)
      if CHAR_AGENT[a] ~= nil and code:sub(2, 2) == a then
        agents = agents + 1
        self.agent_x, self.agent_y, self.agent_dir = x, y, CHAR_AGENT[a]
      else
        local t, c, s = M.decode(code)
        if t == nil then fail(ln, string.format("unknown cell '%s' at x=%d", code, x)) end
        core.set(self, x, y, t, c, s)
      end
    end
  end
  for _, entry in ipairs(directives) do
    local line, ln = entry[1], entry[2]
    local words = {}
    for w in line:gmatch("%S+") do words[#words + 1] = w end
    local keyword = words[1]
    if keyword == "agent" then
      local x, y = math.tointeger(tonumber(words[2])), math.tointeger(tonumber(words[3]))
      local d = DIR_WORD[words[4] or ""] or math.tointeger(tonumber(words[4] or ""))
      if x == nil or y == nil or d == nil or d < 0 or d > 3 or #words ~= 4 then
        fail(ln, "expected 'agent X Y right|down|left|up'")
      end
      if x < 0 or y < 0 or x >= width or y >= height then fail(ln, "agent outside the grid") end
      agents = agents + 1
      self.agent_x, self.agent_y, self.agent_dir = x, y, d
    elseif keyword == "carrying" then
      local item = decode_chain(words, 2, ln)
      if item ~= nil then
        self.carry_t, self.carry_c, self.carry_s = item[1], item[2], item[3]
        self.carry_contents = item[4]
      end
    elseif keyword == "box" then
      local x, y = math.tointeger(tonumber(words[2])), math.tointeger(tonumber(words[3]))
      if x == nil or y == nil or #words < 4 then fail(ln, "expected 'box X Y CODE...'") end
      if x < 0 or y < 0 or x >= width or y >= height or self.gt[y * width + x + 1] ~= 7 then
        fail(ln, string.format("no box at %d %d", x, y))
      end
      self.contents[y * width + x + 1] = decode_chain(words, 4, ln)
    else
      fail(ln, "unknown directive '" .. tostring(keyword) .. "'")
    end
  end
  if agents ~= 1 then error(string.format("layout needs exactly one agent, found %d", agents), 0) end
  local t = self.gt[self.agent_y * width + self.agent_x + 1]
  if not (t == 1 or t == 3 or t == 8 or t == 9 or (t == 4 and self.gs[self.agent_y * width + self.agent_x + 1] == 0)) then
    error("the agent stands on a cell it cannot overlap", 0)
  end
end

-- The current level of self as text (the inverse of parse).
function M.serialise(self)
  local W, H = self.width, self.height
  local gt, gc, gs, contents = self.gt, self.gc, self.gs, self.contents
  local ax, ay = self.agent_x, self.agent_y
  local lines, extra = {}, {}
  local agent_drawn = false
  for y = 0, H - 1 do
    local row = {}
    for x = 0, W - 1 do
      local i = y * W + x + 1
      local t = gt[i]
      if x == ax and y == ay and t == 1 then
        local a = AGENT_CHAR[self.agent_dir]
        row[x + 1] = a .. a
        agent_drawn = true
      else
        row[x + 1] = M.code(t, gc[i], gs[i])
      end
    end
    lines[#lines + 1] = table.concat(row)
  end
  if not agent_drawn then
    extra[#extra + 1] = string.format("agent %d %d %s", ax, ay, core.DIR_NAMES[self.agent_dir])
  end
  if self.carry_t ~= 0 then
    extra[#extra + 1] = "carrying " .. encode_chain({ self.carry_t, self.carry_c, self.carry_s, self.carry_contents })
  end
  for y = 0, H - 1 do
    for x = 0, W - 1 do
      local inner = contents[y * W + x + 1]
      if inner ~= nil then
        extra[#extra + 1] = string.format("box %d %d %s", x, y, encode_chain(inner))
      end
    end
  end
  for _, line in ipairs(extra) do lines[#lines + 1] = line end
  return table.concat(lines, "\n") .. "\n"
end

return M
