"""Clustering scores: external (ARI, NMI, Hungarian accuracy) and label-free (internal).

Pure numpy/scipy functions, no state and no I/O. External scores compare a predicted
labelling with ground-truth classes and are invariant to renaming the clusters;
internal scores judge a labelling from the data alone (for stores without labels).

Labels may be any hashable values numpy can sort (ints, strings); ``-1`` is an ordinary
label here, not "noise".
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist

from ._validation import check_random_state

__all__ = [
    "contingency_matrix",
    "clustering_accuracy",
    "nmi",
    "ari",
    "evaluate",
    "internal_scores",
]


def _check_labels(labels: Any, name: str) -> np.ndarray:
    arr = np.asarray(labels)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got an array of shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def _check_pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    yt = _check_labels(y_true, "y_true")
    yp = _check_labels(y_pred, "y_pred")
    if yt.shape[0] != yp.shape[0]:
        raise ValueError(
            f"y_true and y_pred have different lengths: {yt.shape[0]} != {yp.shape[0]}"
        )
    return yt, yp


def _contingency(yt: np.ndarray, yp: np.ndarray) -> sparse.csr_matrix:
    """Sparse (n_classes, n_clusters) int64 counts of already validated labels."""
    classes, ti = np.unique(yt, return_inverse=True)
    clusters, pi = np.unique(yp, return_inverse=True)
    counts = sparse.coo_matrix(
        (np.ones(ti.shape[0], dtype=np.int64), (ti.ravel(), pi.ravel())),
        shape=(classes.shape[0], clusters.shape[0]),
    ).tocsr()
    counts.sum_duplicates()
    return counts


def contingency_matrix(y_true: Any, y_pred: Any) -> np.ndarray:
    """Dense contingency table of two labellings.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Ground-truth classes.
    y_pred : array-like of shape (n_samples,)
        Predicted clusters.

    Returns
    -------
    table : ndarray of shape (n_classes, n_clusters), dtype int64
        ``table[i, j]`` counts samples of the i-th sorted class in the j-th sorted cluster.

    Examples
    --------
    >>> contingency_matrix([0, 0, 1], [5, 6, 6]).tolist()
    [[1, 1], [0, 1]]
    """
    yt, yp = _check_pair(y_true, y_pred)
    return _contingency(yt, yp).toarray()


def clustering_accuracy(y_true: Any, y_pred: Any) -> float:
    """Clustering accuracy under the best one-to-one matching of clusters to classes.

    The matching maximises the number of correctly placed samples (Hungarian algorithm,
    :func:`scipy.optimize.linear_sum_assignment` on the contingency table). The numbers of
    clusters and classes may differ: clusters left without a class (and classes left without
    a cluster) count as errors, so over-clustering is not rewarded.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Ground-truth classes.
    y_pred : array-like of shape (n_samples,)
        Predicted clusters.

    Returns
    -------
    acc : float
        In [0, 1]; 1 means the clusters are the classes up to renaming.

    Notes
    -----
    The dense table has ``n_classes * n_clusters`` entries.

    Examples
    --------
    >>> clustering_accuracy([0, 0, 1, 1], [1, 1, 0, 0])
    1.0
    >>> clustering_accuracy([0, 0, 0, 1], [0, 1, 2, 3])
    0.5
    """
    yt, yp = _check_pair(y_true, y_pred)
    table = _contingency(yt, yp).toarray()
    rows, cols = linear_sum_assignment(table, maximize=True)
    return float(table[rows, cols].sum() / yt.shape[0])


def _entropy_from_counts(counts: np.ndarray) -> float:
    counts = counts[counts > 0].astype(np.float64)
    n = counts.sum()
    p = counts / n
    return float(-(p * (np.log(counts) - math.log(n))).sum())


def nmi(y_true: Any, y_pred: Any) -> float:
    """Normalised mutual information, arithmetic-mean normalisation.

    ``NMI = MI(y_true, y_pred) / ((H(y_true) + H(y_pred)) / 2)``, equal to scikit-learn's
    ``normalized_mutual_info_score`` with its default ``average_method="arithmetic"``,
    including its limit cases: two one-cluster labellings score 1, zero MI scores 0.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Ground-truth classes.
    y_pred : array-like of shape (n_samples,)
        Predicted clusters.

    Returns
    -------
    nmi : float
        In [0, 1].

    Examples
    --------
    >>> nmi([0, 0, 1, 1], [1, 1, 0, 0])
    1.0
    >>> nmi([0, 0, 0, 0], [0, 1, 2, 3])
    0.0
    """
    yt, yp = _check_pair(y_true, y_pred)
    table = _contingency(yt, yp)
    n_classes, n_clusters = table.shape
    if n_classes == n_clusters == 1:
        return 1.0
    n = float(yt.shape[0])
    rows, cols = table.nonzero()
    nij = np.asarray(table[rows, cols], dtype=np.float64).ravel()
    a = np.asarray(table.sum(axis=1), dtype=np.float64).ravel()
    b = np.asarray(table.sum(axis=0), dtype=np.float64).ravel()
    # MI = sum p_ij log(p_ij / (p_i p_j)), summed in the same order of operations as
    # scikit-learn so that the two agree to the last bits (a perfect match gives exactly 1.0)
    p_ij = nij / n
    outer = a[rows] * b[cols]
    log_outer = -np.log(outer) + math.log(a.sum()) + math.log(b.sum())
    terms = p_ij * (np.log(nij) - math.log(n)) + p_ij * log_outer
    terms = np.where(np.abs(terms) < np.finfo(np.float64).eps, 0.0, terms)
    mi = max(float(terms.sum()), 0.0)
    if mi == 0.0:
        return 0.0
    normalizer = 0.5 * (_entropy_from_counts(a) + _entropy_from_counts(b))
    return float(mi / normalizer)


def ari(y_true: Any, y_pred: Any) -> float:
    """Adjusted Rand index (Hubert and Arabie, 1985).

    Computed exactly on pair counts with Python integers (no overflow), equal to
    scikit-learn's ``adjusted_rand_score`` including its limit case (identical partitions,
    even trivial ones, score 1).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Ground-truth classes.
    y_pred : array-like of shape (n_samples,)
        Predicted clusters.

    Returns
    -------
    ari : float
        1 for identical partitions, about 0 for random ones, may be negative (>= -0.5).

    Examples
    --------
    >>> ari([0, 0, 1, 1], [1, 1, 0, 0])
    1.0
    >>> ari([0, 0, 1, 1], [0, 1, 0, 1])
    -0.5
    """
    yt, yp = _check_pair(y_true, y_pred)
    table = _contingency(yt, yp)
    n = int(yt.shape[0])

    def pairs(counts: np.ndarray) -> int:
        return sum(int(c) * (int(c) - 1) // 2 for c in np.asarray(counts).ravel())

    index = pairs(table.data)
    a = pairs(table.sum(axis=1))
    b = pairs(table.sum(axis=0))
    if index == a == b:  # no pair split by one labelling and joined by the other
        return 1.0
    total = n * (n - 1) // 2
    # (index - a b / total) / ((a + b) / 2 - a b / total), multiplied through by 2 total
    return float(2 * (index * total - a * b) / ((a + b) * total - 2 * a * b))


def evaluate(y_true: Any, y_pred: Any) -> dict[str, float]:
    """All external scores of a labelling.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Ground-truth classes.
    y_pred : array-like of shape (n_samples,)
        Predicted clusters.

    Returns
    -------
    scores : dict
        ``{"ari": float, "nmi": float, "acc": float}``.

    Examples
    --------
    >>> evaluate([0, 0, 1, 1], [1, 1, 0, 0])
    {'ari': 1.0, 'nmi': 1.0, 'acc': 1.0}
    """
    yt, yp = _check_pair(y_true, y_pred)
    return {"ari": ari(yt, yp), "nmi": nmi(yt, yp), "acc": clustering_accuracy(yt, yp)}


# ---------------------------------------------------------------- label-free scores


def _silhouette(X: np.ndarray, codes: np.ndarray, n_labels: int, chunk: int = 512) -> float:
    """Mean silhouette (Euclidean); singletons score 0 as in scikit-learn."""
    n = X.shape[0]
    sizes = np.bincount(codes, minlength=n_labels).astype(np.float64)
    onehot = np.zeros((n, n_labels))
    onehot[np.arange(n), codes] = 1.0
    s = np.empty(n)
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        sums = cdist(X[start:stop], X) @ onehot  # (chunk, n_labels): summed distances
        own = codes[start:stop]
        idx = np.arange(stop - start)
        own_size = sizes[own]
        with np.errstate(invalid="ignore", divide="ignore"):
            a = sums[idx, own] / (own_size - 1)
            mean_other = sums / sizes
        mean_other[idx, own] = np.inf
        b = mean_other.min(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            si = (b - a) / np.maximum(a, b)
        si = np.nan_to_num(si)
        si[own_size <= 1] = 0.0
        s[start:stop] = si
    return float(s.mean())


def _calinski_harabasz(X: np.ndarray, codes: np.ndarray, n_labels: int) -> float:
    n = X.shape[0]
    mean = X.mean(axis=0)
    extra = 0.0
    intra = 0.0
    for k in range(n_labels):
        Xk = X[codes == k]
        ck = Xk.mean(axis=0)
        extra += Xk.shape[0] * float(((ck - mean) ** 2).sum())
        intra += float(((Xk - ck) ** 2).sum())
    if intra == 0.0:
        return 1.0
    return float(extra * (n - n_labels) / (intra * (n_labels - 1)))


def _davies_bouldin(X: np.ndarray, codes: np.ndarray, n_labels: int) -> float:
    centroids = np.stack([X[codes == k].mean(axis=0) for k in range(n_labels)])
    spread = np.array(
        [np.sqrt(((X[codes == k] - centroids[k]) ** 2).sum(axis=1)).mean() for k in range(n_labels)]
    )
    dist = cdist(centroids, centroids)
    if np.allclose(spread, 0) or np.allclose(dist, 0):
        return 0.0
    dist[dist == 0] = np.inf
    ratio = (spread[:, None] + spread[None, :]) / dist
    return float(ratio.max(axis=1).mean())


def internal_scores(
    X: Any,
    labels: Any,
    *,
    sample_size: int | None = 2000,
    random_state: Any = 0,
) -> dict[str, float]:
    """Label-free quality scores of a labelling (Euclidean geometry).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples, n_timepoints, n_channels)
        Points (latents, features) or windows; windows are flattened to
        ``n_timepoints * n_channels`` features.
    labels : array-like of shape (n_samples,)
        Cluster of each point.
    sample_size : int or None, default=2000
        The silhouette costs O(n^2) distances, so it is computed on a random sample of this many
        points (all points when None or when ``n_samples <= sample_size``). Calinski-Harabasz and
        Davies-Bouldin use all points.
    random_state : int, RandomState or None, default=0
        Seeds the silhouette sample.

    Returns
    -------
    scores : dict
        ``{"silhouette": float, "calinski_harabasz": float, "davies_bouldin": float}``, the same
        definitions as scikit-learn (silhouette in [-1, 1], higher is better; CH higher is better;
        DB lower is better). A degenerate labelling (fewer than 2 clusters, or as many clusters as
        points) gives NaN for every score instead of raising; so does a silhouette sample that
        hits such a case.

    Raises
    ------
    ValueError
        ``X`` and ``labels`` differ in length, ``labels`` is not 1-D, either is empty or
        non-finite, or ``sample_size < 2``.

    Examples
    --------
    >>> X = [[0.0], [0.1], [5.0], [5.1]]
    >>> round(internal_scores(X, [0, 0, 1, 1])["silhouette"], 3)
    0.98
    >>> internal_scores(X, [0, 0, 0, 0])["silhouette"]
    nan
    """
    lab = _check_labels(labels, "labels")
    if sample_size is not None and (isinstance(sample_size, bool) or int(sample_size) < 2):
        raise ValueError(f"sample_size must be an integer >= 2 or None, got {sample_size!r}")
    arr = np.asarray(X, dtype=np.float64)
    if arr.ndim < 2:
        raise ValueError(f"X must be 2-D or 3-D, got shape {arr.shape}")
    arr = arr.reshape(arr.shape[0], -1)
    if arr.shape[0] != lab.shape[0]:
        raise ValueError(f"X and labels have different lengths: {arr.shape[0]} != {lab.shape[0]}")
    if not np.isfinite(arr).all():
        raise ValueError("X contains NaN or inf")
    nan = float("nan")
    out = {"silhouette": nan, "calinski_harabasz": nan, "davies_bouldin": nan}
    _, codes = np.unique(lab, return_inverse=True)
    codes = codes.ravel()
    n, n_labels = arr.shape[0], int(codes.max()) + 1
    if not 2 <= n_labels <= n - 1:
        return out
    out["calinski_harabasz"] = _calinski_harabasz(arr, codes, n_labels)
    out["davies_bouldin"] = _davies_bouldin(arr, codes, n_labels)
    if sample_size is not None and n > sample_size:
        idx = check_random_state(random_state).choice(n, size=int(sample_size), replace=False)
        Xs, ls = arr[idx], codes[idx]
    else:
        Xs, ls = arr, codes
    _, ls = np.unique(ls, return_inverse=True)
    ls = ls.ravel()
    k = int(ls.max()) + 1
    if 2 <= k <= Xs.shape[0] - 1:
        out["silhouette"] = _silhouette(Xs, ls, k)
    return out
