"""Sliding windows over recordings: pure arithmetic functions, the :class:`Windows`
container and the :class:`SlidingWindows` transformer."""

from __future__ import annotations

import logging
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator

from .._validation import check_collection
from ..data.recording import Recording

__all__ = [
    "Windows",
    "SlidingWindows",
    "window_starts",
    "n_windows",
    "segments_from_labels",
    "pure_window_starts",
    "window_labels",
    "LABEL_MODES",
]

logger = logging.getLogger(__name__)

LABEL_MODES = ("pure", "majority", "center", None)


# --------------------------------------------------------------------------- arithmetic


def _check_size_step(size: Any, step: Any) -> tuple[int, int]:
    if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
        raise ValueError(f"size must be an integer >= 1, got {size!r}")
    if isinstance(step, bool) or not isinstance(step, numbers.Integral) or step < 1:
        raise ValueError(f"step must be an integer >= 1, got {step!r}")
    return int(size), int(step)


def n_windows(n_samples: int, size: int, step: int) -> int:
    """Number of windows of ``size`` samples, ``step`` apart, that fit in ``n_samples``.

    Equals ``(n_samples - size) // step + 1`` when ``n_samples >= size``, else 0.

    Examples
    --------
    >>> n_windows(10, 4, 3), n_windows(3, 4, 1)
    (3, 0)
    """
    size, step = _check_size_step(size, step)
    if n_samples < size:
        return 0
    return (int(n_samples) - size) // step + 1


def window_starts(n_samples: int, size: int, step: int) -> np.ndarray:
    """Start indices of the windows ``[s, s + size)`` over ``n_samples`` samples.

    Windows start at 0 and advance by ``step``; a trailing part shorter than ``size`` is
    dropped.

    Returns
    -------
    ndarray of shape (n_windows,) of int64

    Examples
    --------
    >>> window_starts(10, 4, 3)
    array([0, 3, 6])
    """
    return np.arange(n_windows(n_samples, size, step), dtype=np.int64) * int(step)


def segments_from_labels(labels: np.ndarray) -> np.ndarray:
    """Maximal runs of one nonzero label.

    Parameters
    ----------
    labels : array-like of shape (n_samples,) of int

    Returns
    -------
    ndarray of shape (n_segments, 3) of int64
        Rows ``(start, stop, label)`` with half-open ranges; label 0 runs are left out.

    Examples
    --------
    >>> segments_from_labels([0, 1, 1, 2, 0, 2]).tolist()
    [[1, 3, 1], [3, 4, 2], [5, 6, 2]]
    """
    lab = np.asarray(labels, dtype=np.int64).ravel()
    if len(lab) == 0:
        return np.empty((0, 3), dtype=np.int64)
    change = np.flatnonzero(np.diff(lab)) + 1
    starts = np.concatenate([[0], change])
    stops = np.concatenate([change, [len(lab)]])
    vals = lab[starts]
    keep = vals != 0
    return np.stack([starts[keep], stops[keep], vals[keep]], axis=1).astype(np.int64)


def pure_window_starts(segments: np.ndarray, size: int, step: int) -> tuple[np.ndarray, np.ndarray]:
    """Windows lying entirely inside one labelled segment, stepping from each segment's start.

    Parameters
    ----------
    segments : array-like of shape (n_segments, 3)
        Rows ``(start, stop, label)``, half-open; rows with label 0 are ignored.
    size, step : int

    Returns
    -------
    starts : ndarray of shape (n_windows,) of int64
    labels : ndarray of shape (n_windows,) of int64

    Examples
    --------
    >>> s, y = pure_window_starts([[0, 10, 1], [10, 13, 2], [20, 30, 3]], 4, 4)
    >>> s.tolist(), y.tolist()
    ([0, 4, 20, 24], [1, 1, 3, 3])
    """
    size, step = _check_size_step(size, step)
    seg = np.asarray(segments, dtype=np.int64).reshape(-1, 3)
    starts, labels = [], []
    for a, b, lab in seg:
        if lab == 0:
            continue
        s = a + window_starts(b - a, size, step)
        starts.append(s)
        labels.append(np.full(len(s), lab, dtype=np.int64))
    if not starts:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(starts), np.concatenate(labels)


