"""Run clustering methods x seeds on one set of windows and tabulate the scores.

:func:`compare` returns tidy rows (one dict per run); :func:`summarize` aggregates them per
method; :func:`write_results` writes ``results.csv``, ``results.md``, ``results.json`` and
``results.png``. Nothing here reads files: the caller (the CLI) loads the windows.

Method names
------------
- a baseline from :data:`tsclust.baselines.BASELINES` (``"dtw-kmeans"``, ``"kmeans"``, ...);
- a deep method ``"ARCH+HEAD"`` (``"conv+dec"``, ``"gru+idec"``, ``"mlp+kmeans"``), built as
  ``tsclust.clustering.DeepClusterer(n_clusters=k, architecture=ARCH, head=HEAD,
  random_state=seed, **params)``;
- ``"rec+HEAD"`` (``"rec+dec"``): ``tsclust.clustering.RecordingClusterer(n_clusters=k,
  head=HEAD, random_state=seed, **params)``, which is given the ``recordings`` of the windows.

Protocols
---------
- ``"transductive"``: ``fit_predict`` on the windows and score those same labels (what
  FINDINGS reports);
- ``"inductive"``: fit on training windows, ``predict`` held-out windows and score those. The
  split is by ``groups`` (e.g. subject ids) or an explicit ``X_test``, never by random windows:
  overlapping windows of one recording would leak from the training set into the test set.

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

import csv
import datetime as _dt
import json
import logging
import math
import numbers
import os
import platform
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from ._validation import check_collection, check_n_clusters, check_random_state
from .baselines import BASELINES, make_baseline
from .metrics import evaluate, internal_scores

__all__ = [
    "RESULT_COLUMNS",
    "available_methods",
    "check_methods",
    "make_method",
    "compare",
    "summarize",
    "write_results",
]

logger = logging.getLogger(__name__)

RESULT_COLUMNS: tuple[str, ...] = (
    "method",
    "seed",
    "protocol",
    "n_clusters",
    "n_train",
    "n_test",
    "subsample",
    "ari",
    "nmi",
    "acc",
    "silhouette",
    "fit_time_s",
    "predict_time_s",
    "wall_time_s",
    "peak_mem_mb",
    "error",
)
"""Columns of a result row, in ``results.csv`` order."""

SCORE_COLUMNS: tuple[str, ...] = ("ari", "nmi", "acc", "silhouette")
_SUMMARY_COLUMNS: tuple[str, ...] = SCORE_COLUMNS + (
    "fit_time_s",
    "predict_time_s",
    "wall_time_s",
    "peak_mem_mb",
)
SILHOUETTE_SAMPLE_SIZE = 2000
"""Windows sampled (seeded by the run's seed) for the silhouette of a run."""

_FALLBACK_ARCHITECTURES: tuple[str, ...] = ("conv", "cov", "gru", "lstm", "mlp")
_FALLBACK_HEADS: tuple[str, ...] = ("kmeans", "dec", "idec", "dcn", "compact", "ward")
_PROTOCOLS = ("transductive", "inductive")
RECORDING_PREFIX = "rec"  # "rec+HEAD": RecordingClusterer, fitted with each window's recording
_DEFAULT_TEST_FRACTION = 0.25


# ------------------------------------------------------------------ method names


def _deep_names() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Architecture and head names: the registries if importable, else the agreed lists."""
    try:
        from .models import ARCHITECTURES

        archs = tuple(ARCHITECTURES)
    except ImportError:
        archs = _FALLBACK_ARCHITECTURES
    try:
        from .clustering import HEADS

        heads = tuple(HEADS)
    except ImportError:
        heads = _FALLBACK_HEADS
    return archs, heads


def available_methods() -> list[str]:
    """All valid method names: the baselines, then every ``ARCH+HEAD`` combination.

    Returns
    -------
    names : list of str

    Examples
    --------
    >>> "dtw-kmeans" in available_methods() and "conv+dec" in available_methods()
    True
    """
    archs, heads = _deep_names()
    return list(BASELINES) + [f"{a}+{h}" for a in (*archs, RECORDING_PREFIX) for h in heads]


def _valid_names_text() -> str:
    archs, heads = _deep_names()
    return (
        f"valid names: the baselines {', '.join(BASELINES)}, "
        f"or ARCH+HEAD with ARCH in {{{', '.join((*archs, RECORDING_PREFIX))}}} and HEAD in "
        f"{{{', '.join(heads)}}} (e.g. conv+dec; rec+dec aligns recordings)"
    )


def _unknown_method_message(name: Any) -> str:
    return f"unknown method {name!r}; {_valid_names_text()}"


def _split_deep_name(name: str) -> tuple[str, str]:
    archs, heads = _deep_names()
    arch, sep, head = name.partition("+")
    if not sep or arch not in (*archs, RECORDING_PREFIX) or head not in heads:
        raise ValueError(_unknown_method_message(name))
    return arch, head


def check_methods(methods: str | Iterable[str]) -> list[str]:
    """Validate method names before anything runs.

    Parameters
    ----------
    methods : str or iterable of str
        One name or several.

    Returns
    -------
    methods : list of str

    Raises
    ------
    ValueError
        No method, a duplicate, or an unknown name (the message lists the valid ones).
    """
    names = [methods] if isinstance(methods, str) else list(methods)
    if not names:
        raise ValueError(f"methods is empty; {_valid_names_text()}")
    seen: set[str] = set()
    for name in names:
        if not isinstance(name, str):
            raise ValueError(_unknown_method_message(name))
        if name in seen:
            raise ValueError(f"method {name!r} is listed twice")
        seen.add(name)
        if name not in BASELINES:
            _split_deep_name(name)
    return names


def make_method(
    name: str, n_clusters: int, seed: Any, params: Mapping[str, Any] | None = None
) -> Any:
    """Build the unfitted estimator of one method.

    Parameters
    ----------
    name : str
        A baseline name or ``"ARCH+HEAD"``.
    n_clusters : int
        Number of clusters.
    seed : int, RandomState or None
        The estimator's ``random_state``.
    params : mapping or None, default=None
        Further constructor arguments.

    Returns
    -------
    estimator : object with ``fit``, ``predict`` and ``fit_predict``

    Raises
    ------
    ValueError
        Unknown name (the message lists the valid ones).
    """
    params = dict(params or {})
    if name in BASELINES:
        return make_baseline(name, n_clusters, random_state=seed, **params)
    arch, head = _split_deep_name(name)
    from .clustering import DeepClusterer, RecordingClusterer  # lazy: torch only when needed

    if arch == RECORDING_PREFIX:
        return RecordingClusterer(n_clusters=n_clusters, head=head, random_state=seed, **params)
    return DeepClusterer(
        n_clusters=n_clusters, architecture=arch, head=head, random_state=seed, **params
    )


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


# ------------------------------------------------------------------ validation helpers


def _check_y(y: Any, n: int, name: str) -> np.ndarray | None:
    if y is None:
        return None
    arr = np.asarray(y)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"{name} must have shape ({n},), got {arr.shape}")
    return arr


def _check_recordings(recordings: Any, n: int, name: str) -> np.ndarray | None:
    from .preprocessing.posture import check_groups

    return None if recordings is None else check_groups(recordings, n, name)


def _check_int(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _group_split(
    groups: np.ndarray,
    test_groups: Sequence[Any] | None,
    test_fraction: float | None,
    split_seed: int,
) -> np.ndarray:
    """Boolean test mask over windows, whole groups at a time."""
    uniq = np.unique(groups)
    if uniq.shape[0] < 2:
        raise ValueError("the inductive protocol needs at least 2 distinct groups")
    if test_groups is not None:
        if test_fraction is not None:
            raise ValueError("give test_groups or test_fraction, not both")
        chosen = np.asarray(list(test_groups), dtype=groups.dtype)
        missing = np.setdiff1d(chosen, uniq)
        if missing.size:
            raise ValueError(f"test_groups not found in groups: {missing.tolist()}")
    else:
        frac = _DEFAULT_TEST_FRACTION if test_fraction is None else float(test_fraction)
        if not 0.0 < frac < 1.0:
            raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction!r}")
        n_test = min(max(1, round(frac * uniq.shape[0])), uniq.shape[0] - 1)
        chosen = check_random_state(split_seed).choice(uniq, size=n_test, replace=False)
    mask = np.isin(groups, chosen)
    if mask.all():
        raise ValueError("every group is a test group; nothing is left to train on")
    logger.info("inductive split: test groups %s", sorted(np.unique(chosen).tolist()))
    return mask


# ------------------------------------------------------------------ one run


def _nan_row(**fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {col: math.nan for col in RESULT_COLUMNS}
    row["error"] = None
    row.update(fields)
    return row


def _run_one(
    name: str,
    seed: Any,
    n_clusters: int,
    params: Mapping[str, Any] | None,
    protocol: str,
    X_fit: np.ndarray,
    X_score: np.ndarray,
    y_score: np.ndarray | None,
    subsample: int | None,
    rec_fit: np.ndarray | None = None,
    rec_score: np.ndarray | None = None,
) -> dict[str, Any]:
    row = _nan_row(
        method=name,
        seed=seed,
        protocol=protocol,
        n_clusters=n_clusters,
        n_train=int(X_fit.shape[0]),
        n_test=int(X_score.shape[0]),
        subsample=subsample,
    )
    start = time.perf_counter()
    mem = _PeakMemory()
    try:
        with mem:
            estimator = make_method(name, n_clusters, seed, params)
            by_rec = getattr(estimator, "accepts_groups", False)
            fit_kw = {"groups": rec_fit} if by_rec else {}
            score_kw = {"groups": rec_score} if by_rec else {}
            t0 = time.perf_counter()
            if protocol == "transductive":
                labels = estimator.fit_predict(X_fit, **fit_kw)
                row["fit_time_s"] = time.perf_counter() - t0
                row["predict_time_s"] = 0.0
            else:
                estimator.fit(X_fit, **fit_kw)
                row["fit_time_s"] = time.perf_counter() - t0
                t1 = time.perf_counter()
                labels = estimator.predict(X_score, **score_kw)
                row["predict_time_s"] = time.perf_counter() - t1
            row["wall_time_s"] = time.perf_counter() - start
        row["peak_mem_mb"] = mem.peak_mb
        labels = np.asarray(labels)
        if labels.shape != (X_score.shape[0],):
            raise ValueError(
                f"{name} returned labels of shape {labels.shape}, expected ({X_score.shape[0]},)"
            )
        if y_score is not None:
            row.update(evaluate(y_score, labels))
        row["silhouette"] = internal_scores(
            X_score,
            labels,
            sample_size=SILHOUETTE_SAMPLE_SIZE,
            random_state=seed,
        )["silhouette"]
    except Exception as exc:  # noqa: BLE001 - a failing method is reported, the others run
        if math.isnan(row["wall_time_s"]):
            row["wall_time_s"] = time.perf_counter() - start
        for col in SCORE_COLUMNS:
            row[col] = math.nan
        row["peak_mem_mb"] = mem.peak_mb
        row["error"] = f"{type(exc).__name__}: {exc}"
        logger.warning("%s (seed %s) failed: %s", name, seed, row["error"])
        logger.debug("traceback of %s (seed %s)", name, seed, exc_info=True)
    return row


# ------------------------------------------------------------------ compare


def _warm_imports(names: Sequence[str]) -> None:
    """Import what the methods need before timing, so the first run does not pay for it.

    (Numba compilation inside tslearn still lands in the first DTW / soft-DTW / KShape run.)
    """
    if any(name in BASELINES for name in names):
        try:
            import tslearn.clustering  # noqa: F401
        except ImportError:  # reported by the runs themselves
            pass
    if any(name not in BASELINES for name in names):
        try:
            from . import clustering  # noqa: F401
        except ImportError:
            pass


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
    X : array-like of shape (n_samples, n_timepoints, n_channels) or (n_samples, n_timepoints)
        Windows (the training windows under the inductive protocol).
    y : array-like of shape (n_samples,) or None, default=None
        Classes, only used for scoring. Without labels ARI/NMI/ACC are NaN and the label-free
        silhouette is the score to read.
    n_clusters : int
        Number of clusters, for every method.
    methods : str or iterable of str
        Method names (see the module docstring); all are validated before the first run.
    seeds : int or iterable of int, default=(0, 1, 2)
        One run per method and seed; the seed is the estimator's ``random_state``.
    protocol : {"transductive", "inductive"}, default="transductive"
        Transductive: ``fit_predict(X)`` scored on ``X``. Inductive: ``fit`` on the training
        windows, ``predict`` on held-out windows, scored there.
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
        Inductive alternative to groups: explicit held-out windows (same length and channels).
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
        methods that use it (``"rec+HEAD"``); they see one recording when it is None. Split
        and subsampled with the windows.
    recordings_test : array-like of shape (n_test,) or None, default=None
        Recording of each window of ``X_test``.

    Returns
    -------
    rows : list of dict
        One dict per run (methods outer, seeds inner) with the keys :data:`RESULT_COLUMNS`. A run
        that raised has ``error`` set to ``"ExceptionType: message"`` and NaN scores; the others
        still run. ``silhouette`` is computed for every method on the same flattened windows
        (Euclidean, a seeded sample of at most 2000), so it is comparable across methods but
        favours Euclidean clusterings.

    Raises
    ------
    ValueError
        Unknown, duplicate or empty methods (before any run), bad protocol or split arguments,
        bad shapes, ``n_clusters`` out of range.

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
    params = dict(method_params or {})
    extra = [key for key in params if key not in names]
    if extra:
        raise ValueError(f"method_params names methods that are not run: {extra}")
    if protocol not in _PROTOCOLS:
        raise ValueError(f"protocol must be one of {_PROTOCOLS}, got {protocol!r}")
    seed_list = [seeds] if isinstance(seeds, numbers.Integral) else list(seeds)
    if not seed_list:
        raise ValueError("seeds is empty")
    for s in seed_list:
        _check_int(s, "every seed", 0)
    n_clusters = check_n_clusters(n_clusters)

    X = check_collection(X)
    y_arr = _check_y(y, X.shape[0], "y")
    rec = _check_recordings(recordings, X.shape[0], "recordings")
    if protocol == "transductive":
        if (
            X_test is not None
            or y_test is not None
            or recordings_test is not None
            or test_groups is not None
            or (test_fraction is not None)
        ):
            raise ValueError(
                "X_test, y_test, recordings_test, test_groups and test_fraction belong to "
                "protocol='inductive'"
            )
        X_train, y_train, rec_train = X, y_arr, rec
        X_held, y_held, rec_held = None, None, None
    elif X_test is not None:
        if groups is not None or test_groups is not None or test_fraction is not None:
            raise ValueError("give X_test or groups (with test_groups/test_fraction), not both")
        X_train, y_train, rec_train = X, y_arr, rec
        X_held = check_collection(X_test, name="X_test")
        rec_held = _check_recordings(recordings_test, X_held.shape[0], "recordings_test")
        if X_held.shape[1:] != X.shape[1:]:
            raise ValueError(
                f"X_test windows have shape {X_held.shape[1:]}, X windows {X.shape[1:]}"
            )
        y_held = _check_y(y_test, X_held.shape[0], "y_test")
    else:
        if groups is None:
            raise ValueError(
                "protocol='inductive' needs groups (e.g. subject ids) or X_test: a split of "
                "random windows would leak overlapping windows into the test set"
            )
        if y_test is not None or recordings_test is not None:
            raise ValueError(
                "y_test and recordings_test go with X_test; with groups they come from y and "
                "recordings"
            )
        g = np.asarray(groups)
        if g.ndim != 1 or g.shape[0] != X.shape[0]:
            raise ValueError(f"groups must have shape ({X.shape[0]},), got {g.shape}")
        test_mask = _group_split(g, test_groups, test_fraction, split_seed)
        X_train, X_held = X[~test_mask], X[test_mask]
        rec_train = None if rec is None else rec[~test_mask]
        rec_held = None if rec is None else rec[test_mask]
        y_train = None if y_arr is None else y_arr[~test_mask]
        y_held = None if y_arr is None else y_arr[test_mask]
    if protocol == "inductive" and y_held is None and y_arr is not None:
        logger.warning("no labels for the held-out windows: ARI/NMI/ACC will be NaN")

    n_train = X_train.shape[0]
    if subsample is not None:
        subsample = _check_int(subsample, "subsample", 2)
    use_sub = subsample is not None and subsample < n_train
    if subsample is not None and not use_sub:
        logger.info("subsample=%d >= %d training windows: using all of them", subsample, n_train)
    check_n_clusters(n_clusters, min(subsample, n_train) if use_sub else n_train)

    _warm_imports(names)
    rows: list[dict[str, Any]] = []
    bar = tqdm(total=len(names) * len(seed_list), desc="compare", disable=not progress)
    try:
        subsets: dict[int, np.ndarray] = {}
        for name in names:
            for seed in seed_list:
                if use_sub:
                    if seed not in subsets:
                        subsets[seed] = np.sort(
                            check_random_state(seed).choice(n_train, subsample, replace=False)
                        )
                    idx = subsets[seed]
                    X_fit = X_train[idx]
                    y_fit = None if y_train is None else y_train[idx]
                    rec_fit = None if rec_train is None else rec_train[idx]
                else:
                    X_fit, y_fit, rec_fit = X_train, y_train, rec_train
                X_score, y_score, rec_score = (
                    (X_fit, y_fit, rec_fit) if X_held is None else (X_held, y_held, rec_held)
                )
                bar.set_postfix_str(f"{name} seed={seed}")
                rows.append(
                    _run_one(
                        name,
                        seed,
                        n_clusters,
                        params.get(name),
                        protocol,
                        X_fit,
                        X_score,
                        y_score,
                        subsample,
                        rec_fit,
                        rec_score,
                    )
                )
                bar.update(1)
    finally:
        bar.close()
    return rows


# ------------------------------------------------------------------ summaries and outputs


def _finite(values: Iterable[Any]) -> np.ndarray:
    arr = np.array([v for v in values if v is not None], dtype=np.float64)
    return arr[np.isfinite(arr)]


def _has_labels(rows: Sequence[Mapping[str, Any]]) -> bool:
    return _finite(r.get("ari") for r in rows).size > 0


def summarize(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Mean and spread per method, best first.

    Parameters
    ----------
    rows : sequence of dict
        Rows from :func:`compare`.

    Returns
    -------
    summary : list of dict
        One dict per method: ``method``, ``runs``, ``errors`` (count), ``first_error``, and for
        each of ARI, NMI, ACC, silhouette, fit/predict/wall time and peak memory ``<col>_mean``
        and ``<col>_std`` (sample standard deviation, ddof=1; 0 for one run) over the runs that
        did not fail. Sorted by mean ARI, or by mean silhouette when no run has labels;
        methods without a successful run come last.
    """
    by_method: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        by_method.setdefault(row["method"], []).append(row)
    key = "ari" if _has_labels(rows) else "silhouette"
    out = []
    for method, runs in by_method.items():
        ok = [r for r in runs if not r.get("error")]
        errors = [r["error"] for r in runs if r.get("error")]
        entry: dict[str, Any] = {
            "method": method,
            "runs": len(runs),
            "errors": len(errors),
            "first_error": errors[0] if errors else None,
        }
        for col in _SUMMARY_COLUMNS:
            vals = _finite(r.get(col) for r in ok)
            entry[f"{col}_mean"] = float(vals.mean()) if vals.size else math.nan
            entry[f"{col}_std"] = (
                float(vals.std(ddof=1)) if vals.size > 1 else (0.0 if vals.size else math.nan)
            )
        out.append(entry)

    def sort_key(entry: Mapping[str, Any]) -> tuple[int, float]:
        value = entry[f"{key}_mean"]
        return (1, 0.0) if math.isnan(value) else (0, -value)

    return sorted(out, key=sort_key)


def _machine() -> str:
    return (
        f"{platform.platform()}, {platform.machine()}, {os.cpu_count()} CPU(s), "
        f"Python {platform.python_version()}"
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)
    return str(value)


def _fmt(mean: float, std: float, digits: int) -> str:
    if math.isnan(mean):
        return "n/a"
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def _markdown(rows: Sequence[Mapping[str, Any]], meta: Mapping[str, Any]) -> str:
    lines = ["# tsclust compare", ""]
    lines += [f"- {k}: {v}" for k, v in meta.items()]
    protocols = sorted({str(r.get("protocol")) for r in rows})
    seeds = sorted({r.get("seed") for r in rows}, key=str)
    n_train = sorted({r.get("n_train") for r in rows}, key=str)
    n_test = sorted({r.get("n_test") for r in rows}, key=str)
    subs = sorted({r.get("subsample") for r in rows}, key=str)
    lines.append(
        f"- protocol: {', '.join(protocols)}; seeds: {', '.join(map(str, seeds))}; "
        f"n_train: {', '.join(map(str, n_train))}; n_test: {', '.join(map(str, n_test))}; "
        f"subsample: {', '.join('all' if s is None else str(s) for s in subs)}"
    )
    key = "ARI" if _has_labels(rows) else "silhouette (no labels)"
    lines += [
        "",
        f"Mean ± sample std over seeds, sorted by mean {key}. Silhouette: Euclidean, on the "
        "flattened scored windows. Wall time: build + fit + predict. Peak memory: process RSS "
        "above the run's start.",
        "",
        "| method | runs | ARI | NMI | ACC | silhouette | fit s | wall s | peak MiB | errors |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in summarize(rows):
        err = "" if not s["errors"] else f"{s['errors']}: {s['first_error']}".replace("|", "/")
        lines.append(
            f"| {s['method']} | {s['runs']} "
            f"| {_fmt(s['ari_mean'], s['ari_std'], 3)} "
            f"| {_fmt(s['nmi_mean'], s['nmi_std'], 3)} "
            f"| {_fmt(s['acc_mean'], s['acc_std'], 3)} "
            f"| {_fmt(s['silhouette_mean'], s['silhouette_std'], 3)} "
            f"| {_fmt(s['fit_time_s_mean'], s['fit_time_s_std'], 2)} "
            f"| {_fmt(s['wall_time_s_mean'], s['wall_time_s_std'], 2)} "
            f"| {_fmt(s['peak_mem_mb_mean'], s['peak_mem_mb_std'], 0)} "
            f"| {err} |"
        )
    return "\n".join(lines) + "\n"


RESULT_FILES: tuple[str, ...] = ("results.csv", "results.md", "results.json", "results.png")


def write_results(
    rows: Sequence[Mapping[str, Any]],
    outdir: str | os.PathLike,
    *,
    overwrite: bool = False,
    meta: Mapping[str, Any] | None = None,
) -> dict[str, Path]:
    """Write the rows of :func:`compare` as CSV, Markdown summary, JSON and a figure.

    Parameters
    ----------
    rows : sequence of dict
        Rows from :func:`compare` (extra keys are kept, after :data:`RESULT_COLUMNS`).
    outdir : str or path
        Output directory, created with its parents.
    overwrite : bool, default=False
        Write into an existing directory (replacing the four files); otherwise it is refused.
    meta : mapping or None, default=None
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
    if not rows:
        raise ValueError("no rows to write")
    out = Path(outdir)
    if out.exists() and not overwrite:
        raise FileExistsError(f"{out} exists; pass overwrite=True to write into it")
    out.mkdir(parents=True, exist_ok=True)
    info: dict[str, Any] = dict(meta or {})
    info.setdefault("machine", _machine())
    info.setdefault("date", _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))

    columns = list(RESULT_COLUMNS)
    for row in rows:
        columns += [k for k in row if k not in columns]
    from .io import atomic_text

    paths = {ext: out / f"results.{ext}" for ext in ("csv", "md", "json", "png")}
    with atomic_text(paths["csv"], overwrite=True) as fh:  # the folder check is above
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_cell(row.get(col)) for col in columns])
    with atomic_text(paths["md"], overwrite=True) as fh:
        fh.write(_markdown(rows, info))
    payload = {"meta": _jsonable(info), "rows": [_jsonable(dict(r)) for r in rows]}
    with atomic_text(paths["json"], overwrite=True) as fh:
        fh.write(json.dumps(payload, indent=2, allow_nan=False))

    from .plotting import plot_compare

    plot_compare(rows, paths["png"])
    logger.info("wrote %s", ", ".join(str(p) for p in paths.values()))
    return paths
