"""A broken or hostile script raises a Python exception with the CLI's message; the
process never crashes; other environments of a batch go on."""

import numpy as np
import pytest

import ludus


def test_syntax_error_names_file_and_line(scripts, cli):
    with pytest.raises(ludus.ScriptError) as caught:
        ludus.make(str(scripts / "broken.lua"))
    message = str(caught.value)
    assert "broken.lua:3" in message
    cli_message = cli("info", scripts / "broken.lua", check=False).stderr
    assert message in cli_message


def test_time_limit_stops_a_loop(scripts):
    env = ludus.make(str(scripts / "looping.lua"), time_limit=100, hang=1)
    env.reset(seed=0)
    with pytest.raises(ludus.ScriptError, match="time limit") as caught:
        env.step(0)
    assert caught.value.kind == "time_limit"
    with pytest.raises(Exception):
        env.step(0)  # the episode is lost
    env.reset(seed=0)  # and the environment goes on


def test_runtime_error_message_is_the_clis(scripts, cli):
    env = ludus.make(str(scripts / "failing.lua"))
    env.reset(seed=0)
    env.step(0)
    env.step(0)
    with pytest.raises(ludus.ScriptError) as caught:
        env.step(0)
    out = cli("run", scripts / "failing.lua", check=False).stdout
    assert "boom at two" in str(caught.value) and "failing.lua:" in str(caught.value)
    assert str(caught.value).splitlines()[0] in out


def test_other_environments_of_a_batch_go_on(scripts):
    vec = ludus.make_vec(str(scripts / "looping.lua"), 3, threads=2, time_limit=100,
                         params=[{"hang": 0}, {"hang": 1}, {"hang": 0}])
    vec.reset(seed=0)
    with pytest.raises(ludus.BatchError) as caught:
        vec.step(np.zeros(3, dtype=np.int64))
    assert list(caught.value.errors) == [1] and "time limit" in str(caught.value.errors[1])
    b = vec._batch
    assert list(b.rewards[:, 0]) == [1.0, 0.0, 1.0] and vec.trajectory_hash(0) == vec.trajectory_hash(2)
    vec.set_params(1, {"hang": 0})
    obs, rew, term, trunc, infos = vec.step(np.zeros(3, dtype=np.int64))  # env 1 starts a new episode
    assert rew[1] == 0 and list(rew[[0, 2]]) == [1.0, 1.0]


def test_truncate_policy_reports_errors_in_infos(scripts):
    vec = ludus.make_vec(str(scripts / "looping.lua"), 2, time_limit=100, on_error="truncate",
                         params=[{"hang": 1}, {"hang": 0}])
    vec.reset(seed=0)
    _, _, term, trunc, infos = vec.step(np.zeros(2, dtype=np.int64))
    assert trunc[0] and not trunc[1] and "time limit" in infos["error"][0] and infos["_error"].tolist() == [True, False]


def test_memory_limit(tmp_path):
    (tmp_path / "hog.lua").write_text('''
local E = { id = "test/hog", description = "eats memory", version = "1",
  observation_space = space.discrete(2), action_space = space.discrete(2) }
function E.reset(self, params) return 0, {} end
function E.step(self, a) local t = {} for i = 1, 1e8 do t[i] = i end return 0, 0, true, false, {} end
return E
''')
    env = ludus.make(str(tmp_path / "hog.lua"), memory_limit=16, time_limit=5000)
    env.reset(seed=0)
    with pytest.raises(ludus.ScriptError, match="memory") as caught:
        env.step(0)
    assert caught.value.kind == "memory_limit"


def test_sandbox_violation(tmp_path):
    (tmp_path / "escape.lua").write_text('''
local E = { id = "test/escape", description = "tries os.execute", version = "1",
  observation_space = space.discrete(2), action_space = space.discrete(2) }
function E.reset(self, params) return 0, {} end
function E.step(self, a) os.execute("true") return 0, 0, true, false, {} end
return E
''')
    env = ludus.make(str(tmp_path / "escape.lua"))
    env.reset(seed=0)
    with pytest.raises(ludus.ScriptError):
        env.step(0)
