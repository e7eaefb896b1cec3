#!/usr/bin/env python3
"""Gymnasium BipedalWalker-v3's own speed: steps per second of a uniformly random agent.

    python3 bench/bipedal_speed.py [--steps 20000] [--seed 1] [--ludus PATH]

Single thread, gymnasium API (gym.make, reset with seeds 1, 2, ..., step with
uniform actions in [-1, 1]^4), no rendering. Prints

    BipedalWalker-v3 steps_per_second=<n> steps=<n> episodes=<k>

With --ludus, also runs `ludus bench walker/bipedal --steps N` (one thread, the
same kind of random agent) and prints its rate and the ratio.

Needs: pip install gymnasium "box2d==2.3.10"
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def measure(steps: int, seed: int) -> tuple[float, int]:
    import gymnasium as gym
    import numpy as np

    env = gym.make("BipedalWalker-v3")
    rng = np.random.default_rng(seed)
    episode = 1
    env.reset(seed=episode)
    episodes = 0
    start = time.perf_counter()
    for _ in range(steps):
        action = rng.uniform(-1.0, 1.0, 4).astype(np.float32)
        _, _, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            episodes += 1
            episode += 1
            env.reset(seed=episode)
    elapsed = time.perf_counter() - start
    env.close()
    return steps / elapsed, episodes


def ludus_rate(ludus: str, steps: int, seed: int) -> float:
    out = subprocess.run([ludus, "bench", "walker/bipedal", "--steps", str(steps), "--seed", str(seed), "--json"],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return float(json.loads(out.splitlines()[0])["steps_per_second"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--ludus", help="also measure `ludus bench walker/bipedal` with this binary")
    args = parser.parse_args()
    rate, episodes = measure(args.steps, args.seed)
    print(f"BipedalWalker-v3 steps_per_second={rate:.0f} steps={args.steps} episodes={episodes}")
    if args.ludus:
        ours = ludus_rate(args.ludus, args.steps * 5, args.seed)
        print(f"walker/bipedal steps_per_second={ours:.0f} steps={args.steps * 5} ratio={ours / rate:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
