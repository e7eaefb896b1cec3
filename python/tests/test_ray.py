"""ludus.ray on a real local Ray cluster (started once for the module, `ray.init(num_cpus=2)`):
1, 2 and 3 shards merge into exactly the serial database (game rows, hashes, ratings); a
shard whose worker is killed on its first attempt is retried and changes nothing; dataset
shards concatenate to the serial file; a teach sweep sharded by run merges into the serial sweep;
a Swiss tournament played round by round (a barrier per round) is the serial Swiss run."""

import os
import sqlite3
import stat
import subprocess

import pytest

from conftest import cli_path

ray = pytest.importorskip("ray")

CONFIG = {"environment": "connect_four", "agents": ["random", "mcts:4", "mcts:12"], "gamesPerPair": 4, "seed": 9}


@pytest.fixture(scope="module")
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def game_rows(db):
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT * FROM game ORDER BY tournament_id, game_index").fetchall()


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serial")
    (folder / "config.json").write_text(__import__("json").dumps(CONFIG))
    db = folder / "serial.sqlite"
    subprocess.run([cli_path(), "tournament", "--config", folder / "config.json", "--db", db, "--quiet"], check=True, capture_output=True)
    ratings = subprocess.run([cli_path(), "ratings", "--db", db], check=True, capture_output=True, text=True).stdout
    return game_rows(db), ratings


@pytest.mark.parametrize("shards", [1, 2, 3])
def test_shards_on_ray_merge_into_the_serial_database(cluster, serial, tmp_path, shards):
    import ludus.ray

    result = ludus.ray.tournament(CONFIG, shards=shards, out=tmp_path / "merged.sqlite", cli=cli_path())
    rows, ratings = serial
    assert len(rows) == 12
    assert game_rows(result.db) == rows
    assert result.ratings == ratings
    assert len(result.shards) == shards


def killing_once(tmp_path, command):
    """The CLI behind a wrapper that, the first time it runs `command` only, kills the Ray worker
    running it (its parent) with SIGKILL: Ray sees a dead worker and runs the task again."""
    marker = tmp_path / "killed-once"
    wrapper = tmp_path / "ludus-killing-once"
    wrapper.write_text(f"""#!/bin/sh
if [ "$1" = {command} ] && mkdir {marker} 2>/dev/null; then kill -9 $PPID; sleep 5; exit 1; fi
exec {os.path.abspath(cli_path())} "$@"
""")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return wrapper, marker


def test_a_killed_worker_is_retried_and_the_result_is_unchanged(cluster, serial, tmp_path):
    import ludus.ray

    wrapper, marker = killing_once(tmp_path, "tournament")
    result = ludus.ray.tournament(CONFIG, shards=3, out=tmp_path / "merged.sqlite", cli=wrapper, max_retries=2)
    assert marker.exists(), "the first attempt ran and killed its worker"
    rows, ratings = serial
    assert game_rows(result.db) == rows
    assert result.ratings == ratings


def test_a_failing_shard_is_reported_not_retried_forever(cluster, tmp_path):
    import ludus.ray

    with pytest.raises(Exception, match="unknown"):
        ludus.ray.tournament({**CONFIG, "environment": "no_such_game"}, shards=2, out=tmp_path / "x.sqlite", cli=cli_path(), max_retries=0)


def test_dataset_shards_on_ray_concatenate_to_the_serial_file(cluster, tmp_path):
    import ludus.ray

    serial = subprocess.run([cli_path(), "generate", "countdown/text", "--count", "77", "--seed", "3"], check=True, capture_output=True).stdout
    for shards in (1, 3):
        path = ludus.ray.generate("countdown/text", 77, shards=shards, seed=3, out=tmp_path / f"items-{shards}.jsonl", cli=cli_path())
        assert open(path, "rb").read() == serial


SWEEP_TABLES = ("teach_run", "teach_episode", "teach_eval", "teach_failure", "teach_decision", "teach_level", "teach_teacher_state")


