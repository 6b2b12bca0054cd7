"""``tsclust fit``: fit a DeepClusterer (or a RecordingClusterer) on a store, save the model."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from ._common import (
    check_outputs,
    cluster_sizes,
    error,
    number,
    print_scores,
    staged_outputs,
    validate_estimator,
)
from ._params import add_estimator_options, estimator_argv, estimator_params, unsupported_options

__all__ = ["add_parser", "run", "parse_k", "parse_range", "plot_windows"]

_positive = number(int, low=1)


def parse_k(value: str) -> int | str:
    """Parse ``-k``: an integer >= 1 or ``"auto"``."""
    if value == "auto":
        return value
    try:
        return _positive(value)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"-k takes an integer >= 1 or 'auto', got {value!r}"
        ) from None


def parse_range(value: str) -> range:
    """Parse ``--k-range``: ``"2-12"`` -> ``range(2, 13)`` (``1 <= LO <= HI``)."""
    try:
        lo, hi = (_positive(v) for v in value.split("-"))
    except (ValueError, argparse.ArgumentTypeError):
        lo = hi = 0
    if not 1 <= lo <= hi:
        raise argparse.ArgumentTypeError(
            f"--k-range takes LO-HI with 1 <= LO <= HI, e.g. 2-12, got {value!r}"
        )
    return range(lo, hi + 1)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``tsclust fit`` in ``subparsers``; returns its parser."""
    p = subparsers.add_parser(
        "fit",
        help="fit a DeepClusterer on a window store and save the model",
        description="Pre-train an autoencoder on the windows of STORE and fit a clustering head; "
        "write the model to an HDF5 file. With -k auto the number of clusters is chosen by "
        "silhouette on the latents. Unknown architecture or head names are reported with "
        "the valid ones.",
    )
    p.add_argument("store", type=Path, help="HDF5 window store (tsclust windows)")
    p.add_argument("-k", "--n-clusters", type=parse_k, required=True, help="integer or 'auto'")
    p.add_argument("--k-range", type=parse_range, default=range(2, 13), help="with -k auto (2-12)")
    add_estimator_options(p)
    p.add_argument(
        "--by-recording", action="store_true",
        help="fit a RecordingClusterer: cov statistics aligned per recording of the store plus "
        "the posture angle to each recording's upright reference (accelerometer in channels 0-2)",
    )
    p.add_argument("-o", "--out", type=Path, required=True, help="model file (.h5)")
    p.add_argument(
        "--plot", type=Path, default=None, metavar="PNG",
        help="also draw the clusters of the fitted windows: size, medoid, mean and band per "
        "channel group, and where each occurs (tsclust.plotting.plot_clusters)",
    )
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bars")
    p.add_argument(
        "--nproc", type=_positive, default=1,
        help="data-parallel processes (>1 runs: torchrun --standalone --nproc-per-node N "
        "-m tsclust.cli.torchrun fit ...; gloo on CPU, nccl on GPUs; the store is streamed)",
    )
    return p


def plot_windows(w: Any, labels: Any, path: Path) -> None:
    """Write :func:`tsclust.plotting.plot_clusters` of the windows of a store to ``path``.

    Parameters
    ----------
    w : tsclust.preprocessing.Windows
        The store's windows: ``X`` of shape (n_windows, size, n_channels), channels,
        sampling rate, ``origins`` of shape (n_windows, 2) (recording, start sample) and
        labels ``y`` of shape (n_windows,) or None (they name each cluster's majority class).
    labels : ndarray of shape (n_windows,)
        Cluster of each window.
    path : Path
        Where the PNG goes (a temporary name of :func:`staged_outputs`).
    """
    from ..plotting import plot_clusters

    plot_clusters(w.X, labels, channels=w.channels, positions=w.origins[:, 1],
                  recordings=w.origins[:, 0], rate=w.sampling_rate, truth=w.y, path=path)


def _verbose(args: argparse.Namespace) -> int:
    """The estimator's ``verbose`` from ``--quiet``."""
    return 0 if args.quiet else 1


def _fit_distributed(args: argparse.Namespace) -> int:
    """Run the fit on ``args.nproc`` torchrun ranks (``python -m tsclust.cli.torchrun fit``)."""
    from ..distributed.launch import launch

    fwd = ["fit", str(args.store), "-k", str(args.n_clusters), "-o", str(args.out)]
    fwd += estimator_argv(args)
    fwd += ["--overwrite"] * bool(args.overwrite) + ["--quiet"] * bool(args.quiet)
    rc = launch(args.nproc, fwd)
    if rc != 0:
        error(f"torchrun exited with status {rc}")
    return rc


