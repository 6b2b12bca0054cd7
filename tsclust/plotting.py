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

__all__ = [
    "plot_compare",
    "plot_ranks",
    "plot_timeline",
    "plot_clusters",
    "plot_latent",
    "plot_history",
]

_SCORE_LABELS = {
    "ari": "ARI",
    "nmi": "NMI",
    "acc": "accuracy (Hungarian)",
    "silhouette": "silhouette (flattened windows)",
}


_SCORE_RANGE = {"ari": (0.0, 1.0), "nmi": (0.0, 1.0), "acc": (0.0, 1.0), "silhouette": (-1.0, 1.0)}
"""Where a score's error bar is clipped (a negative mean ARI keeps its lower end at the mean)."""


def _value(row: Mapping[str, Any], key: str) -> float:
    value = row.get(key)
    try:
        value = float(value)
    except (TypeError, ValueError):
        return math.nan
    return value


def _clipped_err(y: float, std: float, score: str) -> tuple[float, float]:
    """Lengths ``(below, above)`` of the bar ``y ± std`` clipped to the range of ``score``."""
    lo, hi = _SCORE_RANGE[score]
    lo, hi = min(lo, y), max(hi, y)
    return y - max(y - std, lo), min(y + std, hi) - y


def plot_compare(
    rows: Sequence[Mapping[str, Any]],
    path_or_ax: str | os.PathLike | Any,
    *,
    score: str | None = None,
) -> Any:
    """Score against wall time, one colour per method (log-x).

    Each successful run is a faint dot; each method's mean (over its successful runs) is a large
    marker with a vertical error bar: the sample standard deviation of the score over seeds,
    clipped to the score's range ([0, 1] for ARI, NMI and accuracy, [-1, 1] for the
    silhouette), so that no bar passes a perfect score.

    Parameters
    ----------
    rows : sequence of dict
        Rows of :func:`tsclust.compare.compare` (keys ``method``, ``wall_time_s``, the scores
        ``ari``, ``nmi``, ..., ``error``).
    path_or_ax : str, path or matplotlib Axes
        Where to draw: a file path (the format follows the suffix, e.g. ``.png``) or an Axes.
    score : {"ari", "nmi", "acc", "silhouette"} or None, default=None
        The y axis. None: with labels (any finite ARI) a file gets two panels, ARI and NMI
        side by side, and an Axes gets ARI; without labels, the silhouette.

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
    if score is not None and score not in _SCORE_LABELS:
        raise ValueError(f"score must be one of {sorted(_SCORE_LABELS)}, got {score!r}")
    has_labels = any(math.isfinite(_value(r, "ari")) for r in rows)
    to_file = isinstance(path_or_ax, (str, os.PathLike))
    if score is not None:
        scores = [score]
    elif not has_labels:
        scores = ["silhouette"]
    else:
        scores = ["ari", "nmi"] if to_file else ["ari"]
    if not to_file:
        _compare_panel(path_or_ax, rows, scores[0], legend=True)
        return path_or_ax
    fig = _new_figure((7.5 if len(scores) == 1 else 12.5, 4.8))
    axes = np.atleast_1d(fig.subplots(1, len(scores), sharex=True))
    for i, (ax, name) in enumerate(zip(axes, scores, strict=True)):
        _compare_panel(ax, rows, name, legend=i == len(scores) - 1)
    path = Path(path_or_ax)
    fig.savefig(path, dpi=120)
    return path


def _compare_panel(
    ax: Any, rows: Sequence[Mapping[str, Any]], score: str, *, legend: bool
) -> int:
    """Draw one score of :func:`plot_compare` on ``ax``; the number of methods drawn."""
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
        std = pts[:, 1].std(ddof=1) if pts.shape[0] > 1 else 0.0
        below, above = _clipped_err(y, std, score)
        ax.errorbar(
            [x],
            [y],
            yerr=[[below], [above]],
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
    if not drawn:
        ax.text(0.5, 0.5, "no successful run", ha="center", va="center", transform=ax.transAxes)
        ax.set_xlim(1e-2, 1e2)
    elif legend:
        ax.legend(fontsize=8, loc="best")
    ax.set_title(f"{_SCORE_LABELS[score]} vs wall time (mean ± std over seeds)")
    return drawn


def plot_ranks(
    ranks: Mapping[str, float],
    path_or_ax: str | os.PathLike | Any,
    *,
    cd: float | None = None,
    n_problems: int | None = None,
) -> Any:
    """Average ranks of methods, best (lowest) at the top, with a critical-difference bar.

    Parameters
    ----------
    ranks : mapping of str to float
        Method -> average rank (1 = best), e.g. from :func:`tsclust.bench.report.average_ranks`.
    path_or_ax : str, path or matplotlib Axes
        A file path (format from the suffix) or an Axes to draw on.
    cd : float or None, default=None
        Nemenyi critical difference, drawn as a bar from the best rank (methods whose rank ends
        inside it are not significantly worse than the best); None or NaN: no bar.
    n_problems : int or None, default=None
        Named in the title.

    Returns
    -------
    out : pathlib.Path or matplotlib Axes

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     plot_ranks({"a": 1.2, "b": 1.8}, os.path.join(d, "r.png"), cd=0.5).name
    'r.png'
    """
    items = sorted(((float(v), str(k)) for k, v in ranks.items() if math.isfinite(float(v))))
    to_file = isinstance(path_or_ax, (str, os.PathLike))
    if to_file:
        fig = _new_figure((7.0, 1.2 + 0.32 * max(len(items), 1)))
        ax = fig.add_subplot()
    else:
        ax = path_or_ax
    if items:
        values = [v for v, _ in items]
        y = np.arange(len(items))
        ax.hlines(y, 1, values, color="0.8", linewidth=1)
        ax.plot(values, y, "o", color="C0")
        ax.set_yticks(y, [name for _, name in items])
        ax.invert_yaxis()
        right = max(values)
        if cd is not None and math.isfinite(cd):
            best = values[0]
            right = max(right, best + cd)
            ax.axvspan(best, best + cd, color="C1", alpha=0.15)
        ax.set_xlim(0.8, right + 0.3)
    else:
        ax.text(0.5, 0.5, "no ranks", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("average rank by NMI (1 = best)")
    ax.grid(True, axis="x", alpha=0.3)
    over = f" over {n_problems} problems" if n_problems is not None else ""
    shaded = (f"\nshaded: within the critical difference {cd:.2f} of the best"
              if items and cd is not None and math.isfinite(cd) else "")
    ax.set_title(f"Average rank{over}{shaded}", fontsize=10)
    if to_file:
        path = Path(path_or_ax)
        fig.savefig(path, dpi=120)
        return path
    return ax


# --------------------------------------------------------------------------- segmentation,
# latent space and training curves (figures returned; ``path`` also writes them)


def _new_figure(figsize: tuple[float, float]) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, layout="constrained")


def _save(fig: Any, path: str | os.PathLike | None) -> None:
    if path is not None:
        fig.savefig(Path(path), dpi=110)


def _class_name_map(recording: Any, class_names: Any) -> dict[int, str]:
    if class_names is None:
        from .data.hapt import HAPT_ACTIVITIES, HAPT_CHANNELS

        if list(getattr(recording, "channels", [])) == HAPT_CHANNELS:
            return {int(k): str(v) for k, v in HAPT_ACTIVITIES.items()}
        return {}
    if isinstance(class_names, Mapping):
        return {int(k): str(v) for k, v in class_names.items()}
    return {i: str(v) for i, v in enumerate(class_names)}


def _channel_groups(channels: Sequence[str]) -> list[tuple[str, list[int]]]:
    """Group channels by the prefix before "_" (acc_x, acc_y -> "acc"); at most 4 groups."""
    groups: dict[str, list[int]] = {}
    for i, ch in enumerate(channels):
        groups.setdefault(ch.split("_")[0] if "_" in ch else "", []).append(i)
    if len(groups) > 4 or "" in groups:
        return [("signal", list(range(len(channels))))]
    return list(groups.items())


def _bands(ax: Any, runs: Sequence[tuple[float, float, int]], colors: Mapping[int, Any]) -> None:
    """Coloured horizontal bands ``(start_s, end_s, label)``; label -1 is hatched grey."""
    for start, end, lab in runs:
        if lab == -1:
            ax.axvspan(start, end, facecolor="white", edgecolor="0.6", hatch="///", lw=0)
        else:
            ax.axvspan(start, end, color=colors[lab], lw=0)
    ax.set_yticks([])
    ax.set_ylim(0, 1)


def _label_runs(labels: np.ndarray, rate: float) -> list[tuple[float, float, int]]:
    change = np.flatnonzero(labels[1:] != labels[:-1]) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [len(labels)]])
    return [(s / rate, e / rate, int(labels[s])) for s, e in zip(starts, ends, strict=True)]


def plot_timeline(
    recording: Any,
    result: Any,
    *,
    truth: Any = None,
    class_names: Mapping[int, str] | Sequence[str] | None = None,
    path: str | os.PathLike | None = None,
) -> Any:
    """A recording's signals above its cluster segments (and the true activities).

    Parameters
    ----------
    recording : tsclust.data.Recording
        The segmented recording.
    result : tsclust.segmentation.SegmentationResult
        Output of :func:`tsclust.segmentation.segment_recording` on ``recording``.
    truth : array-like of shape (n_samples,) or False, optional
        True class per sample (0 = unlabelled, not drawn); default ``recording.labels``.
        A truth without any labelled sample (an unlabelled recording) draws no truth row;
        False hides the row.
    class_names : dict or sequence of str, optional
        Names of the true classes; default the HAPT activity names for HAPT channels.
    path : str or path, optional
        Also write the figure there (format from the suffix).

    Returns
    -------
    matplotlib.figure.Figure
        Rows: one panel per channel group (``acc_*``, ``gyro_*``, ...), the cluster bands
        (legend: each cluster's majority activity when the truth is known), the true
        activities; shared time axis in seconds. The title counts the clusters that occur.

    Notes
    -----
    Both strips take their colours from one palette: each true class has its own colour,
    and a cluster shares a class's colour only when that class is the cluster's majority
    (and no larger cluster claimed it first); every other cluster has a colour of its own.
    Without truth, cluster ``c`` has the colour it has in :func:`plot_clusters`.
    """
    labels = np.asarray(result.sample_labels)
    n = recording.n_samples
    if labels.shape != (n,):
        raise ValueError(f"result has {labels.shape[0]} samples, the recording {n}")
    if truth is None:
        truth = recording.labels
    elif truth is False:
        truth = None
    if truth is not None:
        truth = np.asarray(truth).astype(np.int64)
        if truth.shape != (n,):
            raise ValueError(f"truth has shape {truth.shape}, expected ({n},)")
        if not truth.any():  # an unlabelled recording: no empty truth row
            truth = None
    names = _class_name_map(recording, class_names)
    rate = recording.sampling_rate
    t = np.arange(n) / rate
    groups = _channel_groups(recording.channels)
    n_rows = len(groups) + 1 + (truth is not None)
    ratios = [3] * len(groups) + [1.2] * (n_rows - len(groups))
    fig = _new_figure((13, 1.9 * len(groups) + 2.0 + 1.0 * (truth is not None)))
    axes = fig.subplots(n_rows, 1, sharex=True, gridspec_kw={"height_ratios": ratios})
    axes = np.atleast_1d(axes)
    for ax, (group, idx) in zip(axes, groups, strict=False):
        for j, i in enumerate(idx):
            ax.plot(t, recording.signals[:, i], lw=0.5, color=f"C{j}", label=recording.channels[i])
        ax.set_ylabel(group)
        ax.legend(loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=8, frameon=False)
        ax.grid(True, alpha=0.3)
    present = sorted(int(c) for c in np.unique(labels) if c >= 0)
    title = recording.name or "recording"
    fig.suptitle(
        f"{title}: {len(result.segments)} segments, {len(present)} clusters "
        f"(windows of {result.size / rate:g} s every {result.step / rate:g} s)"
    )

    from matplotlib.patches import Patch

    ccolors, tcolors = _shared_colors(labels, truth)
    ax_c = axes[len(groups)]
    _bands(ax_c, _label_runs(labels, rate), ccolors)
    ax_c.set_ylabel("cluster", rotation=0, ha="right", va="center")
    handles = []
    for c in present:
        text = f"cluster {c}"
        if truth is not None:
            m = _majority(labels, truth, c)
            if m is None:
                text += ": only unlabelled samples"
            else:
                text += f": {names.get(m[0], m[0])} {m[1] / m[2]:.0%}"
        handles.append(Patch(color=ccolors[c], label=text))
    if (labels == -1).any():
        handles.append(Patch(facecolor="white", edgecolor="0.6", hatch="///", label="no window"))
    ax_c.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.005, 1.15), fontsize=7,
                frameon=False, ncol=math.ceil(len(handles) / 5),
                title="cluster: majority true activity (share)" if truth is not None else None,
                title_fontsize=7, alignment="left")
    if truth is not None:
        ax_t = axes[-1]
        classes = sorted(tcolors)
        _bands(ax_t, [r for r in _label_runs(truth, rate) if r[2] != 0], tcolors)
        ax_t.set_ylabel("truth", rotation=0, ha="right", va="center")
        th = [Patch(color=tcolors[c], label=f"{c} {names.get(c, '')}".strip()) for c in classes]
        th.append(Patch(facecolor="white", edgecolor="0.6", label="0 unlabelled"))
        ax_t.legend(handles=th, loc="upper left", bbox_to_anchor=(1.005, 1.15), fontsize=7,
                    frameon=False, ncol=math.ceil(len(th) / 5),
                    title="true activity (a cluster of the same colour is mostly it)",
                    title_fontsize=7, alignment="left")
    axes[-1].set_xlabel("time (s)")
    axes[-1].set_xlim(0, n / rate)
    _save(fig, path)
    return fig


def _check_windows(X: Any) -> np.ndarray:
    """``X`` as floats of shape (n, T, c); (n, T) is one channel; float32 is kept (no copy)."""
    X = np.asarray(X)
    if X.dtype.kind != "f":
        X = X.astype(np.float64)
    if X.ndim == 2:
        X = X[:, :, None]
    if X.ndim != 3:
        raise ValueError(f"X must have shape (n_windows, n_timepoints[, n_channels]), got {X.shape}")
    if 0 in X.shape:
        raise ValueError(f"X is empty: shape {X.shape}")
    if not np.isfinite(X).all():
        raise ValueError("X holds NaN or infinite values; plot_clusters needs complete windows")
    return X


def _per_window(values: Any, n: int, name: str, *, integer: bool = True) -> np.ndarray:
    """``values`` as an array of shape (n,) (of int64 when ``integer``), else ValueError."""
    arr = np.asarray(values)
    if arr.shape != (n,):
        raise ValueError(f"{name} has shape {arr.shape}, expected ({n},): one per window")
    if integer:
        if arr.dtype.kind not in "iub":
            as_float = arr.astype(np.float64)
            if not (np.isfinite(as_float).all() and (as_float == np.round(as_float)).all()):
                raise ValueError(f"{name} must hold integers")
        arr = arr.astype(np.int64)
    return arr


def _medoid(members: np.ndarray) -> np.ndarray:
    """The member (shape (T, c)) nearest, in Euclidean distance, to the members' mean."""
    mean = members.mean(axis=0)
    dist = ((members - mean) ** 2).sum(axis=(1, 2))
    return members[int(np.argmin(dist))]


def plot_clusters(
    X: Any,
    labels: Any,
    *,
    channels: Sequence[str] | None = None,
    positions: Any = None,
    recordings: Any = None,
    rate: float | None = None,
    truth: Any = None,
    class_names: Mapping[int, str] | Sequence[str] | None = None,
    band: tuple[float, float] = (10.0, 90.0),
    max_members: int = 0,
    random_state: int = 0,
    path: str | os.PathLike | None = None,
) -> Any:
    """What each cluster of windows looks like, how big it is and where it occurs.

    One row of panels per cluster that occurs in ``labels`` (ascending id), titled
    ``"cluster 3: 412 windows (19%)"``, and one column per channel group (``acc_*``,
    ``gyro_*``, ...; channels without such prefixes form one group ``signal``). Each panel
    draws, per channel of its group (the channel colours of :func:`plot_timeline`'s signal
    rows), the band of the members between the ``band`` percentiles at every time step,
    the mean (dashed) and the medoid (solid: the member nearest to the cluster mean,
    Euclidean over all time steps and channels). The cluster's colour, the one it has in
    :func:`plot_timeline`, marks its title and the left edge of its row. With
    ``positions``, one more panel at the bottom draws where each cluster occurs: a bar per
    window on the cluster's line, against time.

    Parameters
    ----------
    X : array-like of shape (n_windows, n_timepoints, n_channels) or (n_windows, n_timepoints)
        The windows (2-D: one channel). Must be finite.
    labels : array-like of shape (n_windows,) of int
        Cluster of each window; negative ids (noise, no cluster) are not drawn but count in
        the shares.
    channels : sequence of str of length n_channels, optional
        Channel names (default ``ch0, ch1, ...``); they decide the column groups.
    positions : array-like of shape (n_windows,) of int, optional
        Start sample of each window in its recording; adds the time panel.
    recordings : array-like of shape (n_windows,) of int, optional
        Recording of each window (e.g. ``origins[:, 0]`` of a store); with ``positions``,
        the recordings are laid end to end in the time panel (in ascending id), separated
        by grey lines. Default: one recording.
    rate : float, optional
        Sampling rate in Hz: time axes in seconds; default samples.
    truth : array-like of shape (n_windows,) of int, optional
        True class of each window (0 = unlabelled), used only to name each cluster's
        majority class in its title and to pick its colour as :func:`plot_timeline` does.
    class_names : dict or sequence of str, optional
        Names of the true classes; default the HAPT activity names for HAPT channels.
    band : (float, float), default=(10, 90)
        Lower and upper percentiles of the members' band, ``0 <= lo < hi <= 100``.
    max_members : int, default=0
        Also draw up to this many members of each cluster (a random sample) as faint lines.
    random_state : int, default=0
        Seed of that sample.
    path : str or path, optional
        Also write the figure there (format from the suffix, e.g. ``.png``).

    Returns
    -------
    matplotlib.figure.Figure
        ``n_used * n_groups`` axes, row by row (cluster by cluster), plus the time panel
        last when ``positions`` is given.

    Raises
    ------
    ValueError
        ``X`` empty, not 2- or 3-D, or not finite; ``labels``, ``positions``,
        ``recordings`` or ``truth`` not one integer per window; no window in any cluster;
        ``channels`` of the wrong length; a bad ``rate``, ``band`` or ``max_members``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(30, 16, 2))
    >>> fig = plot_clusters(X, np.repeat([0, 2], 15), positions=np.arange(30) * 8, rate=50.0)
    >>> len(fig.get_axes()), fig.get_axes()[0].get_title(loc="left")
    (3, 'cluster 0: 15 windows (50%)')
    """
    X = _check_windows(X)
    n, T, C = X.shape
    labels = _per_window(labels, n, "labels")
    if channels is None:
        channels = [f"ch{i}" for i in range(C)]
    channels = [str(c) for c in channels]
    if len(channels) != C:
        raise ValueError(f"{len(channels)} channel names for {C} channels")
    if rate is not None and not (math.isfinite(rate) and rate > 0):
        raise ValueError(f"rate must be a positive number of Hz, got {rate!r}")
    lo_q, hi_q = (float(b) for b in band)
    if not 0.0 <= lo_q < hi_q <= 100.0:
        raise ValueError(f"band must be two percentiles 0 <= lo < hi <= 100, got {band!r}")
    if int(max_members) != max_members or max_members < 0:
        raise ValueError(f"max_members must be an integer >= 0, got {max_members!r}")
    if positions is not None:
        positions = _per_window(positions, n, "positions")
        recordings = (np.zeros(n, dtype=np.int64) if recordings is None
                      else _per_window(recordings, n, "recordings"))
    if truth is not None:
        truth = _per_window(truth, n, "truth")
        if not truth.any():
            truth = None
    used = sorted(int(c) for c in np.unique(labels) if c >= 0)
    if not used:
        raise ValueError("no window is in a cluster (every label is negative)")

    import types

    names = _class_name_map(types.SimpleNamespace(channels=channels), class_names)
    colors, _ = _shared_colors(labels, truth)
    groups = _channel_groups(channels)
    t = np.arange(T) / rate if rate else np.arange(T)
    n_rows = len(used) + (positions is not None)
    ratios = [2.0] * len(used) + ([0.6 + 0.25 * len(used)] if positions is not None else [])
    fig = _new_figure((1.5 + 3.6 * len(groups), 1.9 * len(used) + 0.3 + ratios[-1] * 0.95
                       * (positions is not None)))
    grid = fig.add_gridspec(n_rows, len(groups), height_ratios=ratios)
    rng = np.random.default_rng(random_state)
    first = None
    for r, c in enumerate(used):
        members = X[labels == c]
        size = len(members)
        title = f"cluster {c}: {size} windows ({size / n:.0%})"
        if truth is not None:
            m = _majority(labels, truth, c)
            title += (", no labelled window" if m is None
                      else f", {names.get(m[0], m[0])} {m[1] / m[2]:.0%}")
        mean = members.mean(axis=0)
        medoid = _medoid(members)
        lo, hi = np.percentile(members, [lo_q, hi_q], axis=0)
        shown = members[rng.permutation(size)[: int(max_members)]]
        for g, (group, idx) in enumerate(groups):
            ax = fig.add_subplot(grid[r, g], sharex=first)
            first = first if first is not None else ax
            for j, i in enumerate(idx):
                color = f"C{j % 10}"
                for member in shown:
                    ax.plot(t, member[:, i], color=color, lw=0.4, alpha=0.25)
                ax.fill_between(t, lo[:, i], hi[:, i], color=color, alpha=0.2, lw=0)
                ax.plot(t, mean[:, i], color=color, lw=1.0, ls="--")
                ax.plot(t, medoid[:, i], color=color, lw=1.4, label=channels[i])
            ax.set_ylabel(group)
            ax.grid(True, alpha=0.3)
            if g == 0:
                ax.set_title(title, loc="left", fontsize=9, bbox={
                    "facecolor": colors[c], "alpha": 0.45, "edgecolor": "none", "pad": 2})
                ax.spines["left"].set_color(colors[c])
                ax.spines["left"].set_linewidth(4)
            if r == 0:
                ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7,
                          frameon=False)
            if r == len(used) - 1:
                ax.set_xlabel("time in window (s)" if rate else "time in window (samples)")
            else:
                ax.tick_params(labelbottom=False)
    fig.suptitle(
        f"{len(used)} clusters of {n} windows: medoid (solid), mean (dashed), "
        f"{lo_q:g}-{hi_q:g}% of members (band)", fontsize=10,
    )
    if positions is not None:
        _occurrence_panel(fig.add_subplot(grid[-1, :]), labels, positions, recordings, T,
                          rate, used, colors)
    _save(fig, path)
    return fig


