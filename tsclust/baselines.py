"""Baselines behind the tsclust estimator API: tslearn k-means variants, KShape, plain k-means.

Every baseline is a scikit-learn clusterer taking the public layout
``(n_samples, n_timepoints, n_channels)`` (tslearn's order), so :func:`tsclust.compare.compare`
runs them exactly like the deep estimators:

- ``"dtw-kmeans"``: :class:`DTWKMeans`, windows under DTW with DBA barycentres (tslearn);
- ``"softdtw-kmeans"``: :class:`SoftDTWKMeans`, windows under soft-DTW (tslearn);
- ``"euclidean-kmeans"``: :class:`EuclideanKMeans`, windows, Euclidean (tslearn);
- ``"kshape"``: :class:`KShapeBaseline`, z-normalised windows, shape-based distance (tslearn);
- ``"kmeans"``: :class:`FlatKMeans`, flattened windows, scikit-learn k-means;
- ``"stats-kmeans"``: :class:`StatsKMeans`, per-channel mean and std of each window;
- ``"cov-ward"``: :class:`CovWard`, window means and log-covariances (the statistics the
  ``"cov"`` autoencoder learns from), Ward clustering, no network;
- ``"spectral"``: :class:`FlatSpectral`, flattened windows, spectral clustering of their
  nearest-neighbour graph (what the ``"spectral"`` head does on latents, here on the raw
  windows: it tells whether an encoder adds to the graph);
- ``"rocket-spectral"``: :class:`RocketSpectral`, the random-kernel features of
  ``"rocket-kmeans"`` under the same graph step;
- ``"rocket-kmeans"``: :class:`RocketKMeans`, MiniRocket-style random-kernel features (the
  ``"rocket"`` stage), standardised, PCA to 80% of the variance, k-means.

All fit/predict logic lives in one private base class; a baseline only says how it turns
windows into the inner estimator's input and which inner estimator it builds.

Series of different lengths (a list of ``(T_i, C)`` / ``(T_i,)`` arrays, or a NaN-padded
array ``(n, T_max, C)``) are accepted by every baseline through
:func:`tsclust.preprocessing.lengths.collect`: DTW and soft-DTW k-means are given the
unpadded series (tslearn's NaN-padded layout, ``to_time_series_dataset``; DTW compares
series of different lengths itself); every other baseline (Euclidean k-means, k-Shape,
flat / statistics k-means, cov-ward, rocket-kmeans) is given the series linearly resampled
to the longest length of the fit (at predict: to that fitted length, whatever the lengths).
Equal-length input is passed as before.

``random_state``: an int (or None) is handed unchanged to the inner tslearn / scikit-learn
estimator, so ``DTWKMeans(12, random_state=0)`` reproduces
``TimeSeriesKMeans(12, metric="dtw", random_state=0)`` exactly; a ``RandomState`` instance is
turned into one int with :func:`tsclust._validation.derive_seed`.
"""

from __future__ import annotations

import numbers
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from ._validation import (
    Check,
    Interval,
    check_delays,
    check_n_clusters,
    derive_seed,
    validate_params,
)
from .preprocessing.lengths import Collection, collect

__all__ = [
    "DTWKMeans",
    "SoftDTWKMeans",
    "EuclideanKMeans",
    "KShapeBaseline",
    "FlatKMeans",
    "StatsKMeans",
    "CovWard",
    "RocketKMeans",
    "FlatSpectral",
    "RocketSpectral",
    "FlatUMAP",
    "RocketUMAP",
    "BASELINES",
    "pca_to_variance",
    "make_baseline",
    "z_normalize",
    "window_stats",
]


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


