"""ludus.make: Gymnasium's checker over every bundled single-player environment; spaces,
seeds and rendering."""

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import ludus

SINGLE = sorted(e["id"] for e in ludus.list_environments() if e.get("id") and e["players"] == 1)


def test_every_bundled_environment_is_listed():
    assert {"corridor", "gridworld/door_key", "gridworld/empty", "walker/bipedal", "countdown"} <= set(SINGLE)


@pytest.mark.parametrize("env_id", SINGLE)
def test_check_env(env_id):
    env = ludus.make(env_id)
    check_env(env, skip_render_check=True)
    env.close()


def test_spaces_and_observation():
    env = ludus.make("gridworld/door_key", size=8)
    obs, info = env.reset(seed=1)
    assert obs["image"].shape == (7, 7, 3) and obs["image"].dtype == np.float32
    assert isinstance(obs["direction"], np.int64)
    assert obs["mission"] == "use the key to open the door and then get to the goal"
    assert env.observation_space.contains(obs)
    assert len(info["trajectory_hash"]) == 16


def test_same_seed_same_episode():
    a, b = ludus.make("corridor", length=12, slip=0.2), ludus.make("corridor", length=12, slip=0.2)
    oa, _ = a.reset(seed=7)
    ob, _ = b.reset(seed=7)
    assert np.array_equal(oa, ob)
    for action in [1, 1, 0, 1, 1, 1, 1, 0, 1]:
        ra = a.step(action)
        rb = b.step(action)
        assert np.array_equal(ra[0], rb[0]) and ra[1:4] == rb[1:4]
        if ra[2] or ra[3]:
            break
    assert a.trajectory_hash == b.trajectory_hash


def test_params_through_reset_options():
    env = ludus.make("gridworld/empty")
    env.reset(seed=0, options={"params": {"size": 5}})
    assert "size" in ludus.spec("gridworld/empty")["params"][0]["name"]
    with pytest.raises(ludus.SetupError, match="size"):
        env.reset(seed=0, options={"params": {"size": 99}})


def test_unknown_parameter_and_environment():
    with pytest.raises(ludus.SetupError, match="unknown parameter"):
        ludus.make("corridor", width=3)
    with pytest.raises(ludus.SetupError, match="no environment 'nope'"):
        ludus.make("nope")


def test_ansi_and_rgb_render():
    env = ludus.make("corridor", render_mode="ansi")
    env.reset(seed=0)
    assert "G" in env.render()
    image_env = ludus.make("gridworld/empty", render_mode="rgb_array", size=5)
    image_env.reset(seed=0)
    frame = image_env.render()
    assert frame.ndim == 3 and frame.shape[2] == 3 and frame.dtype == np.uint8 and frame.std() > 0


def test_illegal_action_forfeits_or_raises():
    env = ludus.make("sudoku")
    obs, info = env.reset(seed=0)
    illegal = int(np.flatnonzero(info["action_mask"] == 0)[0])
    _, reward, terminated, truncated, info = env.step(illegal)
    assert terminated and not truncated and "illegal action" in info["forfeit"]
    strict = ludus.make("sudoku", illegal="raise")
    strict.reset(seed=0)
    with pytest.raises(ludus.ActionError, match="illegal action"):
        strict.step(illegal)
    legal = int(np.flatnonzero(strict.action_mask)[0])
    strict.step(legal)  # the episode went on


def test_continuous_actions():
    env = ludus.make("walker/bipedal")
    obs, _ = env.reset(seed=0)
    assert obs.shape == (24,)
    obs, reward, *_ = env.step(np.zeros(4, dtype=np.float32))
    assert np.isfinite(reward)


def test_text_environment():
    env = ludus.make("countdown/text")
    question, _ = env.reset(seed=1)
    assert "using all of these numbers" in question or "numbers" in question
    _, reward, terminated, _, _ = env.step("1 + 1")
    assert terminated and 0 <= reward <= 1
