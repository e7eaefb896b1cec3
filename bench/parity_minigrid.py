#!/usr/bin/env python3
"""Step-by-step parity of Ludus's gridworlds with Farama MiniGrid.

For each MiniGrid environment below: reset MiniGrid with seed 1, 2, ...,
write its generated level (grid, agent, mission, max_steps) in the
gridworld/ascii text format, play seeded random actions and record every
observation (image, direction, mission), reward, terminated and truncated,
until at least --steps steps; then replay the same levels and actions in
Ludus's `gridworld/ascii` and compare every step.

    python3 bench/parity_minigrid.py [--steps 10000] [--ludus PATH | --lua]

Ludus is run as `ludus replay gridworld/ascii --episodes FILE --trace OUT`;
with --lua (or when no ludus binary is found) the Lua environment runs in
the plain lua5.4 interpreter instead. Prints `ENV steps=N mismatches=M` per
environment and exits 1 if anything differs.

Needs: pip install "minigrid==3.*" gymnasium
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

ENVS = [
    "MiniGrid-Empty-8x8-v0",
    "MiniGrid-DoorKey-8x8-v0",
    "MiniGrid-FourRooms-v0",
    "MiniGrid-MultiRoom-N4-S5-v1",
    "MiniGrid-LavaCrossingS9N1-v0",
    "MiniGrid-Unlock-v0",
    "MiniGrid-KeyCorridorS3R3-v0",
    "MiniGrid-LavaGapS7-v0",
    "MiniGrid-SimpleCrossingS9N2-v0",
    "MiniGrid-BlockedUnlockPickup-v0",   # boxes, pickup target
    "MiniGrid-ObstructedMaze-1Dlhb-v0",  # key hidden in a box, blocking ball
]

COLOR_CHAR = {"red": "r", "green": "g", "blue": "b", "purple": "p", "yellow": "y", "grey": "e"}
ARROW = {0: ">", 1: "v", 2: "<", 3: "^"}
DIR_WORD = {0: "right", 1: "down", 2: "left", 3: "up"}
LETTER = {"floor": "F", "key": "K", "ball": "A", "box": "B", "goal": "G", "wall": "#"}


def cell_code(obj) -> str:
    """The two-character gridworld/ascii code of a MiniGrid object (None: empty)."""
    if obj is None:
        return ".."
    t, c = obj.type, COLOR_CHAR[obj.color]
    if t == "lava":
        return "~~"
    if t == "wall" and obj.color == "grey":
        return "##"
    if t == "goal" and obj.color == "green":
        return "GG"
    if t == "door":
        return ("d" if obj.is_open else "L" if obj.is_locked else "D") + c
    return LETTER[t] + c


def chain(obj) -> str:
    words = []
    while obj is not None:
        words.append(cell_code(obj))
        obj = obj.contains if obj.type == "box" else None
    return " ".join(words)


def layout(env) -> str:
    """MiniGrid's current level in the gridworld/ascii format (docs/gridworld.md)."""
    grid = env.grid
    ax, ay = (int(v) for v in env.agent_pos)
    lines, extra, drawn = [], [], False
    for y in range(grid.height):
        row = []
        for x in range(grid.width):
            obj = grid.get(x, y)
            if (x, y) == (ax, ay) and obj is None:
                row.append(ARROW[env.agent_dir] * 2)
                drawn = True
            else:
                row.append(cell_code(obj))
        lines.append("".join(row))
    if not drawn:
        extra.append(f"agent {ax} {ay} {DIR_WORD[env.agent_dir]}")
    if env.carrying is not None:
        extra.append("carrying " + chain(env.carrying))
    for y in range(grid.height):
        for x in range(grid.width):
            obj = grid.get(x, y)
            if obj is not None and obj.type == "box" and obj.contains is not None:
                extra.append(f"box {x} {y} {chain(obj.contains)}")
    return "\n".join(lines + extra) + "\n"


