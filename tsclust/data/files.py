"""Readers for a single recording stored as CSV/TSV or NumPy ``.npy``."""

from __future__ import annotations

import csv
import io
import logging
import os
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ._text import decompress, parse_table
from .recording import Recording, _check_nan_policy, apply_nan_policy

__all__ = ["read_csv_recording", "recording_from_frame", "read_npy_recording", "infer_rate"]

logger = logging.getLogger(__name__)

_TIME_NAMES = ("time", "timestamp", "t", "seconds", "time_s", "sec")
_LABEL_NAMES = ("label", "labels", "activity", "class")


def _pick_column(spec: str | None, header: list[str], auto: tuple[str, ...], what: str, where: str):
    if spec is None:
        return None
    lower = [h.strip().lower() for h in header]
    if spec == "auto":
        for name in auto:
            if name in lower:
                return lower.index(name)
        return None
    if spec in header:
        return header.index(spec)
    raise ValueError(f"{where}: {what} {spec!r} not among the columns {header}")


def _resolution(values: np.ndarray) -> float:
    """Clock resolution of time stamps in seconds: the largest power of ten (1 ns .. 1 s) of
    which every value is a multiple (to 1 % of it). ``values`` are float seconds."""
    for d in range(10):
        if np.all(np.abs(values - np.round(values, d)) < 0.01 * 10.0**-d):
            return 10.0**-d
    return 1e-9


def _round_rate(estimate: float, tol: float) -> float:
    """``estimate`` written with the fewest significant digits (1 to 7) within ``tol`` of it."""
    for digits in range(1, 8):
        cand = float(f"{estimate:.{digits}g}")
        if abs(cand - estimate) <= tol * estimate:
            return cand
    return estimate


def infer_rate(times: np.ndarray, where: str = "time column") -> float:
    """Sampling rate in Hz of increasing time stamps (seconds), robust to rounded stamps.

    Steps outside 0.5-1.5 times the median step (gaps, bursts) are left out, with a logged
    warning; the rate is then 1 / the mean of the other steps, which is exact for a regular
    clock even when the stamps are rounded (64 Hz written to the millisecond has steps of
    15 and 16 ms, whose median would give 62.5 Hz). The estimate is finally rounded to the
    fewest significant digits (1 to 7) that stay within its uncertainty: twice the
    resolution of the stamps (the largest power of ten they are multiples of) over the span
    of the kept steps, at least 1e-6 and at most 0.5 % of the rate. So 64.0024 from
    millisecond stamps over 10 s gives 64, and 50.2 from exact stamps stays 50.2.

    Parameters
    ----------
    times : ndarray of shape (n_samples,)
        Time stamps in seconds (from any origin).
    where : str, default="time column"
        Used in messages.

    Returns
    -------
    rate : float

    Raises
    ------
    ValueError
        Fewer than two stamps, or stamps that are not strictly increasing.

    Examples
    --------
    >>> t = np.round(280 + np.arange(640) / 64, 3)  # 64 Hz stamps rounded to the ms
    >>> round(float(1 / np.median(np.diff(t))), 3), infer_rate(t)
    (62.5, 64.0)
    """
    t = np.asarray(times, dtype=np.float64)
    if len(t) < 2:
        raise ValueError(f"{where}: need at least two rows to infer the sampling rate")
    dt = np.diff(t)
    if not np.all(np.isfinite(dt)) or (dt <= 0).any():
        row = int(np.argmax(~(np.isfinite(dt) & (dt > 0))))
        raise ValueError(f"{where}: time column is not strictly increasing at line {row + 3}")
    med = float(np.median(dt))
    regular = (dt > 0.5 * med) & (dt < 1.5 * med)
    if not regular.all():
        logger.warning(
            "%s: %d irregular time step(s) (gaps or bursts, median step %.6g s) left out of the "
            "sampling-rate estimate",
            where,
            int((~regular).sum()),
            med,
        )
    span = float(dt[regular].sum())
    estimate = int(regular.sum()) / span
    tol = min(0.005, max(1e-6, 2 * _resolution(t - t[0]) / span))
    return _round_rate(estimate, tol)


