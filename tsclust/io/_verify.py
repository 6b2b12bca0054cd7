"""Verification of a whole file: its structure as the readers check it, then every chunk."""

from __future__ import annotations

import os
from typing import Any

import h5py
import numpy as np

from ._h5 import (
    MODEL_FORMAT,
    STORE_FORMAT,
    DamagedFileError,
    _count_nonfinite,
    _dataset_label,
    _open_h5,
    _read,
)
from ._models import check_model_structure
from ._stores import describe_store

__all__ = ["verify_file"]


def verify_file(path: str | os.PathLike) -> dict[str, Any]:
    """Read every chunk of every dataset of a window store or a model file.

    Reading a chunk checks its fletcher32 checksum (where the file has them) and its
    decompression; the floating arrays of a model file must also be finite. Memory stays
    at one chunk (datasets without chunks, small in files written by tsclust, are read
    whole).

    Parameters
    ----------
    path : path-like
        A window store or a model file.

    Returns
    -------
    dict
        ``path``, ``format``, ``datasets`` (number read), ``checksummed`` (how many of them
        carry a fletcher32 checksum: fewer in files written by older versions, whose damage
        in uncompressed data cannot be detected), ``bytes`` (of data read).

    Raises
    ------
    FileNotFoundError
        Missing file.
    ValueError
        Not a tsclust window store or model file.
    DamagedFileError
        A part the readers need is missing (what :func:`store_info` and
        :func:`~tsclust.io.load_model` check), or the first dataset that fails to read (or holds non-finite model weights), named with
        the file in the message.
    """
    with _open_h5(path, "store or model file", (STORE_FORMAT, MODEL_FORMAT)) as f:
        fmt = str(f.attrs["format"])
        # what the readers need is there: the same checks as theirs
        (check_model_structure if fmt == MODEL_FORMAT else describe_store)(f, path)
        datasets: list[h5py.Dataset] = []
        f.visititems(lambda _, obj: datasets.append(obj) if isinstance(obj, h5py.Dataset) else None)
        n_bytes, checksummed = 0, 0
        for ds in datasets:
            checksummed += bool(ds.fletcher32)
            if ds.chunks is None or ds.size == 0:
                parts = [_read(ds)]
            else:
                parts = (_read(ds, sel) for sel in ds.iter_chunks())
            for part in parts:
                n_bytes += np.asarray(part).nbytes
                if fmt == MODEL_FORMAT and (n := _count_nonfinite(part)):
                    raise DamagedFileError(
                        f"{path}: dataset {_dataset_label(ds)} holds {n} NaN/inf model weights; "
                        "the file is damaged or was saved from a diverged fit"
                    )
    return {"path": str(path), "format": fmt, "datasets": len(datasets),
            "checksummed": checksummed, "bytes": n_bytes}