def window_labels(labels: np.ndarray, starts: np.ndarray, size: int, mode: str) -> np.ndarray:
    """Label of each window ``[s, s + size)`` from per-sample labels.

    Parameters
    ----------
    labels : array-like of shape (n_samples,) of int
    starts : array-like of shape (n_windows,) of int
    size : int
    mode : {"majority", "center"}
        ``"majority"``: the most frequent sample label (0 = unlabelled counts like any
        label; ties go to the smallest label). ``"center"``: the label of sample
        ``s + size // 2``.

    Returns
    -------
    ndarray of shape (n_windows,) of int64

    Examples
    --------
    >>> window_labels([1, 1, 2, 2, 2, 0], [0, 2], 4, "majority").tolist()
    [1, 2]
    >>> window_labels([1, 1, 2, 2, 2, 0], [0, 2], 4, "center").tolist()
    [2, 2]
    """
    lab = np.asarray(labels, dtype=np.int64).ravel()
    st = np.asarray(starts, dtype=np.int64).ravel()
    if len(st) and (st.min() < 0 or st.max() + size > len(lab)):
        raise ValueError("window_labels: a window runs outside the label array")
    if mode == "center":
        return lab[st + size // 2]
    if mode != "majority":
        raise ValueError(f"mode must be 'majority' or 'center', got {mode!r}")
    if len(st) == 0:
        return np.empty(0, dtype=np.int64)
    values = np.unique(lab)
    counts = np.empty((len(values), len(st)), dtype=np.int64)
    for j, v in enumerate(values):
        c = np.concatenate([[0], np.cumsum(lab == v)])
        counts[j] = c[st + size] - c[st]
    return values[np.argmax(counts, axis=0)]


# --------------------------------------------------------------------------- container


@dataclass
class Windows:
    """Fixed-length windows with their labels and where they came from.

    Only ``X`` is required; the other fields get defaults that treat every window as its
    own recording (which is what a UCR-style collection is).

    Parameters
    ----------
    X : ndarray of shape (n_windows, size, n_channels)
        Converted to float32; a 2-D array is univariate.
    y : ndarray of shape (n_windows,) of int, optional
        Window labels (0 = unlabelled), None when the windows are unlabelled.
    origins : ndarray of shape (n_windows, 2) of int64, optional
        ``(recording index, start sample)``; default ``(i, 0)``.
    subject : ndarray of shape (n_windows,) of int64, optional
        Subject id per window, -1 where unknown (the default).
    channels : list of str, optional
        Default ``ch0, ch1, ...``.
    sampling_rate : float, default=1.0
    size : int, optional
        Window length; default ``X.shape[1]``.
    step : int, optional
        Hop between window starts; default ``size``.
    labels_mode : {"pure", "majority", "center"} or None, default=None
        How ``y`` was derived.
    recording_names : list of str, optional
        Name of each recording referenced by ``origins[:, 0]``.
    recording_lengths : ndarray of shape (n_recordings,) of int64, optional
        Number of samples of each recording.
    source : str, default=""
        Provenance (file or folder).
    attrs : dict, default={}
        Extra JSON-serialisable provenance (scaler description, ...), kept in window stores.

    Examples
    --------
    >>> import numpy as np
    >>> w = Windows(np.zeros((4, 8, 2)), y=np.array([1, 1, 2, 0]))
    >>> w.X.shape, len(w), w.class_counts()
    ((4, 8, 2), 4, {0: 1, 1: 2, 2: 1})
    >>> w[w.y == 1].origins.tolist()
    [[0, 0], [1, 0]]
    """

    X: np.ndarray
    y: np.ndarray | None = None
    origins: np.ndarray | None = None
    subject: np.ndarray | None = None
    channels: list[str] | None = None
    sampling_rate: float = 1.0
    size: int | None = None
    step: int | None = None
    labels_mode: str | None = None
    recording_names: list[str] | None = None
    recording_lengths: np.ndarray | None = None
    source: str = ""
    attrs: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        X = check_collection(self.X, min_samples=0)
        self.X = X
        n, T, C = X.shape
        if self.size is None:
            self.size = T
        if int(self.size) != T:
            raise ValueError(f"size={self.size} but X holds windows of {T} time points")
        self.size = int(self.size)
        self.step = self.size if self.step is None else int(self.step)
        if self.y is not None:
            y = np.asarray(self.y)
            if y.shape != (n,):
                raise ValueError(f"y must have shape ({n},), got {y.shape}")
            if y.dtype.kind == "f" and np.all(y == np.round(y)):
                y = y.astype(np.int64)
            self.y = y.astype(np.int64) if y.dtype.kind in "iub" else y
        if self.origins is None:
            self.origins = np.stack([np.arange(n), np.zeros(n, dtype=np.int64)], axis=1)
        self.origins = np.asarray(self.origins, dtype=np.int64).reshape(-1, 2)
        if len(self.origins) != n:
            raise ValueError(f"origins must have shape ({n}, 2), got {self.origins.shape}")
        if self.subject is None:
            self.subject = np.full(n, -1, dtype=np.int64)
        self.subject = np.asarray(self.subject, dtype=np.int64).ravel()
        if self.subject.shape != (n,):
            raise ValueError(f"subject must have shape ({n},), got {self.subject.shape}")
        if not self.channels:
            self.channels = [f"ch{i}" for i in range(C)]
        self.channels = [str(c) for c in self.channels]
        if len(self.channels) != C:
            raise ValueError(f"{len(self.channels)} channel name(s) for {C} channel(s)")
        self.sampling_rate = float(self.sampling_rate)
        n_rec = int(self.origins[:, 0].max()) + 1 if n else 0
        if self.recording_names is None:
            self.recording_names = [str(i) for i in range(n_rec)]
        self.recording_names = [str(r) for r in self.recording_names]
        if self.recording_lengths is None:
            self.recording_lengths = np.full(len(self.recording_names), self.size, dtype=np.int64)
        self.recording_lengths = np.asarray(self.recording_lengths, dtype=np.int64).ravel()
        if len(self.recording_lengths) != len(self.recording_names):
            raise ValueError("recording_names and recording_lengths differ in length")
        if n_rec > len(self.recording_names):
            raise ValueError(
                f"origins reference recording {n_rec - 1} but only "
                f"{len(self.recording_names)} recording name(s) are given"
            )
        self.attrs = dict(self.attrs or {})

    def __len__(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_channels(self) -> int:
        """Number of channels."""
        return int(self.X.shape[2])

    def __getitem__(self, index: Any) -> Windows:
        """Subset of the windows (int array, bool mask or slice); recordings are kept."""
        if isinstance(index, numbers.Integral):
            index = [int(index)]
        return replace(
            self,
            X=self.X[index],
            y=None if self.y is None else self.y[index],
            origins=self.origins[index],
            subject=self.subject[index],
        )

    def class_counts(self) -> dict[int, int]:
        """Number of windows per label (empty dict when unlabelled)."""
        if self.y is None:
            return {}
        vals, counts = np.unique(self.y, return_counts=True)
        return {v.item(): int(c) for v, c in zip(vals, counts, strict=True)}

    def __repr__(self) -> str:
        lab = "unlabelled" if self.y is None else f"labels={self.labels_mode or 'given'}"
        return (
            f"Windows(n={len(self)}, size={self.size}, step={self.step}, "
            f"channels={self.channels}, sampling_rate={self.sampling_rate:g}, {lab}, "
            f"recordings={len(self.recording_names)})"
        )

    @classmethod
    def concatenate(cls, parts: Sequence[Windows]) -> Windows:
        """Join windows from several sources; recording indices are offset accordingly.

        Raises
        ------
        ValueError
            Empty list, or parts that differ in size, channels, sampling rate or labelling.
        """
        parts = list(parts)
        if not parts:
            raise ValueError("Windows.concatenate needs at least one part")
        first = parts[0]
        for p in parts[1:]:
            check_compatible(first, p)
        offsets = np.cumsum([0] + [len(p.recording_names) for p in parts])
        origins = [p.origins + np.array([off, 0]) for p, off in zip(parts, offsets, strict=False)]
        return replace(
            first,
            X=np.concatenate([p.X for p in parts]),
            y=None if first.y is None else np.concatenate([p.y for p in parts]),
            origins=np.concatenate(origins),
            subject=np.concatenate([p.subject for p in parts]),
            recording_names=[n for p in parts for n in p.recording_names],
            recording_lengths=np.concatenate([p.recording_lengths for p in parts]),
        )


def check_compatible(a: Windows, b: Windows) -> None:
    """Raise a ValueError if ``b`` cannot be stored or joined after ``a``."""
    problems = []
    if a.size != b.size:
        problems.append(f"size {a.size} vs {b.size}")
    if a.step != b.step:
        problems.append(f"step {a.step} vs {b.step}")
    if a.channels != b.channels:
        problems.append(f"channels {a.channels} vs {b.channels}")
    if not np.isclose(a.sampling_rate, b.sampling_rate):
        problems.append(f"sampling_rate {a.sampling_rate:g} vs {b.sampling_rate:g}")
    if (a.y is None) != (b.y is None):
        problems.append("labelled vs unlabelled")
    if a.labels_mode != b.labels_mode:
        problems.append(f"labels_mode {a.labels_mode!r} vs {b.labels_mode!r}")
    if problems:
        raise ValueError("incompatible windows: " + "; ".join(problems))


# --------------------------------------------------------------------------- transformer


def _as_recordings(recordings: Any) -> list[Recording]:
    if isinstance(recordings, Recording):
        return [recordings]
    if isinstance(recordings, np.ndarray):
        if recordings.ndim not in (1, 2):
            raise ValueError(
                "an array input is one recording of shape (n_samples, n_channels); "
                f"got shape {recordings.shape}"
            )
        return [Recording(recordings, name="0")]
    recs = list(recordings)
    out = []
    for i, r in enumerate(recs):
        if isinstance(r, Recording):
            out.append(r)
        else:
            out.append(Recording(np.asarray(r), name=str(i)))
    return out


class SlidingWindows(BaseEstimator):
    """Cut recordings into fixed-length windows.

    Parameters
    ----------
    size : int, default=128
        Window length in samples (128 = 2.56 s at 50 Hz, as in HAPT).
    step : int, default=64
        Hop between window starts (64 = 50 % overlap).
    labels : {"pure", "majority", "center", None}, default="pure"
        ``"pure"``: keep only windows that lie entirely inside one labelled segment, stepping
        from each segment's start (segments are ``Recording.segments`` when given, e.g. one
        per HAPT ``labels.txt`` line, else maximal runs of one nonzero label); segments
        shorter than ``size`` give no window. ``"majority"`` / ``"center"``: window the whole
        recording from sample 0 and label each window by its most frequent sample label /
        its center sample (0 = unlabelled). None (or ``"none"``): window the whole
        recording, no labels (unlabelled recordings are accepted).

    Notes
    -----
    Windows that contain a sample marked invalid (``Recording.valid``) are skipped.
    The transformer is stateless: ``fit`` does nothing.

    Examples
    --------
    >>> import numpy as np
    >>> from tsclust.data import Recording
    >>> rec = Recording(np.arange(20.0), labels=np.r_[np.zeros(2), np.ones(10), 2 * np.ones(8)])
    >>> w = SlidingWindows(size=4, step=2, labels="pure").transform([rec])
    >>> w.origins[:, 1].tolist(), w.y.tolist()
    ([2, 4, 6, 8, 12, 14, 16], [1, 1, 1, 1, 2, 2, 2])
    """

    def __init__(self, size: int = 128, step: int = 64, labels: str | None = "pure"):
        self.size = size
        self.step = step
        self.labels = labels

    def _mode(self) -> str | None:
        mode = None if self.labels in (None, "none") else self.labels
        if mode not in LABEL_MODES:
            raise ValueError(
                f"labels must be one of 'pure', 'majority', 'center' or None, got {self.labels!r}"
            )
        return mode

    def fit(self, recordings: Any = None, y: Any = None) -> SlidingWindows:
        """Check the parameters; nothing is learned. Returns ``self``."""
        _check_size_step(self.size, self.step)
        self._mode()
        return self

    def fit_transform(self, recordings: Any, y: Any = None) -> Windows:
        """Same as :meth:`transform`."""
        return self.transform(recordings)

    def transform(self, recordings: Recording | Sequence[Recording] | np.ndarray) -> Windows:
        """Window ``recordings``.

        Parameters
        ----------
        recordings : Recording, sequence of Recording, or ndarray of shape (n_samples, n_channels)
            All must share channels and sampling rate. An array is one unlabelled recording.

        Returns
        -------
        Windows
            ``X`` (n_windows, size, n_channels) float32, ``y`` (n_windows,) or None,
            ``origins`` (n_windows, 2) = (index into ``recordings``, start sample).

        Raises
        ------
        ValueError
            Bad size/step/labels, empty input, a recording shorter than ``size``, an
            unlabelled recording with a labelling mode, mixed channels or sampling rates.
        """
        size, step = _check_size_step(self.size, self.step)
        mode = self._mode()
        recs = _as_recordings(recordings)
        if not recs:
            raise ValueError("SlidingWindows.transform: no recordings given")
        ref = recs[0]
        for r in recs[1:]:
            if r.channels != ref.channels:
                raise ValueError(
                    f"recording {r.name!r} has channels {r.channels}, but {ref.name!r} has "
                    f"{ref.channels}"
                )
            if not np.isclose(r.sampling_rate, ref.sampling_rate):
                raise ValueError(
                    f"recording {r.name!r} is sampled at {r.sampling_rate:g} Hz, but "
                    f"{ref.name!r} at {ref.sampling_rate:g} Hz"
                )
        Xs, ys, origins, subjects = [], [], [], []
        for i, r in enumerate(recs):
            starts, y = self._starts_labels(r, i, size, step, mode)
            if r.valid is not None and len(starts):
                bad = np.concatenate([[0], np.cumsum(~r.valid)])
                ok = bad[starts + size] == bad[starts]
                starts = starts[ok]
                y = None if y is None else y[ok]
            view = np.lib.stride_tricks.sliding_window_view(r.signals, size, axis=0)
            Xs.append(np.ascontiguousarray(view[starts].transpose(0, 2, 1)))
            ys.append(y)
            origins.append(np.stack([np.full(len(starts), i), starts], axis=1))
            subjects.append(np.full(len(starts), -1 if r.subject is None else r.subject))
        X = np.concatenate(Xs).astype(np.float32, copy=False)
        if len(X) == 0 and mode is not None and not any(r.labels.any() for r in recs):
            raise ValueError(
                "every label is 0 (unlabelled), so no window has a label: use labels=None "
                "(--labels none on the command line)"
            )
        if len(X) == 0:
            logger.warning("SlidingWindows: no window fits (size=%d, labels=%r)", size, mode)
        return Windows(
            X=X,
            y=None if mode is None else np.concatenate(ys).astype(np.int64),
            origins=np.concatenate(origins).astype(np.int64),
            subject=np.concatenate(subjects).astype(np.int64),
            channels=list(ref.channels),
            sampling_rate=ref.sampling_rate,
            size=size,
            step=step,
            labels_mode=mode,
            recording_names=[r.name or str(i) for i, r in enumerate(recs)],
            recording_lengths=np.array([r.n_samples for r in recs], dtype=np.int64),
            source=ref.source if all(r.source == ref.source for r in recs) else "",
        )

    @staticmethod
    def _starts_labels(r: Recording, i: int, size: int, step: int, mode: str | None):
        name = r.name or f"#{i}"
        if r.n_samples < size:
            raise ValueError(
                f"recording {name!r} has {r.n_samples} samples, fewer than the window size {size}"
            )
        if mode is not None and r.labels is None:
            raise ValueError(
                f"recording {name!r} has no labels; use labels=None to window it unlabelled"
            )
        if mode == "pure":
            segs = r.segments if r.segments is not None else segments_from_labels(r.labels)
            return pure_window_starts(segs, size, step)
        starts = window_starts(r.n_samples, size, step)
        if mode is None:
            return starts, None
        return starts, window_labels(r.labels, starts, size, mode)
