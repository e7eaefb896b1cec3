-- minigrid.render: the whole grid as ANSI terminal text or as an SVG document.

local core = require "minigrid.core"
local svg = require "svg"

local M = {}

local ANSI_FG = { [0] = "31", "32", "34", "35", "33", "90" }  -- red green blue purple yellow grey
local RESET = "\27[0m"
local ARROW = { [0] = ">", "v", "<", "^" }
local OBJ_LETTER = { [5] = "K", [6] = "o", [7] = "B" }

-- RGB as MiniGrid draws them.
local RGB = {
  [0] = { 255, 0, 0 }, { 0, 255, 0 }, { 0, 0, 255 }, { 112, 39, 195 }, { 255, 255, 0 }, { 100, 100, 100 },
}

local function fg(c) return "\27[" .. ANSI_FG[c] .. "m" end

local function describe(t, c, s)
  if t == 0 then return "nothing" end
  local name = core.IDX_TO_OBJECT[t]
  if t == 4 then name = ({ [0] = "open", "closed", "locked" })[s] .. " door" end
  return core.IDX_TO_COLOR[c] .. " " .. name
end
M.describe = describe

-- Two terminal columns for one cell.
local function cell_text(t, c, s)
  if t == 1 then return "\27[2m .\27[0m" end
  if t == 2 then return fg(c) .. "\226\150\136\226\150\136" .. RESET end          -- full blocks
  if t == 3 then return fg(c) .. "\226\150\145\226\150\145" .. RESET end          -- light shade
  if t == 4 then
    local letter = s == 0 and "_" or (s == 1 and "D" or "L")
    return "\27[1;" .. ANSI_FG[c] .. "m" .. letter .. letter .. RESET
  end
  if t == 8 then return "\27[42m  " .. RESET end
  if t == 9 then return "\27[38;5;208m~~" .. RESET end
  local letter = OBJ_LETTER[t] or "?"
  return "\27[1;" .. ANSI_FG[c] .. "m" .. letter .. " " .. RESET
end

