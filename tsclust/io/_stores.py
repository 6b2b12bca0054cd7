"""Window stores: windows, labels and origins written in chunks, read in slices or streamed."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import h5py
import numpy as np

if TYPE_CHECKING:  # imported where used: scikit-learn stays out of `tsclust info`
    from ..preprocessing.windows import Windows
from ._atomic import atomic_h5
from ._h5 import (
    _COMPRESSIONS,
    STORE_FORMAT,
    DamagedFileError,
    _checked,
    _dumps,
    _open_h5,
    _read,
    _verify_hint,
)


def _scaler_description(scaler: Any) -> Any:
    if scaler is None or isinstance(scaler, dict):
        return scaler
    from ..preprocessing.scalers import scaler_to_dict

    return scaler_to_dict(scaler)


class WindowStoreWriter:
    """Stream windows into an HDF5 window store, one batch at a time.

    The file is written to a temporary name and renamed to ``path`` when the ``with`` block
    ends without error; on error nothing is left behind. Windows of successive
    :meth:`append` calls are concatenated, and their recording indices are offset so that
    ``origins[:, 0]`` indexes the store's list of recordings.

    Parameters
    ----------
    path : path-like
        Destination ``.h5`` file.
    attrs : dict, optional
        JSON-serialisable provenance, merged over the first batch's ``Windows.attrs``.
    scaler : fitted scaler or dict, optional
        Description of a scaling already applied to ``X`` (kept as ``attrs["scaler"]``).
    overwrite : bool, default=False
        Replace an existing file (otherwise FileExistsError on entering the block).
    chunk_size : int, default=256
        Windows per HDF5 chunk.
    compression : {"gzip", "lzf", None}, default="gzip"

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from tsclust.preprocessing import Windows
    >>> path = os.path.join(tempfile.mkdtemp(), "w.h5")
    >>> with WindowStoreWriter(path) as w:
    ...     w.append(Windows(np.zeros((3, 8, 2)), y=[1, 1, 2]))
    ...     w.append(Windows(np.ones((2, 8, 2)), y=[2, 3]))
    >>> store_info(path)["n_windows"], read_windows(path, start=3).origins.tolist()
    (5, [[3, 0], [4, 0]])
    """

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        attrs: dict | None = None,
        scaler: Any = None,
        overwrite: bool = False,
        chunk_size: int = 256,
        compression: str | None = "gzip",
    ):
        if compression not in _COMPRESSIONS:
            raise ValueError(f"compression must be one of {_COMPRESSIONS}, got {compression!r}")
        if int(chunk_size) < 1:
            raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
        self.path = Path(path)
        self.overwrite = overwrite
        self.chunk_size = int(chunk_size)
        self.compression = compression
        self._attrs = dict(attrs or {})
        if scaler is not None:
            self._attrs["scaler"] = _scaler_description(scaler)
        _dumps(self._attrs, "attrs")
        self._file: h5py.File | None = None
        self._stack: contextlib.ExitStack | None = None
        self._first: Windows | None = None
        self._names: list[str] = []
        self._lengths: list[int] = []
        self.n_windows = 0
        self.class_counts: dict[Any, int] = {}

    def __enter__(self) -> WindowStoreWriter:
        self._stack = contextlib.ExitStack()
        self._file = self._stack.enter_context(atomic_h5(self.path, overwrite=self.overwrite))
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        assert self._stack is not None
        stack, self._stack = self._stack, None
        if exc_type is None:
            try:
                self._finalize()
            except BaseException:
                if not stack.__exit__(*sys.exc_info()):
                    raise
                return False
        self._file = None
        return bool(stack.__exit__(exc_type, exc, tb))

    def _create(self, w: Windows) -> None:
        f = self._file
        C = w.n_channels
        rows = max(1, min(self.chunk_size, 2**20 // (4 * w.size * C)))  # chunks <= 1 MiB
        chunks = (rows, w.size, C)
        opts = {"compression": self.compression}
        if self.compression == "gzip":
            opts["compression_opts"] = 4
        f.create_dataset(
            "X",
            shape=(0, w.size, C),
            maxshape=(None, w.size, C),
            dtype="float32",
            chunks=chunks,
            shuffle=self.compression is not None,
            fletcher32=True,
            **opts,
        )
        if w.y is not None:
            f.create_dataset("y", shape=(0,), maxshape=(None,), dtype=w.y.dtype, chunks=(4096,),
                             fletcher32=True)
        f.create_dataset(
            "origins", shape=(0, 2), maxshape=(None, 2), dtype="int64", chunks=(4096, 2),
            fletcher32=True,
        )
        f.create_dataset("subject", shape=(0,), maxshape=(None,), dtype="int64", chunks=(4096,),
                         fletcher32=True)

    def append(self, windows: Windows) -> None:
        """Add ``windows`` (and their recordings) to the store."""
        if self._file is None:
            raise RuntimeError("WindowStoreWriter.append must be called inside its with-block")
        from ..preprocessing.windows import Windows, check_compatible

        if not isinstance(windows, Windows):
            raise TypeError(f"append expects a Windows object, got {type(windows).__name__}")
        if self._first is None:
            self._create(windows)
            self._first = windows[np.arange(0)]
        else:
            check_compatible(self._first, windows)
        f, n, k = self._file, self.n_windows, len(windows)
        origins = windows.origins + np.array([len(self._names), 0], dtype=np.int64)
        if k:
            for name, data in (
                ("X", windows.X),
                ("y", windows.y),
                ("origins", origins),
                ("subject", windows.subject),
            ):
                if data is None:
                    continue
                ds = f[name]
                ds.resize(n + k, axis=0)
                ds[n : n + k] = data
        for label, count in windows.class_counts().items():
            self.class_counts[label] = self.class_counts.get(label, 0) + count
        self._names.extend(windows.recording_names)
        self._lengths.extend(int(v) for v in windows.recording_lengths)
        self.n_windows = n + k

    def _finalize(self) -> None:
        first = self._first
        if first is None:
            raise ValueError(f"no windows were appended to {self.path}")
        f = self._file
        grp = f.create_group("recordings")
        # fixed-length UTF-8 bytes: variable-length strings cannot carry a checksum
        encoded = [name.encode("utf-8") for name in self._names]
        names = np.array(encoded, dtype=f"S{max([1, *map(len, encoded)])}")
        grp.create_dataset("names", data=names, **_checked(names.shape))
        lengths = np.asarray(self._lengths, dtype=np.int64)
        grp.create_dataset("lengths", data=lengths, **_checked(lengths.shape))
        attrs = {**first.attrs, **self._attrs}
        f.attrs["format"] = STORE_FORMAT
        f.attrs["size"] = int(first.size)
        f.attrs["step"] = int(first.step)
        f.attrs["channels"] = json.dumps(first.channels)
        f.attrs["sampling_rate"] = float(first.sampling_rate)
        f.attrs["labels_mode"] = first.labels_mode or "none"
        f.attrs["source"] = str(first.source)
        f.attrs["n_windows"] = int(self.n_windows)
        counts = sorted(self.class_counts.items())
        f.attrs["class_counts"] = _dumps([[k, v] for k, v in counts], "class counts")
        f.attrs["attrs"] = _dumps(attrs, "attrs")
        from .. import __version__

        f.attrs["tsclust_version"] = __version__


def write_windows(
    path: str | os.PathLike,
    windows: Windows,
    *,
    attrs: dict | None = None,
    scaler: Any = None,
    overwrite: bool = False,
    chunk_size: int = 256,
    compression: str | None = "gzip",
) -> Path:
    """Write ``windows`` to an HDF5 window store (atomically).

    Parameters
    ----------
    path : path-like
        Destination ``.h5`` file.
    windows : Windows
        ``X`` (n, size, C) float32 with labels, origins, subjects, channels and provenance.
    attrs : dict, optional
        Extra JSON-serialisable provenance.
    scaler : fitted scaler or dict, optional
        Description of a scaling already applied to ``windows.X``.
    overwrite : bool, default=False
    chunk_size : int, default=256
        Windows per HDF5 chunk.
    compression : {"gzip", "lzf", None}, default="gzip"

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    FileExistsError
        ``path`` exists and ``overwrite`` is False.
    FileNotFoundError
        The destination folder does not exist.
    """
    _write_all(path, [windows], attrs, scaler, overwrite, chunk_size, compression)
    return Path(path)


def write_windows_from_recordings(
    path: str | os.PathLike,
    recordings: Iterable[Any],
    windower: Any,
    *,
    attrs: dict | None = None,
    scaler: Any = None,
    overwrite: bool = False,
    chunk_size: int = 256,
    compression: str | None = "gzip",
) -> dict[str, Any]:
    """Window recordings one at a time and stream them into a store.

    Only one recording and its windows are in memory at a time, so this suits large
    datasets read lazily (e.g. :func:`tsclust.data.iter_hapt`).

    Parameters
    ----------
    path : path-like
    recordings : iterable of Recording
    windower : SlidingWindows
        Anything with ``transform(recording) -> Windows``.
    attrs, scaler, overwrite, chunk_size, compression
        As in :func:`write_windows`.

    Returns
    -------
    dict
        :func:`store_info` of the written store.
    """
    windows = (windower.transform(rec) for rec in recordings)
    _write_all(path, windows, attrs, scaler, overwrite, chunk_size, compression)
    return store_info(path)


def _write_all(
    path: str | os.PathLike,
    windows: Iterable[Any],
    attrs: dict | None,
    scaler: Any,
    overwrite: bool,
    chunk_size: int,
    compression: str | None,
) -> None:
    """Append every Windows of ``windows`` (read lazily, one at a time) to a new store."""
    with WindowStoreWriter(
        path,
        attrs=attrs,
        scaler=scaler,
        overwrite=overwrite,
        chunk_size=chunk_size,
        compression=compression,
    ) as w:
        for win in windows:
            w.append(win)


def _open_store(path: str | os.PathLike) -> contextlib.AbstractContextManager[h5py.File]:
    """Open a window store for reading, checking that it is one."""
    return _open_h5(path, "window store", STORE_FORMAT, key="X")


def _selection(n: int, start: int | None, stop: int | None, indices: Any) -> slice | np.ndarray:
    if indices is not None:
        if start is not None or stop is not None:
            raise ValueError("pass either indices or start/stop, not both")
        idx = np.asarray(indices)
        if idx.dtype == bool:
            if idx.shape != (n,):
                raise ValueError(f"a boolean mask must have shape ({n},), got {idx.shape}")
            return np.flatnonzero(idx)
        if idx.size and idx.dtype.kind not in "iu":
            raise ValueError(f"indices must be integers, got dtype {idx.dtype}")
        idx = idx.astype(np.int64).ravel()
        if idx.size and (idx.min() < -n or idx.max() >= n):
            raise ValueError(f"indices out of range for a store of {n} windows")
        return np.where(idx < 0, idx + n, idx)
    r = range(n)[slice(start, stop)]
    return slice(r.start, r.stop) if r.step == 1 and len(r) else slice(0, 0)


def _take(ds: h5py.Dataset, sel: slice | np.ndarray) -> np.ndarray:
    if isinstance(sel, slice):
        return _read(ds, sel)
    if sel.size == 0:
        return np.empty((0,) + ds.shape[1:], dtype=ds.dtype)
    uniq, inverse = np.unique(sel, return_inverse=True)
    lo, hi = int(uniq[0]), int(uniq[-1]) + 1
    if hi - lo <= 4 * len(uniq):  # dense: read the block, index in memory
        block = _read(ds, slice(lo, hi))
        return block[sel - lo]
    return _read(ds, uniq)[inverse]


def read_windows(
    path: str | os.PathLike,
    *,
    start: int | None = None,
    stop: int | None = None,
    indices: Sequence[int] | np.ndarray | None = None,
) -> Windows:
    """Read windows from a store, all or a part, without loading the rest.

    Parameters
    ----------
    path : path-like
    start, stop : int, optional
        Python slice bounds over the windows.
    indices : array-like of int or bool, optional
        Windows to read, in the given order (repeats allowed) or as a mask of length n.

    Returns
    -------
    Windows
        ``origins[:, 0]`` keeps indexing the store's full list of recordings.

    Raises
    ------
    FileNotFoundError
        Missing file.
    ValueError
        Not a window store, or bad ``indices``.
    DamagedFileError
        A part to read fails its checksum or decompression.
    """
    from ..preprocessing.windows import Windows

    with _open_store(path) as f:
        n = f["X"].shape[0]
        sel = _selection(n, start, stop, indices)
        attrs = json.loads(f.attrs["attrs"])
        mode = str(f.attrs["labels_mode"])
        return Windows(
            X=_take(f["X"], sel),
            y=_take(f["y"], sel) if "y" in f else None,
            origins=_take(f["origins"], sel),
            subject=_take(f["subject"], sel),
            channels=json.loads(f.attrs["channels"]),
            sampling_rate=float(f.attrs["sampling_rate"]),
            size=int(f.attrs["size"]),
            step=int(f.attrs["step"]),
            labels_mode=None if mode == "none" else mode,
            recording_names=[
                s.decode() if isinstance(s, bytes) else str(s)
                for s in _read(f["recordings/names"])
            ],
            recording_lengths=_read(f["recordings/lengths"]),
            source=str(f.attrs["source"]),
            attrs=attrs,
        )


def store_info(path: str | os.PathLike) -> dict[str, Any]:
    """Describe a window store from its metadata only (no window data is read).

    Returns
    -------
    dict
        ``path, format, n_windows, shape, dtype, size, step, channels, sampling_rate,
        labels_mode, labelled, source, n_recordings, class_counts (label -> number of
        windows, empty when unlabelled), compression, chunks, scaler, attrs,
        tsclust_version``.
    """
    with _open_store(path) as f:
        return describe_store(f, path)


def describe_store(f: h5py.File, path: str | os.PathLike) -> dict[str, Any]:
    """The :func:`store_info` dict of an open store; DamagedFileError names a missing part."""
    try:
        return _describe(f, path)
    except KeyError as exc:  # an attribute or dataset every store has
        raise DamagedFileError(f"{path}: the window store has no {exc} "
                               f"({_verify_hint(path)}, or write it again)") from None


def _describe(f: h5py.File, path: str | os.PathLike) -> dict[str, Any]:
    X = f["X"]
    attrs = json.loads(f.attrs["attrs"])
    mode = str(f.attrs["labels_mode"])
    return {
        "path": str(path),
        "format": STORE_FORMAT,
        "n_windows": int(X.shape[0]),
        "shape": tuple(int(v) for v in X.shape),
        "dtype": str(X.dtype),
        "size": int(f.attrs["size"]),
        "step": int(f.attrs["step"]),
        "channels": json.loads(f.attrs["channels"]),
        "sampling_rate": float(f.attrs["sampling_rate"]),
        "labels_mode": None if mode == "none" else mode,
        "labelled": "y" in f,
        "source": str(f.attrs["source"]),
        "n_recordings": int(f["recordings/names"].shape[0]),
        "class_counts": {k: v for k, v in json.loads(f.attrs.get("class_counts", "[]"))},
        "compression": X.compression,
        "chunks": X.chunks,
        "scaler": attrs.get("scaler"),
        "attrs": attrs,
        "tsclust_version": str(f.attrs.get("tsclust_version", "")),
    }


class StoreReader:
    """Read parts of a window store on demand, keeping the HDF5 file open between reads.

    The file is opened lazily on the first read, and again after being copied to another
    process (pickling drops the handle; a fork is detected by the process id), so a reader
    can be handed to DataLoader workers or ``torch.distributed`` ranks. Only the metadata
    is read when the reader is created. A read that fails its checksum or decompression
    raises :class:`DamagedFileError` naming the file and the dataset.

    Parameters
    ----------
    path : path-like
        A window store written by :class:`WindowStoreWriter`.
    cache_bytes : int, default=64 MiB
        HDF5 raw chunk cache of the open file: decompressed chunks are kept, so batches drawn
        from a window of a few chunks decompress each chunk once.

    Attributes
    ----------
    path : Path
    shape : tuple of int
        ``(n_windows, size, n_channels)`` of the store's ``X``.
    chunk_size : int
        Windows per HDF5 chunk (the unit of contiguous reads).
    labelled : bool
        Whether the store has labels ``y``.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from tsclust.preprocessing import Windows
    >>> path = os.path.join(tempfile.mkdtemp(), "w.h5")
    >>> _ = write_windows(path, Windows(np.arange(48.0).reshape(6, 4, 2), y=[0, 0, 1, 1, 2, 2]))
    >>> with StoreReader(path) as r:
    ...     len(r), r.read(1, 3).shape, r.read_indices([0, 5]).shape, r.labels([4, 5]).tolist()
    (6, (2, 4, 2), (2, 4, 2), [2, 2])
    """

    def __init__(self, path: str | os.PathLike, *, cache_bytes: int = 64 * 2**20) -> None:
        self.path = Path(path)
        self.cache_bytes = int(cache_bytes)
        with _open_store(self.path) as f:
            X = f["X"]
            self.shape: tuple[int, ...] = tuple(int(v) for v in X.shape)
            self.chunk_size = int(X.chunks[0]) if X.chunks else max(1, self.shape[0])
            self.labelled = "y" in f
        self._file: h5py.File | None = None
        self._pid: int | None = None

    def __len__(self) -> int:
        return self.shape[0]

    def __repr__(self) -> str:
        return f"StoreReader({str(self.path)!r}, shape={self.shape}, chunk_size={self.chunk_size})"

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_file"], state["_pid"] = None, None
        return state

    def __enter__(self) -> StoreReader:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:  # pragma: no cover - best effort at interpreter exit
        with contextlib.suppress(Exception):
            self.close()

    def close(self) -> None:
        """Close the file handle of this process (a later read reopens it)."""
        f, self._file = self._file, None
        if f is not None and self._pid == os.getpid():
            f.close()

    def _f(self) -> h5py.File:
        if self._file is None or self._pid != os.getpid():
            self._file = h5py.File(
                self.path, "r", rdcc_nbytes=self.cache_bytes, rdcc_nslots=10007
            )
            self._pid = os.getpid()
        return self._file

    def _rows(self, name: str, start: int, stop: int) -> np.ndarray:
        return _read(self._f()[name], slice(start, stop))

    def read(self, start: int, stop: int) -> np.ndarray:
        """Windows ``start:stop`` (a contiguous read), ndarray of shape (stop - start, size, C)."""
        return self._rows("X", int(start), int(stop))

    def _indices(self, name: str, indices: Any) -> np.ndarray:
        idx = np.asarray(indices, dtype=np.int64).ravel()
        ds = self._f()[name]
        if idx.size == 0:
            return np.empty((0,) + ds.shape[1:], dtype=ds.dtype)
        if idx.min() < 0 or idx.max() >= ds.shape[0]:
            raise ValueError(f"indices out of range for a store of {ds.shape[0]} windows")
        order = np.argsort(idx, kind="stable")
        srt = idx[order]
        out = np.empty((idx.size,) + ds.shape[1:], dtype=ds.dtype)
        # runs of sorted indices with gaps smaller than a chunk are read as one slice
        breaks = np.flatnonzero(np.diff(srt) > self.chunk_size) + 1
        for lo_i, hi_i in zip(np.r_[0, breaks], np.r_[breaks, srt.size], strict=True):
            lo, hi = int(srt[lo_i]), int(srt[hi_i - 1]) + 1
            block = _read(ds, slice(lo, hi))
            out[order[lo_i:hi_i]] = block[srt[lo_i:hi_i] - lo]
        return out

    def read_indices(self, indices: Sequence[int] | np.ndarray) -> np.ndarray:
        """Windows at ``indices`` (any order, repeats allowed), shape (len(indices), size, C).

        Indices are sorted and grouped into runs read as contiguous slices, so indices that
        fall in a few chunks cost a few chunk reads.
        """
        return self._indices("X", indices)

    def labels(self, indices: Sequence[int] | np.ndarray | None = None) -> np.ndarray | None:
        """Labels ``y`` (all, or at ``indices``), int64 ndarray; None for an unlabelled store."""
        if not self.labelled:
            return None
        if indices is None:
            return _read(self._f()["y"])
        return self._indices("y", indices)

    def origins(self, indices: Sequence[int] | np.ndarray | None = None) -> np.ndarray:
        """``(recording, start)`` of each window (all, or at ``indices``), shape (n, 2)."""
        if indices is None:
            return _read(self._f()["origins"])
        return self._indices("origins", indices)

    def info(self) -> dict[str, Any]:
        """:func:`store_info` of the store."""
        return store_info(self.path)
