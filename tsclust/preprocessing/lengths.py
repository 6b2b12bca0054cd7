"""Variable-length collections: the one place that decides how series of different lengths
reach estimators that need one length.

Users bring gestures, words and events of different lengths, either as a list of arrays
``(T_i, C)`` / ``(T_i,)`` or as a NaN-padded array ``(n, T_max, C)`` (tslearn's
``to_time_series_dataset`` layout: trailing NaN are padding; a NaN inside a series is an
error). :func:`tsclust._validation.check_collection` (``allow_ragged=True``) validates either
form into a NaN-padded array and the lengths; :func:`collect` then brings the series to one
length:

- at ``fit``, the fitted length is the **longest** series (:func:`fitted_length`), so no
  series is shortened (no time step of any series is lost) and an equal-length collection
  keeps its length;
- every series of another length is resampled to it by linear interpolation over its own
  time span (:func:`resample_to`);
- an estimator fitted on series of different lengths resamples every series at ``predict``
  to the fitted length, so ``predict`` then accepts any lengths; one fitted on series of one
  length keeps refusing another length, as before (a window of another size is a mistake
  there, not a shorter recording).

Equal-length input takes exactly the path it took before this module: nothing is resampled
when every series already has the fitted length.

Estimators that compare series of different lengths themselves (DTW, soft-DTW: tslearn's
``TimeSeriesKMeans``) use :attr:`Collection.padded`, the unpadded series in tslearn's
NaN-padded layout, instead of the resampled :attr:`Collection.X`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import check_collection, check_fitted_channels, check_random_state

__all__ = ["Collection", "collect", "fitted_length", "resample_to", "random_lengths"]


def fitted_length(lengths: np.ndarray) -> int:
    """The common length a collection is brought to at fit: its longest series.

    Parameters
    ----------
    lengths : ndarray of shape (n_samples,)
        Series lengths.

    Returns
    -------
    int

    Examples
    --------
    >>> fitted_length(np.array([3, 5, 4]))
    5
    """
    return int(np.max(lengths))


def resample_to(X: np.ndarray, lengths: np.ndarray, n_timepoints: int) -> np.ndarray:
    """Resample each series to ``n_timepoints`` by linear interpolation over its own span.

    Series ``i`` (its first ``lengths[i]`` time steps) is read at ``n_timepoints`` evenly
    spaced positions from its first to its last time step; a series of one time step
    becomes constant. A series that already has ``n_timepoints`` steps is copied unchanged,
    and ``X`` itself is returned when every series has.

    Parameters
    ----------
    X : ndarray of shape (n_samples, T_max, n_channels)
        NaN-padded series (values after ``lengths[i]`` are ignored).
    lengths : ndarray of shape (n_samples,)
        Length of each series, 1 <= lengths[i] <= T_max.
    n_timepoints : int
        The common length, >= 1.

    Returns
    -------
    Xr : ndarray of shape (n_samples, n_timepoints, n_channels)
        Of ``X``'s dtype (interpolated in float64).

    Examples
    --------
    >>> X = np.array([[0.0, 2.0, np.nan], [0.0, 1.0, 2.0]])[:, :, None]
    >>> resample_to(X, np.array([2, 3]), 3)[:, :, 0].tolist()
    [[0.0, 1.0, 2.0], [0.0, 1.0, 2.0]]
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    if X.shape[1] == n_timepoints and (lengths == n_timepoints).all():
        return X
    n = X.shape[0]
    pos = np.linspace(0.0, 1.0, n_timepoints)[None, :] * (lengths[:, None] - 1)  # (n, T)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, lengths[:, None] - 1)
    w = (pos - lo)[:, :, None]
    rows = np.arange(n)[:, None]
    Xf = X.astype(np.float64, copy=False)
    out = ((1.0 - w) * Xf[rows, lo] + w * Xf[rows, hi]).astype(X.dtype)
    same = lengths == n_timepoints
    if same.any():  # no arithmetic on series of the right length
        out[same] = X[same, :n_timepoints]
    return np.ascontiguousarray(out)


@dataclass(frozen=True)
class Collection:
    """A validated collection of series, padded and at one length.

    Attributes
    ----------
    padded : ndarray of shape (n_samples, T_max, n_channels)
        The series as given, NaN after each one's end (tslearn's variable-length layout);
        the plain array when all lengths are equal.
    lengths : ndarray of shape (n_samples,), int64
        Length of each series.
    X : ndarray of shape (n_samples, n_timepoints, n_channels)
        Every series at the common length, no NaN (``padded`` itself when every series has
        that length).
    variable_length : bool
        Whether the series have different lengths.
    """

    padded: np.ndarray
    lengths: np.ndarray
    X: np.ndarray
    variable_length: bool

    @property
    def n_timepoints(self) -> int:
        """The common length of :attr:`X`."""
        return int(self.X.shape[1])


def _length_text(lengths: np.ndarray) -> str:
    lo, hi = int(lengths.min()), int(lengths.max())
    return f"{lo}" if lo == hi else f"{lo} to {hi}"


