#!/usr/bin/env python3
"""A Ludus external agent that plays uniformly random legal actions.

It speaks the JSON-lines protocol of docs/agents-protocol.md on stdin/stdout:
answers `start` with `ready`, `act` with `{"action": a}`, ignores `end` and
unknown messages, and exits on `quit` or end of input. Each game's choices
come from random.Random(seed) with the seed of that game's `start` message,
so a series replays exactly. Logs go to stderr only: stdout carries nothing
but protocol lines.

    python3 examples/agents/random_agent.py
"""
from __future__ import annotations

import json
import random
import sys


def random_action(rng: random.Random, space: dict):
    """An action drawn from the action space (used when legal_actions is empty)."""
    kind = space.get("kind")
    if kind == "discrete":
        return space.get("start", 0) + rng.randrange(int(space["n"]))
    if kind == "multi_discrete":
        return [rng.randrange(int(n)) for n in space["nvec"]]
    if kind == "multi_binary":
        return [rng.randrange(2) for _ in range(int(space["n"]))]
    if kind == "box":  # low / high: one number, or a flat list with one per element
        count = 1
        for d in space["shape"]:
            count *= int(d)
        low, high = space["low"], space["high"]
        low = low if isinstance(low, list) else [low] * count
        high = high if isinstance(high, list) else [high] * count
        return [rng.uniform(float(lo), float(hi)) for lo, hi in zip(low, high)]
    raise ValueError(f"cannot sample action space {space!r}")


def send(message: dict) -> None:
    sys.stdout.write(json.dumps(message, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def main() -> int:
    rng = random.Random(0)
    space: dict = {}
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        message = json.loads(line)
        kind = message.get("type")
        if kind == "start":
            rng = random.Random(message.get("seed", 0))
            space = message.get("action_space") or {}
            send({"type": "ready"})
        elif kind == "act":
            legal = message.get("legal_actions") or []
            send({"action": rng.choice(legal) if legal else random_action(rng, space)})
        elif kind == "quit":
            break
        # "end" and unknown message types need no answer
    return 0


if __name__ == "__main__":
    sys.exit(main())
