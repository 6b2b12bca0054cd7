"""The HDF5 basics every file kind shares: formats, damage checks, opening, JSON attributes."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import h5py
import numpy as np

MODEL_FORMAT = "tsclust-model/2"  # 2: input_shape, feature stages as submodules
STORE_FORMAT = "tsclust-windows/1"


class DamagedFileError(ValueError, OSError):
    """An HDF5 file whose data cannot be read back, or a model file with non-finite weights.

    Raised for a failed checksum or decompression, naming the file and the dataset. A
    ValueError (the command line reports it as a user error, exit status 2) and an OSError
    (what h5py raises for the failed read it replaces).
    """


def _verify_hint(path: str | os.PathLike) -> str:
    return f"the file is damaged (check it with `tsclust info --verify {path}`)"


def _dataset_label(ds: h5py.Dataset) -> str:
    """``/name`` of a dataset, with the array key of a model file: ``/arrays/a00001 (key)``."""
    key = None
    with contextlib.suppress(Exception):  # the header may be damaged too
        key = ds.attrs.get("key")
    return f"{ds.name} ({key})" if key is not None else str(ds.name)


def _read(ds: h5py.Dataset, sel: Any = ()) -> np.ndarray:
    """``ds[sel]``, naming the file and the dataset when the read fails.

    A bad checksum or a corrupt compressed chunk (h5py's OSError) raises
    :class:`DamagedFileError`.
    """
    try:
        return ds[sel]
    except OSError as exc:
        path = ds.file.filename
        msg = " ".join(str(exc).split())
        raise DamagedFileError(
            f"{path}: cannot read dataset {_dataset_label(ds)} ({msg}); {_verify_hint(path)}"
        ) from exc


def _checked(shape: tuple[int, ...]) -> dict[str, Any]:
    """Dataset options that give a dataset of ``shape`` a fletcher32 checksum per chunk.

    HDF5 filters need chunked storage, which scalar datasets cannot have: they get none.
    """
    return {"chunks": True, "fletcher32": True} if len(shape) else {}


def _count_nonfinite(value: Any) -> int:
    """Number of NaN or infinite values of a floating (or complex) array; 0 for other dtypes."""
    a = np.asarray(value)
    return int(a.size - np.count_nonzero(np.isfinite(a))) if a.dtype.kind in "fc" else 0


def _nonfinite(arrays: dict[str, Any]) -> str | None:
    """``"N NaN/inf values in a, b, ..."`` over the floating arrays of ``arrays``; None if all finite."""
    bad = {key: n for key, value in arrays.items() if (n := _count_nonfinite(value))}
    if not bad:
        return None
    names = list(bad)
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"{sum(bad.values())} NaN/inf values in {shown}"




def check_file(path: str | os.PathLike, what: str) -> Path:
    """``path`` as a Path; FileNotFoundError naming ``what`` if it is missing, ValueError if it
    is not a file."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{what} {path} not found")
    if not path.is_file():
        raise ValueError(f"{path} is not a file")
    return path


@contextlib.contextmanager
def _open_h5(path: str | os.PathLike, what: str, fmt: str | tuple[str, ...],
             key: str | None = None) -> Iterator[h5py.File]:
    """Open a tsclust HDF5 file of format ``fmt`` (or of one of several) for reading.

    ``what`` names the kind of file in the errors.
    """
    path = check_file(path, what)
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise ValueError(f"{path} is not an HDF5 {what}: {exc}") from None
    with f:
        found = f.attrs.get("format")
        fmts = (fmt,) if isinstance(fmt, str) else fmt
        if found not in fmts or (key is not None and key not in f):
            older = " (written by an older tsclust: fit the model again)" if (
                found == "tsclust-model/1") else ""
            raise ValueError(f"{path} is not a tsclust {what} (format {found!r}){older}")
        yield f


_COMPRESSIONS = ("gzip", "lzf", None)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, (Path, tuple, set)):
        return str(obj) if isinstance(obj, Path) else list(obj)
    raise TypeError(f"{type(obj).__name__} is not JSON-serialisable")


def _dumps(obj: Any, what: str) -> str:
    try:
        return json.dumps(obj, default=_json_default)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be JSON-serialisable: {exc}") from None


# --------------------------------------------------------------------------- lazy reader