def _occurrence_panel(
    ax: Any,
    labels: np.ndarray,
    positions: np.ndarray,
    recordings: np.ndarray,
    T: int,
    rate: float | None,
    used: Sequence[int],
    colors: Mapping[int, Any],
) -> None:
    """Where each cluster of :func:`plot_clusters` occurs: one bar per window, per line."""
    recs = np.unique(recordings)
    spans = np.array([positions[recordings == r].max() + T for r in recs], dtype=np.float64)
    offsets = np.concatenate([[0.0], np.cumsum(spans)[:-1]])
    start = positions + offsets[np.searchsorted(recs, recordings)]
    scale = 1.0 / rate if rate else 1.0
    for row, c in enumerate(used):
        sel = labels == c
        ax.broken_barh([(s * scale, T * scale) for s in start[sel]], (row - 0.4, 0.8),
                       color=colors[c], lw=0)
    for off in offsets[1:]:
        ax.axvline(off * scale, color="0.5", lw=0.8)
    ax.set_yticks(range(len(used)), [f"cluster {c}" for c in used], fontsize=8)
    ax.set_ylim(len(used) - 0.5, -0.5)
    ax.set_xlim(0, spans.sum() * scale)
    unit = "s" if rate else "samples"
    ax.set_xlabel(f"time ({unit})" + (f", {len(recs)} recordings end to end" if len(recs) > 1
                                      else ""))
    ax.set_title("where the clusters occur", loc="left", fontsize=9)
    ax.grid(True, axis="x", alpha=0.3)


