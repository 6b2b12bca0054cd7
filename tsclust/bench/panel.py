"""The panel benchmark: every method on every problem (UCR archive + HAPT), rows of results.

A modelling change is judged on many problems at once, not on HAPT alone. The panel is the UCR
problems of a data root (``<root>/ucr2018``, listed by its ``INDEX.tsv``) plus HAPT windows
(``<root>/hapt``), under one protocol, :data:`PROTOCOL`:

- **data**: a UCR problem is its TRAIN and TEST series merged (``read_ucr(folder, "both")``);
  HAPT is the windows of 128 samples, step 64, that lie inside one labelled segment
  (``SlidingWindows(128, 64, labels="pure")``, 10,929 windows x 6 channels);
- **normalization**: global per-channel standardization, as in the team's FINDINGS: each
  channel's mean and standard deviation over every series and time point of the problem
  (:class:`~tsclust.preprocessing.ChannelStandardScaler`), not a z-normalization of each
  series, so level and amplitude differences between series are kept;
- **k** = the number of classes; **transductive**: each method's ``fit_predict`` on all series,
  NMI and ARI (and ACC) against the classes, which no method sees.

Methods are the names of :func:`tsclust.compare.make_method` (:func:`default_methods`); runs go
through :func:`tsclust.compare.compare`, one call per problem and method, so a run that fails is
a row with an ``error``, never a crash. Methods of a seeded family (deep) run with several seeds,
the baselines once. Rows of slow baselines can come from a cache (:mod:`tsclust.bench.cache`).
Reading goes through :mod:`tsclust.data`, writing through :mod:`tsclust.io`.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from ..compare import RESULT_COLUMNS, compare
from ..compare.methods import DeepFamily, family_of

__all__ = [
    "PROTOCOL",
    "HAPT_NAME",
    "HAPT_WINDOWS",
    "QUICK_PROBLEMS",
    "QUICK_PARAMS",
    "QUADRATIC_METHODS",
    "DEFAULT_MAX_COST",
    "PANEL_COLUMNS",
    "Problem",
    "Limits",
    "LOADERS",
    "default_data_root",
    "SHIPPED_ROOT",
    "list_problems",
    "load_problem",
    "default_methods",
    "resolve_methods",
    "seeds_for",
    "deep_params",
    "run_cost",
    "run_panel",
    "PANEL_FILES",
    "baselines_of",
    "write_panel",
]

logger = logging.getLogger(__name__)

PROTOCOL = (
    "TRAIN+TEST merged (HAPT: windows of 128 samples, step 64, labels 'pure'); global "
    "per-channel standardization (mean and std of each channel over all series and time points "
    "of the problem); k = number of classes; transductive fit_predict on all series; NMI/ARI "
    "against the classes"
)
"""The protocol every row of the panel follows (recorded in the cache; a cache made under
another protocol is refused)."""

HAPT_NAME = "HAPT"
HAPT_WINDOWS: dict[str, Any] = {"size": 128, "step": 64, "labels": "pure"}
"""The :class:`~tsclust.preprocessing.SlidingWindows` of the HAPT problem."""

QUICK_PROBLEMS: tuple[str, ...] = ("Chinatown", "Coffee", "ECG200")
"""``--quick``: three small UCR problems (363 x 24, 56 x 286, 200 x 96)."""

QUICK_PARAMS: dict[str, Any] = {"pretrain_epochs": 3, "finetune_epochs": 3}
"""``--quick``: the parameters of the deep (``DeepClusterer``) methods."""

QUADRATIC_METHODS: tuple[str, ...] = ("dtw-kmeans", "softdtw-kmeans", "kshape")
"""Methods whose cost grows with the square of the length: their :func:`run_cost` is
``n * length**2 * channels`` and :attr:`Limits.max_cost` applies to them."""

DEFAULT_MAX_COST = 2e8
"""Default :attr:`Limits.max_cost`. DTW k-means took 434 s on HAPT (cost 1.07e9, k = 12) on the
2-core machine of FINDINGS, about 2.5e6 per second: 2e8 is a run of a minute or two."""

PANEL_COLUMNS: tuple[str, ...] = (
    "dataset",
    "method",
    "seed",
    "status",
    "nmi",
    "ari",
    "acc",
    "fit_time_s",
    "wall_time_s",
    "n_clusters",
    "n_series",
    "length",
    "n_channels",
    "source",
    "error",
)
"""The leading columns of a panel row (the other keys of a compare row follow). ``status`` is
``"ok"``, ``"error"`` or ``"skipped"``; ``source`` is ``"run"`` or ``"cache"``."""


# ------------------------------------------------------------------ problems


@dataclass(frozen=True)
class Problem:
    """One problem of the panel (sizes as listed; None when unknown before loading).

    Attributes
    ----------
    name : str
    kind : str
        A key of :data:`LOADERS` (``"ucr"``, ``"hapt"``).
    path : str
        What the loader reads (a UCR problem folder, the HAPT folder).
    n_series, length, n_classes : int or None
    """

    name: str
    kind: str
    path: str
    n_series: int | None = None
    length: int | None = None
    n_classes: int | None = None

    def size(self) -> float:
        """``n_series * length`` (inf when unknown): the order the panel runs problems in."""
        if self.n_series is None or self.length is None:
            return math.inf
        return float(self.n_series * self.length)


def default_data_root() -> Path:
    """``../shared/data`` next to the repository (as the tests find it), resolved.

    Returns
    -------
    path : pathlib.Path
    """
    return (Path(__file__).resolve().parents[2] / ".." / "shared" / "data").resolve()


SHIPPED_ROOT = Path(__file__).resolve().parents[1] / "data" / "datasets"
"""The data root shipped with tsclust: ``ucr2018/`` with the three :data:`QUICK_PROBLEMS`."""

GET_DATA = ("download the UCR archive 2018 (https://www.cs.ucr.edu/~eamonn/time_series_data_2018/"
            ") and put its problems under ROOT/ucr2018/NAME/NAME_TRAIN.tsv and NAME_TEST.tsv; "
            "python data_scripts/hapt.py writes ROOT/hapt; then pass --data-root ROOT")
"""How to get the panel's data, for the error that finds none."""


