"""Ludus on Ray: sharded tournaments, datasets and teach sweeps as Ray tasks (docs/scale-out.md).

Each task runs the ``ludus`` CLI on one shard (``--shard K/N``) in a scratch folder of the
worker it lands on and returns the shard's bytes (an SQLite database, or JSON lines), so
workers need the CLI binary but no shared file system and not this package. The driver
gathers shards with ``ray.wait`` as they finish and combines them exactly as a serial run
would have written them: ``ludus merge`` for tournaments, concatenation in index order for
datasets. A task whose worker dies is run again by Ray (``max_retries``); a shard is a pure
function of the config and its index, so the retried shard is the same bytes.

Ray is an optional extra (``pip install ./python[ray]``); the CLI does not need it::

    import ray, ludus.ray
    ray.init()
    result = ludus.ray.tournament({"environment": "connect_four", "agents": ["random", "mcts:50"],
                                   "gamesPerPair": 100, "seed": 1}, shards=32, out="league.sqlite")
    print(result.ratings)
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import ray

# Tasks travel by value: a worker imports neither this module nor the rest of the package
# (whose native library it may not have), only the standard library and the CLI.
ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])


class ShardFailed(RuntimeError):
    """A shard's CLI run failed (not a dead worker, which Ray retries): its command and stderr."""


@dataclass
class TournamentResult:
    """The merged database, ``ludus ratings`` over it, and the shard files it was merged from."""

    db: str
    ratings: str
    shards: list = field(default_factory=list)


def find_cli(cli=None):
    """The ``ludus`` binary: ``cli``, else ``$LUDUS_CLI``, else ``ludus`` on the PATH (an absolute path, for workers)."""
    path = cli or os.environ.get("LUDUS_CLI") or shutil.which("ludus")
    if not path:
        raise FileNotFoundError("no ludus CLI: pass cli=PATH, set LUDUS_CLI or put ludus on the PATH")
    return str(Path(path).resolve())


def _run(command, cwd):
    done = subprocess.run(command, capture_output=True, text=True, cwd=cwd)
    if done.returncode != 0:
        raise ShardFailed(f"{' '.join(map(str, command))} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


def _tournament_shard(cli, config_text, index, count, workers, round=None, earlier=None):
    """One shard of a tournament (of Swiss round ``round``, paired from ``earlier``, the bytes of
    the merged earlier rounds), played in a scratch folder: the database's bytes."""
    with tempfile.TemporaryDirectory(prefix="ludus-shard-") as scratch:
        config = Path(scratch, "config.json")
        config.write_text(config_text)
        db = Path(scratch, "shard.sqlite")
        command = [cli, "tournament", "--config", str(config), "--shard", f"{index}/{count}", "--workers", str(workers),
                   "--db", str(db), "--quiet"]
        if round is not None:
            command += ["--round", str(round)]
        if earlier is not None:
            Path(scratch, "earlier.sqlite").write_bytes(earlier)
            command += ["--from", str(Path(scratch, "earlier.sqlite"))]
        _run(command, cwd=scratch)
        return _checkpointed(db)


def _generate_shard(cli, arguments, index, count):
    """One shard of a dataset: its JSON lines."""
    with tempfile.TemporaryDirectory(prefix="ludus-shard-") as scratch:
        out = Path(scratch, "items.jsonl")
        _run([cli, "generate", *arguments, "--shard", f"{index}/{count}", "--out", str(out)], cwd=scratch)
        return out.read_bytes()


def _teach_shard(cli, arguments, index, count):
    """One shard of a teach sweep (its share of the runs): its database's bytes."""
    with tempfile.TemporaryDirectory(prefix="ludus-teach-") as scratch:
        db = Path(scratch, "shard.sqlite")
        _run([cli, "teach", *arguments, "--shard", f"{index}/{count}", "--db", str(db), "--quiet"], cwd=scratch)
        return _checkpointed(db)


def _checkpointed(db):
    """A database's bytes with its write-ahead log folded in: the file alone is the whole database."""
    import sqlite3

    connection = sqlite3.connect(db)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return Path(db).read_bytes()


def _gather(futures, on_result):
    """Takes results with ``ray.wait`` as they finish; ``on_result(index, value)`` for each."""
    pending = dict(futures)
    while pending:
        ready, _ = ray.wait(list(pending), num_returns=1)
        for future in ready:
            on_result(pending.pop(future), ray.get(future))


def _shard_and_merge(cli, out, prefix, shards, submit, earlier=(), partial=False):
    """Runs ``submit(index)`` for every shard, saves each shard's database beside ``out`` (in
    ``OUT.shards-*/``, where a failed merge can be looked into) as it arrives, and merges them
    with ``ludus merge`` (after the databases ``earlier``; ``--partial`` if asked) into ``out``,
    which must be new. Returns ``out`` and the shard paths."""
    out = Path(out) if out else Path(tempfile.mkdtemp(prefix=prefix), "merged.sqlite")
    if out.exists():
        raise FileExistsError(f"{out} exists: the merged database must be new")
    out.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=out.name + ".shards-", dir=out.parent))
    futures = {submit(index): index for index in range(shards)}
    paths = {}

    def save(index, data):
        path = folder / f"shard-{index}.sqlite"
        path.write_bytes(data)
        paths[index] = str(path)

    _gather(futures, save)
    shard_paths = [paths[index] for index in range(shards)]
    _run([cli, "merge", *(["--partial"] if partial else []), str(out), *map(str, earlier), *shard_paths], cwd=None)
    return out, shard_paths


