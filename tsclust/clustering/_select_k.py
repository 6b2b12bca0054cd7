"""Choosing the number of clusters from label-free criteria on the latent space."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.metrics import calinski_harabasz_score

from .._validation import check_collection, check_random_state, derive_seed
from ._heads import silhouette

__all__ = ["KSelection", "select_k"]


@dataclass
class KSelection:
    """Label-free scores per number of clusters, from :func:`select_k`.

    Attributes
    ----------
    k : ndarray of shape (n_k,)
    silhouette : ndarray of shape (n_k,)
        Mean silhouette on a sample of latents (higher is better); NaN where it is
        undefined (the sample holds one cluster, or as many clusters as windows).
    calinski_harabasz : ndarray of shape (n_k,)
        Higher is better.
    inertia : ndarray of shape (n_k,)
        k-means inertia (look for the elbow).
    best_k : int
        Highest silhouette.
    elbow_k : int
        Point of the inertia curve farthest from the chord between its ends.
    """

    k: np.ndarray
    silhouette: np.ndarray
    calinski_harabasz: np.ndarray
    inertia: np.ndarray
    best_k: int
    elbow_k: int
    extra: dict[str, Any] = field(default_factory=dict)

    def as_rows(self) -> list[dict[str, float]]:
        """One dict per k (for a table or CSV)."""
        return [
            {"k": int(k), "silhouette": float(s), "calinski_harabasz": float(c), "inertia": float(i)}
            for k, s, c, i in zip(self.k, self.silhouette, self.calinski_harabasz, self.inertia, strict=True)
        ]


def elbow(k: np.ndarray, inertia: np.ndarray) -> int:
    """k of the inertia curve's point farthest below the straight line joining its ends."""
    if len(k) < 3:
        return int(k[0])
    x = (k - k[0]) / max(k[-1] - k[0], 1)
    span = inertia[0] - inertia[-1]
    y = (inertia - inertia[-1]) / (span if span > 0 else 1.0)
    # chord from (0, 1) to (1, 0): distance ~ 1 - x - y
    return int(k[int(np.argmax(1.0 - x - y))])


def _check_distinct(X: np.ndarray, k_max: int, what: str) -> int:
    """The number of distinct rows of ``X`` (capped at ``k_max``); ValueError below 2 or k_max.

    Parameters
    ----------
    X : ndarray of shape (n_samples, ...)
    k_max : int
        The largest number of clusters asked for.
    what : str
        ``"windows"`` or ``"latents"``, for the message.

    Returns
    -------
    n_distinct : int
        At most ``k_max``.

    Raises
    ------
    ValueError
        Fewer than 2 distinct rows, or (for ``"windows"``) fewer than ``k_max``.
    """
    rows = np.ascontiguousarray(X).reshape(len(X), -1)
    seen: set[bytes] = set()
    for row in rows:
        seen.add(row.tobytes())
        if len(seen) >= k_max:
            return k_max
    n = len(seen)
    if n < 2:
        which = (f"all {len(X)} windows are identical" if what == "windows" else
                 f"the latents of all {len(X)} windows are identical (the encoder collapsed: "
                 "try another architecture or more pre-training)")
        raise ValueError(f"select_k: {which}; there is no number of clusters to choose")
    if what == "windows":
        raise ValueError(f"select_k: only {n} distinct windows among {len(X)}: every k of "
                         f"k_range must be at most {n}, got k_range up to {k_max}")
    return n


def select_k(
    X: Any,
    k_range: Any = range(2, 13),
    *,
    estimator: Any = None,
    sample_size: int = 2000,
    n_init: int = 10,
    random_state: Any = None,
) -> KSelection:
    """Score numbers of clusters by label-free criteria on autoencoder latents.

    The autoencoder is trained once (``estimator`` with ``head="kmeans"``), then k-means
    runs on its latents for every k.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_timepoints, n_channels)
    k_range : iterable of int, default=range(2, 13)
        Candidate numbers of clusters (each >= 2 and < n_samples).
    estimator : DeepClusterer or None, default=None
        Template for the representation (cloned, head set to "kmeans"); None uses
        ``DeepClusterer()`` defaults.
    sample_size : int, default=2000
        Latents used for the silhouette.
    n_init : int, default=10
        k-means restarts per k.
    random_state : int, RandomState or None, default=None

    Warns
    -----
    UserWarning
        When the best k by silhouette is the largest of ``k_range`` (two or more
        candidates): the score may still be rising; when the latents hold fewer distinct
        points than the largest k (those k score NaN).

    Raises
    ------
    ValueError
        ``k_range`` out of range; all windows identical, or fewer distinct windows than the
        largest k (checked before training); all latents identical.

    Returns
    -------
    KSelection
        ``extra["latents"]`` holds the latents and ``extra["estimator"]`` the fitted clone.
        Built with ``warm_start=True``, that clone refits with another ``n_clusters`` or
        ``head`` without pre-training again.
    """
    from ._estimator import DeepClusterer

    X = check_collection(X, min_samples=3)
    ks = np.array(sorted({int(k) for k in k_range}))
    if len(ks) == 0 or ks[0] < 2 or ks[-1] >= X.shape[0]:
        raise ValueError(
            f"k_range must hold integers in [2, n_samples - 1 = {X.shape[0] - 1}], got {ks.tolist()}"
        )
    _check_distinct(X, int(ks[-1]), "windows")
    seed = derive_seed(random_state)
    est = clone(estimator) if estimator is not None else DeepClusterer()
    est.set_params(head="kmeans", n_clusters=int(ks[0]), random_state=seed)
    Z = est.fit(X).transform(X).astype(np.float64)
    n_latents = _check_distinct(Z, int(ks[-1]), "latents")
    if n_latents < ks[-1]:
        warnings.warn(
            f"select_k: the encoder maps the windows to {n_latents} distinct latents; k above "
            f"{n_latents} is not scored (NaN)", UserWarning, stacklevel=2)
    rng = check_random_state(seed)
    sample = rng.choice(len(Z), min(sample_size, len(Z)), replace=False)
    sil, ch, inertia = [], [], []
    for k in ks:
        if k > n_latents:  # k-means cannot find k clusters among fewer points
            inertia.append(0.0)
            ch.append(np.nan)
            sil.append(np.nan)
            continue
        km = KMeans(int(k), n_init=n_init, random_state=seed).fit(Z)
        labels = km.labels_
        inertia.append(km.inertia_)
        ch.append(calinski_harabasz_score(Z, labels) if len(np.unique(labels)) > 1 else np.nan)
        sil.append(silhouette(Z[sample], labels[sample]))
    sil_a, ch_a, in_a = np.array(sil), np.array(ch), np.array(inertia)
    best = int(ks[np.nanargmax(sil_a)]) if np.isfinite(sil_a).any() else int(ks[0])
    if len(ks) > 1 and best == ks[-1]:
        warnings.warn(
            f"select_k: the silhouette is highest at k = {best}, the top of k_range "
            f"({ks[0]}-{ks[-1]}); a larger k may score higher: widen k_range",
            UserWarning, stacklevel=2)
    extra = {"latents": Z, "estimator": est}
    return KSelection(ks, sil_a, ch_a, in_a, best, elbow(ks, in_a), extra)