def _all_problems(root: Path) -> list[Problem]:
    from ..data import read_ucr_index

    ucr = root / "ucr2018"
    problems = []
    if ucr.is_dir():
        for e in read_ucr_index(ucr):
            n = None if e["n_train"] is None else int(e["n_train"]) + int(e["n_test"])
            problems.append(Problem(str(e["name"]), "ucr", str(e["path"]), n, e["length"],
                                    e["n_classes"]))
    if (root / "hapt").is_dir():
        problems.append(Problem(HAPT_NAME, "hapt", str(root / "hapt"), None,
                                HAPT_WINDOWS["size"], 12))
    return problems


def list_problems(
    root: str | os.PathLike | None = None, names: str | Iterable[str] = "all"
) -> list[Problem]:
    """The panel's problems under ``root``, in the order given (``"all"``: by name, HAPT last).

    Parameters
    ----------
    root : path-like or None, default=None
        The data root holding ``ucr2018/`` (with ``INDEX.tsv``) and ``hapt/``; None:
        :func:`default_data_root`.
    names : {"all", "quick"} or iterable of str, default="all"
        ``"all"``: every UCR problem and HAPT; ``"quick"``: :data:`QUICK_PROBLEMS` (from
        :data:`SHIPPED_ROOT` when ``root`` holds no panel data); or names (``"HAPT"`` for
        HAPT).

    Returns
    -------
    problems : list of Problem

    Raises
    ------
    FileNotFoundError
        ``root`` has neither ``ucr2018/`` nor ``hapt/`` (and ``names`` is not ``"quick"``);
        the message says where to get the data.
    ValueError
        An unknown problem name (the message lists the valid ones), or no problem chosen.
    """
    root = default_data_root() if root is None else Path(root)
    found = _all_problems(root)
    if not found and isinstance(names, str) and names == "quick":
        root, found = SHIPPED_ROOT, _all_problems(SHIPPED_ROOT)  # shipped with tsclust
    if not found:
        raise FileNotFoundError(f"no ucr2018/ or hapt/ folder under the data root {root}: "
                                f"{GET_DATA} (--quick alone runs on the 3 problems shipped)")
    if isinstance(names, str) and names in ("all", "quick"):
        wanted = [p.name for p in found] if names == "all" else list(QUICK_PROBLEMS)
    else:
        wanted = [names] if isinstance(names, str) else list(names)
    by_name = {p.name: p for p in found}
    unknown = [n for n in wanted if n not in by_name]
    if unknown:
        raise ValueError(f"unknown problem(s) {unknown} under {root}; valid: 'all', 'quick' or "
                         f"{', '.join(by_name)}")
    if not wanted:
        raise ValueError("no problem chosen")
    return [by_name[n] for n in dict.fromkeys(wanted)]


