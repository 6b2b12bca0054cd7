"""The neighbour graph of fixed features: PCA to a share of the variance, UMAP's fuzzy k-NN graph.

Shared below the estimators: the ``umap`` head and the embedding baselines
(:mod:`tsclust.clustering._embedding`), the random-kernel baselines and the
``pretext="neighbours"`` pre-training term (:mod:`tsclust.training.neighbour_pretext`) all
build on these pieces. Pure computation: numpy / scipy / scikit-learn in, arrays out; imports
nothing else of tsclust.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from sklearn.decomposition import PCA

__all__ = [
    "default_n_neighbors",
    "fuzzy_knn_graph",
    "pca_to_variance",
    "smooth_knn_dist",
    "umap_ab",
]

_TOLERANCE = 1e-5
_MIN_DIST_SCALE = 1e-3


def default_n_neighbors(n: int) -> int:
    """Neighbours of the graph for ``n`` rows: ``max(50, round(sqrt(n) / 2))``, at most ``n``.

    The row itself is counted, as in UMAP. UMAP's usual 15 keeps local detail; for
    clustering, a wider graph keeps each class in one piece (50 was chosen among 15, 30 and
    50 on the selection half of the UCR panel, looking at the labels: docs/embedding.md). The
    square-root term only acts above 10,000 rows (52 for 10,929 windows, 158 for 100,000): many
    overlapping windows (each sharing half its samples with the next) fill a small graph
    with a window's own neighbours in time.
    """
    return int(max(2, min(n, max(50, round(math.sqrt(n) / 2)))))


def smooth_knn_dist(distances: np.ndarray, n_iter: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """UMAP's per-row ``rho`` and ``sigma`` from the sorted distances to each row's neighbours.

    ``rho_i`` is the distance to the nearest neighbour at a non-zero distance, and ``sigma_i``
    solves ``sum_j exp(-max(0, d_ij - rho_i) / sigma_i) = log2(k + 1)`` over the ``k``
    neighbours (by bisection, all rows at once; ``k + 1`` counts the row itself, as UMAP's
    ``n_neighbors`` does). ``sigma_i`` is at least ``1e-3`` times the
    row's mean neighbour distance (UMAP's floor).

    Parameters
    ----------
    distances : ndarray of shape (n, k)
        Distances to each row's ``k`` nearest neighbours other than itself, ascending.
    n_iter : int, default=64
        Bisection steps.

    Returns
    -------
    rho, sigma : ndarray of shape (n,)
    """
    d = np.asarray(distances, dtype=np.float64)
    n, k = d.shape
    target = math.log2(k + 1)
    positive = np.where(d > 0, d, np.inf)
    rho = positive.min(axis=1)
    rho[~np.isfinite(rho)] = 0.0
    lo, hi = np.zeros(n), np.full(n, np.inf)
    mid = np.ones(n)
    shifted = np.maximum(d - rho[:, None], 0.0)
    for _ in range(n_iter):
        psum = np.exp(-shifted / mid[:, None]).sum(axis=1)
        done = np.abs(psum - target) < _TOLERANCE
        too_big = psum > target
        hi = np.where(too_big & ~done, mid, hi)
        lo = np.where(~too_big & ~done, mid, lo)
        mid = np.where(done, mid, np.where(np.isinf(hi), mid * 2.0, (lo + hi) / 2.0))
    floor = _MIN_DIST_SCALE * np.where(rho > 0, d.mean(axis=1), d.mean())
    return rho, np.maximum(mid, floor)


def fuzzy_knn_graph(Z: np.ndarray, n_neighbors: int) -> Any:
    """UMAP's fuzzy neighbour graph of the rows of ``Z``: a symmetric sparse matrix (n, n).

    Row ``i`` gives each of its ``n_neighbors - 1`` nearest other rows (Euclidean; UMAP counts
    the row itself among its ``n_neighbors``) the membership ``exp(-max(0, d_ij - rho_i) / sigma_i)`` (:func:`smooth_knn_dist`); the
    graph is the fuzzy union ``W + W.T - W * W.T``, with values in (0, 1].

    Parameters
    ----------
    Z : ndarray of shape (n, d)
    n_neighbors : int
        Neighbours, the row itself included (>= 2); capped at ``n``.

    Returns
    -------
    graph : scipy.sparse.csr_matrix of shape (n, n), float64
    """
    from scipy.sparse import csr_matrix
    from sklearn.neighbors import NearestNeighbors

    Z = np.asarray(Z, dtype=np.float64)
    n = len(Z)
    k = max(1, min(int(n_neighbors), n) - 1)
    dist, idx = NearestNeighbors(n_neighbors=k + 1).fit(Z).kneighbors(Z)
    # drop each row's own entry (a duplicate row may come first: drop the row's own index,
    # or the last neighbour where the row is not among them)
    own = idx == np.arange(n)[:, None]
    own[~own.any(axis=1), -1] = True
    keep = ~own
    dist = dist[keep].reshape(n, k)
    idx = idx[keep].reshape(n, k)
    rho, sigma = smooth_knn_dist(dist)
    w = np.exp(-np.maximum(dist - rho[:, None], 0.0) / sigma[:, None])
    W = csr_matrix((w.ravel(), (np.repeat(np.arange(n), k), idx.ravel())), shape=(n, n))
    Wt = W.T.tocsr()
    graph = (W + Wt - W.multiply(Wt)).tocsr()
    graph.eliminate_zeros()
    return graph


def umap_ab(min_dist: float, spread: float = 1.0) -> tuple[float, float]:
    """UMAP's ``a`` and ``b``: ``1 / (1 + a d^(2b))`` fitted to its target curve of ``min_dist``.

    The target is 1 up to ``min_dist`` and ``exp(-(d - min_dist) / spread)`` beyond
    (least squares on 300 points of [0, 3 spread]); ``min_dist=0.1`` gives about
    (1.577, 0.895).
    """
    from scipy.optimize import curve_fit

    x = np.linspace(0, spread * 3, 300)
    y = np.where(x < min_dist, 1.0, np.exp(-(x - min_dist) / spread))
    (a, b), _ = curve_fit(lambda x, a, b: 1.0 / (1.0 + a * x ** (2 * b)), x, y)
    return float(a), float(b)


def pca_to_variance(X: np.ndarray, variance: float, random_state: Any = None) -> tuple[PCA, int]:
    """A PCA of ``X`` and the fewest leading components that explain ``variance`` of it.

    Randomized PCAs of 64, 256, ... components are tried first (the exact SVD of 10,929
    HAPT windows x 9996 features takes minutes on one core, 64 components seconds); the
    exact one is used once the guess reaches a quarter of ``min(X.shape)``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    variance : float
        Fraction in (0, 1) of the total variance (the sum of the feature variances).
    random_state : int or None
        Seeds the randomized solver.

    Returns
    -------
    pca : sklearn.decomposition.PCA
        Fitted; it may hold more components than needed.
    n_components : int
        How many of its leading components to keep.
    """
    m = 64
    while m < min(X.shape) // 4:
        pca = PCA(m, svd_solver="randomized", random_state=random_state).fit(X)
        ratio = np.cumsum(pca.explained_variance_ratio_)
        if ratio[-1] >= variance:
            return pca, int(np.searchsorted(ratio, variance, side="right") + 1)
        m *= 4
    pca = PCA(variance, svd_solver="full").fit(X)
    return pca, int(pca.n_components_)
