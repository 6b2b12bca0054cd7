"""tslearn baselines: DTW, soft-DTW and Euclidean k-means, k-Shape."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from .._validation import (
    Interval,
    set_init_params,
)
from ._base import _ITERATIONS, _BaseTimeSeriesClusterer, z_normalize


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
        More workers were measured slower than one on a 2-core machine
        (docs/results_hapt.md), hence the default.
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
        set_init_params(self, locals())

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
        set_init_params(self, locals())

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
        set_init_params(self, locals())

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
        set_init_params(self, locals())

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
