"""Run clustering methods x seeds on one set of windows and score each run.

Measurements per run
--------------------
``fit_time_s`` and ``predict_time_s`` (``time.perf_counter``), ``wall_time_s`` (building the
estimator + fit + predict; scoring excluded; imports are done before the first run, but the
numba compilation of tslearn's DTW / soft-DTW / KShape code lands in the first run of such a
method, seconds that matter only on tiny data) and ``peak_mem_mb``: the peak resident memory of
*this process* during the run above its resident memory at the start of the run. On Linux the
kernel's high-water mark is reset before each run (``/proc/self/clear_refs``), so the number is
per run. Elsewhere it falls back to the growth of ``resource.getrusage().ru_maxrss``, a
process-lifetime high-water mark: then a run that stays below an earlier run's peak reports 0,
i.e. a lower bound. Memory held by other processes (joblib workers) is not counted.
"""

from __future__ import annotations

import logging
import math
import numbers
import os
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from .._validation import check_n_clusters, check_random_state
from ..metrics import evaluate, internal_scores
from .methods import check_methods, make_method, warm_imports
from .protocols import HeldOut, Protocol, Split, WindowSet, check_protocol, check_windows
from .report import (
    RESULT_COLUMNS,
    RESULT_FILES,
    SCORE_COLUMNS,
    csv_text,
    json_text,
    markdown,
    stamped,
)

__all__ = ["compare", "SILHOUETTE_SAMPLE_SIZE"]

logger = logging.getLogger(__name__)

SILHOUETTE_SAMPLE_SIZE = 2000
"""Windows sampled (seeded by the run's seed) for the silhouette of a run."""


# ------------------------------------------------------------------ memory probe


def _status_kb(field: str) -> float | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return float(line.split()[1])
    except OSError:
        return None
    return None


def _ru_maxrss_mb() -> float:
    import resource

    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss / 2**20 if sys.platform == "darwin" else maxrss / 2**10  # bytes vs KiB


class _PeakMemory:
    """Peak RSS of this process during a block, in MiB above the RSS at its start."""

    def __init__(self) -> None:
        self.peak_mb = math.nan

    def __enter__(self) -> _PeakMemory:
        self._per_run = False
        try:
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")  # resets VmHWM (the peak RSS) to the current RSS
            self._per_run = _status_kb("VmHWM") is not None
        except OSError:
            pass
        rss = _status_kb("VmRSS")
        self._start = rss / 1024 if rss is not None else None
        self._start_max = _ru_maxrss_mb()
        self.peak_mb = math.nan
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._per_run and self._start is not None:
            hwm = _status_kb("VmHWM")
            self.peak_mb = max(hwm / 1024 - self._start, 0.0) if hwm is not None else math.nan
        else:
            self.peak_mb = max(_ru_maxrss_mb() - self._start_max, 0.0)


# ------------------------------------------------------------------ one run


@dataclass(frozen=True)
class _Job:
    """One run: a method with a seed (and what its row records)."""

    method: str
    seed: int
    n_clusters: int
    params: Mapping[str, Any] | None
    protocol: str
    subsample: int | None


def _new_row(job: _Job, n_train: int, n_test: int) -> dict[str, Any]:
    row: dict[str, Any] = {col: math.nan for col in RESULT_COLUMNS}
    row.update(
        method=job.method,
        seed=job.seed,
        protocol=job.protocol,
        n_clusters=job.n_clusters,
        n_train=n_train,
        n_test=n_test,
        subsample=job.subsample,
        error=None,
    )
    return row


def _scores(job: _Job, labels: Any, scored: WindowSet) -> dict[str, float]:
    """ARI/NMI/ACC (with classes) and the sampled silhouette of a run's labels."""
    labels = np.asarray(labels)
    if labels.shape != (len(scored),):
        raise ValueError(
            f"{job.method} returned labels of shape {labels.shape}, expected ({len(scored)},)"
        )
    scores = {} if scored.y is None else dict(evaluate(scored.y, labels))
    scores["silhouette"] = internal_scores(
        scored.common(), labels, sample_size=SILHOUETTE_SAMPLE_SIZE, random_state=job.seed
    )["silhouette"]
    return scores


