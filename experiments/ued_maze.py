#!/usr/bin/env python3
"""Unsupervised environment design on gridworld/maze: DR vs robust PLR vs ACCEL.

Each teacher trains the same student (``--student``, the MLP PPO by default) for the
same number of *environment steps* (``ludus teach --steps B``: every training episode
counts, learned from or only evaluated, as in jaxued) on generated mazes
(``--maze-args``), then is scored zero-shot on the held-out mazes of the PLR/ACCEL
papers (``gridworld/maze``'s level set ``heldout``: SixteenRooms, SixteenRooms2,
Labyrinth, LabyrinthFlipped, Labyrinth2, StandardMaze, StandardMaze2, StandardMaze3,
and a LargeCorridor-style corridor; 250 steps each as in jaxued's evaluation).

- ``random`` is domain randomisation (DR): parameters uniform over the space.
- ``plr`` is robust PLR over stored levels (jaxued LevelSampler semantics; MaxMC scores).
- ``accel`` is robust PLR plus 5-edit mutations of every replayed level.

Per run: ``ludus teach`` with ``--test-levels heldout --test-set 9*A`` (A attempts per
maze, the student sampling its actions) gives the held-out solve rate; then the saved
student plays each maze A more times with ``ludus run --level`` (per-maze rates) and
``--in-dist`` generated levels (the training distribution). Mean and 95% interval
(Student t over seeds) per teacher. Writes OUT/ued-maze.md and OUT/ued-maze.json.

    python3 experiments/ued_maze.py [--ludus .build/release/ludus] [--seeds 5] \\
        [--steps 300000] [--jobs 2] [--out experiments/results] [--quick]
"""

import argparse
import concurrent.futures
import glob
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from curriculum import mean_ci  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HELDOUT = os.path.join(ROOT, "Environments/gridworld/maze.levels/heldout")


def successes(ludus, args):
    """Runs `ludus run` and returns the success flags of its episodes."""
    proc = subprocess.run([ludus, "run", "gridworld/maze", "--time-limit", "20000"] + args, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"ludus run {' '.join(args)} failed: {proc.stderr.strip()[-400:]}")
    return [("outcome=success" in line) for line in proc.stdout.splitlines() if line.startswith("episode ")]


