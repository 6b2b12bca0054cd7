"""Registry of autoencoder architectures: name -> ``nn.Module`` class."""

from __future__ import annotations

from torch import nn

from ._common import check_latent_dim
from .conv import ConvAutoencoder
from .covariance import CovarianceAutoencoder
from .dense import DenseAutoencoder
from .recurrent import GRUAutoencoder, LSTMAutoencoder

__all__ = ["ARCHITECTURES", "build_autoencoder", "check_architecture"]

#: Architecture name -> module class; every class takes ``(n_channels, length, latent_dim, **kw)``.
ARCHITECTURES: dict[str, type[nn.Module]] = {
    "conv": ConvAutoencoder,
    "cov": CovarianceAutoencoder,
    "gru": GRUAutoencoder,
    "lstm": LSTMAutoencoder,
    "mlp": DenseAutoencoder,
}


def check_architecture(name: object) -> str:
    """Return ``name`` if it is a registered architecture, else raise a ValueError listing them."""
    if not isinstance(name, str) or name not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {name!r}; valid names are {sorted(ARCHITECTURES)}")
    return name


def build_autoencoder(
    name: str, n_channels: int, length: int, latent_dim: int = 10, **kwargs
) -> nn.Module:
    """Build a registered autoencoder module.

    Parameters
    ----------
    name : {"conv", "cov", "gru", "lstm", "mlp"}
        Architecture name.
    n_channels : int
        Number of channels ``C`` of the windows.
    length : int
        Window length ``L``.
    latent_dim : int, default=10
        Size of the latent vector (>= 1).
    **kwargs
        Passed to the module class (e.g. ``filters``, ``hidden_size``, ``global_pool``).

    Returns
    -------
    nn.Module
        With ``encode``, ``decode``, ``forward -> (x_hat, z)`` and ``latent_dim``. Its weights
        come from torch's global generator: wrap the call in ``torch.random.fork_rng`` and
        ``torch.manual_seed`` for reproducible initialisation.

    Raises
    ------
    ValueError
        Unknown name (the message lists the valid names) or ``latent_dim < 1``.

    Examples
    --------
    >>> build_autoencoder("mlp", 1, 8, latent_dim=2, hidden=(4,)).latent_dim
    2
    """
    cls = ARCHITECTURES[check_architecture(name)]
    check_latent_dim(latent_dim)
    return cls(n_channels, length, latent_dim, **kwargs)