class _TSLearnKMeans(_BaseTimeSeriesClusterer):
    """tslearn ``TimeSeriesKMeans`` with a metric chosen by the subclass.

    The DTW metrics (``_unpadded = True``) get series of different lengths unpadded (NaN
    after each end); Euclidean gets them resampled to one length.
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = _ITERATIONS

    def _metric(self) -> tuple[str, dict | None]:  # pragma: no cover
        raise NotImplementedError

    def _make_estimator(self, n_clusters: int, random_state: Any) -> Any:
        from tslearn.clustering import TimeSeriesKMeans

        metric, metric_params = self._metric()
        return TimeSeriesKMeans(
            n_clusters=n_clusters,
            metric=metric,
            metric_params=metric_params,
            max_iter=self.max_iter,
            n_init=self.n_init,
            n_jobs=getattr(self, "n_jobs", None),
            verbose=self.verbose,
            random_state=random_state,
        )


class DTWKMeans(_TSLearnKMeans):
    """k-means under dynamic time warping with DBA barycentres (tslearn ``TimeSeriesKMeans``).

    The strongest baseline measured on HAPT so far (ARI 0.62 with 12 clusters, see FINDINGS).
    Series of different lengths are given to tslearn unpadded (NaN-padded layout): DTW
    aligns them as they are, nothing is resampled, and the barycentres have the longest
    length.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters, 2 <= n_clusters <= n_samples.
    max_iter : int, default=10
        Maximum number of k-means iterations.
    n_init : int, default=1
        Number of restarts; the one with the lowest inertia is kept.
    sakoe_chiba_radius : int or None, default=None
        If given, DTW is constrained to a Sakoe-Chiba band of this radius (time points), which is
        faster and forbids pathological warps; None means unconstrained DTW.
    n_jobs : int or None, default=None
        joblib workers for the DTW distance matrices; None means joblib's default (one worker).
        On the 2-core machine of FINDINGS ``n_jobs=2`` was 2.5x *slower* than ``n_jobs=1``
        (1108 s vs 434 s on 10,929 HAPT windows), hence the default.
    random_state : int, RandomState or None, default=None
        Seeds the k-means++ initialisation.
    verbose : int, default=0
        tslearn verbosity (it prints).

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Clusters of the training windows.
    cluster_centers_ : ndarray of shape (n_clusters, n_timepoints, n_channels)
        DBA barycentres.
    inertia_ : float
        Sum of squared DTW distances to the closest barycentre.
    n_iter_ : int
        Iterations run.
    estimator_ : tslearn.clustering.TimeSeriesKMeans
        The fitted inner estimator.

    Examples
    --------
    >>> X = np.concatenate([np.zeros((3, 8, 1)), np.ones((3, 8, 1))])
    >>> DTWKMeans(n_clusters=2, random_state=0).fit(X).labels_.tolist() in ([0, 0, 0, 1, 1, 1],
    ...                                                                      [1, 1, 1, 0, 0, 0])
    True
    """

    def __init__(
        self,
        n_clusters: int = 8,
        max_iter: int = 10,
        n_init: int = 1,
        sakoe_chiba_radius: int | None = None,
        n_jobs: int | None = None,
        random_state: Any = None,
        verbose: int = 0,
    ) -> None:
        self.n_clusters = n_clusters
        self.max_iter = max_iter
        self.n_init = n_init
        self.sakoe_chiba_radius = sakoe_chiba_radius
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **_ITERATIONS, "sakoe_chiba_radius": [Interval(int, 0), None]}
    _unpadded = True  # DTW aligns series of different lengths itself

    def _metric(self) -> tuple[str, dict | None]:
        if self.sakoe_chiba_radius is None:
            return "dtw", None
        return "dtw", {
            "global_constraint": "sakoe_chiba",
            "sakoe_chiba_radius": int(self.sakoe_chiba_radius),
        }


class SoftDTWKMeans(_TSLearnKMeans):
    """k-means under soft-DTW with soft-DTW barycentres (tslearn ``TimeSeriesKMeans``).

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters, 2 <= n_clusters <= n_samples.
    gamma : float, default=1.0
        Soft-min smoothing, > 0; small values approach DTW.
    max_iter : int, default=10
        Maximum number of k-means iterations.
    n_init : int, default=1
        Number of restarts.
    n_jobs : int or None, default=None
        joblib workers (see :class:`DTWKMeans` for why the default is one).
    random_state : int, RandomState or None, default=None
        Seeds the initialisation.
    verbose : int, default=0
        tslearn verbosity.

    Attributes
    ----------
    labels_, cluster_centers_, inertia_, n_iter_, estimator_
        As in :class:`DTWKMeans`; centres have shape (n_clusters, n_timepoints, n_channels).
        Series of different lengths are given unpadded, as in :class:`DTWKMeans`.

    Examples
    --------
    >>> rng = np.random.RandomState(0)
    >>> X = np.concatenate([np.zeros((3, 8, 1)), np.ones((3, 8, 1))]) + 0.1 * rng.randn(6, 8, 1)
    >>> SoftDTWKMeans(n_clusters=2, max_iter=2, random_state=0).fit_predict(X).tolist()
    [1, 1, 1, 0, 0, 0]
    """

    def __init__(
        self,
        n_clusters: int = 8,
        gamma: float = 1.0,
        max_iter: int = 10,
        n_init: int = 1,
        n_jobs: int | None = None,
        random_state: Any = None,
        verbose: int = 0,
    ) -> None:
        self.n_clusters = n_clusters
        self.gamma = gamma
        self.max_iter = max_iter
        self.n_init = n_init
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **_ITERATIONS, "gamma": [Interval(float, 0, closed="neither")]}
    _unpadded = True  # soft-DTW aligns series of different lengths itself

    def _metric(self) -> tuple[str, dict | None]:
        return "softdtw", {"gamma": float(self.gamma)}


class EuclideanKMeans(_TSLearnKMeans):
    """k-means with Euclidean distance and arithmetic-mean centres (tslearn ``TimeSeriesKMeans``).

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters, 2 <= n_clusters <= n_samples.
    max_iter : int, default=50
        Maximum number of k-means iterations.
    n_init : int, default=1
        Number of restarts.
    random_state : int, RandomState or None, default=None
        Seeds the k-means++ initialisation.
    verbose : int, default=0
        tslearn verbosity.

    Attributes
    ----------
    labels_, cluster_centers_, inertia_, n_iter_, estimator_
        As in :class:`DTWKMeans`.

    Examples
    --------
    >>> X = np.concatenate([np.zeros((3, 8, 2)), np.ones((3, 8, 2))])
    >>> EuclideanKMeans(n_clusters=2, random_state=0).fit(X).cluster_centers_.shape
    (2, 8, 2)
    """

    def __init__(
        self,
        n_clusters: int = 8,
        max_iter: int = 50,
        n_init: int = 1,
        random_state: Any = None,
        verbose: int = 0,
    ) -> None:
        self.n_clusters = n_clusters
        self.max_iter = max_iter
        self.n_init = n_init
        self.random_state = random_state
        self.verbose = verbose

    def _metric(self) -> tuple[str, dict | None]:
        return "euclidean", None


class KShapeBaseline(_BaseTimeSeriesClusterer):
    """k-Shape (Paparrizos and Gravano, 2015): shape-based distance, tslearn ``KShape``.

    k-Shape compares z-normalised series (it is invariant to offset and scale by design, and
    tslearn's implementation assumes that the input already is z-normalised). With
    ``z_normalize=True`` (default) every window is z-normalised per channel over time, in
    ``fit`` and in ``predict``; set it to False only if the windows already are.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters, 2 <= n_clusters <= n_samples.
    max_iter : int, default=100
        Maximum number of iterations.
    n_init : int, default=1
        Number of restarts.
    z_normalize : bool, default=True
        Z-normalise each window (per channel) before clustering.
    random_state : int, RandomState or None, default=None
        Seeds the random initial assignment.
    verbose : int, default=0
        tslearn verbosity.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
    cluster_centers_ : ndarray of shape (n_clusters, n_timepoints, n_channels)
        Shape centroids, in z-normalised units.
    inertia_, n_iter_, estimator_
        As in :class:`DTWKMeans`.

    Examples
    --------
    >>> t = np.linspace(0, 2 * np.pi, 16)
    >>> X = np.stack([np.sin(t), np.sin(t) * 3, np.sign(np.sin(t)), np.sign(np.sin(t)) * 2])
    >>> KShapeBaseline(n_clusters=2, max_iter=5, random_state=0).fit(X).labels_.shape
    (4,)
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **_ITERATIONS, "z_normalize": [bool]}

    def __init__(
        self,
        n_clusters: int = 8,
        max_iter: int = 100,
        n_init: int = 1,
        z_normalize: bool = True,
        random_state: Any = None,
        verbose: int = 0,
    ) -> None:
        self.n_clusters = n_clusters
        self.max_iter = max_iter
        self.n_init = n_init
        self.z_normalize = z_normalize
        self.random_state = random_state
        self.verbose = verbose

    def _features(self, X: np.ndarray) -> np.ndarray:
        return z_normalize(X) if self.z_normalize else X

    def _make_estimator(self, n_clusters: int, random_state: Any) -> Any:
        from tslearn.clustering import KShape

        return KShape(
            n_clusters=n_clusters,
            max_iter=self.max_iter,
            n_init=self.n_init,
            verbose=bool(self.verbose),
            random_state=random_state,
        )


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
        self.n_clusters = n_clusters
        self.n_init = n_init
        self.max_iter = max_iter
        self.random_state = random_state
        self.verbose = verbose

    def _make_estimator(self, n_clusters: int, random_state: Any) -> Any:
        return KMeans(
            n_clusters=n_clusters,
            n_init=self.n_init,
            max_iter=self.max_iter,
            random_state=random_state,
            verbose=self.verbose,
        )


