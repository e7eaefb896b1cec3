#!/usr/bin/env python3
"""ALP-GMM refit speed: Ludus's EM against scikit-learn's GaussianMixture.

One ALP-GMM refit fits a Gaussian mixture for every k in 2..10 (full covariance,
one initialisation, k-means init, tol 1e-3, reg_covar 1e-6, at most 100 EM rounds)
on the last 250 (task, ALP) rows and keeps the lowest AIC. This script draws
DATASETS datasets of 250 points in 3 dimensions (a mixture of 2..6 Gaussian blobs
in the unit cube, like unit-scaled task parameters plus ALP), times that refit in
scikit-learn (in this process) and in Ludus (``ludus bench-gmm FILE``, timed inside
the Ludus process so start-up is not counted), and reports the speed ratio (target:
Ludus at least 10x faster) and how often both pick the same k (with, for scale, how
often scikit-learn agrees with itself under another random_state: one EM init
lands in different local optima, and AIC then picks different k).

    python3 bench/alpgmm_speed.py [--ludus .build/release/ludus] [--datasets 20] [--repeat 5] [--seed 0] [--json]

Exit status: 0, or 2 when scikit-learn or the Ludus binary is missing.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# One thread on both sides (ALP-GMM refits run inside one worker); set before numpy loads.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def datasets(count, seed, n=250, d=3):
    import numpy as np

    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        blobs = int(rng.integers(2, 7))
        centres = rng.uniform(0, 1, size=(blobs, d))
        scales = rng.uniform(0.02, 0.12, size=blobs)
        weights = rng.dirichlet(np.ones(blobs) * 2)
        labels = rng.choice(blobs, size=n, p=weights)
        x = centres[labels] + rng.normal(size=(n, d)) * scales[labels][:, None]
        out.append((blobs, x))
    return out


def sklearn_refit(x, seed):
    from sklearn.mixture import GaussianMixture

    best = None
    for k in range(2, 11):
        gmm = GaussianMixture(n_components=k, covariance_type="full", n_init=1, init_params="kmeans",
                              tol=1e-3, reg_covar=1e-6, max_iter=100, random_state=seed)
        gmm.fit(x)
        aic = gmm.aic(x)
        if best is None or aic < best[1]:
            best = (k, aic)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ludus", default=os.path.join(ROOT, ".build/release/ludus"))
    parser.add_argument("--datasets", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5, help="timed refits per dataset and side")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print one JSON summary line")
    args = parser.parse_args()

    try:
        import numpy  # noqa: F401
        import sklearn
    except ImportError as error:
        print(f"alpgmm_speed: scikit-learn is needed ({error}); make peers", file=sys.stderr)
        return 2
    if not os.access(args.ludus, os.X_OK):
        print(f"alpgmm_speed: no Ludus binary at {args.ludus} (make release)", file=sys.stderr)
        return 2

    data = datasets(args.datasets, args.seed)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump([x.tolist() for _, x in data], f)
        path = f.name
    try:
        out = subprocess.run([args.ludus, "bench-gmm", path, "--repeat", str(args.repeat), "--seed", str(args.seed)],
                             check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(path)
    ludus = [json.loads(line) for line in out.splitlines() if line.strip()]

    rows = []
    for i, (blobs, x) in enumerate(data):
        sklearn_refit(x, args.seed + i)  # warm-up (imports, caches)
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            k, _ = sklearn_refit(x, args.seed + i)
            times.append(time.perf_counter() - start)
        other_k, _ = sklearn_refit(x, args.seed + i + 1000)  # untimed: scikit-learn against itself, another init
        rows.append({"blobs": blobs, "sklearn_k": k, "sklearn_s": statistics.mean(times), "sklearn_other_k": other_k,
                     "ludus_k": ludus[i]["k"], "ludus_s": ludus[i]["seconds"]})

    sk_total = sum(r["sklearn_s"] for r in rows)
    lu_total = sum(r["ludus_s"] for r in rows)
    ratios = [r["sklearn_s"] / r["ludus_s"] for r in rows]
    same = sum(r["sklearn_k"] == r["ludus_k"] for r in rows)
    near = sum(abs(r["sklearn_k"] - r["ludus_k"]) <= 1 for r in rows)
    summary = {
        "datasets": len(rows), "points": 250, "dims": 3, "k": "2..10",
        "sklearn_version": sklearn.__version__,
        "sklearn_ms_per_refit": 1000 * sk_total / len(rows),
        "ludus_ms_per_refit": 1000 * lu_total / len(rows),
        "speedup_total": sk_total / lu_total,
        "speedup_median": statistics.median(ratios),
        "same_k": same, "k_within_1": near,
        "sklearn_self_same_k": sum(r["sklearn_k"] == r["sklearn_other_k"] for r in rows),
        "true_blobs_sklearn": sum(r["sklearn_k"] == r["blobs"] for r in rows),
        "true_blobs_ludus": sum(r["ludus_k"] == r["blobs"] for r in rows),
    }
    if args.json:
        print(json.dumps(summary))
        return 0
    print(f"{'set':>3} {'blobs':>5} {'sklearn k':>9} {'ludus k':>7} {'sklearn ms':>10} {'ludus ms':>8} {'ratio':>6}")
    for i, r in enumerate(rows):
        print(f"{i:>3} {r['blobs']:>5} {r['sklearn_k']:>9} {r['ludus_k']:>7} {1000 * r['sklearn_s']:>10.1f} "
              f"{1000 * r['ludus_s']:>8.2f} {r['sklearn_s'] / r['ludus_s']:>6.1f}")
    print(f"ALP-GMM refit (k=2..10, 250x3, full covariance, AIC), scikit-learn {sklearn.__version__}: "
          f"{summary['sklearn_ms_per_refit']:.1f} ms vs Ludus {summary['ludus_ms_per_refit']:.2f} ms per refit: "
          f"{summary['speedup_total']:.1f}x faster (median per dataset {summary['speedup_median']:.1f}x, target >= 10x)")
    print(f"same k chosen by AIC: {same}/{len(rows)} (within 1: {near}/{len(rows)}); "
          f"k equal to the number of blobs: scikit-learn {summary['true_blobs_sklearn']}, Ludus {summary['true_blobs_ludus']}; "
          f"scikit-learn against itself with another random_state: {summary['sklearn_self_same_k']}/{len(rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
