"""Every bundled multi-player game as a PettingZoo AECEnv: api_test and seed_test."""

import numpy as np
import pytest

pytest.importorskip("pettingzoo")
from pettingzoo.test import api_test, seed_test  # noqa: E402

import ludus  # noqa: E402

GAMES = sorted(e["id"] for e in ludus.list_environments() if e.get("id") and e["players"] > 1)
# Games whose player count is a game parameter (OpenSpiel's syntax), at their other values.
GAMES += ["kuhn_poker(players=3)", "kuhn_poker(players=4)"]


def test_games_found():
    assert {"tic_tac_toe", "connect_four"} <= set(GAMES)


@pytest.mark.parametrize("game", GAMES)
def test_api(game):
    api_test(ludus.aec_env(game), num_cycles=200)


@pytest.mark.parametrize("game", GAMES)
def test_seed(game):
    seed_test(lambda: ludus.aec_env(game), num_cycles=100)


def test_game_parameters_set_the_agents():
    env = ludus.aec_env("kuhn_poker(players=3)")
    env.reset(seed=0)
    assert len(env.possible_agents) == 3
    with pytest.raises(ludus.LudusError, match="players"):
        ludus.aec_env("kuhn_poker(players=9)")


def test_play_loop_and_rewards():
    env = ludus.aec_env("tic_tac_toe")
    env.reset(seed=1)
    assert env.possible_agents == ["x", "o"]
    totals = {a: 0.0 for a in env.possible_agents}
    for agent in env.agent_iter():
        obs, reward, terminated, truncated, info = env.last()
        totals[agent] += reward
        if terminated or truncated:
            env.step(None)
            continue
        env.step(int(np.flatnonzero(obs["action_mask"])[0]))
    assert sorted(totals.values()) in ([-1.0, 1.0], [0.0, 0.0])


def test_each_agent_sees_only_its_own_card():
    # Kuhn poker deals two different cards: each agent's observation holds its own card,
    # the same as the game's own E.observe for that seat, never the other seat's.
    env = ludus.aec_env("kuhn_poker")
    for seed in range(20):
        env.reset(seed=seed)
        first, second = env.possible_agents
        mine = env.observe(first)["observation"]["card"]
        theirs = env.observe(second)["observation"]["card"]
        assert mine != theirs
        batch = env._batch
        assert mine == batch.call(0, "observe", 1)[0]["card"]
        assert theirs == batch.call(0, "observe", 2)[0]["card"]
