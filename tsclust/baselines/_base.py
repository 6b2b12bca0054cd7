"""The shared fit/predict of the baselines and the pieces several of them use."""

from __future__ import annotations

import numbers
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans
from sklearn.utils.validation import check_is_fitted

from .._validation import (
    Interval,
    check_n_clusters,
    derive_seed,
    set_init_params,
    validate_params,
)
from ..preprocessing.lengths import Collection, collect


def z_normalize(X: np.ndarray, eps: float = 1e-8) -> np.ndarray:
    """Z-normalise every series of ``X`` per channel over time.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_timepoints, n_channels)
        Windows.
    eps : float, default=1e-8
        A channel whose standard deviation is below ``eps`` becomes all zeros.

    Returns
    -------
    Xz : ndarray of shape (n_samples, n_timepoints, n_channels)
        Zero mean and unit standard deviation along the time axis.

    Examples
    --------
    >>> z_normalize(np.array([[[1.0], [3.0]]]))[:, :, 0].tolist()
    [[-1.0, 1.0]]
    """
    mean = X.mean(axis=1, keepdims=True)
    std = X.std(axis=1, keepdims=True)
    safe = np.where(std < eps, 1.0, std)
    return np.where(std < eps, 0.0, (X - mean) / safe)


def _inner_random_state(random_state: Any) -> Any:
    if random_state is None or (
        isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool)
    ):
        return random_state
    return derive_seed(random_state)


