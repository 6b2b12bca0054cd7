"""Mini-batches for the training loop and for inference: samplers and batch readers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import torch

__all__ = ["is_dataset", "default_sampler", "fetch_batch", "batch_reader"]


def is_dataset(X: Any) -> bool:
    """A map-style dataset (has ``__getitem__`` and ``__len__``) that is not an array."""
    return (
        not isinstance(X, (torch.Tensor, np.ndarray, list, tuple))
        and hasattr(X, "__getitem__")
        and hasattr(X, "__len__")
    )


def default_sampler(
    sampler: Any, X: Any, n: int, batch_size: int, seed: int, rank: int, world_size: int,
    *, sharded: bool,
) -> Any:
    """The batch sampler a name stands for (an object is returned as it is).

    None means ``"chunks"`` for a dataset or a sharded run and ``"random"`` otherwise;
    ``"random"`` (:class:`~tsclust.streaming.RandomBatchSampler`) cannot be sharded.
    """
    from ..streaming import ChunkBatchSampler, RandomBatchSampler

    if sampler is None:
        sampler = "chunks" if (sharded or is_dataset(X)) else "random"
    if not isinstance(sampler, str):
        return sampler
    if sampler == "random":
        if sharded:
            raise ValueError("sampler='random' cannot shard across ranks; use 'chunks'")
        return RandomBatchSampler(n, batch_size, seed)
    if sampler == "chunks":
        chunk = int(getattr(X, "chunk_size", 256))
        return ChunkBatchSampler(
            n, batch_size, chunk_size=chunk, seed=seed, rank=rank, world_size=world_size
        )
    raise ValueError(f"unknown sampler {sampler!r}; use 'random', 'chunks' or a batch sampler")


def fetch_batch(X: Any, idx: torch.Tensor) -> torch.Tensor:
    """Rows ``idx`` of a tensor or dataset as a float32 tensor ``(B, ...)``."""
    if isinstance(X, torch.Tensor):
        return X[idx]
    if hasattr(X, "read_batch"):
        return X.read_batch(idx.numpy())
    items = [X[int(i)] for i in idx]
    return torch.stack(
        [torch.as_tensor(it[0] if isinstance(it, tuple) else it, dtype=torch.float32) for it in items]
    )


def _identity(batch: Any) -> Any:
    return batch


def batch_reader(X: Any, batches: Any, num_workers: int) -> Callable[[], Iterable]:
    """A callable returning an iterator of ``(xb, idx)`` over one epoch of ``batches``."""
    if num_workers > 0 and is_dataset(X) and hasattr(X, "read_batch"):
        from torch.utils.data import DataLoader

        loader = DataLoader(
            X, sampler=batches, batch_size=None, num_workers=num_workers,
            collate_fn=_identity, persistent_workers=True,
        )
        return lambda: iter(loader)

    def epoch() -> Iterable:
        for idx in batches:
            idx = torch.as_tensor(idx, dtype=torch.long)
            yield fetch_batch(X, idx), idx

    return epoch
