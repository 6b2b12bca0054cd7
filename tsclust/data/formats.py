"""Telling input formats apart and reading one continuous recording, whatever its format."""

from __future__ import annotations

import gzip
import zipfile
from collections.abc import Sequence
from pathlib import Path

from .files import read_csv_recording, read_npy_recording
from .hapt import iter_hapt, read_hapt
from .recording import Recording

__all__ = ["FORMATS", "detect_format", "read_recording"]

FORMATS = ("hapt", "ucr", "csv", "npy", "ts")
"""The input formats that :func:`detect_format` tells apart."""


def detect_format(source: str | Path) -> str:
    """Guess the input format of ``source`` from its name and, for a folder, its content.

    A zip file or a folder with ``RawData/`` or ``acc_exp*`` files is HAPT; a folder with
    ``*_TRAIN.tsv[.gz]`` or a ``.tsv[.gz]`` file is UCR; ``.csv[.gz]`` is CSV; ``.npy`` NumPy;
    ``.ts[.gz]`` a UEA/sktime ``.ts`` collection (:func:`tsclust.data.load_ts`), and so is a
    folder with ``*_TRAIN.ts[.gz]`` or ``*_TEST.ts[.gz]``. A ``.tsv`` file whose first line
    holds a cell that is not a number (a header of column names, which UCR files lack) is a
    tab-separated recording: ``"csv"``.

    Parameters
    ----------
    source : str or path-like
        A dataset folder, zip or file.

    Returns
    -------
    format : {"hapt", "ucr", "csv", "npy", "ts"}

    Raises
    ------
    FileNotFoundError
        ``source`` does not exist.
    ValueError
        Neither its name nor its content tells the format.
    """
    p = Path(source)
    if not p.exists():
        raise FileNotFoundError(f"{p} not found")
    name = p.name.lower()
    if p.is_dir():
        if (p / "RawData").is_dir() or any(p.glob("acc_exp*_user*.txt*")):
            return "hapt"
        if any(p.glob("*_TRAIN.tsv*")) or any(p.glob("*_TEST.tsv*")):
            return "ucr"
        if any(p.glob("*_TRAIN.ts")) or any(p.glob("*_TEST.ts")) or any(p.glob("*_TRAIN.ts.gz")):
            return "ts"
        raise ValueError(
            f"cannot tell the format of folder {p} (no RawData/, acc_exp*_user*.txt, "
            "*_TRAIN.tsv or *_TRAIN.ts); pass --format"
        )
    if name.endswith((".tsv", ".tsv.gz")):
        return "csv" if _has_header(p) else "ucr"
    if name.endswith((".csv", ".csv.gz")):
        return "csv"
    if name.endswith(".npy"):
        return "npy"
    if name.endswith((".ts", ".ts.gz")):
        return "ts"
    if zipfile.is_zipfile(p):
        return "hapt"
    raise ValueError(f"cannot tell the format of {p} from its name; pass --format")


def _has_header(path: Path) -> bool:
    """Whether the first line of a tab-separated file holds a cell that is not a number."""
    try:
        opener = gzip.open if path.name.lower().endswith(".gz") else open
        with opener(path, "rb") as fh:
            first = fh.readline(65536).decode("utf-8", errors="replace").strip("\r\n\ufeff")
    except (OSError, EOFError):
        return False
    for cell in first.split("\t"):
        try:
            float(cell.strip().strip('"') or "nan")
        except ValueError:
            return True
    return False


def read_recording(
    source: str | Path,
    format: str = "auto",
    *,
    experiment: int | None = None,
    sampling_rate: float | None = None,
    time_column: str | None = "auto",
    label_column: str | None = "auto",
    ignore_columns: Sequence[str] = (),
    delimiter: str | None = None,
    time_unit: str = "auto",
    label_zero_is_class: bool = False,
    nan_policy: str = "raise",
) -> Recording:
    """Read one continuous recording from a HAPT folder/zip, a CSV or a ``.npy`` file.

    Parameters
    ----------
    source : str or path-like
        HAPT folder or zip, CSV file or NumPy file.
    format : {"auto", "hapt", "csv", "npy"}, default="auto"
        "auto" asks :func:`detect_format`.
    experiment : int or None, default=None
        HAPT: which experiment of the folder; may be None only if it holds one.
    sampling_rate : float or None, default=None
        CSV, NumPy: the sampling rate in Hz (for a CSV it overrides the time column).
    time_column, label_column : None, "auto" or str, default="auto"
        CSV: the time-stamp and label columns (see :func:`read_csv_recording`).
    ignore_columns : sequence of str, default=()
        CSV: columns left out.
    delimiter : str or None, default=None
        CSV: the cell separator (None: tab or comma, from the header).
    time_unit : {"auto", "s", "ms", "us", "ns"}, default="auto"
        CSV: the unit of a numeric time column (see :func:`read_csv_recording`).
    label_zero_is_class : bool, default=False
        CSV: keep label 0 as a class (labels become the values + 1).
    nan_policy : {"raise", "drop", "interpolate"}, default="raise"
        Missing values (NaN, inf, an empty CSV cell), see :func:`tsclust.data.read_hapt`.

    Returns
    -------
    Recording

    Raises
    ------
    FileNotFoundError
        ``source`` does not exist.
    ValueError
        A HAPT source with several experiments and none picked, ``experiment`` for other
        formats, CSV options for a non-CSV source, or a format that holds no single
        recording (UCR, .ts).
    """
    source = Path(source)
    if not source.exists():
        raise FileNotFoundError(f"{source} not found")
    fmt = detect_format(source) if format == "auto" else format
    if fmt == "hapt":
        return _read_hapt_experiment(source, experiment, nan_policy)
    if experiment is not None:
        raise ValueError("--experiment only applies to a HAPT folder or zip")
    if fmt == "csv":
        return read_csv_recording(
            source,
            time_column=time_column,
            sampling_rate=sampling_rate,
            label_column=label_column,
            ignore_columns=ignore_columns,
            delimiter=delimiter,
            time_unit=time_unit,
            label_zero_is_class=label_zero_is_class,
            nan_policy=nan_policy,
        )
    given = {
        "time_column": time_column != "auto",
        "label_column": label_column != "auto",
        "ignore_columns": bool(ignore_columns),
        "delimiter": delimiter is not None,
        "time_unit": time_unit != "auto",
        "label_zero_is_class": bool(label_zero_is_class),
    }
    if any(given.values()):
        names = [k for k, v in given.items() if v]
        raise ValueError(f"{', '.join(names)} only apply to CSV input, not {fmt} data")
    if fmt == "npy":
        return read_npy_recording(source, sampling_rate=sampling_rate, nan_policy=nan_policy)
    raise ValueError(
        f"one continuous recording (HAPT, CSV or .npy) is needed, not {fmt} data"
    )


def _read_hapt_experiment(
    source: Path, experiment: int | None, nan_policy: str = "raise"
) -> Recording:
    """The HAPT recording of ``experiment``, or the only one of ``source`` when None."""
    if experiment is not None:
        return read_hapt(source, experiments=[experiment], verbose=0, nan_policy=nan_policy)[0]
    listing = iter_hapt(source, verbose=0, nan_policy=nan_policy)
    if len(listing) != 1:
        exps = sorted({e for e, _ in listing.pairs})
        raise ValueError(
            f"{source} holds {len(listing)} HAPT recordings; pick one with "
            f"--experiment N (experiments: {', '.join(map(str, exps))})"
        )
    return next(iter(listing))