def _parse_times(cells: np.ndarray, name: str, where: str) -> np.ndarray:
    """Time stamps (numbers of seconds or ISO 8601 date-times) -> float seconds from the first.

    Date-times are parsed by numpy (``2024-01-31 12:00:00.000``, ``T`` or space, optional
    time-zone offset converted to UTC) at nanosecond resolution.
    """
    try:
        return cells.astype(np.float64)
    except ValueError:
        pass
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # time-zone offsets
            ns = np.array([c.strip() for c in cells], dtype="datetime64[ns]").astype(np.int64)
    except ValueError as exc:
        raise ValueError(
            f"{where}: time column {name!r} holds neither numbers (seconds) nor ISO 8601 "
            f"date-times such as 2024-01-31 12:00:00.000 ({exc})"
        ) from None
    nat = ns == np.iinfo(np.int64).min
    if nat.any():
        raise ValueError(
            f"{where}: time column {name!r} has no time stamp at line {int(np.argmax(nat)) + 2}"
        )
    return (ns - ns[0]) / 1e9


def _default_rate(sampling_rate: float | None, where: str) -> float:
    if sampling_rate is None:
        logger.warning(
            "%s: sampling rate unknown, assuming 1 Hz (pass sampling_rate= in Python or "
            "--sampling-rate on the command line)",
            where,
        )
        return 1.0
    return float(sampling_rate)


def _read_header(text: bytes, delimiter: str | None, where: str) -> tuple[list[str], str]:
    """Column names of the first line and the delimiter (sniffed when None)."""
    first = text.split(b"\n", 1)[0].decode("utf-8", errors="replace").strip("\r\ufeff")
    if delimiter is None:
        delimiter = "\t" if first.count("\t") > first.count(",") else ","
    header = [h.strip() for h in next(csv.reader(io.StringIO(first), delimiter=delimiter), [])]
    if not header or not any(header):
        raise ValueError(f"{where} has no header row of channel names")
    try:
        [float(h) for h in header]
    except ValueError:
        pass
    else:
        raise ValueError(
            f"{where}: the first line looks numeric; a header row of channel names is needed"
        )
    dups = sorted({h for h in header if header.count(h) > 1})
    if dups:
        raise ValueError(
            f"{where}: duplicate column name(s) {dups} in the header; every column needs its "
            "own name"
        )
    return header, delimiter


_CELL_ERROR = re.compile(r"could not convert string (.*) to float\d* at row (\d+), column (\d+)")


def _numeric_error(exc: ValueError, header: list[str], lcol: int | None, where: str) -> ValueError:
    """Name the column of a non-numeric cell, and say how to read or skip it."""
    m = _CELL_ERROR.search(str(exc))
    if m is None:
        return exc
    cell, line, col = m.group(1), int(m.group(2)) + 2, int(m.group(3)) - 1
    if col == lcol:
        return ValueError(
            f"{where}: label column {header[col]!r} must hold integers (line {line}: {cell})"
        )
    return ValueError(
        f"{where}: column {header[col]!r} is not numeric (line {line}: {cell}); if it holds "
        "time stamps name it as the time column (time_column= / --time-column), else leave it "
        "out (ignore_columns= / --ignore-columns)"
    )


