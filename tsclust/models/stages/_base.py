"""The fixed-feature-stage contract: windows ``(N, C, L)`` -> standardised features ``(N, F)``."""

from __future__ import annotations

import torch
from torch import nn

from .._common import check_positive_int

__all__ = ["FeatureStage", "evenly_spaced_rows"]


def evenly_spaced_rows(n: int, wanted: int) -> torch.Tensor:
    """At most ``wanted`` evenly spaced, distinct row indices of ``0 .. n - 1`` (int64, sorted)."""
    import numpy as np

    return torch.from_numpy(np.unique(np.linspace(0, n - 1, min(wanted, n)).round().astype(np.int64)))


class FeatureStage(nn.Module):
    """A fixed (parameter-free) map of windows to feature vectors, standardised on training data.

    Subclasses set ``n_features`` in ``__init__`` and implement :meth:`raw`. A stage whose
    raw features themselves depend on training data (the biases of ``"rocket"``) sets
    ``n_fit_windows`` and implements :meth:`fit_windows`, which
    :func:`tsclust.training.prepare_module` calls first. :meth:`fit` sets
    the per-feature standardisation from the raw features of the training windows (buffers
    ``feature_mean_`` and ``feature_scale_``, saved with the weights; the identity until
    then), and calling the stage gives the standardised features. An encoder sits on a stage
    through :class:`tsclust.models.StagedAutoencoder`; training computes the features once
    per fit (:func:`tsclust.training.feature_view`).

    Parameters
    ----------
    n_channels : int
        Channels ``C`` of the windows.
    length : int
        Window length ``L``.

    Attributes
    ----------
    name : str
        The registry name (:data:`tsclust.models.stages.STAGES`).
    n_features : int
        Length ``F`` of the feature vector.
    n_fit_windows : int
        How many training windows :meth:`fit_windows` wants (0, the default: none, and the
        hook is not called); given more, the caller passes an evenly spaced subsample.
    """

    name = ""
    n_fit_windows = 0

    def __init__(self, n_channels: int, length: int) -> None:
        super().__init__()
        self.n_channels = check_positive_int(n_channels, "n_channels")
        self.length = check_positive_int(length, "length")
        self._last: tuple | None = None  # (x, versions, features) of the last call

    def _init_scaling(self, n_features: int) -> None:
        """Set ``n_features`` and the identity standardisation (call from ``__init__``)."""
        self.n_features = int(n_features)
        self.register_buffer("feature_mean_", torch.zeros(self.n_features))
        self.register_buffer("feature_scale_", torch.ones(self.n_features))

    def raw(self, x: torch.Tensor) -> torch.Tensor:  # pragma: no cover - abstract
        """Unstandardised features ``(N, F)`` of windows ``(N, C, L)``."""
        raise NotImplementedError

    def fit_windows(self, x: torch.Tensor) -> None:
        """Fit what :meth:`raw` depends on from training windows ``(n, C, L)`` (a no-op here).

        Called before :meth:`raw` and :meth:`fit` with at most ``n_fit_windows`` windows.
        """

    @torch.no_grad()
    def fit(self, raw: torch.Tensor) -> None:
        """Set the standardisation from :meth:`raw` of the training windows ``(N, F)``."""
        raw = torch.as_tensor(raw, dtype=torch.float64)
        if raw.ndim != 2 or raw.shape[1] != self.n_features or not len(raw):
            raise ValueError(
                f"expected statistics of shape (n >= 1, {self.n_features}), got {tuple(raw.shape)}"
            )
        dev = self.feature_mean_.device
        self.feature_mean_.copy_(raw.mean(0).float().to(dev))
        self.feature_scale_.copy_(raw.std(0, correction=0).clamp_min(1e-6).float().to(dev))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Standardised features ``(N, F)`` of windows ``(N, C, L)``.

        A training step asks for the features of one batch twice (encoder input and
        reconstruction target); the last result is reused while ``x`` is the same tensor,
        unmodified, and the standardisation is unchanged.
        """
        key = (x._version, self.feature_mean_._version, self.feature_scale_._version)
        cached = self._last
        if cached is not None and cached[0] is x and cached[1] == key:
            return cached[2]
        out = (self.raw(x) - self.feature_mean_) / self.feature_scale_
        # no cache when gradients flow into x: a reused graph could be freed by backward
        self._last = None if x.requires_grad else (x, key, out)
        return out
