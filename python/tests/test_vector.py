"""ludus.make_vec: batched steps, autoreset modes, send/recv, per-environment params."""

import numpy as np
import pytest
from gymnasium.vector import AutoresetMode

import ludus


def play_until_end(vec, actions=None):
    for _ in range(1000):
        a = vec.action_space.sample() if actions is None else actions
        obs, rew, term, trunc, infos = vec.step(a)
        if (term | trunc).any():
            return obs, rew, term, trunc, infos
    raise AssertionError("no episode ended")


def test_vector_matches_single_environments():
    vec = ludus.make_vec("corridor", 3, threads=2, params={"length": 6, "slip": 0.3})
    singles = [ludus.make("corridor", length=6, slip=0.3) for _ in range(3)]
    obs, _ = vec.reset(seed=10)
    for i, env in enumerate(singles):
        o, _ = env.reset(seed=10 + i)
        assert np.array_equal(obs[i], o)
    rng = np.random.default_rng(0)
    done = np.zeros(3, dtype=bool)
    for _ in range(30):
        actions = rng.integers(0, 2, size=3)
        obs, rew, term, trunc, infos = vec.step(actions)
        for i, env in enumerate(singles):
            if done[i]:
                continue
            o, r, t, u, info = env.step(int(actions[i]))
            assert np.array_equal(obs[i], o) and rew[i] == r and term[i] == t and trunc[i] == u
            assert vec.trajectory_hash(i) == info["trajectory_hash"]
            done[i] = t or u


def test_next_step_autoreset():
    vec = ludus.make_vec("corridor", 2, params={"length": 3})
    assert vec.metadata["autoreset_mode"] == AutoresetMode.NEXT_STEP
    vec.reset(seed=0)
    obs, rew, term, trunc, infos = play_until_end(vec, np.array([1, 1]))
    ended = term | trunc
    assert infos["_episode"][ended].all() and (infos["episode"]["l"][ended] > 0).all()
    obs2, rew2, term2, trunc2, _ = vec.step(np.array([1, 1]))
    assert (rew2[ended] == 0).all() and not (term2[ended] | trunc2[ended]).any()
    assert (obs2[ended][:, 1] == 2).all()  # a new episode: goal cell of length 3


def test_same_step_autoreset():
    vec = ludus.make_vec("corridor", 2, params={"length": 3}, autoreset_mode=AutoresetMode.SAME_STEP)
    assert vec.metadata["autoreset_mode"] == AutoresetMode.SAME_STEP
    vec.reset(seed=0)
    obs, rew, term, trunc, infos = play_until_end(vec, np.array([1, 1]))
    ended = term | trunc
    assert infos["_final_obs"][ended].all()
    for i in np.flatnonzero(ended):
        final = infos["final_obs"][i]
        assert final[0] == final[1] == 2  # the goal was reached in the final observation
        assert obs[i][0] < 2  # the returned observation is the next episode's first


def test_disabled_autoreset_and_reset_mask():
    vec = ludus.make_vec("corridor", 2, params={"length": 3}, autoreset_mode=AutoresetMode.DISABLED)
    vec.reset(seed=0)
    _, _, term, trunc, _ = play_until_end(vec, np.array([1, 1]))
    ended = term | trunc
    obs, _ = vec.reset(options={"reset_mask": ended})
    assert len(obs) == ended.sum()


def test_send_recv_subset():
    vec = ludus.make_vec("gridworld/door_key", 4, threads=2)
    vec.reset(seed=1)
    vec.send(np.array([2, 2]), env_ids=[3, 1])
    obs, rew, term, trunc, infos = vec.recv()
    assert list(infos["env_id"]) == [3, 1] and obs["image"].shape == (2, 7, 7, 3)


def test_per_environment_params():
    vec = ludus.make_vec("corridor", 2, params=[{"length": 4}, {"length": 9}])
    obs, _ = vec.reset(seed=0)
    assert list(obs[:, 1]) == [3, 8]
    vec.set_params(0, {"length": 20})
    vec.reset()
    obs, _ = vec.reset()
    assert obs[0, 1] == 19


def test_buffers_are_reused_in_place():
    vec = ludus.make_vec("gridworld/door_key", 2)
    before = vec._batch.numbers.ctypes.data
    vec.reset(seed=0)
    vec.step(np.array([0, 1]))
    assert vec._batch.numbers.ctypes.data == before


def test_threads_do_not_change_results():
    results = []
    for threads in (1, 2):
        vec = ludus.make_vec("gridworld/door_key", 6, threads=threads)
        vec.reset(seed=3)
        rng = np.random.default_rng(1)
        for _ in range(50):
            vec.step(rng.integers(0, 7, size=6))
        results.append([vec.trajectory_hash(i) for i in range(6)])
    assert results[0] == results[1]


