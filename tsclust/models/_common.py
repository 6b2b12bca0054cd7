"""Pieces shared by the autoencoder modules: a base class, argument checks, activations."""

from __future__ import annotations

import contextlib
import numbers
from collections.abc import Iterator, Sequence

import torch
from torch import nn

__all__ = [
    "seeded",
    "AutoencoderModule",
    "check_latent_dim",
    "check_positive_int",
    "make_activation",
    "linear_stack",
    "FeatureView",
    "ACTIVATIONS",
]

ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "gelu": nn.GELU,
    "elu": nn.ELU,
    "leaky_relu": nn.LeakyReLU,
    "identity": nn.Identity,
}


@contextlib.contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Draw from torch's global generator seeded with ``seed`` inside the block, then restore it.

    Modules built inside get weights that depend only on ``seed`` and their arguments; the
    caller's random state is untouched (``torch.random.fork_rng`` on the CPU).
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(seed))
        yield


def check_positive_int(value: object, name: str) -> int:
    """Return ``value`` as an int, raising a ValueError unless it is an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def check_latent_dim(latent_dim: object) -> int:
    """Validate the size of the latent vector (integer >= 1)."""
    return check_positive_int(latent_dim, "latent_dim")


def check_int_tuple(values: Sequence[int] | int, name: str) -> tuple[int, ...]:
    """Turn an int or a sequence of ints into a tuple of positive ints."""
    if isinstance(values, numbers.Integral) and not isinstance(values, bool):
        values = (int(values),)
    out = tuple(check_positive_int(v, f"each entry of {name}") for v in values)
    return out


def make_activation(name: str | None) -> nn.Module:
    """Build an activation module from its name (``None`` gives the identity).

    Parameters
    ----------
    name : str or None
        One of ``ACTIVATIONS`` ("relu", "tanh", "sigmoid", "gelu", "elu", "leaky_relu",
        "identity") or None.

    Raises
    ------
    ValueError
        Unknown name; the message lists the valid ones.
    """
    if name is None:
        return nn.Identity()
    try:
        return ACTIVATIONS[str(name).lower()]()
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}; valid names are {sorted(ACTIVATIONS)} or None"
        ) from None


def linear_stack(sizes: Sequence[int], activation: str | None) -> list[nn.Module]:
    """``Linear -> activation`` between consecutive ``sizes``, no activation after the last.

    ``linear_stack([8, 4, 2], "relu")`` is ``[Linear(8, 4), ReLU(), Linear(4, 2)]``.
    """
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(make_activation(activation))
    return layers


def fit_length(x: torch.Tensor, length: int) -> torch.Tensor:
    """Crop (keep the first ``length`` steps) or replicate-pad ``x`` (N, C, L') to ``length``."""
    cur = x.shape[-1]
    if cur == length:
        return x
    if cur > length:
        return x[..., :length]
    return nn.functional.pad(x, (0, length - cur), mode="replicate")


class AutoencoderModule(nn.Module):
    """Base of the autoencoder modules: checked window shape and ``forward = decode(encode(x))``.

    Sets ``n_channels``, ``length`` and ``latent_dim`` (each an integer >= 1, else ValueError);
    subclasses build their layers after ``super().__init__(n_channels, length, latent_dim)``
    and implement ``encode`` ``(N, C, L) -> (N, latent_dim)`` and ``decode`` (the inverse).
    A module that reconstructs something other than the window (a statistics vector)
    overrides :meth:`target`; reconstruction losses compare ``decode(encode(x))`` with it.

    A module whose encoder starts with a fixed, parameter-free stage (a
    :class:`~tsclust.models.StagedAutoencoder`) sets ``has_fixed_features = True``, has a
    ``stage`` (:class:`~tsclust.models.stages.FeatureStage`), ``n_features`` (``F``) and implements
    ``features(x)`` ``(N, C, L) -> (N, F)`` and ``encode_features(f)`` ``(N, F) -> (N, latent_dim)`` with
    ``encode(x) == encode_features(features(x))``; training then computes the features once
    and trains a :class:`FeatureView` on them (:func:`tsclust.training.feature_view`).
    """

    has_fixed_features: bool = False

    def __init__(self, n_channels: int, length: int, latent_dim: int) -> None:
        super().__init__()
        self.n_channels = check_positive_int(n_channels, "n_channels")
        self.length = check_positive_int(length, "length")
        self.latent_dim = check_latent_dim(latent_dim)

    def encode(self, x: torch.Tensor) -> torch.Tensor:  # pragma: no cover
        raise NotImplementedError

    def target(self, x: torch.Tensor) -> torch.Tensor:
        """What ``decode(encode(x))`` reconstructs: the windows themselves ``(N, C, L)``."""
        return x

    def decode(self, z: torch.Tensor) -> torch.Tensor:  # pragma: no cover
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return ``(x_hat, z)``: reconstruction ``(N, C, L)`` and latent ``(N, latent_dim)``."""
        z = self.encode(x)  # (N, latent_dim)
        return self.decode(z), z  # (N, C, L), (N, latent_dim)


class FeatureView(nn.Module):
    """A module with a fixed input stage, seen from its features: train on them directly.

    ``encode(f)``, ``decode(z)``, ``forward(f)`` and ``target(f)`` (``f`` itself) take the
    features ``(N, F)`` that ``module.features`` returns, so a training loop over
    precomputed features updates the same parameters as one over windows, without computing
    the fixed stage again every epoch. The wrapped module is a submodule: ``parameters()``
    and ``state_dict()`` (keys prefixed ``"module."``) are its own.

    Parameters
    ----------
    module : AutoencoderModule
        Has ``has_fixed_features`` true, ``encode_features`` and ``decode``.
    """

    def __init__(self, module: AutoencoderModule) -> None:
        super().__init__()
        if not getattr(module, "has_fixed_features", False):
            raise ValueError(f"{type(module).__name__} has no fixed input stage")
        self.module = module
        self.latent_dim = module.latent_dim

    def encode(self, f: torch.Tensor) -> torch.Tensor:
        """Latents ``(N, latent_dim)`` of features ``(N, F)``."""
        return self.module.encode_features(f)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Reconstructed features ``(N, F)`` of latents ``(N, latent_dim)``."""
        return self.module.decode(z)

    def target(self, f: torch.Tensor) -> torch.Tensor:
        """The reconstruction target: the features themselves."""
        return f

    def forward(self, f: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return ``(f_hat, z)``: reconstructed features ``(N, F)`` and latents ``(N, latent_dim)``."""
        z = self.encode(f)
        return self.decode(z), z
