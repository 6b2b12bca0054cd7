"""``tsclust bench panel``: every method on the UCR problems + HAPT; tables, ranks, a cache."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ._common import check_outputs, json_object, number
from .compare import parse_methods as parse_list

__all__ = ["add_parser", "run", "BENCHMARKS"]

logger = logging.getLogger(__name__)

_QUICK_HELP = ("three small UCR problems (Chinatown, Coffee, ECG200; shipped with tsclust, used "
               "when the data root has none), 1 seed, 3 pre-training and 3 fine-tuning epochs "
               "for the deep methods: a smoke test of a few seconds")


def _add_panel(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "panel",
        help="every method on every UCR problem and HAPT: per-problem tables, W/T/L, ranks",
        description="Run methods x seeds on the panel: the UCR problems of DATA_ROOT/ucr2018 "
        "(INDEX.tsv) and HAPT windows (128 samples, step 64, labels 'pure'). Protocol: TRAIN+TEST "
        "merged, global per-channel standardization, k = number of classes, transductive, NMI "
        "and ARI. Deep methods run with --seeds seeds, baselines once. Rows of the methods in "
        "the cache (default benchmarks/panel_baselines.csv, when it exists) are read from it "
        "instead of run, unless --recompute. Writes panel_runs.csv, panel_summary.csv, panel.md, "
        "panel.json and panel_ranks.png to OUTDIR.",
    )
    p.add_argument("--methods", default=None,
                   help="comma-separated method names (default: default, ARCH+kmeans and "
                   "ARCH+dec for every architecture, euclidean-kmeans, dtw-kmeans, kshape, "
                   "rocket-kmeans); an unknown name is an error that lists the valid ones")
    p.add_argument("--problems", default=None,
                   help="'all' (default), 'quick', or comma-separated problem names (HAPT for "
                   "HAPT)")
    p.add_argument("--seeds", type=number(int, low=1), default=None,
                   help="seeds of the deep methods, 0..N-1 (default 3; 1 with --quick)")
    p.add_argument("--quick", action="store_true", help=_QUICK_HELP)
    p.add_argument("--epochs", type=number(int, low=0), default=None,
                   help="pre-training and fine-tuning epochs of the deep methods (default: "
                   "theirs; 3 with --quick)")
    p.add_argument("--params", type=json_object, default=None, metavar="JSON",
                   help="constructor arguments of the deep methods, e.g. "
                   "'{\"module_kwargs\": {\"n_features\": 2016}}' (with --epochs: merged)")
    p.add_argument("--data-root", type=Path, default=None,
                   help="folder with ucr2018/ and hapt/ (default: ../shared/data next to the "
                   "repository)")
    p.add_argument("--cache", type=Path, default=None,
                   help="cached rows to read (default benchmarks/panel_baselines.csv in the "
                   "repository, when it exists)")
    p.add_argument("--recompute", action="store_true", help="read no cache: run every method")
    p.add_argument("--write-cache", type=Path, default=None, metavar="CSV",
                   help="merge this run's rows into the cache CSV (and its .json sidecar: "
                   "command, date, package versions), after the results; a new file or a "
                   "panel cache, outside OUTDIR, checked before the run")
    p.add_argument("--max-cost", type=number(float, low=0), default=None,
                   help="skip dtw-kmeans, softdtw-kmeans and kshape where n * length^2 * "
                   "channels is above this (default 2e8; 0 = never skip)")
    p.add_argument("--max-seconds", type=number(float, low=0, strict=True), default=None,
                   help="after a run fits longer than this, skip that method on the larger "
                   "problems (problems run smallest first; default: no limit)")
    p.add_argument("--jobs", "-j", type=number(int, low=1), default=1,
                   help="problems run at once, one process each (default 1; not with "
                        "--max-seconds). Scores are those of one job; seconds share the cores")
    p.add_argument("-o", "--out", type=Path, default=None, help="output directory")
    p.add_argument("--overwrite", action="store_true", help="write into an existing OUTDIR")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    return p


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``tsclust bench`` (and ``bench panel``) in ``subparsers``; returns its parser."""
    p = subparsers.add_parser(
        "bench", help="benchmarks over many datasets (bench panel)",
        description="Benchmarks over many datasets.",
    )
    sub = p.add_subparsers(dest="benchmark", metavar="BENCHMARK")
    _add_panel(sub)
    return p