SLOW = '''
local E = {
  id = "test/slow", description = "a step that computes for a while", version = "1.0.0",
  observation_space = space.box(0, 1e9, {1}), action_space = space.discrete(2),
  params = { spin = { kind = "int", min = 0, max = 100000000, default = 0, description = "loop iterations per step" } },
  max_steps = 4,
}
function E.reset(self, params) self.spin = params.spin; self.t = 0; return {0}, {} end
function E.step(self, action)
  local x = action
  for i = 1, self.spin do x = (x * 31 + i) % 1000003 end
  self.t = self.t + 1
  return {x}, self.t + action, self.t >= 4, false, {}
end
return E
'''


@pytest.fixture
def slow_env(tmp_path):
    path = tmp_path / "slow.lua"
    path.write_text(SLOW)
    return str(path)


def test_send_returns_before_the_step_ends(slow_env):
    # Each step computes for a good fraction of a second: send must return long before that,
    # with the engine still stepping while Python runs, and recv must return what step does.
    vec = ludus.make_vec(slow_env, 2, threads=2, params={"spin": 30_000_000}, time_limit=60_000)
    twin = ludus.make_vec(slow_env, 2, threads=1, params={"spin": 30_000_000}, time_limit=60_000)
    vec.reset(seed=3)
    twin.reset(seed=3)
    vec.send(np.array([1, 0]))
    assert vec.in_flight() and vec._batch.flight() == "running"
    python_ran = 0
    while vec.in_flight():
        python_ran += 1
    assert python_ran > 0
    assert vec._batch.flight() == "done"
    obs, rew, term, trunc, infos = vec.recv()
    assert vec._batch.flight() == "idle" and not vec.in_flight()
    expected = twin.step(np.array([1, 0]))
    assert np.array_equal(obs, expected[0]) and np.array_equal(rew, expected[1])
    assert np.array_equal(infos["episode_hash"], expected[4]["episode_hash"])


def test_send_and_recv_out_of_order_raise(slow_env):
    import gymnasium

    vec = ludus.make_vec(slow_env, 2, params={"spin": 1000})
    vec.reset(seed=0)
    with pytest.raises(gymnasium.error.Error, match="recv\\(\\) without send\\(\\)"):
        vec.recv()
    with pytest.raises(ludus.LudusError, match="recv\\(\\) without send\\(\\)"):
        vec._batch.recv()
    vec.send(np.array([0, 1]))
    with pytest.raises(gymnasium.error.Error, match="send\\(\\) twice"):
        vec.send(np.array([0, 1]))
    # The engine refuses too, and refuses every other call on the batch while the step is out.
    with pytest.raises(ludus.LudusError, match="send\\(\\) twice"):
        vec._batch.send(np.array([0, 1]))
    with pytest.raises(ludus.LudusError, match="in flight"):
        vec._batch.step(np.array([0, 1]))
    with pytest.raises(ludus.LudusError, match="in flight"):
        vec.reset(seed=0)
    obs, rew, *_ = vec.recv()
    assert list(rew) == [1.0, 2.0]
    vec.step(np.array([0, 0]))  # idle again


def test_send_recv_equals_step():
    # The split step on all environments or a subset gives step()'s results and hashes.
    vec = ludus.make_vec("gridworld/door_key", 4, threads=2)
    twin = ludus.make_vec("gridworld/door_key", 4, threads=2)
    vec.reset(seed=5)
    twin.reset(seed=5)
    rng = np.random.default_rng(1)
    for k in range(300):
        actions = rng.integers(0, 7, size=4)
        if k % 3 == 0:
            vec.send(actions[:2], env_ids=[2, 0])
            _, rew, *_ = vec.recv()
            twin._batch.step(actions[:2], np.array([2, 0]))
            assert np.array_equal(rew, twin._batch.rewards[[2, 0], 0])
            continue
        vec.send(actions)
        got = vec.recv()
        want = twin.step(actions)
        assert np.array_equal(got[0]["image"], want[0]["image"])
        for a, b in zip(got[1:4], want[1:4]):
            assert np.array_equal(a, b)
        assert np.array_equal(got[4]["episode_hash"], want[4]["episode_hash"])
    for i in range(4):
        assert vec.trajectory_hash(i) == twin.trajectory_hash(i)


@pytest.mark.parametrize("threads", [1, 2])
def test_text_rows_are_decoded_again_only_where_they_changed(threads):
    """A batch's texts are cached between steps (a gridworld's mission is decoded once);
    rows whose bytes or lengths changed, and only those, are decoded again: stepping a few
    environments of a one-step text task at a time gives each row the text a fresh decode
    of the buffer gives."""
    vec = ludus.make_vec("countdown/text", 5, threads=threads, autoreset_mode=AutoresetMode.SAME_STEP)
    vec.reset(seed=3)
    b = vec._batch
    fresh = lambda: [b._decode_row(b.text, b.text_length, i) for i in range(b.num_envs)]  # noqa: E731
    assert b.texts() == fresh()
    before = b.texts()
    for ids in ([0, 3], [1], [0, 1, 2, 3, 4], [4], [2, 3]):
        b.step(["1 + 2"] * len(ids), np.array(ids))  # each step ends its episode: the next question, at once
        now = b.texts()
        assert now == fresh()
        assert b.texts() is now  # unchanged bytes: the rows decoded last time, as they are
        changed = {i for i in range(5) if now[i] != before[i]}
        assert changed <= set(ids) and changed, (ids, changed)
        before = now
    door = ludus.make_vec("gridworld/door_key", 3, threads=threads, params={"size": 5})
    door.reset(seed=1)
    missions = door._batch.texts()
    for _ in range(20):
        door.step(door.action_space.sample())
        assert door._batch.texts() == [door._batch._decode_row(door._batch.text, door._batch.text_length, i) for i in range(3)]
    assert all(m[0] for m in missions)


