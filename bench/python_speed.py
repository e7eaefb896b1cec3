#!/usr/bin/env python3
"""The Python package's speed, against its peers, in one run.

    python3 bench/python_speed.py [--steps 200000] [--ludus .build/release/ludus] [--only vector|datasets]

1. `ludus.make_vec("gridworld/door_key", size 8)` with random actions on 2 threads, against
   Gymnasium's SyncVectorEnv and AsyncVectorEnv over MiniGrid's DoorKey-8x8 (the faster of
   the two), and against the CLI's own `ludus bench --threads 2 --checked` stepping the same
   number of VMs per thread (`--envs-per-thread`) through the episode driver, as the vector
   env does (what the bridge costs), and the binding's own speed without the driver;
2. countdown dataset generation and scoring through Python (`ludus.create_dataset`, every
   item read as a dict, and `ludus.score_answers`, one call for all answers) against
   reasoning-gym's `create_dataset` and `score_answer`, next to the CLI's `ludus generate`
   and `ludus score --batch` on the same items (process start included).
3. the same in CPU seconds (user + system, every thread; the machine is shared and wall-clock
   ratios swing 2x): countdown generation (1 worker each) and countdown and sudoku scoring
   through Python, over the CLI doing the same work in the same run, just before and just
   after (target: Python >= CLI, i.e. a ratio >= 1), next to reasoning-gym's CPU per item;
   and generation's wall clock in the same bracketed runs (Python's stream makes the next
   chunk while the last is parsed: its wall clock can match the CLI's, its CPU time cannot).
Prints each rate and the ratios. Uses the library `ludus` finds (LUDUS_LIBRARY, else the
release build of `make python`).
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np


def ludus_vector(num_envs, threads, steps, raw=False):
    import ludus

    vec = ludus.make_vec("gridworld/door_key", num_envs, threads=threads, params={"size": 8})
    vec.reset(seed=0)
    rng = np.random.default_rng(0)
    actions = rng.integers(0, 7, size=(256, num_envs))
    step = vec._batch.step if raw else vec.step
    calls = max(1, steps // num_envs)
    for k in range(20):
        step(actions[k % 256])
    start = time.perf_counter()
    for k in range(calls):
        step(actions[k % 256])
    return calls * num_envs / (time.perf_counter() - start)


def gymnasium_vector(kind, num_envs, steps):
    import gymnasium as gym
    import minigrid  # noqa: F401

    make = lambda: gym.make("MiniGrid-DoorKey-8x8-v0")  # noqa: E731
    vector = gym.vector.SyncVectorEnv if kind == "sync" else gym.vector.AsyncVectorEnv
    # MiniGrid's mission space has no shared-memory layout: the async env pickles observations.
    vec = vector([make for _ in range(num_envs)]) if kind == "sync" else vector([make for _ in range(num_envs)], shared_memory=False)
    vec.reset(seed=0)
    rng = np.random.default_rng(0)
    calls = max(1, steps // num_envs)
    start = time.perf_counter()
    for _ in range(calls):
        vec.step(rng.integers(0, 7, size=num_envs))
    rate = calls * num_envs / (time.perf_counter() - start)
    vec.close()
    return rate


def cli_bench(binary, steps, per_thread=1, checked=False):
    """`ludus bench` on 2 threads, `per_thread` instances each stepped in turn (the vector
    env's share of a thread: the same VMs in the caches). `checked`: through the episode
    driver with its per-step checks and the trajectory hash, as the vector env steps each
    environment (the same work without the bridge); else the binding's own speed, which
    leaves the driver out."""
    out = subprocess.run([binary, "bench", "gridworld/door_key", "--param", "size=8", "--threads", "2",
                          "--envs-per-thread", str(per_thread), "--steps", str(steps // 2), "--json"]
                         + (["--checked"] if checked else []),
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[0])["steps_per_second"]


def cli_generate(binary, size):
    start = time.perf_counter()
    subprocess.run([binary, "generate", "countdown", "--count", str(size), "--seed", "42"], check=True, stdout=subprocess.DEVNULL)
    return size / (time.perf_counter() - start)


def cli_score(binary, answers, entries):
    import os
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for answer, entry in zip(answers, entries):
            f.write(json.dumps({"item": entry, "answer": answer}) + "\n")
        path = f.name
    try:
        start = time.perf_counter()
        subprocess.run([binary, "score", "countdown/text", "--batch", path], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return len(answers) / (time.perf_counter() - start)
    finally:
        os.unlink(path)


def datasets(size):
    import ludus
    import reasoning_gym

    # Both sides make every item and hand each one to Python as a dict.
    start = time.perf_counter()
    ours = ludus.create_dataset("countdown", size=size, seed=42)
    mine = [ours[i] for i in range(size)]
    ours_gen = size / (time.perf_counter() - start)
    start = time.perf_counter()
    theirs = reasoning_gym.create_dataset("countdown", size=size, seed=42)
    items = [theirs[i] for i in range(size)]
    theirs_gen = size / (time.perf_counter() - start)
    answers = [item["answer"] for item in items] + [item["answer"] + " + 1" for item in items]
    entries = items + items
    start = time.perf_counter()
    scores = ludus.score_answers(answers, entries, env="countdown")
    ours_score = len(answers) / (time.perf_counter() - start)
    start = time.perf_counter()
    reference = [theirs.score_answer(a, e) for a, e in zip(answers, entries)]
    theirs_score = len(answers) / (time.perf_counter() - start)
    agree = float(np.mean(np.asarray(scores) == np.asarray(reference)))
    return ours_gen, theirs_gen, ours_score, theirs_score, agree, len(mine), (answers, entries)


def child_cpu(command):
    """(CPU seconds (user + system), wall-clock seconds) of a child process run to its end."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return np.array([after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, wall])


def own_cpu(body):
    """(CPU seconds of this process (every thread: the engine's workers too), wall-clock
    seconds) while `body` runs, and its result."""
    start, clock = time.process_time(), time.perf_counter()
    result = body()
    return np.array([time.process_time() - start, time.perf_counter() - clock]), result


def cpu_generation(binary, count):
    """(Python, CLI, items) (CPU, wall) seconds for `count` countdown items on 1 worker, every
    item a dict in Python (dataset load included on both sides; process start on the CLI's).
    Python's stream makes the next chunk while the last one is parsed, so its wall clock can
    beat the CLI's, not its CPU time (it builds the dicts the CLI never makes)."""
    import ludus

    def python():
        data = ludus.LudusDataset("countdown", size=count, seed=42, workers=1)
        n = sum(1 for _ in data)
        data.close()
        return n

    return bracketed(python, [binary, "generate", "countdown", "--count", str(count), "--seed", "42", "--workers", "1", "--quiet"],
                     lambda n: n == count)


def bracketed(python, command, check):
    """(Python, CLI) (CPU, wall) seconds, the CLI run before and after Python and averaged:
    the load of the machine drifts within seconds, and this cancels its first-order drift."""
    before = child_cpu(command)
    ours, result = own_cpu(python)
    assert check(result)
    return ours, (before + child_cpu(command)) / 2, result


def cpu_scoring(binary, name, env, repeat):
    """(Python, CLI, reasoning-gym) CPU seconds per answer for reasoning-gym's 200 items, each
    with its answer and a wrong one, `repeat` times: one `ludus.score_answers` call (dataset
    load included) against `ludus score ENV --batch` on the same lines."""
    import reasoning_gym_speed as rgs
    from ludus import datasets

    ds, pairs = rgs.scoring_pairs(name)
    entries = [entry for _ in range(repeat) for entry, _ in pairs]
    answers = [answer for _ in range(repeat) for _, answer in pairs]
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for answer, entry in zip(answers, entries):
            f.write(json.dumps({"item": entry, "answer": answer}) + "\n")
        path = f.name
    try:
        def python():
            datasets._sources.clear()  # a fresh load, as the CLI's
            return datasets.score_answers(answers, entries, env=env)

        ours, theirs, scores = bracketed(python, [binary, "score", env, "--batch", path], lambda scores: len(scores) == len(answers))
    finally:
        os.unlink(path)
    (rg, _), reference = own_cpu(lambda: [ds.score_answer(a, e) for e, a in pairs])
    assert list(scores[:len(pairs)]) == reference, f"{name}: scores differ from reasoning-gym's"
    return ours[0] / len(answers), theirs[0] / len(answers), rg / len(pairs)


def cpu_datasets(binary, items, runs):
    """Python/CLI items (answers) per CPU second, measured back to back, `runs` times."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import reasoning_gym_speed as rgs

    ratios = {}
    for _ in range(runs):
        made, written, _ = cpu_generation(binary, items)
        ratios.setdefault("countdown generation", []).append(written[0] / made[0])
        ratios.setdefault("countdown generation, wall clock", []).append(written[1] / made[1])
        ratios.setdefault("countdown generation items/cpu-s (python, cli)", []).append((items / made[0], items / written[0]))
        for name, env in rgs.SCORED[:2]:
            ours, theirs, rg = cpu_scoring(binary, name, env, 50)
            ratios.setdefault(f"{name} scoring", []).append(theirs / ours)
            ratios.setdefault(f"{name} scoring vs reasoning-gym", []).append(rg / ours)
    for key, values in ratios.items():
        if key.endswith("(python, cli)"):
            print(f"cpu: {key}: " + ", ".join(f"{a:.0f}/{b:.0f}" for a, b in values))
            continue
        if "reasoning-gym" in key:
            print(f"cpu: {key}: Python over reasoning-gym per CPU second median {statistics.median(values):.1f}x", flush=True)
        elif key.endswith("wall clock"):
            print(f"wall: {key}: Python/CLI items per second median {statistics.median(values):.2f}x"
                  f" (runs: {', '.join(f'{v:.2f}' for v in values)}; target >= 1: Python >= CLI)", flush=True)
        else:
            print(f"cpu: {key}: Python/CLI per CPU second median {statistics.median(values):.2f}x"
                  f" (runs: {', '.join(f'{v:.2f}' for v in values)}; target >= 1: Python >= CLI)", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=200_000)
    ap.add_argument("--envs", type=int, default=32, help="environments of the Ludus vector env")
    ap.add_argument("--peer-envs", type=int, default=8, help="environments of Gymnasium's vector envs")
    ap.add_argument("--sweep", type=int, nargs="*", default=[64, 128], help="more environment counts measured against the CLI")
    ap.add_argument("--items", type=int, default=2000)
    ap.add_argument("--ludus", default=".build/release/ludus")
    ap.add_argument("--only", choices=["vector", "datasets"], help="one part of the bench")
    ap.add_argument("--cpu-items", type=int, default=50_000, help="countdown items of the CPU-time generation runs")
    ap.add_argument("--runs", type=int, default=3, help="CPU-time runs (each ratio measured back to back)")
    args = ap.parse_args()
    if args.only != "datasets":
        vector(args)
    if args.only != "vector":
        wall_datasets(args)
        cpu_datasets(args.ludus, args.cpu_items, args.runs)
    return 0


def vector(args):
    # The machine's speed drifts by a quarter within a minute: the vector env and the CLI
    # on the same VMs are measured in turn, five times, and the medians compared.
    per_thread = max(1, args.envs // 2)
    rounds = [(ludus_vector(args.envs, 2, args.steps), cli_bench(args.ludus, args.steps, per_thread, checked=True),
               cli_bench(args.ludus, args.steps, per_thread)) for _ in range(5)]
    ours, same, binding = (statistics.median(r[k] for r in rounds) for k in range(3))
    raw = ludus_vector(args.envs, 2, args.steps, raw=True)
    sync = gymnasium_vector("sync", args.peer_envs, args.steps // 10)
    asynchronous = gymnasium_vector("async", args.peer_envs, args.steps // 10)
    alone = cli_bench(args.ludus, args.steps)
    best = max(sync, asynchronous)
    print(f"ludus.make_vec door_key-8 ({args.envs} envs, 2 threads): {ours:9.0f} steps/s (median of 5)  (raw batch calls {raw:9.0f})")
    print(f"gymnasium SyncVectorEnv  MiniGrid DoorKey-8x8 ({args.peer_envs} envs): {sync:9.0f} steps/s")
    print(f"gymnasium AsyncVectorEnv MiniGrid DoorKey-8x8 ({args.peer_envs} envs): {asynchronous:9.0f} steps/s")
    print(f"ludus bench --checked --threads 2 --envs-per-thread {per_thread} (CLI, no Python, the same {args.envs} VMs through the"
          f" episode driver, as the vector env): {same:9.0f} steps/s (median of 5)")
    print(f"ludus bench --threads 2 --envs-per-thread {per_thread} (the binding alone: no driver checks, no hash): {binding:9.0f} steps/s"
          f" (median of 5)  (one VM per thread, hot in the caches: {alone:9.0f})")
    print(f"ratio vs the faster gymnasium vector env: {ours / best:.1f}x (target >= 20x)")
    print(f"ratio vs ludus bench --checked on the same VMs: {ours / same:.2f}x (target >= 0.85x: the bridge costs < 15%;"
          f" rounds {', '.join(f'{r[0] / r[1]:.2f}' for r in rounds)})")
    print(f"ratio vs the binding alone on the same VMs: {ours / binding:.2f}x (rounds {', '.join(f'{r[0] / r[2]:.2f}' for r in rounds)};"
          f" the driver's checks and hash are {1 - same / binding:.0%} of the CLI's time; against one VM per thread {ours / alone:.2f}x)")
    # The bridge's cost per call is mostly fixed (the ctypes call, the results as new arrays,
    # the threads' hand-off) and Python's part of a call runs while the engine's threads wait:
    # its share falls as a call steps more environments.
    sweep = []
    for envs in args.sweep:
        ratios = [ludus_vector(envs, 2, args.steps) / cli_bench(args.ludus, args.steps, max(1, envs // 2), checked=True) for _ in range(3)]
        sweep.append(f"{envs} envs {statistics.median(ratios):.2f}x ({', '.join(f'{r:.2f}' for r in ratios)})")
    if sweep:
        print("ratio vs ludus bench --checked by environments per call (2 threads, medians of 3): " + "; ".join(sweep))


def wall_datasets(args):
    og, tg, os_, ts, agree, n, pairs = datasets(args.items)
    cg = cli_generate(args.ludus, args.items)
    cs = cli_score(args.ludus, *pairs)
    print(f"countdown generation: ludus.create_dataset {og:8.0f} items/s  reasoning_gym {tg:8.0f} items/s  ratio {og / tg:.1f}x"
          f"  (ludus generate {cg:.0f} items/s: ratio {cg / tg:.1f}x; target: Python >= CLI)")
    print(f"countdown scoring: ludus.score_answers {os_:8.0f}/s  reasoning_gym score_answer {ts:8.0f}/s  ratio {os_ / ts:.1f}x"
          f"  (ludus score --batch {cs:.0f}/s: ratio {cs / ts:.1f}x; same score on {100 * agree:.1f}% of {2 * n} answers)")


if __name__ == "__main__":
    sys.exit(main())
