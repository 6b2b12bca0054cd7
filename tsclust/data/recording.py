"""The :class:`Recording` container and the NaN policy shared by the readers."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Recording", "NAN_POLICIES", "sample_time", "step_decimals"]

logger = logging.getLogger(__name__)

NAN_POLICIES = ("raise", "drop", "interpolate")

def step_decimals(sampling_rate: float) -> int:
    """Decimals that write the sampling step ``1 / sampling_rate`` seconds.

    The decimals of the step written with 6 significant digits: 2 at 50 Hz (0.02 s), 6 at
    64 Hz (0.015625 s), 7 at 128 Hz (0.0078125 s), 6 at 3 Hz (0.333333 s), 0 at 1 Hz. A rate
    measured from time stamps (``50.000000000011`` Hz) gets the decimals of its nominal step.

    Parameters
    ----------
    sampling_rate : float
        In Hz, positive and finite.

    Returns
    -------
    int

    Examples
    --------
    >>> step_decimals(50.0), step_decimals(64.0), step_decimals(1.0), step_decimals(50.000000000011)
    (2, 6, 0, 2)
    """
    step = np.format_float_positional(
        1.0 / float(sampling_rate), precision=6, unique=False, fractional=False, trim="-"
    )
    return len(step.partition(".")[2])


def sample_time(index: int | np.ndarray, sampling_rate: float) -> float | np.ndarray:
    """Time in seconds of sample ``index``, rounded to the decimals of the sampling step.

    ``index / sampling_rate`` rounded with :func:`step_decimals`, so that times print as
    ``2.56`` rather than ``2.5599999999999454``.

    Parameters
    ----------
    index : int or ndarray of int
        Sample index (or number of samples, for a duration).
    sampling_rate : float
        In Hz.

    Returns
    -------
    float or ndarray of float
        Same shape as ``index``.

    Examples
    --------
    >>> sample_time(128, 50.0), sample_time(7, 64.0)
    (2.56, 0.109375)
    """
    t = np.round(np.asarray(index, dtype=np.float64) / float(sampling_rate),
                 step_decimals(sampling_rate))
    return float(t) if t.ndim == 0 else t


@dataclass
class Recording:
    """One continuous multichannel recording with optional per-sample labels.

    Parameters
    ----------
    signals : ndarray of shape (n_samples, n_channels)
        Converted to float32; a 1-D array becomes one channel.
    labels : ndarray of shape (n_samples,) of int, optional
        Per-sample class id, 0 = unlabelled. None for an unlabelled recording.
    channels : list of str, optional
        Channel names; default ``["ch0", "ch1", ...]``.
    sampling_rate : float, default=1.0
        Samples per second (Hz).
    subject, experiment : int or None
        Identifiers of the person and the session, where known.
    name : str, default=""
        Short name used in messages (e.g. ``"exp01_user01"``).
    source : str, default=""
        Where the data came from (file, folder or zip).
    segments : ndarray of shape (n_segments, 3) of int64, optional
        Labelled segments as rows ``(start, stop, label)``, half-open sample ranges. Kept
        when the source lists segments (HAPT ``labels.txt``) so that two adjacent segments of
        the same activity stay separate; otherwise derived from ``labels`` when needed.
    valid : ndarray of shape (n_samples,) of bool, optional
        False marks samples dropped by ``nan_policy="drop"`` (their values are NaN); windows
        that contain one are skipped. None means every sample is valid.

    Raises
    ------
    ValueError
        Inconsistent lengths, or NaN/inf in a sample not marked invalid.

    Examples
    --------
    >>> import numpy as np
    >>> rec = Recording(np.zeros((100, 2)), labels=np.ones(100, dtype=int), sampling_rate=50.0)
    >>> rec.n_samples, rec.n_channels, rec.channels
    (100, 2, ['ch0', 'ch1'])
    """

    signals: np.ndarray
    labels: np.ndarray | None = None
    channels: list[str] = field(default_factory=list)
    sampling_rate: float = 1.0
    subject: int | None = None
    experiment: int | None = None
    name: str = ""
    source: str = ""
    segments: np.ndarray | None = None
    valid: np.ndarray | None = None

    def __post_init__(self) -> None:
        sig = np.asarray(self.signals, dtype=np.float32)
        if sig.ndim == 1:
            sig = sig[:, None]
        if sig.ndim != 2:
            raise ValueError(
                f"recording {self.name!r}: signals must have shape (n_samples, n_channels), "
                f"got shape {sig.shape}"
            )
        self.signals = np.ascontiguousarray(sig)
        n, c = sig.shape
        if not self.channels:
            self.channels = [f"ch{i}" for i in range(c)]
        self.channels = [str(ch) for ch in self.channels]
        if len(self.channels) != c:
            raise ValueError(
                f"recording {self.name!r}: {len(self.channels)} channel name(s) for {c} channel(s)"
            )
        self.sampling_rate = float(self.sampling_rate)
        if not np.isfinite(self.sampling_rate) or self.sampling_rate <= 0:
            raise ValueError(
                f"recording {self.name!r}: sampling_rate must be positive, got {self.sampling_rate}"
            )
        if self.labels is not None:
            lab = np.asarray(self.labels)
            if lab.shape != (n,):
                raise ValueError(
                    f"recording {self.name!r}: labels must have shape ({n},), got {lab.shape}"
                )
            if lab.dtype.kind not in "iub":
                if not np.all(np.isfinite(lab)) or not np.all(lab == np.round(lab)):
                    raise ValueError(f"recording {self.name!r}: labels must be integers")
            self.labels = lab.astype(np.int64)
        if self.segments is not None:
            seg = np.asarray(self.segments, dtype=np.int64).reshape(-1, 3)
            if len(seg) and (
                (seg[:, 0] < 0).any() or (seg[:, 1] > n).any() or (seg[:, 1] <= seg[:, 0]).any()
            ):
                raise ValueError(
                    f"recording {self.name!r}: segments must be (start, stop, label) rows with "
                    f"0 <= start < stop <= {n}"
                )
            self.segments = seg
        if self.valid is not None:
            val = np.asarray(self.valid, dtype=bool)
            if val.shape != (n,):
                raise ValueError(
                    f"recording {self.name!r}: valid must have shape ({n},), got {val.shape}"
                )
            self.valid = None if val.all() else val
        finite = np.isfinite(sig).all(axis=1)
        if self.valid is not None:
            finite |= ~self.valid
        if not finite.all():
            row = int(np.argmin(finite))
            raise ValueError(
                f"recording {self.name!r}: NaN or inf at sample {row}; mark it invalid "
                "(valid mask) or read with nan_policy='drop' or 'interpolate'"
            )

    @property
    def n_samples(self) -> int:
        """Number of samples (rows)."""
        return int(self.signals.shape[0])

    @property
    def n_channels(self) -> int:
        """Number of channels (columns)."""
        return int(self.signals.shape[1])

    @property
    def duration(self) -> float:
        """Length in seconds (rounded to the decimals of the sampling step)."""
        return sample_time(self.n_samples, self.sampling_rate)

    def __repr__(self) -> str:
        lab = "unlabelled" if self.labels is None else "labelled"
        return (
            f"Recording(name={self.name!r}, n_samples={self.n_samples}, "
            f"channels={self.channels}, sampling_rate={self.sampling_rate:g}, {lab})"
        )


def _check_nan_policy(nan_policy: str) -> None:
    if nan_policy not in NAN_POLICIES:
        raise ValueError(f"nan_policy must be one of {NAN_POLICIES}, got {nan_policy!r}")


def _runs(mask: np.ndarray) -> np.ndarray:
    """Maximal runs of True in a 1-D bool mask as rows ``(start, stop)``."""
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return np.stack([np.flatnonzero(d == 1), np.flatnonzero(d == -1)], axis=1)


def apply_nan_policy(
    signals: np.ndarray,
    nan_policy: str,
    *,
    where: str,
    first_line: int | None = 1,
    max_gap: int = 10,
    columns: list[str] | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Handle NaN/inf in ``signals`` (n_samples, n_channels) according to ``nan_policy``.

    Parameters
    ----------
    signals : ndarray of shape (n_samples, n_channels)
    nan_policy : {"raise", "drop", "interpolate"}
        ``"raise"``: ValueError naming ``where`` and the line. ``"drop"``: keep the values and
        return a ``valid`` mask that is False on the bad samples. ``"interpolate"``: fill runs of
        at most ``max_gap`` bad samples per channel linearly (edges take the nearest value);
        longer runs are marked invalid as with ``"drop"`` (logged as a warning).
    where : str
        File name used in messages.
    first_line : int or None, default=1
        Line number of sample 0 in the file (2 for a CSV with a header); None for binary
        files, where messages give the sample index only.
    max_gap : int, default=10
        Longest run filled by ``"interpolate"``.
    columns : list of str, optional
        Column names, for messages (default: their index).

    Returns
    -------
    signals : ndarray of shape (n_samples, n_channels)
    valid : ndarray of shape (n_samples,) of bool, or None when every sample is valid
    """
    _check_nan_policy(nan_policy)
    finite = np.isfinite(signals)
    if finite.all():
        return signals, None
    if nan_policy == "raise":
        row, col = (int(i) for i in np.argwhere(~finite)[0])
        at = f"sample {row}" if first_line is None else f"line {row + first_line} (sample {row})"
        name = col if columns is None else repr(columns[col])
        raise ValueError(
            f"{where}: NaN or inf at {at}, column {name}; "
            "pass nan_policy='interpolate' or 'drop' to accept gaps"
        )
    valid = finite.all(axis=1)
    if nan_policy == "drop":
        logger.info("%s: %d sample(s) with NaN/inf marked invalid", where, int((~valid).sum()))
        return signals, valid
    out = np.array(signals, dtype=np.float64, copy=True)
    valid = np.ones(len(out), dtype=bool)
    idx = np.arange(len(out))
    for c in range(out.shape[1]):
        good = finite[:, c]
        if good.all():
            continue
        if not good.any():
            valid[:] = False
            continue
        filled = np.interp(idx, idx[good], out[good, c])
        for start, stop in _runs(~good):
            if stop - start <= max_gap:
                out[start:stop, c] = filled[start:stop]
            else:
                valid[start:stop] = False
    if not valid.all():
        logger.warning(
            "%s: %d sample(s) in gaps longer than max_gap=%d marked invalid",
            where,
            int((~valid).sum()),
            max_gap,
        )
    return out, (None if valid.all() else valid)