def read_csv_recording(
    path: str | os.PathLike,
    time_column: str | None = None,
    sampling_rate: float | None = None,
    *,
    label_column: str | None = None,
    ignore_columns: Sequence[str] = (),
    delimiter: str | None = None,
    nan_policy: str = "raise",
    max_gap: int = 10,
) -> Recording:
    """Read one recording from a CSV (or tab-separated) file with a header of column names.

    Parameters
    ----------
    path : path-like
        ``.csv`` (or ``.csv.gz``): a header line, then one row per sample. Cells may be
        quoted with ``"``.
    time_column : None, "auto" or str, default=None
        Column of time stamps, excluded from the channels: numbers of seconds, or ISO 8601
        date-times such as ``2024-01-31 12:00:00.000`` (``T`` or a space between date and
        time; a time-zone offset is converted to UTC). ``"auto"`` looks for a column named
        time/timestamp/t/seconds/time_s/sec (case-insensitive) and uses none if absent.
    sampling_rate : float, optional
        In Hz; overrides the time column. When None it is inferred from the time column by
        :func:`infer_rate` (logged at INFO level); without either, 1 Hz is assumed (with a
        logged warning).
    label_column : None, "auto" or str, default=None
        Column of integer per-sample labels (0 = unlabelled), excluded from the channels.
        ``"auto"`` looks for label/labels/activity/class.
    ignore_columns : sequence of str, default=()
        Columns left out (ids, text annotations, ...). A single str names one column.
    delimiter : str, optional
        Cell separator; None takes a tab if the header has more tabs than commas, else ``,``.
    nan_policy : {"raise", "drop", "interpolate"}, default="raise"
        See :func:`tsclust.data.read_hapt`.
    max_gap : int, default=10

    Returns
    -------
    Recording
        ``signals`` (n_samples, n_channels) float32 with the other columns, in file order,
        ``channels`` their header names, ``labels`` (n_samples,) int64 or None.

    Raises
    ------
    FileNotFoundError
        Missing file.
    ValueError
        No header, duplicate column names, an unknown column name, a non-numeric cell in a
        channel (the message names the column), time stamps that are not increasing, NaN/inf.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "rec.csv")
    >>> with open(path, "w") as fh:
    ...     _ = fh.write("timestamp,x,note\\n")
    ...     for i in range(5):
    ...         _ = fh.write(f"2024-01-31 12:00:00.{i * 200:03d},{i},ok\\n")
    >>> rec = read_csv_recording(path, time_column="auto", ignore_columns=["note"])
    >>> rec.channels, rec.sampling_rate
    (['x'], 5.0)
    """
    _check_nan_policy(nan_policy)
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"CSV file {p} not found")
    return _table_recording(
        decompress(p.read_bytes(), p.name), str(p), p.name.split(".")[0], time_column,
        sampling_rate, label_column, ignore_columns, delimiter, nan_policy, max_gap,
    )


def recording_from_frame(
    frame: Any,
    time_column: str | None = None,
    sampling_rate: float | None = None,
    *,
    label_column: str | None = None,
    ignore_columns: Sequence[str] = (),
    name: str = "frame",
    nan_policy: str = "raise",
    max_gap: int = 10,
) -> Recording:
    """One recording from a pandas DataFrame: its columns, read as :func:`read_csv_recording` would.

    The frame is written as CSV text (``frame.to_csv(index=False)``) and parsed by the same
    code as a CSV file, so time columns (numbers or date-times, ``datetime64`` included),
    labels, ignored columns and every check behave the same. The index is not used: keep
    time stamps in a column (``frame.reset_index()``).

    Parameters
    ----------
    frame : pandas.DataFrame of shape (n_samples, n_columns)
    time_column, sampling_rate, label_column, ignore_columns, nan_policy, max_gap
        As in :func:`read_csv_recording`.
    name : str, default="frame"
        The recording's name.

    Returns
    -------
    Recording

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"t": [0.0, 0.02, 0.04], "x": [1.0, 2.0, 3.0], "label": [1, 1, 2]})
    >>> rec = recording_from_frame(df, time_column="t", label_column="label")
    >>> rec.channels, rec.sampling_rate, rec.labels.tolist()
    (['x'], 50.0, [1, 1, 2])
    """
    _check_nan_policy(nan_policy)
    if not hasattr(frame, "to_csv") or not hasattr(frame, "columns"):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    text = frame.to_csv(index=False, date_format="%Y-%m-%d %H:%M:%S.%f").encode()
    return _table_recording(
        text, f"DataFrame {name!r}", name, time_column, sampling_rate, label_column,
        ignore_columns, ",", nan_policy, max_gap,
    )