def level_params(env) -> dict:
    from minigrid.envs import BlockedUnlockPickupEnv, KeyCorridorEnv, ObstructedMazeEnv, UnlockEnv

    params = {
        "layout": layout(env),
        "max_steps": int(env.max_steps),
        "mission": env.mission,
        "see_through_walls": "yes" if env.see_through_walls else "no",
    }
    if isinstance(env, UnlockEnv):
        params["task"] = "open_door"
    elif isinstance(env, (KeyCorridorEnv, BlockedUnlockPickupEnv, ObstructedMazeEnv)):
        params["task"] = "pickup"
        params["target"] = cell_code(env.obj)
    return params


def record(env_id: str, min_steps: int, action_seed: int):
    """Episodes of env_id with seeds 1, 2, ... and seeded random actions."""
    import gymnasium as gym
    import minigrid  # noqa: F401  (registers the environments)

    env = gym.make(env_id)
    rng = random.Random(action_seed)
    episodes, total, seed = [], 0, 0
    snapshots = []  # levels mid-episode (carrying, open doors, ...) for the round-trip check
    while total < min_steps:
        seed += 1
        obs, _ = env.reset(seed=seed)
        raw = env.unwrapped
        ep = {"seed": seed, "params": level_params(raw), "actions": [],
              "steps": [(obs["image"].tolist(), int(obs["direction"]), obs["mission"], 0.0, False, False)]}
        while True:
            a = rng.randrange(7)
            obs, reward, terminated, truncated, _ = env.step(a)
            ep["actions"].append(a)
            if len(ep["actions"]) % 7 == 0 or terminated or truncated:
                snapshots.append(layout(raw))
            ep["steps"].append((obs["image"].tolist(), int(obs["direction"]), obs["mission"],
                                float(reward), bool(terminated), bool(truncated)))
            total += 1
            if terminated or truncated:
                break
        episodes.append(ep)
    env.close()
    return episodes, total, snapshots


# --------------------------------------------------------------------------
# Running Ludus
# --------------------------------------------------------------------------

def find_ludus(explicit: str | None) -> str | None:
    if explicit:
        return explicit
    for rel in (".build/release/ludus", ".build-grid/release/ludus", ".build/debug/ludus"):
        path = os.path.join(ROOT, rel)
        if os.access(path, os.X_OK):
            return path
    return shutil.which("ludus")


