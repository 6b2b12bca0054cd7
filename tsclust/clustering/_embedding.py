"""A neighbour embedding (UMAP's objective, written in torch) and the clustering step on it.

The step is McInnes et al.'s UMAP (2018) cut to what clustering needs: the fuzzy
``n_neighbors``-nearest-neighbour graph of the rows (each row's distances shifted by its
nearest neighbour's and scaled so that its memberships sum to ``log2(n_neighbors)``, then the
fuzzy union ``W + W.T - W * W.T``), a spectral initialisation, and stochastic gradient descent
of UMAP's cross-entropy with negative sampling, run here as one vectorised update of all the
edges sampled in an epoch (UMAP updates them one by one; numba is not needed, and the
compilation that umap-learn pays in every fresh process is not paid). The embedding is then
clustered, as N2D (McConville et al. 2020) does on
autoencoder latents (here k-means; a Gaussian mixture, measured in
``scripts/probe_embedding.py``, gave no gain).

Pure computation: numpy / scipy / torch in, arrays out; no I/O, no printing.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np
import torch

__all__ = [
    "default_n_neighbors",
    "embed",
    "fuzzy_knn_graph",
    "optimize_layout",
    "smooth_knn_dist",
    "umap_ab",
]

logger = logging.getLogger(__name__)

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


def _spectral_init(graph: Any, n_components: int, seed: int) -> np.ndarray:
    """Spectral start: the leading eigenvectors of ``D^-1/2 W D^-1/2``, scaled to [-10, 10].

    Those are the Laplacian eigenmap's smallest ones; the first (the degrees' square roots)
    is dropped. ARPACK runs on the largest eigenvalues (no shift-invert, which took minutes
    on 10,000 overlapping windows) with a seeded start vector; a random start replaces it
    where it fails or the graph is too small.
    """
    from scipy.sparse import diags
    from scipy.sparse.linalg import ArpackError, ArpackNoConvergence, eigsh

    n = graph.shape[0]
    rng = np.random.RandomState(seed)
    k = n_components + 1
    if n > k + 1:
        degree = np.asarray(graph.sum(axis=1)).ravel()
        scale = diags(1.0 / np.sqrt(np.maximum(degree, 1e-12)))
        try:
            values, vectors = eigsh(scale @ graph @ scale, k=k, which="LA", tol=1e-4,
                                    v0=rng.uniform(-1, 1, n), maxiter=n * 5)
            init = vectors[:, np.argsort(values)[::-1][1:]]
            if np.all(np.isfinite(init)) and np.abs(init).max() > 0:
                init = 10.0 * init / np.abs(init).max()
                return init + rng.normal(scale=1e-4, size=init.shape)
        except (ArpackError, ArpackNoConvergence, ValueError) as exc:
            logger.info("embedding: spectral initialisation failed (%s); random start", exc)
    return rng.uniform(-10, 10, size=(n, n_components))


def optimize_layout(
    graph: Any, init: np.ndarray, n_epochs: int, a: float, b: float,
    negative_sample_rate: int = 5, seed: int = 0,
) -> np.ndarray:
    """Minimise UMAP's fuzzy cross-entropy between ``graph`` and the layout, from ``init``.

    Each edge ``(i, j)`` of weight ``w`` is sampled every ``max(w) / w`` epochs (edges below
    ``max(w) / n_epochs`` are dropped, as in UMAP); a sampled edge pulls ``i`` and ``j``
    together with the gradient of ``log(1 / (1 + a d^(2b)))`` and pushes ``i`` away from
    ``negative_sample_rate`` uniformly drawn rows with that of ``log(1 - 1 / (1 + a
    d^(2b)))``, every gradient coordinate clipped to [-4, 4], at a learning rate falling
    linearly from 1 to 0. All the edges sampled in an epoch move at once.

    Parameters
    ----------
    graph : scipy.sparse matrix of shape (n, n)
        Symmetric fuzzy graph (:func:`fuzzy_knn_graph`).
    init : ndarray of shape (n, dim)
    n_epochs : int
    a, b : float
        Curve parameters (:func:`umap_ab`).
    negative_sample_rate : int, default=5
    seed : int, default=0
        Seeds the negative samples.

    Returns
    -------
    layout : ndarray of shape (n, dim), float32
    """
    coo = graph.tocoo()
    w = coo.data
    keep = w >= w.max() / max(n_epochs, 1) if len(w) else np.zeros(0, dtype=bool)
    head = torch.from_numpy(coo.row[keep].astype(np.int64))
    tail = torch.from_numpy(coo.col[keep].astype(np.int64))
    every = torch.from_numpy((w.max() / w[keep]) if keep.any() else np.zeros(0))
    Y = torch.from_numpy(np.asarray(init, dtype=np.float32)).clone()
    n = Y.shape[0]
    if len(head) == 0 or n < 2:
        return Y.numpy()
    gen = torch.Generator().manual_seed(int(seed))
    next_epoch = every.clone()
    for epoch in range(1, n_epochs + 1):
        lr = 1.0 - (epoch - 1) / n_epochs
        active = next_epoch <= epoch
        next_epoch[active] += every[active]
        h, t = head[active], tail[active]
        if len(h) == 0:
            continue
        # attraction along the sampled edges (index_select: faster than Y[h] on CPU)
        diff = Y.index_select(0, h) - Y.index_select(0, t)
        d2 = (diff * diff).sum(dim=1, keepdim=True).clamp_min(1e-12)
        p = d2.pow(b)
        grad = (diff * (-2.0 * a * b * p / d2 / (1.0 + a * p))).clamp_(-4.0, 4.0).mul_(lr)
        Y.index_add_(0, h, grad)
        Y.index_add_(0, t, -grad)
        # repulsion from negative_sample_rate random rows per sampled edge
        hn = h.repeat_interleave(negative_sample_rate)
        neg = torch.randint(0, n, (len(hn),), generator=gen)
        diff = Y.index_select(0, hn) - Y.index_select(0, neg)
        d2 = (diff * diff).sum(dim=1, keepdim=True)
        coef = 2.0 * b / ((1e-3 + d2) * (1.0 + a * d2.clamp_min(1e-12).pow(b)))
        coef = coef.masked_fill_(d2 == 0, 0.0)  # a row drawn as its own negative
        Y.index_add_(0, hn, (diff * coef).clamp_(-4.0, 4.0).mul_(lr))
    return Y.numpy()


def embed(
    Z: np.ndarray, n_components: int = 10, n_neighbors: int | None = None,
    min_dist: float = 0.0, n_epochs: int | None = None, seed: int = 0,
) -> np.ndarray:
    """Neighbour embedding of the rows of ``Z``: fuzzy graph, spectral start, UMAP's SGD.

    Parameters
    ----------
    Z : ndarray of shape (n, d)
    n_components : int, default=10
        Dimensions of the embedding (capped at ``n - 2``, at least 1).
    n_neighbors : int or None, default=None
        Neighbours of the graph; None takes :func:`default_n_neighbors`.
    min_dist : float, default=0.0
        How close embedded rows may come (0 packs clusters tightly, as clustering wants).
    n_epochs : int or None, default=None
        SGD epochs; None: 500 up to 10,000 rows, 200 above (UMAP's choice).
    seed : int, default=0
        Seeds the initialisation and the negative samples.

    Returns
    -------
    Y : ndarray of shape (n, n_components), float32
    """
    n = len(Z)
    k = default_n_neighbors(n) if n_neighbors is None else int(n_neighbors)
    dim = int(max(1, min(n_components, n - 2)))
    epochs = (500 if n <= 10_000 else 200) if n_epochs is None else int(n_epochs)
    graph = fuzzy_knn_graph(Z, k)
    init = _spectral_init(graph, dim, seed)
    a, b = umap_ab(min_dist)
    return optimize_layout(graph, init, epochs, a, b, seed=seed)
