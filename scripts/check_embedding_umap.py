"""Check tsclust's neighbour embedding against umap-learn on small data (needs `pip install umap-learn`).

    python scripts/check_embedding_umap.py

Prints, for a Gaussian mixture and scikit-learn's digits: the largest difference between the
two fuzzy graphs (same neighbours, exact search), and the NMI of k-means on each embedding
(10 dimensions, min_dist 0) with the time of each. umap-learn is not a tsclust dependency: its
numba compilation costs tens of seconds in every fresh process.
"""

from __future__ import annotations

import time

import numpy as np
from sklearn.cluster import KMeans
from sklearn.datasets import load_digits
from sklearn.metrics import normalized_mutual_info_score as nmi

from tsclust.clustering._embedding import embed, fuzzy_knn_graph


def _blobs() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(0)
    y = np.repeat(np.arange(4), 100)
    return rng.randn(400, 8) + 3.0 * rng.randn(4, 8)[y], y


def main() -> None:
    import umap
    from umap.umap_ import fuzzy_simplicial_set

    for name, (X, y) in {"blobs": _blobs(), "digits": load_digits(return_X_y=True)}.items():
        X = X.astype(np.float64)
        ours = fuzzy_knn_graph(X, 15)
        ref = fuzzy_simplicial_set(X, 15, 0, "euclidean")[0].tocsr()
        k = len(np.unique(y))
        t = time.perf_counter()
        Y = embed(X, 10, 15, seed=0)
        t_ours = time.perf_counter() - t
        t = time.perf_counter()
        R = umap.UMAP(n_components=10, n_neighbors=15, min_dist=0.0, random_state=0).fit_transform(X)
        t_ref = time.perf_counter() - t
        score = [nmi(y, KMeans(k, n_init=10, random_state=0).fit_predict(E)) for E in (Y, R, X)]
        print(f"{name}: graph max |diff| {abs(ours - ref).max():.2e} (nnz {ours.nnz} vs {ref.nnz}); "
              f"NMI tsclust {score[0]:.3f} ({t_ours:.1f} s), umap-learn {score[1]:.3f} "
              f"({t_ref:.1f} s, compilation included), raw k-means {score[2]:.3f}")


if __name__ == "__main__":
    main()
