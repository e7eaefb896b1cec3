"""ludus.Teacher: the same tasks, in the same order, as `ludus teach` for the same seed."""

import json

import pytest

import ludus


def teach_log(cli, tmp_path, teacher, episodes, *args):
    out = tmp_path / teacher.replace(":", "_")
    cli("teach", "corridor", "--teacher", teacher, "--student", "random", "--episodes", episodes, "--seed", 3,
        "--test-set", 2, "--eval-every", episodes, "--db", tmp_path / "teach.sqlite", "--out", out, "--quiet", *args)
    lines = [json.loads(l) for l in next(out.glob("run-*.jsonl")).read_text().splitlines()[1:]]
    return [l for l in lines if "episode" in l]


@pytest.mark.parametrize("teacher,episodes", [("random", 40), ("alp-gmm", 320), ("riac", 120), ("sec", 80),
                                              ("target", 60), ("plr", 80)])
def test_same_task_sequence_as_ludus_teach(cli, tmp_path, teacher, episodes):
    log = teach_log(cli, tmp_path, teacher, episodes, "--vary", "length=3..20", "--param", "slip=0.1")
    t = ludus.Teacher(teacher, env="corridor", vary={"length": (3, 20)}, params={"slip": 0.1}, seed=3)
    for entry in log:
        task = t.sample()
        assert json.dumps(task.params, sort_keys=True) == json.dumps(entry["params"], sort_keys=True), entry["episode"]
        assert str(task.seed) == entry["seed"] and task.replay == entry["replay"] and task.learn == entry["learned"]
        t.update(task, entry["return"], success=entry["success"], length=entry["length"])
    assert len(log) == episodes


def test_sec_takes_the_trainers_advantage():
    a = ludus.Teacher("sec", env="corridor", vary={"length": (3, 12)}, seed=0)
    b = ludus.Teacher("sec", env="corridor", vary={"length": (3, 12)}, seed=0)
    for k in range(30):
        ta, tb = a.sample(), b.sample()
        assert k > 0 or ta == tb
        a.update(ta, 0.5)
        b.update(tb, 0.5, advantage=0.9 if tb.params["length"] < 6 else 0.0)
    assert a.summary != b.summary


def test_vector_env_plays_a_task():
    t = ludus.Teacher("random", env="corridor", vary={"length": (5, 6)}, seed=1)
    vec = ludus.make_vec("corridor", 2)
    vec.reset(seed=0)
    task = t.sample()
    vec.set_task(0, task)
    env = ludus.make("corridor")
    obs_single, _ = env.reset(options={"params": task.params, "episode_seed": task.seed})
    import numpy as np
    for _ in range(300):
        obs, rew, term, trunc, infos = vec.step(np.array([1, 1]))
        if term[0] or trunc[0]:
            break
    obs, *_ = vec.step(np.array([1, 1]))
    assert np.array_equal(obs[0], obs_single) and infos is not None
    assert int(vec._batch.episode_seed[0]) == task.seed


def test_bad_teacher():
    with pytest.raises(ludus.SetupError, match="unknown teacher"):
        ludus.Teacher("nope", env="corridor")
    with pytest.raises(ludus.SetupError):
        ludus.Teacher("random", env="tic_tac_toe")
