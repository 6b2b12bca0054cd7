"""``"fused"``: several feature stages side by side, each given an equal share of the loss.

Random-kernel features (``"rocket"``) ignore the level and scale of a series (each kernel's
weights sum to zero and PPV only counts signs), while the ``"cov"`` statistics keep channel
means and covariances: on the selection half of the UCR panel the problems where
``rocket+dec`` lost most to Euclidean k-means (InsectEPGSmallTrain: NMI 0.58 against 1.00)
differ by level. The fused stage concatenates the standardised features of its stages; since
``"rocket"`` has thousands of features and ``"cov"`` a handful, each block gets a per-feature
loss weight (``loss_weights_``) that gives every block the same share of the reconstruction
error (or the shares asked for).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from ._base import FeatureStage, evenly_spaced_rows

__all__ = ["FusedStage"]


class FusedStage(FeatureStage):
    """The features of several stages, concatenated, with block loss weights.

    Parameters
    ----------
    n_channels : int
        Channels ``C`` of the windows.
    length : int
        Window length ``L``.
    stages : sequence of str, default=("rocket", "cov")
        Names in :data:`tsclust.models.stages.STAGES` (not ``"fused"`` itself).
    shares : sequence of float or None, default=None
        Share of the reconstruction loss of each block (normalised to sum to 1); None gives
        every block the same share.
    stage_kwargs : mapping or None, default=None
        ``{stage name: {argument: value}}``, e.g. ``{"rocket": {"n_features": 2016}}``.

    Attributes
    ----------
    parts : nn.ModuleList
        The stages, in order.
    blocks : list of slice
        Each stage's features in the fused vector.
    loss_weights_ : torch.Tensor of shape (n_features,)
        Per-feature weight ``w`` (buffer): reconstructions and targets are compared as
        ``w * f``, so block ``b`` of ``F_b`` features weighs ``F_b * w_b**2 / F`` of the mean
        squared error: ``w_b = sqrt(share_b * F / F_b)``.

    Examples
    --------
    >>> stage = FusedStage(2, 32, stage_kwargs={"rocket": {"n_features": 84, "seed": 0}})
    >>> x = torch.randn(5, 2, 32)
    >>> stage.fit_windows(x)
    >>> stage.fit(stage.raw(x))
    >>> tuple(stage(x).shape), stage.n_features  # 84 rocket + 2 means + 4 * 5 / 2 cov
    ((5, 96), 96)
    """

    name = "fused"

    def __init__(
        self,
        n_channels: int,
        length: int,
        stages: Sequence[str] = ("rocket", "cov"),
        shares: Sequence[float] | None = None,
        stage_kwargs: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        from . import build_stage

        super().__init__(n_channels, length)
        stages = tuple(stages)
        if len(stages) < 2 or "fused" in stages or len(set(stages)) != len(stages):
            raise ValueError(f"stages must name two or more different stages, got {stages!r}")
        kwargs = dict(stage_kwargs or {})
        unknown = sorted(set(kwargs) - set(stages))
        if unknown:
            raise ValueError(f"stage_kwargs for stages not in {stages!r}: {unknown}")
        self.stages = stages
        self.parts = nn.ModuleList(
            build_stage(s, self.n_channels, self.length, **dict(kwargs.get(s, {})))
            for s in stages
        )
        sizes = [p.n_features for p in self.parts]
        edges = np.cumsum([0, *sizes])
        self.blocks = [slice(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:], strict=True)]
        share = np.ones(len(stages)) if shares is None else np.asarray(shares, dtype=np.float64)
        if share.shape != (len(stages),) or not np.all(np.isfinite(share)) or (share <= 0).any():
            raise ValueError(f"shares must be {len(stages)} positive numbers, got {shares!r}")
        share = share / share.sum()
        self.n_fit_windows = max(p.n_fit_windows for p in self.parts)
        self._init_scaling(int(edges[-1]))
        w = torch.cat([torch.full((n,), float(np.sqrt(s * edges[-1] / n)))
                       for s, n in zip(share, sizes, strict=True)])
        self.register_buffer("loss_weights_", w)

    def fit_windows(self, x: torch.Tensor) -> None:
        """Each stage's :meth:`FeatureStage.fit_windows` with its own evenly spaced rows of ``x``."""
        for part in self.parts:
            if part.n_fit_windows > 0:
                part.fit_windows(x[evenly_spaced_rows(len(x), part.n_fit_windows).to(x.device)])

    def raw(self, x: torch.Tensor) -> torch.Tensor:
        """The stages' raw features side by side, ``(N, n_features)``."""
        return torch.cat([part.raw(x) for part in self.parts], dim=1)
