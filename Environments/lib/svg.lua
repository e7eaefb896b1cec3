-- svg: build small SVG documents as strings (for E.render_image).
--
--   local svg = require "svg"
--   local doc = svg.new(64, 32, "#000")
--   svg.rect(doc, 0, 0, 32, 32, "#646464")
--   svg.circle(doc, 48, 16, 10, svg.rgb(0, 0, 255))
--   svg.polygon(doc, { {40, 4}, {60, 16}, {40, 28} }, "red")
--   svg.text(doc, 2, 30, "hi", { fill = "white", ["font-size"] = 10 })
--   return svg.finish(doc)
--
-- A document is a plain table; nothing here keeps state between calls.

local S = {}

local function num(v)
  if math.type(v) == "integer" then return tostring(v) end
  local s = string.format("%.2f", v)
  s = s:gsub("0+$", ""):gsub("%.$", "")
  if s == "-0" then s = "0" end
  return s
end
S.num = num

function S.escape(text)
  return (tostring(text):gsub("[&<>\"]", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;" }))
end

function S.rgb(r, g, b)
  return string.format("#%02x%02x%02x", math.floor(r + 0.5), math.floor(g + 0.5), math.floor(b + 0.5))
end

-- Extra attributes {name = value}, written in sorted order (stable output).
local function attrs(extra)
  if extra == nil then return "" end
  local names = {}
  for name in pairs(extra) do names[#names + 1] = name end
  table.sort(names)
  local out = {}
  for _, name in ipairs(names) do
    local v = extra[name]
    if type(v) == "number" then v = num(v) end
    out[#out + 1] = string.format(' %s="%s"', name, S.escape(v))
  end
  return table.concat(out)
end

function S.new(width, height, background)
  local doc = { parts = {}, width = width, height = height }
  doc.parts[1] = string.format(
    '<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s">',
    num(width), num(height), num(width), num(height))
  if background then S.rect(doc, 0, 0, width, height, background) end
  return doc
end

function S.add(doc, element) doc.parts[#doc.parts + 1] = element end

function S.rect(doc, x, y, w, h, fill, extra)
  S.add(doc, string.format('<rect x="%s" y="%s" width="%s" height="%s" fill="%s"%s/>',
    num(x), num(y), num(w), num(h), fill, attrs(extra)))
end

function S.circle(doc, cx, cy, r, fill, extra)
  S.add(doc, string.format('<circle cx="%s" cy="%s" r="%s" fill="%s"%s/>',
    num(cx), num(cy), num(r), fill, attrs(extra)))
end

function S.line(doc, x1, y1, x2, y2, stroke, width, extra)
  S.add(doc, string.format('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="%s"%s/>',
    num(x1), num(y1), num(x2), num(y2), stroke, num(width or 1), attrs(extra)))
end

function S.polyline(doc, points, stroke, width, extra)
  local p = {}
  for i, pt in ipairs(points) do p[i] = num(pt[1]) .. "," .. num(pt[2]) end
  S.add(doc, string.format('<polyline points="%s" fill="none" stroke="%s" stroke-width="%s"%s/>',
    table.concat(p, " "), stroke, num(width or 1), attrs(extra)))
end

function S.polygon(doc, points, fill, extra)
  local p = {}
  for i, pt in ipairs(points) do p[i] = num(pt[1]) .. "," .. num(pt[2]) end
  S.add(doc, string.format('<polygon points="%s" fill="%s"%s/>', table.concat(p, " "), fill, attrs(extra)))
end

function S.text(doc, x, y, text, extra)
  S.add(doc, string.format('<text x="%s" y="%s"%s>%s</text>', num(x), num(y), attrs(extra), S.escape(text)))
end

function S.finish(doc)
  return table.concat(doc.parts, "\n") .. "\n</svg>\n"
end

return S
