"""Signal filters (scipy.signal) for recordings or windows, as in the HAPT pipeline.

Each transformer accepts a :class:`~tsclust.data.Recording`, a list of them, a
:class:`~tsclust.preprocessing.Windows`, or an array of windows (n_windows, size, n_channels)
and returns the same kind. Filtering runs along the time axis and needs finite signals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from scipy import ndimage, signal
from sklearn.base import BaseEstimator, TransformerMixin

from .._validation import check_collection
from ..data.recording import Recording
from .windows import Windows

__all__ = ["NoiseFilter", "GravitySplit"]


def _lowpass(x: np.ndarray, cutoff: float, order: int, fs: float, axis: int) -> np.ndarray:
    if not 0 < cutoff < fs / 2:
        raise ValueError(
            f"cutoff {cutoff:g} Hz must lie between 0 and the Nyquist frequency {fs / 2:g} Hz "
            f"(sampling_rate={fs:g})"
        )
    sos = signal.butter(int(order), cutoff, btype="low", fs=fs, output="sos")
    return signal.sosfiltfilt(sos, x, axis=axis)


class _Filter(TransformerMixin, BaseEstimator):
    """Dispatch over input kinds; subclasses implement ``_apply(x, fs, channels)``."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags

    def fit(self, X: Any = None, y: Any = None):
        """Nothing to learn; returns ``self``."""
        return self

    def _rate(self, fs: float | None) -> float:
        rate = self.sampling_rate if self.sampling_rate is not None else fs
        if rate is None:
            raise ValueError(
                f"{type(self).__name__} needs sampling_rate for a plain array of windows"
            )
        return float(rate)

    def _one_recording(self, r: Recording) -> Recording:
        if not np.isfinite(r.signals).all():
            raise ValueError(
                f"{type(self).__name__}: recording {r.name!r} has NaN/inf (dropped samples); "
                "filter before dropping, or read with nan_policy='interpolate'"
            )
        x, channels = self._apply(
            r.signals[None].astype(np.float64), self._rate(r.sampling_rate), r.channels
        )
        return replace(r, signals=x[0].astype(np.float32), channels=channels)

    def transform(self, X: Any) -> Any:
        """Filter ``X`` (Recording, list of Recording, Windows or (n, T, C) array)."""
        if isinstance(X, Recording):
            return self._one_recording(X)
        if isinstance(X, Windows):
            x, channels = self._apply(
                X.X.astype(np.float64), self._rate(X.sampling_rate), X.channels
            )
            return replace(X, X=x.astype(np.float32), channels=channels)
        if isinstance(X, (list, tuple)) and X and all(isinstance(r, Recording) for r in X):
            return [self._one_recording(r) for r in X]
        arr = check_collection(X).astype(np.float64)
        x, _ = self._apply(arr, self._rate(None), [f"ch{i}" for i in range(arr.shape[2])])
        return x.astype(np.float32)


class NoiseFilter(_Filter):
    """Median filter then zero-phase Butterworth low-pass, as used for HAPT.

    Parameters
    ----------
    sampling_rate : float, optional
        In Hz; taken from the Recording/Windows when None (required for plain arrays).
    cutoff : float, default=20.0
        Low-pass corner frequency in Hz.
    order : int, default=3
        Butterworth order.
    kernel_size : int, default=3
        Median filter length in samples (odd); 1 disables it.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.zeros((1, 64, 1)); X[0, 30] = 5.0          # a one-sample spike
    >>> float(np.abs(NoiseFilter(sampling_rate=50).transform(X)).max()) < 1e-6
    True
    """

    def __init__(
        self,
        sampling_rate: float | None = None,
        cutoff: float = 20.0,
        order: int = 3,
        kernel_size: int = 3,
    ):
        self.sampling_rate = sampling_rate
        self.cutoff = cutoff
        self.order = order
        self.kernel_size = kernel_size

    def _apply(self, x: np.ndarray, fs: float, channels: list[str]):
        k = int(self.kernel_size)
        if k < 1 or k % 2 == 0:
            raise ValueError(
                f"kernel_size must be a positive odd integer, got {self.kernel_size!r}"
            )
        if k > 1:
            x = ndimage.median_filter(x, size=(1, k, 1), mode="nearest")
        return _lowpass(x, self.cutoff, self.order, fs, axis=1), list(channels)


