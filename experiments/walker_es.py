#!/usr/bin/env python3
"""Learning to walk: a student on flat Stump Tracks (issue #5).

Runs one seeded ``ludus teach`` on ``walker/stump_tracks`` with every task parameter
pinned (stump_height 0, obstacle_spacing 6, body default; a flat track whose "stumps"
are 0.05..0.3 terrain steps high), reads the per-episode returns back from SQLite
(``teach_episode``) and the greedy evaluations of the current policy on 5 held-out
seeds (``teach_eval``), and prints the learning curve as a table (also written to
``OUT/walker-STUDENT-seedS.md``, default OUT = runs/).

    python3 experiments/walker_es.py                          # ppo, 250 episodes, seed 1
    python3 experiments/walker_es.py --student es:pop=32,sigma=0.05 --episodes 1280 --block 64

Reward: 130/30 = 4.33 per metre the hull moves forward, minus 5 per radian of hull
tilt and a small torque cost; a fall (hull touches the ground) ends the episode with
-100. An untrained policy falls (about -100). "Walks forward" here means: the mean
return of a block of training episodes is positive *and* the greedy policy's mean
evaluation return is positive, i.e. it makes net progress without falling. Metres are
estimated as return * 30/130 (exact up to the tilt and torque costs, for episodes
without a fall). Training is deterministic in --seed (same binary, same results).
"""

import argparse
import os
import sqlite3
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PINNED = ["--vary", "stump_height=0..0", "--vary", "obstacle_spacing=6..6", "--param", "body=default"]
METRES_PER_REWARD = 30 / 130


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ludus", default=os.path.join(ROOT, ".build-walk/release/ludus"))
    ap.add_argument("--student", default="ppo:seed=1")
    ap.add_argument("--episodes", type=int, default=250)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--block", type=int, default=25, help="episodes per row of the curve")
    ap.add_argument("--eval-every", type=int, default=25)
    ap.add_argument("--test-set", type=int, default=5)
    ap.add_argument("--out", default=os.path.join(ROOT, "runs"))
    args = ap.parse_args()

    os.makedirs(args.out, exist_ok=True)
    tag = f"walker-{args.student.replace(':', '_').replace(',', '_').replace('=', '')}-seed{args.seed}"
    db = os.path.join(args.out, tag + ".sqlite")
    if os.path.exists(db):
        os.remove(db)
    cmd = [args.ludus, "teach", "walker/stump_tracks", *PINNED, "--teacher", "random", "--student", args.student,
           "--episodes", str(args.episodes), "--seed", str(args.seed), "--test-set", str(args.test_set),
           "--eval-every", str(args.eval_every), "--db", db, "--quiet",
           # A step takes ~40 us; the default 1 s limit only trips when the shared machine
           # deschedules the process (seen with a parallel build). Limits never change results.
           "--time-limit", "10000"]
    env = dict(os.environ, LUDUS_PPO_PROFILE="1")
    start = time.monotonic()
    cpu0 = os.times()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.monotonic() - start
    cpu1 = os.times()
    cpu = (cpu1.children_user - cpu0.children_user) + (cpu1.children_system - cpu0.children_system)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        sys.exit(proc.returncode)

    con = sqlite3.connect(db)
    run = con.execute("SELECT max(id) FROM teach_run").fetchone()[0]
    episodes = con.execute("SELECT episode, return, length FROM teach_episode WHERE run_id = ? ORDER BY episode",
                           (run,)).fetchall()
    evals = dict(con.execute("SELECT episode, mean_return FROM teach_eval WHERE run_id = ?", (run,)).fetchall())
    steps = sum(length for _, _, length in episodes)

    lines = [f"# Learning to walk: `{args.student}` on flat Stump Tracks, seed {args.seed}", "",
             "```", " ".join(["ludus"] + cmd[1:]), "```", "",
             f"{len(episodes)} training episodes, {steps} training steps in {wall:.0f} s wall "
             f"({steps / wall:.0f} steps/s including learning and evaluations; {cpu:.0f} s CPU, "
             f"{steps / max(cpu, 1e-9):.0f} steps per CPU-second)", "",
             "| episodes | steps (cum.) | mean return | median | best | mean length | return > 0 | ~metres (mean) | greedy eval return |",
             "|---|---|---|---|---|---|---|---|---|"]
    cumulative = 0
    if 0 in evals:
        lines.append(f"| 0 | 0 | | | | | | | {evals[0]:.1f} |")
    for lo in range(0, len(episodes), args.block):
        block = episodes[lo:lo + args.block]
        returns = sorted(r for _, r, _ in block)
        cumulative += sum(length for _, _, length in block)
        mean = sum(returns) / len(returns)
        median = returns[len(returns) // 2]
        positive = sum(r > 0 for r in returns) / len(returns)
        last = block[-1][0]
        ev = evals.get(last)
        lines.append(f"| {block[0][0]}-{last} | {cumulative} | {mean:.1f} | {median:.1f} | {returns[-1]:.1f} | "
                     f"{sum(l for _, _, l in block) / len(block):.0f} | {positive:.0%} | "
                     f"{max(mean, 0) * METRES_PER_REWARD:.0f} | {'' if ev is None else f'{ev:.1f}'} |")
    walked = [lo for lo in range(0, len(episodes), args.block)
              if sum(r for _, r, _ in episodes[lo:lo + args.block]) > 0]
    lines += ["", "Criterion (walks forward): block mean return > 0 and greedy evaluation mean return > 0. "
              + (f"First block with a positive mean: episodes from {episodes[walked[0]][0]}; "
                 f"final greedy evaluation {evals.get(episodes[-1][0], float('nan')):.1f}."
                 if walked else "Not met in this budget.")]
    profile = [l for l in proc.stderr.splitlines() if "profile" in l]
    if profile:
        lines += ["", "Student time: " + "; ".join(profile)]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    with open(os.path.join(args.out, tag + ".md"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
