"""Probe: which step on the default's latents is both strong and stable over seeds? (not a test)

Reads the latents that ``scripts/probe_restarts.py`` kept (member ``full_0`` of each
problem and seed: the default univariate autoencoder, ``random_state = 1000 * seed``) and
runs label-free clustering steps on them, each seeded with the fit's seed:

- ``umap500`` (the default ``umap`` head: fuzzy graph of ``default_n_neighbors`` rows,
  spectral start, 500 SGD epochs, k-means), ``umap200``, ``umap100`` (fewer SGD epochs),
  ``umap0`` (the spectral start alone, no SGD), ``umap500-nn100`` (100 neighbours);
- ``kmeans`` on the latents, ``spectral`` (the ``spectral`` head's step), ``ward``.

    OMP_NUM_THREADS=1 python scripts/probe_head_stability.py results/restarts -o results/head_stability.csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from probe_restarts import kmeans_labels, load_latents, score_table

from tsclust.clustering._embedding import embed
from tsclust.clustering._heads import spectral_cluster, ward_cluster
from tsclust.metrics import ari, nmi


def _umap(epochs: int, neighbours: int | None = None):
    def step(Z: np.ndarray, k: int, seed: int) -> np.ndarray:
        E = embed(Z, 10, n_neighbors=neighbours, n_epochs=epochs, seed=seed)
        return kmeans_labels(E, k, seed)
    return step


STEPS = {
    "umap500": _umap(500), "umap200": _umap(200), "umap100": _umap(100), "umap0": _umap(0),
    "umap500-nn100": _umap(500, 100),
    "kmeans": kmeans_labels,
    "spectral": lambda Z, k, seed: spectral_cluster(Z, k, 10, seed=seed)[0],
    "ward": lambda Z, k, seed: ward_cluster(Z, k, seed=seed)[0],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("latents", type=Path, help="the -o folder of probe_restarts.py")
    parser.add_argument("-o", "--out", type=Path, required=True)
    args = parser.parse_args()
    rows = []
    for (name, seed), a in load_latents(args.latents).items():
        if "full_0" not in a:
            continue
        y = a["y"]
        k = len(np.unique(y))
        Z = np.asarray(a["full_0"], dtype=np.float64)
        for step, run in STEPS.items():
            labels = run(Z, k, 1000 * seed)
            rows.append({"dataset": name, "seed": seed, "step": step, "nmi": nmi(y, labels),
                         "ari": ari(y, labels)})
        print(name, seed, flush=True)
    d = pd.DataFrame(rows)
    d.to_csv(args.out, index=False)
    print(f"{d.dataset.nunique()} problems x {d.seed.nunique()} seeds")
    print(score_table(d, "step").sort_values("nmi", ascending=False).round(4).to_string())


if __name__ == "__main__":
    main()