def _record_failure(row: dict[str, Any], job: _Job, exc: Exception, start: float) -> None:
    if math.isnan(row["wall_time_s"]):
        row["wall_time_s"] = time.perf_counter() - start
    row.update(dict.fromkeys(SCORE_COLUMNS, math.nan))
    row["error"] = f"{type(exc).__name__}: {exc}"
    logger.warning("%s (seed %s) failed: %s", job.method, job.seed, row["error"])
    logger.debug("traceback of %s (seed %s)", job.method, job.seed, exc_info=True)


def _run_one(job: _Job, protocol: Protocol, fitted: WindowSet, scored: WindowSet) -> dict[str, Any]:
    """Build, fit and score one run; a run that raises is reported in its row's ``error``."""
    row = _new_row(job, len(fitted), len(scored))
    start = time.perf_counter()
    mem = _PeakMemory()
    try:
        with mem:
            estimator = make_method(job.method, job.n_clusters, job.seed, job.params)
            labels = protocol.labels(estimator, fitted, scored, row)
            row["wall_time_s"] = time.perf_counter() - start
        row["peak_mem_mb"] = mem.peak_mb
        row.update(_scores(job, labels, scored))
    except Exception as exc:  # noqa: BLE001 - a failing method is reported, the others run
        row["peak_mem_mb"] = mem.peak_mb
        _record_failure(row, job, exc, start)
    return row


# ------------------------------------------------------------------ compare


