"""Windowing, scaling and filtering of time series.

Arrays are ``(n_windows, size, n_channels)``; recordings are :class:`tsclust.data.Recording`;
collections of series of different lengths are brought to one length by :mod:`.lengths`.
"""

from __future__ import annotations

import importlib
from typing import Any

_SUBMODULE = {
    "GravitySplit": "filters", "NoiseFilter": "filters",
    "Collection": "lengths", "collect": "lengths", "fitted_length": "lengths",
    "random_lengths": "lengths", "resample_to": "lengths",
    "gravity_tilt": "posture",
    "ChannelStandardScaler": "scalers", "MinMaxScaler": "scalers",
    "WindowZNormalizer": "scalers", "scaler_from_dict": "scalers", "scaler_to_dict": "scalers",
    "LABEL_MODES": "windows", "SlidingWindows": "windows", "Windows": "windows",
    "n_windows": "windows", "pure_window_starts": "windows",
    "segments_from_labels": "windows", "window_labels": "windows", "window_starts": "windows",
}
"""Where each public name lives: submodules load on first use (``tsclust info`` stays fast:
the filters need scipy.signal, the scalers scikit-learn)."""


def __getattr__(name: str) -> Any:
    if name not in _SUBMODULE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_SUBMODULE[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_SUBMODULE))


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
