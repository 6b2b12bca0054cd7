"""Fully connected (DAC-style) autoencoders: on feature vectors, and on flattened windows."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ._common import (
    AutoencoderModule,
    check_int_tuple,
    check_latent_dim,
    check_positive_int,
    linear_stack,
    make_activation,
)

__all__ = ["mlp_pair", "VectorAutoencoder", "DenseAutoencoder"]


def mlp_pair(
    n_features: int,
    latent_dim: int,
    hidden: Sequence[int],
    activation: str,
    decoder_activation: str,
    output_activation: str | None = None,
) -> tuple[nn.Sequential, nn.Sequential]:
    """Encoder ``F -> hidden... -> latent`` and its mirrored decoder, built in that order.

    ``Linear -> activation`` for every size in ``hidden``, then a linear map to the latent;
    the decoder runs ``Linear -> decoder_activation`` through ``reversed(hidden)``, then
    ``Linear`` to ``F`` and ``output_activation`` (None: the identity).
    """
    hidden = check_int_tuple(hidden, "hidden") if len(hidden) else ()
    encoder = nn.Sequential(*linear_stack([n_features, *hidden, latent_dim], activation))
    decoder = nn.Sequential(
        *linear_stack([latent_dim, *hidden[::-1], n_features], decoder_activation),
        make_activation(output_activation),
    )
    return encoder, decoder


class VectorAutoencoder(nn.Module):
    """Multilayer perceptron autoencoder of vectors ``(N, F)``, in the style of DAC.

    Encoder: ``Linear -> activation`` for every size in ``hidden``, then a linear map to the
    latent. Decoder (mirror): ``Linear -> decoder_activation`` for every size in
    ``reversed(hidden)``, then ``Linear`` to ``F`` and ``output_activation``. DAC uses ReLU in
    the encoder, Tanh in the decoder and a sigmoid output for inputs scaled to (0, 1). The
    windows' MLP (:class:`DenseAutoencoder`), the MLP on a feature stage
    (:class:`~tsclust.models.StagedAutoencoder`) and the clusterer of feature vectors
    (:class:`~tsclust.clustering.LatentClusterer`) are this module.

    Parameters
    ----------
    n_features : int
        Length ``F`` of the input vectors.
    latent_dim : int, default=10
    hidden : sequence of int, default=(256, 128)
        Encoder hidden sizes (reversed in the decoder).
    activation : str, default="relu"
    decoder_activation : str, default="tanh"
    output_activation : str or None, default=None

    Examples
    --------
    >>> ae = VectorAutoencoder(6, latent_dim=2, hidden=(4,))
    >>> f_hat, z = ae(torch.randn(3, 6))
    >>> tuple(f_hat.shape), tuple(z.shape)
    ((3, 6), (3, 2))
    """

    def __init__(
        self,
        n_features: int,
        latent_dim: int = 10,
        hidden: Sequence[int] = (256, 128),
        activation: str = "relu",
        decoder_activation: str = "tanh",
        output_activation: str | None = None,
    ) -> None:
        super().__init__()
        self.n_features = check_positive_int(n_features, "n_features")
        self.latent_dim = check_latent_dim(latent_dim)
        self.encoder, self.decoder = mlp_pair(self.n_features, self.latent_dim, hidden,
                                              activation, decoder_activation, output_activation)

    def encode(self, f: torch.Tensor) -> torch.Tensor:
        """Latents ``(N, latent_dim)`` of vectors ``(N, F)``."""
        return self.encoder(f)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Reconstructed vectors ``(N, F)`` of latents ``(N, latent_dim)``."""
        return self.decoder(z)

    def target(self, f: torch.Tensor) -> torch.Tensor:
        """The reconstruction target: the input itself."""
        return f

    def forward(self, f: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(f_hat, z)``: reconstruction ``(N, F)`` and latents ``(N, latent_dim)``."""
        z = self.encode(f)
        return self.decode(z), z


class DenseAutoencoder(AutoencoderModule):
    """The MLP of :class:`VectorAutoencoder` on windows flattened channel-major, ``(N, C * L)``.

    Parameters
    ----------
    n_channels : int
        Number of input channels ``C``.
    length : int
        Window length ``L``.
    latent_dim : int, default=10
        Size of the latent vector.
    hidden : sequence of int, default=(256, 128)
        Hidden layer sizes of the encoder (the decoder uses them reversed). DAC's MNIST
        network is ``(500, 500, 2000)``; (256, 128) trains about 4x faster and clustered the
        HAPT windows better in tsclust's measurements (docs/results_hapt.md).
    activation : str, default="relu"
        Encoder hidden activation.
    decoder_activation : str, default="tanh"
        Decoder hidden activation.
    output_activation : {None, "sigmoid", "tanh", ...}, default=None
        None for standardised data; "sigmoid" (DAC) for data scaled to (0, 1).

    Examples
    --------
    >>> ae = DenseAutoencoder(2, 15, latent_dim=3, hidden=(16,), output_activation="sigmoid")
    >>> x_hat, z = ae(torch.rand(4, 2, 15))
    >>> tuple(x_hat.shape), tuple(z.shape), bool((x_hat > 0).all())
    ((4, 2, 15), (4, 3), True)
    """

    def __init__(
        self,
        n_channels: int,
        length: int,
        latent_dim: int = 10,
        hidden: Sequence[int] = (256, 128),
        activation: str = "relu",
        decoder_activation: str = "tanh",
        output_activation: str | None = None,
    ) -> None:
        super().__init__(n_channels, length, latent_dim)
        self.encoder, self.decoder = mlp_pair(self.n_channels * self.length, self.latent_dim,
                                              hidden, activation, decoder_activation,
                                              output_activation)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Encode windows ``(N, C, L)`` to latents ``(N, latent_dim)``."""
        return self.encoder(x.flatten(1))  # (N, C * L) -> (N, latent_dim)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Decode latents ``(N, latent_dim)`` to windows ``(N, C, L)``."""
        return self.decoder(z).view(z.shape[0], self.n_channels, self.length)
