"""Probe of the neighbour-embedding step on the default's pre-trained latents (not a test).

For each panel problem (``tsclust.bench.panel.load_problem``: TRAIN+TEST merged, global
standardization, k = classes) the default architecture is pre-trained once
(``DeepClusterer(k, head="kmeans", random_state=seed)``), and its latents are clustered by
k-means and by the embedding step with several neighbour counts and clusterings. Writes one
row per (problem, seed, variant): NMI, ARI, the silhouette of the labels on the latents, and
seconds; the labels go to an ``.npz`` beside the CSV so that label-free rules can be scored
afterwards without refitting.

    OMP_NUM_THREADS=1 python scripts/probe_embedding.py --problems $(cat benchmarks/panel_select.txt) -o results/probe_sel.csv
    python scripts/probe_embedding.py --summarise results/probe_sel.csv

``--epochs`` compares the default step's SGD epochs instead (500 up to 10,000 rows, then 200,
100 and 50), against its cost.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.mixture import GaussianMixture

from tsclust import DeepClusterer
from tsclust.bench import panel
from tsclust.clustering._embedding import default_n_neighbors, embed
from tsclust.clustering._heads import silhouette
from tsclust.metrics import ari, nmi


def _kmeans(E: np.ndarray, k: int, seed: int) -> np.ndarray:
    return KMeans(k, n_init=10, random_state=seed).fit_predict(E.astype(np.float64))


def _gmm(E: np.ndarray, k: int, seed: int) -> np.ndarray:
    E = E.astype(np.float64)
    return GaussianMixture(k, covariance_type="full", random_state=seed, reg_covar=1e-4).fit(
        E).predict(E)


CLUSTERINGS = {"kmeans": _kmeans, "gmm": _gmm}


def variants(n: int, epochs: bool = False) -> dict[str, tuple[int, str, int | None]]:
    """Name -> (neighbours, clustering, SGD epochs or None for the default)."""
    rule = default_n_neighbors(n)
    if epochs:  # the default step with fewer SGD epochs (its cost: docs/embedding.md)
        return {"urule": (rule, "kmeans", None), "urule-e200": (rule, "kmeans", 200),
                "urule-e100": (rule, "kmeans", 100), "urule-e50": (rule, "kmeans", 50)}
    return {"u15": (15, "kmeans", None), "u30": (30, "kmeans", None),
            "u50": (50, "kmeans", None), "u100": (100, "kmeans", None),
            "urule": (rule, "kmeans", None), "urule-gmm": (rule, "gmm", None)}


def run(problem: panel.Problem, seed: int, epochs: bool = False
        ) -> tuple[list[dict], dict[str, np.ndarray]]:
    X, y = panel.load_problem(problem)
    k = len(np.unique(y))
    t = time.perf_counter()
    est = DeepClusterer(k, head="kmeans", random_state=seed).fit(X)
    pre = time.perf_counter() - t
    Z = est.transform(X).astype(np.float64)
    rng = np.random.RandomState(0)
    sample = rng.choice(len(Z), min(2000, len(Z)), replace=False)
    out: dict[str, np.ndarray] = {"y": y, "Z": Z.astype(np.float32)}
    rows = []

    def add(name: str, labels: np.ndarray, seconds: float) -> None:
        out[name] = labels
        rows.append({"dataset": problem.name, "seed": seed, "variant": name, "n": len(Z), "k": k,
                     "nmi": nmi(y, labels), "ari": ari(y, labels),
                     "sil_latent": silhouette(Z[sample], labels[sample]),
                     "seconds": seconds, "pretrain_s": pre})

    t = time.perf_counter()
    add("km", KMeans(k, n_init=20, random_state=seed).fit_predict(Z), time.perf_counter() - t)
    for name, (nn, clustering, n_epochs) in variants(len(Z), epochs).items():
        t = time.perf_counter()
        E = embed(Z, 10, nn, n_epochs=n_epochs, seed=seed)
        add(name, CLUSTERINGS[clustering](E, k, seed), time.perf_counter() - t)
    return rows, out


def summarise(paths: list[Path]) -> None:
    """Mean NMI / ARI of each variant over the problems of the CSVs, and W/T/L against k-means."""
    df = pd.concat([pd.read_csv(p) for p in paths])
    nmi_ = df.pivot_table(index=["dataset", "seed"], columns="variant", values="nmi")
    ari_ = df.pivot_table(index=["dataset", "seed"], columns="variant", values="ari")
    secs = df.groupby("variant").seconds.sum()
    for v in nmi_.columns:
        d = nmi_[v] - nmi_["km"]
        print(f"{v:10s} NMI {nmi_[v].mean():.3f} ARI {ari_[v].mean():.3f} vs km W/T/L "
              f"{(d > 0.005).sum()}/{(d.abs() <= 0.005).sum()}/{(d < -0.005).sum()} "
              f"({len(d)} runs, {secs[v]:.0f} s)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--summarise", type=Path, nargs="+", help="print the summary of these CSVs")
    p.add_argument("--problems")
    p.add_argument("--seeds", type=int, default=1)
    p.add_argument("--epochs", action="store_true",
                   help="compare SGD epochs (500 / 200 / 100 / 50) of the default step instead")
    p.add_argument("-o", "--out", type=Path)
    args = p.parse_args()
    if args.summarise:
        return summarise(args.summarise)
    problems = panel.list_problems(panel.default_data_root(), args.problems.split(","))
    rows, labels = [], {}
    for problem in sorted(problems, key=lambda q: q.name):
        for seed in range(args.seeds):
            r, out = run(problem, seed, args.epochs)
            rows += r
            labels.update({f"{problem.name}/{seed}/{k}": v for k, v in out.items()})
            pd.DataFrame(rows).to_csv(args.out, index=False)
            print(problem.name, seed, {x["variant"]: round(x["nmi"], 3) for x in r}, flush=True)
    np.savez_compressed(args.out.with_suffix(".npz"), **labels)


if __name__ == "__main__":
    main()
