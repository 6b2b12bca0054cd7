"""Put window clusters back on the timeline of a recording.

A recording is cut into overlapping windows, each window is clustered, and every sample gets
the cluster that the windows covering it vote for (:func:`vote`). Short runs are then merged
into a neighbour (:func:`smooth`) and the sample track is turned into segments
(:func:`to_segments`). :func:`segment_recording` chains these steps for a fitted estimator;
:func:`evaluate_segmentation` scores a sample track against ground truth.

Everything here is pure computation on numpy arrays except the two tiny CSV helpers
:func:`segments_to_csv` / :func:`segments_from_csv`.
"""

from __future__ import annotations

import csv
import logging
import math
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from .data.recording import Recording, step_decimals

__all__ = [
    "Segment",
    "SegmentationResult",
    "vote",
    "smooth",
    "to_segments",
    "change_points",
    "segments_to_csv",
    "segments_from_csv",
    "segment_recording",
    "evaluate_segmentation",
]

logger = logging.getLogger(__name__)

UNCOVERED = -1
"""Label of samples that no window covers."""


# --------------------------------------------------------------------------- voting


def _vote_scores(
    window_output: Any, starts: Any, size: int, n_samples: int, n_clusters: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Summed votes (n_samples, K) float64 and coverage counts (n_samples,) int64."""
    out = np.asarray(window_output)
    st = np.asarray(starts)
    if st.ndim != 1 or (st.size and st.dtype.kind not in "iu"):
        raise ValueError(f"starts must be a 1-D integer array, got shape {st.shape}, {st.dtype}")
    st = st.astype(np.int64)
    size, n_samples = int(size), int(n_samples)
    if size < 1 or n_samples < 0:
        raise ValueError(f"size must be >= 1 and n_samples >= 0, got {size}, {n_samples}")
    if out.shape[0] != st.shape[0]:
        raise ValueError(
            f"{out.shape[0]} window output(s) but {st.shape[0]} start(s); they must match"
        )
    if st.size and (st.min() < 0 or st.max() + size > n_samples):
        raise ValueError(
            f"windows [start, start + {size}) must lie inside the {n_samples} samples; "
            f"starts range from {st.min()} to {st.max()}"
        )
    if out.ndim == 2:  # soft assignments
        k = out.shape[1]
        if n_clusters is not None and int(n_clusters) != k:
            raise ValueError(f"window_output has {k} columns but n_clusters={n_clusters}")
        if not np.isfinite(out).all():
            raise ValueError("window_output (soft assignments) contains NaN or inf")
        weights = out.astype(np.float64)
        rows = np.repeat(st, k)
        cols = np.tile(np.arange(k), len(st))
        vals = weights.ravel()
    elif out.ndim == 1:  # hard labels
        if out.size and out.dtype.kind not in "iu":
            if not (np.isfinite(out).all() and np.all(out == np.round(out))):
                raise ValueError("hard window labels must be integers")
        lab = out.astype(np.int64)
        k = int(n_clusters) if n_clusters is not None else (int(lab.max()) + 1 if lab.size else 1)
        if lab.size and (lab.min() < 0 or lab.max() >= k):
            raise ValueError(
                f"hard window labels must lie in [0, {k}); got {lab.min()}..{lab.max()}"
            )
        rows, cols, vals = st, lab, np.ones(len(st))
    else:
        raise ValueError(
            "window_output must be labels (n_windows,) or soft assignments (n_windows, K); "
            f"got shape {out.shape}"
        )
    # difference arrays: +v at the start, -v one past the end, then a cumulative sum
    diff = np.zeros((n_samples + 1, k), dtype=np.float64)
    np.add.at(diff, (rows, cols), vals)
    np.add.at(diff, (rows + size, cols), -vals)
    scores = np.cumsum(diff[:-1], axis=0)
    cov_diff = np.zeros(n_samples + 1, dtype=np.int64)
    np.add.at(cov_diff, st, 1)
    np.add.at(cov_diff, st + size, -1)
    coverage = np.cumsum(cov_diff[:-1])
    scores[coverage == 0] = 0.0  # remove float residue of the cumulative sum
    return scores, coverage


def vote(
    window_output: Any,
    starts: Any,
    size: int,
    n_samples: int,
    n_clusters: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-sample labels from overlapping window labels or soft assignments.

    Each sample gets the cluster with the most votes (hard labels) or the highest mean soft
    assignment (soft) over the windows that cover it. Ties go to the lowest cluster index.

    Parameters
    ----------
    window_output : array-like of shape (n_windows,) or (n_windows, n_clusters)
        Hard cluster labels in ``[0, n_clusters)``, or soft assignments (rows of
        ``predict_proba``).
    starts : array-like of shape (n_windows,) of int
        First sample of each window; window ``i`` covers ``[starts[i], starts[i] + size)``.
    size : int
        Window length in samples.
    n_samples : int
        Length of the recording.
    n_clusters : int, optional
        Number of clusters; default ``max(label) + 1`` (hard) or the number of columns (soft).

    Returns
    -------
    sample_labels : ndarray of shape (n_samples,) of int64
        Winning cluster, ``-1`` where no window covers the sample (e.g. the tail of a
        recording when the step does not divide its length).
    confidence : ndarray of shape (n_samples,) of float64
        Share of the covering windows that voted for the winner (hard), or the winner's mean
        soft assignment (soft); 0 where uncovered.

    Raises
    ------
    ValueError
        Mismatched lengths, windows outside the recording, labels outside ``[0, n_clusters)``.

    Examples
    --------
    >>> labels, conf = vote([0, 1, 1], starts=[0, 2, 4], size=4, n_samples=9)
    >>> labels.tolist()
    [0, 0, 0, 0, 1, 1, 1, 1, -1]
    >>> conf.tolist()
    [1.0, 1.0, 0.5, 0.5, 1.0, 1.0, 1.0, 1.0, 0.0]
    """
    scores, coverage = _vote_scores(window_output, starts, size, n_samples, n_clusters)
    return _decide(scores, coverage)


def _decide(scores: np.ndarray, coverage: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    covered = coverage > 0
    labels = np.full(len(coverage), UNCOVERED, dtype=np.int64)
    conf = np.zeros(len(coverage), dtype=np.float64)
    if scores.shape[1] and covered.any():
        best = np.argmax(scores[covered], axis=1)
        labels[covered] = best
        conf[covered] = scores[covered, best] / coverage[covered]
    return labels, conf


# --------------------------------------------------------------------------- runs


def _runs(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run-length encoding: (starts, lengths, values)."""
    if len(labels) == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    change = np.flatnonzero(labels[1:] != labels[:-1]) + 1
    starts = np.concatenate([[0], change]).astype(np.int64)
    lengths = np.diff(np.concatenate([starts, [len(labels)]])).astype(np.int64)
    return starts, lengths, labels[starts].astype(np.int64)


def smooth(sample_labels: Any, min_duration: int) -> np.ndarray:
    """Merge runs shorter than ``min_duration`` samples into a neighbouring run.

    Repeatedly takes the shortest run below ``min_duration`` (the earliest on ties) and
    relabels it: with the label of both neighbours when they agree, else with the label of
    the longer neighbour (the left one on ties). Runs of ``-1`` (uncovered samples) are
    never changed and never absorb a run; a short run with no labelled neighbour is kept.

    Parameters
    ----------
    sample_labels : array-like of shape (n_samples,) of int
    min_duration : int
        Minimum run length in samples; ``<= 1`` returns a copy unchanged.

    Returns
    -------
    ndarray of shape (n_samples,) of int64

    Examples
    --------
    >>> smooth([0, 0, 0, 1, 0, 0, 2, 2, 2, 2], 2).tolist()
    [0, 0, 0, 0, 0, 0, 2, 2, 2, 2]
    >>> smooth([0, 0, 0, 1, 2, 2, 2, 2, -1], 2).tolist()
    [0, 0, 0, 2, 2, 2, 2, 2, -1]
    """
    lab = np.asarray(sample_labels)
    if lab.ndim != 1:
        raise ValueError(f"sample_labels must be 1-D, got shape {lab.shape}")
    lab = lab.astype(np.int64)
    if isinstance(min_duration, bool) or not isinstance(min_duration, (int, np.integer)):
        raise ValueError(f"min_duration must be an integer number of samples, got {min_duration!r}")
    if min_duration <= 1 or len(lab) == 0:
        return lab.copy()
    _, lengths, values = _runs(lab)
    lengths, values = list(lengths), list(values)
    stuck: set[int] = set()  # ids of short runs that cannot be merged (no labelled neighbour)
    ids = list(range(len(values)))
    next_id = len(values)
    while True:
        cand = [
            i for i in range(len(values))
            if values[i] != UNCOVERED and lengths[i] < min_duration and ids[i] not in stuck
        ]
        if not cand:
            break
        i = min(cand, key=lambda j: (lengths[j], j))
        left = i - 1 if i > 0 and values[i - 1] != UNCOVERED else None
        right = i + 1 if i + 1 < len(values) and values[i + 1] != UNCOVERED else None
        if left is None and right is None:
            stuck.add(ids[i])
            continue
        if left is not None and right is not None:
            if values[left] == values[right] or lengths[left] >= lengths[right]:
                target = left
            else:
                target = right
        else:
            target = left if left is not None else right
        values[i] = values[target]
        # coalesce runs i-1, i, i+1 that now share a label
        lo, hi = i, i
        while lo > 0 and values[lo - 1] == values[i]:
            lo -= 1
        while hi + 1 < len(values) and values[hi + 1] == values[i]:
            hi += 1
        merged = sum(lengths[lo : hi + 1])
        lengths[lo : hi + 1] = [merged]
        values[lo : hi + 1] = [values[i]]
        ids[lo : hi + 1] = [next_id]
        next_id += 1
    return np.repeat(np.asarray(values, dtype=np.int64), np.asarray(lengths, dtype=np.int64))


def change_points(labels: Any, ignore: Sequence[int] = (UNCOVERED,)) -> np.ndarray:
    """Indices ``i`` where ``labels[i] != labels[i - 1]``, both sides outside ``ignore``.

    Parameters
    ----------
    labels : array-like of shape (n_samples,)
    ignore : sequence of int, default=(-1,)
        Labels whose transitions are not change points (uncovered samples).

    Returns
    -------
    ndarray of shape (n_change_points,) of int64

    Examples
    --------
    >>> change_points([0, 0, 1, 1, -1, 1, 2]).tolist()
    [2, 6]
    """
    lab = np.asarray(labels).ravel()
    if len(lab) < 2:
        return np.empty(0, dtype=np.int64)
    i = np.flatnonzero(lab[1:] != lab[:-1]) + 1
    ok = ~np.isin(lab[i], ignore) & ~np.isin(lab[i - 1], ignore)
    return i[ok].astype(np.int64)


# --------------------------------------------------------------------------- segments


@dataclass(frozen=True)
class Segment:
    """One run of a cluster on a recording's timeline.

    Attributes
    ----------
    start, end : int
        Half-open sample range ``[start, end)``.
    cluster : int
        Cluster id; -1 for samples no window covers.
    confidence : float
        Mean per-sample confidence over the segment.
    start_s, end_s : float
        ``start`` and ``end`` in seconds, rounded to the decimals of the sampling period
        (:func:`tsclust.data.step_decimals`): ``2.56``, not ``2.5599999999999454``.
    """

    start: int
    end: int
    cluster: int
    confidence: float
    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return self.end_s - self.start_s


def to_segments(
    sample_labels: Any, confidence: Any, sampling_rate: float = 1.0
) -> list[Segment]:
    """Maximal runs of one label as :class:`Segment` objects.

    Parameters
    ----------
    sample_labels : array-like of shape (n_samples,) of int
        Uncovered samples (-1) form segments with cluster -1.
    confidence : array-like of shape (n_samples,)
        Per-sample confidence; each segment gets its mean.
    sampling_rate : float, default=1.0
        In Hz, for the times in seconds (rounded to :func:`tsclust.data.step_decimals` decimals).

    Returns
    -------
    list of Segment

    Examples
    --------
    >>> segs = to_segments([0, 0, 1], [1.0, 0.5, 1.0], sampling_rate=2.0)
    >>> [(s.start, s.end, s.cluster, s.confidence, s.end_s) for s in segs]
    [(0, 2, 0, 0.75, 1.0), (2, 3, 1, 1.0, 1.5)]
    """
    lab = np.asarray(sample_labels).astype(np.int64).ravel()
    conf = np.asarray(confidence, dtype=np.float64).ravel()
    if conf.shape != lab.shape:
        raise ValueError(f"confidence has shape {conf.shape}, sample_labels {lab.shape}")
    rate = float(sampling_rate)
    if not math.isfinite(rate) or rate <= 0:
        raise ValueError(f"sampling_rate must be positive, got {sampling_rate}")
    starts, lengths, values = _runs(lab)
    csum = np.concatenate([[0.0], np.cumsum(conf)])
    decimals = step_decimals(rate)
    out = []
    for s, n, v in zip(starts.tolist(), lengths.tolist(), values.tolist(), strict=True):
        e = s + n
        out.append(Segment(s, e, v, float((csum[e] - csum[s]) / n),
                           round(s / rate, decimals), round(e / rate, decimals)))
    return out


_CSV_FIELDS = [f.name for f in fields(Segment)]


def segments_to_csv(
    segments: Sequence[Segment], path: str | os.PathLike, *, overwrite: bool = False
) -> Path:
    """Write segments to a CSV file with header ``start,end,cluster,confidence,start_s,end_s``.

    Floats are written with ``repr`` so :func:`segments_from_csv` reads them back exactly.

    Raises
    ------
    FileExistsError
        ``path`` exists and ``overwrite`` is False.
    """
    from .io import atomic_text

    p = Path(path)
    with atomic_text(p, overwrite=overwrite) as fh:  # all or nothing
        writer = csv.DictWriter(fh, fieldnames=_CSV_FIELDS)
        writer.writeheader()
        for seg in segments:
            writer.writerow({k: repr(v) for k, v in asdict(seg).items()})
    return p


def segments_from_csv(path: str | os.PathLike) -> list[Segment]:
    """Read segments written by :func:`segments_to_csv`."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{p} not found")
    with open(p, newline="") as fh:
        reader = csv.DictReader(fh)
        missing = set(_CSV_FIELDS) - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{p} is not a segments CSV: missing column(s) {sorted(missing)}")
        try:
            return [
                Segment(
                    int(r["start"]), int(r["end"]), int(r["cluster"]), float(r["confidence"]),
                    float(r["start_s"]), float(r["end_s"]),
                )
                for r in reader
            ]
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{p}: bad value in line {reader.line_num}: {exc}") from None


# --------------------------------------------------------------------------- pipeline


@dataclass
class SegmentationResult:
    """What :func:`segment_recording` returns.

    Attributes
    ----------
    sample_labels : ndarray of shape (n_samples,) of int64
        Cluster per sample after voting and smoothing; -1 where no window covers it.
    confidence : ndarray of shape (n_samples,) of float64
        Mean soft assignment (or vote share) of each sample's final cluster over the windows
        covering it; 0 where uncovered.
    segments : list of Segment
    window_labels : ndarray of shape (n_windows,) of int64
        Cluster of each window.
    starts : ndarray of shape (n_windows,) of int64
        First sample of each window.
    window_proba : ndarray of shape (n_windows, n_clusters) or None
        Soft assignments when they were used for voting.
    size, step : int
        Window length and hop in samples.
    n_clusters : int
    sampling_rate : float
    """

    sample_labels: np.ndarray
    confidence: np.ndarray
    segments: list[Segment]
    window_labels: np.ndarray
    starts: np.ndarray
    window_proba: np.ndarray | None = None
    size: int = 0
    step: int = 0
    n_clusters: int = 0
    sampling_rate: float = 1.0


def _n_clusters_of(estimator: Any, window_labels: np.ndarray) -> int:
    k = getattr(estimator, "n_clusters", None)
    centers = getattr(estimator, "cluster_centers_", None)
    if centers is not None:
        k = len(centers)
    if not isinstance(k, (int, np.integer)):
        k = int(window_labels.max()) + 1 if window_labels.size else 1
    return max(int(k), int(window_labels.max()) + 1 if window_labels.size else 1)


def _predict_chunks(fn: Any, X: np.ndarray, chunk: int) -> np.ndarray:
    return np.concatenate([np.asarray(fn(X[i : i + chunk])) for i in range(0, len(X), chunk)])


def segment_recording(
    estimator: Any,
    recording: Recording | np.ndarray,
    *,
    step: int = 16,
    size: int | None = None,
    min_duration: float | None = None,
    soft: bool = True,
    chunk_size: int = 4096,
) -> SegmentationResult:
    """Segment one recording with a fitted window clusterer.

    The recording is cut into windows of ``size`` samples every ``step`` samples (no labels
    needed), each window is clustered (``predict_proba`` when the estimator has it and
    ``soft``, else ``predict``), the windows vote per sample (:func:`vote`), and runs shorter
    than ``min_duration`` seconds are merged into a neighbour (:func:`smooth`).

    Parameters
    ----------
    estimator : fitted estimator
        :class:`tsclust.DeepClusterer` or any object with ``predict`` (the baselines) taking
        windows of shape (n_windows, size, n_channels).
    recording : Recording or ndarray of shape (n_samples, n_channels)
        An array is an unlabelled recording at 1 Hz.
    step : int, default=16
        Hop between windows in samples; smaller is finer and slower.
    size : int, optional
        Window length; default the estimator's ``n_timepoints_``.
    min_duration : float, optional
        Minimum segment duration in **seconds** (converted with the recording's sampling
        rate); None or 0 means no smoothing.
    soft : bool, default=True
        Vote with soft assignments where the estimator has ``predict_proba``.
    chunk_size : int, default=4096
        Windows predicted at a time (bounds memory on long recordings).

    Returns
    -------
    SegmentationResult

    Raises
    ------
    ValueError
        A recording shorter than the window, a channel count or window size different from
        the fitted one, an estimator without ``predict``.

    Examples
    --------
    >>> import numpy as np
    >>> from tsclust.baselines import EuclideanKMeans
    >>> x = np.r_[np.zeros(64), np.ones(64)][:, None]
    >>> windows = np.r_[np.zeros((4, 16, 1)), np.ones((4, 16, 1))]
    >>> est = EuclideanKMeans(2, random_state=0).fit(windows)
    >>> res = segment_recording(est, x, step=16)
    >>> [(s.start, s.end, s.cluster == int(res.window_labels[0])) for s in res.segments]
    [(0, 64, True), (64, 128, False)]
    """
    from .preprocessing.windows import SlidingWindows

    if not hasattr(estimator, "predict"):
        raise ValueError(f"{type(estimator).__name__} has no predict method")
    rec = recording if isinstance(recording, Recording) else Recording(np.asarray(recording))
    fitted_size = getattr(estimator, "n_timepoints_", None)
    if size is None:
        if fitted_size is None:
            raise ValueError(
                f"size is needed: {type(estimator).__name__} has no n_timepoints_ (is it fitted?)"
            )
        size = int(fitted_size)
    elif fitted_size is not None and int(size) != int(fitted_size):
        raise ValueError(f"size={size} but the estimator was fitted on windows of {fitted_size}")
    n_ch = getattr(estimator, "n_channels_", None)
    name = rec.name or "recording"
    if n_ch is not None and int(n_ch) != rec.n_channels:
        hint = ""
        if int(n_ch) < rec.n_channels:
            hint = (
                "; if a column of the recording is not a sensor channel (labels, ids, flags), "
                "name it as the label column (--label-column, label_column=) or leave it out "
                "(--ignore-columns, ignore_columns=)"
            )
        raise ValueError(
            f"{name!r} has {rec.n_channels} channel(s) ({', '.join(rec.channels)}) but the "
            f"model was fitted on {n_ch}{hint}"
        )
    if rec.n_samples < size:
        raise ValueError(
            f"{name!r} has {rec.n_samples} samples ({rec.duration:g} s), shorter than the "
            f"model's window of {size} samples ({size / rec.sampling_rate:g} s)"
        )
    w = SlidingWindows(size=size, step=step, labels=None).transform([rec])
    starts = w.origins[:, 1].astype(np.int64)
    if len(starts) == 0:
        raise ValueError(f"{name!r}: no window without invalid samples fits")
    proba = None
    if soft and hasattr(estimator, "predict_proba"):
        proba = _predict_chunks(estimator.predict_proba, w.X, chunk_size).astype(np.float64)
        window_labels = np.argmax(proba, axis=1).astype(np.int64)
        k = proba.shape[1]
        scores, coverage = _vote_scores(proba, starts, size, rec.n_samples, k)
    else:
        window_labels = _predict_chunks(estimator.predict, w.X, chunk_size).astype(np.int64)
        k = _n_clusters_of(estimator, window_labels)
        scores, coverage = _vote_scores(window_labels, starts, size, rec.n_samples, k)
    labels, conf = _decide(scores, coverage)
    if min_duration:
        min_samples = int(round(float(min_duration) * rec.sampling_rate))
        labels = smooth(labels, min_samples)
        covered = labels != UNCOVERED
        idx = np.flatnonzero(covered)
        conf = np.zeros(rec.n_samples, dtype=np.float64)
        conf[idx] = scores[idx, labels[idx]] / coverage[idx]
    logger.info(
        "segmented %s: %d windows (size %d, step %d), %d clusters",
        name, len(starts), size, step, k,
    )
    return SegmentationResult(
        sample_labels=labels,
        confidence=conf,
        segments=to_segments(labels, conf, rec.sampling_rate),
        window_labels=window_labels,
        starts=starts,
        window_proba=proba,
        size=int(size),
        step=int(step),
        n_clusters=int(k),
        sampling_rate=rec.sampling_rate,
    )


# --------------------------------------------------------------------------- evaluation


def _true_boundaries(true: np.ndarray, ignore_label: Any) -> np.ndarray:
    """Intervals ``[lo, hi]`` where the true activity changes.

    A direct change ``A -> B`` at sample ``i`` gives ``[i, i]``; ``A, ignore..., B`` with
    ``A != B`` gives the whole unlabelled gap (the change happens somewhere inside it).
    """
    starts, lengths, values = _runs(true)
    labelled = [j for j in range(len(values)) if values[j] != ignore_label]
    out = []
    for a, b in zip(labelled[:-1], labelled[1:], strict=True):
        if values[a] == values[b]:
            continue
        if b == a + 1:
            out.append((starts[b], starts[b]))
        else:
            out.append((starts[a + 1], starts[b]))
    return np.asarray(out, dtype=np.int64).reshape(-1, 2)


def _match_boundaries(pred: np.ndarray, true: np.ndarray, tolerance: int) -> int:
    """Largest one-to-one matching of predicted points to true intervals within tolerance."""
    if len(pred) == 0 or len(true) == 0:
        return 0
    from scipy.optimize import linear_sum_assignment

    lo, hi = true[:, 0][None, :], true[:, 1][None, :]
    p = pred[:, None]
    dist = np.maximum(np.maximum(lo - p, p - hi), 0)
    ok = dist <= tolerance
    m = min(len(pred), len(true))
    # valid pairs cost in [-1, -1 + 1/(m+1)]: more matches always win, then closer ones
    cost = np.where(ok, -1.0 + dist / ((tolerance + 1.0) * (m + 1)), 0.0)
    r, c = linear_sum_assignment(cost)
    return int(ok[r, c].sum())


def evaluate_segmentation(
    sample_labels: Any,
    true_labels: Any,
    *,
    tolerance: int = 64,
    ignore_label: int = 0,
) -> dict[str, float]:
    """Score a per-sample cluster track against per-sample ground truth.

    Parameters
    ----------
    sample_labels : array-like of shape (n_samples,) of int
        Predicted clusters, -1 where uncovered.
    true_labels : array-like of shape (n_samples,) of int
        True classes, ``ignore_label`` where unlabelled.
    tolerance : int, default=64
        Boundary matching tolerance in samples (64 = 1.28 s at 50 Hz, half a default window).
    ignore_label : int, default=0
        Unlabelled samples: excluded from the per-sample scores; an unlabelled gap between
        two different activities counts as one true boundary anywhere inside the gap.

    Returns
    -------
    scores : dict
        ``ari``, ``nmi``, ``acc`` (:func:`tsclust.metrics.evaluate` over samples with a true
        label and a predicted cluster; NaN when there are none), ``n_scored`` (that number),
        ``coverage`` (share of labelled samples with a predicted cluster), and
        ``boundary_precision``, ``boundary_recall``, ``boundary_f1``, ``n_pred_boundaries``,
        ``n_true_boundaries``. Predicted boundaries are the :func:`change_points` of
        ``sample_labels`` strictly inside the span from the first to the last labelled sample; each
        true boundary matches at most one predicted boundary within ``tolerance`` samples.
        Precision (recall) is 1 when there are no predicted (true) boundaries and no true
        (predicted) ones, 0 when only the other side has some.

    Examples
    --------
    >>> pred = [0] * 10 + [1] * 10 + [0] * 10
    >>> true = [1] * 11 + [2] * 19
    >>> s = evaluate_segmentation(pred, true, tolerance=2)
    >>> s["boundary_precision"], s["boundary_recall"]
    (0.5, 1.0)
    """
    from .metrics import evaluate

    pred = np.asarray(sample_labels).astype(np.int64).ravel()
    true = np.asarray(true_labels).ravel()
    if pred.shape != true.shape:
        raise ValueError(f"sample_labels has {pred.shape[0]} samples, true_labels {true.shape[0]}")
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, np.integer)) or tolerance < 0:
        raise ValueError(f"tolerance must be an integer >= 0 (samples), got {tolerance!r}")
    labelled = true != ignore_label
    mask = labelled & (pred != UNCOVERED)
    n_scored = int(mask.sum())
    if n_scored:
        scores = evaluate(true[mask], pred[mask])
    else:
        scores = {"ari": math.nan, "nmi": math.nan, "acc": math.nan}
    out: dict[str, float] = dict(scores)
    out["n_scored"] = n_scored
    n_lab = int(labelled.sum())
    out["coverage"] = n_scored / n_lab if n_lab else math.nan

    tb = _true_boundaries(true, ignore_label)
    pb = change_points(pred)
    if n_lab:
        idx = np.flatnonzero(labelled)
        pb = pb[(pb > idx[0]) & (pb <= idx[-1])]
    else:
        pb = pb[:0]
    matched = _match_boundaries(pb, tb, int(tolerance))
    n_p, n_t = len(pb), len(tb)
    prec = matched / n_p if n_p else float(n_t == 0)
    rec = matched / n_t if n_t else float(n_p == 0)
    out["boundary_precision"] = prec
    out["boundary_recall"] = rec
    out["boundary_f1"] = 2 * prec * rec / (prec + rec) if prec + rec > 0 else 0.0
    out["n_pred_boundaries"] = n_p
    out["n_true_boundaries"] = n_t
    return out
