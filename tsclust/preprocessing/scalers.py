"""Scalers for window collections of shape (n_windows, size, n_channels).

All follow the scikit-learn transformer contract; a :class:`~tsclust.preprocessing.Windows`
passed in comes back as ``Windows`` with ``X`` replaced, an array comes back as an array.
:func:`scaler_to_dict` / :func:`scaler_from_dict` turn a fitted scaler into plain JSON and
back, so model files and window stores can keep it without pickle.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._validation import check_collection, check_fitted_channels, jsonable
from .windows import Windows

__all__ = [
    "WindowZNormalizer",
    "ChannelStandardScaler",
    "MinMaxScaler",
    "scaler_to_dict",
    "scaler_from_dict",
    "SCALER_FORMAT",
]

SCALER_FORMAT = "tsclust-scaler/1"


class _WindowTransformer(TransformerMixin, BaseEstimator):
    """Shared input handling: Windows or array in, same kind out."""

    _fitted_attrs: tuple[str, ...] = ()

    @staticmethod
    def _unwrap(X: Any) -> tuple[np.ndarray, Windows | None]:
        if isinstance(X, Windows):
            return X.X, X
        return check_collection(X), None

    @staticmethod
    def _wrap(out: np.ndarray, win: Windows | None) -> Any:
        out = out.astype(np.float32, copy=False)
        return out if win is None else replace(win, X=out)

    def _check_channels(self, X: np.ndarray) -> None:
        check_fitted_channels(X.shape[2], self.n_channels_, who=type(self).__name__)


class WindowZNormalizer(_WindowTransformer):
    """Z-normalise every window and channel separately (mean 0, std 1 over time).

    Stateless: ``fit`` only records the channel count, and ``transform`` works unfitted.

    Parameters
    ----------
    eps : float, default=1e-8
        A window channel whose std is below ``eps`` is only centred (no division), so flat
        segments give zeros instead of NaN.

    Examples
    --------
    >>> import numpy as np
    >>> Z = WindowZNormalizer().fit_transform(np.array([[[1.0], [2.0], [3.0]]]))
    >>> [round(float(v), 4) for v in Z.ravel()]
    [-1.2247, 0.0, 1.2247]
    """

    def __init__(self, eps: float = 1e-8):
        self.eps = eps

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags

    def fit(self, X: Any, y: Any = None) -> WindowZNormalizer:
        """Record ``n_channels_``; returns ``self``."""
        arr, _ = self._unwrap(X)
        self.n_channels_ = arr.shape[2]
        return self

    def transform(self, X: Any) -> Any:
        """Return ``(X - mean_t) / std_t`` per window and channel, shape unchanged."""
        arr, win = self._unwrap(X)
        if hasattr(self, "n_channels_"):
            self._check_channels(arr)
        x = arr.astype(np.float64)
        mean = x.mean(axis=1, keepdims=True)
        std = x.std(axis=1, keepdims=True)
        std = np.where(std < self.eps, 1.0, std)
        return self._wrap((x - mean) / std, win)


class ChannelStandardScaler(_WindowTransformer):
    """Standardise each channel with a mean and std fitted over all training windows.

    Unlike :class:`WindowZNormalizer` this keeps differences between windows, such as the
    gravity offset of an accelerometer (which tells lying from standing).

    Parameters
    ----------
    with_mean : bool, default=True
    with_std : bool, default=True
    eps : float, default=1e-8
        Channels with std below ``eps`` get scale 1.

    Attributes
    ----------
    mean_ : ndarray of shape (n_channels,)
    scale_ : ndarray of shape (n_channels,)
    n_channels_ : int

    Examples
    --------
    >>> import numpy as np
    >>> X = np.stack([np.zeros((4, 2)), 2 * np.ones((4, 2))])
    >>> s = ChannelStandardScaler().fit(X)
    >>> s.mean_.tolist(), s.scale_.tolist()
    ([1.0, 1.0], [1.0, 1.0])
    >>> np.allclose(s.inverse_transform(s.transform(X)), X)
    True
    """

    _fitted_attrs = ("mean_", "scale_", "n_channels_")

    def __init__(self, with_mean: bool = True, with_std: bool = True, eps: float = 1e-8):
        self.with_mean = with_mean
        self.with_std = with_std
        self.eps = eps

    def fit(self, X: Any, y: Any = None) -> ChannelStandardScaler:
        """Fit per-channel mean and std on ``X`` (n_windows, size, n_channels)."""
        arr, _ = self._unwrap(X)
        x = arr.astype(np.float64)
        C = arr.shape[2]
        self.mean_ = x.mean(axis=(0, 1)) if self.with_mean else np.zeros(C)
        std = x.std(axis=(0, 1)) if self.with_std else np.ones(C)
        self.scale_ = np.where(std < self.eps, 1.0, std)
        self.n_channels_ = C
        return self

    def transform(self, X: Any) -> Any:
        """Return ``(X - mean_) / scale_``, shape unchanged."""
        check_is_fitted(self, "scale_")
        arr, win = self._unwrap(X)
        self._check_channels(arr)
        return self._wrap((arr - self.mean_) / self.scale_, win)

    def inverse_transform(self, X: Any) -> Any:
        """Return ``X * scale_ + mean_``."""
        check_is_fitted(self, "scale_")
        arr, win = self._unwrap(X)
        self._check_channels(arr)
        return self._wrap(arr * self.scale_ + self.mean_, win)


class MinMaxScaler(_WindowTransformer):
    """Map each channel linearly to ``feature_range`` using the training min and max.

    Parameters
    ----------
    feature_range : tuple (min, max), default=(0, 1)
    clip : bool, default=False
        Clip transformed values of new data to ``feature_range``.
    eps : float, default=1e-8
        Channels whose range is below ``eps`` are only shifted.

    Attributes
    ----------
    data_min_, data_max_, scale_, min_ : ndarray of shape (n_channels,)
        ``transform(X) = X * scale_ + min_``.
    n_channels_ : int

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[[0.0, 10.0], [5.0, 20.0]]])
    >>> MinMaxScaler().fit_transform(X)[0].tolist()
    [[0.0, 0.0], [1.0, 1.0]]
    """

    _fitted_attrs = ("data_min_", "data_max_", "scale_", "min_", "n_channels_")

    def __init__(
        self, feature_range: tuple[float, float] = (0.0, 1.0), clip: bool = False, eps: float = 1e-8
    ):
        self.feature_range = feature_range
        self.clip = clip
        self.eps = eps

    def fit(self, X: Any, y: Any = None) -> MinMaxScaler:
        """Fit per-channel min and max on ``X`` (n_windows, size, n_channels)."""
        lo, hi = (float(v) for v in self.feature_range)
        if not lo < hi:
            raise ValueError(
                f"feature_range must be (min, max) with min < max, got {self.feature_range}"
            )
        arr, _ = self._unwrap(X)
        x = arr.astype(np.float64)
        self.data_min_ = x.min(axis=(0, 1))
        self.data_max_ = x.max(axis=(0, 1))
        rng = self.data_max_ - self.data_min_
        rng = np.where(rng < self.eps, 1.0, rng)
        self.scale_ = (hi - lo) / rng
        self.min_ = lo - self.data_min_ * self.scale_
        self.n_channels_ = arr.shape[2]
        return self

    def transform(self, X: Any) -> Any:
        """Return ``X * scale_ + min_`` (clipped when ``clip=True``)."""
        check_is_fitted(self, "scale_")
        arr, win = self._unwrap(X)
        self._check_channels(arr)
        out = arr * self.scale_ + self.min_
        if self.clip:
            out = np.clip(out, *self.feature_range)
        return self._wrap(out, win)

    def inverse_transform(self, X: Any) -> Any:
        """Return ``(X - min_) / scale_``."""
        check_is_fitted(self, "scale_")
        arr, win = self._unwrap(X)
        self._check_channels(arr)
        return self._wrap((arr - self.min_) / self.scale_, win)


_SCALERS = {cls.__name__: cls for cls in (WindowZNormalizer, ChannelStandardScaler, MinMaxScaler)}


def scaler_to_dict(scaler: Any) -> dict | None:
    """Describe a tsclust scaler as plain JSON-serialisable data (no pickle).

    Parameters
    ----------
    scaler : WindowZNormalizer, ChannelStandardScaler, MinMaxScaler or None

    Returns
    -------
    dict or None
        ``{"format", "class", "params", "fitted"}``; ``fitted`` maps fitted attribute names
        to lists (float64 values round-trip exactly through JSON), or is None when unfitted.

    Examples
    --------
    >>> import json, numpy as np
    >>> s = ChannelStandardScaler().fit(np.arange(6.0).reshape(1, 3, 2))
    >>> s2 = scaler_from_dict(json.loads(json.dumps(scaler_to_dict(s))))
    >>> np.array_equal(s2.mean_, s.mean_)
    True
    """
    if scaler is None:
        return None
    name = type(scaler).__name__
    if _SCALERS.get(name) is not type(scaler):
        raise ValueError(f"cannot serialise {name}; supported: {sorted(_SCALERS)}")
    params = {k: jsonable(v) for k, v in scaler.get_params().items()}
    fitted = None
    attrs = scaler._fitted_attrs or ("n_channels_",)
    if all(hasattr(scaler, a) for a in attrs):
        fitted = {a: jsonable(getattr(scaler, a)) for a in attrs}
    return {"format": SCALER_FORMAT, "class": name, "params": params, "fitted": fitted}


def scaler_from_dict(data: dict | None) -> Any:
    """Rebuild a scaler from :func:`scaler_to_dict` output (None gives None)."""
    if data is None:
        return None
    if not isinstance(data, dict) or data.get("format") != SCALER_FORMAT:
        raise ValueError(f"not a tsclust scaler description (format {SCALER_FORMAT!r} expected)")
    cls = _SCALERS.get(data.get("class"))
    if cls is None:
        raise ValueError(f"unknown scaler class {data.get('class')!r}; known: {sorted(_SCALERS)}")
    params = dict(data.get("params") or {})
    if "feature_range" in params:
        params["feature_range"] = tuple(params["feature_range"])
    scaler = cls(**params)
    for key, value in (data.get("fitted") or {}).items():
        if key == "n_channels_":
            setattr(scaler, key, int(value))
        else:
            setattr(scaler, key, np.asarray(value, dtype=np.float64))
    return scaler
