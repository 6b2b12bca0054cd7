"""How a univariate fit's time and memory grow with n (not a test).

Fits ``DeepClusterer(4)`` on ``n`` synthetic one-channel series of 128 samples (four
shapes: sine, square, sawtooth and a bump, random phase and noise), each size in a fresh
process, and prints the fit seconds, NMI and the peak RSS. ``--params`` passes other
settings as JSON, e.g. the steady setting of docs/results_panel.md
``'{"architecture": "rocket", "head": "kmeans", "pretext": "neighbours", "batch_size": 32}'``.

    OMP_NUM_THREADS=1 python scripts/bench_default_n.py --sizes 1000,5000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time


def series(n: int, length: int = 128, seed: int = 0):
    """``n`` one-channel series ``(n, length, 1)`` of four shapes, and their shape labels."""
    import numpy as np

    rng = np.random.default_rng(seed)
    t = np.linspace(0, 4 * np.pi, length)[None, :] + rng.uniform(0, 2 * np.pi, (n, 1))
    y = rng.integers(0, 4, n)
    shapes = np.stack([np.sin(t), np.sign(np.sin(t)), (t % (2 * np.pi)) / np.pi - 1,
                       np.exp(-((t % (2 * np.pi)) - np.pi) ** 2)])
    X = shapes[y, np.arange(n)] + 0.3 * rng.standard_normal((n, length))
    return X[:, :, None].astype("float32"), y


def one(n: int, params: dict) -> dict:
    from tsclust import DeepClusterer
    from tsclust.metrics import nmi

    X, y = series(n)
    t0 = time.perf_counter()
    labels = DeepClusterer(4, random_state=0, **params).fit_predict(X)
    return {"n": n, "fit_s": round(time.perf_counter() - t0, 1), "nmi": round(nmi(y, labels), 3),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--params", default="{}", help="DeepClusterer settings as JSON")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    params = json.loads(args.params)
    if args.one:
        print(json.dumps(one(args.one, params)))
        return
    for n in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run([sys.executable, __file__, "--one", str(n), "--params", args.params],
                             capture_output=True, text=True, check=True)
        print(out.stdout.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
