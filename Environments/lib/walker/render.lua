-- walker.render: a text summary and an SVG picture of the track and the walker.
-- Drawing reads the bodies' transforms and the shapes the script built; nothing
-- here changes the episode.

local svg = require "svg"
local bodies = require "walker.bodies"
local terrain = require "walker.terrain"
local lidar = require "walker.lidar"

local M = {}

local SCALE = bodies.SCALE
local VIEW_W, VIEW_H = 600, 400  -- pixels; the view is 20 m x 13.3 m, as Gymnasium's

-- A strip of the ground profile around the walker: `_` ground, `#` obstacle,
-- `W` the hull's column, one character per half metre.
local function profile(self, x0)
  local t = self.terrain
  local cells = {}
  for c = 0, 39 do
    local x = x0 + c * 0.5
    local ch = "_"
    for _, poly in ipairs(t.polys) do
      local lo, hi = math.huge, -math.huge
      for _, p in ipairs(poly) do lo = math.min(lo, p[1]); hi = math.max(hi, p[1]) end
      if x >= lo - 0.25 and x <= hi + 0.25 then ch = "#" end
    end
    if math.abs(x - self.x) < 0.25 then ch = "W" end
    cells[#cells + 1] = ch
  end
  return table.concat(cells)
end

function M.text(self)
  local obs = self.obs
  local lines = {
    string.format("step %d  x %.2f / %.1f  return %.2f%s", self.steps, self.x, terrain.FINISH_X, self.total,
      self.game_over and "  FELL" or ""),
    string.format("hull angle %+.3f  angular %+.3f  vx %+.3f  vy %+.3f", obs[1], obs[2], obs[3], obs[4]),
    string.format("leg 1: hip %+.2f knee %+.2f contact %d   leg 2: hip %+.2f knee %+.2f contact %d",
      obs[5], obs[7] - 1, obs[9], obs[10], obs[12] - 1, obs[14]),
  }
  local l = {}
  for i = 15, 24 do l[#l + 1] = string.format("%.2f", obs[i]) end
  lines[#lines + 1] = "lidar " .. table.concat(l, " ")
  lines[#lines + 1] = "[" .. profile(self, self.x - 4) .. "]"
  return table.concat(lines, "\n")
end

-- World metres to SVG pixels, with the view scrolled to keep the hull a fifth in.
local function view(self)
  local scroll = self.x - VIEW_W / SCALE / 5
  return function(x, y) return (x - scroll) * SCALE, VIEW_H - y * SCALE end, scroll
end

local function transformed(outline, x, y, angle, to_px)
  local c, s = math.cos(angle), math.sin(angle)
  local pts = {}
  for i, p in ipairs(outline) do
    local px, py = to_px(x + c * p[1] - s * p[2], y + s * p[1] + c * p[2])
    pts[i] = { px, py }
  end
  return pts
end

function M.svg(self)
  local to_px, scroll = view(self)
  local doc = svg.new(VIEW_W, VIEW_H, "#e6e6ff")
  local t = self.terrain
  for i = 1, #t.xs - 1 do
    local x1, x2 = t.xs[i], t.xs[i + 1]
    if x2 >= scroll and x1 <= scroll + VIEW_W / SCALE then
      local a, b = { to_px(x1, t.ys[i]) }, { to_px(x2, t.ys[i + 1]) }
      local c, d = { to_px(x2, 0) }, { to_px(x1, 0) }
      svg.polygon(doc, { a, b, c, d }, "#66994c")
      svg.line(doc, a[1], a[2], b[1], b[2], i % 2 == 0 and "#4cff4c" or "#4ccc4c", 2)
    end
  end
  for _, poly in ipairs(t.polys) do
    local pts = {}
    for i, p in ipairs(poly) do pts[i] = { to_px(p[1], p[2]) } end
    svg.polygon(doc, pts, "#ffffff", { stroke = "#999999", ["stroke-width"] = 2 })
  end
  -- Finish flag
  local fx1, fy1 = to_px(terrain.FINISH_X, terrain.HEIGHT)
  local _, fy2 = to_px(terrain.FINISH_X, terrain.HEIGHT + 50 / SCALE)
  svg.line(doc, fx1, fy1, fx1, fy2, "#000000", 2)
  svg.polygon(doc, { {fx1, fy2}, {fx1, fy2 + 10}, {fx1 + 25, fy2 + 5} }, "#e63300")
  -- Lidar
  local w = self.walker
  local hx, hy = w.hull:position()
  local ox, oy = to_px(hx, hy)
  for i = 1, lidar.COUNT do
    local f = self.obs[14 + i]
    local ex, ey = to_px(hx + lidar.DX[i] * f, hy + lidar.DY[i] * f)
    svg.line(doc, ox, oy, ex, ey, "#ff0000", 1)
  end
  -- Walker: legs behind, then the hull
  local outlines = bodies.outlines(w.kind)
  local colours = { "#b35a8c", "#b35a8c", "#804060", "#804060" }
  for k, order in ipairs{ 3, 4, 1, 2 } do
    local leg = w.legs[order]
    local x, y, angle = leg:state()
    svg.polygon(doc, transformed(outlines[order + 1], x, y, angle, to_px), colours[order],
      { stroke = "#4c3366", ["stroke-width"] = 1 })
  end
  local x, y, angle = w.hull:state()
  svg.polygon(doc, transformed(outlines[1], x, y, angle, to_px), "#7f33e5", { stroke = "#4c4c7f", ["stroke-width"] = 2 })
  svg.text(doc, 8, 18, string.format("%s  step %d  x %.1f m  return %.1f", self.id_text or "", self.steps, self.x, self.total),
    { fill = "#000000", ["font-size"] = 13, ["font-family"] = "monospace" })
  return svg.finish(doc)
end

return M
