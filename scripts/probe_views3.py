"""Probe: a co-association of three views, the raw series among them (not a test).

Like ``scripts/probe_views.py`` (the default autoencoder's latents kept by
``scripts/probe_restarts.py``, member ``full_0``, and the random-kernel features, PCA 80%),
plus a third view: the series themselves (the panel's globally standardised values, PCA to
80% of the variance), each view embedded by the ``umap`` head's embedding and clustered by
k-means. Label-free combinations, scored against the classes:

- ``ae``, ``rk``, ``raw``: one view each;
- ``co_ae_rk``, ``co_rk_raw``, ``co3``: k-means (20 restarts) on the one-hot labels of two or
  three views side by side (a co-association consensus);

    OMP_NUM_THREADS=1 python scripts/probe_views3.py results/restarts --seeds 0 -o results/views3_0.csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from probe_restarts import (
    coassoc_labels,
    embed_rows,
    kmeans_labels,
    load_latents,
    pca_rows,
    rocket_view,
    score_table,
)

from tsclust.bench import panel
from tsclust.metrics import ari, nmi


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("latents", type=Path)
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("-o", "--out", type=Path, required=True)
    args = parser.parse_args()
    seeds = {int(s) for s in args.seeds.split(",")}
    probs = {p.name: p for p in panel.list_problems()}
    rows = []
    for (name, seed), a in load_latents(args.latents).items():
        if "full_0" not in a or seed not in seeds:
            continue
        X, y = panel.load_problem(probs[name])
        k, s = len(np.unique(y)), 1000 * seed
        views = {
            "ae": np.asarray(a["full_0"], dtype=np.float64),
            "rk": rocket_view(X, s),
            "raw": pca_rows(X.reshape(len(X), -1).astype(np.float64), s),
        }
        lab = {v: kmeans_labels(embed_rows(Z, s), k, s) for v, Z in views.items()}

        def co(*names: str, k=k, s=s, lab=lab) -> np.ndarray:
            return coassoc_labels([lab[n] for n in names], k, s)

        out = {**lab, "co_ae_rk": co("ae", "rk"), "co_rk_raw": co("rk", "raw"),
               "co3": co("ae", "rk", "raw")}
        for variant, labels in out.items():
            rows.append({"dataset": name, "seed": seed, "variant": variant,
                         "nmi": nmi(y, labels), "ari": ari(y, labels)})
        print(name, seed, {v: round(nmi(y, lb), 3) for v, lb in out.items()}, flush=True)
        pd.DataFrame(rows).to_csv(args.out, index=False)
    d = pd.DataFrame(rows)
    print(score_table(d, "variant").round(4).to_string())


if __name__ == "__main__":
    main()
