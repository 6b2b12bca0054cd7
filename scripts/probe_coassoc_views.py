"""Probe: the default's clusters and its own random-kernel features' clusters, combined (not a test).

Per problem and seed ``s``: fits the default ``DeepClusterer(k, random_state=s)`` (``ae``: its
labels, the ``umap`` head on the latents), takes the standardised features of its own
``rocket`` stage (the autoencoder's input), PCA to 80% of the variance, embeds them as the
``umap`` head does and runs k-means (``rk``: ``rocket-umap`` on the same kernels), and
combines the two labelings label-free: k-means (20 restarts) on their one-hot codes side by
side (``coassoc``, a co-association consensus). Writes NMI, ARI and seconds per (problem,
seed, variant); ``coassoc`` seconds include the default's fit and the ``rk`` step.

    OMP_NUM_THREADS=1 python scripts/probe_coassoc_views.py --problems A,B --seeds 3 -o results/cv.csv
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import torch
from probe_restarts import coassoc_labels, kmeans_labels, panel_problems, pca_rows, probe_parser

from tsclust import DeepClusterer
from tsclust.clustering._embedding import embed
from tsclust.metrics import ari, nmi


def main() -> None:
    args = probe_parser(__doc__).parse_args()
    rows = []
    for problem, X, y, k in panel_problems(args.problems):
        name = problem.name
        for s in range(args.seeds):
            t0 = time.perf_counter()
            est = DeepClusterer(k, random_state=s).fit(X)
            t_ae = time.perf_counter() - t0
            with torch.no_grad():
                F = est.module_.stage(torch.as_tensor(est._data(X).data)).numpy()
            lr = kmeans_labels(embed(pca_rows(F.astype(np.float64), s), 10, seed=s), k, s)
            la = est.labels_
            co = coassoc_labels([la, lr], k, s)
            t_all = time.perf_counter() - t0
            agree = ari(la, lr)
            for v, lab, t in (("ae", la, t_ae), ("rk", lr, t_all - t_ae), ("coassoc", co, t_all)):
                rows.append({"dataset": name, "seed": s, "variant": v, "nmi": nmi(y, lab),
                             "ari": ari(y, lab), "fit_time_s": t, "agree": agree})
            print(name, s, [round(r["nmi"], 3) for r in rows[-3:]], round(t_ae, 1),
                  round(t_all - t_ae, 1), flush=True)
            pd.DataFrame(rows).to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
