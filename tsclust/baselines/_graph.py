"""Baselines that end with a graph step: spectral clustering or a neighbour embedding."""

from __future__ import annotations

from typing import Any, ClassVar

from .._validation import (
    Interval,
    set_init_params,
)
from ._base import _BaseTimeSeriesClusterer, _check_max_samples, _Flattened, _subsample_seed
from ._features import _ROCKET, RocketKMeans


class _GraphStep:
    """Mixin of the baselines that end with a graph step: a :class:`SubsampleAssigner` named by
    ``_assigner`` (in :mod:`tsclust.clustering`) as the inner estimator.

    Needs the attributes ``n_clusters``, ``n_neighbors``, ``max_samples``.
    """

    _assigner: ClassVar[str]
    n_clusters: int
    n_neighbors: int | None
    max_samples: int

    def _check_data_params(self) -> None:
        _check_max_samples(self)

    def _make_estimator(self, n_clusters: int, random_state: Any) -> Any:
        from .. import clustering

        return getattr(clustering, self._assigner)(
            n_clusters, n_neighbors=self.n_neighbors, max_samples=self.max_samples,
            seed=_subsample_seed(random_state))


class _SpectralStep(_GraphStep):
    """The spectral step (:class:`tsclust.clustering.SpectralAssigner`)."""

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
    (:class:`tsclust.clustering.SpectralAssigner`, the same step as the ``"spectral"``
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
        set_init_params(self, locals())


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
        set_init_params(self, locals())


class _EmbeddingStep(_GraphStep):
    """The neighbour-embedding step (:class:`tsclust.clustering.EmbeddingAssigner`)."""

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
    (:class:`tsclust.clustering.EmbeddingAssigner`, the step of the ``"umap"`` head);
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
        set_init_params(self, locals())


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
        set_init_params(self, locals())