def tournament(config, shards=2, out=None, cli=None, workers=1, max_retries=3, num_cpus=1):
    """Plays a tournament as ``shards`` Ray tasks and merges them into ``out``.

    ``config``: a dict of ``ludus tournament --config`` keys (``environment``, ``agents``,
    ``gamesPerPair``, ``seed``, ...) or the path of such a JSON file. The merged database is
    the serial run's, row for row; ``ratings`` is ``ludus ratings`` over it. A Swiss
    tournament (``"schedule": "swiss"``) is played round by round, a barrier per round: the
    ``shards`` tasks of round r are paired from the merge of rounds 0..r-1, shipped to them.
    """
    cli = find_cli(cli)
    if not isinstance(config, dict):
        config = json.loads(Path(config).read_text())
    if shards < 1:
        raise ValueError("shards must be at least 1")
    task = ray.remote(num_cpus=num_cpus, max_retries=max_retries)(_tournament_shard)
    text = json.dumps(config)
    if config.get("schedule") != "swiss":
        out, shard_paths = _shard_and_merge(cli, out, "ludus-tournament-", shards, lambda index: task.remote(cli, text, index, shards, workers))
    else:
        rounds = config.get("rounds") or _default_rounds(len(config["agents"]))
        out = Path(out) if out else Path(tempfile.mkdtemp(prefix="ludus-tournament-"), "merged.sqlite")
        earlier, shard_paths = None, []
        for round in range(rounds):
            last = round == rounds - 1
            # The earlier rounds' merge goes to the object store once, for every task of the round.
            shipped = ray.put(earlier.read_bytes()) if earlier else None
            target = out if last else out.parent / f"{out.name}.rounds-{round}.sqlite"
            merged, paths = _shard_and_merge(cli, target, "ludus-tournament-", shards,
                                             lambda index: task.remote(cli, text, index, shards, workers, round, shipped),
                                             earlier=[earlier] if earlier else [], partial=not last)
            earlier, shard_paths = merged, shard_paths + paths
    ratings = _run([cli, "ratings", "--db", str(out)], cwd=None)
    return TournamentResult(db=str(out), ratings=ratings, shards=shard_paths)


