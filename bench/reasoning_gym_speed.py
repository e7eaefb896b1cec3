#!/usr/bin/env python3
"""Items per second of reasoning-gym's generators (default configs), for comparison
with `ludus generate`.

    python3 bench/reasoning_gym_speed.py [--seconds 3] [--ludus PATH]

Prints one line per dataset: `reasoning_gym <name> items_per_second=<n>`. With
--ludus it also times `ludus generate` on the matching environments and prints
`ludus <env>[args] items_per_second=<n>` (process start included), with one worker
and with the default, one worker per core; then answers scored per second by
reasoning-gym's `score_answer` and by `ludus score --batch` on the same items and answers.
"""

import argparse
import os
import subprocess
import sys
import time

DATASETS = ["countdown", "sudoku", "mini_sudoku"]
# (environment, extra arguments, items, the reasoning-gym dataset it is compared with):
# enough items that process start is noise.
LUDUS_ENVS = [
    ("countdown/text", ["--workers", "1"], 20000, "countdown"),
    ("countdown/text", [], 40000, "countdown"),
    ("sudoku/text", ["--workers", "1"], 4000, "sudoku"),
    ("sudoku/text", [], 8000, "sudoku"),
    ("sudoku/text", ["--param", "size=4", "--workers", "1"], 20000, "mini_sudoku"),
]


def rg_rate(name, seconds, seed=42):
    import reasoning_gym

    ds = reasoning_gym.create_dataset(name, size=10**9, seed=seed)
    ds[0]  # warm up imports and caches
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        ds[n + 1]
        n += 1
    return n / (time.perf_counter() - start)


def ludus_rate(binary, env, extra, count, seed=42):
    start = time.perf_counter()
    subprocess.run([binary, "generate", env, "--count", str(count), "--seed", str(seed), *extra],
                   check=True, stdout=subprocess.DEVNULL)
    return count / (time.perf_counter() - start)


# Scoring: reasoning-gym's items with their own answers and a wrong variant of each,
# scored by `ds.score_answer` and by one `ludus score --batch` run over the same pairs.
SCORED = [("countdown", "countdown/text"), ("sudoku", "sudoku/text"), ("mini_sudoku", "sudoku/text")]


def wrong(name, answer):
    if name == "countdown":
        return answer + " + 1"
    return answer.replace("1", "#", 1).replace("2", "1", 1).replace("#", "2", 1)  # two digits swapped


def scoring_pairs(name, items=200, seed=42):
    import reasoning_gym

    ds = reasoning_gym.create_dataset(name, size=items, seed=seed)
    entries = [ds[i] for i in range(items)]
    pairs = [(entry, entry["answer"]) for entry in entries] + [(entry, wrong(name, entry["answer"])) for entry in entries]
    return ds, pairs


def rg_score_rate(ds, pairs, seconds):
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        entry, answer = pairs[n % len(pairs)]
        ds.score_answer(answer, entry)
        n += 1
    return n / (time.perf_counter() - start)


def ludus_score_rate(binary, env, pairs, repeat=50):
    import json
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for _ in range(repeat):
            for entry, answer in pairs:
                f.write(json.dumps({"item": entry, "answer": answer}) + "\n")
        path = f.name
    try:
        start = time.perf_counter()
        subprocess.run([binary, "score", env, "--batch", path], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return repeat * len(pairs) / (time.perf_counter() - start)
    finally:
        os.unlink(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=3.0, help="time per dataset")
    ap.add_argument("--ludus", default=None, help="also time this ludus binary's generate")
    args = ap.parse_args()
    try:
        import reasoning_gym  # noqa: F401
    except ImportError:
        print("reasoning-gym is not installed: pip install reasoning-gym", file=sys.stderr)
        return 2
    theirs = {}
    for name in DATASETS:
        theirs[name] = rg_rate(name, args.seconds)
        print(f"reasoning_gym {name} items_per_second={theirs[name]:.1f}", flush=True)
    if args.ludus:
        if not os.path.exists(args.ludus):
            print(f"no ludus binary at {args.ludus}", file=sys.stderr)
            return 2
        cores = os.cpu_count() or 1
        for env, extra, count, peer in LUDUS_ENVS:
            settings = [extra[i + 1] for i in range(0, len(extra), 2) if extra[i] == "--param"]
            workers = extra[extra.index("--workers") + 1] if "--workers" in extra else str(cores)
            label = env + "[" + ",".join(settings + [f"workers={workers}"]) + "]"
            ours = ludus_rate(args.ludus, env, extra, count)
            target = "  (target >= 100x)" if env == "countdown/text" and workers == "1" else ""
            print(f"ludus {label} items_per_second={ours:.1f} ratio={ours / theirs[peer]:.1f}x vs {peer}{target}", flush=True)
        for name, env in SCORED:
            ds, pairs = scoring_pairs(name)
            rg = rg_score_rate(ds, pairs, args.seconds)
            ours = ludus_score_rate(args.ludus, env, pairs)
            target = "target >= 8.3x" if name == "countdown" else "target >= 1x"
            print(f"scoring {name}: reasoning_gym {rg:.0f} answers/s, ludus score --batch {ours:.0f} answers/s "
                  f"({len(pairs) * 50} answers, process start included), ratio {ours / rg:.2f}x ({target})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
