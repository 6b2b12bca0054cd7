"""``tsclust demo``: cluster and segment the embedded HAPT sample (no download, < 1 min).

The pipeline: window five recordings; fit a DeepClusterer, a RecordingClusterer and a DTW
k-means baseline and print their scores; segment the sixth recording with the
RecordingClusterer and write ``OUTDIR/segments.csv`` and ``OUTDIR/timeline.png``. Without
``-o``, OUTDIR is a fresh folder (``tsclust-demo``, then ``tsclust-demo-2``, ...), so the demo
can be rerun; an existing folder named with ``-o`` needs ``--overwrite``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._common import check_outputs, staged_outputs
from .segment import segmentation_lines

__all__ = ["add_parser", "run", "DemoSettings", "SETTINGS", "score_table", "fresh_folder"]

DEFAULT_OUT = Path("tsclust-demo")
"""The output folder without ``-o`` (``tsclust-demo-2``, ... when it exists)."""


@dataclass(frozen=True)
class DemoSettings:
    """How much work the demo does.

    Parameters
    ----------
    deep : dict
        DeepClusterer keyword arguments (empty: the estimator's defaults).
    by_recording : dict
        RecordingClusterer keyword arguments.
    n_dtw : int
        Windows DTW k-means learns its barycentres on.
    dtw_iter : int
        DTW k-means iterations.
    segment_step : int
        Hop between windows when segmenting the held-out recording.
    """

    deep: dict[str, Any] = field(default_factory=dict)
    by_recording: dict[str, Any] = field(default_factory=dict)
    n_dtw: int = 150
    dtw_iter: int = 3
    segment_step: int = 16


SETTINGS = {
    "full": DemoSettings(),
    "quick": DemoSettings(  # tests: tiny settings
        deep={
            "architecture": "mlp",
            "module_kwargs": {"hidden": (32,)},
            "pretrain_epochs": 1,
            "finetune_epochs": 1,
            "n_init": 1,
        },
        by_recording={"pretrain_epochs": 1, "head": "kmeans"},
        n_dtw=30,
        dtw_iter=1,
        segment_step=32,
    ),
}
"""The demo settings, by name; ``--quick`` picks "quick"."""

Score = tuple[str, dict[str, float], float]  # method, scores, seconds


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``tsclust demo`` in ``subparsers``; returns its parser."""
    p = subparsers.add_parser(
        "demo",
        help="cluster and segment the embedded HAPT sample (no download, < 1 min)",
        description="On the small HAPT sample shipped with tsclust: window five recordings "
        "(128 samples, step 64, windows inside one activity), fit a DeepClusterer, a "
        "RecordingClusterer and a DTW k-means baseline, print their scores, then segment the "
        "sixth (held-out) recording with the RecordingClusterer and write OUTDIR/segments.csv "
        "and OUTDIR/timeline.png.",
    )
    p.add_argument(
        "-o", "--out", type=Path, default=None, metavar="OUTDIR",
        help="output folder (default: a new folder ./tsclust-demo, ./tsclust-demo-2, ...)",
    )
    p.add_argument(
        "--overwrite", action="store_true", help="write into an existing OUTDIR given with -o"
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bars")
    p.add_argument("--quick", action="store_true", help=argparse.SUPPRESS)  # tests: tiny settings
    return p


def fresh_folder(base: Path) -> Path:
    """``base`` if it does not exist, else the first of ``base-2``, ``base-3``, ... that does not.

    Parameters
    ----------
    base : Path

    Returns
    -------
    Path
    """
    path, n = base, 1
    while path.exists() or path.is_symlink():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


def _timed(fit: Callable[[], tuple[str, Any]]) -> tuple[str, Any, float]:
    """Run ``fit() -> (name, labels)``; add its wall time in seconds."""
    t0 = time.perf_counter()
    name, labels = fit()
    return name, labels, time.perf_counter() - t0


def _describe_sample(recs: Sequence[Any]) -> str:
    """One line on the sample: recordings, subjects, minutes, rate, channels."""
    return (
        f"HAPT sample: {len(recs)} recordings of subjects {sorted({r.subject for r in recs})}, "
        f"{sum(r.duration for r in recs) / 60:.1f} min at {recs[0].sampling_rate:g} Hz, "
        f"channels {', '.join(recs[0].channels)}"
    )


def _describe_windows(w: Any, n_train: int, held: Any, k: int) -> str:
    """One line on the training windows and the number of clusters ``k``."""
    return (
        f"windows: {len(w)} from {n_train} recordings (held out: {held.name}), "
        f"{w.size} samples = {w.size / w.sampling_rate:g} s, step {w.step}, each inside one "
        f"activity; {k} activities -> n_clusters={k}"
    )


def _fit_methods(
    w: Any, k: int, n_train: int, s: DemoSettings, verbose: int
) -> tuple[list[Score], Any]:
    """Fit the three methods on the windows ``w`` of ``n_train`` recordings.

    Returns the rows of :func:`score_table` and the fitted RecordingClusterer.
    """
    import numpy as np

    from ..baselines import DTWKMeans
    from ..clustering import DeepClusterer, RecordingClusterer
    from ..metrics import evaluate

    by_rec = RecordingClusterer(k, random_state=0, **s.by_recording)

    def deep() -> tuple[str, Any]:
        est = DeepClusterer(k, random_state=0, verbose=verbose, **s.deep).fit(w.X)
        kind = f"{est.architecture_}+{est.head_.name}, {est.pretrain_epochs}+{est.finetune_epochs} epochs"
        return f"DeepClusterer ({kind})", est.labels_

    def recordings() -> tuple[str, Any]:
        by_rec.fit(w.X, groups=w.origins[:, 0])
        return f"RecordingClusterer (rec+{by_rec.head}, {n_train} recordings)", by_rec.labels_

    def dtw() -> tuple[str, Any]:
        rng = np.random.default_rng(0)
        sub = np.sort(rng.choice(len(w), size=min(s.n_dtw, len(w)), replace=False))
        est = DTWKMeans(k, max_iter=s.dtw_iter, sakoe_chiba_radius=8, random_state=0)
        labels = est.fit(w.X[sub]).predict(w.X)
        return f"DTW k-means (fit on {len(sub)} windows, {s.dtw_iter} iter)", labels

    rows = []
    for fit in (deep, recordings, dtw):
        name, labels, seconds = _timed(fit)
        rows.append((name, evaluate(w.y, labels), seconds))
    return rows, by_rec


def score_table(rows: Sequence[Score], n_windows: int) -> list[str]:
    """The score table of the demo as lines of text.

    Parameters
    ----------
    rows : sequence of (method, scores, seconds)
        ``scores`` holds ``ari``, ``nmi`` and ``acc``.
    n_windows : int
        How many windows were scored.

    Returns
    -------
    lines : list of str
    """
    width = max(len(r[0]) for r in rows)
    lines = [
        f"\nscores on the {n_windows} training windows (true activities used only to score):",
        f"{'method':<{width}}    ARI    NMI    ACC  seconds",
    ]
    for method, s, secs in rows:
        lines.append(
            f"{method:<{width}}  {s['ari']:5.3f}  {s['nmi']:5.3f}  {s['acc']:5.3f}  {secs:7.1f}"
        )
    lines.append(
        "DTW k-means learns its barycentres on a random subsample (DBA is slow), then assigns "
        "all windows.\n"
    )
    return lines


def run(args: argparse.Namespace) -> int:
    """Run the demo pipeline; write ``segments.csv`` and ``timeline.png`` to OUTDIR."""
    import numpy as np

    from ..data import load_sample
    from ..plotting import plot_timeline
    from ..preprocessing import SlidingWindows
    from ..segmentation import segment_recording, segments_to_csv

    s = SETTINGS["quick" if args.quick else "full"]
    out = fresh_folder(DEFAULT_OUT) if args.out is None else args.out
    check_outputs([out], overwrite=args.overwrite, folders=True)

    recs = load_sample()
    train, held = recs[:-1], recs[-1]
    print(_describe_sample(recs))
    w = SlidingWindows(size=128, step=64, labels="pure").transform(train)
    k = len(np.unique(w.y))
    print(_describe_windows(w, len(train), held, k))
    rows, by_rec = _fit_methods(w, k, len(train), s, verbose=0 if args.quiet else 1)
    print("\n".join(score_table(rows, len(w))))

    # the held-out recording is one group: aligned and referenced within itself
    res = segment_recording(by_rec, held, step=s.segment_step, min_duration=2.0)
    print("segmenting the held-out recording with the RecordingClusterer (min duration 2 s):")
    print("\n".join(segmentation_lines(held, res)))
    out.mkdir(parents=True, exist_ok=True)
    out_csv, out_png = out / "segments.csv", out / "timeline.png"
    with staged_outputs(out_csv, out_png) as (csv_tmp, png_tmp):
        segments_to_csv(res.segments, csv_tmp, overwrite=True)
        plot_timeline(held, res, path=png_tmp)
    print(f"wrote {out_csv} and {out_png}")
    return 0
