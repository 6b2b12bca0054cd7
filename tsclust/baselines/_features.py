"""Baselines on features of the windows: flattened, statistics, cov statistics, random kernels."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from sklearn.preprocessing import StandardScaler

from .._validation import (
    Check,
    Interval,
    check_delays,
    derive_seed,
    set_init_params,
)
from ..training.neighbours import pca_to_variance
from ._base import (
    _ITERATIONS,
    _BaseTimeSeriesClusterer,
    _check_max_samples,
    _Flattened,
    _inner_random_state,
    _SklearnKMeans,
    _subsample_seed,
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
    a ``StandardScaler`` fitted in :meth:`fit`, then clustered with scikit-learn k-means: a
    method that does not beat it has not learned much about the windows' shape.

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
        from ..clustering import ward_cluster

        self.labels_, self.cluster_centers_ = ward_cluster(
            F, self.n_clusters, self.max_samples, self.seed
        )
        self.inertia_ = float(((F - self.cluster_centers_[self.labels_]) ** 2).sum())
        self.n_iter_ = 1  # one agglomerative pass
        return self

    def predict(self, F: np.ndarray) -> np.ndarray:
        from ..clustering import nearest

        return nearest(F, self.cluster_centers_)


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
        set_init_params(self, locals())

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
        from ..clustering import CovStatistics

        self.statistics_ = CovStatistics(self.delays, self.eps)
        features = self.statistics_.fit_transform(X)
        self.channel_mean_ = self.statistics_.channel_mean_
        self.channel_scale_ = self.statistics_.channel_scale_
        self.scaler_ = self.statistics_.scaler_
        return features

    def _features(self, X: np.ndarray) -> np.ndarray:
        return self.statistics_.transform(X)


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
        set_init_params(self, locals())

    def _fit_features(self, X: np.ndarray) -> np.ndarray:
        from ..clustering import RocketFeatures

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
