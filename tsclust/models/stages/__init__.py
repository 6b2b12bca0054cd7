"""Fixed feature stages: parameter-free maps of windows ``(N, C, L)`` to features ``(N, F)``.

A stage is one :class:`FeatureStage` subclass plus one line in :data:`STAGES`; every stage
is then also an architecture of the same name (the stage under an MLP autoencoder, see
:class:`tsclust.models.StagedAutoencoder`).
"""

from __future__ import annotations

from typing import Any

from ._base import FeatureStage
from .cov import CovStage, n_statistics, window_statistics
from .rocket import RocketStage

__all__ = [
    "STAGES",
    "FeatureStage",
    "CovStage",
    "RocketStage",
    "build_stage",
    "window_statistics",
    "n_statistics",
]

#: Stage name -> class; every class takes ``(n_channels, length, **kwargs)``.
STAGES: dict[str, type[FeatureStage]] = {
    "cov": CovStage,
    "rocket": RocketStage,
}


def build_stage(name: Any, n_channels: int, length: int, **kwargs: Any) -> FeatureStage:
    """Build the stage registered as ``name``; a ValueError lists the valid names otherwise."""
    if name not in STAGES:
        raise ValueError(f"unknown feature stage {name!r}; valid names are {sorted(STAGES)}")
    return STAGES[name](n_channels, length, **kwargs)
