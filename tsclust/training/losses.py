"""Every loss of tsclust in one place: reconstruction, DAC's weighting, clustering terms.

Pure torch (and numpy for DAC's weights), no state and no I/O.

- Reconstruction: :func:`mse_loss`, :func:`weighted_mse` and :func:`reconstruction_loss`
  (the ``loss_fn`` of pre-training).
- Pretext terms on two augmented views (:mod:`.augment`): SimCLR's :func:`nt_xent`
  (``"contrastive"``) and :func:`triplet_term` (``"triplet"``), in :data:`PRETEXTS`;
  :func:`pretext_loss` adds one to the reconstruction. ``"neighbours"`` pairs each window
  with a neighbour in a fixed feature graph (random kernels; ``cov`` statistics for several
  channels) instead of a view, and
  adds UMAP's cross-entropy (:func:`umap_term`; the loss itself is
  :func:`tsclust.training.neighbour_pretext.neighbour_pretext_loss`).
- DAC (Li et al., "Deep Autoencoder-based Clustering", equations 4-5): the
  clustering-weighted MSE's feature weights :func:`dac_feature_weights`, from
  :func:`dac_pseudo_labels` or given groups, for windows :func:`dac_weights`.
- Clustering terms of the heads. Shapes: ``z`` latents ``(N, d)``, ``centers`` ``(K, d)``,
  ``q``/``p`` ``(N, K)``, ``assignments`` ``(N,)`` int64: DEC's :func:`soft_assignment`,
  :func:`target_distribution`, :func:`kl_divergence`; DCN's :func:`kmeans_loss` and
  :func:`online_centroid_update`; Song et al.'s :func:`compactness_loss` and
  :func:`center_distance_sum`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from .augment import DEFAULT_AUGMENTATIONS, augment, check_augmentations

__all__ = [
    "LossFn",
    "mse_loss",
    "weighted_mse",
    "reconstruction_term",
    "reconstruction_loss",
    "nt_xent",
    "triplet_term",
    "umap_term",
    "PRETEXTS",
    "pretext_loss",
    "dac_feature_weights",
    "dac_pseudo_labels",
    "dac_weights",
    "soft_assignment",
    "target_distribution",
    "kl_divergence",
    "assigned_sq_distance",
    "kmeans_loss",
    "compactness_loss",
    "online_centroid_update",
    "center_distance_sum",
    "plain_mse_weights",
    "RECONSTRUCTION_WEIGHTS",
]

LossFn = Callable[[nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]

#: k-means clusters of the pseudo-labels behind DAC's weights when none is given.
DEFAULT_DAC_CLUSTERS = 10


# --------------------------------------------------------------------------- reconstruction


def mse_loss(x_hat: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Mean squared error over every element of ``(N, C, L)`` tensors."""
    return nn.functional.mse_loss(x_hat, x)