def sweep_rows(db):
    """Every row of the sweep's run tables, in key order (the runs' start times left out)."""
    with sqlite3.connect(db) as connection:
        rows = {}
        for table in SWEEP_TABLES:
            columns = [c[1] for c in connection.execute(f"PRAGMA table_info({table})") if c[1] != "created_at"]
            rows[table] = connection.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY 1, 2, 3").fetchall()
        rows["teach_sweep"] = connection.execute("SELECT id, environment, config, runs_planned FROM teach_sweep").fetchall()
        rows["checkpoint"] = connection.execute("SELECT loop, run_id, progress, state FROM checkpoint ORDER BY 1, 2").fetchall()
    return rows


@pytest.mark.parametrize("shards", [None, 3])
def test_a_teach_sweep_on_ray_merges_into_the_serial_sweep(cluster, tmp_path, shards):
    import ludus.ray

    args = ["corridor", "--student", "q", "--vary", "length=4..10", "--episodes", "60", "--test-set", "5", "--eval-every", "30"]
    runs = ludus.ray.sweep(args, seeds=[1, 2], teachers=["random", "alp-gmm"], out=tmp_path / "sweep.sqlite", cli=cli_path(), shards=shards)
    assert [(run.teacher, run.seed, run.run_id) for run in runs] == [("random", 1, 1), ("random", 2, 2), ("alp-gmm", 1, 3), ("alp-gmm", 2, 4)]
    assert all(run.db == str(tmp_path / "sweep.sqlite") for run in runs)
    serial = tmp_path / "serial.sqlite"
    subprocess.run([cli_path(), "teach", *args, "--teacher", "random", "--teacher", "alp-gmm", "--seed", "1,2", "--db", serial, "--quiet"],
                   check=True, capture_output=True)
    expected = sweep_rows(serial)
    assert len(expected["teach_episode"]) == 4 * 60 and len(expected["teach_run"]) == 4
    assert sweep_rows(runs[0].db) == expected
    for run in runs:
        assert [episode for episode, _ in run.evaluations] == [0, 30, 60]
        with sqlite3.connect(serial) as connection:
            assert run.evaluations == connection.execute("SELECT episode, mastered FROM teach_eval WHERE run_id = ? ORDER BY episode", (run.run_id,)).fetchall()
    with pytest.raises(ValueError, match="--seed"):
        ludus.ray.sweep(args + ["--seed", "3"], seeds=[1], teachers=["random"], cli=cli_path())


def test_a_killed_sweep_worker_is_retried_and_the_sweep_is_unchanged(cluster, tmp_path):
    import ludus.ray

    args = ["corridor", "--student", "q", "--episodes", "40", "--test-set", "3", "--eval-every", "20"]
    wrapper, marker = killing_once(tmp_path, "teach")
    runs = ludus.ray.sweep(args, seeds=[1, 2], teachers=["random"], out=tmp_path / "sweep.sqlite", cli=wrapper, max_retries=2)
    assert marker.exists(), "the first attempt ran and killed its worker"
    serial = tmp_path / "serial.sqlite"
    subprocess.run([cli_path(), "teach", *args, "--seed", "1,2", "--db", serial, "--quiet"], check=True, capture_output=True)
    assert sweep_rows(runs[0].db) == sweep_rows(serial)


def test_a_swiss_tournament_on_ray_round_by_round_is_the_serial_run(cluster, tmp_path):
    import json

    import ludus.ray

    config = {"environment": "tic_tac_toe", "agents": ["random", "mcts:5", "mcts:10", "mcts:20", "random"], "gamesPerPair": 2,
              "seed": 3, "schedule": "swiss"}  # 4 rounds by default
    (tmp_path / "config.json").write_text(json.dumps(config))
    serial = tmp_path / "serial.sqlite"
    subprocess.run([cli_path(), "tournament", "--config", tmp_path / "config.json", "--db", serial, "--quiet"], check=True, capture_output=True)
    ratings = subprocess.run([cli_path(), "ratings", "--db", serial], check=True, capture_output=True, text=True).stdout
    result = ludus.ray.tournament(config, shards=2, out=tmp_path / "merged.sqlite", cli=cli_path())
    assert len(game_rows(serial)) == 4 * 2 * 2
    assert game_rows(result.db) == game_rows(serial)
    assert result.ratings == ratings
    assert len(result.shards) == 4 * 2, "2 shards in each of the 4 rounds"
