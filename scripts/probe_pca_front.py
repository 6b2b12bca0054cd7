"""Probe: the autoencoder on the PCA of the random-kernel features instead of the features (not a test).

The default one-channel fit trains an MLP of 9,996 random-kernel features in and out
(5.2M parameters). This probe puts the PCA that ``rocket-kmeans`` and ``rocket-umap`` use
(standardised features, 80% of the variance) in front of it: per problem and seed ``s``,
``RocketFeatures(seed=s)`` -> ``StandardScaler`` -> ``pca_to_variance(0.8)``, then
``LatentClusterer(k, head=HEAD, scaling=SCALING, random_state=s)`` on those vectors
(``--scaling none``, the default: the components keep their variances), and writes NMI, ARI and
fit seconds (features included) per (problem, seed, head). The head ``pretext`` instead
trains a :class:`~tsclust.models.VectorAutoencoder` on the components with the neighbour
pretext (the same graph as ``pretext="neighbours"`` under ``rocket``: the standardised
random-kernel features, PCA 80%, fuzzy k-NN; batch 32, 50 epochs, cosine lr 1e-3) and runs
k-means (20 restarts) on its latents.

    OMP_NUM_THREADS=1 python scripts/probe_pca_front.py --problems A,B --seeds 3 --heads umap,kmeans -o results/pca_front.csv
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from probe_restarts import panel_problems, probe_parser
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from tsclust.clustering import LatentClusterer
from tsclust.metrics import ari, nmi
from tsclust.training.inference import RocketFeatures
from tsclust.training.neighbours import pca_to_variance


def pretext_labels(F: np.ndarray, R: np.ndarray, k: int, seed: int) -> np.ndarray:
    """k-means labels of a vector autoencoder of ``R`` trained with the neighbour pretext."""
    import torch
    from sklearn.cluster import KMeans

    from tsclust.models import VectorAutoencoder
    from tsclust.models._common import seeded
    from tsclust.training import TrainConfig, encode, train
    from tsclust.training.neighbour_pretext import neighbour_pretext_loss

    rows = torch.as_tensor(R, dtype=torch.float32)
    with seeded(seed):
        ae = VectorAutoencoder(R.shape[1], latent_dim=10)
    loss = neighbour_pretext_loss(rows[:, None, :], rows, seed=seed, features="rocket",
                                  known={"rocket": F})
    config = TrainConfig(epochs=50, batch_size=32, lr=1e-3, lr_schedule="cosine", seed=seed,
                         device=torch.device("cpu"))
    train(ae, rows, loss, config)
    Z = encode(ae, rows)
    return KMeans(k, n_init=20, random_state=seed).fit_predict(Z)


def main() -> None:
    parser = probe_parser(__doc__)
    parser.add_argument("--heads", default="umap,kmeans")
    parser.add_argument("--variance", type=float, default=0.8,
                        help="fraction of the variance the network's input components keep "
                        "(the pretext's graph keeps 0.8 whatever this is)")
    parser.add_argument("--components", type=int, default=0,
                        help="keep this many leading components (at most n - 1) instead of "
                        "a fraction of the variance")
    parser.add_argument("--unscaled", action="store_true",
                        help="PCA of the raw random-kernel features (centred, not "
                        "standardised); the graph stays on the standardised ones")
    parser.add_argument("--scaling", default="none", choices=["none", "standard"],
                        help="LatentClusterer's scaling of the PCA components (none keeps "
                        "their variances)")
    args = parser.parse_args()
    heads = args.heads.split(",")
    scaling = None if args.scaling == "none" else args.scaling
    rows = []
    for problem, X, y, k in panel_problems(args.problems):
        name = problem.name
        for seed in range(args.seeds):
            t0 = time.perf_counter()
            raw = RocketFeatures(seed=seed).fit_transform(X)
            F = StandardScaler().fit_transform(raw)
            front = raw - raw.mean(0) if args.unscaled else F
            if args.components:
                keep = min(args.components, len(X) - 1)
                pca = PCA(keep, svd_solver="randomized", random_state=seed).fit(front)
            else:
                pca, keep = pca_to_variance(front, args.variance, seed)
            R = pca.transform(front)[:, :keep]
            t_feat = time.perf_counter() - t0
            for head in heads:
                t1 = time.perf_counter()
                if head == "pretext":
                    labels = pretext_labels(F, R, k, seed)
                else:
                    labels = LatentClusterer(k, head=head, scaling=scaling,
                                             random_state=seed).fit_predict(R)
                rows.append({"dataset": name, "seed": seed, "head": head, "dims": keep,
                             "nmi": nmi(y, labels), "ari": ari(y, labels),
                             "fit_time_s": t_feat + time.perf_counter() - t1})
            print(name, seed, keep, [round(r["nmi"], 3) for r in rows[-len(heads):]], flush=True)
        pd.DataFrame(rows).to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
