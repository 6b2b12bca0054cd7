"""Clustering heads on the latent space and the `DeepClusterer` estimator.

Heads: ``"kmeans"``, ``"dec"`` (Xie et al. 2016), ``"idec"`` (Guo et al. 2017),
``"dcn"`` (Yang et al. 2017), ``"compact"`` (Song et al. 2013), ``"ward"``. `DeepClusterer`
clusters windows, `LatentClusterer` feature vectors ``(n, d)``, and `RecordingClusterer` windows
of several recordings after removing each recording's offsets.

The steps the baselines share with the heads are public here: :func:`nearest`,
:func:`ward_cluster`, :class:`SpectralAssigner`, :class:`EmbeddingAssigner` and the fixed
feature stages :class:`CovStatistics` and :class:`RocketFeatures`.
"""

from ._estimator import SCALINGS, DeepClusterer, LatentClusterer
from ._features import CovStatistics, RocketFeatures
from ._heads import (
    HEADS,
    ClusterCollapseWarning,
    EmbeddingAssigner,
    SpectralAssigner,
    check_head,
    nearest,
    ward_cluster,
)
from ._recordings import RecordingAligner, RecordingClusterer, load_clusterer
from ._select_k import KSelection, select_k

__all__ = [
    "HEADS",
    "SCALINGS",
    "ClusterCollapseWarning",
    "CovStatistics",
    "EmbeddingAssigner",
    "DeepClusterer",
    "KSelection",
    "LatentClusterer",
    "RecordingAligner",
    "RecordingClusterer",
    "RocketFeatures",
    "SpectralAssigner",
    "check_head",
    "load_clusterer",
    "nearest",
    "select_k",
    "ward_cluster",
]
