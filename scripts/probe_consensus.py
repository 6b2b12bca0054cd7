"""Probe: does a consensus over embedding restarts lower the default's seed spread? (not a test)

For each panel problem (``tsclust.bench.panel.load_problem``) and seed, the default
architecture is pre-trained once (``DeepClusterer(k, head="kmeans", random_state=seed)``) and
its latents are embedded ``--restarts`` times (UMAP objective, ``default_n_neighbors``, seeds
``1000 * seed + r``), each embedding clustered by k-means. Variants, all label-free:

- ``single``: the first restart alone (what the ``umap`` head does today);
- ``medoid``: the restart whose labels agree best (mean ARI) with the other restarts;
- ``coassoc``: k-means on the restarts' one-hot labels side by side (a co-association
  consensus that needs no n x n matrix);
- ``km``: k-means on the latents (no embedding), for reference.

The seed spread of a variant is the mean over problems of the standard deviation of its NMI
over seeds.

    OMP_NUM_THREADS=1 python scripts/probe_consensus.py --problems $(cat benchmarks/panel_select.txt) --seeds 3 -o results/consensus_sel.csv
    python scripts/probe_consensus.py --summarise results/consensus_sel.csv
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans

from tsclust import DeepClusterer
from tsclust.bench import panel
from tsclust.clustering._embedding import embed
from tsclust.metrics import ari, nmi


def _kmeans(E: np.ndarray, k: int, seed: int) -> np.ndarray:
    return KMeans(k, n_init=10, random_state=seed).fit_predict(np.asarray(E, dtype=np.float64))


def medoid_partition(runs: list[np.ndarray]) -> np.ndarray:
    """The partition of ``runs`` with the highest mean ARI to the others."""
    agree = [np.mean([ari(a, b) for j, b in enumerate(runs) if j != i]) for i, a in enumerate(runs)]
    return runs[int(np.argmax(agree))]


def coassociation_partition(runs: list[np.ndarray], k: int, seed: int) -> np.ndarray:
    """k-means on the one-hot labels of every run side by side.

    The squared distance between two rows of that matrix is twice the number of runs that
    separate them, so k-means on it groups rows that the runs keep together.
    """
    onehot = np.hstack([np.eye(int(r.max()) + 1)[r] for r in runs])
    return KMeans(k, n_init=20, random_state=seed).fit_predict(onehot)


def run(problem: panel.Problem, seed: int, restarts: int) -> list[dict]:
    X, y = panel.load_problem(problem)
    k = len(np.unique(y))
    t = time.perf_counter()
    Z = DeepClusterer(k, head="kmeans", random_state=seed).fit(X).transform(X)
    pre = time.perf_counter() - t
    rows = []

    def add(name: str, labels: np.ndarray, seconds: float) -> None:
        rows.append({"dataset": problem.name, "seed": seed, "variant": name, "n": len(Z), "k": k,
                     "nmi": nmi(y, labels), "ari": ari(y, labels), "seconds": seconds,
                     "pretrain_s": pre})

    t = time.perf_counter()
    add("km", _kmeans(Z, k, seed), time.perf_counter() - t)
    runs, secs = [], []
    for r in range(restarts):
        t = time.perf_counter()
        runs.append(_kmeans(embed(np.asarray(Z, dtype=np.float64), 10, seed=1000 * seed + r),
                            k, seed))
        secs.append(time.perf_counter() - t)
    add("single", runs[0], secs[0])
    t = time.perf_counter()
    add("medoid", medoid_partition(runs), sum(secs) + time.perf_counter() - t)
    t = time.perf_counter()
    add("coassoc", coassociation_partition(runs, k, seed), sum(secs) + time.perf_counter() - t)
    return rows


def summarise(paths: list[Path]) -> None:
    """Mean NMI / ARI, seed spread and seconds of each variant."""
    df = pd.concat([pd.read_csv(p) for p in paths])
    for v, g in df.groupby("variant"):
        per = g.groupby("dataset").nmi
        print(f"{v:8s} NMI {g.nmi.mean():.3f} ARI {g.ari.mean():.3f} "
              f"spread {per.std(ddof=0).mean():.3f} ({per.ngroups} problems, "
              f"{g.seed.nunique()} seeds, {g.seconds.sum():.0f} s)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--summarise", type=Path, nargs="+", help="print the summary of these CSVs")
    p.add_argument("--problems")
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--restarts", type=int, default=5)
    p.add_argument("-o", "--out", type=Path)
    args = p.parse_args()
    if args.summarise:
        return summarise(args.summarise)
    problems = panel.list_problems(panel.default_data_root(), args.problems.split(","))
    rows: list[dict] = []
    for problem in sorted(problems, key=lambda q: q.name):
        for seed in range(args.seeds):
            r = run(problem, seed, args.restarts)
            rows += r
            pd.DataFrame(rows).to_csv(args.out, index=False)
            print(problem.name, seed, {x["variant"]: round(x["nmi"], 3) for x in r}, flush=True)


if __name__ == "__main__":
    main()
