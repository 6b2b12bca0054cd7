"""Inference in batches (encode, decode, reconstruct) and the fixed-feature helpers.

Everything here runs in eval mode without gradients over contiguous batches of a tensor or
a dataset; inside :func:`tsclust.distributed.collective` :func:`encode` shards the rows and
all-gathers the result, so every rank sees every latent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from .._validation import to_channels_first
from ..distributed import collectives
from ..models._common import FeatureView
from ..models.stages._base import evenly_spaced_rows
from .batches import fetch_batch, is_dataset
from .loop import _check_int, resolve_device

__all__ = [
    "encode",
    "decode",
    "reconstruct",
    "reconstruction_errors",
    "prepare_module",
    "feature_view",
    "fit_stage_windows",
    "raw_features",
]


def _module_device(module: nn.Module) -> torch.device:
    for p in module.parameters():
        return p.device
    for b in module.buffers():
        return b.device
    return torch.device("cpu")


def _place(module: nn.Module, device: str | torch.device | None) -> torch.device:
    """Move ``module`` to ``device`` (None: where it is) and return that device."""
    if device is None:
        dev = _module_device(module)
    else:
        dev = device if isinstance(device, torch.device) else resolve_device(device)
    module.to(dev)
    return dev


def _batched_apply(
    fn: Callable[[torch.Tensor], torch.Tensor],
    module: nn.Module,
    X: torch.Tensor | np.ndarray | Any,
    batch_size: int,
    device: str | torch.device | None,
    shard: bool = False,
) -> np.ndarray:
    """Apply ``fn`` to contiguous batches of a tensor or dataset (rows in order).

    With ``shard`` inside :func:`tsclust.distributed.collective`, each rank applies ``fn``
    to its contiguous shard and the results are all-gathered (every rank gets all rows).
    """
    is_ds = is_dataset(X)
    if not is_ds:
        X = torch.as_tensor(X, dtype=torch.float32)
    batch_size = _check_int(batch_size, "batch_size", 1)
    dev = _place(module, device)
    n = len(X)
    lo, hi = 0, n
    gather = shard and collectives.active()
    if gather:
        from ..streaming import shard_bounds

        lo, hi = shard_bounds(n, collectives.rank(), collectives.world_size())
    was_training = module.training
    module.eval()
    outs = []
    try:
        with torch.no_grad():
            for start in range(lo, hi, batch_size):
                stop = min(start + batch_size, hi)
                xb = fetch_batch(X, torch.arange(start, stop)) if is_ds else X[start:stop]
                outs.append(fn(xb.to(dev)).cpu())
    finally:
        module.train(was_training)
    if gather:
        if not outs:  # an empty shard still takes part in the gather
            probe = fetch_batch(X, torch.arange(0, 1)) if is_ds else X[:1]
            with torch.no_grad():
                outs.append(fn(probe.to(dev)).cpu()[:0])
        return collectives.all_gather_rows(torch.cat(outs).numpy(), n)
    if not outs:
        raise ValueError("cannot apply the module to an empty input")
    return torch.cat(outs).numpy()


def encode(
    module: nn.Module,
    X: torch.Tensor | np.ndarray | Any,
    batch_size: int = 4096,
    device: str | torch.device | None = None,
) -> np.ndarray:
    """Latents of ``X`` ``(N, C, L)``: ``module.encode`` in eval mode without gradients.

    Parameters
    ----------
    module : nn.Module
        Has an ``encode`` method.
    X : tensor or ndarray of shape (N, C, L), or a map-style dataset
        A dataset (e.g. :class:`tsclust.streaming.StoreDataset`) is read in contiguous
        batches, so only one batch is in memory.
    batch_size : int, default=4096
    device : str, torch.device or None, default=None
        None keeps the module where it is; otherwise see :func:`resolve_device`.

    Returns
    -------
    Z : ndarray of shape (N, latent_dim), float32
        Inside :func:`tsclust.distributed.collective` each rank encodes its shard and every
        rank receives all ``N`` rows.
    """
    return _batched_apply(module.encode, module, X, batch_size, device, shard=True)


def decode(
    module: nn.Module,
    Z: torch.Tensor | np.ndarray,
    batch_size: int = 4096,
    device: str | torch.device | None = None,
) -> np.ndarray:
    """Decode latents ``Z`` ``(N, latent_dim)`` (eval, no grad): windows ``(N, C, L)``, or for
    ``"cov"`` standardised statistics ``(N, n_features)`` (shaped like ``module.target``)."""
    return _batched_apply(module.decode, module, Z, batch_size, device)


def reconstruct(
    module: nn.Module,
    X: torch.Tensor | np.ndarray | Any,
    batch_size: int = 4096,
    device: str | torch.device | None = None,
) -> np.ndarray:
    """Reconstruction of ``X`` ``(N, C, L)`` or a dataset (``module(x)[0]``, eval, no grad).

    Shaped like ``module.target(x)``: ``(N, C, L)`` windows for every architecture but
    ``"cov"``, whose target is a statistics vector ``(N, n_features)``.
    """
    return _batched_apply(lambda xb: module(xb)[0], module, X, batch_size, device)


def reconstruction_errors(
    module: nn.Module,
    X: torch.Tensor | np.ndarray | Any,
    batch_size: int = 4096,
    device: str | torch.device | None = None,
) -> np.ndarray:
    """Per-window mean squared error ``(N,)`` between ``module(x)[0]`` and ``module.target(x)``."""

    def _err(xb: torch.Tensor) -> torch.Tensor:
        x_hat = module(xb)[0]
        return (x_hat - module.target(xb)).pow(2).flatten(1).mean(1)  # (B,)

    return _batched_apply(_err, module, X, batch_size, device)


def fit_stage_windows(
    stage: nn.Module,
    X: torch.Tensor | np.ndarray | Any,
    device: str | torch.device | None = None,
) -> None:
    """Give a feature stage the training windows its raw features depend on.

    Calls ``stage.fit_windows`` with ``X`` ``(N, C, L)`` (or a dataset), or, when ``N``
    exceeds ``stage.n_fit_windows``, with that many evenly spaced rows of it (deterministic,
    so every rank of a distributed run passes the same rows; a dataset reads only those).
    A stage with ``n_fit_windows == 0`` (``"cov"``) is left as it is.
    """
    wanted = int(getattr(stage, "n_fit_windows", 0))
    if wanted <= 0:
        return
    dev = _place(stage, device)
    n = len(X)
    rows = evenly_spaced_rows(n, wanted)
    sample = fetch_batch(X, rows) if is_dataset(X) else torch.as_tensor(X, dtype=torch.float32)[rows]
    stage.fit_windows(sample.to(dev))


def raw_features(
    stage: nn.Module,
    X: torch.Tensor | np.ndarray | Any,
    batch_size: int = 4096,
    device: str | torch.device | None = None,
) -> np.ndarray:
    """Unstandardised features ``(N, stage.n_features)`` (``stage.raw``) of ``X`` ``(N, C, L)``
    or a dataset, in batches, without gradients; float32 unless ``X`` is a float64 tensor."""
    return _batched_apply(stage.raw, stage, X, batch_size, device)


def prepare_module(
    module: nn.Module,
    X: torch.Tensor | np.ndarray | Any,
    batch_size: int = 4096,
    device: str | torch.device | None = None,
) -> None:
    """Fit a module's data-dependent buffers on its training windows, before training.

    A module with a fixed feature stage (``module.stage``, e.g. ``"cov"``) first gets the
    stage's own data-dependent state (:func:`fit_stage_windows`, e.g. the biases of
    ``"rocket"``), then the stage's standardisation from the raw features of ``X``
    ``(N, C, L)`` or a dataset; every other module is left as it is. Every rank of a
    distributed run computes the same values.
    """
    stage = getattr(module, "stage", None)
    if stage is None:
        return
    _place(module, device)
    fit_stage_windows(stage, X)
    raw = raw_features(stage, X, batch_size)  # (N, F)
    stage.fit(torch.from_numpy(np.asarray(raw)))


def feature_view(
    module: nn.Module,
    X: torch.Tensor | np.ndarray | Any,
    batch_size: int = 4096,
    device: str | torch.device | None = None,
    max_bytes: int = 2**30,
) -> tuple[nn.Module, Any]:
    """What to train on: a module with a fixed input stage sees its features, computed once.

    For a module with ``has_fixed_features`` (a feature stage such as ``"cov"``), returns
    ``(FeatureView(module), F)`` with ``F`` the features ``(N, module.n_features)`` of ``X``
    (float32, CPU): training the view updates ``module`` exactly as training ``module`` on
    ``X`` would, without recomputing the statistics of every batch in every epoch. Call it
    after :func:`prepare_module` (the features are standardised).

    ``X`` is windows ``(N, C, L)`` or a dataset (a streamed store, read once in contiguous
    batches). A dataset whose features would take more than ``max_bytes`` stays streamed:
    ``(module, X)`` is returned unchanged, as it is for any other module.
    """
    if not getattr(module, "has_fixed_features", False):
        return module, X
    if is_dataset(X) and len(X) * int(module.n_features) * 4 > max_bytes:
        return module, X
    feats = _batched_apply(module.features, module, X, batch_size, device)  # (N, F)
    return FeatureView(module), torch.from_numpy(np.ascontiguousarray(feats))


class RocketFeatures:
    """MiniRocket-style PPV features of windows as numpy: the ``"rocket"`` stage, no network.

    :meth:`fit_transform` builds a :class:`tsclust.models.stages.RocketStage` for the
    windows' shape, fits its biases on (an evenly spaced subsample of) the training windows
    (:func:`tsclust.training.fit_stage_windows`, as a ``"rocket"`` autoencoder does) and
    returns the raw features; :meth:`transform` computes them for any windows. The windows
    are used as given (float32), without standardisation.

    Parameters
    ----------
    n_features : int, default=9996
        Requested number of features (rounded down to a multiple of 84).
    max_dilations : int, default=32
        Most dilations per kernel.
    seed : int, default=0
        Seeds the stage's channel subsets and bias windows.
    device : str or None, default=None
        Where the stage runs (None: the CPU; see :func:`tsclust.training.resolve_device`).

    Attributes
    ----------
    stage_ : RocketStage
        The fitted stage.
    """

    def __init__(self, n_features: int = 9996, max_dilations: int = 32, seed: int = 0,
                 device: str | None = None) -> None:
        self.n_features = n_features
        self.max_dilations = max_dilations
        self.seed = seed
        self.device = device

    def fit_transform(self, X: np.ndarray) -> np.ndarray:
        """Fit on windows ``(n, T, C)`` and return their features ``(n, F)``, float32."""
        from ..models.stages import RocketStage

        self.stage_ = RocketStage(X.shape[2], X.shape[1], self.n_features, self.max_dilations,
                                  seed=self.seed)
        x = to_channels_first(X)  # (n, C, T) float32
        fit_stage_windows(self.stage_, x, device=self.device)
        return self._raw(x)

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Features ``(n, F)`` in [0, 1], float32, of windows ``(n, T, C)``."""
        return self._raw(to_channels_first(X))

    def _raw(self, x: Any) -> np.ndarray:
        return raw_features(self.stage_, x, device=self.device)
