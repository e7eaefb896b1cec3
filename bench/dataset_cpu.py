#!/usr/bin/env python3
"""Dataset generation and scoring against reasoning-gym in CPU time, not wall time.

    python3 bench/dataset_cpu.py --ludus PATH [--label NAME]

On a machine shared with other work the wall-clock ratios of reasoning_gym_speed.py swing
by 2x within one run; CPU seconds per item swing much less. Prints, per task, reasoning-gym's
CPU time per item over the ludus process's (user + system, every worker, process start
included): `ludus generate countdown/text --workers 1` on 20,000 items, and `ludus score
--batch` on the 20,000 answers reasoning_gym_speed.py scores (200 items, right and wrong
answers, 50 times).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reasoning_gym_speed as rgs  # noqa: E402


def child_cpu(command):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def rg_generation_cpu(name, items):
    import reasoning_gym

    ds = reasoning_gym.create_dataset(name, size=10**9, seed=42)
    ds[0]
    start = time.process_time()
    for i in range(items):
        ds[i + 1]
    return (time.process_time() - start) / items


def rg_scoring_cpu(ds, pairs, repeat):
    start = time.process_time()
    for _ in range(repeat):
        for entry, answer in pairs:
            ds.score_answer(answer, entry)
    return (time.process_time() - start) / (repeat * len(pairs))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ludus", required=True)
    ap.add_argument("--label", default="ludus")
    args = ap.parse_args()
    count = 20000
    theirs = rg_generation_cpu("countdown", 150)
    ours = child_cpu([args.ludus, "generate", "countdown/text", "--count", str(count), "--seed", "42", "--workers", "1", "--quiet"]) / count
    print(f"{args.label} cpu: countdown/text generation, 1 worker: ratio {theirs / ours:.1f}x "
          f"({1 / ours:.0f} items per CPU second, reasoning-gym {1 / theirs:.0f})", flush=True)
    for name, env in rgs.SCORED:
        ds, pairs = rgs.scoring_pairs(name)
        theirs = rg_scoring_cpu(ds, pairs, 5 if name == "countdown" else 50)
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
            for _ in range(50):
                for entry, answer in pairs:
                    f.write(json.dumps({"item": entry, "answer": answer}) + "\n")
            path = f.name
        try:
            ours = child_cpu([args.ludus, "score", env, "--batch", path]) / (50 * len(pairs))
        finally:
            os.unlink(path)
        print(f"{args.label} cpu: scoring {name}: ratio {theirs / ours:.2f}x "
              f"({1 / ours:.0f} answers per CPU second, reasoning-gym {1 / theirs:.0f})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
