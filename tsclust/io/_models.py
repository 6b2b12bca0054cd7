"""Model files: arrays and JSON metadata of fitted estimators, no pickle."""

from __future__ import annotations

import contextlib
import json
import os
from typing import TYPE_CHECKING, Any

import h5py
import numpy as np

if TYPE_CHECKING:  # imported where used: scikit-learn stays out of `tsclust info`
    pass
from ._atomic import atomic_h5
from ._h5 import (
    MODEL_FORMAT,
    DamagedFileError,
    _checked,
    _nonfinite,
    _open_h5,
    _read,
    _verify_hint,
)


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

    Raises
    ------
    ValueError
        A floating array holds NaN or infinite values (a diverged fit); nothing is written.
    """
    bad = _nonfinite(arrays)
    if bad is not None:
        raise ValueError(f"model weights are not finite ({bad}): the fit diverged; lower lr")
    with atomic_h5(path, overwrite=overwrite) as f:
        f.attrs["format"] = MODEL_FORMAT
        f.attrs["meta"] = json.dumps(meta)
        grp = f.create_group("arrays")
        for i, (key, value) in enumerate(arrays.items()):
            data = np.asarray(value)
            ds = grp.create_dataset(f"a{i:05d}", data=data, **_checked(data.shape))
            ds.attrs["key"] = key


def _open_model(path: str | os.PathLike) -> contextlib.AbstractContextManager[h5py.File]:
    """Open a model file for reading, checking that it is one."""
    return _open_h5(path, "model file", MODEL_FORMAT)


def model_class(path: str | os.PathLike) -> str:
    """The estimator class name stored in a model file (without reading its arrays)."""
    with _open_model(path) as f:
        return str(json.loads(f.attrs["meta"]).get("class"))


def check_model_structure(f: h5py.File, path: str | os.PathLike) -> None:
    """DamagedFileError unless the open model file has its ``meta`` and ``arrays``."""
    missing = [name for name in ("meta",) if name not in f.attrs]
    missing += [name for name in ("arrays",) if name not in f]
    if not missing and not isinstance(f["arrays"], h5py.Group):
        missing = ["arrays group"]
    if missing:
        raise DamagedFileError(f"{path}: the model file has no {' or '.join(missing)} "
                               f"({_verify_hint(path)}, or fit the model again)")
    unnamed = [name for name, ds in f["arrays"].items() if "key" not in ds.attrs]
    if unnamed:
        raise DamagedFileError(f"{path}: model arrays without a key: {unnamed[:3]}")


def load_model(path: str | os.PathLike) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Read a file written by :func:`save_model`; no pickle is involved.

    Returns
    -------
    arrays : dict of str to ndarray
    meta : dict

    Raises
    ------
    DamagedFileError
        The ``arrays`` group or the ``meta`` attribute is missing, a dataset fails to read
        (checksum, decompression), or a floating array holds NaN or infinite values.
    """
    with _open_model(path) as f:
        check_model_structure(f, path)
        meta = json.loads(f.attrs["meta"])
        arrays = {ds.attrs["key"]: _read(ds) for ds in f["arrays"].values()}
    bad = _nonfinite(arrays)
    if bad is not None:
        raise DamagedFileError(
            f"{path}: model weights are not finite ({bad}): {_verify_hint(path)}, or it was "
            "saved from a diverged fit"
        )
    return arrays, meta


def state_arrays(module: Any, prefix: str = "module/") -> dict[str, np.ndarray]:
    """A torch module's ``state_dict`` as CPU numpy arrays keyed ``prefix + name``."""
    return {prefix + k: v.detach().cpu().numpy() for k, v in module.state_dict().items()}


def load_state_arrays(module: Any, arrays: dict[str, np.ndarray], prefix: str = "module/") -> Any:
    """Load the arrays written by :func:`state_arrays` into ``module`` (strict); returns it."""
    import torch  # only model files with torch modules need it

    state = {
        k[len(prefix) :]: torch.from_numpy(np.array(v))
        for k, v in arrays.items()
        if k.startswith(prefix)
    }
    module.load_state_dict(state, strict=True)
    return module


def saved_params(est: Any) -> dict[str, Any]:
    """``est.get_params()`` as JSON types; ``random_state`` only if None or an int (else None)."""
    from .._validation import jsonable

    params = est.get_params()
    if not (params["random_state"] is None or isinstance(params["random_state"], int)):
        params["random_state"] = None
    return jsonable(params)


def read_model_file(cls: type, path: str | os.PathLike) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The arrays and metadata of a model file, checking that it holds a ``cls``."""
    arrays, meta = load_model(path)
    if meta.get("class") != cls.__name__:
        raise ValueError(f"{path} holds a {meta.get('class')!r}, not a {cls.__name__}")
    return arrays, meta


# --------------------------------------------------------------------------- window stores
#
# Layout of a window store (format "tsclust-windows/1"):
#   every dataset chunked with a fletcher32 checksum per chunk (older files: none)
#   /X                  (n, size, C) float32, chunked along n, compressed, resizable
#   /y                  (n,) int64 (absent when the windows are unlabelled)
#   /origins            (n, 2) int64: (recording index, start sample)
#   /subject            (n,) int64, -1 where unknown
#   /recordings/names   (k,) str;  /recordings/lengths (k,) int64
#   attrs: format, size, step, channels (JSON), sampling_rate, labels_mode ("none" if None),
#          source, n_windows, attrs (JSON: user provenance, incl. "scaler")
