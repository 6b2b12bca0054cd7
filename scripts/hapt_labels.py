"""Labels and scores of three fixed-seed fits on HAPT, to check that a refactor keeps them.

``python scripts/hapt_labels.py hapt.h5 -o before.npz`` fits the default ``DeepClusterer``,
the ``cov-ward`` baseline and ``RecordingClusterer`` (``rec+dec``) with seed 0 on every window
of the store, prints ARI / NMI / ACC and seconds, and saves the labels. With ``--against
before.npz`` it also prints, per method, the fraction of windows whose label differs from the
earlier run (0.0 means the same labels).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import tsclust
from tsclust import io
from tsclust.baselines import CovWard


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("store")
    p.add_argument("-o", "--out", required=True, help=".npz file for the labels")
    p.add_argument("--against", default=None, help="an earlier --out file to compare with")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    w = io.read_windows(args.store)
    X, y, groups = w.X, w.y, w.origins[:, 0]
    k = len(np.unique(y))
    methods = {
        "default": lambda: tsclust.DeepClusterer(n_clusters=k, random_state=args.seed).fit(X).labels_,
        "cov-ward": lambda: CovWard(n_clusters=k, random_state=args.seed).fit(X).labels_,
        "rec+dec": lambda: tsclust.RecordingClusterer(n_clusters=k, random_state=args.seed)
        .fit(X, groups=groups).labels_,
    }
    before = dict(np.load(args.against)) if args.against else {}
    out = {}
    for name, run in methods.items():
        t0 = time.perf_counter()
        labels = run()
        secs = time.perf_counter() - t0
        scores = tsclust.evaluate(y, labels)
        line = f"{name:10s} ARI {scores['ari']:.4f} NMI {scores['nmi']:.4f} ACC {scores['acc']:.4f} {secs:6.1f} s"
        if name in before:
            line += f"  changed vs --against: {float((before[name] != labels).mean()):.4f}"
        print(line, flush=True)
        out[name] = labels
    np.savez(args.out, **out)


if __name__ == "__main__":
    main()
