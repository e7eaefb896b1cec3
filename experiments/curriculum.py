#!/usr/bin/env python3
"""Does the curriculum help? Teachers compared at equal episode budgets.

1. gridworld/maze: teachers random, alp-gmm, plr, target (``--teachers``), each over
   ``--seeds`` seeds (>= 5) with the same student, episode budget, held-out test set
   and evaluation schedule. Reports % of held-out test tasks mastered at the end of
   training: mean and a 95% confidence interval (Student t over seeds).
2. countdown: SEC against a random curriculum over the training levels
   numbers = 3, 4, 5, scored on the held-out 6-number level
   (``--vary numbers=3..5 --test-param numbers=6``).

Every run is one ``ludus teach`` process with its own SQLite file under
``OUT/runs/``; results are read back from the ``teach_eval`` table. Prints a markdown
table and writes it to ``OUT/curriculum.md`` (plus ``OUT/curriculum.json``).

    python3 experiments/curriculum.py [--ludus .build/release/ludus] [--student q] \\
        [--seeds 5] [--episodes 3000] [--jobs 2] [--out experiments/results] [--quick]

``--quick`` is a smoke run (few episodes, 2 seeds): it proves the pipeline, not a result.
Robust PLR trains only on replayed levels (new levels are evaluated without learning),
so at an equal episode budget it makes about half as many learning episodes.
"""

import argparse
import concurrent.futures
import json
import math
import os
import shlex
import sqlite3
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Two-sided 95% Student t quantiles by degrees of freedom.
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262,
       10: 2.228, 12: 2.179, 15: 2.131, 20: 2.086, 30: 2.042}


def t95(df):
    if df <= 0:
        return float("nan")
    keys = sorted(k for k in T95 if k <= df)
    return T95[keys[-1]] if df < 60 else 1.96


def mean_ci(values):
    m = statistics.mean(values)
    if len(values) < 2:
        return m, float("nan")
    return m, t95(len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values))


def run_one(job):
    """One `ludus teach` run; returns the final evaluation read from its database."""
    db = job["db"]
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    cmd = [job["ludus"], "teach", job["env"], "--teacher", job["teacher"], "--student", job["student"],
           "--episodes", str(job["episodes"]), "--seed", str(job["seed"]), "--test-set", str(job["test_set"]),
           "--eval-every", str(job["eval_every"]), "--db", db, "--quiet",
           # A busy 2-core machine can stretch one reset past the default 1 s sandbox budget.
           "--time-limit", "20000"] + job["extra"]
    start = time.time()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.time() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    con = sqlite3.connect(db)
    try:
        run_id = con.execute("SELECT max(id) FROM teach_run").fetchone()[0]
        evals = con.execute("SELECT episode, mastered, mean_return FROM teach_eval WHERE run_id = ? ORDER BY episode",
                            (run_id,)).fetchall()
        episodes = con.execute("SELECT count(*), sum(learned), sum(replay), avg(success) FROM teach_episode WHERE run_id = ?",
                               (run_id,)).fetchone()
    finally:
        con.close()
    final = evals[-1]
    return dict(job, mastered=100 * final[1], mean_return=final[2], curve=[(e, 100 * m) for e, m, _ in evals],
                learned=episodes[1], replays=episodes[2], train_success=100 * (episodes[3] or 0), seconds=seconds)


def curve(rows):
    """Mean mastered % over seeds at each evaluation episode: 'episode: %' pairs."""
    points = {}
    for r in rows:
        for e, m in r["curve"]:
            points.setdefault(e, []).append(m)
    return ", ".join(f"{e}: {statistics.mean(v):.0f}" for e, v in sorted(points.items()) if len(v) == len(rows))