def weighted_mse(x_hat: torch.Tensor, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """DAC clustering-weighted MSE (equation 4), averaged over the batch.

    For each sample, ``sum_i w_i (x_i - x_hat_i) ** 2 / d`` with ``d = C * L`` features; the
    result is the mean over the ``N`` samples.

    Parameters
    ----------
    x_hat, x : torch.Tensor of shape (N, C, L)
    w : torch.Tensor of shape (C * L,) or (C, L)
        Feature weights in the channel-major flattening of ``(C, L)``, i.e. the order of
        ``x.reshape(N, -1)`` (as returned by :func:`dac_feature_weights` on that flattening).

    Returns
    -------
    torch.Tensor
        Scalar.
    """
    w = torch.as_tensor(w, dtype=x.dtype, device=x.device).reshape(x.shape[1:])
    return ((x_hat - x).pow(2) * w).mean()


def reconstruction_term(feature_weights: torch.Tensor | np.ndarray | None = None
                        ) -> Callable[[nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]:
    """``term(module, xb, x_hat)``: MSE (or DAC's weighted MSE) of a reconstruction of ``xb``.

    The part of :func:`reconstruction_loss` that compares ``x_hat`` (the module's output for
    ``xb``) with the target; a pretext loss (:func:`pretext_loss`) adds its term to it.

    Parameters
    ----------
    feature_weights : array of shape (C * L,) or (C, L), or None
        None: plain MSE against ``module.target(xb)``; else :func:`weighted_mse` with these
        weights against ``xb``.
    """
    if feature_weights is None:

        def _mse(module: nn.Module, xb: torch.Tensor, x_hat: torch.Tensor) -> torch.Tensor:
            return mse_loss(x_hat, module.target(xb))  # (B, C, L) for windows

        return _mse
    w_cpu = torch.as_tensor(np.asarray(feature_weights, dtype=np.float32))
    cache: dict[torch.device, torch.Tensor] = {}

    def _wmse(module: nn.Module, xb: torch.Tensor, x_hat: torch.Tensor) -> torch.Tensor:
        if xb.device not in cache:
            cache[xb.device] = w_cpu.to(xb.device).reshape(xb.shape[1:])
        if x_hat.shape != xb.shape:
            raise ValueError(
                "the DAC weighted loss needs an architecture that reconstructs the windows; "
                f"this one reconstructs shape {tuple(x_hat.shape[1:])}"
            )
        return weighted_mse(x_hat, xb, cache[xb.device])

    return _wmse


def reconstruction_loss(feature_weights: torch.Tensor | np.ndarray | None = None) -> LossFn:
    """A ``loss_fn(module, xb, idx)`` for :func:`train`: MSE or DAC weighted MSE of ``module(xb)[0]``.

    Parameters
    ----------
    feature_weights : array of shape (C * L,) or (C, L), or None
        None: plain MSE; else :func:`weighted_mse` with these weights.
    """
    term = reconstruction_term(feature_weights)

    def _loss(module: nn.Module, xb: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
        return term(module, xb, module(xb)[0])

    return _loss


# --------------------------------------------------------------------------- pretext


def nt_xent(z1: torch.Tensor, z2: torch.Tensor, temperature: float = 0.5) -> torch.Tensor:
    """SimCLR's normalised-temperature cross entropy of two views ``(B, d)`` of the same rows.

    Each of the ``2B`` embeddings (L2-normalised) must pick its other view among the other
    ``2B - 1`` by cosine similarity over ``temperature``; the mean cross entropy is returned
    (``log(2B - 1)`` for embeddings that tell nothing apart). ``B >= 2``.
    """
    b = z1.shape[0]
    z = nn.functional.normalize(torch.cat([z1, z2]), dim=1)  # (2B, d)
    sim = z @ z.T / temperature  # (2B, 2B)
    sim = sim.masked_fill(torch.eye(2 * b, dtype=torch.bool, device=z.device), float("-inf"))
    target = torch.cat([torch.arange(b, 2 * b), torch.arange(b)]).to(z.device)
    return nn.functional.cross_entropy(sim, target)


def triplet_term(za: torch.Tensor, zp: torch.Tensor, margin: float = 0.5) -> torch.Tensor:
    """Margin triplet loss on L2-normalised embeddings ``(B, d)``: anchor, positive, negative.

    The positive of row ``i`` is its other view ``zp[i]``; its negative is the other view of
    the previous row, ``zp[(i - 1) % B]`` (another series). Mean of
    ``relu(|a - p|^2 - |a - n|^2 + margin)``.
    """
    a = nn.functional.normalize(za, dim=1)
    p = nn.functional.normalize(zp, dim=1)
    n = p.roll(1, dims=0)
    return torch.relu((a - p).pow(2).sum(1) - (a - n).pow(2).sum(1) + margin).mean()


#: Negative pairs per positive pair in :func:`umap_term` (UMAP's ``negative_sample_rate``).
UMAP_NEGATIVE_RATE = 5
#: Added to squared latent distances in :func:`umap_term` (UMAP's repulsion uses 1e-3).
_UMAP_EPS = 1e-3


def _umap_curve() -> tuple[float, float]:
    """UMAP's ``(a, b)`` for ``min_dist=0`` (:func:`tsclust.clustering._embedding.umap_ab`), cached."""
    if not _UMAP_AB:
        from .neighbours import umap_ab

        _UMAP_AB.extend(umap_ab(0.0))
    return _UMAP_AB[0], _UMAP_AB[1]


_UMAP_AB: list[float] = []


def umap_term(z1: torch.Tensor, z2: torch.Tensor) -> torch.Tensor:
    """UMAP's fuzzy cross-entropy on a batch of neighbour pairs ``(B, d)``, ``B >= 2``.

    Row ``i`` of ``z1`` and row ``i`` of ``z2`` are the latents of two neighbours (an edge of
    the graph); every other pair of ``z1[i]`` with a row of ``[z1, z2]`` is a negative. With
    ``q = a d^(2b)`` (``d`` the Euclidean distance, ``(a, b)`` UMAP's curve for
    ``min_dist=0``) and the membership ``1 / (1 + q)``, the term is the mean over ``i`` of
    ``log(1 + q_i,pos)`` (attraction) plus :data:`UMAP_NEGATIVE_RATE` times the mean over its
    ``2B - 2`` negatives of ``log(1 + 1 / q)`` (repulsion); ``d^2`` is offset by ``1e-3``.

    Parameters
    ----------
    z1, z2 : torch.Tensor of shape (B, d)
        Latents of the windows and of their sampled neighbours.

    Returns
    -------
    torch.Tensor
        A scalar.
    """
    a, b = _umap_curve()
    n = z1.shape[0]
    z = torch.cat([z1, z2])  # (2B, d)
    d2 = (z1.unsqueeze(1) - z.unsqueeze(0)).pow(2).sum(-1)  # (B, 2B)
    log_q = math.log(a) + b * torch.log(d2 + _UMAP_EPS)
    rows = torch.arange(n, device=z.device)
    attract = nn.functional.softplus(log_q[rows, rows + n])  # -log(1 / (1 + q))
    negative = torch.ones_like(d2, dtype=torch.bool)
    negative[rows, rows] = False
    negative[rows, rows + n] = False
    repel = nn.functional.softplus(-log_q[negative])  # -log(1 - 1 / (1 + q))
    return attract.mean() + UMAP_NEGATIVE_RATE * repel.mean()


#: Pretext terms by name: ``(z1, z2) -> scalar``, two augmented views of the same windows
#: (``"none"``: reconstruction alone), or for ``"neighbours"`` windows and their sampled
#: graph neighbours (:func:`tsclust.training.neighbour_pretext.neighbour_pretext_loss`). :func:`pretext_loss` adds one of the
#: view terms to the reconstruction.
PRETEXTS: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None] = {
    "none": None,
    "contrastive": nt_xent,
    "triplet": triplet_term,
    "neighbours": umap_term,
}


def _check_pretext_batch(name: str, batch_size: int) -> None:
    """ValueError when a pretext term would see batches of fewer than 2 windows."""
    if batch_size < 2:
        raise ValueError(
            f"pretext={name!r} contrasts each window's views with the other windows of its "
            f"batch, and a batch holds {batch_size} window: use batch_size >= 2 (under DDP, "
            "batch_size // world_size >= 2 per process), or pretext='none'"
        )


def pretext_loss(
    name: str,
    feature_weights: torch.Tensor | np.ndarray | None = None,
    *,
    weight: float = 1.0,
    augmentations: Sequence[str] | None = None,
    seed: int = 0,
    batch_size: int | None = None,
) -> LossFn:
    """Reconstruction plus a pretext term on two augmented views of each batch.

    ``loss = reconstruction(xb) + weight * PRETEXTS[name](z(view1), z(view2))``, with both
    views drawn by :func:`tsclust.training.augment.augment` from a generator seeded with
    ``seed`` (one per device). One forward pass of ``[xb, view1, view2]`` gives the
    reconstruction of ``xb`` and the latents of the views, so the loss also works through
    DDP. ``"none"`` is :func:`reconstruction_loss`.

    Parameters
    ----------
    name : str
        A key of :data:`PRETEXTS`.
    feature_weights : array or None
        DAC's weights of the reconstruction (:func:`reconstruction_term`).
    weight : float, default=1.0
        Weight of the pretext term.
    augmentations : sequence of str or None
        Names from :data:`~tsclust.training.augment.AUGMENTATIONS`; None: the default chain.
    seed : int, default=0
    batch_size : int or None, default=None
        The training batch size, when known: below 2 it is refused at once.

    Returns
    -------
    loss_fn : callable ``(module, xb, idx) -> scalar tensor``
        A pretext term needs other windows in the batch to tell each window's views from:
        the first batch it sees must hold at least 2 windows, else ValueError (a batch size
        of 1, or ``batch_size // world_size`` of 1 per process under DDP, would train the
        reconstruction alone while claiming a pretext). A later short batch (the last one of
        an epoch, of one window) adds the reconstruction only.

    Raises
    ------
    ValueError
        Unknown ``name`` or augmentation; a pretext with ``batch_size`` below 2.
    """
    if name not in PRETEXTS:
        raise ValueError(f"pretext must be one of {sorted(PRETEXTS)}, got {name!r}")
    if name == "neighbours":
        raise ValueError("pretext='neighbours' needs the training windows: use "
                         "neighbour_pretext_loss (tsclust.base.pretrain does)")
    term = PRETEXTS[name]
    if term is None:
        return reconstruction_loss(feature_weights)
    if batch_size is not None:
        _check_pretext_batch(name, int(batch_size))
    names = check_augmentations(DEFAULT_AUGMENTATIONS if augmentations is None else augmentations)
    recon = reconstruction_term(feature_weights)
    generators: dict[torch.device, torch.Generator] = {}
    seen_pairs: list[bool] = []  # a batch of >= 2 windows has been seen

    def _loss(module: nn.Module, xb: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
        if xb.device not in generators:
            generators[xb.device] = torch.Generator(device=xb.device).manual_seed(int(seed))
        g, b = generators[xb.device], xb.shape[0]
        if b >= 2:
            seen_pairs[:] = [True]
        elif not seen_pairs:  # the first batch: the batch size itself is 1
            _check_pretext_batch(name, b)
        views = torch.cat([augment(xb, names, g), augment(xb, names, g)])  # (2B, C, L)
        x_hat, z = module(torch.cat([xb, views]))
        loss = recon(module, xb, x_hat[:b])
        if b < 2:  # one window has no other to be told apart from
            return loss
        return loss + weight * term(z[b:2 * b], z[2 * b:])

    return _loss


def dac_feature_weights(
    X_flat: np.ndarray,
    groups: np.ndarray,
    *,
    max_samples: int | None = 1000,
    seed: int = 0,
    chunk_elements: int = 4_000_000,
) -> np.ndarray:
    """Per-feature weights of DAC's clustering-weighted MSE (equation 5 of Li et al.).

    For feature ``i``::

        w_i = mean_{p != q, l_p == l_q} exp(-(x_ip - x_iq)^2)
              * mean_{l_p != l_q} (1 - exp(-(x_ip - x_iq)^2))

    A feature gets a large weight when values agree within groups and differ between
    groups. Pairs are ordered pairs of *distinct* samples: the ``p == q`` pairs are excluded
    from the same-group mean (each would add ``exp(0) = 1`` regardless of the data and pull
    every weight towards the group-size bias); ordered vs unordered pairs give the same means.

    Parameters
    ----------
    X_flat : ndarray of shape (m, d)
        Flattened samples (for windows ``(N, C, L)`` use ``reshape(N, -1)`` so the weights
        line up with :func:`weighted_mse`).
    groups : ndarray of shape (m,)
        Group label of each sample (ground truth or k-means pseudo-labels).
    max_samples : int or None, default=1000
        Use a random subset of this many samples (the paper uses 1000); None uses all.
        The cost is ``O(m^2 d)``.
    seed : int, default=0
        Seed of the subset draw.
    chunk_elements : int, default=4_000_000
        Memory bound: rows are processed in chunks of about this many pair-feature terms.

    Returns
    -------
    w : ndarray of shape (d,), float64
        Weights in [0, 1].

    Raises
    ------
    ValueError
        Mismatched shapes, non-finite values, no same-group pair (every group a singleton)
        or no different-group pair (a single group).

    Examples
    --------
    >>> X = np.array([[0.0, 5.0], [0.0, 1.0], [3.0, 0.0], [3.0, 2.0]])
    >>> w = dac_feature_weights(X, np.array([0, 0, 1, 1]))
    >>> bool(w[0] > w[1])
    True
    """
    X_flat = np.asarray(X_flat, dtype=np.float64)
    groups = np.asarray(groups)
    if X_flat.ndim != 2:
        raise ValueError(f"X_flat must be 2-D (m, d), got shape {X_flat.shape}")
    if groups.shape != (X_flat.shape[0],):
        raise ValueError(
            f"groups must have shape ({X_flat.shape[0]},) to match X_flat, got {groups.shape}"
        )
    if not np.isfinite(X_flat).all():
        raise ValueError("X_flat contains NaN or inf")
    m = X_flat.shape[0]
    if max_samples is not None and m > max_samples:
        sub = np.sort(np.random.RandomState(seed).choice(m, int(max_samples), replace=False))
        X_flat, groups = X_flat[sub], groups[sub]
        m = X_flat.shape[0]
    _, codes = np.unique(groups, return_inverse=True)
    counts = np.bincount(codes)
    n_same = float((counts * (counts - 1)).sum())  # ordered pairs p != q, same group
    n_diff = float(m * m - (counts**2).sum())  # ordered pairs, different groups
    if n_same == 0:
        raise ValueError("dac_feature_weights needs at least one group with two samples")
    if n_diff == 0:
        raise ValueError("dac_feature_weights needs at least two groups")

    Xt = torch.from_numpy(X_flat)  # (m, d)
    codes_t = torch.from_numpy(codes)
    d = Xt.shape[1]
    s_same = torch.zeros(d, dtype=torch.float64)
    s_all = torch.zeros(d, dtype=torch.float64)
    rows = max(1, int(chunk_elements // max(1, m * d)))
    for start in range(0, m, rows):
        blk = Xt[start : start + rows]  # (b, d)
        e = torch.exp(-(blk[:, None, :] - Xt[None, :, :]).pow(2))  # (b, m, d)
        same = (codes_t[start : start + rows, None] == codes_t[None, :]).to(e.dtype)  # (b, m)
        s_same += torch.einsum("bm,bmd->d", same, e)
        s_all += e.sum(dim=(0, 1))
    # remove the p == q terms (exp(0) = 1), which are same-group pairs
    s_same -= m
    s_all -= m
    s_diff = s_all - s_same
    w = (s_same / n_same) * (1.0 - s_diff / n_diff)
    return w.clamp_(0.0, 1.0).numpy()


def dac_pseudo_labels(X: np.ndarray, n_clusters: int, seed: int = 0) -> np.ndarray:
    """k-means pseudo-labels of flattened raw samples, the unsupervised groups for DAC weights.

    Parameters
    ----------
    X : ndarray of shape (m, ...)
        Samples, flattened to ``(m, prod(...))``.
    n_clusters : int
        Number of k-means clusters (>= 2, <= m).
    seed : int, default=0
        ``random_state`` of k-means.

    Returns
    -------
    labels : ndarray of shape (m,), int
    """
    from sklearn.cluster import KMeans

    from .._validation import check_n_clusters

    X = np.asarray(X, dtype=np.float64)
    flat = X.reshape(X.shape[0], -1)
    k = check_n_clusters(n_clusters, flat.shape[0])
    return KMeans(n_clusters=k, n_init=4, random_state=int(seed)).fit_predict(flat)


def dac_weights(
    Xt: torch.Tensor | Any,
    y: np.ndarray | None = None,
    n_clusters: int | None = None,
    seed: int = 0,
    max_samples: int = 1000,
) -> np.ndarray:
    """DAC feature weights ``(C, L)`` for windows ``Xt`` ``(N, C, L)``.

    A random subset of ``max_samples`` windows is drawn (seeded); its groups are the given
    labels ``y`` or, when ``y`` is None, k-means pseudo-labels (``n_clusters``, default 10)
    of the flattened raw windows. Then :func:`dac_feature_weights`.
    ``Xt`` may be a :class:`tsclust.streaming.StoreDataset`: only the subset is read.
    """
    rng = np.random.RandomState(seed)
    m = len(Xt)
    sub = np.sort(rng.choice(m, max_samples, replace=False)) if m > max_samples else np.arange(m)
    Xs = Xt[sub] if isinstance(Xt, torch.Tensor) else Xt.read_batch(sub)  # (m', C, L)
    X_flat = Xs.reshape(len(sub), -1).numpy()
    sub_rows, sub = sub, np.arange(len(sub))
    if y is not None:
        y = np.asarray(y)
        if y.shape != (m,):
            raise ValueError(f"y must have shape ({m},), got {y.shape}")
        groups = y[sub_rows]
    else:
        k = DEFAULT_DAC_CLUSTERS if n_clusters is None else n_clusters
        k = min(k, len(sub)) if n_clusters is None else k
        groups = dac_pseudo_labels(X_flat[sub], k, seed=int(rng.randint(0, 2**31 - 1)))
    w = dac_feature_weights(X_flat[sub], groups, max_samples=None)
    return w.reshape(Xs.shape[1:]).astype(np.float32)


# --------------------------------------------------------------------------- clustering terms


def soft_assignment(z: torch.Tensor, centers: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    """Student-t soft assignment of DEC (Xie et al. 2016, eq. 1).

    ``q_ij = (1 + ||z_i - mu_j||^2 / alpha)^(-(alpha + 1) / 2)``, normalised over ``j``.

    Parameters
    ----------
    z : Tensor of shape (N, d)
    centers : Tensor of shape (K, d)
    alpha : float, default=1.0
        Degrees of freedom of the Student t kernel.

    Returns
    -------
    q : Tensor of shape (N, K)
        Rows sum to one.
    """
    if alpha <= 0:
        raise ValueError(f"alpha must be > 0, got {alpha}")
    sq = torch.cdist(z, centers).pow(2)  # (N, K)
    # log-domain for stability: log q = -(alpha+1)/2 * log1p(sq/alpha), then softmax
    logits = -(alpha + 1.0) / 2.0 * torch.log1p(sq / alpha)
    return torch.softmax(logits, dim=1)


def target_distribution(q: torch.Tensor) -> torch.Tensor:
    """DEC's sharpened target (eq. 3): ``p_ij = (q_ij^2 / f_j) / sum_j' (q_ij'^2 / f_j')``.

    ``f_j = sum_i q_ij`` is the soft cluster frequency.

    Parameters
    ----------
    q : Tensor of shape (N, K)

    Returns
    -------
    p : Tensor of shape (N, K)
        Rows sum to one; no gradient flows through it.
    """
    q = q.detach()
    weight = q.pow(2) / q.sum(dim=0).clamp_min(1e-12)
    return weight / weight.sum(dim=1, keepdim=True)


def kl_divergence(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """``KL(P || Q)`` averaged over samples (DEC's clustering loss, eq. 2).

    Terms with ``p_ij = 0`` contribute zero.
    """
    eps = 1e-12
    terms = torch.where(p > 0, p * (torch.log(p.clamp_min(eps)) - torch.log(q.clamp_min(eps))), 0.0)
    return terms.sum(dim=1).mean()


def assigned_sq_distance(
    z: torch.Tensor, centers: torch.Tensor, assignments: torch.Tensor
) -> torch.Tensor:
    """Squared distance of each latent to its assigned centre, ``||z_i - c_{s_i}||^2``, shape (N,)."""
    return (z - centers[assignments]).pow(2).sum(dim=1)


def kmeans_loss(z: torch.Tensor, centers: torch.Tensor, assignments: torch.Tensor) -> torch.Tensor:
    """DCN's k-means term, mean over the batch of ``||z_i - M s_i||^2`` (Yang et al. 2017).

    The head weights it by ``lambda / 2`` and adds the reconstruction loss.
    """
    return assigned_sq_distance(z, centers, assignments).mean()


def compactness_loss(
    z: torch.Tensor, centers: torch.Tensor, assignments: torch.Tensor
) -> torch.Tensor:
    """Song et al. 2013's restraint, mean of ``||f(x_i) - c_i*||^2`` over the batch.

    Same distance as :func:`kmeans_loss`; it differs in how the head chooses the
    assignment (nearest centre of the previous epoch) and the centres (batch means).
    """
    return assigned_sq_distance(z, centers, assignments).mean()


def online_centroid_update(
    centers: torch.Tensor,
    counts: torch.Tensor,
    z: torch.Tensor,
    assignments: torch.Tensor,
    reduce: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """DCN's online centroid averaging with per-cluster step ``1 / count``.

    Sequentially applying ``c_k <- c_k - (1 / n_k) (c_k - z_i)`` with ``n_k`` incremented
    before each step equals the running mean below, computed for a whole batch at once:
    ``c_k <- (n_k c_k + S_k) / (n_k + m_k)`` with ``S_k`` and ``m_k`` the sum and number of
    the batch's latents assigned to ``k``.

    Parameters
    ----------
    centers : Tensor of shape (K, d)
    counts : Tensor of shape (K,)
        Samples assigned to each centre so far (DCN starts it from the k-means sizes).
    z : Tensor of shape (N, d)
    assignments : Tensor of shape (N,)
    reduce : callable or None, default=None
        Applied to the packed ``(K, d + 1)`` batch sums and counts before the update; a
        data-parallel run passes a sum over ranks, so the update sees the global batch.

    Returns
    -------
    centers, counts : new tensors (inputs are not modified)
    """
    k = centers.shape[0]
    z = z.detach().to(centers.dtype)
    added = torch.bincount(assignments, minlength=k).to(counts.dtype)
    sums = torch.zeros_like(centers).index_add_(0, assignments, z)
    if reduce is not None:
        packed = reduce(torch.cat([sums, added.unsqueeze(1)], dim=1))
        sums, added = packed[:, :-1], packed[:, -1]
    new_counts = counts + added
    denom = new_counts.clamp_min(1).unsqueeze(1)
    new_centers = torch.where(
        added.unsqueeze(1) > 0, (centers * counts.unsqueeze(1) + sums) / denom, centers
    )
    return new_centers, new_counts


def center_distance_sum(centers: torch.Tensor) -> float:
    """Sum of Euclidean distances between all pairs of centres (Song et al.'s per-epoch record)."""
    d = torch.pdist(centers.detach())
    return float(d.sum())


def plain_mse_weights(Xt: Any, y: np.ndarray | None = None, n_clusters: int | None = None,
                      seed: int = 0) -> None:
    """The weights of plain MSE: none (the signature of :func:`dac_weights`)."""
    return None


#: Pre-training reconstruction losses by name: each maps the training rows (and optional
#: groups ``y``, pseudo-label clusters, seed) to the feature weights of the weighted MSE,
#: None for plain MSE. ``reconstruction_loss(weights)`` is the loss either way.
RECONSTRUCTION_WEIGHTS: dict[str, Callable[..., np.ndarray | None]] = {
    "mse": plain_mse_weights,
    "dac": dac_weights,
}
