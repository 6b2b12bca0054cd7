"""Reader for the UCR Time Series Archive ``.tsv`` files."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from ._text import decompress, parse_table

__all__ = ["read_ucr", "read_ucr_index", "UCR_INDEX"]

_SPLITS = ("TRAIN", "TEST", "both")

UCR_INDEX = "INDEX.tsv"
"""The optional table of problems at the top of a UCR archive folder."""

#: INDEX.tsv column (its name up to a parenthesis) -> key of a :func:`read_ucr_index` entry.
_INDEX_KEYS = {
    "dataset": "name",
    "n_train": "n_train",
    "n_test": "n_test",
    "length": "length",
    "n_classes": "n_classes",
}
_SIZES = ("n_train", "n_test", "length", "n_classes")


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
    try:
        table = parse_table(decompress(path.read_bytes(), path.name), str(path), delimiter="\t")
    except ValueError as exc:
        if "could not convert string" not in str(exc):
            raise
        raise ValueError(
            f"{exc}; a UCR file holds one series per line, its class label first, and no "
            "header. A tab-separated recording (a header of column names, one sample per "
            "line) is read with format='csv' (--format csv)"
        ) from None
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


def _index_value(key: str, cell: str) -> str | int:
    return cell if key == "name" else int(cell)


def read_ucr_index(folder: str | os.PathLike) -> list[dict[str, str | int | None]]:
    """The problems of a UCR archive folder, one dict each, sorted by name.

    Parameters
    ----------
    folder : path-like
        The archive folder: one subfolder per problem (``<Name>/<Name>_TRAIN.tsv[.gz]``), and
        optionally ``INDEX.tsv``, a tab-separated table with a header whose columns include
        ``dataset``, ``n_train``, ``n_test``, ``length`` (``length(padded)`` matches) and
        ``n_classes``.

    Returns
    -------
    problems : list of dict
        ``name``, ``path`` (the problem's folder, a str), ``n_train``, ``n_test``, ``length``
        and ``n_classes``: from ``INDEX.tsv`` when it exists, else every subfolder with a
        TRAIN file and None sizes.

    Raises
    ------
    FileNotFoundError
        ``folder`` missing, or a problem ``INDEX.tsv`` lists has no folder.
    ValueError
        ``INDEX.tsv`` without a ``dataset`` column, or a size that is not an integer.
    """
    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"UCR archive folder {root} not found")
    index = root / UCR_INDEX
    if not index.is_file():
        names = [p.name for p in sorted(root.iterdir()) if p.is_dir() and any(p.glob("*_TRAIN.tsv*"))]
        return [{"name": n, "path": str(root / n), **dict.fromkeys(_SIZES)} for n in names]
    lines = [line.split("\t") for line in index.read_text(encoding="utf-8").splitlines() if line]
    if not lines:
        return []
    header = [_INDEX_KEYS.get(h.split("(")[0].strip()) for h in lines[0]]
    if "name" not in header:
        raise ValueError(f"{index}: the header has no 'dataset' column")
    problems = []
    for number, cells in enumerate(lines[1:], start=2):
        try:
            entry = {k: _index_value(k, c.strip()) for k, c in zip(header, cells, strict=True) if k}
        except ValueError as exc:
            raise ValueError(f"{index} line {number}: {exc}") from None
        path = root / str(entry["name"])
        if not path.is_dir():
            raise FileNotFoundError(f"{index} lists {entry['name']}, but {path} is missing")
        sizes = {k: entry.get(k) for k in _SIZES}
        problems.append({"name": entry["name"], "path": str(path), **sizes})
    return sorted(problems, key=lambda e: str(e["name"]))