def _read_cache(path: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    from ..bench.cache import parse_cache, sidecar_path

    side = sidecar_path(path)
    if not side.is_file():
        raise FileNotFoundError(f"cache {path} has no sidecar {side}")
    return parse_cache(path.read_text(encoding="utf-8"), side.read_text(encoding="utf-8"))


def _cache(args: argparse.Namespace) -> tuple[Path | None, list[dict[str, Any]]]:
    """The cache read (path, rows); (None, []) with --recompute or without a cache file."""
    from ..bench.cache import default_cache_path

    if args.recompute:
        return None, []
    path = args.cache if args.cache is not None else default_cache_path()
    if not path.is_file():
        if args.cache is not None:
            raise FileNotFoundError(f"cache {path} not found")
        return None, []
    return path, _read_cache(path)[0]


def _writable(folder: Path) -> bool:
    """Whether a file can be created in ``folder`` (tried: ``os.access`` misses read-only mounts)."""
    import tempfile

    if not os.access(folder, os.W_OK | os.X_OK):
        return False
    try:
        fd, probe = tempfile.mkstemp(prefix=".tsclust-probe.", dir=folder)
    except OSError:
        return False
    os.close(fd)
    os.unlink(probe)
    return True


def _check_write_cache(
    path: Path | None, out: Path | None
) -> tuple[list[dict[str, Any]], dict[str, Any]] | None:
    """Check ``--write-cache`` before the run; returns the cache it will merge into (None: new).

    The CSV must end in ``.csv`` (its sidecar is the ``.json`` beside it), lie outside the
    ``-o`` folder (which must not exist before the panel writes it), be a panel cache or not
    exist yet, and its folder (or the nearest existing one above it) must be writable.

    Raises
    ------
    ValueError, IsADirectoryError, PermissionError, FileNotFoundError
        Whichever check fails, naming the path.
    """
    from ..bench.cache import sidecar_path

    if path is None:
        return None
    if path.suffix.lower() != ".csv":
        raise ValueError(f"--write-cache {path}: name a .csv file (its sidecar is the .json "
                         "beside it)")
    if out is not None:
        here, there = Path(os.path.realpath(path)), Path(os.path.realpath(out))
        if there == here or there in here.parents:
            raise ValueError(f"--write-cache {path} lies inside the -o folder {out}: put the "
                             "cache elsewhere (e.g. benchmarks/)")
    if path.is_dir():
        raise IsADirectoryError(f"--write-cache {path} is a folder; name a .csv file")
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir() or not _writable(folder):
        raise PermissionError(f"--write-cache {path}: folder {folder} is not writable; "
                              "choose another path")
    side = sidecar_path(path)
    if not path.exists():
        if side.exists():
            raise FileExistsError(f"--write-cache {path}: {side} exists without its CSV; "
                                  "choose another path or remove it")
        return None
    try:
        return _read_cache(path)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"--write-cache {path} exists and is not a panel cache ({exc}); name "
                         "a cache or a new file") from exc


def _names(value: str | None, option: str, what: str) -> list[str]:
    """The comma-separated names of ``option`` ([] when not given); an empty list is an error."""
    if value is None:
        return []
    names = parse_list(value)
    if not names:
        raise ValueError(f"{option} {value!r} names nothing: give {what}, or leave {option} out")
    return names


def _command() -> str:
    return "tsclust " + " ".join(sys.argv[1:])


def _run_panel(args: argparse.Namespace) -> int:
    from ..bench import panel
    from ..bench.cache import write_cache
    from ..bench.report import analyse, overview

    check_outputs([args.out], [args.data_root, args.cache], args.overwrite, folders=True)
    chosen = _names(args.problems, "--problems", "problem names, 'quick' or 'all'") or [
        "quick" if args.quick else "all"]
    problems = panel.list_problems(
        args.data_root, chosen[0] if chosen in (["all"], ["quick"]) else chosen)
    cache_path, cached = _cache(args)
    previous = _check_write_cache(args.write_cache, args.out)
    requested = _names(args.methods, "--methods", "method names")
    methods = panel.resolve_methods(requested or panel.default_methods(),
                                    {r["method"] for r in cached}, strict=bool(requested))
    if not methods:
        raise ValueError("no method to run")
    seeds = args.seeds if args.seeds is not None else (1 if args.quick else 3)
    epochs = args.epochs if args.epochs is not None else (3 if args.quick else None)
    given = dict(args.params or {})
    if epochs is not None:
        given.update(pretrain_epochs=epochs, finetune_epochs=epochs)
    params = panel.deep_params(methods, given)
    max_cost = panel.DEFAULT_MAX_COST if args.max_cost is None else (args.max_cost or None)
    limits = panel.Limits(max_cost=max_cost, max_seconds=args.max_seconds)
    rows = panel.run_panel(problems, methods, seeds=seeds, method_params=params, cached=cached,
                           limits=limits, progress=not args.quiet, n_jobs=args.jobs)
    used = sum(r["source"] == "cache" for r in rows)
    meta = {
        "command": _command(),
        "data root": str(Path(problems[0].path).parents[problems[0].kind == "ucr"]),
        "problems": f"{len(problems)} ({', '.join(chosen)})",
        "methods": ", ".join(methods),
        "seeds (deep methods)": seeds,
        "deep epochs": epochs if epochs is not None else "estimator defaults",
        "deep params": args.params or "estimator defaults",
        "limits": f"max_cost {limits.max_cost}, max_seconds {limits.max_seconds}",
        "jobs": args.jobs,
        "cache": f"{cache_path} ({used} rows used)" if cache_path else "none",
    }
    print(overview(analyse(rows, panel.baselines_of(methods))))
    if args.out is not None:  # the results first: a cache that fails to write loses no result
        paths = panel.write_panel(rows, args.out, meta=meta, overwrite=args.overwrite)
        print("results written to " + ", ".join(str(p) for p in paths.values()))
    if args.write_cache is not None:
        fresh = [r for r in rows if r["source"] == "run"]
        run_info = {"command": meta["command"], "methods": methods,
                    "problems": sorted({r["dataset"] for r in fresh}), "seeds": seeds,
                    "limits": meta["limits"]}
        written = write_cache(args.write_cache, fresh, run_info, previous)
        print("cache written to " + ", ".join(str(p) for p in written.values()))
    return 0


BENCHMARKS: dict[str, Callable[[argparse.Namespace], int]] = {"panel": _run_panel}
"""``tsclust bench NAME`` -> its runner."""


def run(args: argparse.Namespace) -> int:
    """Run the benchmark named on the command line (``tsclust bench panel``)."""
    runner = BENCHMARKS.get(getattr(args, "benchmark", None) or "")
    if runner is None:
        raise ValueError(f"name a benchmark: tsclust bench {{{', '.join(BENCHMARKS)}}} ...")
    return runner(args)
