"""Torch autoencoder modules for windows ``(N, C, L)`` and their registry.

Every module has ``encode(x) -> z (N, latent_dim)``, ``decode(z) -> x_hat (N, C, L)``,
``forward(x) -> (x_hat, z)``, ``target(x)`` (what ``x_hat`` reconstructs: the windows, or
for ``"cov"`` a vector of window statistics) and the attribute ``latent_dim``.
A fixed feature stage (:mod:`tsclust.models.stages`, e.g. ``"cov"``) sits under an MLP in a
:class:`StagedAutoencoder`, which is trained through a :class:`FeatureView` on features
computed once.
"""

from ._common import FeatureView
from .conv import ConvAutoencoder
from .dense import DenseAutoencoder, VectorAutoencoder
from .recurrent import GRUAutoencoder, LSTMAutoencoder, RecurrentAutoencoder
from .registry import (
    ARCHITECTURES,
    build_autoencoder,
    check_architecture,
    check_module_kwargs,
    default_latent_dim,
    resolve_architecture,
)
from .staged import StagedAutoencoder
from .stages import STAGES, CovStage, FeatureStage, RocketStage, build_stage, window_statistics

__all__ = [
    "ARCHITECTURES",
    "ConvAutoencoder",
    "CovStage",
    "DenseAutoencoder",
    "FeatureStage",
    "FeatureView",
    "GRUAutoencoder",
    "LSTMAutoencoder",
    "RecurrentAutoencoder",
    "RocketStage",
    "STAGES",
    "StagedAutoencoder",
    "VectorAutoencoder",
    "build_stage",
    "build_autoencoder",
    "check_architecture",
    "check_module_kwargs",
    "default_latent_dim",
    "resolve_architecture",
    "window_statistics",
]
