"""Clustering heads on the latent space and the `DeepClusterer` estimator.

Heads: ``"kmeans"``, ``"dec"`` (Xie et al. 2016), ``"idec"`` (Guo et al. 2017),
``"dcn"`` (Yang et al. 2017), ``"compact"`` (Song et al. 2013).
"""

from ._estimator import SCALINGS, DeepClusterer
from ._heads import HEADS, ClusterCollapseWarning, check_head
from ._select_k import KSelection, select_k

__all__ = [
    "HEADS",
    "SCALINGS",
    "ClusterCollapseWarning",
    "DeepClusterer",
    "KSelection",
    "check_head",
    "select_k",
]