class FlatKMeans(_Flattened, _SklearnKMeans):
    """scikit-learn k-means on flattened windows (``n_timepoints * n_channels`` features).

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters, 2 <= n_clusters <= n_samples.
    n_init : int, default=10
        Number of k-means++ restarts.
    max_iter : int, default=300
        Maximum iterations per restart.
    random_state : int, RandomState or None, default=None
        Seeds the initialisations.
    verbose : int, default=0
        scikit-learn verbosity.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
    cluster_centers_ : ndarray of shape (n_clusters, n_timepoints, n_channels)
        Centres reshaped back to windows.
    inertia_, n_iter_, estimator_
        As in :class:`DTWKMeans`; ``estimator_`` is a ``sklearn.cluster.KMeans``.

    Examples
    --------
    >>> X = np.concatenate([np.zeros((3, 4, 2)), np.ones((3, 4, 2))])
    >>> FlatKMeans(n_clusters=2, random_state=0).fit(X).cluster_centers_.shape
    (2, 4, 2)
    """


def window_stats(X: np.ndarray) -> np.ndarray:
    """Per-channel mean and standard deviation over time of each window.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_timepoints, n_channels)

    Returns
    -------
    stats : ndarray of shape (n_samples, 2 * n_channels)
        ``[mean_0, ..., mean_{C-1}, std_0, ..., std_{C-1}]``.
    """
    return np.concatenate([X.mean(axis=1), X.std(axis=1)], axis=1)


