"""Registry of autoencoder architectures: name -> ``nn.Module`` class."""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from functools import partial
from typing import Any

from torch import nn

from ._common import check_latent_dim, seeded
from .conv import ConvAutoencoder
from .dense import DenseAutoencoder
from .recurrent import GRUAutoencoder, LSTMAutoencoder
from .staged import StagedAutoencoder
from .stages import STAGES

__all__ = [
    "ARCHITECTURES",
    "ArchitectureRegistry",
    "AUTO",
    "build_autoencoder",
    "check_architecture",
    "default_latent_dim",
    "resolve_architecture",
]

class ArchitectureRegistry(MutableMapping[str, Callable[..., nn.Module]]):
    """Architecture name -> module builder: the window encoders, then one entry per feature stage.

    Each builder takes ``(n_channels, length, latent_dim, **kw)``. The stage entries are read
    from :data:`tsclust.models.stages.STAGES` at every look-up, so registering a stage there
    (one line) makes it an architecture of the same name: the stage under an MLP
    (:class:`StagedAutoencoder`), e.g. ``"cov"``. Assigning a name registers a window
    encoder (it takes precedence over a stage of the same name).
    """

    def __init__(self, encoders: dict[str, Callable[..., nn.Module]]) -> None:
        self.encoders = encoders

    def __getitem__(self, name: str) -> Callable[..., nn.Module]:
        if name in self.encoders:
            return self.encoders[name]
        if name in STAGES:
            return partial(StagedAutoencoder, stage=name)
        raise KeyError(name)

    def __setitem__(self, name: str, build: Callable[..., nn.Module]) -> None:
        self.encoders[name] = build

    def __delitem__(self, name: str) -> None:
        del self.encoders[name]

    def __iter__(self) -> Iterator[str]:
        return iter([*self.encoders, *(s for s in STAGES if s not in self.encoders)])

    def __len__(self) -> int:
        return len(list(iter(self)))


#: Every architecture by name (see :class:`ArchitectureRegistry`); add a window encoder here.
ARCHITECTURES = ArchitectureRegistry({
    "conv": ConvAutoencoder,
    "gru": GRUAutoencoder,
    "lstm": LSTMAutoencoder,
    "mlp": DenseAutoencoder,
})


#: Latent size used when ``latent_dim`` is None: 10, except "cov", whose 80-odd standardised
#: statistics (6 channels) lose the posture information in a 10-dimensional code (measured
#: on HAPT: docs/results_hapt.md).
DEFAULT_LATENT_DIMS: dict[str, int] = {"cov": 32}


def default_latent_dim(name: str) -> int:
    """Latent size an architecture gets when none is given (10 unless listed otherwise)."""
    return DEFAULT_LATENT_DIMS.get(name, 10)


#: The name that picks an architecture from the data (see :func:`resolve_architecture`).
AUTO = "auto"


def check_architecture(name: object) -> str:
    """Return ``name`` if it is a registered architecture or "auto", else raise a ValueError."""
    if not isinstance(name, str) or (name not in ARCHITECTURES and name != AUTO):
        valid = sorted([*ARCHITECTURES, AUTO])
        raise ValueError(f"unknown architecture {name!r}; valid names are {valid}")
    return name


def resolve_architecture(name: str, n_channels: int) -> str:
    """The registered architecture ``name`` stands for on windows with ``n_channels`` channels.

    "auto" is "cov" (window means and log-covariances) for two or more channels, where
    cross-channel statistics carry the signal (chosen on HAPT), and "rocket" (random-kernel
    features under the MLP) for a single channel (chosen on the selection half of the UCR
    panel while looking at the labels, reported on the other half: docs/results_panel.md).
    Other names are returned unchanged after :func:`check_architecture`.
    """
    name = check_architecture(name)
    if name != AUTO:
        return name
    return "cov" if n_channels >= 2 else "rocket"


def check_module_kwargs(kwargs: Any) -> dict[str, Any] | None:
    """Return ``kwargs`` (a dict or None) if it can be passed to :func:`build_autoencoder`.

    ``"seed"`` is refused: the estimators seed the weights and a stage's random choices
    from ``random_state``, and a second seed would make the same fit give other results.
    """
    if kwargs is None:
        return None
    if not isinstance(kwargs, dict):
        raise ValueError(f"module_kwargs must be a dict or None, got {type(kwargs).__name__}")
    if "seed" in kwargs:
        raise ValueError("module_kwargs must not set 'seed': the weights and a stage's random "
                         "choices (kernels' bias windows, channel subsets) follow random_state")
    return kwargs


def build_autoencoder(
    name: str,
    n_channels: int,
    length: int,
    latent_dim: int | None = None,
    *,
    seed: int | None = None,
    **kwargs: Any,
) -> nn.Module:
    """Build a registered autoencoder module.

    Parameters
    ----------
    name : str
        A key of :data:`ARCHITECTURES` or "auto", which picks one from ``n_channels``
        (:func:`resolve_architecture`).
    n_channels : int
        Number of channels ``C`` of the windows.
    length : int
        Window length ``L``.
    latent_dim : int or None, default=None
        Size of the latent vector (>= 1); None: :func:`default_latent_dim` (10, or 32 for
        "cov").
    seed : int or None, default=None
        Initialise the weights from this seed: the global torch generator is forked
        (``torch.random.fork_rng``), seeded and restored, so the caller's random state is
        untouched and the weights depend only on ``seed`` and the arguments. None draws
        them from the global generator.
    **kwargs
        Passed to the module class (e.g. ``filters``, ``hidden_size``, ``global_pool``).

    Returns
    -------
    nn.Module
        With ``encode``, ``decode``, ``forward -> (x_hat, z)`` and ``latent_dim``; on the
        CPU, in train mode.

    Raises
    ------
    ValueError
        Unknown name (the message lists the valid names) or ``latent_dim < 1``.

    Examples
    --------
    >>> build_autoencoder("mlp", 1, 8, latent_dim=2, hidden=(4,)).latent_dim
    2
    """
    name = resolve_architecture(name, n_channels)
    build = ARCHITECTURES[name]
    if latent_dim is None:
        latent_dim = default_latent_dim(name)
    check_latent_dim(latent_dim)
    if seed is None:
        return build(n_channels, length, latent_dim, **kwargs)
    with seeded(seed):
        return build(n_channels, length, latent_dim, **kwargs)