def run_ludus(ludus: str, episodes, workdir: str):
    """Replays with `ludus replay`; returns per episode a list of step tuples."""
    ep_file = os.path.join(workdir, "episodes.jsonl")
    trace = os.path.join(workdir, "trace.jsonl")
    with open(ep_file, "w") as f:
        for ep in episodes:
            f.write(json.dumps({"seed": ep["seed"], "params": ep["params"], "actions": ep["actions"]}) + "\n")
    subprocess.run([ludus, "replay", "gridworld/ascii", "--episodes", ep_file, "--trace", trace],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    result, order = {}, []
    with open(trace) as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            key = rec["episode"]
            if key not in result:
                result[key] = []
                order.append(key)
            o = rec["observation"]
            result[key].append((o["image"], int(o["direction"]), o["mission"],
                                float(rec.get("reward", 0.0)), bool(rec.get("terminated", False)),
                                bool(rec.get("truncated", False))))
    return [result[k] for k in order]


LUA_DRIVER = r"""
-- Plays episodes of gridworld/ascii in plain lua5.4 (host globals emulated).
local lib, env_file, ep_file = arg[1], arg[2], arg[3]
space = {}
for _, k in ipairs{"discrete","box","multi_discrete","multi_binary","text","dict","tuple"} do
  space[k] = function(...) return { kind = k, ... } end
end
local loaded = {}
function require(name)
  name = name:gsub("^lib%.", "")
  if loaded[name] then return loaded[name] end
  local chunk = assert(loadfile(lib .. "/" .. name:gsub("%.", "/") .. ".lua", "t"))
  local r = chunk(name); if r == nil then r = true end
  loaded[name] = r
  return r
end
local E = assert(loadfile(env_file, "t"))()
local function unhex(s) if s == "-" then return "" end return (s:gsub("..", function(h) return string.char(tonumber(h, 16)) end)) end
local out = {}
local function emit(ep, obs, r, term, trunc)
  local parts = { "S", ep, obs.direction, string.format("%.17g", r), term and 1 or 0, trunc and 1 or 0 }
  for i = 1, 7 do for j = 1, 7 do for c = 1, 3 do parts[#parts + 1] = obs.image[i][j][c] end end end
  out[#out + 1] = table.concat(parts, " ")
  out[#out + 1] = "M " .. obs.mission
end
local ep = 0
for line in io.lines(ep_file) do
  ep = ep + 1
  local f = {}
  for w in line:gmatch("%S+") do f[#f + 1] = w end
  local params = { layout = unhex(f[1]), max_steps = math.tointeger(tonumber(f[2])), mission = unhex(f[3]),
                   see_through_walls = f[4], task = f[5], target = unhex(f[6]) }
  local self = setmetatable({ rng = {} }, { __index = E })
  local obs = E.reset(self, params)
  emit(ep, obs, 0, false, false)
  for k = 7, #f do
    local o, r, term, trunc = E.step(self, math.tointeger(tonumber(f[k])))
    emit(ep, o, r, term, trunc)
    if term or trunc then break end
  end
end
io.write(table.concat(out, "\n"), "\n")
"""


def run_lua(episodes, workdir: str):
    driver = os.path.join(workdir, "driver.lua")
    with open(driver, "w") as f:
        f.write(LUA_DRIVER)
    ep_file = os.path.join(workdir, "episodes.txt")
    hx = lambda text: text.encode().hex() or "-"
    with open(ep_file, "w") as f:
        for ep in episodes:
            p = ep["params"]
            fields = [hx(p["layout"]), str(p["max_steps"]), hx(p["mission"]), p["see_through_walls"],
                      p.get("task", "goal"), hx(p.get("target", ""))]
            f.write(" ".join(fields + [str(a) for a in ep["actions"]]) + "\n")
    out = subprocess.run(["lua5.4", driver, os.path.join(ROOT, "Environments/lib"),
                          os.path.join(ROOT, "Environments/gridworld/ascii.lua"), ep_file],
                         check=True, capture_output=True, text=True).stdout
    result = {}
    lines = out.split("\n")
    k = 0
    while k + 1 < len(lines) and lines[k].startswith("S "):
        w = lines[k].split(" ")
        ep = int(w[1])
        flat = [int(v) for v in w[6:]]
        image = [[[flat[(i * 7 + j) * 3 + c] for c in range(3)] for j in range(7)] for i in range(7)]
        mission = lines[k + 1][2:]
        result.setdefault(ep, []).append((image, int(w[2]), mission, float(w[3]), w[4] == "1", w[5] == "1"))
        k += 2
    return [result[e] for e in sorted(result)]


ROUNDTRIP_DRIVER = r"""
-- For each hex-encoded layout: parse it, write it back, print the result in hex.
local lib, file = arg[1], arg[2]
space = setmetatable({}, { __index = function() return function() return {} end end })
local loaded = {}
function require(name)
  name = name:gsub("^lib%.", "")
  if loaded[name] then return loaded[name] end
  local r = assert(loadfile(lib .. "/" .. name:gsub("%.", "/") .. ".lua", "t"))(name)
  loaded[name] = r
  return r
end
local ascii = require "minigrid.ascii"
for line in io.lines(file) do
  local text = line:gsub("..", function(h) return string.char(tonumber(h, 16)) end)
  local self = {}
  local ok, err = pcall(ascii.parse, self, text)
  local out = ok and ascii.serialise(self) or ("ERROR " .. tostring(err))
  io.write((out:gsub(".", function(c) return string.format("%02x", c:byte()) end)), "\n")
end
"""


def roundtrip(texts, workdir: str) -> tuple[int, list[str]]:
    """Layouts written by MiniGrid's state must parse and serialise back unchanged in Lua."""
    if not texts or shutil.which("lua5.4") is None:
        return 0, []
    driver = os.path.join(workdir, "roundtrip.lua")
    with open(driver, "w") as f:
        f.write(ROUNDTRIP_DRIVER)
    data = os.path.join(workdir, "layouts.txt")
    with open(data, "w") as f:
        for t in texts:
            f.write(t.encode().hex() + "\n")
    out = subprocess.run(["lua5.4", driver, os.path.join(ROOT, "Environments/lib"), data],
                         check=True, capture_output=True, text=True).stdout.split("\n")
    bad, notes = 0, []
    for t, h in zip(texts, out):
        back = bytes.fromhex(h).decode()
        if back != t:
            bad += 1
            if len(notes) < 3:
                notes.append("layout round trip differs:\n" + t + "--- became ---\n" + back)
    return bad, notes


def compare(expected, got) -> tuple[int, list[str]]:
    mismatches, notes = 0, []
    for e_idx, (ep, steps) in enumerate(zip(expected, got)):
        want = ep["steps"]
        if len(steps) != len(want):
            mismatches += abs(len(steps) - len(want))
            notes.append(f"episode seed={ep['seed']}: {len(steps)} steps in Ludus, {len(want)} in MiniGrid")
        for t, (w, g) in enumerate(zip(want, steps)):
            bad = []
            if w[0] != g[0]:
                bad.append("image")
            if w[1] != g[1]:
                bad.append(f"direction {g[1]} != {w[1]}")
            if w[2] != g[2]:
                bad.append("mission")
            if abs(w[3] - g[3]) > 1e-9:
                bad.append(f"reward {g[3]} != {w[3]}")
            if w[4] != g[4]:
                bad.append(f"terminated {g[4]} != {w[4]}")
            if w[5] != g[5]:
                bad.append(f"truncated {g[5]} != {w[5]}")
            if bad:
                mismatches += 1
                if len(notes) < 5:
                    act = ep["actions"][t - 1] if t > 0 else None
                    notes.append(f"seed={ep['seed']} step={t} action={act}: " + ", ".join(bad))
    if len(got) != len(expected):
        notes.append(f"{len(got)} episodes in Ludus, {len(expected)} in MiniGrid")
        mismatches += abs(len(got) - len(expected))
    return mismatches, notes


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=10000, help="minimum steps per environment")
    ap.add_argument("--ludus", help="path of the ludus binary (default: .build/release/ludus, then PATH)")
    ap.add_argument("--lua", action="store_true", help="run the Lua environment in plain lua5.4, not ludus")
    ap.add_argument("--env", action="append", help="only these MiniGrid ids (repeatable)")
    ap.add_argument("--seed", type=int, default=12345, help="seed of the random actions")
    ap.add_argument("--keep", help="keep the episode and trace files in this folder")
    args = ap.parse_args()

    try:
        import minigrid  # noqa: F401
    except ImportError:
        print('parity: needs MiniGrid: pip install "minigrid==3.*" gymnasium', file=sys.stderr)
        return 2

    ludus = None if args.lua else find_ludus(args.ludus)
    if ludus is None and not args.lua:
        print("parity: no ludus binary found, using lua5.4", file=sys.stderr)
    envs = args.env or ENVS
    failed = False
    for n, env_id in enumerate(envs):
        episodes, total, snapshots = record(env_id, args.steps, args.seed + n)
        workdir = args.keep or tempfile.mkdtemp(prefix="parity-")
        if args.keep:
            workdir = os.path.join(args.keep, env_id)
            os.makedirs(workdir, exist_ok=True)
        try:
            got = run_ludus(ludus, episodes, workdir) if ludus else run_lua(episodes, workdir)
            rt_bad, rt_notes = roundtrip(snapshots, workdir)
        finally:
            if not args.keep:
                shutil.rmtree(workdir, ignore_errors=True)
        mismatches, notes = compare(episodes, got)
        print(f"{env_id} steps={total} episodes={len(episodes)} mismatches={mismatches}"
              f" layouts={len(snapshots)} layout_mismatches={rt_bad}", flush=True)
        for note in notes + rt_notes:
            print("  " + note)
        failed = failed or mismatches > 0 or rt_bad > 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
