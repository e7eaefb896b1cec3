#!/usr/bin/env python3
"""Statistical parity of walker/bipedal with Gymnasium's BipedalWalker-v3.

Both run the same kind of seeded uniform random policy (actions uniform in
[-1, 1]^4), Gymnasium for --episodes episodes (default 1000) and Ludus for
--ludus-episodes (default 4000: it is cheap); the mean episode return and the mean
episode length of Ludus must each lie within --tolerance (relative, default
10%) of Gymnasium's. Step-by-step equality is not expected: the physics is
Box2D 2.4.1 from Debian against PyPI's box2d 2.3.10, and the terrain and
actions come from different random generators (see docs/walkers.md).

Episode lengths are bimodal (about two thirds of random episodes fall within
~100 steps, the rest run to the 1600-step limit; sd ~700), so the mean length
needs many episodes: with 1000 Gymnasium episodes its standard error is about 4%.
The seeds are fixed, so the verdict is reproducible.

    python3 bench/parity_bipedal.py --ludus PATH [--episodes 1000] [--ludus-episodes 4000] [--seed 1]

Ludus is run as `ludus run walker/bipedal --episodes N --seed S`, which prints
one `episode i return=R length=L ...` line per episode. Prints both summaries
and exits 1 when either mean is off by more than the tolerance.

Needs: pip install gymnasium "box2d==2.3.10"
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EPISODE = re.compile(r"^episode \d+ return=\[?(-?[0-9.eE+-]+)\]? length=(\d+)")


def gymnasium_episodes(episodes: int, seed: int) -> list[tuple[float, int]]:
    import gymnasium as gym
    import numpy as np

    env = gym.make("BipedalWalker-v3")
    rng = np.random.default_rng(seed)
    results = []
    for episode in range(episodes):
        env.reset(seed=seed * 100_003 + episode)
        total, length, done = 0.0, 0, False
        while not done:
            action = rng.uniform(-1.0, 1.0, 4).astype(np.float32)
            _, reward, terminated, truncated, _ = env.step(action)
            total += float(reward)
            length += 1
            done = terminated or truncated
        results.append((total, length))
    env.close()
    return results


def ludus_episodes(ludus: str, episodes: int, seed: int) -> list[tuple[float, int]]:
    out = subprocess.run([ludus, "run", "walker/bipedal", "--episodes", str(episodes), "--seed", str(seed)],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    results = []
    for line in out.splitlines():
        match = EPISODE.match(line)
        if match:
            results.append((float(match.group(1)), int(match.group(2))))
    if len(results) != episodes:
        raise SystemExit(f"expected {episodes} episodes from ludus, parsed {len(results)}:\n{out[-2000:]}")
    return results


def summary(name: str, results: list[tuple[float, int]]) -> tuple[float, float]:
    returns = [r for r, _ in results]
    lengths = [n for _, n in results]
    mean_r, mean_n = statistics.fmean(returns), statistics.fmean(lengths)
    fell = sum(1 for r, n in results if n < 1600) / len(results)
    se_r = statistics.pstdev(returns) / len(results) ** 0.5
    se_n = statistics.pstdev(lengths) / len(results) ** 0.5
    print(f"{name:18s} episodes={len(results)} mean_return={mean_r:.2f} (se {se_r:.2f}) "
          f"mean_length={mean_n:.1f} (se {se_n:.1f}) ended_early={fell:.1%}")
    return mean_r, mean_n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ludus", default=os.path.join(ROOT, ".build/release/ludus"))
    parser.add_argument("--episodes", type=int, default=1000, help="Gymnasium episodes")
    parser.add_argument("--ludus-episodes", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tolerance", type=float, default=0.10)
    args = parser.parse_args()
    if min(args.episodes, args.ludus_episodes) < 200:
        parser.error("use at least 200 episodes")
    gym_r, gym_n = summary("BipedalWalker-v3", gymnasium_episodes(args.episodes, args.seed))
    our_r, our_n = summary("walker/bipedal", ludus_episodes(args.ludus, args.ludus_episodes, args.seed))
    ok = True
    for what, ours, theirs in (("mean return", our_r, gym_r), ("mean length", our_n, gym_n)):
        off = abs(ours - theirs) / abs(theirs)
        verdict = "ok" if off <= args.tolerance else "FAIL"
        print(f"{what}: ludus {ours:.2f} vs gymnasium {theirs:.2f}: off by {off:.1%} ({verdict}, tolerance {args.tolerance:.0%})")
        ok = ok and off <= args.tolerance
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
