"""tsclust: clustering unlabelled time series with deep autoencoders.

Arrays are ``(n_samples, n_timepoints, n_channels)`` (tslearn's layout) everywhere in the
public API. Heavy modules (torch, tslearn) load on first use of the names that need them.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    # data
    "Recording": "tsclust.data",
    "read_hapt": "tsclust.data",
    "read_ucr": "tsclust.data",
    "read_csv_recording": "tsclust.data",
    "read_npy_recording": "tsclust.data",
    "load_sample": "tsclust.data",
    # preprocessing
    "Windows": "tsclust.preprocessing",
    "SlidingWindows": "tsclust.preprocessing",
    "WindowZNormalizer": "tsclust.preprocessing",
    "ChannelStandardScaler": "tsclust.preprocessing",
    "MinMaxScaler": "tsclust.preprocessing",
    "NoiseFilter": "tsclust.preprocessing",
    "GravitySplit": "tsclust.preprocessing",
    "gravity_tilt": "tsclust.preprocessing",
    # stores
    "read_windows": "tsclust.io",
    "write_windows": "tsclust.io",
    "store_info": "tsclust.io",
    # models
    "Autoencoder": "tsclust.autoencoder",
    "ARCHITECTURES": "tsclust.models",
    "build_autoencoder": "tsclust.models",
    # clustering
    "DeepClusterer": "tsclust.clustering",
    "RecordingClusterer": "tsclust.clustering",
    "HEADS": "tsclust.clustering",
    "select_k": "tsclust.clustering",
    # baselines, metrics, comparison
    "DTWKMeans": "tsclust.baselines",
    "SoftDTWKMeans": "tsclust.baselines",
    "EuclideanKMeans": "tsclust.baselines",
    "KShapeBaseline": "tsclust.baselines",
    "FlatKMeans": "tsclust.baselines",
    "StatsKMeans": "tsclust.baselines",
    "BASELINES": "tsclust.baselines",
    "make_baseline": "tsclust.baselines",
    "clustering_accuracy": "tsclust.metrics",
    "nmi": "tsclust.metrics",
    "ari": "tsclust.metrics",
    "evaluate": "tsclust.metrics",
    "internal_scores": "tsclust.metrics",
    "compare": "tsclust.compare",
    "write_results": "tsclust.compare",
    # segmentation and plots
    "segment_recording": "tsclust.segmentation",
    "evaluate_segmentation": "tsclust.segmentation",
    "SegmentationResult": "tsclust.segmentation",
    "Segment": "tsclust.segmentation",
    "plot_timeline": "tsclust.plotting",
    "plot_clusters": "tsclust.plotting",
    "plot_latent": "tsclust.plotting",
    "plot_history": "tsclust.plotting",
    "plot_compare": "tsclust.plotting",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tsclust' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
