"""``tsclust compare``: run methods x seeds on a store and write the result tables."""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path
from typing import Any

from ._common import check_outputs, number

__all__ = ["add_parser", "run", "parse_methods"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``tsclust compare`` in ``subparsers``; returns its parser."""
    p = subparsers.add_parser(
        "compare",
        help="compare deep clusterers with DTW k-means and other baselines on a store",
        description="Run methods x seeds on the windows of STORE; write results.csv, results.md, "
        "results.json and results.png to OUTDIR. Methods: the baselines (the keys of "
        "tsclust.baselines.BASELINES, e.g. dtw-kmeans, kmeans, stats-kmeans) and ARCH+HEAD "
        "with ARCH a key of tsclust.models.ARCHITECTURES (e.g. cov+dec), or rec+HEAD "
        "(RecordingClusterer, given the store's recordings; e.g. rec+dec). An unknown name "
        "is reported with the valid ones before anything runs.",
    )
    p.add_argument("store", type=Path, help="HDF5 window store")
    p.add_argument("-k", "--n-clusters", type=number(int, low=1), required=True)
    p.add_argument("--methods", required=True, help="comma-separated method names")
    p.add_argument("--seeds", type=number(int, low=1), default=3, help="number of seeds: runs seeds 0..N-1, as the Python "
                   "compare(seeds=N) (default 3)")
    p.add_argument("--protocol", choices=("transductive", "inductive"), default="transductive")
    p.add_argument("--test-fraction", type=number(float, low=0, high=1, strict=True), default=None,
                   help="inductive: fraction of subjects held out (default 0.25)")
    p.add_argument("--subsample", type=number(int, low=1), default=None, help="windows drawn per seed")
    p.add_argument(
        "--scaling", choices=("none", "standard"), default="none",
        help="standard: per-channel standardisation fitted on all windows before every method "
        "(transductive protocol only; deep methods also scale internally)",
    )
    p.add_argument("--epochs", type=number(int, low=0), default=None, help="pre-training epochs of deep methods")
    p.add_argument("-o", "--out", type=Path, required=True, help="output directory")
    p.add_argument("--overwrite", action="store_true", help="write into an existing OUTDIR")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    return p


def parse_methods(value: str) -> list[str]:
    """``"a, b,,c"`` -> ``["a", "b", "c"]`` (blank entries dropped)."""
    return [m.strip() for m in value.split(",") if m.strip()]


def _method_params(methods: list[str], epochs: int | None) -> dict[str, dict[str, Any]] | None:
    """``--epochs`` as the ``pretrain_epochs`` of every deep (``ARCH+HEAD``) method."""
    if epochs is None:
        return None
    return {m: {"pretrain_epochs": epochs} for m in methods if "+" in m}


def _meta(args: argparse.Namespace, n_windows: int, shape: tuple[int, ...]) -> dict[str, Any]:
    """The command, data and machine lines of the result files."""
    command = "tsclust " + " ".join(sys.argv[1:]) if sys.argv[0].endswith("tsclust") else None
    return {
        "command": command,
        "data": f"{args.store} ({n_windows} windows, shape {shape}, scaling: {args.scaling})",
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores, {platform.python_version()}",
    }


def run(args: argparse.Namespace) -> int:
    """Check the method names, run the comparison, write and print the tables."""
    import numpy as np

    from ..compare import check_methods, compare, write_results
    from ..io import read_windows, store_info

    methods = parse_methods(args.methods)
    check_methods(methods)
    check_outputs([args.out], [args.store], args.overwrite, folders=True)
    if args.scaling == "standard" and args.protocol != "transductive":
        raise ValueError(
            "--scaling standard fits on all windows: use it with the transductive protocol"
        )
    w = read_windows(args.store)
    X = w.X
    if args.scaling == "standard":
        from ..preprocessing import ChannelStandardScaler

        X = ChannelStandardScaler().fit_transform(X).astype(np.float32)
    rows = compare(
        X, w.y, n_clusters=args.n_clusters, methods=methods, seeds=args.seeds,
        protocol=args.protocol, groups=w.subject if args.protocol == "inductive" else None,
        test_fraction=args.test_fraction, subsample=args.subsample,
        method_params=_method_params(methods, args.epochs), progress=not args.quiet,
        recordings=w.origins[:, 0],
    )
    n_windows = store_info(args.store).get("n_windows", len(w))
    meta = _meta(args, n_windows, tuple(w.X.shape[1:]))
    paths = write_results(rows, args.out, overwrite=args.overwrite, meta=meta)
    print(Path(paths["md"]).read_text().split("\n\n", 2)[-1].strip())
    print("results written to " + ", ".join(str(p) for p in paths.values()))
    return 0