@pytest.mark.parametrize("threads", [1, 2])
def test_each_call_is_summarised_for_the_python_side(threads):
    """The engine's summary of a call, which lets the wrapper skip work: its text count moves
    exactly in the calls that changed some text slot (then the texts are decoded again), and
    it counts the call's environments that ended an episode."""
    vec = ludus.make_vec("countdown/text", 4, threads=threads, autoreset_mode=AutoresetMode.SAME_STEP)
    vec.reset(seed=5)
    b = vec._batch
    for ids in ([0, 2], [1], [0, 1, 2, 3]):
        texts, count = b.texts(), int(b.summary[0])
        b.step(["1 + 2"] * len(ids), np.array(ids))  # every step ends its episode: new questions
        assert int(b.summary[1]) == len(ids) == int(b.ended[ids].sum())
        assert int(b.summary[0]) == count + 1
        assert b.texts() != texts
    door = ludus.make_vec("gridworld/door_key", 3, threads=threads, params={"size": 5})
    door.reset(seed=2)
    count, ends = int(door._batch.summary[0]), 0
    for _ in range(600):  # past the 250-step cap of a 5x5 grid: every environment ends an episode
        _, _, terminated, truncated, _ = door.step(door.action_space.sample())
        assert int(door._batch.summary[1]) == int((terminated | truncated).sum())
        ends += int(door._batch.summary[1])
    # The mission of a door_key grid is one text: written once, never again, episodes after episodes.
    assert ends >= 3
    assert int(door._batch.summary[0]) == count


@pytest.mark.parametrize("threads", [2, 8])
def test_a_call_ends_without_helpers_that_wake_late(threads):
    """A call waits for its environments, not for its helper threads: after a pause longer
    than their spin the helpers sleep, so the caller often steps every share before they
    wake, and a helper that wakes after its call has ended must leave the next one's state
    alone. Against a one-thread twin, with pauses that let the helpers fall asleep."""
    import time

    make = lambda t: ludus.make_vec("corridor", 12, threads=t, params={"length": 5, "slip": 0.2})  # noqa: E731
    vec, twin = make(threads), make(1)
    vec.reset(seed=9)
    twin.reset(seed=9)
    rng = np.random.default_rng(threads)
    a, b = vec._batch, twin._batch
    for call in range(120):
        if call % 3 == 0:
            time.sleep(0.001)  # past the helpers' 200 us spin: they sleep and wake late
        actions = rng.integers(0, 2, size=12)
        a.step(actions)
        b.step(actions)
        for name in ("numbers", "rewards", "terminated", "truncated", "episode_hash", "episode_length"):
            assert np.array_equal(getattr(a, name), getattr(b, name)), (call, name)


@pytest.mark.parametrize("threads,num_envs", [(2, 1), (2, 5), (3, 13), (8, 5), (3, 2)])
def test_threads_step_each_environment_once_per_call(threads, num_envs):
    """The batch's threads split each call into shares and take what is left of each
    other's: every environment of the call is stepped exactly once, whichever thread steps
    it. Random subsets of ids, against a one-thread twin: the same observations, rewards,
    flags and episode hashes after every call."""
    make = lambda t: ludus.make_vec("corridor", num_envs, threads=t, params={"length": 5, "slip": 0.2})  # noqa: E731
    vec, twin = make(threads), make(1)
    vec.reset(seed=4)
    twin.reset(seed=4)
    rng = np.random.default_rng(threads * 100 + num_envs)
    a, b = vec._batch, twin._batch
    for _ in range(300):
        ids = np.flatnonzero(rng.random(num_envs) < 0.7) if num_envs > 1 else np.arange(1)
        if len(ids) == 0:
            continue
        actions = rng.integers(0, 2, size=len(ids))
        a.step(actions, ids)
        b.step(actions, ids)
        for name in ("numbers", "rewards", "terminated", "truncated", "episode_hash", "episode_length"):
            assert np.array_equal(getattr(a, name), getattr(b, name)), name
    a.set_threads(1)
    a.set_threads(threads)  # a new pool each time: the old one's threads end
    a.step(np.zeros(num_envs, dtype=np.int64))
    b.step(np.zeros(num_envs, dtype=np.int64))
    assert np.array_equal(a.numbers, b.numbers)
