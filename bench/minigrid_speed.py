#!/usr/bin/env python3
"""MiniGrid's own speed: steps per second of a uniformly random agent.

    python3 bench/minigrid_speed.py [--steps 50000] [--env ID ...]

Single thread, gymnasium API (gym.make, reset with seeds 1, 2, ..., step),
no rendering. Prints one line per environment:

    MiniGrid-DoorKey-8x8-v0 steps_per_second=<n> steps=<n> episodes=<k>

Needs: pip install "minigrid==3.*" gymnasium
"""
from __future__ import annotations

import argparse
import random
import sys
import time

DEFAULT_ENVS = ["MiniGrid-DoorKey-8x8-v0", "MiniGrid-Empty-8x8-v0"]


def measure(env_id: str, steps: int, seed: int) -> tuple[float, int]:
    import gymnasium as gym
    import minigrid  # noqa: F401  (registers the environments)

    env = gym.make(env_id)
    rng = random.Random(seed)
    n_actions = int(env.action_space.n)
    episode = 1
    env.reset(seed=episode)
    episodes = 0
    start = time.perf_counter()
    for _ in range(steps):
        _, _, terminated, truncated, _ = env.step(rng.randrange(n_actions))
        if terminated or truncated:
            episodes += 1
            episode += 1
            env.reset(seed=episode)
    elapsed = time.perf_counter() - start
    env.close()
    return steps / elapsed, episodes


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=50000, help="steps per environment")
    ap.add_argument("--env", action="append", help="MiniGrid ids (default: DoorKey-8x8 and Empty-8x8)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the random actions")
    args = ap.parse_args()
    try:
        import minigrid  # noqa: F401
    except ImportError:
        print('minigrid_speed: needs MiniGrid: pip install "minigrid==3.*" gymnasium', file=sys.stderr)
        return 2
    for env_id in args.env or DEFAULT_ENVS:
        rate, episodes = measure(env_id, args.steps, args.seed)
        print(f"{env_id} steps_per_second={rate:.0f} steps={args.steps} episodes={episodes}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
