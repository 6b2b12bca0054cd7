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

from typing import Any

from ..training.neighbours import pca_to_variance
from ._base import _BaseTimeSeriesClusterer, z_normalize
from ._features import CovWard, FlatKMeans, RocketKMeans, StatsKMeans, window_stats
from ._graph import FlatSpectral, FlatUMAP, RocketSpectral, RocketUMAP
from ._tslearn import DTWKMeans, EuclideanKMeans, KShapeBaseline, SoftDTWKMeans

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
