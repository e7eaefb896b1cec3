#!/usr/bin/env python3
"""Checks Ludus's report statistics (Sources/Ludus/Statistics/) against rliable 1.2.0.

Reads a JSON file written by Tests/LudusTests/ReportStatisticsTests.swift: score matrices
(runs x tasks) per algorithm, the stratified-bootstrap resample indices Swift drew, and
Swift's results. rliable computes the same metrics on the same data; its bootstrap is fed
Swift's resample indices (StratifiedBootstrap.update_indices replaced), so point estimates
and intervals must agree to 1e-6. With rliable's own random resamples (2,000), the
intervals must agree within 0.05 (a documented tolerance: different draws).
Prints one line per check; exits non-zero on any disagreement."""
import importlib.util
import json
import sys
import types

import numpy as np

try:
    from rliable import library as rly
    from rliable import metrics
except TypeError:
    # arch 7.2's top-level package fails to import with pandas 3 (a decorator signature);
    # rliable needs only arch.bootstrap, which imports fine without arch/__init__.py.
    spec = importlib.util.find_spec("arch")
    stub = types.ModuleType("arch")
    stub.__path__ = list(spec.submodule_search_locations)
    sys.modules["arch"] = stub
    from rliable import library as rly
    from rliable import metrics

data = json.load(open(sys.argv[1]))
scores = {name: np.array(matrix, dtype=float) for name, matrix in data["scores"].items()}
indices = [np.array(m, dtype=int) for m in data["indices"]]
reps = len(indices)
swift = data["swift"]
failures = 0


def compare(label, ours, theirs, tolerance=1e-6):
    global failures
    ours, theirs = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    if theirs.size == ours.size:
        theirs = theirs.reshape(ours.shape)  # rliable returns a scalar's interval as a 2 x 1 array
    difference = float(np.max(np.abs(ours - theirs))) if ours.size else 0.0
    good = ours.shape == theirs.shape and difference <= tolerance
    failures += 0 if good else 1
    print(f"{'ok  ' if good else 'FAIL'} {label}: max |difference| {difference:.2e} (tolerance {tolerance:g})")


original = rly.StratifiedBootstrap.update_indices


def swift_indices(self):
    """The next of Swift's resamples, in Swift's order (one sequence per bootstrap object)."""
    if not hasattr(self, "_ludus_next"):
        self._ludus_next = iter(indices)
    run_indices = next(self._ludus_next)
    return (run_indices, *self._strata_indices)


aggregates = {
    "mean": metrics.aggregate_mean,
    "median": metrics.aggregate_median,
    "iqm": metrics.aggregate_iqm,
    "optimality_gap": metrics.aggregate_optimality_gap,
}
rly.StratifiedBootstrap.update_indices = swift_indices
for name, function in aggregates.items():
    points, intervals = rly.get_interval_estimates(scores, function, reps=reps)
    for algorithm in scores:
        compare(f"{name} of {algorithm}", swift[algorithm][name]["value"], points[algorithm])
        compare(f"{name} 95% interval of {algorithm} (same resamples)",
                [swift[algorithm][name]["low"], swift[algorithm][name]["high"]], intervals[algorithm])
taus = np.array(data["taus"])
profiles, profile_cis = rly.create_performance_profile(scores, taus, reps=reps)
for algorithm in scores:
    compare(f"performance profile of {algorithm}", swift[algorithm]["profile"]["value"], profiles[algorithm])
    compare(f"performance profile 95% band of {algorithm} (same resamples)",
            [swift[algorithm]["profile"]["low"], swift[algorithm]["profile"]["high"]], profile_cis[algorithm])
rly.StratifiedBootstrap.update_indices = original

for pair in data["improvement"]:
    x, y = pair["x"], pair["y"]
    compare(f"P({x} > {y})", pair["value"], metrics.probability_of_improvement(scores[x], scores[y]))

np.random.seed(0)
for name in ("iqm", "mean"):
    _, intervals = rly.get_interval_estimates(scores, aggregates[name], reps=2000)
    for algorithm in scores:
        compare(f"{name} 95% interval of {algorithm} (rliable's own 2,000 resamples)",
                [swift[algorithm][name + "_2000"]["low"], swift[algorithm][name + "_2000"]["high"]], intervals[algorithm], tolerance=0.05)
print(f"rliable cross-check: {failures} disagreement(s)")
sys.exit(1 if failures else 0)
