"""Input validation and seeding helpers: the one place that checks arrays.

Every public entry point of tsclust calls :func:`check_collection` on its
input so that shape, dtype and finiteness errors read the same everywhere.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from sklearn.utils import check_random_state as _sk_check_random_state

__all__ = [
    "check_collection",
    "check_n_clusters",
    "check_random_state",
    "derive_seed",
    "torch_generator",
    "to_channels_first",
    "check_fitted_shape",
    "jsonable",
]


def _first_nonfinite(X: np.ndarray) -> tuple[int, ...]:
    bad = np.argwhere(~np.isfinite(X))
    return tuple(int(i) for i in bad[0])


def check_collection(
    X: Any,
    *,
    name: str = "X",
    min_samples: int = 1,
    min_timepoints: int = 1,
    dtype: type = np.float32,
    allow_nan: bool = False,
) -> np.ndarray:
    """Validate a collection of time series and return it as ``(n, T, C)``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_timepoints, n_channels) or (n_samples, n_timepoints)
        A 2-D array is taken as univariate and gets a trailing channel axis.
    name : str, default="X"
        Name used in error messages.
    min_samples : int, default=1
        Minimum number of series.
    min_timepoints : int, default=1
        Minimum series length.
    dtype : numpy dtype, default=np.float32
        Output dtype.
    allow_nan : bool, default=False
        If False, NaN or inf raises a ValueError naming the first bad position.

    Returns
    -------
    X : ndarray of shape (n_samples, n_timepoints, n_channels)
        C-contiguous array of ``dtype``.

    Raises
    ------
    ValueError
        Wrong number of dimensions, too few samples or time points, or non-finite values.

    Examples
    --------
    >>> check_collection([[1, 2, 3], [4, 5, 6]]).shape
    (2, 3, 1)
    """
    try:
        arr = np.asarray(X, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a numeric array-like: {exc}") from exc
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.ndim != 3:
        raise ValueError(
            f"{name} must have shape (n_samples, n_timepoints, n_channels) or "
            f"(n_samples, n_timepoints); got an array with {arr.ndim} dimension(s), "
            f"shape {arr.shape}"
        )
    if arr.shape[0] < min_samples:
        raise ValueError(f"{name} has {arr.shape[0]} sample(s); at least {min_samples} required")
    if arr.shape[1] < min_timepoints:
        raise ValueError(
            f"{name} has {arr.shape[1]} time point(s); at least {min_timepoints} required"
        )
    if arr.shape[2] < 1:
        raise ValueError(f"{name} has no channels")
    if not allow_nan and not np.isfinite(arr).all():
        pos = _first_nonfinite(arr)
        raise ValueError(
            f"{name} contains NaN or inf, first at index (sample, time, channel) = {pos}"
        )
    return np.ascontiguousarray(arr)


def check_fitted_shape(X: np.ndarray, n_timepoints: int, n_channels: int, name: str = "X") -> None:
    """Raise a ValueError if ``X`` (n, T, C) does not match the fitted ``(T, C)``."""
    if X.shape[2] != n_channels:
        raise ValueError(
            f"{name} has {X.shape[2]} channel(s) but the estimator was fitted on {n_channels}"
        )
    if X.shape[1] != n_timepoints:
        raise ValueError(
            f"{name} has windows of {X.shape[1]} time points but the estimator was fitted "
            f"on {n_timepoints}"
        )


def check_n_clusters(n_clusters: Any, n_samples: int | None = None) -> int:
    """Validate a number of clusters: an integer >= 2 and <= ``n_samples``."""
    if isinstance(n_clusters, bool) or not isinstance(n_clusters, numbers.Integral):
        raise ValueError(f"n_clusters must be an integer >= 2, got {n_clusters!r}")
    if n_clusters < 2:
        raise ValueError(f"n_clusters must be >= 2, got {n_clusters}")
    if n_samples is not None and n_clusters > n_samples:
        raise ValueError(
            f"n_clusters={n_clusters} is larger than the number of samples ({n_samples})"
        )
    return int(n_clusters)


def check_random_state(random_state: Any) -> np.random.RandomState:
    """Turn ``None``, an int or a RandomState into a RandomState (scikit-learn semantics)."""
    return _sk_check_random_state(random_state)


def derive_seed(random_state: Any) -> int:
    """Draw one 31-bit integer seed from ``random_state``.

    With an int (or a RandomState in a known state) the result is deterministic, so
    every generator of a fit (torch, numpy, k-means) can be derived from one seed.
    """
    return int(check_random_state(random_state).randint(0, 2**31 - 1))


def torch_generator(seed: int):
    """A CPU ``torch.Generator`` seeded with ``seed`` (never the global generator)."""
    import torch

    g = torch.Generator(device="cpu")
    g.manual_seed(int(seed))
    return g


def to_channels_first(X: np.ndarray, dtype: Any = np.float32):
    """Convert ``(n, T, C)`` numpy to a torch tensor ``(N, C, L)`` (float32 unless ``dtype``).

    This is the single layout conversion between the public API and torch modules.
    """
    import torch

    return torch.from_numpy(np.ascontiguousarray(np.transpose(X, (0, 2, 1)), dtype=dtype))


def jsonable(value: Any) -> Any:
    """Convert nested dicts/lists/tuples of numpy scalars and arrays to plain JSON types.

    Raises TypeError for objects that JSON cannot hold (so nothing is silently lost).
    """
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot store {value!r} ({type(value).__name__}) as JSON")
