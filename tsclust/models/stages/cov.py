"""The ``"cov"`` stage: window means and log-covariances of delay-embedded channels.

Reconstruction of raw windows rewards phase and fine detail, which do not separate sensor
activities; what does is the level of each channel (the gravity direction for postures) and
how channels co-vary over a short delay (the gait of walking, climbing, descending). This
stage pools every window into those shift-invariant statistics.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from .._common import check_int_tuple
from ._base import FeatureStage

__all__ = ["CovStage", "window_statistics", "n_statistics"]


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


class CovStage(FeatureStage):
    """Channel means and matrix logarithms of delay-embedded covariances (:func:`window_statistics`).

    Parameters
    ----------
    n_channels : int
        Number of input channels ``C``.
    length : int
        Window length ``L`` (must exceed ``max(delays)``).
    delays : sequence of int, default=(4,)
        Delays of the covariance embedding.
    eps : float, default=0.1
        Covariance ridge.
    groups : sequence of sequences of int, or None
        Channel groups with a covariance each; None: all channels together.

    Examples
    --------
    >>> stage = CovStage(2, 16, delays=(1,))
    >>> x = torch.randn(6, 2, 16)
    >>> stage.fit(stage.raw(x))
    >>> tuple(stage(x).shape)  # 2 means + 4 * 5 / 2
    (6, 12)
    """

    name = "cov"

    def __init__(
        self,
        n_channels: int,
        length: int,
        delays: Sequence[int] = (4,),
        eps: float = 0.1,
        groups: Sequence[Sequence[int]] | None = None,
    ) -> None:
        super().__init__(n_channels, length)
        self.delays = check_int_tuple(delays, "delays") if len(delays) else ()
        if self.length <= max(self.delays, default=0):
            raise ValueError(
                f"length {self.length} must exceed the largest delay {max(self.delays)}"
            )
        if not np.isfinite(eps) or eps <= 0:
            raise ValueError(f"eps must be a positive number, got {eps!r}")
        self.eps = float(eps)
        self.groups = _check_groups(groups, self.n_channels)
        self._init_scaling(n_statistics(self.n_channels, self.delays, self.groups))

    def raw(self, x: torch.Tensor) -> torch.Tensor:
        """Raw statistics ``(N, n_features)`` of windows ``(N, C, L)``."""
        return window_statistics(x, self.delays, self.eps, self.groups)
