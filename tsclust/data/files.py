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

#: Channel names that look like per-sample labels rather than sensor readings.
_LABEL_LIKE = re.compile(
    r"^(y|gt|target|targets|activity|activities|outcome|ground_?truth)$"
    r"|(^|[_\W])(labels?|class(es)?|anomal(y|ies)|outliers?|is_[a-z]+)($|[_\W])",
    re.IGNORECASE,
)

#: ``time_unit`` values and their length in seconds.
TIME_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}

#: Time stamps from this magnitude on are taken as epoch ms, us or ns by ``time_unit="auto"``
#: (1e11 s is 3000 years; 1e11 ms is March 1973).
_EPOCH_FROM = ((1e17, "ns"), (1e14, "us"), (1e11, "ms"))

_INT64_SPAN = 2.0**63


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


def _epoch_unit(magnitude: float) -> str:
    """The unit ``time_unit="auto"`` reads numbers of this size in: s, or epoch ms/us/ns."""
    for low, unit in _EPOCH_FROM:
        if magnitude >= low:
            return unit
    return "s"


def _parse_times(cells: np.ndarray, name: str, where: str, time_unit: str = "auto") -> np.ndarray:
    """Time stamps (numbers or ISO 8601 date-times) -> float seconds from the first stamp.

    Numbers are in ``time_unit``; ``"auto"`` reads them as seconds unless the first one is
    as large as an epoch in milliseconds (>= 1e11), microseconds (>= 1e14) or nanoseconds
    (>= 1e17), which is converted with a logged warning. Integers are subtracted exactly
    before the conversion (an epoch in ns does not fit a float64's 53 bits). Date-times are
    parsed by numpy (``2024-01-31 12:00:00.000``, ``T`` or space, optional time-zone offset
    converted to UTC) at nanosecond resolution; ``time_unit`` does not apply to them.
    """
    numbers: np.ndarray | None = None
    try:
        ints = cells.astype(np.int64)
    except (ValueError, OverflowError):
        try:
            values = cells.astype(np.float64)
        except ValueError:
            pass
        else:
            numbers, first = values - values[0], float(abs(values[0]))
    else:
        numbers, first = (ints - ints[0]).astype(np.float64), float(abs(ints[0]))
    if numbers is not None:
        unit = time_unit
        if unit == "auto":
            unit = _epoch_unit(first)
            if unit != "s":
                logger.warning(
                    "%s: time column %r starts at %.4g, read as an epoch in %s (pass "
                    "time_unit= / --time-unit to say the unit)", where, name, first, unit,
                )
        return numbers * TIME_UNITS[unit]
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
    time_unit: str = "auto",
    label_zero_is_class: bool = False,
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
        A step longer than 1.5 sampling steps is a gap: the samples it lacks are added as
        missing (NaN, marked invalid, label 0; ``"interpolate"`` fills gaps of at most
        ``max_gap`` samples), with a logged warning naming the lines, so that sample ``i``
        is at ``i / sampling_rate`` s from the first stamp and no window straddles a gap.
    sampling_rate : float, optional
        In Hz; overrides the time column. When None it is inferred from the time column by
        :func:`infer_rate` (logged at INFO level); without either, 1 Hz is assumed (with a
        logged warning).
    label_column : None, "auto" or str, default=None
        Column of integer per-sample labels (0 = unlabelled), excluded from the channels.
        ``"auto"`` looks for label/labels/activity/class. Channels whose name looks like a
        label column (``is_anomaly``, ``target``, ``y``, ...) are read, with a logged warning.
    ignore_columns : sequence of str, default=()
        Columns left out (ids, text annotations, ...). A single str names one column.
    delimiter : str, optional
        Cell separator; None takes a tab if the header has more tabs than commas, else ``,``.
    nan_policy : {"raise", "drop", "interpolate"}, default="raise"
        See :func:`tsclust.data.read_hapt`; an empty cell is a missing value (NaN).
    max_gap : int, default=10
    time_unit : {"auto", "s", "ms", "us", "ns"}, default="auto"
        Unit of a numeric time column. ``"auto"``: seconds, unless the first stamp is as
        large as an epoch in ms (>= 1e11), us (>= 1e14) or ns (>= 1e17), which is converted
        with a logged warning. A rate below 1 Hz from integer stamps read as seconds is
        logged as a warning too.
    label_zero_is_class : bool, default=False
        Keep label 0 as a class (anomaly flags, where 0 means normal) rather than as
        unlabelled: the labels become the column's values + 1 (0 -> 1, 1 -> 2), so no
        sample is unlabelled. Labels must then lie in 0 .. 2**63-2.

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
        channel (the message names the column), time stamps that are not increasing, NaN/inf
        (``nan_policy="raise"``) or a value too large for float32 (the message names line and
        column), a label that is not an integer of the int64 range (the message names the
        line).

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
        time_unit, label_zero_is_class,
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
    time_unit: str = "auto",
    label_zero_is_class: bool = False,
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
    time_unit, label_zero_is_class
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
        ignore_columns, ",", nan_policy, max_gap, time_unit, label_zero_is_class,
    )


