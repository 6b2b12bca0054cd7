"""Fixed-stage features of windows as fitted numpy transformers (no network): ``cov``, ``rocket``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.preprocessing import StandardScaler

from .._validation import to_channels_first

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


class RocketFeatures:
    """MiniRocket-style PPV features of windows as numpy: the ``"rocket"`` stage, no network.

    :meth:`fit_transform` builds a :class:`tsclust.models.stages.RocketStage` for the
    windows' shape, fits its biases on (an evenly spaced subsample of) the training windows
    (:func:`tsclust.training.fit_stage_windows`, as a ``"rocket"`` autoencoder does) and
    returns the raw features; :meth:`transform` computes them for any windows. The windows
    are used as given (float32), without standardisation.

    Parameters
    ----------
    n_features : int, default=9996
        Requested number of features (rounded down to a multiple of 84).
    max_dilations : int, default=32
        Most dilations per kernel.
    seed : int, default=0
        Seeds the stage's channel subsets and bias windows.
    device : str or None, default=None
        Where the stage runs (None: the CPU; see :func:`tsclust.training.resolve_device`).

    Attributes
    ----------
    stage_ : RocketStage
        The fitted stage.
    """

    def __init__(self, n_features: int = 9996, max_dilations: int = 32, seed: int = 0,
                 device: str | None = None) -> None:
        self.n_features = n_features
        self.max_dilations = max_dilations
        self.seed = seed
        self.device = device

    def fit_transform(self, X: np.ndarray) -> np.ndarray:
        """Fit on windows ``(n, T, C)`` and return their features ``(n, F)``, float32."""
        from ..models.stages import RocketStage  # torch is imported with the first use
        from ..training import fit_stage_windows

        self.stage_ = RocketStage(X.shape[2], X.shape[1], self.n_features, self.max_dilations,
                                  seed=self.seed)
        x = to_channels_first(X)  # (n, C, T) float32
        fit_stage_windows(self.stage_, x, device=self.device)
        return self._raw(x)

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Features ``(n, F)`` in [0, 1], float32, of windows ``(n, T, C)``."""
        return self._raw(to_channels_first(X))

    def _raw(self, x: Any) -> np.ndarray:
        from ..training import raw_features

        return raw_features(self.stage_, x, device=self.device)
