"""Labels and scores of fixed-seed fits on HAPT and UCR problems, to check that a refactor keeps them.

``python scripts/hapt_labels.py hapt.h5 -o before.npz`` fits, with seed 0, on every window of
the store: the default ``DeepClusterer``, the ``cov-ward`` and ``rocket-kmeans`` baselines and
``RecordingClusterer`` (``rec+dec``); with ``--ucr Coffee,ECG200,GunPoint`` also the default,
``cov-ward`` and ``rocket-kmeans`` on those UCR problems (TRAIN+TEST merged, each channel
standardised over all series, as the panel does; from ``--ucr-root``). It prints ARI / NMI /
ACC and seconds, and saves the labels. With ``--against before.npz`` it also prints, per
fit, the fraction of series whose label differs from the earlier run (0.0: the same labels).
Only APIs that older versions also have are used, so that the same script runs on both sides
of a change.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import tsclust
from tsclust import io
from tsclust.baselines import CovWard, RocketKMeans
from tsclust.preprocessing import ChannelStandardScaler

DEFAULT_UCR_ROOT = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "ucr2018"


def _fits(X: np.ndarray, k: int, seed: int, groups: np.ndarray | None) -> dict:
    fits = {
        "default": lambda: tsclust.DeepClusterer(n_clusters=k, random_state=seed).fit(X).labels_,
        "cov-ward": lambda: CovWard(n_clusters=k, random_state=seed).fit(X).labels_,
        "rocket-kmeans": lambda: RocketKMeans(n_clusters=k, random_state=seed).fit(X).labels_,
    }
    if groups is not None:
        fits["rec+dec"] = lambda: tsclust.RecordingClusterer(
            n_clusters=k, random_state=seed).fit(X, groups=groups).labels_
    return fits


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("store", help="HAPT window store (tsclust windows ../shared/data/hapt -o hapt.h5)")
    p.add_argument("-o", "--out", required=True, help=".npz file for the labels")
    p.add_argument("--against", default=None, help="an earlier --out file to compare with")
    p.add_argument("--ucr", default="", help="comma-separated UCR problems to add")
    p.add_argument("--ucr-root", type=Path, default=DEFAULT_UCR_ROOT)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    w = io.read_windows(args.store)
    problems = {"HAPT": (w.X, w.y, w.origins[:, 0])}
    for name in [n for n in args.ucr.split(",") if n]:
        X, y = tsclust.read_ucr(args.ucr_root / name, split="both")
        problems[name] = (ChannelStandardScaler().fit_transform(X).astype(np.float32), y, None)
    before = dict(np.load(args.against)) if args.against else {}
    out = {}
    for problem, (X, y, groups) in problems.items():
        k = len(np.unique(y))
        for name, run in _fits(X, k, args.seed, groups).items():
            key = f"{problem}/{name}"
            t0 = time.perf_counter()
            labels = run()
            secs = time.perf_counter() - t0
            s = tsclust.evaluate(y, labels)
            line = (f"{key:26s} ARI {s['ari']:.4f} NMI {s['nmi']:.4f} ACC {s['acc']:.4f} "
                    f"{secs:6.1f} s")
            if key in before:
                line += f"  changed vs --against: {float((before[key] != labels).mean()):.4f}"
            print(line, flush=True)
            out[key] = labels
    np.savez(args.out, **out)


if __name__ == "__main__":
    main()
