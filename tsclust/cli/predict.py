"""``tsclust predict``: assign the windows of a store to the clusters of a fitted model."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._common import check_outputs, cluster_sizes, print_scores, staged_outputs

__all__ = ["add_parser", "run", "PREDICTION_COLUMNS", "prediction_rows", "assign"]

PREDICTION_COLUMNS = ("window", "recording", "start", "cluster", "confidence", "label")
"""The header of the labels CSV that ``tsclust predict`` writes."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``tsclust predict`` in ``subparsers``; returns its parser."""
    p = subparsers.add_parser(
        "predict",
        help="assign the windows of a store to the clusters of a fitted model",
        description="Write one CSV row per window: index, recording, start sample, cluster, "
        "confidence (soft heads) and the store's label when it has one.",
    )
    p.add_argument("model", type=Path, help="model file written by tsclust fit")
    p.add_argument("store", type=Path, help="HDF5 window store")
    p.add_argument("-o", "--out", type=Path, required=True, help="labels CSV")
    p.add_argument(
        "--plot", type=Path, default=None, metavar="PNG",
        help="also draw the predicted clusters: size, medoid, mean and band per channel "
        "group, and where each occurs (tsclust.plotting.plot_clusters)",
    )
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    return p


def assign(est: Any, X: Any, origins: Any) -> tuple[Any, Any]:
    """Cluster of every window and, for soft heads, its confidence.

    Parameters
    ----------
    est : fitted clusterer
        Estimators with ``accepts_groups = True`` get each window's recording as ``groups``.
    X : ndarray of shape (n_windows, n_timepoints, n_channels)
    origins : ndarray of shape (n_windows, 2)
        Recording index and start sample of each window.

    Returns
    -------
    labels : ndarray of shape (n_windows,)
    confidence : ndarray of shape (n_windows,) or None
        The largest soft-assignment probability; None for hard heads.
    """
    kw = {"groups": origins[:, 0]} if getattr(est, "accepts_groups", False) else {}
    if not hasattr(est, "predict_proba"):
        return est.predict(X, **kw), None
    proba = est.predict_proba(X, **kw)  # soft heads: predict is the argmax of proba
    return proba.argmax(axis=1), proba.max(axis=1)


def prediction_rows(
    origins: Any, labels: Any, confidence: Any = None, y: Any = None
) -> list[Sequence[Any]]:
    """The rows of the labels CSV, header first (:data:`PREDICTION_COLUMNS`).

    Parameters
    ----------
    origins : ndarray of shape (n_windows, 2)
        Recording index and start sample of each window.
    labels : ndarray of shape (n_windows,)
    confidence : ndarray of shape (n_windows,) or None, default=None
        Written with 4 decimals; empty cells when None.
    y : ndarray of shape (n_windows,) or None, default=None
        The store's labels; empty cells when None.

    Returns
    -------
    rows : list of sequences
        ``[PREDICTION_COLUMNS, [0, rec, start, cluster, "0.9731", label], ...]``.
    """
    rows: list[Sequence[Any]] = [PREDICTION_COLUMNS]
    for i, (rec, start) in enumerate(origins):
        rows.append([
            i, int(rec), int(start), int(labels[i]),
            "" if confidence is None else f"{confidence[i]:.4f}",
            "" if y is None else int(y[i]),
        ])
    return rows


def run(args: argparse.Namespace) -> int:
    """Write the labels CSV of ``args.store`` under ``args.model``, and the ``--plot`` figure.

    Both outputs are checked before any work and written all or nothing.
    """
    import csv

    from ..io import atomic_text, check_file, read_windows

    check_outputs([args.out, args.plot], [args.model, args.store], args.overwrite)
    check_file(args.model, "model file")  # before torch is imported: a missing file in 0.2 s
    check_file(args.store, "window store")
    from ..clustering import load_clusterer

    est = load_clusterer(args.model)
    w = read_windows(args.store)
    labels, conf = assign(est, w.X, w.origins)  # Windows always fills origins
    with staged_outputs(args.out, args.plot) as (csv_tmp, png_tmp):  # both or neither
        with atomic_text(csv_tmp, overwrite=True) as fh:  # --overwrite was checked above
            csv.writer(fh).writerows(prediction_rows(w.origins, labels, conf, w.y))
        if png_tmp is not None:
            from .fit import plot_windows

            plot_windows(w, labels, png_tmp)
    drawn = f" (clusters drawn in {args.plot})" if args.plot is not None else ""
    print(f"{len(w)} windows -> {args.out}{drawn}; cluster sizes: {cluster_sizes(labels)}")
    print_scores(w.y, labels)
    return 0
