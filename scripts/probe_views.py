"""Probe: does the random-kernel view beside the autoencoder's latents help the embedding? (not a test)

Reads the latents ``scripts/probe_restarts.py`` kept (member ``full_0``: the default
univariate autoencoder, ``random_state = 1000 * seed``), computes random-kernel features of
the same problem (``RocketFeatures(seed=1000 * seed)``, standardised, PCA to 80% of the
variance: what ``rocket-umap`` embeds) and scores label-free combinations:

- ``ae``: the latents embedded and clustered (the default's ``umap`` head);
- ``rk``: the random-kernel features embedded and clustered (``rocket-umap``);
- ``latcat``: both, each divided by its overall spread, side by side, embedded once;
- ``embcat``: the two embeddings side by side, clustered by k-means;
- ``coassoc``: k-means on the two labelings' one-hot codes side by side.

    OMP_NUM_THREADS=1 python scripts/probe_views.py results/restarts -o results/views.csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler

from tsclust.bench import panel
from tsclust.clustering._embedding import embed
from tsclust.metrics import ari, nmi
from tsclust.training.inference import RocketFeatures
from tsclust.training.neighbours import pca_to_variance


def _embed(Z: np.ndarray, seed: int) -> np.ndarray:
    return np.asarray(embed(np.asarray(Z, dtype=np.float64), 10, seed=seed), dtype=np.float64)


def _kmeans(E: np.ndarray, k: int, seed: int, n_init: int = 10) -> np.ndarray:
    return KMeans(k, n_init=n_init, random_state=seed).fit_predict(np.asarray(E, dtype=np.float64))


def _unit(Z: np.ndarray) -> np.ndarray:
    Z = np.asarray(Z, dtype=np.float64)
    return (Z - Z.mean(0)) / max(float(Z.std()), 1e-12)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("latents", type=Path)
    parser.add_argument("-o", "--out", type=Path, required=True)
    args = parser.parse_args()
    probs = {p.name: p for p in panel.list_problems()}
    rows = []
    for path in sorted((args.latents / "latents").glob("*.npz")):
        a = np.load(path)
        if "full_0" not in a:
            continue
        parts = path.stem.split("_")
        at = max(i for i, p in enumerate(parts) if p.isdigit())
        name, seed = "_".join(parts[:at]), int(parts[at])
        X, y = panel.load_problem(probs[name])
        k, s = len(np.unique(y)), 1000 * seed
        F = StandardScaler().fit_transform(RocketFeatures(seed=s).fit_transform(X))
        pca, keep = pca_to_variance(F, 0.8, s)
        R = pca.transform(F)[:, :keep]
        Z = np.asarray(a["full_0"], dtype=np.float64)
        Ea, Er = _embed(Z, s), _embed(R, s)
        la, lr = _kmeans(Ea, k, s), _kmeans(Er, k, s)
        out = {
            "ae": la, "rk": lr,
            "latcat": _kmeans(_embed(np.hstack([_unit(Z), _unit(R)]), s), k, s),
            "embcat": _kmeans(np.hstack([_unit(Ea), _unit(Er)]), k, s),
            "coassoc": _kmeans(np.hstack([np.eye(k)[la], np.eye(k)[lr]]), k, s, 20),
        }
        for variant, labels in out.items():
            rows.append({"dataset": name, "seed": seed, "variant": variant,
                         "nmi": nmi(y, labels), "ari": ari(y, labels)})
        print(name, seed, flush=True)
    d = pd.DataFrame(rows)
    d.to_csv(args.out, index=False)
    table = d.groupby("variant").agg(nmi=("nmi", "mean"), ari=("ari", "mean"))
    table["spread"] = d.groupby(["variant", "dataset"]).nmi.std(ddof=0).groupby("variant").mean()
    print(f"{d.dataset.nunique()} problems x {d.seed.nunique()} seeds")
    print(table.round(4).to_string())


if __name__ == "__main__":
    main()
