"""Readers for a single recording stored as CSV or NumPy ``.npy``."""

from __future__ import annotations

import csv
import io
import logging
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ._text import decompress, parse_table
from .recording import Recording, _check_nan_policy, apply_nan_policy

__all__ = ["read_csv_recording", "read_npy_recording"]

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


def _rate_from_time(t: np.ndarray, where: str) -> float:
    if len(t) < 2:
        raise ValueError(f"{where}: need at least two rows to infer the sampling rate")
    dt = np.diff(t)
    if not np.all(np.isfinite(dt)) or (dt <= 0).any():
        row = int(np.argmax(~(np.isfinite(dt) & (dt > 0))))
        raise ValueError(f"{where}: time column is not strictly increasing at line {row + 3}")
    med = float(np.median(dt))
    if np.max(np.abs(dt - med)) > 0.05 * med:
        logger.warning("%s: irregular time steps; using the median step %.6g s", where, med)
    return 1.0 / med


def _default_rate(sampling_rate: float | None, where: str) -> float:
    if sampling_rate is None:
        logger.warning("%s: sampling rate unknown, assuming 1 Hz (pass sampling_rate)", where)
        return 1.0
    return float(sampling_rate)


def read_csv_recording(
    path: str | os.PathLike,
    time_column: str | None = None,
    sampling_rate: float | None = None,
    *,
    label_column: str | None = None,
    delimiter: str = ",",
    nan_policy: str = "raise",
    max_gap: int = 10,
) -> Recording:
    """Read one recording from a CSV file with a header row of channel names.

    Parameters
    ----------
    path : path-like
        ``.csv`` (or ``.csv.gz``): a header line, then one numeric row per sample.
    time_column : None, "auto" or str, default=None
        Column holding time stamps in seconds, excluded from the channels. ``"auto"`` looks for
        a column named time/timestamp/t/seconds (case-insensitive) and uses none if absent.
    sampling_rate : float, optional
        In Hz. When None it is inferred from the time column (1 / median step); without
        either, 1 Hz is assumed (with a logged warning).
    label_column : None, "auto" or str, default=None
        Column of integer per-sample labels (0 = unlabelled), excluded from the channels.
        ``"auto"`` looks for label/labels/activity/class.
    delimiter : str, default=","
    nan_policy : {"raise", "drop", "interpolate"}, default="raise"
        See :func:`tsclust.data.read_hapt`.
    max_gap : int, default=10

    Returns
    -------
    Recording
        ``signals`` (n_samples, n_channels) float32, ``channels`` from the header.

    Raises
    ------
    FileNotFoundError, ValueError
        Missing file, no header, non-numeric cells, unknown column, NaN/inf.
    """
    _check_nan_policy(nan_policy)
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"CSV file {p} not found")
    text = decompress(p.read_bytes(), p.name)
    first = text.split(b"\n", 1)[0].decode("utf-8", errors="replace").strip("\r\ufeff")
    header = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
    header = [h.strip() for h in header]
    if not header or not any(header):
        raise ValueError(f"{p} has no header row of channel names")
    try:
        [float(h) for h in header]
    except ValueError:
        pass
    else:
        raise ValueError(
            f"{p}: the first line looks numeric; a header row of channel names is needed"
        )
    table = parse_table(text, str(p), delimiter=delimiter, skiprows=1, n_columns=len(header))
    tcol = _pick_column(time_column, header, _TIME_NAMES, "time column", str(p))
    lcol = _pick_column(label_column, header, _LABEL_NAMES, "label column", str(p))
    if tcol is not None and tcol == lcol:
        raise ValueError(f"{p}: time and label column are the same ({header[tcol]!r})")
    chan_idx = [i for i in range(len(header)) if i not in (tcol, lcol)]
    if not chan_idx:
        raise ValueError(f"{p} has no signal columns")
    if sampling_rate is None and tcol is not None:
        sampling_rate = _rate_from_time(table[:, tcol], str(p))
    rate = _default_rate(sampling_rate, str(p))
    labels = None
    if lcol is not None:
        lab = table[:, lcol]
        if not np.all(np.isfinite(lab)) or not np.all(lab == np.round(lab)):
            raise ValueError(f"{p}: label column {header[lcol]!r} must hold integers")
        labels = lab.astype(np.int64)
    signals, valid = apply_nan_policy(
        table[:, chan_idx], nan_policy, where=str(p), first_line=2, max_gap=max_gap
    )
    return Recording(
        signals=signals,
        labels=labels,
        channels=[header[i] for i in chan_idx],
        sampling_rate=rate,
        name=p.name.split(".")[0],
        source=str(p),
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
        In Hz; 1 Hz is assumed (with a logged warning) when None.
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