class StatsKMeans(_SklearnKMeans):
    """The trivial baseline: k-means on per-channel mean and std of each window.

    Each window becomes ``2 * n_channels`` numbers (see :func:`window_stats`), standardised with
    a ``StandardScaler`` fitted in :meth:`fit`, then clustered with scikit-learn k-means. On HAPT
    (12 clusters) it reached ARI 0.48, above k-means on raw windows (0.29): any method that does
    not beat it has not learned much about the windows' shape.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters, 2 <= n_clusters <= n_samples.
    n_init : int, default=10
        Number of k-means++ restarts.
    max_iter : int, default=300
        Maximum iterations per restart.
    random_state : int, RandomState or None, default=None
        Seeds the initialisations.
    verbose : int, default=0
        scikit-learn verbosity.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
    cluster_centers_ : ndarray of shape (n_clusters, 2 * n_channels)
        Centres in the original (unstandardised) statistics: means, then standard deviations.
    scaler_ : sklearn.preprocessing.StandardScaler
        Fitted on the training statistics.
    inertia_, n_iter_, estimator_
        As in :class:`FlatKMeans` (inertia in standardised units).

    Examples
    --------
    >>> X = np.concatenate([np.zeros((3, 4, 2)), np.ones((3, 4, 2))])
    >>> StatsKMeans(n_clusters=2, random_state=0).fit(X).cluster_centers_.shape
    (2, 4)
    """

    def _fit_features(self, X: np.ndarray) -> np.ndarray:
        stats = window_stats(X)
        self.scaler_ = StandardScaler().fit(stats)
        return self.scaler_.transform(stats)

    def _features(self, X: np.ndarray) -> np.ndarray:
        return self.scaler_.transform(window_stats(X))

    def _centers(self, estimator: Any) -> np.ndarray:
        return self.scaler_.inverse_transform(estimator.cluster_centers_)


class _WardOnRows:
    """Ward clustering with the small estimator interface the base class uses.

    ``fit`` sets ``labels_``, ``cluster_centers_`` (cluster means) and ``inertia_`` (sum of
    squared distances to them); ``predict`` assigns rows to the nearest centre.
    """

    def __init__(self, n_clusters: int, max_samples: int, random_state: Any) -> None:
        self.n_clusters, self.max_samples = n_clusters, max_samples
        self.seed = _subsample_seed(random_state)

    def fit(self, F: np.ndarray) -> _WardOnRows:
        from .clustering._heads import ward_cluster

        self.labels_, self.cluster_centers_ = ward_cluster(
            F, self.n_clusters, self.max_samples, self.seed
        )
        self.inertia_ = float(((F - self.cluster_centers_[self.labels_]) ** 2).sum())
        self.n_iter_ = 1  # one agglomerative pass
        return self

    def predict(self, F: np.ndarray) -> np.ndarray:
        from .clustering._heads import _nearest

        return _nearest(F, self.cluster_centers_)


