"""Matplotlib figures of tsclust results.

Figures are built on :class:`matplotlib.figure.Figure` objects, never through ``pyplot``'s
global state, so they work headless (Agg) and do not change the user's backend.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["plot_compare"]

_SCORE_LABELS = {
    "ari": "ARI",
    "nmi": "NMI",
    "acc": "accuracy (Hungarian)",
    "silhouette": "silhouette (flattened windows)",
}


def _value(row: Mapping[str, Any], key: str) -> float:
    value = row.get(key)
    try:
        value = float(value)
    except (TypeError, ValueError):
        return math.nan
    return value


def plot_compare(
    rows: Sequence[Mapping[str, Any]],
    path_or_ax: str | os.PathLike | Any,
    *,
    score: str | None = None,
) -> Any:
    """Score against wall time, one colour per method (log-x).

    Each successful run is a faint dot; each method's mean (over its successful runs) is a large
    marker with a vertical error bar (sample standard deviation of the score over seeds).

    Parameters
    ----------
    rows : sequence of dict
        Rows of :func:`tsclust.compare.compare` (keys ``method``, ``wall_time_s``, the score,
        ``error``).
    path_or_ax : str, path or matplotlib Axes
        Where to draw: a file path (the format follows the suffix, e.g. ``.png``) or an Axes.
    score : {"ari", "nmi", "acc", "silhouette"} or None, default=None
        The y axis; None means ARI when any run has labels, else silhouette.

    Returns
    -------
    out : pathlib.Path or matplotlib Axes
        The written path, or the Axes drawn on.

    Examples
    --------
    >>> import tempfile
    >>> rows = [{"method": "kmeans", "seed": 0, "ari": 0.5, "wall_time_s": 1.0, "error": None}]
    >>> with tempfile.TemporaryDirectory() as d:
    ...     plot_compare(rows, os.path.join(d, "r.png")).name
    'r.png'
    """
    if score is None:
        has_labels = any(math.isfinite(_value(r, "ari")) for r in rows)
        score = "ari" if has_labels else "silhouette"
    if score not in _SCORE_LABELS:
        raise ValueError(f"score must be one of {sorted(_SCORE_LABELS)}, got {score!r}")

    to_file = isinstance(path_or_ax, (str, os.PathLike))
    if to_file:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(7.5, 4.8), layout="constrained")
        ax = fig.add_subplot()
    else:
        ax = path_or_ax

    methods: list[str] = []
    for row in rows:
        if row.get("method") not in methods:
            methods.append(row.get("method"))
    colors = [f"C{i % 10}" for i in range(len(methods))]
    markers = "osD^vP*Xh<>p"
    drawn = 0
    for i, method in enumerate(methods):
        pts = np.array(
            [
                (_value(r, "wall_time_s"), _value(r, score))
                for r in rows
                if r.get("method") == method and not r.get("error")
            ],
            dtype=np.float64,
        ).reshape(-1, 2)
        pts = pts[np.isfinite(pts).all(axis=1)]
        if pts.shape[0] == 0:
            continue
        drawn += 1
        pts[:, 0] = np.maximum(pts[:, 0], 1e-3)  # log axis: clip instant runs
        color, marker = colors[i], markers[i % len(markers)]
        ax.scatter(pts[:, 0], pts[:, 1], color=color, alpha=0.3, s=18, marker=marker)
        x, y = pts[:, 0].mean(), pts[:, 1].mean()
        yerr = pts[:, 1].std(ddof=1) if pts.shape[0] > 1 else 0.0
        ax.errorbar(
            [x],
            [y],
            yerr=[yerr],
            color=color,
            marker=marker,
            markersize=8,
            capsize=3,
            label=str(method),
        )
    ax.set_xscale("log")
    ax.set_xlabel("wall time per run (s, log scale)")
    ax.set_ylabel(_SCORE_LABELS[score])
    ax.grid(True, which="both", alpha=0.3)
    if drawn:
        ax.legend(fontsize=8, loc="best")
    else:
        ax.text(0.5, 0.5, "no successful run", ha="center", va="center", transform=ax.transAxes)
        ax.set_xlim(1e-2, 1e2)
    ax.set_title(f"{_SCORE_LABELS[score]} vs wall time (mean ± std over seeds)")
    if to_file:
        path = Path(path_or_ax)
        fig.savefig(path, dpi=120)
        return path
    return ax