class GravitySplit(_Filter):
    """Split acceleration into gravity (Butterworth low-pass) and body (acc - gravity).

    Parameters
    ----------
    sampling_rate : float, optional
        In Hz; taken from the Recording/Windows when None (required for plain arrays).
    cutoff : float, default=0.3
        Corner frequency in Hz separating gravity from body motion.
    order : int, default=3
    acc_channels : sequence of int or str, optional
        Accelerometer channels; default the channels whose name starts with ``"acc"``, or
        channels 0, 1, 2 when no name does.
    output : {"append", "replace"}, default="append"
        ``"append"``: keep every input channel and add ``body_<acc>`` then ``gravity_<acc>``
        channels at the end. ``"replace"``: acc channels become ``body_<acc>`` in place and
        ``gravity_<acc>`` channels are added at the end.

    Notes
    -----
    A 0.3 Hz filter needs many seconds of signal; apply it to recordings before windowing.

    Examples
    --------
    >>> GravitySplit().output_channels(["acc_x", "acc_y", "acc_z", "gyro_x"])
    ['acc_x', 'acc_y', 'acc_z', 'gyro_x', 'body_acc_x', 'body_acc_y', 'body_acc_z', 'gravity_acc_x', 'gravity_acc_y', 'gravity_acc_z']
    """

    def __init__(
        self,
        sampling_rate: float | None = None,
        cutoff: float = 0.3,
        order: int = 3,
        acc_channels: Sequence[int | str] | None = None,
        output: str = "append",
    ):
        self.sampling_rate = sampling_rate
        self.cutoff = cutoff
        self.order = order
        self.acc_channels = acc_channels
        self.output = output

    def _acc_index(self, channels: list[str]) -> list[int]:
        if self.acc_channels is None:
            idx = [i for i, c in enumerate(channels) if c.lower().startswith("acc")]
            idx = idx or [0, 1, 2]
        else:
            idx = []
            for c in self.acc_channels:
                if isinstance(c, str):
                    if c not in channels:
                        raise ValueError(f"acc channel {c!r} not among {channels}")
                    idx.append(channels.index(c))
                else:
                    idx.append(int(c))
        if any(i < 0 or i >= len(channels) for i in idx):
            raise ValueError(f"acc_channels {idx} out of range for {len(channels)} channel(s)")
        return idx

    def output_channels(self, channels: Sequence[str]) -> list[str]:
        """Channel names produced from input ``channels``."""
        channels = list(channels)
        if self.output not in ("append", "replace"):
            raise ValueError(f"output must be 'append' or 'replace', got {self.output!r}")
        idx = self._acc_index(channels)
        body = [f"body_{channels[i]}" for i in idx]
        grav = [f"gravity_{channels[i]}" for i in idx]
        if self.output == "append":
            return channels + body + grav
        out = list(channels)
        for i, b in zip(idx, body, strict=True):
            out[i] = b
        return out + grav

    def _apply(self, x: np.ndarray, fs: float, channels: list[str]):
        names = self.output_channels(channels)
        idx = self._acc_index(channels)
        gravity = _lowpass(x[:, :, idx], self.cutoff, self.order, fs, axis=1)
        body = x[:, :, idx] - gravity
        if self.output == "append":
            out = np.concatenate([x, body, gravity], axis=2)
        else:
            out = x.copy()
            out[:, :, idx] = body
            out = np.concatenate([out, gravity], axis=2)
        return out, names