def _check_int(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_seeds(seeds: int | Iterable[int]) -> list[int]:
    """``seeds`` as a list: an int ``n`` is the seeds ``0 .. n-1`` (as ``tsclust compare --seeds``)."""
    if isinstance(seeds, numbers.Integral) and not isinstance(seeds, bool):
        n = _check_int(seeds, "seeds (a number of seeds)", 1)
        return list(range(n))
    if isinstance(seeds, (str, bytes, bool)):
        raise ValueError(f"seeds must be a number of seeds or a list of seeds, got {seeds!r}")
    seed_list = list(seeds)
    if not seed_list:
        raise ValueError("seeds is empty")
    for s in seed_list:
        _check_int(s, "every seed", 0)
    return seed_list


def _check_method_params(
    method_params: Mapping[str, Mapping[str, Any]] | None, names: Sequence[str]
) -> dict[str, Mapping[str, Any]]:
    params = dict(method_params or {})
    extra = [key for key in params if key not in names]
    if extra:
        raise ValueError(f"method_params names methods that are not run: {extra}")
    return params


def _check_subsample(subsample: int | None, n_train: int, n_clusters: int) -> int | None:
    """The windows drawn per seed (None: all of them); n_clusters checked against them."""
    if subsample is None:
        draw = None
    else:
        subsample = _check_int(subsample, "subsample", 2)
        draw = subsample if subsample < n_train else None
        if draw is None:
            logger.info("subsample=%d >= %d training windows: using all of them", subsample, n_train)
    check_n_clusters(n_clusters, n_train if draw is None else draw)
    return draw


def _fitted_windows(train: WindowSet, seed: int, draw: int | None) -> WindowSet:
    """The windows a run of ``seed`` fits: ``draw`` of ``train`` drawn with RandomState(seed)."""
    if draw is None:
        return train
    return train.take(np.sort(check_random_state(seed).choice(len(train), draw, replace=False)))


def _run_all(
    jobs: Sequence[_Job], protocol: Protocol, split: Split, draw: int | None, progress: bool
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with tqdm(total=len(jobs), desc="compare", disable=not progress) as bar:
        for job in jobs:
            fitted = _fitted_windows(split.train, job.seed, draw)
            bar.set_postfix_str(f"{job.method} seed={job.seed}")
            rows.append(_run_one(job, protocol, fitted, split.scored(fitted)))
            bar.update(1)
    return rows


def compare(
    X: Any,
    y: Any = None,
    *,
    n_clusters: int,
    methods: str | Iterable[str],
    seeds: int | Iterable[int] = (0, 1, 2),
    protocol: str = "transductive",
    groups: Any = None,
    test_groups: Sequence[Any] | None = None,
    test_fraction: float | None = None,
    split_seed: int = 0,
    X_test: Any = None,
    y_test: Any = None,
    subsample: int | None = None,
    method_params: Mapping[str, Mapping[str, Any]] | None = None,
    progress: bool = True,
    recordings: Any = None,
    recordings_test: Any = None,
) -> list[dict[str, Any]]:
    """Run every method with every seed on the same windows and score each run.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_timepoints, n_channels) or (n_samples, n_timepoints), or list of array-like of shape (T_i, n_channels) or (T_i,)
        Windows (the training windows under the inductive protocol), or series of different
        lengths: a list, or an array NaN-padded after each series' end. Every method is
        given the NaN-padded collection and brings it to one length itself (the DTW
        baselines take it unpadded; the others resample, see :mod:`tsclust.baselines` and
        :mod:`tsclust.preprocessing.lengths`).
    y : array-like of shape (n_samples,) or None, default=None
        Classes, only used for scoring. Without labels ARI/NMI/ACC are NaN and the label-free
        silhouette is the score to read.
    n_clusters : int
        Number of clusters, for every method.
    methods : str or iterable of str
        Method names (see :mod:`tsclust.compare.methods`); all are validated before the first
        run.
    seeds : int or iterable of int, default=(0, 1, 2)
        One run per method and seed; the seed is the estimator's ``random_state``. An int
        ``n`` is a number of seeds, ``0 .. n-1`` (``seeds=3`` runs seeds 0, 1 and 2, as
        ``tsclust compare --seeds 3``); to run one given seed, pass a list (``seeds=[3]``).
    protocol : {"transductive", "inductive"}, default="transductive"
        Transductive: ``fit_predict(X)`` scored on ``X``. Inductive: ``fit`` on the training
        windows, ``predict`` on held-out windows, scored there (see
        :mod:`tsclust.compare.protocols`).
    groups : array-like of shape (n_samples,) or None, default=None
        Group of each window (e.g. subject id). Inductive without ``X_test``: whole groups are
        held out. Ignored by the transductive protocol.
    test_groups : sequence or None, default=None
        Inductive: the groups held out.
    test_fraction : float or None, default=None
        Inductive without ``test_groups``: the fraction of groups held out, drawn with
        ``split_seed`` (0.25 when neither is given). At least one group stays on each side.
    split_seed : int, default=0
        Seeds the choice of held-out groups; the split is the same for every method and seed.
    X_test : array-like or None, default=None
        Inductive alternative to groups: explicit held-out windows (same channels; the same
        length unless X or X_test holds series of different lengths).
    y_test : array-like of shape (n_test,) or None, default=None
        Classes of ``X_test``.
    subsample : int or None, default=None
        Fit on ``subsample`` windows drawn without replacement with ``RandomState(seed)``: the
        same windows for every method of a seed, new ones for each seed (so the spread over seeds
        includes the draw). Transductive runs are scored on those windows, inductive ones on the
        full test set. Recorded in every row; None or ``>= n_samples`` uses all windows.
    method_params : mapping or None, default=None
        ``{method name: {constructor argument: value}}``, e.g.
        ``{"dtw-kmeans": {"sakoe_chiba_radius": 10}, "conv+dec": {"pretrain_epochs": 20}}``.
    progress : bool, default=True
        tqdm bar over the runs (stderr).
    recordings : array-like of shape (n_samples,) or None, default=None
        Recording of each window (a store's ``origins[:, 0]``), given as ``groups`` to the
        methods that accept them (``accepts_groups``, e.g. ``"rec+HEAD"``); they see one
        recording when it is None. Split and subsampled with the windows.
    recordings_test : array-like of shape (n_test,) or None, default=None
        Recording of each window of ``X_test``.

    Returns
    -------
    rows : list of dict
        One dict per run (methods outer, seeds inner) with the keys :data:`RESULT_COLUMNS`. A run
        that raised has ``error`` set to ``"ExceptionType: message"`` and NaN scores; the others
        still run. ``silhouette`` is computed for every method on the same flattened windows
        (Euclidean, a seeded sample of at most 2000; series of different lengths resampled
        to the longest), so it is comparable across methods but favours Euclidean
        clusterings.

    Raises
    ------
    ValueError
        Unknown, duplicate or empty methods (before any run), bad protocol or split arguments,
        bad shapes, ``n_clusters`` out of range, ``seeds`` an int below 1, empty, or holding
        a negative seed.

    Examples
    --------
    >>> rng = np.random.RandomState(0)
    >>> X = np.concatenate([rng.randn(10, 16, 1), rng.randn(10, 16, 1) + 4])
    >>> rows = compare(X, [0] * 10 + [1] * 10, n_clusters=2, methods=["kmeans"], seeds=[0],
    ...                progress=False)
    >>> rows[0]["ari"], rows[0]["error"]
    (1.0, None)
    """
    names = check_methods(methods)
    params = _check_method_params(method_params, names)
    runner = check_protocol(protocol)
    seed_list = _check_seeds(seeds)
    n_clusters = check_n_clusters(n_clusters)
    held_out = HeldOut(
        groups=groups,
        test_groups=test_groups,
        test_fraction=test_fraction,
        split_seed=split_seed,
        X_test=X_test,
        y_test=y_test,
        recordings_test=recordings_test,
    )
    split = runner.split(check_windows(X, y, recordings), held_out)
    draw = _check_subsample(subsample, len(split.train), n_clusters)
    jobs = [
        _Job(name, seed, n_clusters, params.get(name), protocol, subsample)
        for name in names
        for seed in seed_list
    ]
    warm_imports(names)
    return _run_all(jobs, runner, split, draw, progress)


def write_results(
    rows: Sequence[dict[str, Any]],
    outdir: str | os.PathLike,
    *,
    overwrite: bool = False,
    meta: dict[str, Any] | None = None,
) -> dict[str, Path]:
    """Write the rows of :func:`compare` as CSV, Markdown, JSON and a figure, all or nothing.

    The texts come from :mod:`tsclust.compare.report`, the figure from
    :func:`tsclust.plotting.plot_compare`. Every file is written completely under a temporary
    name before any is renamed into place, and a failed rename takes the others back
    (:func:`tsclust.io.write_file_set`): a full disk leaves no file of the
    set (and no folder this call created) behind.

    Parameters
    ----------
    rows : sequence of dict
        Rows from :func:`compare` (extra keys are kept, after :data:`RESULT_COLUMNS`).
    outdir : str or path
        Output directory, created with its parents.
    overwrite : bool, default=False
        Write into an existing directory (replacing the four files); otherwise it is refused.
    meta : dict or None, default=None
        Lines for the top of ``results.md`` and the ``meta`` of ``results.json``, e.g.
        ``{"data": "HAPT windows 128x6, channel-standardised", "command": "tsclust compare ..."}``.
        ``machine`` (platform, CPU count, Python) and ``date`` (UTC) are added when missing.

    Returns
    -------
    paths : dict
        ``{"csv": Path, "md": Path, "json": Path, "png": Path}``.

    Raises
    ------
    FileExistsError
        ``outdir`` exists and ``overwrite`` is False.
    ValueError
        No rows.
    """
    from ..io import write_file_set
    from ..plotting import plot_compare

    if not rows:
        raise ValueError("no rows to write")
    info = stamped(meta)
    csv_name, md_name, json_name, png_name = RESULT_FILES
    texts = {csv_name: csv_text(rows), md_name: markdown(rows, info),
             json_name: json_text(rows, info)}
    paths = write_file_set(outdir, texts, {png_name: lambda path: plot_compare(rows, path)},
                                 overwrite=overwrite)
    logger.info("wrote %s", ", ".join(str(p) for p in paths.values()))
    return {Path(name).suffix[1:]: path for name, path in paths.items()}
