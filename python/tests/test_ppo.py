"""A CleanRL-style numpy PPO learns on Ludus vector environments within a generous bound."""

import numpy as np
import pytest
from gymnasium.vector import AutoresetMode

import ludus
from ludus.contrib.ppo import PPO


# It learns both in about half of these steps (corridor ~4k, gridworld/empty ~10k, seeds 0-2).
@pytest.mark.parametrize("env_id,params,steps", [
    ("corridor", {"length": 8}, 8_192),
    ("gridworld/empty", {"size": 5}, 20_480),
])
def test_ppo_learns(env_id, params, steps):
    vec = ludus.make_vec(env_id, 16, threads=2, autoreset_mode=AutoresetMode.SAME_STEP, params=params)
    returns = PPO(vec, seed=0, num_steps=64).learn(steps)
    early, late = np.mean(returns[:50]), np.mean(returns[-50:])
    assert late > 0.85, (early, late)
    assert late > early + 0.1, (early, late)
