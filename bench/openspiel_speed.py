#!/usr/bin/env python3
"""OpenSpiel's speed at Python-driven random rollouts of connect_four.

Each game starts from `game.new_initial_state()` and plays uniformly random
legal actions (Python's random.Random(seed).choice over `state.legal_actions()`)
until the state is terminal; the loop is the one an agent written in Python
would run against OpenSpiel. Prints

    openspiel connect_four games_per_second=<n> steps_per_second=<m>

(the first two fields are the stable, parsed part of the line). Compare with
`ludus bench connect_four`, which reports steps per second: a connect_four
game lasts about 21 moves under random play (the script prints the mean).

    python3 bench/openspiel_speed.py [--seconds 5] [--game connect_four] [--seed 0]

Needs: pip install open-spiel
"""
from __future__ import annotations

import argparse
import random
import sys
import time


def rollouts(game, rng: random.Random, seconds: float) -> tuple[int, int, float]:
    """Plays random games for about `seconds`; returns (games, steps, elapsed)."""
    choice = rng.choice
    games = steps = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(100):  # check the clock every 100 games
            state = game.new_initial_state()
            while not state.is_terminal():
                state.apply_action(choice(state.legal_actions()))
                steps += 1
            games += 1
        now = time.perf_counter()
        if now >= deadline:
            return games, steps, now - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=5.0, help="how long to measure (after a 0.5 s warm-up)")
    ap.add_argument("--game", default="connect_four", help="OpenSpiel game name (default connect_four)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the random actions")
    args = ap.parse_args()
    try:
        import pyspiel
    except ImportError:
        print("openspiel_speed: needs OpenSpiel: pip install open-spiel", file=sys.stderr)
        return 2

    game = pyspiel.load_game(args.game)
    rng = random.Random(args.seed)
    rollouts(game, rng, 0.5)  # warm-up
    games, steps, elapsed = rollouts(game, rng, args.seconds)
    print(f"openspiel {args.game} games_per_second={games / elapsed:.0f} "
          f"steps_per_second={steps / elapsed:.0f} mean_length={steps / games:.2f} "
          f"games={games} seconds={elapsed:.2f} pyspiel={getattr(pyspiel, '__version__', '?')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
