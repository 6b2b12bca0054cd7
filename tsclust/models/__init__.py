"""Torch autoencoder modules for windows ``(N, C, L)`` and their registry.

Every module has ``encode(x) -> z (N, latent_dim)``, ``decode(z) -> x_hat (N, C, L)``,
``forward(x) -> (x_hat, z)``, ``target(x)`` (what ``x_hat`` reconstructs: the windows, or
for ``"cov"`` a vector of window statistics) and the attribute ``latent_dim``.
A module with a fixed input stage (``"cov"``) is trained through a :class:`FeatureView`.
"""

from ._common import FeatureView
from .conv import ConvAutoencoder
from .covariance import CovarianceAutoencoder, window_statistics
from .dense import DenseAutoencoder
from .recurrent import GRUAutoencoder, LSTMAutoencoder, RecurrentAutoencoder
from .registry import (
    ARCHITECTURES,
    build_autoencoder,
    check_architecture,
    default_latent_dim,
    resolve_architecture,
)

__all__ = [
    "ARCHITECTURES",
    "ConvAutoencoder",
    "CovarianceAutoencoder",
    "DenseAutoencoder",
    "FeatureView",
    "GRUAutoencoder",
    "LSTMAutoencoder",
    "RecurrentAutoencoder",
    "build_autoencoder",
    "check_architecture",
    "default_latent_dim",
    "resolve_architecture",
    "window_statistics",
]