def collect(
    X: Any,
    *,
    n_timepoints: int | None = None,
    n_channels: int | None = None,
    variable_length: bool = False,
    name: str = "X",
    dtype: Any = np.float32,
    min_samples: int = 1,
) -> Collection:
    """Validate series of any lengths and bring them to the fitted (or a new) common length.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_timepoints, n_channels) or (n_samples, n_timepoints), or list of array-like of shape (T_i, n_channels) or (T_i,)
        Series; an array may be NaN-padded (trailing NaN are padding).
    n_timepoints : int or None, default=None
        None (at fit): the common length is :func:`fitted_length` of the lengths. An int (at
        predict): the fitted length.
    n_channels : int or None, default=None
        The fitted number of channels (checked when given).
    variable_length : bool, default=False
        With ``n_timepoints``: whether the estimator was fitted on series of different
        lengths; if so every series is resampled to ``n_timepoints``, otherwise a series of
        another length raises (as for fixed-size windows).
    name : str, default="X"
        Name used in error messages.
    dtype : numpy dtype, default=np.float32
        Output dtype.
    min_samples : int, default=1
        Minimum number of series.

    Returns
    -------
    collection : Collection

    Raises
    ------
    ValueError
        What :func:`~tsclust._validation.check_collection` refuses (NaN inside a series
        included), a channel count other than ``n_channels``, or, for an estimator fitted on
        one length, another length.
    TypeError
        Sparse or non-numeric input.

    Examples
    --------
    >>> c = collect([[0.0, 2.0], [0.0, 1.0, 2.0]])
    >>> c.X[:, :, 0].tolist(), c.lengths.tolist(), c.variable_length
    ([[0.0, 1.0, 2.0], [0.0, 1.0, 2.0]], [2, 3], True)
    """
    padded, lengths = check_collection(X, name=name, dtype=dtype, min_samples=min_samples,
                                       allow_ragged=True)
    variable = bool((lengths != lengths[0]).any())
    if n_channels is not None:
        check_fitted_channels(padded.shape[2], n_channels, name)
    if n_timepoints is None:
        n_timepoints = fitted_length(lengths)
    elif not variable_length and (lengths != n_timepoints).any():
        raise ValueError(
            f"{name} has windows of {_length_text(lengths)} time points but the estimator was "
            f"fitted on {n_timepoints} (an estimator fitted on series of different lengths "
            "resamples them; one fitted on one length takes that length only)"
        )
    return Collection(padded, lengths, resample_to(padded, lengths, n_timepoints), variable)


def random_lengths(
    X: Any, low: float = 0.5, high: float = 1.0, mode: str = "crop", random_state: Any = None
) -> list[np.ndarray]:
    """Give every series its own random length (a variable-length set made from an equal one).

    Series ``i`` gets ``L_i = round(u_i * T)`` time steps (``u_i`` uniform in
    ``[low, high]``, at least one). ``mode="crop"`` keeps ``L_i`` consecutive steps from a
    start drawn uniformly in ``[0, T - L_i]`` (events caught part-way: alignment is lost);
    ``mode="stretch"`` resamples the whole series to ``L_i`` steps (the same event performed
    at another speed, as gestures and spoken words are).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_timepoints, n_channels) or (n_samples, n_timepoints)
        Equal-length series.
    low, high : float, default=0.5, 1.0
        Range of the kept fraction of each series, ``0 < low <= high <= 1``.
    mode : {"crop", "stretch"}, default="crop"
    random_state : int, RandomState or None, default=None
        Seeds the lengths and starts.

    Returns
    -------
    series : list of ndarray of shape (L_i, n_channels), float32

    Examples
    --------
    >>> crops = random_lengths(np.zeros((3, 10)), 0.5, 1.0, random_state=0)
    >>> [c.shape[1] for c in crops], all(5 <= len(c) <= 10 for c in crops)
    ([1, 1, 1], True)
    >>> [len(s) for s in random_lengths(np.zeros((3, 10)), mode="stretch", random_state=0)]
    [8, 9, 8]
    """
    if not 0.0 < low <= high <= 1.0:
        raise ValueError(f"need 0 < low <= high <= 1, got low={low!r}, high={high!r}")
    if mode not in ("crop", "stretch"):
        raise ValueError(f"mode must be 'crop' or 'stretch', got {mode!r}")
    X = check_collection(X)
    rng = check_random_state(random_state)
    n, t = X.shape[:2]
    lengths = np.maximum(1, np.round(rng.uniform(low, high, n) * t).astype(np.int64))
    if mode == "stretch":
        full = np.full(1, t)
        return [resample_to(X[i : i + 1], full, int(m))[0] for i, m in enumerate(lengths)]
    starts = [rng.randint(0, t - m + 1) for m in lengths]
    return [X[i, s : s + m].copy() for i, (s, m) in enumerate(zip(starts, lengths, strict=True))]