def _load_ucr(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    from ..data import read_ucr

    return read_ucr(problem.path, split="both")


def _load_hapt(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    from ..data import read_hapt
    from ..preprocessing import SlidingWindows

    windows = SlidingWindows(**HAPT_WINDOWS).transform(read_hapt(problem.path, verbose=0))
    return windows.X, windows.y


LOADERS: dict[str, Callable[[Problem], tuple[np.ndarray, np.ndarray]]] = {
    "ucr": _load_ucr,
    "hapt": _load_hapt,
}
"""Problem kind -> ``load(problem) -> (X (n, length, channels), y)``, before normalization."""


def load_problem(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """The series of ``problem`` under :data:`PROTOCOL`: merged, globally standardized.

    Parameters
    ----------
    problem : Problem

    Returns
    -------
    X : ndarray of shape (n_series, length, n_channels), float32
        Each channel standardized with its mean and std over all series and time points.
    y : ndarray of shape (n_series,)
        The classes.
    """
    from ..preprocessing import ChannelStandardScaler

    X, y = LOADERS[problem.kind](problem)
    return ChannelStandardScaler().fit_transform(X).astype(np.float32), np.asarray(y)


# ------------------------------------------------------------------ methods


def default_methods() -> list[str]:
    """The panel's methods: ``default``, ``ARCH+kmeans`` and ``ARCH+dec`` for every architecture,
    ``euclidean-kmeans``, ``dtw-kmeans``, ``kshape``, ``rocket-kmeans``, ``spectral`` and
    ``rocket-spectral``.

    Read from the live registries (imports torch); ``rocket-kmeans`` may not be registered
    (:func:`resolve_methods` drops it with a warning).

    Returns
    -------
    methods : list of str
    """
    from ..models import ARCHITECTURES

    deep = [f"{arch}+{head}" for arch in ARCHITECTURES for head in ("kmeans", "dec")]
    return ["default", *deep, "euclidean-kmeans", "dtw-kmeans", "kshape", "rocket-kmeans",
            "spectral", "rocket-spectral"]


def _registered(name: str) -> bool:
    try:
        family_of(name)
    except ValueError:
        return False
    return True


def resolve_methods(
    names: Iterable[str], cached: Iterable[str] = (), *, strict: bool = False
) -> list[str]:
    """``names`` without duplicates and without names no family registers.

    Parameters
    ----------
    names : iterable of str
    cached : iterable of str, default=()
        Methods with rows in the cache: kept even when not registered (their cached rows are
        used; a problem without one gets an error row).
    strict : bool, default=False
        False (the :func:`default_methods`, some of which may not be registered): an
        unregistered name is dropped with a warning. True (names the user chose): it is an
        error, as in :func:`tsclust.compare.check_methods`.

    Returns
    -------
    methods : list of str

    Raises
    ------
    ValueError
        ``strict`` and a name neither registered nor cached (the message lists the valid
        names); no name at all.
    """
    keep = set(cached)
    out = []
    for name in dict.fromkeys(names):
        if name in keep or _registered(name):
            out.append(name)
        elif strict:
            family_of(name)  # raises "unknown method NAME; valid names: ..."
        else:
            logger.warning("method %r is not registered (tsclust.compare.available_methods()); "
                           "skipping it", name)
    if not out and strict:
        raise ValueError("no method chosen; name methods of tsclust.compare.available_methods()")
    return out


def _seeded(method: str) -> bool:
    """Whether ``method``'s family is seeded (unregistered names: no)."""
    return family_of(method).seeded if _registered(method) else False


def seeds_for(method: str, n_seeds: int) -> list[int]:
    """Seeds ``0 .. n_seeds-1`` for a seeded family's method, ``[0]`` for a baseline.

    Parameters
    ----------
    method : str
    n_seeds : int

    Returns
    -------
    seeds : list of int
    """
    return list(range(n_seeds)) if _seeded(method) else [0]


def deep_params(methods: Iterable[str], params: Mapping[str, Any] | None) -> dict[str, dict]:
    """``params`` for every method built as a ``DeepClusterer`` (``ARCH+HEAD``, ``default``).

    Parameters
    ----------
    methods : iterable of str
    params : mapping or None

    Returns
    -------
    method_params : dict
        ``{method: dict(params)}`` (empty when ``params`` is empty).
    """
    if not params:
        return {}
    return {m: dict(params) for m in methods
            if _registered(m) and isinstance(family_of(m), DeepFamily)}


def run_cost(method: str, shape: Sequence[int]) -> float:
    """The size a run is judged by: ``n * length**2 * channels`` for :data:`QUADRATIC_METHODS`,
    ``n * length * channels`` for the others.

    Parameters
    ----------
    method : str
    shape : (n_series, length, n_channels)

    Returns
    -------
    cost : float
    """
    n, length, channels = (float(v) for v in shape)
    return n * length * channels * (length if method in QUADRATIC_METHODS else 1.0)


@dataclass
class Limits:
    """When a run is skipped (a row with ``status="skipped"`` and the reason in ``error``).

    Attributes
    ----------
    max_cost : float or None
        Skip a method of :data:`QUADRATIC_METHODS` when its :func:`run_cost` is above this
        (default :data:`DEFAULT_MAX_COST`); None: never.
    max_seconds : float or None
        After a run of a method took longer than this to fit, skip that method on every later
        problem of at least the same :func:`run_cost` (problems run smallest first); None: never.
        A run is not interrupted.
    """

    max_cost: float | None = DEFAULT_MAX_COST
    max_seconds: float | None = None

    def __post_init__(self) -> None:
        self._slow: dict[str, tuple[float, str, float]] = {}

    def reason(self, method: str, problem: str, shape: Sequence[int]) -> str | None:
        """Why ``method`` is skipped on ``problem`` of this shape, or None to run it."""
        cost = run_cost(method, shape)
        if self.max_cost is not None and method in QUADRATIC_METHODS and cost > self.max_cost:
            return f"skipped: n * length^2 * channels = {cost:.3g} > max_cost {self.max_cost:.3g}"
        slow = self._slow.get(method)
        if slow is not None and cost >= slow[0]:
            return (f"skipped: took {slow[2]:.0f} s > max_seconds {self.max_seconds:g} on "
                    f"{slow[1]}, which is not larger")
        return None

    def record(self, method: str, problem: str, shape: Sequence[int], seconds: float) -> None:
        """Note a run's fit time (seconds); a slow one makes larger problems skip ``method``."""
        if self.max_seconds is None or not seconds > self.max_seconds:
            return
        cost = run_cost(method, shape)
        if method not in self._slow or cost < self._slow[method][0]:
            self._slow[method] = (cost, problem, seconds)


# ------------------------------------------------------------------ runs


def _shape(problem: Problem, shape: Sequence[int] | None) -> tuple[Any, Any, Any]:
    """The loaded shape, else the listed sizes (channels unknown)."""
    return tuple(shape) if shape is not None else (problem.n_series, problem.length, None)


def _blank_row(problem: Problem, method: str, seed: int, shape: Sequence[int] | None) -> dict:
    """The row of a run that did not happen: NaN scores, the problem's sizes."""
    row: dict[str, Any] = {col: math.nan for col in RESULT_COLUMNS}
    n = _shape(problem, shape)[0]
    row.update(method=method, seed=seed, protocol="transductive", n_clusters=problem.n_classes,
               n_train=n, n_test=n, subsample=None, error=None)
    return _panel_row(row, problem, shape)


def _panel_row(row: Mapping[str, Any], problem: Problem, shape: Sequence[int] | None) -> dict:
    """A compare row as a panel row: :data:`PANEL_COLUMNS` first, ``status`` from ``error``."""
    n, length, channels = _shape(problem, shape)
    own = {"dataset": problem.name, "status": "error" if row.get("error") else "ok",
           "n_series": n, "length": length, "n_channels": channels, "source": "run"}
    out = {col: own[col] if col in own else row.get(col) for col in PANEL_COLUMNS}
    out.update({k: v for k, v in row.items() if k not in out})
    return out


def _failed(problem: Problem, method: str, seeds: Sequence[int], shape: Sequence[int] | None,
            error: str, status: str = "error") -> list[dict]:
    rows = [_blank_row(problem, method, seed, shape) for seed in seeds]
    for row in rows:
        row.update(status=status, error=error)
    return rows


def _run_method(
    problem: Problem, method: str, X: np.ndarray, y: np.ndarray, seeds: Sequence[int],
    params: Mapping[str, Any] | None,
) -> list[dict]:
    shape = X.shape
    try:
        rows = compare(X, y, n_clusters=len(np.unique(y)), methods=[method], seeds=seeds,
                       method_params={method: params} if params else None, progress=False)
    except Exception as exc:  # noqa: BLE001 - a method that cannot start is an error row
        logger.warning("%s on %s failed: %s", method, problem.name, exc)
        return _failed(problem, method, seeds, shape, f"{type(exc).__name__}: {exc}")
    return [_panel_row(row, problem, shape) for row in rows]


def _cached_by_pair(cached: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], list[dict]]:
    """Cached rows that count (not skipped), by ``(dataset, method)``, marked ``source="cache"``."""
    out: dict[tuple[str, str], list[dict]] = {}
    for row in cached:
        if row.get("status") != "skipped":
            out.setdefault((row["dataset"], row["method"]), []).append({**row, "source": "cache"})
    return out


def run_panel(
    problems: Sequence[Problem],
    methods: Sequence[str],
    *,
    seeds: int = 3,
    method_params: Mapping[str, Mapping[str, Any]] | None = None,
    cached: Iterable[Mapping[str, Any]] = (),
    limits: Limits | None = None,
    progress: bool = True,
    loader: Callable[[Problem], tuple[np.ndarray, np.ndarray]] = load_problem,
    n_jobs: int = 1,
) -> list[dict[str, Any]]:
    """Run every method on every problem; rows from ``cached`` stand in for their runs.

    Parameters
    ----------
    problems : sequence of Problem
        Run smallest first (:meth:`Problem.size`), so that :attr:`Limits.max_seconds` skips
        the larger ones.
    methods : sequence of str
        Method names (:func:`resolve_methods` first, to drop unregistered ones).
    seeds : int, default=3
        Seeds ``0 .. seeds-1`` for seeded (deep) methods; baselines run with seed 0
        (:func:`seeds_for`).
    method_params : mapping or None, default=None
        ``{method: {constructor argument: value}}`` (e.g. :func:`deep_params`).
    cached : iterable of dict, default=()
        Rows of a cache (:func:`tsclust.bench.cache.parse_cache`): a ``(dataset, method)``
        with cached rows (other than skipped ones) is not run; its rows are returned with
        ``source="cache"``.
    limits : Limits or None, default=None
        Skipping rules (None: ``Limits()``).
    progress : bool, default=True
        A tqdm bar over problems x methods (stderr).
    loader : callable, default=load_problem
        ``loader(problem) -> (X, y)``, called only for a problem with something to run
        (picklable when ``n_jobs > 1``).
    n_jobs : int, default=1
        Problems run at once, each in its own process (spawned, with
        ``max(1, cpu_count // n_jobs)`` torch threads). The rows are the same as with one job
        (every run is seeded), in the same order; only ``fit_time_s`` shares the machine.
        Needs ``limits.max_seconds`` None, since that rule depends on the run order. A worker
        that dies (killed, out of memory) turns the problems it left unfinished into error
        rows; the finished ones are kept. The workers end within a second when this process
        is killed (they watch their parent).

    Returns
    -------
    rows : list of dict
        One per run (problems in run order, then methods, then seeds), keys
        :data:`PANEL_COLUMNS` first. A run that failed, or a problem that could not be loaded,
        is a row with ``status="error"`` and the exception in ``error``; a skipped run has
        ``status="skipped"`` and the reason.

    Raises
    ------
    ValueError
        ``n_jobs`` not a positive integer, or above 1 with ``limits.max_seconds`` set.
    """
    limits = Limits() if limits is None else limits
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs < 1:
        raise ValueError(f"n_jobs must be an integer >= 1, got {n_jobs!r}")
    if n_jobs > 1 and limits.max_seconds is not None:
        raise ValueError("max_seconds skips by the run order, which n_jobs > 1 does not keep; "
                         "use n_jobs=1 with max_seconds")
    params = dict(method_params or {})
    by_pair = _cached_by_pair(cached)
    order = sorted(problems, key=Problem.size)
    jobs = [(problem, {m: by_pair[(problem.name, m)] for m in methods
                       if (problem.name, m) in by_pair}) for problem in order]
    with tqdm(total=len(order) * len(methods), desc="panel", disable=not progress) as bar:
        if n_jobs == 1:
            parts = [_problem_rows(problem, methods, cached_rows, seeds, params, limits, loader,
                                   bar) for problem, cached_rows in jobs]
        else:
            parts = _run_parallel(jobs, methods, seeds, params, limits, loader, n_jobs, bar)
    return [row for part in parts for row in part]


def _problem_rows(problem: Problem, methods: Sequence[str],
                  cached_rows: Mapping[str, list[dict]], seeds: int,
                  params: Mapping[str, Any], limits: Limits,
                  loader: Callable[[Problem], tuple[np.ndarray, np.ndarray]],
                  bar: Any = None) -> list[dict]:
    """Every method's rows on one problem (its cached rows where given), in ``methods`` order."""
    todo = [m for m in methods if m not in cached_rows]
    data: tuple[np.ndarray, np.ndarray] | str | None = None
    if todo:
        try:
            data = loader(problem)
        except Exception as exc:  # noqa: BLE001 - a problem that cannot load is a row
            logger.warning("cannot load %s: %s", problem.name, exc)
            data = f"{type(exc).__name__}: {exc}"
    rows: list[dict] = []
    for method in methods:
        if bar is not None:
            bar.set_postfix_str(f"{problem.name} {method}")
        if method not in todo:
            rows += cached_rows[method]
        elif isinstance(data, str):
            rows += _failed(problem, method, seeds_for(method, seeds), None, data)
        else:
            rows += _one(problem, method, data, seeds_for(method, seeds), params.get(method),
                         limits)
        if bar is not None:
            bar.update(1)
    return rows


def _watch_parent(parent: int, interval: float = 0.5) -> None:
    """End this process (status 143) once its parent ``parent`` is gone (a daemon thread)."""
    import signal
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        logger.warning("panel worker %d: the panel process is gone; stopping", os.getpid())
        os._exit(128 + signal.SIGTERM)

    threading.Thread(target=watch, name="tsclust-panel-watch-parent", daemon=True).start()


def _init_worker(threads: int, parent: int | None = None) -> None:
    """A panel worker process: ``threads`` torch threads (the jobs share the cores); it
    stops as soon as the panel process ``parent`` is gone (killed), instead of running on."""
    import torch

    if parent is not None:
        _watch_parent(parent)
    torch.set_num_threads(threads)


def _run_parallel(jobs: Sequence[tuple[Problem, dict]], methods: Sequence[str], seeds: int,
                  params: Mapping[str, Any], limits: Limits,
                  loader: Callable[[Problem], tuple[np.ndarray, np.ndarray]], n_jobs: int,
                  bar: Any) -> list[list[dict]]:
    """:func:`_problem_rows` of every job in ``n_jobs`` spawned processes, in job order."""
    threads = max(1, (os.cpu_count() or 1) // n_jobs)
    pool = ProcessPoolExecutor(max_workers=n_jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker, initargs=(threads, os.getpid()))
    try:
        futures = {pool.submit(_problem_rows, problem, methods, cached_rows, seeds, params,
                               limits, loader): i for i, (problem, cached_rows) in enumerate(jobs)}
        results: list[list[dict]] = [[] for _ in jobs]
        for future in as_completed(futures):
            i = futures[future]
            problem = jobs[i][0]
            try:
                results[i] = future.result()
            except BrokenProcessPool as exc:  # a worker died: this problem's runs are lost
                logger.warning("a panel worker died while %s was pending: %s", problem.name, exc)
                results[i] = [row for m in methods for row in _failed(
                    problem, m, seeds_for(m, seeds), None, f"BrokenProcessPool: {exc}")]
            bar.set_postfix_str(problem.name)
            bar.update(len(methods))
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return results


def _one(problem: Problem, method: str, data: tuple[np.ndarray, np.ndarray],
         seeds: Sequence[int], params: Mapping[str, Any] | None, limits: Limits) -> list[dict]:
    X, y = data
    reason = limits.reason(method, problem.name, X.shape)
    if reason is not None:
        return _failed(problem, method, seeds, X.shape, reason, status="skipped")
    rows = _run_method(problem, method, X, y, seeds, params)
    slowest = max((r["fit_time_s"] for r in rows if r["status"] == "ok"), default=math.nan)
    limits.record(method, problem.name, X.shape, slowest)
    return rows


# ------------------------------------------------------------------ files

PANEL_FILES: tuple[str, ...] = (
    "panel_runs.csv", "panel_summary.csv", "panel.md", "panel.json", "panel_ranks.png",
)
"""The files :func:`write_panel` writes."""


def baselines_of(methods: Iterable[str]) -> list[str]:
    """The methods of ``methods`` that run once (not of a seeded family): the W/T/L columns.

    Parameters
    ----------
    methods : iterable of str

    Returns
    -------
    baselines : list of str
    """
    return [m for m in methods if not _seeded(m)]


def write_panel(
    rows: Sequence[Mapping[str, Any]],
    outdir: str | os.PathLike,
    *,
    meta: Mapping[str, Any] | None = None,
    overwrite: bool = False,
) -> dict[str, Path]:
    """Write the report of panel rows (:data:`PANEL_FILES`), all or nothing.

    The texts come from :mod:`tsclust.bench.report`, the figure from
    :func:`tsclust.plotting.plot_ranks`, the files through
    :func:`tsclust.io.write_file_set` (every file, or none).

    Parameters
    ----------
    rows : sequence of dict
        From :func:`run_panel`.
    outdir : path-like
        Created with its parents.
    meta : mapping or None, default=None
        Lines at the top of ``panel.md`` and the ``meta`` of ``panel.json``; ``protocol``,
        ``machine`` and ``date`` are added when missing.
    overwrite : bool, default=False
        Write into an existing folder (replacing these files).

    Returns
    -------
    paths : dict
        File name -> path.

    Raises
    ------
    FileExistsError
        ``outdir`` exists and ``overwrite`` is False.
    ValueError
        No rows.
    """
    from ..compare.report import csv_text, stamped
    from ..io import write_file_set
    from ..plotting import plot_ranks
    from . import report

    if not rows:
        raise ValueError("no rows to write")
    info = stamped({"protocol": PROTOCOL, **(meta or {})})
    analysis = report.analyse(rows, baselines_of(report.methods_of(rows)))
    runs, summary, md, js, png = PANEL_FILES
    texts = {
        runs: csv_text(rows, first=PANEL_COLUMNS),
        summary: report.summary_csv(analysis),
        md: report.markdown(rows, info, analysis),
        js: report.json_text(rows, info, analysis),
    }
    ranks = analysis.rank_map()

    def draw(path: Path) -> None:
        plot_ranks(ranks, path, cd=analysis.test["cd"], n_problems=analysis.test["n_problems"])

    return write_file_set(outdir, texts, {png: draw}, overwrite=overwrite)
