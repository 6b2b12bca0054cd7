"""Benchmark the ``"rocket"`` stage and the ``rocket-kmeans`` baseline (not a test).

1. Time and peak memory of the stage (bias fitting + features) over every window of a
   store (HAPT: 10,929 x 128 x 6), with ``--threads`` torch threads.
2. ``rocket-kmeans`` NMI / ARI on the store (k = ``--k``) and on UCR problems (TRAIN and
   TEST merged, k = number of classes), next to plain k-means on the flattened series.

Printed as markdown. Example::

    OMP_NUM_THREADS=1 python scripts/bench_rocket.py scratch/hapt.h5 --threads 1 \\
        --ucr ../shared/data/ucr2018 --problems SwedishLeaf Plane ItalyPowerDemand
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time

import numpy as np
import torch

from tsclust._validation import to_channels_first
from tsclust.baselines import FlatKMeans, RocketKMeans
from tsclust.data import read_ucr
from tsclust.io import read_windows
from tsclust.metrics import ari, nmi
from tsclust.models.stages import RocketStage
from tsclust.training import fit_stage_windows, raw_features


def _rss_mib(peak: bool) -> float:
    if peak:
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return rss / 2**20 if sys.platform == "darwin" else rss / 1024  # bytes / KiB
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def bench_stage(X: np.ndarray, n_features: int, seed: int) -> None:
    x = to_channels_first(X)  # (N, C, L) float32
    before = _rss_mib(peak=False)
    t0 = time.perf_counter()
    stage = RocketStage(x.shape[1], x.shape[2], n_features, seed=seed)
    fit_stage_windows(stage, x)
    t1 = time.perf_counter()
    feats = raw_features(stage, x)
    t2 = time.perf_counter()
    print(f"| stage | {len(x)} x {x.shape[2]} x {x.shape[1]} | {stage.n_features} features, "
          f"{len(stage.dilations)} dilations | fit {t1 - t0:.2f} s, features {t2 - t1:.2f} s "
          f"| RSS {before:.0f} MiB before, peak {_rss_mib(peak=True):.0f} MiB "
          f"(features alone {feats.nbytes / 2**20:.0f} MiB) |")


def bench_clustering(name: str, X: np.ndarray, y: np.ndarray, k: int, n_features: int,
                     seed: int) -> None:
    for label, est in (("rocket-kmeans", RocketKMeans(k, n_features=n_features,
                                                      random_state=seed)),
                       ("kmeans (flat)", FlatKMeans(k, random_state=seed))):
        t0 = time.perf_counter()
        est.fit(X)
        extra = f", {est.n_components_} PCA components" if hasattr(est, "n_components_") else ""
        print(f"| {name} | {X.shape[0]} x {X.shape[1]} x {X.shape[2]}, k={k} | {label} | "
              f"NMI {nmi(y, est.labels_):.3f} | ARI {ari(y, est.labels_):.3f} | "
              f"{time.perf_counter() - t0:.1f} s{extra} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", help="labelled window store (e.g. scratch/hapt.h5)")
    parser.add_argument("--k", type=int, default=12, help="clusters on the store")
    parser.add_argument("--ucr", default=None, help="UCR 2018 archive folder")
    parser.add_argument("--problems", nargs="*", default=[])
    parser.add_argument("--n-features", type=int, default=9996)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads")
    parser.add_argument("--stage-only", action="store_true", help="skip the clustering")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch threads: {torch.get_num_threads()}, load average: {os.getloadavg()}")
    w = read_windows(args.store)
    bench_stage(w.X, args.n_features, args.seed)
    if args.stage_only:
        return 0
    bench_clustering(os.path.basename(args.store), w.X, w.y, args.k, args.n_features, args.seed)
    for problem in args.problems:
        X, y = read_ucr(os.path.join(args.ucr, problem), split="both")
        bench_clustering(problem, X, y, len(np.unique(y)), args.n_features, args.seed)
    print(f"load average at the end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
