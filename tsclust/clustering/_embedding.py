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
from typing import Any

import numpy as np
import torch

from ..training.neighbours import default_n_neighbors, fuzzy_knn_graph, smooth_knn_dist, umap_ab

__all__ = [
    "default_n_neighbors",
    "embed",
    "fuzzy_knn_graph",
    "optimize_layout",
    "smooth_knn_dist",
    "umap_ab",
]

logger = logging.getLogger(__name__)

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