def table(title, results, groups, note):
    lines = [f"#### {title}", "", note, "",
             "| teacher | seeds | mastered % (mean ± 95% CI) | per seed | train success % | episodes | learning episodes | s/run | mean mastered % at each evaluation |",
             "|---|---|---|---|---|---|---|---|---|"]
    summary = {}
    for name in groups:
        rows = [r for r in results if r["group"] == name]
        if not rows:
            continue
        m, ci = mean_ci([r["mastered"] for r in rows])
        summary[name] = {"mean": m, "ci95": ci, "seeds": [r["mastered"] for r in rows]}
        per_seed = ", ".join(f"{r['mastered']:.0f}" for r in sorted(rows, key=lambda r: r["seed"]))
        lines.append(f"| {name} | {len(rows)} | {m:.1f} ± {ci:.1f} | {per_seed} | "
                     f"{statistics.mean(r['train_success'] for r in rows):.1f} | "
                     f"{statistics.mean(r['episodes'] for r in rows):.0f} | "
                     f"{statistics.mean(r['learned'] for r in rows):.0f} | {statistics.mean(r['seconds'] for r in rows):.0f} | "
                     f"{curve(rows)} |")
    return "\n".join(lines) + "\n", summary


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--ludus", default=os.path.join(ROOT, ".build/release/ludus"))
    p.add_argument("--student", default="q", help="student for both experiments (ppo once it exists)")
    p.add_argument("--countdown-student", default=None, help="student for countdown (default: --student)")
    p.add_argument("--teachers", default="random,alp-gmm,plr,target",
                   help="comma list; TEACHER@N runs that teacher for N episodes (e.g. plr@6000); "
                        "teacher options use ';' instead of ',' here (plr:robust=0;beta=0.3)")
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--episodes", type=int, default=3000, help="training episodes per maze run (the equal budget)")
    p.add_argument("--eval-every", type=int, default=500)
    p.add_argument("--test-set", type=int, default=50)
    p.add_argument("--env", default="gridworld/maze",
                   help="environment of the first experiment (any single-player env with params)")
    p.add_argument("--maze-args", default="--vary size=5..11 --vary block_density --vary min_goal_distance=0..20",
                   help="extra `ludus teach` options for the maze runs (the task space)")
    p.add_argument("--countdown-episodes", type=int, default=3000)
    p.add_argument("--countdown-eval-every", type=int, default=None, help="default: --eval-every")
    p.add_argument("--countdown-args", default="", help="extra `ludus teach` options for the countdown runs")
    p.add_argument("--skip-maze", action="store_true")
    p.add_argument("--skip-countdown", action="store_true")
    p.add_argument("--jobs", type=int, default=2, help="runs in parallel (one core each)")
    p.add_argument("--out", default=os.path.join(ROOT, "experiments/results"))
    p.add_argument("--name", default="curriculum", help="output files OUT/NAME.md and OUT/NAME.json")
    p.add_argument("--title", default="", help="a heading line for this experiment in the markdown")
    p.add_argument("--quick", action="store_true", help="smoke run: 2 seeds, 300 episodes, 20 test tasks")
    args = p.parse_args()
    if args.quick:
        args.seeds, args.episodes, args.countdown_episodes, args.test_set, args.eval_every = 2, 300, 300, 20, 100
    if not os.access(args.ludus, os.X_OK):
        print(f"curriculum.py: no Ludus binary at {args.ludus} (make release)", file=sys.stderr)
        return 2
    os.makedirs(os.path.join(args.out, "runs"), exist_ok=True)
    base = dict(ludus=args.ludus, test_set=args.test_set, eval_every=args.eval_every)
    jobs = []
    teachers = [t.replace(";", ",") for t in args.teachers.split(",") if t]
    if not args.skip_maze:
        for spec in teachers:
            # TEACHER@N: this teacher gets N episodes instead of --episodes (e.g. robust PLR at twice
            # the budget, so that its *learning* episodes match the others').
            teacher, _, budget = spec.partition("@")
            episodes = int(budget) if budget else args.episodes
            tag = spec.replace(":", "_").replace("@", "-at").replace(",", "_").replace("=", "")
            for seed in range(1, args.seeds + 1):
                jobs.append(dict(base, experiment="maze", group=spec, env=args.env, teacher=teacher,
                                 student=args.student, episodes=episodes, seed=seed, extra=args.maze_args.split(),
                                 db=os.path.join(args.out, "runs", f"{args.name}-maze-{tag}-{seed}.sqlite")))
    cd_student = args.countdown_student or args.student
    if not args.skip_countdown:
        cd = "--vary numbers=3..5 --test-param numbers=6".split() + args.countdown_args.split()
        for group, teacher in (("sec", "sec:numbers=3,4,5"), ("random", "random")):
            for seed in range(1, args.seeds + 1):
                jobs.append(dict(base, eval_every=args.countdown_eval_every or args.eval_every, experiment="countdown", group=group, env="countdown", teacher=teacher,
                                 student=cd_student, episodes=args.countdown_episodes, seed=seed, extra=cd,
                                 db=os.path.join(args.out, "runs", f"{args.name}-countdown-{group}-{seed}.sqlite")))
    started = time.time()
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for result in pool.map(run_one, jobs):
            results.append(result)
            print(f"  {result['experiment']:9} {result['group']:8} seed {result['seed']}: mastered {result['mastered']:5.1f}%  "
                  f"({result['seconds']:.0f} s)", file=sys.stderr, flush=True)
    report = ([f"## {args.title}", ""] if args.title else []) + [f"### Curriculum experiments ({time.strftime('%Y-%m-%d')}, student `{args.student}`, "
              f"{time.time() - started:.0f} s wall clock, {args.jobs} parallel runs)", "",
              "Command: `python3 experiments/curriculum.py " + shlex.join(sys.argv[1:]) + "`", ""]
    summaries = {}
    if not args.skip_maze:
        text, summaries["maze"] = table(
            args.env, [r for r in results if r["experiment"] == "maze"], teachers,
            f"{args.episodes} training episodes per run, {args.test_set} held-out test tasks (uniform over the same space, "
            f"own seed), mastered = return >= success_threshold with learning off after training (greedy, or sampled for `ppo:eval=sample`). "
            f"Task space: `{args.maze_args}`. Student `{args.student}`.")
        report.append(text)
    if not args.skip_countdown:
        text, summaries["countdown"] = table(
            "countdown: SEC vs random curriculum, OOD 6-number test", [r for r in results if r["experiment"] == "countdown"],
            ["sec", "random"],
            f"{args.countdown_episodes} training episodes on numbers = 3, 4, 5 (SEC: `sec:numbers=3,4,5`; random: uniform "
            f"over 3..5), {args.test_set} held-out 6-number puzzles. Student `{cd_student}`.")
        report.append(text)
    text = "\n".join(report)
    print(text)
    with open(os.path.join(args.out, args.name + ".md"), "w") as f:
        f.write(text)
    with open(os.path.join(args.out, args.name + ".json"), "w") as f:
        json.dump({"args": vars(args), "summary": summaries,
                   "runs": [{k: v for k, v in r.items() if k not in ("ludus",)} for r in results]}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