class _BaseTimeSeriesClusterer(ClusterMixin, BaseEstimator):
    """Shared fit/predict of the baselines.

    Subclasses implement ``_make_estimator(n_clusters, random_state)`` and may override
    ``_fit_features(X)`` (features of the training windows, may fit state), ``_features(X)``
    (features of new windows, with that state) and ``_centers(estimator)``. ``X`` is the
    collection at the common length (resampled series), or, with ``_unpadded = True``, the
    NaN-padded series as given (estimators that handle series of different lengths).
    """

    _unpadded: ClassVar[bool] = False
    """Whether the inner estimator gets the unpadded series (NaN-padded layout) instead of
    series resampled to one length."""

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "n_clusters": [Interval(int, 2)],
        "random_state": [Interval(int, 0), np.random.RandomState, None],
    }

    def _validate_params(self) -> None:
        """Check every parameter against ``_parameter_constraints`` (ValueError on the first bad one)."""
        validate_params(self.get_params(deep=False), self._parameter_constraints)

    # ----------------------------------------------------------------- hooks
    def _make_estimator(self, n_clusters: int, random_state: Any) -> Any:  # pragma: no cover
        raise NotImplementedError

    def _check_data_params(self) -> None:
        """Checks of parameters against the training windows (after ``n_timepoints_`` is set)."""

    def _fit_features(self, X: np.ndarray) -> np.ndarray:
        return self._features(X)

    def _features(self, X: np.ndarray) -> np.ndarray:
        return X

    def _centers(self, estimator: Any) -> np.ndarray | None:
        return np.asarray(estimator.cluster_centers_)

    def _series(self, col: Collection) -> np.ndarray:
        """What the features are computed from: padded or resampled series (``_unpadded``)."""
        return col.padded if self._unpadded else col.X

    # ------------------------------------------------------------------- API
    def fit(self, X: Any, y: Any = None) -> _BaseTimeSeriesClusterer:
        """Cluster the windows ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timepoints, n_channels) or (n_samples, n_timepoints), or list of array-like of shape (T_i, n_channels) or (T_i,)
            Windows; a 2-D array is univariate. Series of different lengths: a list, or an
            array NaN-padded after each series' end (see the module docstring for what each
            baseline is given).
        y : ignored
            Present for API consistency.

        Returns
        -------
        self : estimator
            Fitted; ``labels_`` of shape (n_samples,) holds the clusters of ``X``;
            ``n_timepoints_`` is the longest length, ``variable_length_`` whether the lengths
            differ.

        Raises
        ------
        ValueError
            Bad shape, NaN/inf (NaN inside a series), ``n_clusters < 2`` or
            ``n_clusters > n_samples``, bad parameters, complex values.
        TypeError
            Sparse or non-numeric input.
        """
        self._validate_params()
        col = collect(X, dtype=np.float64)
        n_clusters = check_n_clusters(self.n_clusters, len(col.lengths))
        self.n_timepoints_, self.n_channels_ = col.n_timepoints, int(col.X.shape[2])
        self.variable_length_ = col.variable_length
        self._check_data_params()
        features = self._fit_features(self._series(col))
        estimator = self._make_estimator(n_clusters, _inner_random_state(self.random_state))
        estimator.fit(features)
        self.estimator_ = estimator
        self.labels_ = np.asarray(estimator.labels_, dtype=np.int64)
        centers = self._centers(estimator)
        if centers is not None:
            self.cluster_centers_ = centers
        self.inertia_ = float(estimator.inertia_)
        if hasattr(estimator, "n_iter_"):
            self.n_iter_ = int(estimator.n_iter_)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Assign windows to the fitted clusters.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timepoints, n_channels) or (n_samples, n_timepoints), or list of array-like of shape (T_i, n_channels) or (T_i,)
            Windows with the fitted number of channels; with the fitted length, or of any
            lengths when the fit saw series of different lengths (``variable_length_``).

        Returns
        -------
        labels : ndarray of shape (n_samples,), dtype int64

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before :meth:`fit`.
        ValueError
            Bad shape, NaN/inf, a channel count different from the fitted one, or a length
            different from the fitted one after a fit on one length.
        """
        check_is_fitted(self, "estimator_")
        col = collect(X, n_timepoints=self.n_timepoints_, n_channels=self.n_channels_,
                      variable_length=self.variable_length_, dtype=np.float64)
        return np.asarray(self.estimator_.predict(self._features(self._series(col))),
                          dtype=np.int64)

    def fit_predict(self, X: Any, y: Any = None) -> np.ndarray:
        """Fit on ``X`` and return ``labels_``, the clusters of ``X``, shape (n_samples,)."""
        return self.fit(X).labels_


#: Constraints of the baselines with k-means style iterations.
_ITERATIONS: dict[str, list[Any]] = {
    **_BaseTimeSeriesClusterer._parameter_constraints,
    "max_iter": [Interval(int, 1)],
    "n_init": [Interval(int, 1)],
}


class _Flattened:
    """Mixin: windows flattened to ``n_timepoints * n_channels`` features, centres reshaped back."""

    n_timepoints_: int
    n_channels_: int

    def _features(self, X: np.ndarray) -> np.ndarray:
        return X.reshape(X.shape[0], -1)

    def _centers(self, estimator: Any) -> np.ndarray:
        return estimator.cluster_centers_.reshape(-1, self.n_timepoints_, self.n_channels_)


def _check_max_samples(est: Any) -> None:
    """The baselines that cluster a subsample (Ward, spectral) need it to hold ``n_clusters`` rows."""
    if est.max_samples < est.n_clusters:
        raise ValueError(f"max_samples must be an integer >= n_clusters, got {est.max_samples!r}")


def _subsample_seed(random_state: Any) -> int:
    """The seed of a subsample-and-cluster step (Ward, spectral) from a baseline's random state."""
    return derive_seed(random_state) if random_state is not None else 0


class _SklearnKMeans(_BaseTimeSeriesClusterer):
    """scikit-learn ``KMeans`` on features computed by the subclass (one constructor for all)."""

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = _ITERATIONS

    def __init__(
        self,
        n_clusters: int = 8,
        n_init: int = 10,
        max_iter: int = 300,
        random_state: Any = None,
        verbose: int = 0,
    ) -> None:
        set_init_params(self, locals())

    def _make_estimator(self, n_clusters: int, random_state: Any) -> Any:
        return KMeans(
            n_clusters=n_clusters,
            n_init=self.n_init,
            max_iter=self.max_iter,
            random_state=random_state,
            verbose=self.verbose,
        )
