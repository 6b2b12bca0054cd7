"""Second-order statistics autoencoder: window means and log-covariances, then an MLP.

Reconstruction of raw windows rewards phase and fine detail, which do not separate sensor
activities; what does is the level of each channel (the gravity direction for postures) and
how channels co-vary over a short delay (the gait of walking, climbing, descending). This
module pools every window into those shift-invariant statistics and learns a latent code that
reconstructs them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from ._common import AutoencoderModule, check_int_tuple, linear_stack

__all__ = ["CovarianceAutoencoder", "window_statistics", "n_statistics"]


def _check_groups(groups: Sequence[Sequence[int]] | None, n_channels: int) -> list[list[int]]:
    if groups is None:
        return [list(range(n_channels))]
    out = [[int(c) for c in g] for g in groups]
    flat = [c for g in out for c in g]
    if not out or any(not g for g in out) or sorted(flat) != list(range(n_channels)):
        raise ValueError(
            f"groups must split the channels 0..{n_channels - 1} into non-empty disjoint "
            f"groups that cover them all, got {groups!r}"
        )
    return out


def n_statistics(n_channels: int, delays: Sequence[int], groups: Sequence[Sequence[int]]) -> int:
    """Length of the vector :func:`window_statistics` returns."""
    lags = 1 + len(delays)
    return n_channels + sum((lags * len(g)) * (lags * len(g) + 1) // 2 for g in groups)


def window_statistics(
    x: torch.Tensor,
    delays: Sequence[int] = (4,),
    eps: float = 0.1,
    groups: Sequence[Sequence[int]] | None = None,
) -> torch.Tensor:
    """Per-window channel means and matrix logarithms of delay-embedded covariances.

    For each group of channels ``G`` the centred window is stacked with copies of itself
    shifted by each of ``delays`` steps (a delay embedding with ``P = |G| * (1 + len(delays))``
    rows), its covariance ``S`` over the ``L - max(delays)`` common steps is regularised to
    ``S + eps * I`` and mapped by the matrix logarithm (the log-Euclidean embedding of
    symmetric positive definite matrices), and the upper triangle is kept.

    Parameters
    ----------
    x : torch.Tensor of shape (N, C, L)
        Windows, channels first; ``L`` must exceed ``max(delays)``.
    delays : sequence of int, default=(4,)
        Positive delays in samples. ``()`` keeps the zero-lag covariance only.
    eps : float, default=0.1
        Ridge added to every covariance before the logarithm, in the squared units of ``x``.
        It sets the floor below which variance is treated as noise (for channel-standardised
        data, 0.1 is a tenth of the average variance).
    groups : sequence of sequences of int, or None
        Channel groups with a covariance each (e.g. ``[[0, 1, 2], [3, 4, 5]]`` for an
        accelerometer and a gyroscope). None: one group of all channels.

    Returns
    -------
    torch.Tensor of shape (N, n_statistics(C, delays, groups))
        ``[means (C), upper triangle of log(S_g + eps I) for each group]``.

    Examples
    --------
    >>> x = torch.randn(5, 3, 32)
    >>> tuple(window_statistics(x, delays=(2,)).shape)  # 3 means + 6 * 7 / 2
    (5, 24)
    """
    n, c, length = x.shape
    lag = tuple(int(d) for d in delays)
    top = max(lag, default=0)
    if length <= top:
        raise ValueError(f"windows of length {length} are too short for delays {lag}")
    mean = x.mean(dim=-1)  # (N, C)
    centred = x - mean.unsqueeze(-1)  # (N, C, L)
    steps = length - top
    out = [mean]
    for g in _check_groups(groups, c):
        part = centred[:, g, :]  # (N, |G|, L)
        emb = torch.cat([part[..., d : d + steps] for d in (0, *lag)], dim=1)  # (N, P, T)
        emb = emb - emb.mean(dim=-1, keepdim=True)
        p = emb.shape[1]
        cov = emb @ emb.transpose(1, 2) / steps  # (N, P, P)
        eye = torch.eye(p, dtype=x.dtype, device=x.device)
        w, v = torch.linalg.eigh(cov + eps * eye)  # (N, P), (N, P, P)
        log_cov = (v * torch.log(w.clamp_min(1e-12)).unsqueeze(1)) @ v.transpose(1, 2)
        iu = torch.triu_indices(p, p, device=x.device)
        out.append(log_cov[:, iu[0], iu[1]])  # (N, P(P+1)/2)
    return torch.cat(out, dim=1)


class CovarianceAutoencoder(AutoencoderModule):
    """Autoencoder of per-window statistics: means plus log-covariances, through an MLP.

    The encoder first maps each window ``(C, L)`` to :func:`window_statistics` (a fixed,
    differentiable layer), standardises every statistic with the mean and standard
    deviation measured on the training windows (:meth:`fit_statistics`, called through
    :func:`tsclust.training.prepare_module` by pre-training; the identity until then), and applies
    ``Linear -> activation`` for every size in ``hidden`` and a linear map to the latent.
    The decoder mirrors it and reconstructs the standardised statistics, so the
    reconstruction target (:meth:`target`) is that vector, not the window.

    Parameters
    ----------
    n_channels : int
        Number of input channels ``C``.
    length : int
        Window length ``L`` (must exceed ``max(delays)``).
    latent_dim : int, default=10
        Size of the latent vector.
    hidden : sequence of int, default=(256, 128)
        Encoder hidden sizes (reversed in the decoder).
    delays : sequence of int, default=(4,)
        Delays of the covariance embedding, see :func:`window_statistics`.
    eps : float, default=0.1
        Covariance ridge, see :func:`window_statistics`.
    groups : sequence of sequences of int, or None
        Channel groups with a covariance each; None: all channels together.
    activation : str, default="relu"
        Encoder hidden activation.
    decoder_activation : str, default="tanh"
        Decoder hidden activation.

    Attributes
    ----------
    n_features : int
        Length of the statistics vector.
    feature_mean_, feature_scale_ : torch.Tensor of shape (n_features,)
        Buffers set by :meth:`fit_statistics` (saved with the weights).

    Examples
    --------
    >>> ae = CovarianceAutoencoder(2, 16, latent_dim=3, hidden=(8,), delays=(1,))
    >>> x = torch.randn(6, 2, 16)
    >>> ae.fit_statistics(ae.statistics(x))
    >>> x_hat, z = ae(x)
    >>> tuple(x_hat.shape) == tuple(ae.target(x).shape) == (6, 2 + 10), tuple(z.shape)
    (True, (6, 3))
    """

    def __init__(
        self,
        n_channels: int,
        length: int,
        latent_dim: int = 10,
        hidden: Sequence[int] = (256, 128),
        delays: Sequence[int] = (4,),
        eps: float = 0.1,
        groups: Sequence[Sequence[int]] | None = None,
        activation: str = "relu",
        decoder_activation: str = "tanh",
    ) -> None:
        super().__init__(n_channels, length, latent_dim)
        self.delays = check_int_tuple(delays, "delays") if len(delays) else ()
        if self.length <= max(self.delays, default=0):
            raise ValueError(
                f"length {self.length} must exceed the largest delay {max(self.delays)}"
            )
        if not np.isfinite(eps) or eps <= 0:
            raise ValueError(f"eps must be a positive number, got {eps!r}")
        self.eps = float(eps)
        self.groups = _check_groups(groups, self.n_channels)
        self.n_features = n_statistics(self.n_channels, self.delays, self.groups)
        self.register_buffer("feature_mean_", torch.zeros(self.n_features))
        self.register_buffer("feature_scale_", torch.ones(self.n_features))
        self._last_target: tuple | None = None  # (x, versions, target) of the last call
        hidden = check_int_tuple(hidden, "hidden") if len(hidden) else ()

        self.encoder = nn.Sequential(
            *linear_stack([self.n_features, *hidden, self.latent_dim], activation)
        )
        self.decoder = nn.Sequential(
            *linear_stack([self.latent_dim, *hidden[::-1], self.n_features], decoder_activation)
        )

    def statistics(self, x: torch.Tensor) -> torch.Tensor:
        """Raw statistics ``(N, n_features)`` of windows ``(N, C, L)``."""
        return window_statistics(x, self.delays, self.eps, self.groups)

    @torch.no_grad()
    def fit_statistics(self, stats: torch.Tensor) -> None:
        """Set the standardisation from the statistics of the training windows.

        Parameters
        ----------
        stats : torch.Tensor of shape (N, n_features)
            :meth:`statistics` of the training windows (see
            :func:`tsclust.training.prepare_module`).
        """
        stats = torch.as_tensor(stats, dtype=torch.float64)
        if stats.ndim != 2 or stats.shape[1] != self.n_features or not len(stats):
            raise ValueError(
                f"expected statistics of shape (n >= 1, {self.n_features}), got {tuple(stats.shape)}"
            )
        dev = self.feature_mean_.device
        self.feature_mean_.copy_(stats.mean(0).float().to(dev))
        self.feature_scale_.copy_(stats.std(0, correction=0).clamp_min(1e-6).float().to(dev))

    def target(self, x: torch.Tensor) -> torch.Tensor:
        """What the decoder reconstructs: standardised statistics ``(N, n_features)``.

        A training step asks for the target of the same batch twice (in :meth:`encode` and in
        the reconstruction loss); the last result is reused while ``x`` is the same tensor,
        unmodified, and the standardisation is unchanged.
        """
        key = (x._version, self.feature_mean_._version, self.feature_scale_._version)
        cached = self._last_target
        if cached is not None and cached[0] is x and cached[1] == key:
            return cached[2]
        out = (self.statistics(x) - self.feature_mean_) / self.feature_scale_
        # no cache when gradients flow into x: a reused graph could be freed by backward
        self._last_target = None if x.requires_grad else (x, key, out)
        return out

    has_fixed_features = True

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The fixed input stage: standardised statistics ``(N, n_features)`` of ``(N, C, L)``."""
        return self.target(x)

    def encode_features(self, f: torch.Tensor) -> torch.Tensor:
        """Encode standardised statistics ``(N, n_features)`` to latents ``(N, latent_dim)``."""
        return self.encoder(f)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Encode windows ``(N, C, L)`` to latents ``(N, latent_dim)``."""
        return self.encode_features(self.features(x))

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Decode latents ``(N, latent_dim)`` to standardised statistics ``(N, n_features)``."""
        return self.decoder(z)
