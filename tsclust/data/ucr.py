"""Reader for the UCR Time Series Archive ``.tsv`` files."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from ._text import decompress, parse_table

__all__ = ["read_ucr"]

_SPLITS = ("TRAIN", "TEST", "both")


def _find_split(folder: Path, split: str) -> Path:
    found = sorted(
        p for p in folder.iterdir() if p.name.endswith((f"_{split}.tsv", f"_{split}.tsv.gz"))
    )
    if not found:
        raise FileNotFoundError(f"no *_{split}.tsv[.gz] file in {folder}")
    if len(found) > 1 and not (len(found) == 2 and found[0].name + ".gz" == found[1].name):
        raise ValueError(f"several *_{split}.tsv files in {folder}: {[p.name for p in found]}")
    return found[0]


def _read_one(path: Path) -> tuple[np.ndarray, np.ndarray]:
    table = parse_table(decompress(path.read_bytes(), path.name), str(path), delimiter="\t")
    if table.shape[1] < 2:
        raise ValueError(f"{path} needs a label column and at least one time point")
    y, X = table[:, 0], table[:, 1:]
    if not np.isfinite(y).all():
        raise ValueError(f"{path}: label column (column 0) contains NaN or inf")
    if not np.isfinite(X).all():
        row = int(np.argwhere(~np.isfinite(X))[0, 0])
        raise ValueError(
            f"{path}: NaN or inf in series on line {row + 1} (variable-length or missing "
            "values are not supported; use the archive's interpolated version)"
        )
    y = y.astype(np.int64) if np.all(y == np.round(y)) else y
    return X.astype(np.float32)[:, :, None], y


def read_ucr(
    path_or_folder: str | os.PathLike, split: str = "TRAIN"
) -> tuple[np.ndarray, np.ndarray]:
    """Read a UCR archive problem (tab-separated, column 0 = class label).

    Parameters
    ----------
    path_or_folder : path-like
        A ``<Name>_TRAIN.tsv``/``_TEST.tsv`` file (optionally ``.gz``), read as it is whatever
        ``split`` says, or the problem's folder, where ``split`` picks the file.
    split : {"TRAIN", "TEST", "both"}, default="TRAIN"
        ``"both"`` concatenates TRAIN then TEST (with a file, its sibling split is found
        next to it).

    Returns
    -------
    X : ndarray of shape (n_series, n_timepoints, 1), float32
    y : ndarray of shape (n_series,)
        int64 when every label is integral (the usual case), else float64.

    Raises
    ------
    FileNotFoundError
        Missing file or split.
    ValueError
        Unknown split, non-numeric content, NaN/inf, TRAIN and TEST of different lengths.
    """
    if split not in _SPLITS:
        raise ValueError(f"split must be one of {_SPLITS}, got {split!r}")
    p = Path(path_or_folder)
    if not p.exists():
        raise FileNotFoundError(f"UCR file or folder {p} not found")
    if p.is_dir():
        if split == "both":
            paths = [_find_split(p, "TRAIN"), _find_split(p, "TEST")]
        else:
            paths = [_find_split(p, split)]
    elif split == "both":
        m = re.match(r"(.*)_(TRAIN|TEST)\.tsv(\.gz)?$", p.name)
        if m is None:
            raise ValueError(f"split='both' needs a <Name>_TRAIN.tsv or _TEST.tsv file, got {p}")
        paths = []
        for part in ("TRAIN", "TEST"):
            cands = [p.with_name(f"{m.group(1)}_{part}.tsv{ext}") for ext in ("", ".gz")]
            found = [q for q in cands if q.is_file()]
            if not found:
                raise FileNotFoundError(f"split='both' needs {cands[0]}[.gz], which is missing")
            paths.append(found[0])
    else:
        paths = [p]
    parts = [_read_one(q) for q in paths]
    lengths = {X.shape[1] for X, _ in parts}
    if len(lengths) > 1:
        raise ValueError(f"TRAIN and TEST series have different lengths {sorted(lengths)}")
    X = np.concatenate([X for X, _ in parts])
    y = np.concatenate([y for _, y in parts])
    return X, y