function M.text(self)
  local W, H = self.width, self.height
  local gt, gc, gs = self.gt, self.gc, self.gs
  local lines = {}
  for y = 0, H - 1 do
    local row = {}
    for x = 0, W - 1 do
      local i = y * W + x + 1
      if x == self.agent_x and y == self.agent_y then
        local a = ARROW[self.agent_dir]
        local under = gt[i] == 1 and "" or (gt[i] == 8 and "\27[42m" or (gt[i] == 9 and "\27[41m" or "\27[47m"))
        row[#row + 1] = under .. "\27[1;91m" .. a .. a .. RESET
      else
        row[#row + 1] = cell_text(gt[i], gc[i], gs[i])
      end
    end
    lines[#lines + 1] = table.concat(row)
  end
  lines[#lines + 1] = string.format("step %d/%d  facing %s  carrying %s",
    self.step_count or 0, self.max_steps_ep or 0, core.DIR_NAMES[self.agent_dir],
    describe(self.carry_t, self.carry_c, self.carry_s))
  lines[#lines + 1] = "mission: " .. tostring(self.mission or "")
  return table.concat(lines, "\n")
end

---------------------------------------------------------------------------
-- SVG (MiniGrid's tile drawings, 32 px per cell)
---------------------------------------------------------------------------

local TILE = 32

local function col(c, scale)
  local rgb = RGB[c]
  scale = scale or 1
  return svg.rgb(rgb[1] * scale, rgb[2] * scale, rgb[3] * scale)
end

-- Draws an object in the tile whose top-left corner is (px, py); coordinates
-- in the tile run 0..1 as in MiniGrid's fill_coords.
local function draw_object(doc, px, py, t, c, s)
  local function R(x0, x1, y0, y1, fill)
    svg.rect(doc, px + x0 * TILE, py + y0 * TILE, (x1 - x0) * TILE, (y1 - y0) * TILE, fill)
  end
  local function C(cx, cy, r, fill) svg.circle(doc, px + cx * TILE, py + cy * TILE, r * TILE, fill) end
  if t == 2 then
    R(0, 1, 0, 1, col(c))
  elseif t == 3 then
    R(0.031, 1, 0.031, 1, col(c, 0.5))
  elseif t == 8 then
    R(0, 1, 0, 1, col(c))
  elseif t == 9 then
    R(0, 1, 0, 1, "#ff8000")
    for k = 0, 2 do
      local ylo, yhi = 0.3 + 0.2 * k, 0.4 + 0.2 * k
      local pts = {}
      for n, p in ipairs({ { 0.1, ylo }, { 0.3, yhi }, { 0.5, ylo }, { 0.7, yhi }, { 0.9, ylo } }) do
        pts[n] = { px + p[1] * TILE, py + p[2] * TILE }
      end
      svg.polyline(doc, pts, "#000000", 0.06 * TILE)
    end
  elseif t == 4 then
    if s == 0 then
      R(0.88, 1, 0, 1, col(c))
      R(0.92, 0.96, 0.04, 0.96, "#000000")
    elseif s == 2 then
      R(0, 1, 0, 1, col(c))
      R(0.06, 0.94, 0.06, 0.94, col(c, 0.45))
      R(0.52, 0.75, 0.50, 0.56, col(c))
    else
      R(0, 1, 0, 1, col(c))
      R(0.04, 0.96, 0.04, 0.96, "#000000")
      R(0.08, 0.92, 0.08, 0.92, col(c))
      R(0.12, 0.88, 0.12, 0.88, "#000000")
      C(0.75, 0.5, 0.08, col(c))
    end
  elseif t == 5 then
    R(0.50, 0.63, 0.31, 0.88, col(c))
    R(0.38, 0.50, 0.59, 0.66, col(c))
    R(0.38, 0.50, 0.81, 0.88, col(c))
    C(0.56, 0.28, 0.190, col(c))
    C(0.56, 0.28, 0.064, "#000000")
  elseif t == 6 then
    C(0.5, 0.5, 0.31, col(c))
  elseif t == 7 then
    R(0.12, 0.88, 0.12, 0.88, col(c))
    R(0.18, 0.82, 0.18, 0.82, "#000000")
    R(0.16, 0.84, 0.47, 0.53, col(c))
  end
end

-- The agent: MiniGrid's red triangle, rotated to its direction.
local function draw_agent(doc, px, py, dir)
  local pts = { { 0.12, 0.19 }, { 0.87, 0.50 }, { 0.12, 0.81 } }
  local out = {}
  local angle = 0.5 * math.pi * dir
  local ca, sa = math.cos(angle), math.sin(angle)
  for n, p in ipairs(pts) do
    local x, y = p[1] - 0.5, p[2] - 0.5
    out[n] = { px + (0.5 + x * ca - y * sa) * TILE, py + (0.5 + x * sa + y * ca) * TILE }
  end
  svg.polygon(doc, out, "#ff0000")
end

function M.svg(self)
  local W, H = self.width, self.height
  local gt, gc, gs = self.gt, self.gc, self.gs
  local footer = 40
  local doc = svg.new(W * TILE, H * TILE + footer, "#000000")
  -- the cells the agent can see (highlighted as MiniGrid does)
  local seen = {}
  if self.view_mask ~= nil and self.agent_x >= 0 then
    local dir = self.agent_dir
    local fx, fy = core.DX[dir], core.DY[dir]
    local rx, ry = -fy, fx
    for vy = 0, core.VIEW - 1 do
      for vx = 0, core.VIEW - 1 do
        if self.view_mask[vy * core.VIEW + vx + 1] then
          local x = self.agent_x + fx * (core.VIEW - 1 - vy) + rx * (vx - core.VIEW // 2)
          local y = self.agent_y + fy * (core.VIEW - 1 - vy) + ry * (vx - core.VIEW // 2)
          if x >= 0 and y >= 0 and x < W and y < H then seen[y * W + x + 1] = true end
        end
      end
    end
  end
  for y = 0, H - 1 do
    for x = 0, W - 1 do
      local i = y * W + x + 1
      local px, py = x * TILE, y * TILE
      draw_object(doc, px, py, gt[i], gc[i], gs[i])
      if seen[i] then svg.rect(doc, px, py, TILE, TILE, "#ffffff", { ["fill-opacity"] = 0.3 }) end
      svg.rect(doc, px, py, TILE, TILE, "none", { stroke = "#646464", ["stroke-width"] = 1 })
      if x == self.agent_x and y == self.agent_y then draw_agent(doc, px, py, self.agent_dir) end
    end
  end
  local caption = tostring(self.mission or "")
  if self.carry_t ~= nil and self.carry_t ~= 0 then
    caption = caption .. "  (carrying " .. describe(self.carry_t, self.carry_c, self.carry_s) .. ")"
  end
  local font = math.max(6, math.min(14, (W * TILE - 12) / (0.55 * math.max(#caption, 1))))
  svg.text(doc, 6, H * TILE + 26, caption,
    { fill = "#ffffff", ["font-family"] = "sans-serif", ["font-size"] = math.floor(font * 10) / 10 })
  return svg.finish(doc)
end

return M