def _majority(labels: np.ndarray, truth: np.ndarray, c: int) -> tuple[int, int, int] | None:
    """``(class, count, labelled)`` of the commonest true class of cluster ``c``; None if none.

    Truth 0 (unlabelled) is ignored; ``labelled`` counts the members with a class.
    """
    sel = (labels == c) & (truth != 0)
    if not sel.any():
        return None
    vals, counts = np.unique(truth[sel], return_counts=True)
    i = int(np.argmax(counts))
    return int(vals[i]), int(counts[i]), int(counts.sum())


def _shared_colors(
    labels: np.ndarray, truth: np.ndarray | None
) -> tuple[dict[int, Any], dict[int, Any]]:
    """Colours of the clusters and of the true classes, from one palette.

    Without ``truth`` cluster ``c`` gets ``_distinct_colors(c + 1)[c]`` (the same colour in
    every figure of this module). With it, class ``i`` of the sorted classes gets the
    palette's colour ``i``, and a cluster takes the colour of its majority class when it is
    the cluster with the most members of that class; every other cluster gets a colour no
    class has. So a shared colour always means "this cluster is mostly this class", never a
    coincidence of ids.

    Parameters
    ----------
    labels : ndarray of shape (n,) of int
        Cluster ids; negative ids (no cluster) get no colour.
    truth : ndarray of shape (n,) of int or None
        True classes, 0 = unlabelled.

    Returns
    -------
    cluster_colors, class_colors : dict of int to colour
        ``class_colors`` is empty without ``truth``.
    """
    clusters = sorted(int(c) for c in np.unique(labels) if c >= 0)
    if truth is None:
        palette = _distinct_colors(max(clusters, default=-1) + 1)
        return {c: palette[c] for c in clusters}, {}
    classes = sorted(int(c) for c in np.unique(truth) if c != 0)
    majority = {c: _majority(labels, truth, c) for c in clusters}
    owner: dict[int, int] = {}
    ranked = sorted((m is None, -(m[1] if m else 0), c) for c, m in majority.items())
    for _, _, c in ranked:
        m = majority[c]
        if m is not None and m[0] not in owner:
            owner[m[0]] = c
    unmatched = [c for c in clusters if c not in owner.values()]
    palette = _distinct_colors(len(classes) + len(unmatched))
    class_colors = {cls: palette[i] for i, cls in enumerate(classes)}
    cluster_colors = {c: class_colors[cls] for cls, c in owner.items()}
    cluster_colors.update({c: palette[len(classes) + j] for j, c in enumerate(unmatched)})
    return cluster_colors, class_colors


