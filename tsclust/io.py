"""HDF5 files: window stores and model files. The only module that imports h5py.

Every write goes to a temporary file in the destination folder and is renamed
into place when complete, so an interrupted write never leaves a half file
under the final name, and an existing file is kept unless ``overwrite=True``.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import h5py
import numpy as np

__all__ = ["atomic_h5", "save_model", "load_model", "MODEL_FORMAT"]

MODEL_FORMAT = "tsclust-model/1"


@contextlib.contextmanager
def atomic_h5(path: str | os.PathLike, *, overwrite: bool = False) -> Iterator[h5py.File]:
    """Open a temporary HDF5 file that replaces ``path`` only if the block succeeds.

    Parameters
    ----------
    path : path-like
        Final file name.
    overwrite : bool, default=False
        Replace an existing file. Without it an existing ``path`` raises FileExistsError
        before anything is written.

    Yields
    ------
    h5py.File
        Open for writing; closed and renamed to ``path`` on success, deleted on error.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True (CLI: --overwrite) to replace it")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise FileNotFoundError(f"folder {parent} does not exist (writing {path})")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    os.close(fd)
    try:
        with h5py.File(tmp, "w") as f:
            yield f
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def save_model(
    path: str | os.PathLike,
    arrays: dict[str, np.ndarray],
    meta: dict[str, Any],
    *,
    overwrite: bool = False,
) -> None:
    """Write a model file: named arrays (weights, centroids, scaler) plus JSON metadata.

    Parameters
    ----------
    path : path-like
        Destination ``.h5`` file (written atomically).
    arrays : dict of str to ndarray
        Flat mapping; names may contain ``/`` or ``.`` (e.g. torch state-dict keys).
    meta : dict
        JSON-serialisable description (class name, hyper-parameters, shapes).
    overwrite : bool, default=False
        Replace an existing file.
    """
    with atomic_h5(path, overwrite=overwrite) as f:
        f.attrs["format"] = MODEL_FORMAT
        f.attrs["meta"] = json.dumps(meta)
        grp = f.create_group("arrays")
        for i, (key, value) in enumerate(arrays.items()):
            ds = grp.create_dataset(f"a{i:05d}", data=np.asarray(value))
            ds.attrs["key"] = key


def load_model(path: str | os.PathLike) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Read a file written by :func:`save_model`; no pickle is involved.

    Returns
    -------
    arrays : dict of str to ndarray
    meta : dict
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"model file {path} not found")
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise ValueError(f"{path} is not an HDF5 model file: {exc}") from exc
    with f:
        if f.attrs.get("format") != MODEL_FORMAT:
            raise ValueError(f"{path} is not a tsclust model file (format {f.attrs.get('format')!r})")
        meta = json.loads(f.attrs["meta"])
        arrays = {ds.attrs["key"]: ds[()] for ds in f["arrays"].values()}
    return arrays, meta