def _table_recording(
    text: bytes, where: str, name: str, time_column: str | None, sampling_rate: float | None,
    label_column: str | None, ignore_columns: Sequence[str], delimiter: str | None,
    nan_policy: str, max_gap: int,
) -> Recording:
    """The recording of the text table ``text`` (a header row, then one row per sample)."""
    p = where  # named in messages
    header, delimiter = _read_header(text, delimiter, where)
    tcol = _pick_column(time_column, header, _TIME_NAMES, "time column", where)
    lcol = _pick_column(label_column, header, _LABEL_NAMES, "label column", where)
    if isinstance(ignore_columns, str):
        ignore_columns = [ignore_columns]
    ignored = {_pick_column(c, header, (), "ignored column", where) for c in ignore_columns}
    if tcol is not None and tcol == lcol:
        raise ValueError(f"{p}: time and label column are the same ({header[tcol]!r})")
    clash = ignored & {tcol, lcol}
    if clash:
        raise ValueError(f"{p}: column {header[clash.pop()]!r} is both ignored and used")
    chan_idx = [i for i in range(len(header)) if i not in (tcol, lcol) and i not in ignored]
    if not chan_idx:
        raise ValueError(f"{p} has no signal columns")
    opts = {"delimiter": delimiter, "skiprows": 1, "quotechar": '"'}
    numeric = chan_idx if lcol is None else sorted([*chan_idx, lcol])
    try:
        table = parse_table(text, where, usecols=numeric, **opts)
    except ValueError as exc:
        raise _numeric_error(exc, header, lcol, where) from None
    col = {c: j for j, c in enumerate(numeric)}
    if sampling_rate is None and tcol is not None:
        cells = parse_table(text, where, usecols=[tcol], dtype=str, **opts)[:, 0]
        sampling_rate = infer_rate(_parse_times(cells, header[tcol], where), where)
        logger.info(
            "%s: sampling rate %g Hz inferred from the time column %r",
            where,
            sampling_rate,
            header[tcol],
        )
    rate = _default_rate(sampling_rate, where)
    labels = None
    if lcol is not None:
        lab = table[:, col[lcol]]
        if not np.all(np.isfinite(lab)) or not np.all(lab == np.round(lab)):
            raise ValueError(f"{p}: label column {header[lcol]!r} must hold integers")
        labels = lab.astype(np.int64)
    signals, valid = apply_nan_policy(
        table[:, [col[c] for c in chan_idx]], nan_policy, where=where, first_line=2,
        max_gap=max_gap,
    )
    return Recording(
        signals=signals,
        labels=labels,
        channels=[header[i] for i in chan_idx],
        sampling_rate=rate,
        name=name,
        source=where,
        valid=valid,
    )


def read_npy_recording(
    path: str | os.PathLike,
    sampling_rate: float | None = None,
    *,
    channels: Sequence[str] | None = None,
    labels: np.ndarray | None = None,
    nan_policy: str = "raise",
    max_gap: int = 10,
) -> Recording:
    """Read one recording from a ``.npy`` array of shape (n_samples, n_channels) or (n_samples,).

    Parameters
    ----------
    path : path-like
        Loaded with ``allow_pickle=False``.
    sampling_rate : float, optional
        In Hz; 1 Hz is assumed when None, with a logged warning that names this argument
        and the CLI flag ``--sampling-rate``.
    channels : sequence of str, optional
        Channel names; default ``ch0, ch1, ...``.
    labels : ndarray of shape (n_samples,), optional
        Per-sample integer labels.
    nan_policy : {"raise", "drop", "interpolate"}, default="raise"
    max_gap : int, default=10

    Returns
    -------
    Recording
    """
    _check_nan_policy(nan_policy)
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"NumPy file {p} not found")
    try:
        arr = np.load(p, allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise ValueError(f"{p} is not a .npy array file: {exc}") from None
    if not isinstance(arr, np.ndarray):
        raise ValueError(f"{p} holds several arrays (.npz); save one (n_samples, n_channels) array")
    if arr.dtype.kind not in "iuf":
        raise ValueError(f"{p} holds {arr.dtype} data; a numeric array is needed")
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"{p}: expected shape (n_samples, n_channels), got {arr.shape}")
    signals, valid = apply_nan_policy(
        arr.astype(np.float64), nan_policy, where=str(p), first_line=None, max_gap=max_gap
    )
    return Recording(
        signals=signals,
        labels=labels,
        channels=list(channels) if channels is not None else [],
        sampling_rate=_default_rate(sampling_rate, str(p)),
        name=p.stem,
        source=str(p),
        valid=valid,
    )