def _distinct_colors(n: int) -> list[Any]:
    """``n`` colours: tab10 up to 10, else tab20's dark shades first, then its light ones."""
    if n <= 10:
        cmap = _colormap("tab10")
        return [cmap(i) for i in range(n)]
    cmap = _colormap("tab20")
    order = list(range(0, 20, 2)) + list(range(1, 20, 2))
    return [cmap(order[i % 20]) for i in range(n)]


def _colormap(name: str) -> Any:
    import matplotlib

    return matplotlib.colormaps[name]


def plot_latent(
    Z: Any,
    labels: Any,
    *,
    method: str = "pca",
    truth: Any = None,
    class_names: Mapping[int, str] | Sequence[str] | None = None,
    path: str | os.PathLike | None = None,
) -> Any:
    """Latent vectors projected to 2-D, coloured by cluster (and by true class).

    Parameters
    ----------
    Z : array-like of shape (n_samples, latent_dim)
        E.g. ``DeepClusterer.transform(X)``.
    labels : array-like of shape (n_samples,)
        Cluster of each point.
    method : {"pca"}, default="pca"
        Projection: the first two principal components (a 1-D latent is drawn against 0).
    truth : array-like of shape (n_samples,), optional
        True classes; adds a second panel coloured by class.
    class_names : dict or sequence of str, optional
        Names of the true classes for the legend.
    path : str or path, optional
        Also write the figure there.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if method != "pca":
        raise ValueError(f"method must be 'pca', got {method!r}")
    Z = np.asarray(Z, dtype=np.float64)
    if Z.ndim != 2 or Z.shape[0] == 0:
        raise ValueError(f"Z must have shape (n_samples, latent_dim), got {Z.shape}")
    labels = np.asarray(labels)
    if labels.shape != (Z.shape[0],):
        raise ValueError(f"labels has shape {labels.shape}, expected ({Z.shape[0]},)")
    Zc = Z - Z.mean(axis=0)
    _, s, vt = np.linalg.svd(Zc, full_matrices=False)
    n_comp = min(2, vt.shape[0])
    P = Zc @ vt[:n_comp].T
    if n_comp < 2:
        P = np.column_stack([P, np.zeros(len(P))])
    var = s**2 / max(float((s**2).sum()), 1e-300)
    panels = [("cluster", labels, {})]
    if truth is not None:
        truth = np.asarray(truth)
        if truth.shape != labels.shape:
            raise ValueError(f"truth has shape {truth.shape}, expected {labels.shape}")
        names = {} if class_names is None else _class_name_map(None, class_names)
        panels.append(("true class", truth, names))
    fig = _new_figure((5.8 * len(panels) + 1.5, 5.0))
    axes = np.atleast_1d(fig.subplots(1, len(panels), sharex=True, sharey=True))
    for ax, (what, lab, names) in zip(axes, panels, strict=True):
        values = np.unique(lab)
        cmap = _colormap("tab20" if len(values) > 10 else "tab10")
        for i, v in enumerate(values):
            sel = lab == v
            name = names.get(int(v), "") if names else ""
            text = f"{what} {v}" + (f" {name}" if name else "")
            ax.scatter(P[sel, 0], P[sel, 1], s=8, alpha=0.7, color=cmap(i % cmap.N), label=text)
        ax.set_xlabel(f"PC1 ({var[0]:.0%} of variance)")
        if n_comp > 1:
            ax.set_ylabel(f"PC2 ({var[1]:.0%} of variance)")
        ax.set_title(f"latent space (PCA), coloured by {what}")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7, markerscale=2, loc="upper left", bbox_to_anchor=(1.0, 1.0),
                  frameon=False)
    _save(fig, path)
    return fig


def plot_history(history: Mapping[str, Sequence[Mapping[str, Any]]], path: Any = None) -> Any:
    """Training curves of a :class:`tsclust.DeepClusterer`.

    Parameters
    ----------
    history : dict
        ``est.history_``: ``{"pretrain": [records], "finetune": [records]}``; records with a
        ``"loss"`` are epochs; ``"label_change"`` (share of labels changed) is drawn where
        present.
    path : str or path, optional
        Also write the figure there.

    Returns
    -------
    matplotlib.figure.Figure
        Left: pre-training reconstruction loss per epoch (log scale); right: fine-tuning
        loss per epoch and, on a second axis, the share of labels that changed.
    """
    pre = [r for r in history.get("pretrain", []) if "loss" in r]
    fine = list(history.get("finetune", []))
    fig = _new_figure((11, 3.8))
    ax1, ax2 = fig.subplots(1, 2)
    if pre:
        ax1.plot(np.arange(1, len(pre) + 1), [r["loss"] for r in pre], "o-", ms=3)
        if all(r["loss"] > 0 for r in pre):
            ax1.set_yscale("log")
    else:
        ax1.text(0.5, 0.5, "no pre-training", ha="center", va="center", transform=ax1.transAxes)
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("reconstruction loss")
    ax1.set_title("pre-training")
    ax1.grid(True, alpha=0.3)
    fine_loss = [(i, r["loss"]) for i, r in enumerate(r for r in fine if "loss" in r)]
    change = [r["label_change"] for r in fine if "label_change" in r]
    if fine_loss:
        x, y = zip(*fine_loss, strict=True)
        ax2.plot(np.asarray(x) + 1, y, "o-", ms=3, color="C0", label="loss")
        ax2.set_ylabel("fine-tuning loss", color="C0")
    if change:
        axc = ax2.twinx()
        axc.plot(np.arange(len(change)), change, "s--", ms=3, color="C3", label="labels changed")
        axc.set_ylabel("share of labels changed", color="C3")
        axc.set_ylim(bottom=0)
    if not fine_loss and not change:
        ax2.text(0.5, 0.5, "no fine-tuning (k-means head)", ha="center", va="center",
                 transform=ax2.transAxes)
    ax2.set_xlabel("epoch (0 = before fine-tuning)")
    ax2.set_title("fine-tuning")
    ax2.grid(True, alpha=0.3)
    _save(fig, path)
    return fig
