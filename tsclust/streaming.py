"""Train and infer from window stores larger than memory.

:class:`StoreDataset` is a map-style torch ``Dataset`` over an HDF5 window store (read
lazily through :class:`tsclust.io.StoreReader`, so this module never imports h5py); it
yields channels-first float32 windows ``(C, L)`` and their positions. Indexed with an array
of positions it returns a whole batch ``(B, C, L)`` read with few contiguous reads.

:class:`ChunkBatchSampler` draws mini-batches whose rows come from a small window of
chunks (chunk order and rows within the window shuffled, seeded), so reads stay mostly
contiguous; ``rank``/``world_size`` give each process a disjoint contiguous shard.
:class:`RandomBatchSampler` reproduces the batch order of :func:`tsclust.training.train`
on a tensor exactly (a global permutation per epoch).

:func:`streaming_channel_stats` computes per-channel statistics chunk by chunk so a scaler
can be fitted on a store without loading it (:func:`scaler_from_stats`).
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from ._validation import to_channels_first, torch_generator
from .io import StoreReader

__all__ = [
    "StoreDataset",
    "ChunkBatchSampler",
    "RandomBatchSampler",
    "shard_bounds",
    "streaming_channel_stats",
    "scaler_from_stats",
    "is_store_path",
    "prepare_store",
]

logger = logging.getLogger(__name__)


def is_store_path(X: Any) -> bool:
    """True when ``X`` is a path (str or ``os.PathLike``) rather than an array."""
    return isinstance(X, (str, os.PathLike))


def shard_bounds(n: int, rank: int, world_size: int) -> tuple[int, int]:
    """Contiguous shard ``[lo, hi)`` of ``n`` rows for ``rank`` of ``world_size``.

    Shards are disjoint, cover ``range(n)`` and differ in size by at most one row.

    Examples
    --------
    >>> [shard_bounds(10, r, 3) for r in range(3)]
    [(0, 4), (4, 7), (7, 10)]
    """
    if world_size < 1 or not 0 <= rank < world_size:
        raise ValueError(f"need 0 <= rank < world_size, got rank={rank}, world_size={world_size}")
    base, extra = divmod(int(n), int(world_size))
    lo = rank * base + min(rank, extra)
    return lo, lo + base + (1 if rank < extra else 0)


class StoreDataset(Dataset):
    """Map-style dataset over a window store: ``(x, i)`` with ``x`` of shape (C, L), float32.

    The store holds windows ``(n, T, C)``; they are transformed (``transform``, on the
    numpy ``(B, T, C)`` block, e.g. a fitted scaler's ``transform``) and converted to the
    torch layout ``(B, C, L)`` once, here (the semantics of
    :func:`tsclust._validation.to_channels_first`).

    Parameters
    ----------
    path : path-like
        Window store written by :class:`tsclust.io.WindowStoreWriter`.
    indices : array-like of int or None, default=None
        Store rows making up the dataset (position ``i`` is store row ``indices[i]``);
        None takes every row.
    transform : callable or None, default=None
        ``transform(X)`` with ``X`` ndarray (B, T, C) float32 -> same shape; must be
        picklable to be used by DataLoader workers.

    Attributes
    ----------
    reader : StoreReader
    indices : ndarray of int64 or None
    n_timepoints, n_channels : int
    chunk_size : int
        Windows per chunk of the store.

    Notes
    -----
    ``ds[i]`` returns ``(x (C, L), i)``; ``ds[positions]`` (a sequence or ndarray of
    positions) returns ``(xb (B, C, L), idx LongTensor (B,))``, so a
    ``DataLoader(ds, sampler=batch_sampler, batch_size=None)`` yields whole batches.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from tsclust.io import write_windows
    >>> from tsclust.preprocessing import Windows
    >>> path = os.path.join(tempfile.mkdtemp(), "w.h5")
    >>> _ = write_windows(path, Windows(np.zeros((5, 8, 3), dtype="float32")))
    >>> ds = StoreDataset(path)
    >>> x, i = ds[2]; xb, idx = ds[[4, 0]]
    >>> len(ds), tuple(x.shape), i, tuple(xb.shape), idx.tolist()
    (5, (3, 8), 2, (2, 3, 8), [4, 0])
    """

    def __init__(
        self,
        path: str | os.PathLike,
        indices: Sequence[int] | np.ndarray | None = None,
        transform: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> None:
        self.path = Path(path)
        self.reader = StoreReader(self.path)
        n, t, c = self.reader.shape
        if indices is not None:
            indices = np.asarray(indices, dtype=np.int64).ravel()
            if indices.size and (indices.min() < 0 or indices.max() >= n):
                raise ValueError(f"indices out of range for a store of {n} windows")
        self.indices = indices
        self.transform = transform
        self.n_timepoints, self.n_channels = t, c
        self.chunk_size = self.reader.chunk_size

    def __len__(self) -> int:
        return len(self.reader) if self.indices is None else int(self.indices.size)

    @property
    def shape(self) -> tuple[int, int, int]:
        """Torch-layout shape ``(N, C, L)`` of the whole dataset."""
        return (len(self), self.n_channels, self.n_timepoints)

    def _read(self, positions: np.ndarray) -> np.ndarray:
        rows = positions if self.indices is None else self.indices[positions]
        if rows.size and rows[0] >= 0 and np.array_equal(rows, np.arange(rows[0], rows[0] + rows.size)):
            X = self.reader.read(int(rows[0]), int(rows[0]) + rows.size)
        else:
            X = self.reader.read_indices(rows)
        if self.transform is not None:
            X = self.transform(X)
        return np.asarray(X, dtype=np.float32)

    def read_batch(self, positions: Sequence[int] | np.ndarray) -> torch.Tensor:
        """Windows at ``positions`` as a float32 tensor of shape (B, C, L)."""
        pos = np.asarray(positions, dtype=np.int64).ravel()
        n = len(self)
        if pos.size and (pos.min() < -n or pos.max() >= n):
            raise IndexError(f"positions out of range for a dataset of {n} windows")
        pos = np.where(pos < 0, pos + n, pos)
        return to_channels_first(self._read(pos))  # (B, T, C) -> (B, C, L)

    def __getitem__(self, item: Any) -> tuple[torch.Tensor, Any]:
        if isinstance(item, (int, np.integer)):
            xb = self.read_batch([int(item)])
            return xb[0], int(item) % len(self)
        if isinstance(item, torch.Tensor):
            item = item.numpy()
        pos = np.asarray(item, dtype=np.int64).ravel()
        xb = self.read_batch(pos)
        n = len(self)
        return xb, torch.from_numpy(np.where(pos < 0, pos + n, pos))

    def labels(self) -> np.ndarray | None:
        """Store labels of the dataset's rows (int64, shape (N,)) or None when unlabelled."""
        return self.reader.labels(self.indices)

    def origins(self) -> np.ndarray:
        """``(recording, start)`` of the dataset's rows, shape (N, 2)."""
        return self.reader.origins(self.indices)


class RandomBatchSampler:
    """Batches of a global random permutation per epoch, as :func:`tsclust.training.train` draws them.

    One ``torch.Generator`` seeded with ``seed`` draws ``randperm(n)`` at every iteration,
    so iterating ``epochs`` times gives exactly the batches of ``train`` on a tensor.

    Parameters
    ----------
    n : int
    batch_size : int
    seed : int, default=0
    """

    def __init__(self, n: int, batch_size: int, seed: int = 0) -> None:
        self.n, self.batch_size, self.seed = int(n), int(batch_size), int(seed)
        self._gen = torch_generator(self.seed)

    def set_epoch(self, epoch: int) -> None:
        """No-op (the generator advances by itself); present for the sampler protocol."""

    def __len__(self) -> int:
        return math.ceil(self.n / self.batch_size)

    def __iter__(self) -> Iterator[torch.Tensor]:
        perm = torch.randperm(self.n, generator=self._gen)
        for start in range(0, self.n, self.batch_size):
            yield perm[start : start + self.batch_size]


class ChunkBatchSampler:
    """Seeded chunk-aware batches: shuffle chunks, then rows within a window of chunks.

    The rows of this rank's shard are grouped by chunk (``chunk_size`` consecutive
    positions); each epoch the chunk order is shuffled, consecutive groups of ``window``
    chunks are pooled and their rows shuffled, and the pooled rows are cut into batches.
    A batch therefore touches at most about ``window + 1`` chunks. With ``world_size > 1``
    every rank draws from its own contiguous shard (:func:`shard_bounds`), disjoint from
    the others; shorter shards are padded with repeats of their own rows so that every rank
    runs the same number of steps (needed by ``DistributedDataParallel``).

    Parameters
    ----------
    n : int
        Rows of the dataset.
    batch_size : int
        Rows per batch (per rank).
    chunk_size : int, default=256
        Rows per storage chunk.
    seed : int, default=0
        The order of epoch ``e`` depends only on ``(seed, e)``; the same on every rank.
    window : int, default=8
        Chunks pooled before shuffling rows.
    rank, world_size : int, default=0, 1
        This process and the number of processes.
    drop_last : bool, default=False
        Drop the last incomplete batch.

    Examples
    --------
    >>> s = ChunkBatchSampler(10, 4, chunk_size=3, seed=0)
    >>> sorted(int(i) for b in s for i in b)
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    >>> [len(ChunkBatchSampler(11, 2, rank=r, world_size=2).positions(0)) for r in (0, 1)]
    [6, 6]
    """

    def __init__(
        self,
        n: int,
        batch_size: int,
        *,
        chunk_size: int = 256,
        seed: int = 0,
        window: int = 8,
        rank: int = 0,
        world_size: int = 1,
        drop_last: bool = False,
    ) -> None:
        if int(n) < 1 or int(batch_size) < 1 or int(chunk_size) < 1 or int(window) < 1:
            raise ValueError("n, batch_size, chunk_size and window must be >= 1")
        self.n, self.batch_size = int(n), int(batch_size)
        self.chunk_size, self.window, self.seed = int(chunk_size), int(window), int(seed)
        self.rank, self.world_size, self.drop_last = int(rank), int(world_size), bool(drop_last)
        self.lo, self.hi = shard_bounds(self.n, self.rank, self.world_size)
        self.num_samples = math.ceil(self.n / self.world_size)
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Select the epoch whose order the next iteration yields."""
        self.epoch = int(epoch)

    def shard(self) -> np.ndarray:
        """This rank's rows, without padding, ascending."""
        return np.arange(self.lo, self.hi, dtype=np.int64)

    def positions(self, epoch: int) -> np.ndarray:
        """All positions of ``epoch`` in order (padded to ``num_samples``)."""
        g = np.random.default_rng([self.seed, int(epoch), 0x7C5])
        lo, hi = self.lo, self.hi
        starts = np.arange(lo - lo % self.chunk_size, hi, self.chunk_size)
        starts = starts[g.permutation(starts.size)]
        parts = []
        for w in range(0, starts.size, self.window):
            rows = np.concatenate(
                [np.arange(max(s, lo), min(s + self.chunk_size, hi)) for s in starts[w : w + self.window]]
            )
            parts.append(rows[g.permutation(rows.size)])
        order = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
        if order.size < self.num_samples:  # pad with own rows so every rank steps alike
            order = np.concatenate([order, np.resize(order, self.num_samples - order.size)])
        return order.astype(np.int64)

    def __len__(self) -> int:
        if self.drop_last:
            return self.num_samples // self.batch_size
        return math.ceil(self.num_samples / self.batch_size)

    def __iter__(self) -> Iterator[torch.Tensor]:
        order = torch.from_numpy(self.positions(self.epoch))
        for b in range(len(self)):
            yield order[b * self.batch_size : (b + 1) * self.batch_size]


def streaming_channel_stats(
    path: str | os.PathLike, *, indices: Sequence[int] | np.ndarray | None = None, rows: int | None = None
) -> dict[str, Any]:
    """Per-channel count, mean, std, min and max of a store, computed chunk by chunk.

    Partial results are merged with Chan et al.'s parallel update (float64), so memory is
    one block of ``rows`` windows whatever the store size.

    Parameters
    ----------
    path : path-like
        Window store.
    indices : array-like of int or None, default=None
        Restrict to these rows.
    rows : int or None, default=None
        Windows read per block (default: 16 chunks).

    Returns
    -------
    dict
        ``count`` (values per channel), ``mean``, ``std`` (population), ``min``, ``max``:
        ndarrays of shape (n_channels,), float64.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from tsclust.io import write_windows
    >>> from tsclust.preprocessing import Windows
    >>> path = os.path.join(tempfile.mkdtemp(), "w.h5")
    >>> X = np.random.RandomState(0).randn(50, 8, 2).astype("float32")
    >>> _ = write_windows(path, Windows(X), chunk_size=7)
    >>> s = streaming_channel_stats(path)
    >>> bool(np.allclose(s["mean"], X.mean(axis=(0, 1))) and np.allclose(s["std"], X.std(axis=(0, 1))))
    True
    """
    ds = StoreDataset(path, indices=indices)
    reader = ds.reader
    n = len(ds)
    C = ds.n_channels
    block = int(rows) if rows is not None else 16 * reader.chunk_size
    count = 0
    mean = np.zeros(C)
    m2 = np.zeros(C)
    lo_v, hi_v = np.full(C, np.inf), np.full(C, -np.inf)
    for start in range(0, n, block):
        if indices is None:
            X = reader.read(start, min(start + block, n))
        else:
            X = reader.read_indices(ds.indices[start : start + block])
        x = X.reshape(-1, C).astype(np.float64)
        if not np.isfinite(x).all():
            raise ValueError(f"{path} contains NaN or inf in windows {start}..{start + len(X) - 1}")
        k = x.shape[0]
        b_mean = x.mean(axis=0)
        b_m2 = ((x - b_mean) ** 2).sum(axis=0)
        delta = b_mean - mean
        total = count + k
        mean = mean + delta * (k / total)
        m2 = m2 + b_m2 + delta**2 * (count * k / total)
        count = total
        lo_v, hi_v = np.minimum(lo_v, x.min(axis=0)), np.maximum(hi_v, x.max(axis=0))
    reader.close()
    if count == 0:
        raise ValueError(f"{path} has no windows")
    return {"count": count, "mean": mean, "std": np.sqrt(m2 / count), "min": lo_v, "max": hi_v}


def scaler_from_stats(kind: str | None, stats: dict[str, Any]) -> Any:
    """A fitted scaler built from :func:`streaming_channel_stats` without reading data again.

    Parameters
    ----------
    kind : {"standard", "minmax", None}
        :class:`~tsclust.preprocessing.ChannelStandardScaler` (default parameters) or
        :class:`~tsclust.preprocessing.MinMaxScaler` (range (0, 1)); None returns None.
    stats : dict
        Output of :func:`streaming_channel_stats`.
    """
    from .preprocessing import ChannelStandardScaler, MinMaxScaler

    if kind is None:
        return None
    C = len(stats["mean"])
    if kind == "standard":
        s = ChannelStandardScaler()
        s.mean_ = np.asarray(stats["mean"], dtype=np.float64)
        std = np.asarray(stats["std"], dtype=np.float64)
        s.scale_ = np.where(std < s.eps, 1.0, std)
        s.n_channels_ = C
        return s
    if kind == "minmax":
        s = MinMaxScaler()
        lo, hi = (float(v) for v in s.feature_range)
        s.data_min_ = np.asarray(stats["min"], dtype=np.float64)
        s.data_max_ = np.asarray(stats["max"], dtype=np.float64)
        rng = s.data_max_ - s.data_min_
        rng = np.where(rng < s.eps, 1.0, rng)
        s.scale_ = (hi - lo) / rng
        s.min_ = lo - s.data_min_ * s.scale_
        s.n_channels_ = C
        return s
    raise ValueError(f"unknown scaling {kind!r}; valid values are ['standard', 'minmax', None]")


class _ScaleTransform:
    """Picklable ``X -> scaler.transform(X)`` as float32 (for :class:`StoreDataset`)."""

    def __init__(self, scaler: Any) -> None:
        self.scaler = scaler

    def __call__(self, X: np.ndarray) -> np.ndarray:
        return self.scaler.transform(X).astype(np.float32)


def prepare_store(
    path: str | os.PathLike, scaling: str | None = None, scaler: Any = None
) -> tuple[StoreDataset, Any, tuple[int, int, int]]:
    """Dataset for an estimator: optionally fit a scaler from streaming statistics.

    Parameters
    ----------
    path : path-like
        Window store.
    scaling : {"standard", "minmax", None}, default=None
        Fit this scaler from :func:`streaming_channel_stats` (ignored when ``scaler`` given).
    scaler : fitted scaler or None
        Apply this already fitted scaler (``predict``/``transform`` after ``fit``).

    Returns
    -------
    dataset : StoreDataset
        Yields scaled windows ``(C, L)``.
    scaler : fitted scaler or None
    shape : tuple (n_samples, n_timepoints, n_channels)
    """
    if scaler is None and scaling is not None:
        scaler = scaler_from_stats(scaling, streaming_channel_stats(path))
    ds = StoreDataset(path, transform=None if scaler is None else _ScaleTransform(scaler))
    return ds, scaler, (len(ds), ds.n_timepoints, ds.n_channels)
