"""Fixed-stage features of windows as fitted numpy transformers (no network): ``cov``, ``rocket``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.preprocessing import StandardScaler

from .._validation import to_channels_first
from ..training.inference import RocketFeatures

__all__ = ["CovStatistics", "RocketFeatures"]


class CovStatistics:
    """Standardised window statistics: channel means and log-covariances of delay embeddings.

    :meth:`fit` standardises every channel with the training windows' mean and standard
    deviation, computes :func:`tsclust.models.window_statistics` of each window and fits a
    standardisation of every statistic; :meth:`transform` applies the same steps to any windows.
    This is the input of the ``"cov"`` autoencoder, as plain arrays.

    Parameters
    ----------
    delays : sequence of int, default=(4,)
        Delays of the covariance embedding, in samples.
    eps : float, default=0.1
        Ridge added to each covariance (in units of the standardised channels).

    Attributes
    ----------
    channel_mean_, channel_scale_ : ndarray of shape (n_channels,)
    scaler_ : sklearn.preprocessing.StandardScaler
        Fitted on the training statistics.
    """

    def __init__(self, delays: Sequence[int] = (4,), eps: float = 0.1) -> None:
        self.delays = tuple(delays)
        self.eps = eps

    def _raw(self, X: np.ndarray) -> np.ndarray:
        from ..models import window_statistics  # torch is imported with the first use

        Xs = (X - self.channel_mean_) / self.channel_scale_  # (n, T, C)
        x = to_channels_first(Xs, dtype=np.float64)  # (n, C, T)
        return window_statistics(x, self.delays, self.eps).numpy()

    def fit_transform(self, X: np.ndarray) -> np.ndarray:
        """Fit on windows ``(n, T, C)`` and return their statistics ``(n, n_statistics)``."""
        self.channel_mean_ = X.mean(axis=(0, 1))
        self.channel_scale_ = np.maximum(X.std(axis=(0, 1)), 1e-12)
        stats = self._raw(X)  # the eigen-decompositions run once per window
        self.scaler_ = StandardScaler().fit(stats)
        return self.scaler_.transform(stats)

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Standardised statistics ``(n, n_statistics)`` of windows ``(n, T, C)``."""
        return self.scaler_.transform(self._raw(X))