def run_one(job):
    out = job["dir"]
    os.makedirs(out, exist_ok=True)
    db = os.path.join(out, "teach.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    mazes = sorted(glob.glob(os.path.join(HELDOUT, "*.json")))
    cmd = [job["ludus"], "teach", "gridworld/maze", "--teacher", job["teacher"], "--student", job["student"],
           "--episodes", "10000000", "--steps", str(job["steps"]), "--seed", str(job["seed"]),
           "--test-levels", "heldout", "--test-set", str(len(mazes) * job["attempts"]),
           "--eval-every", "10000000", "--checkpoint-every", "1000", "--db", db, "--out", out, "--quiet",
           "--time-limit", "20000"] + job["maze_args"].split()
    start = time.time()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.time() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    con = sqlite3.connect(db)
    try:
        run_id = con.execute("SELECT max(id) FROM teach_run").fetchone()[0]
        final = con.execute("SELECT episode, mastered FROM teach_eval WHERE run_id = ? ORDER BY episode DESC LIMIT 1",
                            (run_id,)).fetchone()
        episodes, learned, steps, train_success = con.execute(
            "SELECT count(*), sum(learned), sum(length), avg(success) FROM teach_episode WHERE run_id = ?", (run_id,)).fetchone()
        kinds = dict(con.execute("SELECT kind, count(*) FROM teach_decision WHERE run_id = ? GROUP BY kind", (run_id,)).fetchall())
        buffer = con.execute("SELECT buffer_size FROM teach_decision WHERE run_id = ? ORDER BY episode DESC LIMIT 1",
                             (run_id,)).fetchone()
    finally:
        con.close()
    student = glob.glob(os.path.join(out, "student-*.ppo"))[0]
    per_maze = {}
    for index, path in enumerate(mazes):
        flags = successes(job["ludus"], ["--level", path, "--agent", f"ppo:{student}", "--episodes", str(job["attempts"]),
                                         "--seed", str(10_000 * job["seed"] + index)])
        per_maze[os.path.basename(path)[:-5]] = 100 * sum(flags) / len(flags)
    in_dist = successes(job["ludus"], job["maze_args_run"].split() + ["--agent", f"ppo:{student}", "--episodes", str(job["in_dist"]),
                                                                     "--seed", str(20_000 + job["seed"])])
    return dict(job, heldout=100 * final[1], per_maze=per_maze, in_dist=100 * sum(in_dist) / max(1, len(in_dist)),
                episodes=episodes, learned=learned or 0, steps=steps, train_success=100 * (train_success or 0),
                kinds=kinds, buffer=buffer[0] if buffer else 0, seconds=seconds)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--ludus", default=os.path.join(ROOT, ".build/release/ludus"))
    p.add_argument("--student", default="ppo:eval=sample")
    p.add_argument("--teachers", default="random,plr,accel")
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--steps", type=int, default=300_000, help="environment steps of training per run")
    p.add_argument("--attempts", type=int, default=10, help="attempts per held-out maze")
    p.add_argument("--in-dist", type=int, default=50, help="generated levels the final student plays")
    p.add_argument("--maze-args", default="--vary size=5..15 --vary block_density=0..0.5")
    p.add_argument("--in-dist-args", default="--param size=15 --param block_density=0.25",
                   help="`ludus run` params of the in-distribution check")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--out", default=os.path.join(ROOT, "experiments/results"))
    p.add_argument("--name", default="ued-maze", help="output files OUT/NAME.md and OUT/NAME.json")
    p.add_argument("--quick", action="store_true", help="a smoke run: 2 seeds, 20000 steps")
    args = p.parse_args()
    if args.quick:
        args.seeds, args.steps, args.attempts, args.in_dist = 2, 20_000, 2, 10
    runs = os.path.join(args.out, "runs", args.name)
    teachers = args.teachers.split(",")
    jobs = [dict(ludus=args.ludus, teacher=t.replace(";", ","), group=t, seed=s, student=args.student, steps=args.steps,
                 attempts=args.attempts, in_dist=args.in_dist, maze_args=args.maze_args, maze_args_run=args.in_dist_args,
                 dir=os.path.join(runs, f"{re.sub('[^A-Za-z0-9]+', '_', t)}-{s}"))
            for s in range(1, args.seeds + 1) for t in teachers]
    start = time.time()
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for result in pool.map(run_one, jobs):
            results.append(result)
            print(f"{result['group']} seed {result['seed']}: held-out {result['heldout']:.1f}% in-dist {result['in_dist']:.0f}% "
                  f"({result['steps']} steps, {result['episodes']} episodes, {result['seconds']:.0f} s)", flush=True)
    wall = time.time() - start
    mazes = sorted(results[0]["per_maze"])
    lines = [f"## DR vs robust PLR vs ACCEL on gridworld/maze ({time.strftime('%Y-%m-%d')}, student `{args.student}`, "
             f"{wall:.0f} s wall clock, {args.jobs} parallel runs)", "",
             f"{args.steps} environment steps of training per run (every training episode counts, learned from or not); "
             f"task space `{args.maze_args}`. Held-out: the 9 mazes of `gridworld/maze.levels/heldout`, "
             f"{args.attempts} attempts each, the student sampling its actions, 250 steps per attempt. "
             f"In-dist: {args.in_dist} generated levels `{args.in_dist_args}`. Mean ± 95% CI over seeds.", "",
             "| teacher | seeds | held-out solved % (teach eval) | per seed | per-maze re-run % (mean over seeds) | in-dist solved % | "
             "train success % | episodes | learning episodes | replays / mutations | buffer | s/run |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    summary = {}
    for name in teachers:
        rows = sorted((r for r in results if r["group"] == name), key=lambda r: r["seed"])
        if not rows:
            continue
        m, ci = mean_ci([r["heldout"] for r in rows])
        dm, dci = mean_ci([r["in_dist"] for r in rows])
        maze_means = {z: statistics.mean(r["per_maze"][z] for r in rows) for z in mazes}
        summary[name] = {"heldout_mean": m, "heldout_ci95": ci, "heldout_seeds": [r["heldout"] for r in rows],
                         "in_dist_mean": dm, "in_dist_ci95": dci, "per_maze": maze_means}
        per_maze = ", ".join(f"{z} {v:.0f}" for z, v in maze_means.items())
        per_seed = ", ".join("%.0f" % r["heldout"] for r in rows)
        lines.append(f"| {name} | {len(rows)} | {m:.1f} ± {ci:.1f} | {per_seed} | {per_maze} | "
                     f"{dm:.1f} ± {dci:.1f} | {statistics.mean(r['train_success'] for r in rows):.1f} | "
                     f"{statistics.mean(r['episodes'] for r in rows):.0f} | {statistics.mean(r['learned'] for r in rows):.0f} | "
                     f"{statistics.mean(r['kinds'].get('replay', 0) for r in rows):.0f} / "
                     f"{statistics.mean(r['kinds'].get('mutation', 0) for r in rows):.0f} | "
                     f"{statistics.mean(r['buffer'] for r in rows):.0f} | {statistics.mean(r['seconds'] for r in rows):.0f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    name = args.name + ("-quick" if args.quick else "")
    with open(os.path.join(args.out, name + ".md"), "w") as f:
        f.write(text)
    with open(os.path.join(args.out, name + ".json"), "w") as f:
        json.dump({"summary": summary, "runs": [{k: v for k, v in r.items() if k != "ludus"} for r in results],
                   "wall_seconds": wall}, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