def _empty_cells_as_nan(text: bytes, delimiter: str) -> bytes:
    """``text`` with every empty cell (nothing, spaces or ``""`` between delimiters) as nan."""
    d = re.escape(delimiter)
    empty = rf'(?m)(?:^[ ]*(?:"")?[ ]*(?={d})|(?<={d})[ ]*(?:"")?[ ]*(?={d}|\r?$))'
    return re.sub(empty, "nan", text.decode("utf-8", errors="replace")).encode()


def _parse_numeric(text: bytes, where: str, usecols: list[int], delimiter: str) -> np.ndarray:
    """The numeric columns ``usecols``; an empty cell is a missing value (NaN)."""
    opts = {"delimiter": delimiter, "skiprows": 1, "quotechar": '"', "usecols": usecols}
    try:
        return parse_table(text, where, **opts)
    except ValueError as exc:
        if "could not convert string '' to" not in str(exc):
            raise
    return parse_table(_empty_cells_as_nan(text, delimiter), where, **opts)


def _read_labels(
    text: bytes, lab: np.ndarray, name: str, lcol: int, delimiter: str, where: str,
    zero_is_class: bool,
) -> np.ndarray:
    """Check the label column ``lab`` (float64, read from ``text``) -> int64 labels.

    Raises
    ------
    ValueError
        A cell that is empty, not an integer or outside int64 (or, with ``zero_is_class``,
        negative or the int64 maximum); the message names its line.
    """
    bad = ~np.isfinite(lab) | (lab != np.round(lab))
    if bad.any():
        line = int(np.argmax(bad)) + 2
        raise ValueError(
            f"{where}: label column {name!r} must hold integers (line {line}: "
            f"{'empty' if np.isnan(lab[line - 2]) else repr(float(lab[line - 2]))})"
        )
    if np.abs(lab).max(initial=0.0) < 2.0**53:  # exact in float64
        labels = lab.astype(np.int64)
    else:  # read the big ones again as integers, exactly
        try:
            labels = parse_table(
                text, where, delimiter=delimiter, skiprows=1, quotechar='"', usecols=[lcol],
                dtype=np.int64,
            )[:, 0]
        except ValueError:
            out = (lab >= _INT64_SPAN) | (lab < -_INT64_SPAN)
            line = int(np.argmax(out)) + 2 if out.any() else None
            at = f" (line {line}: {lab[line - 2]:.6g})" if line else ""
            raise ValueError(
                f"{where}: label column {name!r} holds a value outside the int64 range "
                f"-2**63 .. 2**63-1{at}; labels must be integers of that range"
            ) from None
    if zero_is_class:
        bad = (labels < 0) | (labels == np.iinfo(np.int64).max)
        if bad.any():
            line = int(np.argmax(bad)) + 2
            raise ValueError(
                f"{where}: with label_zero_is_class (--label-zero-is-class) labels must lie in "
                f"0 .. 2**63-2 (line {line}: {int(labels[line - 2])})"
            )
        logger.info("%s: label 0 kept as a class: label codes are the values + 1", where)
        labels = labels + 1
    return labels


def _grid_positions(
    times: np.ndarray, step: float, where: str, name: str, max_fill: int
) -> np.ndarray | None:
    """Position of each row on the regular time grid of ``step`` seconds (None if no gap).

    A step longer than 1.5 sampling steps is a gap; it is left as ``round(dt / step) - 1``
    missing samples, each logged gap naming its lines and length.
    """
    dt = np.diff(times)
    gaps = np.flatnonzero(dt > 1.5 * step)
    if not len(gaps):
        return None
    missing = np.maximum(np.rint(dt[gaps] / step).astype(np.int64) - 1, 1)
    if int(missing.sum()) > max_fill:
        raise ValueError(
            f"{where}: the time column {name!r} has gaps of {int(missing.sum())} missing "
            f"samples in all (the longest {float(dt[gaps].max()):.6g} s, after line "
            f"{int(gaps[np.argmax(dt[gaps])]) + 2}), too many to hold as missing samples; "
            "split the file at its gaps"
        )
    for g, m in list(zip(gaps.tolist(), missing.tolist(), strict=True))[:5]:
        logger.warning(
            "%s: gap of %.6g s in the time column %r between lines %d and %d (%d missing "
            "sample(s)); the samples are marked missing, so no window straddles it and "
            "sample times follow the time column",
            where, float(dt[g]), name, g + 2, g + 3, m,
        )
    if len(gaps) > 5:
        logger.warning("%s: %d more gap(s) in the time column", where, len(gaps) - 5)
    extra = np.zeros(len(times), dtype=np.int64)
    extra[gaps + 1] = missing
    return np.arange(len(times)) + np.cumsum(extra)