class CovWard(_BaseTimeSeriesClusterer):
    """Ward clustering of window means and log-covariances: the ``"cov"`` features, no network.

    Channels are standardised with the mean and standard deviation of the training windows,
    each window becomes :func:`tsclust.models.window_statistics` (channel means and the
    upper triangle of the matrix logarithm of the regularised covariance of the
    delay-embedded channels), every statistic is standardised, and Ward's method clusters
    them (on a seeded subsample of ``max_samples`` windows when there are more; the rest go
    to the nearest cluster mean, as do new windows in :meth:`predict`). It shows what the
    ``"cov"`` autoencoder adds over its own input features.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters, 2 <= n_clusters <= n_samples.
    delays : tuple of int, default=(4,)
        Delays of the covariance embedding, in samples.
    eps : float, default=0.1
        Ridge added to each covariance (in units of the standardised channels).
    max_samples : int, default=20000
        Largest number of windows Ward clusters directly.
    random_state : int, RandomState or None, default=None
        Seeds the subsample (used only above ``max_samples`` windows).

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
    cluster_centers_ : ndarray of shape (n_clusters, n_statistics)
        Cluster means of the standardised statistics.
    statistics_ : tsclust.clustering.CovStatistics
        The fitted statistics; ``channel_mean_``, ``channel_scale_`` and ``scaler_`` are its
        attributes.
    channel_mean_, channel_scale_ : ndarray of shape (n_channels,)
    scaler_ : sklearn.preprocessing.StandardScaler
        Fitted on the training statistics.
    inertia_ : float
        Sum of squared distances to the cluster means (standardised statistics).

    Examples
    --------
    >>> rng = np.random.RandomState(0)
    >>> X = np.concatenate([rng.randn(5, 16, 2), 3 + rng.randn(5, 16, 2)])
    >>> CovWard(n_clusters=2).fit_predict(X).tolist()
    [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]
    """

    def __init__(
        self,
        n_clusters: int = 8,
        delays: tuple[int, ...] = (4,),
        eps: float = 0.1,
        max_samples: int = 20_000,
        random_state: Any = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.delays = delays
        self.eps = eps
        self.max_samples = max_samples
        self.random_state = random_state

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **_BaseTimeSeriesClusterer._parameter_constraints,
        "eps": [Interval(float, 0, closed="neither")],
        "delays": [Check(check_delays)],
        "max_samples": [Interval(int, 2)],
    }

    def _check_data_params(self) -> None:
        delays = tuple(self.delays)
        if max(delays, default=0) >= self.n_timepoints_:
            raise ValueError(
                f"delays {delays} need windows longer than {max(delays)} samples, "
                f"got {self.n_timepoints_}"
            )
        _check_max_samples(self)

    def _make_estimator(self, n_clusters: int, random_state: Any) -> Any:
        return _WardOnRows(n_clusters, self.max_samples, random_state)

    def _fit_features(self, X: np.ndarray) -> np.ndarray:
        from .clustering._features import CovStatistics

        self.statistics_ = CovStatistics(self.delays, self.eps)
        features = self.statistics_.fit_transform(X)
        self.channel_mean_ = self.statistics_.channel_mean_
        self.channel_scale_ = self.statistics_.channel_scale_
        self.scaler_ = self.statistics_.scaler_
        return features

    def _features(self, X: np.ndarray) -> np.ndarray:
        return self.statistics_.transform(X)


class _GraphStep:
    """Mixin of the baselines that end with a graph step: a :class:`SubsampleAssigner` named by
    ``_assigner`` (in :mod:`tsclust.clustering._heads`) as the inner estimator.

    Needs the attributes ``n_clusters``, ``n_neighbors``, ``max_samples``.
    """

    _assigner: ClassVar[str]
    n_clusters: int
    n_neighbors: int | None
    max_samples: int

    def _check_data_params(self) -> None:
        _check_max_samples(self)

    def _make_estimator(self, n_clusters: int, random_state: Any) -> Any:
        from .clustering import _heads

        return getattr(_heads, self._assigner)(
            n_clusters, n_neighbors=self.n_neighbors, max_samples=self.max_samples,
            seed=_subsample_seed(random_state))


class _SpectralStep(_GraphStep):
    """The spectral step (:class:`tsclust.clustering._heads.SpectralAssigner`)."""

    _assigner = "SpectralAssigner"


#: Constraints of the baselines that end with the spectral step.
_SPECTRAL: dict[str, list[Any]] = {
    "n_neighbors": [Interval(int, 1)],
    "max_samples": [Interval(int, 2)],
}


