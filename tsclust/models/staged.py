"""An MLP autoencoder sitting on a fixed feature stage (the ``"cov"`` architecture and its kin)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from ._common import AutoencoderModule
from .dense import mlp_pair
from .stages import FeatureStage, build_stage

__all__ = ["StagedAutoencoder"]


class StagedAutoencoder(AutoencoderModule):
    """A :class:`~tsclust.models.stages.FeatureStage` under the MLP of :class:`VectorAutoencoder`.

    The encoder maps each window ``(C, L)`` to the stage's standardised features ``(F,)``
    and encodes them; the decoder reconstructs the features, so the reconstruction target
    (:meth:`target`) is that vector, not the window. The stage's standardisation is fitted
    on the training windows by :func:`tsclust.training.prepare_module` before training, and
    training runs on the features, computed once (:func:`tsclust.training.feature_view`).
    Every registered stage is an architecture of the same name built by this class
    (``"cov"``: window means and log-covariances).

    Parameters
    ----------
    n_channels : int
        Number of input channels ``C``.
    length : int
        Window length ``L``.
    latent_dim : int, default=10
        Size of the latent vector.
    stage : str or FeatureStage, default="cov"
        A name from :data:`tsclust.models.stages.STAGES` (built with ``**stage_kwargs``) or
        a stage built for ``(n_channels, length)``.
    hidden : sequence of int, default=(256, 128)
        Hidden sizes of the MLP (reversed in the decoder).
    activation : str, default="relu"
    decoder_activation : str, default="tanh"
    **stage_kwargs
        Arguments of the stage class (``"cov"``: ``delays``, ``eps``, ``groups``).

    Attributes
    ----------
    stage : FeatureStage
    n_features : int
        Length of the feature vector.

    Examples
    --------
    >>> ae = StagedAutoencoder(2, 16, latent_dim=3, stage="cov", hidden=(8,), delays=(1,))
    >>> x = torch.randn(6, 2, 16)
    >>> ae.stage.fit(ae.stage.raw(x))
    >>> x_hat, z = ae(x)
    >>> tuple(x_hat.shape) == tuple(ae.target(x).shape) == (6, 2 + 10), tuple(z.shape)
    (True, (6, 3))
    """

    def __init__(
        self,
        n_channels: int,
        length: int,
        latent_dim: int = 10,
        stage: str | FeatureStage = "cov",
        hidden: Sequence[int] = (256, 128),
        activation: str = "relu",
        decoder_activation: str = "tanh",
        **stage_kwargs: Any,
    ) -> None:
        super().__init__(n_channels, length, latent_dim)
        if not isinstance(stage, FeatureStage):
            stage = build_stage(stage, self.n_channels, self.length, **stage_kwargs)
        elif stage_kwargs:
            raise TypeError(f"stage arguments {sorted(stage_kwargs)} given with a built stage")
        self.stage = stage
        self.n_features = stage.n_features
        self.encoder, self.decoder = mlp_pair(self.n_features, self.latent_dim, hidden,
                                              activation, decoder_activation)

    has_fixed_features = True

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The fixed input stage: standardised features ``(N, F)`` of windows ``(N, C, L)``."""
        return self.stage(x)

    def target(self, x: torch.Tensor) -> torch.Tensor:
        """What the decoder reconstructs: the standardised features ``(N, F)``."""
        return self.stage(x)

    def encode_features(self, f: torch.Tensor) -> torch.Tensor:
        """Latents ``(N, latent_dim)`` of standardised features ``(N, F)``."""
        return self.encoder(f)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Encode windows ``(N, C, L)`` to latents ``(N, latent_dim)``."""
        return self.encoder(self.stage(x))

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Decode latents ``(N, latent_dim)`` to standardised features ``(N, F)``."""
        return self.decoder(z)