def _warn_label_like(channels: list[str], signals: np.ndarray, where: str) -> None:
    """Warn about channels that look like label columns: a label-like name (``y`` only
    without an ``x`` column) and integer values only."""
    lower = {c.strip().lower() for c in channels}
    suspects = []
    for j, c in enumerate(channels):
        name = c.strip()
        if not _LABEL_LIKE.search(name) or (name.lower() == "y" and "x" in lower):
            continue
        v = signals[:, j]
        v = v[np.isfinite(v)]
        if np.all(v == np.round(v)):
            suspects.append(c)
    if suspects:
        names = ", ".join(repr(c) for c in suspects)
        logger.warning(
            "%s: column(s) %s are read as sensor channels, but the name and the integer values "
            "look like a label column; name it as the label column (label_column= / "
            "--label-column %s) or leave it out (ignore_columns= / --ignore-columns %s)",
            where, names, suspects[0], ",".join(suspects),
        )


def _table_recording(
    text: bytes, where: str, name: str, time_column: str | None, sampling_rate: float | None,
    label_column: str | None, ignore_columns: Sequence[str], delimiter: str | None,
    nan_policy: str, max_gap: int, time_unit: str = "auto", label_zero_is_class: bool = False,
) -> Recording:
    """The recording of the text table ``text`` (a header row, then one row per sample)."""
    p = where  # named in messages
    if time_unit != "auto" and time_unit not in TIME_UNITS:
        raise ValueError(f"time_unit must be 'auto' or one of {list(TIME_UNITS)}, got {time_unit!r}")
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
    if label_zero_is_class and lcol is None:
        raise ValueError(f"{p}: label_zero_is_class (--label-zero-is-class) needs a label column")
    numeric = chan_idx if lcol is None else sorted([*chan_idx, lcol])
    try:
        table = _parse_numeric(text, where, numeric, delimiter)
    except ValueError as exc:
        raise _numeric_error(exc, header, lcol, where) from None
    col = {c: j for j, c in enumerate(numeric)}
    channels = [header[i] for i in chan_idx]
    signals = table[:, [col[c] for c in chan_idx]]
    _warn_label_like(channels, signals, where)
    huge = np.isfinite(signals) & (np.abs(signals) > np.finfo(np.float32).max)
    if huge.any():
        row, c = (int(i) for i in np.argwhere(huge)[0])
        raise ValueError(
            f"{where}: value {signals[row, c]:.6g} at line {row + 2}, column {channels[c]!r} "
            f"is too large for float32 (at most {float(np.finfo(np.float32).max):.4g}), the "
            "type signals are stored in"
        )
    labels = None
    if lcol is not None:
        labels = _read_labels(
            text, table[:, col[lcol]], header[lcol], lcol, delimiter, where, label_zero_is_class
        )
    positions = None
    if tcol is not None:
        opts = {"delimiter": delimiter, "skiprows": 1, "quotechar": '"'}
        cells = parse_table(text, where, usecols=[tcol], dtype=str, **opts)[:, 0]
        times = _parse_times(cells, header[tcol], where, time_unit)
        if sampling_rate is None:
            sampling_rate = infer_rate(times, where)
            logger.info(
                "%s: sampling rate %g Hz inferred from the time column %r",
                where, sampling_rate, header[tcol],
            )
            _check_plausible_rate(sampling_rate, cells, header[tcol], where, time_unit)
            step = 1.0 / sampling_rate
        else:
            dt = np.diff(times)
            if (dt <= 0).any():
                infer_rate(times, where)  # raises, naming the line
            step = float(np.median(dt)) if len(dt) else 1.0
        positions = _grid_positions(
            times, step, where, header[tcol], max_fill=10 * len(times) + 1_000_000
        )
    rate = _default_rate(sampling_rate, where)
    if nan_policy == "raise":  # name the line of the file before the gaps move the rows
        apply_nan_policy(signals, "raise", where=where, first_line=2, columns=channels)
    if positions is not None:
        n = int(positions[-1]) + 1
        full = np.full((n, signals.shape[1]), np.nan)
        full[positions] = signals
        signals = full
        if labels is not None:
            full_labels = np.zeros(n, dtype=np.int64)
            full_labels[positions] = labels
            labels = full_labels
    policy = "drop" if nan_policy == "raise" else nan_policy
    signals, valid = apply_nan_policy(
        signals, policy, where=where, first_line=None if positions is not None else 2,
        max_gap=max_gap, columns=channels,
    )
    return Recording(
        signals=signals,
        labels=labels,
        channels=channels,
        sampling_rate=rate,
        name=name,
        source=where,
        valid=valid,
    )


def _check_plausible_rate(
    rate: float, cells: np.ndarray, name: str, where: str, time_unit: str
) -> None:
    """Warn when a rate below 1 Hz comes from integer time stamps (milliseconds, likely)."""
    if rate >= 1.0 or time_unit != "auto":
        return
    try:
        first = abs(int(cells.astype(np.int64)[0]))
    except (ValueError, OverflowError):
        return
    if _epoch_unit(first) != "s":  # converted already
        return
    logger.warning(
        "%s: the integer time column %r gives a sampling rate of %g Hz, read as seconds; if it "
        "counts milliseconds (or us, ns) pass time_unit= / --time-unit ms, or give the rate "
        "(sampling_rate= / --sampling-rate)",
        where, name, rate,
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
