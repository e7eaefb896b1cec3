"""Same seed, same bits: a Python episode's trajectory hash equals `ludus run`'s for the
same seed and actions (read back from the CLI's trace)."""

import json
import re

import numpy as np
import pytest

import ludus


def cli_episodes(cli, tmp_path, env, seed, episodes, *params):
    trace = tmp_path / "trace.jsonl"
    args = ["run", env, "--seed", seed, "--episodes", episodes, "--trace", trace]
    for p in params:
        args += ["--param", p]
    out = cli(*args).stdout
    hashes = re.findall(r"^episode (\d+) .* hash=([0-9a-f]{16})$", out, re.M)
    actions = {}
    for line in trace.read_text().splitlines():
        step = json.loads(line)
        if "action" in step:
            actions.setdefault(step["episode"], []).append(step["action"])
        else:
            actions.setdefault(step["episode"], [])
    return [(actions[int(e)], h) for e, h in hashes]


@pytest.mark.parametrize("env_id,params", [
    ("corridor", ["length=10", "slip=0.25"]),
    ("gridworld/door_key", ["size=5"]),
    ("walker/bipedal", []),
    ("countdown", []),
])
def test_single_player_hash_equals_cli(cli, tmp_path, env_id, params):
    episodes = cli_episodes(cli, tmp_path, env_id, 5, 2 if env_id != "walker/bipedal" else 1, *params)
    env = ludus.make(env_id, **{k: float(v) if "." in v else int(v) for k, v in (p.split("=") for p in params)})
    for k, (actions, expected) in enumerate(episodes):
        _, info = env.reset(seed=5) if k == 0 else env.reset()
        for action in actions:
            _, _, terminated, truncated, info = env.step(np.asarray(action, dtype=np.float64) if isinstance(action, list) else action)
        assert terminated or truncated
        assert info["trajectory_hash"] == expected


def test_game_hash_equals_cli_through_gym_and_pettingzoo(cli, tmp_path):
    episodes = cli_episodes(cli, tmp_path, "tic_tac_toe", 3, 2)
    env = ludus.make("tic_tac_toe")
    for k, (actions, expected) in enumerate(episodes):
        env.reset(seed=3) if k == 0 else env.reset()
        for a in actions:
            *_, info = env.step(a)
        assert info["trajectory_hash"] == expected
    aec = ludus.aec_env("tic_tac_toe")
    for k, (actions, expected) in enumerate(episodes):
        aec.reset(seed=3) if k == 0 else aec.reset()
        for a in actions:
            aec.step(a)
        assert aec.trajectory_hash == expected


def test_vector_hash_equals_cli(cli, tmp_path):
    episodes = cli_episodes(cli, tmp_path, "gridworld/empty", 11, 1, "size=5")
    vec = ludus.make_vec("gridworld/empty", 2, params={"size": 5})
    vec.reset(seed=10)  # environment 1 gets run seed 11
    for action in episodes[0][0]:
        vec.step(np.array([0, action]))
    assert vec.trajectory_hash(1) == episodes[0][1]


def test_episode_seed_is_the_clis(cli, tmp_path):
    trace = tmp_path / "t.jsonl"
    cli("run", "corridor", "--seed", 9, "--episodes", 2, "--trace", trace)
    seeds = [int(json.loads(l)["seed"]) for l in trace.read_text().splitlines() if '"seed"' in l]
    assert seeds == [ludus.episode_seed(9, 1), ludus.episode_seed(9, 2)]
