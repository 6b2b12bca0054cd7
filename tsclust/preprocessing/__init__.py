"""Windowing, scaling and filtering of time series.

Arrays are ``(n_windows, size, n_channels)``; recordings are :class:`tsclust.data.Recording`;
collections of series of different lengths are brought to one length by :mod:`.lengths`.
"""

from .filters import GravitySplit, NoiseFilter
from .lengths import Collection, collect, fitted_length, random_lengths, resample_to
from .posture import gravity_tilt
from .scalers import (
    ChannelStandardScaler,
    MinMaxScaler,
    WindowZNormalizer,
    scaler_from_dict,
    scaler_to_dict,
)
from .windows import (
    LABEL_MODES,
    SlidingWindows,
    Windows,
    n_windows,
    pure_window_starts,
    segments_from_labels,
    window_labels,
    window_starts,
)

__all__ = [
    "Windows",
    "SlidingWindows",
    "window_starts",
    "n_windows",
    "segments_from_labels",
    "pure_window_starts",
    "window_labels",
    "LABEL_MODES",
    "WindowZNormalizer",
    "ChannelStandardScaler",
    "MinMaxScaler",
    "scaler_to_dict",
    "scaler_from_dict",
    "NoiseFilter",
    "GravitySplit",
    "gravity_tilt",
    "Collection",
    "collect",
    "fitted_length",
    "resample_to",
    "random_lengths",
]
