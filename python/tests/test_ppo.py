"""A CleanRL-style numpy PPO learns on Ludus vector environments within a generous bound."""

import numpy as np
import pytest
from gymnasium.vector import AutoresetMode

import ludus
from ludus.contrib.ppo import PPO


@pytest.mark.parametrize("env_id,params,steps,random_level", [
    ("corridor", {"length": 8}, 12_000, None),
    ("gridworld/empty", {"size": 5}, 36_000, None),
])
def test_ppo_learns(env_id, params, steps, random_level):
    vec = ludus.make_vec(env_id, 8, autoreset_mode=AutoresetMode.SAME_STEP, params=params)
    returns = PPO(vec, seed=0).learn(steps)
    early, late = np.mean(returns[:50]), np.mean(returns[-50:])
    assert late > 0.85, (early, late)
    assert late > early + 0.1, (early, late)