class FlatSpectral(_Flattened, _SpectralStep, _BaseTimeSeriesClusterer):
    """Spectral clustering of the flattened windows' nearest-neighbour graph.

    Each window is flattened (``n_timepoints * n_channels`` values, as in
    :class:`FlatKMeans`), the ``n_neighbors``-nearest-neighbour graph of the windows is
    clustered by scikit-learn's spectral clustering (``cluster_qr``), on a seeded subsample of
    ``max_samples`` windows when there are more, and every other window, new ones in
    :meth:`predict` included, takes the cluster of its nearest clustered training window
    (:class:`tsclust.clustering._heads.SpectralAssigner`, the same step as the ``"spectral"``
    head on latents).

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters, 2 <= n_clusters <= n_samples.
    n_neighbors : int, default=10
        Neighbours per window in the graph (capped at the number of windows - 1).
    max_samples : int, default=20000
        Most windows in the graph.
    random_state : int, RandomState or None, default=None
        Seeds the subsample and the spectral embedding.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
    cluster_centers_ : ndarray of shape (n_clusters, n_timepoints, n_channels)
        Cluster means reshaped back to windows.
    inertia_ : float
        Sum of squared distances to the cluster means.
    estimator_ : SpectralAssigner

    Examples
    --------
    >>> rng = np.random.RandomState(0)
    >>> X = np.concatenate([rng.randn(6, 8, 1), 4 + rng.randn(6, 8, 1)])
    >>> FlatSpectral(2, n_neighbors=3, random_state=0).fit_predict(X).tolist()
    [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **_BaseTimeSeriesClusterer._parameter_constraints, **_SPECTRAL,
    }

    def __init__(self, n_clusters: int = 8, n_neighbors: int = 10, max_samples: int = 20_000,
                 random_state: Any = None) -> None:
        self.n_clusters = n_clusters
        self.n_neighbors = n_neighbors
        self.max_samples = max_samples
        self.random_state = random_state


#: Constraints of the random-kernel feature parameters (rocket-kmeans, rocket-spectral).
_ROCKET: dict[str, list[Any]] = {
    "n_features": [Interval(int, 84)],
    "max_dilations": [Interval(int, 1)],
    "pca_variance": [Interval(float, 0, 1, closed="neither"), None],
    "device": [str, None],
}


class RocketKMeans(_SklearnKMeans):
    """k-means on MiniRocket-style random-kernel features, standardised and reduced by PCA.

    Each window becomes the PPV features of :class:`tsclust.models.stages.RocketStage`
    (84 fixed kernels at several dilations, biases from quantiles of the convolutions of
    random training windows, random channel subsets on multichannel windows; computed by
    :class:`tsclust.clustering._features.RocketFeatures`), every feature is standardised
    (``StandardScaler``), PCA keeps the components that explain ``pca_variance`` of the
    variance (:func:`pca_to_variance`), and scikit-learn k-means clusters them. The windows are used as given
    (MiniRocket's kernels sum to zero, so a constant offset per channel only changes the
    padded edges).

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters, 2 <= n_clusters <= n_samples.
    n_features : int, default=9996
        Requested number of random-kernel features (rounded down to a multiple of 84).
    max_dilations : int, default=32
        Most dilations per kernel.
    pca_variance : float or None, default=0.8
        Fraction of the variance the kept principal components explain, in (0, 1); None
        clusters the standardised features without PCA.
    n_init : int, default=10
        Number of k-means++ restarts.
    max_iter : int, default=300
        Maximum iterations per restart.
    random_state : int, RandomState or None, default=None
        Seeds the stage (one seed drawn with :func:`tsclust._validation.derive_seed`), the
        PCA solver and the k-means initialisations.
    device : str or None, default=None
        Where the features are computed ("cpu", "cuda", ...; None: the CPU).
    verbose : int, default=0
        scikit-learn verbosity.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
    cluster_centers_ : ndarray of shape (n_clusters, n_components)
        Centres in the PCA space (standardised feature space without PCA).
    rocket_ : RocketFeatures
        The fitted features (``rocket_.stage_`` is the stage, biases included).
    scaler_ : sklearn.preprocessing.StandardScaler
    pca_ : sklearn.decomposition.PCA or None
        Fitted by :func:`pca_to_variance`; may hold more components than it keeps.
    n_components_ : int
        Dimensions k-means sees: the leading components of ``pca_`` that explain
        ``pca_variance`` of the variance.
    inertia_, n_iter_, estimator_
        As in :class:`FlatKMeans` (inertia in the PCA space).

    Examples
    --------
    >>> rng = np.random.RandomState(0)
    >>> t = np.linspace(0, 8 * np.pi, 64)
    >>> X = np.concatenate([np.sin(t)[None, :, None] + 0.1 * rng.randn(5, 64, 1),
    ...                     np.sign(np.sin(4 * t))[None, :, None] + 0.1 * rng.randn(5, 64, 1)])
    >>> RocketKMeans(2, n_features=168, random_state=0).fit_predict(X).tolist()
    [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {**_ITERATIONS, **_ROCKET}

    def __init__(
        self,
        n_clusters: int = 8,
        n_features: int = 9996,
        max_dilations: int = 32,
        pca_variance: float | None = 0.8,
        n_init: int = 10,
        max_iter: int = 300,
        random_state: Any = None,
        device: str | None = None,
        verbose: int = 0,
    ) -> None:
        super().__init__(n_clusters, n_init, max_iter, random_state, verbose)
        self.n_features = n_features
        self.max_dilations = max_dilations
        self.pca_variance = pca_variance
        self.device = device

    def _fit_features(self, X: np.ndarray) -> np.ndarray:
        from .clustering._features import RocketFeatures

        self.rocket_ = RocketFeatures(self.n_features, self.max_dilations,
                                      seed=derive_seed(self.random_state), device=self.device)
        features = self.rocket_.fit_transform(X)  # (n, F) float32
        self.scaler_ = StandardScaler().fit(features)
        features = self.scaler_.transform(features)
        self.pca_ = None
        self.n_components_ = int(features.shape[1])
        if self.pca_variance is not None:
            seed = _inner_random_state(self.random_state)
            self.pca_, self.n_components_ = pca_to_variance(features, self.pca_variance, seed)
            features = self.pca_.transform(features)[:, : self.n_components_]
        return features

    def _features(self, X: np.ndarray) -> np.ndarray:
        features = self.scaler_.transform(self.rocket_.transform(X))
        if self.pca_ is None:
            return features
        return self.pca_.transform(features)[:, : self.n_components_]


class RocketSpectral(_SpectralStep, RocketKMeans):
    """Spectral clustering of the random-kernel features' nearest-neighbour graph.

    The features of :class:`RocketKMeans` (standardised, PCA to ``pca_variance``), then the
    graph step of :class:`FlatSpectral` instead of k-means: it tells what the graph adds on
    random-kernel features.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters, 2 <= n_clusters <= n_samples.
    n_features, max_dilations, pca_variance, device
        As in :class:`RocketKMeans`.
    n_neighbors : int, default=10
    max_samples : int, default=20000
        As in :class:`FlatSpectral`.
    random_state : int, RandomState or None, default=None
        Seeds the stage, the PCA solver, the subsample and the spectral embedding.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
    cluster_centers_ : ndarray of shape (n_clusters, n_components)
        Cluster means in the PCA space.
    rocket_, scaler_, pca_, n_components_
        As in :class:`RocketKMeans` (its attributes of the same names).
    estimator_ : SpectralAssigner

    Examples
    --------
    >>> rng = np.random.RandomState(0)
    >>> t = np.linspace(0, 8 * np.pi, 64)
    >>> X = np.concatenate([np.sin(t)[None, :, None] + 0.1 * rng.randn(8, 64, 1),
    ...                     np.sign(np.sin(4 * t))[None, :, None] + 0.1 * rng.randn(8, 64, 1)])
    >>> labels = RocketSpectral(2, n_features=168, n_neighbors=4, random_state=0).fit_predict(X)
    >>> len(set(labels[:8])), len(set(labels[8:])), bool(labels[0] != labels[8])
    (1, 1, True)
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **_BaseTimeSeriesClusterer._parameter_constraints, **_SPECTRAL, **_ROCKET,
    }

    def __init__(
        self,
        n_clusters: int = 8,
        n_features: int = 9996,
        max_dilations: int = 32,
        pca_variance: float | None = 0.8,
        n_neighbors: int = 10,
        max_samples: int = 20_000,
        random_state: Any = None,
        device: str | None = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.n_features = n_features
        self.max_dilations = max_dilations
        self.pca_variance = pca_variance
        self.n_neighbors = n_neighbors
        self.max_samples = max_samples
        self.random_state = random_state
        self.device = device


class _EmbeddingStep(_GraphStep):
    """The neighbour-embedding step (:class:`tsclust.clustering._heads.EmbeddingAssigner`)."""

    _assigner = "EmbeddingAssigner"


#: Constraints of the baselines that end with the neighbour-embedding step.
_EMBEDDING: dict[str, list[Any]] = {
    "n_neighbors": [Interval(int, 2), None],
    "max_samples": [Interval(int, 2)],
}


class FlatUMAP(_Flattened, _EmbeddingStep, _BaseTimeSeriesClusterer):
    """k-means on a neighbour embedding (UMAP's objective) of the flattened windows.

    Each window is flattened (as in :class:`FlatKMeans`), the windows' fuzzy
    nearest-neighbour graph is embedded in 10 dimensions and k-means clusters the embedding
    (:class:`tsclust.clustering._heads.EmbeddingAssigner`, the step of the ``"umap"`` head);
    a new window takes the cluster of its nearest embedded training window.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters, 2 <= n_clusters <= n_samples.
    n_neighbors : int or None, default=None
        Graph neighbours, the window itself counted; None: ``max(50, sqrt(n) / 2)``
        (:func:`tsclust.clustering._embedding.default_n_neighbors`).
    max_samples : int, default=20000
        Most windows embedded (a seeded subsample above).
    random_state : int, RandomState or None, default=None
        Seeds the subsample, the embedding and k-means.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
    cluster_centers_ : ndarray of shape (n_clusters, n_timepoints, n_channels)
        Cluster means reshaped back to windows.
    inertia_ : float
    estimator_ : EmbeddingAssigner

    Examples
    --------
    >>> rng = np.random.RandomState(0)
    >>> X = np.concatenate([rng.randn(10, 8, 1), 4 + rng.randn(10, 8, 1)])
    >>> labels = FlatUMAP(2, n_neighbors=5, random_state=0).fit_predict(X)
    >>> len(set(labels[:10])), len(set(labels[10:])), bool(labels[0] != labels[10])
    (1, 1, True)
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **_BaseTimeSeriesClusterer._parameter_constraints, **_EMBEDDING,
    }

    def __init__(self, n_clusters: int = 8, n_neighbors: int | None = None,
                 max_samples: int = 20_000, random_state: Any = None) -> None:
        self.n_clusters = n_clusters
        self.n_neighbors = n_neighbors
        self.max_samples = max_samples
        self.random_state = random_state


class RocketUMAP(_EmbeddingStep, RocketKMeans):
    """k-means on a neighbour embedding of the random-kernel features.

    The features of :class:`RocketKMeans` (standardised, PCA to ``pca_variance``), then the
    embedding step of :class:`FlatUMAP` instead of k-means on them.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters, 2 <= n_clusters <= n_samples.
    n_features, max_dilations, pca_variance, device
        As in :class:`RocketKMeans`.
    n_neighbors : int or None, default=None
    max_samples : int, default=20000
        As in :class:`FlatUMAP`.
    random_state : int, RandomState or None, default=None
        Seeds the stage, the PCA solver, the subsample, the embedding and k-means.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
    cluster_centers_ : ndarray of shape (n_clusters, n_components)
        Cluster means in the PCA space.
    rocket_, scaler_, pca_, n_components_
        As in :class:`RocketKMeans` (its attributes of the same names).
    estimator_ : EmbeddingAssigner

    Examples
    --------
    >>> rng = np.random.RandomState(0)
    >>> t = np.linspace(0, 8 * np.pi, 64)
    >>> X = np.concatenate([np.sin(t)[None, :, None] + 0.1 * rng.randn(10, 64, 1),
    ...                     np.sign(np.sin(4 * t))[None, :, None] + 0.1 * rng.randn(10, 64, 1)])
    >>> labels = RocketUMAP(2, n_features=168, n_neighbors=10, random_state=0).fit_predict(X)
    >>> len(set(labels[:10])), len(set(labels[10:])), bool(labels[0] != labels[10])
    (1, 1, True)
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **_BaseTimeSeriesClusterer._parameter_constraints, **_EMBEDDING, **_ROCKET,
    }

    def __init__(
        self,
        n_clusters: int = 8,
        n_features: int = 9996,
        max_dilations: int = 32,
        pca_variance: float | None = 0.8,
        n_neighbors: int | None = None,
        max_samples: int = 20_000,
        random_state: Any = None,
        device: str | None = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.n_features = n_features
        self.max_dilations = max_dilations
        self.pca_variance = pca_variance
        self.n_neighbors = n_neighbors
        self.max_samples = max_samples
        self.random_state = random_state
        self.device = device


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


BASELINES: dict[str, type[_BaseTimeSeriesClusterer]] = {
    "dtw-kmeans": DTWKMeans,
    "softdtw-kmeans": SoftDTWKMeans,
    "euclidean-kmeans": EuclideanKMeans,
    "kshape": KShapeBaseline,
    "kmeans": FlatKMeans,
    "stats-kmeans": StatsKMeans,
    "cov-ward": CovWard,
    "rocket-kmeans": RocketKMeans,
    "spectral": FlatSpectral,
    "rocket-spectral": RocketSpectral,
    "umap": FlatUMAP,
    "rocket-umap": RocketUMAP,
}
"""Registry: baseline name -> estimator class (every class takes n_clusters and random_state)."""


def make_baseline(
    name: str, n_clusters: int, random_state: Any = None, **kwargs: Any
) -> _BaseTimeSeriesClusterer:
    """Build a baseline by registry name.

    Parameters
    ----------
    name : str
        A key of :data:`BASELINES`.
    n_clusters : int
        Number of clusters.
    random_state : int, RandomState or None, default=None
        Passed to the estimator.
    **kwargs
        Further constructor arguments of that baseline (e.g. ``sakoe_chiba_radius=10``).

    Returns
    -------
    estimator : unfitted baseline estimator

    Raises
    ------
    ValueError
        Unknown name (the message lists the valid ones).
    TypeError
        A keyword the baseline does not take.

    Examples
    --------
    >>> make_baseline("dtw-kmeans", 6, random_state=0, sakoe_chiba_radius=5)
    DTWKMeans(n_clusters=6, random_state=0, sakoe_chiba_radius=5)
    """
    try:
        cls = BASELINES[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown baseline {name!r}; valid names: {', '.join(sorted(BASELINES))}"
        ) from None
    return cls(n_clusters=n_clusters, random_state=random_state, **kwargs)