def _fit_by_recording(args: argparse.Namespace, start: float) -> int:
    """Fit a RecordingClusterer, given each window's recording."""
    import numpy as np

    from ..clustering import RecordingClusterer
    from ..io import read_windows

    bad = [flag for flag, on in (
        ("-k auto", args.n_clusters == "auto"), ("--nproc > 1", args.nproc > 1),
    ) if on]
    bad += unsupported_options(args, RecordingClusterer().get_params())
    if bad:
        raise ValueError(f"--by-recording does not take {', '.join(bad)}")
    est = RecordingClusterer(
        n_clusters=args.n_clusters, verbose=_verbose(args), **estimator_params(args)
    )
    validate_estimator(est)
    w = read_windows(args.store)
    t0 = time.perf_counter()
    est.fit(w.X, groups=w.origins[:, 0])
    n_rec = len(np.unique(w.origins[:, 0]))
    return _save_fitted(est, w, f"rec+{est.head}", f" of {n_rec} recordings", t0, args,
                        start)


def _select_k(est: Any, X: Any, args: argparse.Namespace) -> Any:
    """Choose k by silhouette over ``args.k_range``; print the table; the estimator to fit."""
    from ..clustering import select_k

    est.set_params(warm_start=True)  # the final fit reuses select_k's pre-training
    sel = select_k(X, args.k_range, estimator=est, random_state=args.seed)
    print("k  silhouette  calinski_harabasz  inertia")
    for row in sel.as_rows():
        print(
            f"{row['k']:<2} {row['silhouette']:10.3f}  {row['calinski_harabasz']:17.1f}  "
            f"{row['inertia']:.1f}"
        )
    print(f"chosen k = {sel.best_k} (best silhouette; elbow of inertia at k = {sel.elbow_k})")
    return sel.extra["estimator"].set_params(head=est.head, n_clusters=sel.best_k)


def _save_fitted(
    est: Any, w: Any, name: str, where: str, t0: float, args: argparse.Namespace,
    start: float,
) -> int:
    """Save a model fitted since ``t0`` (and its ``--plot``); print time, cluster sizes, scores.

    The time printed is the fit's, then the command's since ``start`` (imports, reading
    the store and choosing k included), so that neither is mistaken for the other.
    """
    seconds = time.perf_counter() - t0
    with staged_outputs(args.out, args.plot) as (model_tmp, png_tmp):  # both or neither
        est.save(model_tmp, overwrite=True)  # check_outputs checked --overwrite
        if png_tmp is not None:
            plot_windows(w, est.labels_, png_tmp)
    total = time.perf_counter() - start
    print(f"fitted {name} on {len(w)} windows {w.X.shape[1:]}{where} in {seconds:.1f} s "
          f"({total:.1f} s for the whole command)")
    print(f"cluster sizes: {cluster_sizes(est.labels_, est.n_clusters)}")
    print_scores(w.y, est.labels_)
    print(f"model written to {args.out}" + (f", clusters drawn in {args.plot}"
                                             if args.plot is not None else ""))
    return 0


def run(args: argparse.Namespace) -> int:
    """Check the options and the estimator's parameters, then fit and save."""
    from ..io import check_file

    start = time.perf_counter()
    check_outputs([args.out, args.plot], [args.store], args.overwrite)
    check_file(args.store, "window store")  # before torch is imported (seconds)
    if args.plot is not None and args.nproc > 1:
        raise ValueError("--plot is not supported with --nproc > 1; draw the clusters with "
                         "tsclust predict MODEL STORE -o CSV --plot PNG")
    if args.by_recording:
        return _fit_by_recording(args, start)
    if args.nproc > 1 and args.n_clusters == "auto":
        raise ValueError("-k auto is not supported with --nproc > 1; give an integer")

    from ..clustering import DeepClusterer
    from ..io import read_windows

    params = estimator_params(args)
    if args.n_clusters != "auto":
        params["n_clusters"] = args.n_clusters
    est = validate_estimator(DeepClusterer(verbose=_verbose(args), **params))
    if args.nproc > 1:
        return _fit_distributed(args)
    w = read_windows(args.store)
    if args.n_clusters == "auto":
        est = _select_k(est, w.X, args)
    t0 = time.perf_counter()
    est.fit(w.X)
    return _save_fitted(est, w, f"{est.architecture_}+{est.head_.name}", "", t0, args,
                        start)
