"""What the subcommands share: error printing, output checks, summaries and the error policy.

Imports nothing heavy: the parsers are built from these helpers on every ``tsclust`` call.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "USER_ERRORS",
    "error",
    "check_free",
    "run_command",
    "format_counts",
    "print_summary",
    "print_scores",
    "cluster_sizes",
    "validate_estimator",
]

USER_ERRORS: tuple[type[BaseException], ...] = (
    ValueError,
    FileNotFoundError,
    FileExistsError,
    ConnectionError,
)
"""Exceptions reported as ``tsclust: error: ...`` with exit status 2 (no traceback)."""


def error(msg: str) -> None:
    """Print ``tsclust: error: MSG`` to stderr, as argparse does for a usage error."""
    print(f"tsclust: error: {msg}", file=sys.stderr)


def run_command(func: Callable[[argparse.Namespace], int | None], args: argparse.Namespace) -> int:
    """Run a subcommand's ``run(args)`` under the error policy of the command line.

    Parameters
    ----------
    func : callable
        The subcommand's ``run``.
    args : argparse.Namespace
        Its parsed arguments.

    Returns
    -------
    status : int
        What ``func`` returned (None counts as 0); 2 after a user error
        (:data:`USER_ERRORS`), 130 after Ctrl-C.
    """
    try:
        return int(func(args) or 0)
    except USER_ERRORS as exc:
        error(str(exc))
        return 2
    except KeyboardInterrupt:
        error("interrupted")
        return 130


def check_free(
    paths: Sequence[Path | None], overwrite: bool, action: str = "replace it"
) -> None:
    """Refuse an existing output path unless ``--overwrite`` was given.

    Parameters
    ----------
    paths : sequence of Path or None
        Output paths; None entries (optional outputs not asked for) are skipped.
    overwrite : bool
        The value of ``--overwrite``.
    action : str, default="replace it"
        What ``--overwrite`` would do, for the message.

    Raises
    ------
    FileExistsError
        One of ``paths`` exists and ``overwrite`` is False.
    """
    for p in paths:
        if p is not None and p.exists() and not overwrite:
            raise FileExistsError(f"{p} exists; pass --overwrite to {action}")


def validate_estimator(est: Any) -> Any:
    """Check the parameters of an unfitted estimator before any data is read or written.

    Unknown architecture, head or other names raise the estimator's ValueError, which lists
    the valid ones.

    Parameters
    ----------
    est : estimator
        Constructed, not fitted.

    Returns
    -------
    est : estimator
        The same object.
    """
    est._validate_params()
    return est


def format_counts(counts: Mapping[Any, int]) -> str:
    """``{1: 11, 5: 14}`` -> ``"1:11 5:14"`` (sorted by key)."""
    return " ".join(f"{k}:{v}" for k, v in sorted(counts.items()))


def print_summary(info: Mapping[str, Any], out: Path | None) -> None:
    """Print what a window store holds.

    Parameters
    ----------
    info : mapping
        :func:`tsclust.io.store_info` fields: shape, step, sampling_rate, labels_mode,
        labelled, channels, n_recordings, class_counts.
    out : Path or None
        The store just written (printed first), or None.
    """
    n, T, C = info["shape"]
    if out is not None:
        print(f"wrote {out}")
    mode = info["labels_mode"] or ("given" if info["labelled"] else "none")
    print(
        f"windows: {n}  shape: ({n}, {T}, {C})  step: {info['step']}  "
        f"rate: {info['sampling_rate']:g} Hz  labels: {mode}"
    )
    print(f"channels: {', '.join(info['channels'])}")
    print(f"recordings: {info['n_recordings']}")
    if info["class_counts"]:
        print(f"classes (label:windows): {format_counts(info['class_counts'])}")


def print_scores(y: Any, labels: Any) -> None:
    """Print ARI, NMI and ACC of ``labels`` against the store's labels ``y`` (if any)."""
    if y is None:
        return
    from ..metrics import evaluate

    scores = evaluate(y, labels)
    print(
        "scores against the store's labels: "
        + "  ".join(f"{k.upper()} {v:.3f}" for k, v in scores.items())
    )


def cluster_sizes(labels: Any, n_clusters: int | None = None) -> str:
    """Space-separated window counts per cluster, e.g. ``"12 30 7"``."""
    import numpy as np

    return " ".join(str(s) for s in np.bincount(labels, minlength=n_clusters or 0))