def _default_rounds(agents):
    """``SwissSchedule.defaultRounds``: ceil(log2 agents) + 1."""
    rounds = 1
    while 1 << rounds < agents:
        rounds += 1
    return rounds + 1


def generate(env, count, shards=2, seed=0, params=None, out=None, cli=None, max_retries=3, num_cpus=1):
    """Writes ``count`` items of ``env`` (``ludus generate``) as ``shards`` Ray tasks; the file
    at ``out`` (returned) is the serial run's byte for byte. ``params``: ``{name: value}``."""
    cli = find_cli(cli)
    if shards < 1:
        raise ValueError("shards must be at least 1")
    arguments = [env, "--count", str(count), "--seed", str(seed)]
    for name, value in (params or {}).items():
        arguments += ["--param", f"{name}={value}"]
    task = ray.remote(num_cpus=num_cpus, max_retries=max_retries)(_generate_shard)
    futures = {task.remote(cli, arguments, index, shards): index for index in range(shards)}
    parts = {}
    _gather(futures, parts.__setitem__)
    out = Path(out) if out else Path(tempfile.mkdtemp(prefix="ludus-generate-"), "items.jsonl")
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as file:
        for index in range(shards):
            file.write(parts[index])
    return str(out)


@dataclass
class SweepRun:
    """One (teacher, seed) run of a sweep: the merged database, the run's id in it, its evaluations."""

    teacher: str
    seed: int
    db: str
    evaluations: list  # [(episode, mastered fraction)]
    run_id: int = 0

    @property
    def mastered(self):
        return self.evaluations[-1][1] if self.evaluations else None


def sweep(teach_args, seeds, teachers, out=None, cli=None, shards=None, max_retries=3, num_cpus=1):
    """Runs the teach sweep ``teachers`` × ``seeds`` as ``shards`` Ray tasks (sharded by run,
    ``ludus teach --shard K/N``; default one task per run) and merges them with ``ludus merge``
    into ``out``, a new database identical to the serial ``ludus teach ... --teacher T1 --teacher
    T2 --seed S1,S2`` sweep's. ``teach_args``: the rest of the command (``["corridor", "--student",
    "q", "--episodes", "600"]``), without ``--teacher``, ``--seed``, ``--shard``, ``--db`` or ``--out``.
    Returns the runs in teacher-major order (the sweep's order), read back from ``out``."""
    import sqlite3

    cli = find_cli(cli)
    reserved = {"--teacher", "--seed", "--shard", "--db", "--out"} & {str(a).split("=")[0] for a in teach_args}
    if reserved:
        raise ValueError(f"sweep sets {', '.join(sorted(reserved))} itself: leave it out of teach_args")
    runs = [(teacher, seed) for teacher in teachers for seed in seeds]
    if not runs:
        raise ValueError("a sweep needs at least one teacher and one seed")
    shards = len(runs) if shards is None else shards
    if shards < 1:
        raise ValueError("shards must be at least 1")
    arguments = [str(a) for a in teach_args]
    for teacher in teachers:
        arguments += ["--teacher", str(teacher)]
    arguments += ["--seed", ",".join(str(seed) for seed in seeds)]
    task = ray.remote(num_cpus=num_cpus, max_retries=max_retries)(_teach_shard)
    out, _ = _shard_and_merge(cli, out, "ludus-sweep-", shards, lambda index: task.remote(cli, arguments, index, shards))
    with sqlite3.connect(out) as connection:
        ids = dict(connection.execute("SELECT sweep_index, id FROM teach_run").fetchall())
        results = []
        for index, (teacher, seed) in enumerate(runs):
            evaluations = connection.execute("SELECT episode, mastered FROM teach_eval WHERE run_id = ? ORDER BY episode", (ids[index],)).fetchall()
            results.append(SweepRun(teacher=teacher, seed=seed, db=str(out), evaluations=evaluations, run_id=ids[index]))
    return results
