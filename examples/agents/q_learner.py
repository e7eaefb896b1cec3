#!/usr/bin/env python3
"""A tabular Q-learner taught by Ludus over the exec: protocol (docs/agents-protocol.md).

    ludus teach corridor --student 'exec:python3 examples/agents/q_learner.py' --teacher random ...

It asks for `step` messages ({"type":"ready","steps":true}) and learns from them:
Q(s, a) += alpha * (r + gamma * max Q(s', .) - Q(s, a)), with s the observation as JSON.
In episodes with "learn": false (held-out tests) it acts greedily and changes nothing.
On {"type":"save","path":...} it writes its table there as JSON."""
import json, random, sys

ALPHA, GAMMA, EPSILON = 0.5, 0.95, 0.1

q = {}                       # state (JSON text) -> {action: value}
rng = random.Random(0)
learn, actions, last = True, [], None   # last: (state, action) of this agent's latest move


def values(state):
    return q.setdefault(state, {a: 0.0 for a in actions})


def best(state, legal):
    row = values(state)
    top = max(row.get(a, 0.0) for a in legal)
    return rng.choice([a for a in legal if row.get(a, 0.0) == top])   # ties broken at random


def send(message):
    print(json.dumps(message), flush=True)


for line in sys.stdin:
    msg = json.loads(line)
    kind = msg.get("type")
    if kind == "start":
        rng = random.Random(msg["seed"])
        learn = msg.get("learn", True)
        space = msg["action_space"]
        actions = list(range(space.get("start", 0), space.get("start", 0) + space["n"]))
        last = None
        send({"type": "ready", "steps": True})
    elif kind == "act":
        state = json.dumps(msg["observation"], sort_keys=True)
        legal = msg["legal_actions"] or actions
        action = rng.choice(legal) if learn and rng.random() < EPSILON else best(state, legal)
        last = (state, action)
        send({"action": action})
    elif kind == "step":
        if learn and last is not None:
            state, action = last
            target = msg["reward"]
            if not msg["terminated"] and msg.get("observation") is not None:
                following = json.dumps(msg["observation"], sort_keys=True)
                target += GAMMA * max(values(following).values())
            row = values(state)
            row[action] += ALPHA * (target - row[action])
    elif kind == "save":
        with open(msg["path"], "w") as f:
            json.dump({k: {str(a): v for a, v in row.items()} for k, row in q.items()}, f)
    elif kind == "quit":
        break
