"""``pretext="neighbours"``: reconstruction plus UMAP's cross-entropy along a fixed neighbour graph.

The graph is that of fixed features of the training windows (:data:`GRAPH_FEATURES`:
random-kernel features for one channel, the ``"cov"`` stage's window means and
log-covariances for several; standardised, PCA) built with
:mod:`tsclust.training.neighbours`; the term is :func:`tsclust.training.losses.umap_term`.
:func:`tsclust.base.pretrain` builds this loss when an estimator asks for the pretext.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from .batches import fetch_batch
from .inference import RocketFeatures, raw_features
from .losses import LossFn, _check_pretext_batch, reconstruction_term, umap_term
from .neighbours import default_n_neighbors, fuzzy_knn_graph, pca_to_variance

__all__ = ["GRAPH_FEATURES", "NEIGHBOUR_PCA_VARIANCE", "graph_features", "neighbour_pretext_loss"]


#: Fraction of the variance the PCA of the random-kernel features keeps before the k-NN
#: graph of the ``"neighbours"`` pretext (as ``rocket-kmeans`` does).
NEIGHBOUR_PCA_VARIANCE = 0.8


def _rocket(x: torch.Tensor, seed: int, n_features: int) -> np.ndarray:
    return RocketFeatures(int(n_features), seed=int(seed)).fit_transform(x.permute(0, 2, 1).numpy())


def _cov(x: torch.Tensor, seed: int, n_features: int) -> np.ndarray:
    from ..models.stages import build_stage

    return raw_features(build_stage("cov", int(x.shape[1]), int(x.shape[2])), x)


#: The fixed features whose graph the pretext follows, by name: ``fn(windows (N, C, L), seed,
#: n_features) -> (N, F)``. ``"auto"`` (:func:`graph_features`) takes ``"cov"`` for two or
#: more channels and ``"rocket"`` for one, as the ``"auto"`` architecture does.
GRAPH_FEATURES = {"rocket": _rocket, "cov": _cov}


def graph_features(name: str, n_channels: int) -> str:
    """The registered graph features ``name`` stands for on windows of ``n_channels`` channels.

    ``"auto"`` is ``"cov"`` for two or more channels (on HAPT's 10,929 windows the graph of
    the ``cov`` statistics embedded and clustered gives ARI 0.66, that of random kernels
    0.35: chosen there, looking at the labels; docs/neighbour_pretext.md) and ``"rocket"``
    for one (chosen on the selection half of the UCR panel).
    """
    if name == "auto":
        from ..models.registry import resolve_architecture

        return resolve_architecture("auto", n_channels)  # the same rule: "cov" or "rocket"
    if name not in GRAPH_FEATURES:
        raise ValueError(f"unknown graph features {name!r}; "
                         f"valid: {sorted(GRAPH_FEATURES)} or 'auto'")
    return name


def neighbour_pretext_loss(
    windows: Any,
    rows: Any,
    feature_weights: torch.Tensor | np.ndarray | None = None,
    *,
    weight: float = 1.0,
    seed: int = 0,
    n_neighbors: int | None = None,
    n_features: int = 9996,
    batch_size: int | None = None,
    features: str = "auto",
    known: dict[str, Any] | None = None,
) -> LossFn:
    """Reconstruction plus UMAP's cross-entropy on neighbours of a fixed feature graph.

    Before training, the windows become fixed features (``features``, a key of
    :data:`GRAPH_FEATURES` or "auto": for one channel MiniRocket-style random-kernel
    features, :class:`tsclust.training.inference.RocketFeatures` seeded with ``seed``; for
    several the ``"cov"`` stage's statistics; or those given in ``known``), standardised and
    reduced by PCA to :data:`NEIGHBOUR_PCA_VARIANCE` of their variance, as ``rocket-kmeans``
    does; their fuzzy k-nearest-neighbour graph
    (:func:`tsclust.clustering._embedding.fuzzy_knn_graph`) is fixed. For each batch, every
    window draws one graph neighbour (with probability proportional to the edge's
    membership, from a CPU generator seeded with ``seed``), the neighbours' rows are fetched
    from ``rows``, the encoder maps ``[xb, neighbours]`` to latents, the decoder
    reconstructs ``xb`` alone (a neighbour's reconstruction is not part of the loss), and
    ``loss = reconstruction(xb) + weight * umap_term(z(xb), z(neighbours))``
    (:func:`umap_term`: attraction along the sampled edges, repulsion from the other rows of
    the batch).

    Parameters
    ----------
    windows : torch.Tensor or ndarray of shape (N, C, L), or a dataset of such windows
        The windows of the graph (channels first).
    rows : torch.Tensor of shape (N, ...) or a dataset
        What the module trains on, row for row with ``windows`` (the windows themselves, or
        the features of a fixed stage).
    feature_weights : array or None
        DAC's weights of the reconstruction (:func:`reconstruction_term`).
    weight : float, default=1.0
        Weight of the neighbour term (>= 0).
    seed : int, default=0
        Seeds the random kernels, the PCA and the neighbour draws.
    n_neighbors : int or None, default=None
        Neighbours of the graph, the window itself included (>= 2); None:
        :func:`tsclust.clustering._embedding.default_n_neighbors`.
    n_features : int, default=9996
        Requested random-kernel features (>= 84).
    batch_size : int or None, default=None
        The training batch size, when known: below 2 it is refused at once.
    features : str, default="auto"
        The graph's features (:func:`graph_features`).
    known : dict or None, default=None
        Features already computed, by graph-feature name (``{name: (N, F) array}``): the
        graph of a name found here is built on them instead of computing the features
        again. :func:`tsclust.base.pretrain` passes the module's own stage features
        (standardised) under the stage's name, so a ``"rocket"`` autoencoder's graph is
        that of the random kernels it encodes, computed once.

    Returns
    -------
    loss_fn : callable ``(module, xb, idx) -> scalar tensor``
        ``idx`` must be the rows of ``xb`` in ``rows``. The first batch must hold at least 2
        windows (else ValueError); a later batch of one window adds the reconstruction only.

    Raises
    ------
    ValueError
        Fewer than 3 windows, windows that are not ``(N, C, L)``, ``rows`` of another length,
        a negative ``weight``, ``n_neighbors`` below 2, ``n_features`` below 84, a
        ``batch_size`` below 2, or unknown ``features``.
    """
    from sklearn.preprocessing import StandardScaler


    if weight < 0:
        raise ValueError(f"pretext_weight must be >= 0, got {weight}")
    if n_neighbors is not None and int(n_neighbors) < 2:
        raise ValueError(f"n_neighbors must be >= 2 (the window itself counts), got {n_neighbors}")
    if int(n_features) < 84:
        raise ValueError(f"n_features must be >= 84 (one per MiniRocket kernel), got {n_features}")
    if batch_size is not None:
        _check_pretext_batch("neighbours", int(batch_size))
    if not isinstance(windows, (torch.Tensor, np.ndarray)):
        windows = fetch_batch(windows, torch.arange(len(windows)))
    x = torch.as_tensor(np.asarray(windows, dtype=np.float32))
    if x.ndim != 3:
        raise ValueError("pretext='neighbours' builds its graph from windows (N, C, L); got "
                         f"rows of shape {tuple(x.shape)}")
    n = x.shape[0]
    if n < 3:
        raise ValueError(f"pretext='neighbours' needs at least 3 windows for a graph, got {n}")
    if len(rows) != n:
        raise ValueError(f"rows ({len(rows)}) and windows ({n}) must be row for row the same")
    name = graph_features(features, int(x.shape[1]))
    if known and name in known:
        feats = np.asarray(known[name], dtype=np.float32)
        if feats.ndim != 2 or len(feats) != n:
            raise ValueError(f"known {name!r} features must be ({n}, F), got {feats.shape}")
    else:
        feats = GRAPH_FEATURES[name](x, int(seed), int(n_features))
    feats = StandardScaler().fit_transform(feats)
    pca, keep = pca_to_variance(feats, NEIGHBOUR_PCA_VARIANCE, int(seed))
    k = default_n_neighbors(n) if n_neighbors is None else int(n_neighbors)
    graph = fuzzy_knn_graph(pca.transform(feats)[:, :keep], k)
    # one sorted key per edge: its row plus the row's cumulative share of membership, in
    # (row, row + 1]; a draw ``row + u`` (u in [0, 1)) finds the edge by binary search
    counts = np.diff(graph.indptr)
    owner = np.repeat(np.arange(n), counts)
    cum = np.cumsum(graph.data)
    start = np.repeat(np.concatenate([[0.0], cum])[graph.indptr[:-1]], counts)
    total = np.repeat(np.add.reduceat(graph.data, graph.indptr[:-1]), counts)
    keys = owner + (cum - start) / total
    keys[graph.indptr[1:] - 1] = np.arange(1, n + 1)  # each row's last edge: exactly row + 1
    keys = torch.from_numpy(keys)
    targets = torch.from_numpy(graph.indices.astype(np.int64))
    recon = reconstruction_term(feature_weights)
    gen = torch.Generator().manual_seed(int(seed))
    seen_pairs: list[bool] = []

    def _loss(module: nn.Module, xb: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
        b = xb.shape[0]
        if b >= 2:
            seen_pairs[:] = [True]
        elif not seen_pairs:
            _check_pretext_batch("neighbours", b)
        if b < 2:
            return recon(module, xb, module(xb)[0])
        draw = idx.to(torch.float64) + torch.rand(b, generator=gen, dtype=torch.float64)
        edge = torch.searchsorted(keys, draw, right=True).clamp_(max=len(keys) - 1)
        nb = fetch_batch(rows, targets[edge]).to(xb.device)
        z = module.encode(torch.cat([xb, nb]))  # the neighbours are encoded, never decoded
        return recon(module, xb, module.decode(z[:b])) + weight * umap_term(z[:b], z[b:])

    return _loss
