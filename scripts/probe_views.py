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
from probe_restarts import (
    coassoc_labels,
    embed_rows,
    kmeans_labels,
    load_latents,
    rocket_view,
    score_table,
    unit_scale,
)

from tsclust.bench import panel
from tsclust.metrics import ari, nmi


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("latents", type=Path)
    parser.add_argument("-o", "--out", type=Path, required=True)
    args = parser.parse_args()
    probs = {p.name: p for p in panel.list_problems()}
    rows = []
    for (name, seed), a in load_latents(args.latents).items():
        if "full_0" not in a:
            continue
        X, y = panel.load_problem(probs[name])
        k, s = len(np.unique(y)), 1000 * seed
        R = rocket_view(X, s)
        Z = np.asarray(a["full_0"], dtype=np.float64)
        Ea, Er = embed_rows(Z, s), embed_rows(R, s)
        la, lr = kmeans_labels(Ea, k, s), kmeans_labels(Er, k, s)
        out = {
            "ae": la, "rk": lr,
            "latcat": kmeans_labels(embed_rows(np.hstack([unit_scale(Z), unit_scale(R)]), s), k, s),
            "embcat": kmeans_labels(np.hstack([unit_scale(Ea), unit_scale(Er)]), k, s),
            "coassoc": coassoc_labels([la, lr], k, s),
        }
        for variant, labels in out.items():
            rows.append({"dataset": name, "seed": seed, "variant": variant,
                         "nmi": nmi(y, labels), "ari": ari(y, labels)})
        print(name, seed, flush=True)
    d = pd.DataFrame(rows)
    d.to_csv(args.out, index=False)
    print(f"{d.dataset.nunique()} problems x {d.seed.nunique()} seeds")
    print(score_table(d, "variant").round(4).to_string())


if __name__ == "__main__":
    main()
