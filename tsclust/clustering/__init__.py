"""Clustering heads on the latent space and the `DeepClusterer` estimator.

Heads: ``"kmeans"``, ``"dec"`` (Xie et al. 2016), ``"idec"`` (Guo et al. 2017),
``"dcn"`` (Yang et al. 2017), ``"compact"`` (Song et al. 2013), ``"ward"``. `DeepClusterer`
clusters windows, `LatentClusterer` feature vectors ``(n, d)``, and `RecordingClusterer` windows
of several recordings after removing each recording's offsets.
"""

from ._estimator import SCALINGS, DeepClusterer, LatentClusterer
from ._features import CovStatistics
from ._heads import HEADS, ClusterCollapseWarning, check_head
from ._recordings import RecordingAligner, RecordingClusterer, load_clusterer
from ._select_k import KSelection, select_k

__all__ = [
    "HEADS",
    "SCALINGS",
    "ClusterCollapseWarning",
    "CovStatistics",
    "DeepClusterer",
    "KSelection",
    "LatentClusterer",
    "RecordingAligner",
    "RecordingClusterer",
    "check_head",
    "load_clusterer",
    "select_k",
]
