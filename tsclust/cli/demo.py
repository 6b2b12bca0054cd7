"""``tsclust demo``: cluster and segment the embedded HAPT sample (no download).

The pipeline: window five recordings; fit a DeepClusterer, a RecordingClusterer, DTW
k-means and the ``stats-kmeans`` baseline, every one on the same windows, and print their
scores with each fit's time; segment the sixth recording with the RecordingClusterer and
write ``OUTDIR/segments.csv`` and ``OUTDIR/timeline.png``; print the demo's whole time
(62 s measured on a loaded 2-core machine, most of it the DeepClusterer and DTW k-means). Without ``-o``, OUTDIR is a fresh folder (``tsclust-demo``, then
``tsclust-demo-2``, ...), so the demo can be rerun; an existing folder named with ``-o``
needs ``--overwrite``.
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

    Every method fits on the same windows unless a setting here says otherwise, and then the
    score table says so in the method's row (``fit on`` column and label).

    Parameters
    ----------
    deep : dict
        DeepClusterer keyword arguments (empty: the estimator's defaults).
    by_recording : dict
        RecordingClusterer keyword arguments.
    dtw_iter : int
        The most DTW k-means iterations (tslearn's default is 10; the label says whether it
        converged before).
    dtw_radius : int
        Sakoe-Chiba band of DTW k-means, in samples.
    dtw_windows : int or None
        Windows DTW k-means fits on (then assigns all of them); None: all windows.
    baseline : str
        A cheap baseline of :data:`tsclust.baselines.BASELINES` the deep methods must beat.
    segment_step : int
        Hop between windows when segmenting the held-out recording.
    """

    deep: dict[str, Any] = field(default_factory=dict)
    by_recording: dict[str, Any] = field(default_factory=dict)
    dtw_iter: int = 10
    dtw_radius: int = 8
    dtw_windows: int | None = None
    baseline: str = "stats-kmeans"
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
        dtw_iter=1,
        dtw_windows=60,
        segment_step=32,
    ),
}
"""The demo settings, by name; ``--quick`` picks "quick"."""

Score = tuple[str, dict[str, float], float, int]  # method, scores, fit seconds, windows fitted


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``tsclust demo`` in ``subparsers``; returns its parser."""
    p = subparsers.add_parser(
        "demo",
        help="cluster and segment the embedded HAPT sample (no download; about 1 min on 2 cores)",
        description="On the small HAPT sample shipped with tsclust: window five recordings "
        "(128 samples, step 64, windows inside one activity), fit a DeepClusterer, a "
        "RecordingClusterer, DTW k-means and the stats-kmeans baseline on the same windows, "
        "print their scores and fit times, then segment the sixth (held-out) recording with "
        "the RecordingClusterer and write OUTDIR/segments.csv and OUTDIR/timeline.png. It "
        "prints its whole time at the end: 62 s measured on a loaded 2-core machine.",
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


def _timed(fit: Callable[[], tuple[str, Any, int]]) -> tuple[str, Any, int, float]:
    """Run ``fit() -> (name, labels, windows fitted)``; add its wall time in seconds."""
    t0 = time.perf_counter()
    name, labels, n_fit = fit()
    return name, labels, n_fit, time.perf_counter() - t0


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
    """Fit the methods on the windows ``w`` of ``n_train`` recordings.

    Returns the rows of :func:`score_table` and the fitted RecordingClusterer.
    """
    import numpy as np

    from ..baselines import BASELINES, DTWKMeans
    from ..clustering import DeepClusterer, RecordingClusterer
    from ..metrics import evaluate

    by_rec = RecordingClusterer(k, random_state=0, **s.by_recording)
    n = len(w)

    def deep() -> tuple[str, Any, int]:
        est = DeepClusterer(k, random_state=0, verbose=verbose, **s.deep).fit(w.X)
        kind = f"{est.architecture_}+{est.head_.name}, {est.pretrain_epochs}+{est.finetune_epochs} epochs"
        return f"DeepClusterer ({kind})", est.labels_, n

    def recordings() -> tuple[str, Any, int]:
        by_rec.fit(w.X, groups=w.origins[:, 0])
        return f"RecordingClusterer (rec+{by_rec.head}, {n_train} recordings)", by_rec.labels_, n

    def dtw() -> tuple[str, Any, int]:
        est = DTWKMeans(k, max_iter=s.dtw_iter, sakoe_chiba_radius=s.dtw_radius, random_state=0)
        if s.dtw_windows is None or s.dtw_windows >= n:
            labels, n_fit, fitted = est.fit(w.X).labels_, n, ""
        else:  # a handicap: said in the row
            rng = np.random.default_rng(0)
            sub = np.sort(rng.choice(n, size=s.dtw_windows, replace=False))
            labels, n_fit = est.fit(w.X[sub]).predict(w.X), len(sub)
            fitted = f"fit on {n_fit} of {n} windows, "
        iters = int(getattr(est, "n_iter_", s.dtw_iter))
        stop = (f"stopped at max_iter={s.dtw_iter}" if iters >= s.dtw_iter
                else f"converged in {iters} iter")
        return f"DTW k-means ({fitted}band {s.dtw_radius}, {stop})", labels, n_fit

    def baseline() -> tuple[str, Any, int]:
        est = BASELINES[s.baseline](k, random_state=0)
        return f"{s.baseline} (baseline)", est.fit_predict(w.X), n

    rows = []
    for fit in (deep, recordings, dtw, baseline):
        name, labels, n_fit, seconds = _timed(fit)
        rows.append((name, evaluate(w.y, labels), seconds, n_fit))
    return rows, by_rec


def score_table(rows: Sequence[Score], n_windows: int) -> list[str]:
    """The score table of the demo as lines of text.

    Parameters
    ----------
    rows : sequence of (method, scores, seconds, windows fitted)
        ``scores`` holds ``ari``, ``nmi`` and ``acc``; ``seconds`` is the fit's wall time.
    n_windows : int
        How many windows were scored (every method is scored on all of them).

    Returns
    -------
    lines : list of str
        A header, one line per method, and the fits' total time.
    """
    width = max(len(r[0]) for r in rows)
    lines = [
        f"\nscores on the {n_windows} training windows (true activities used only to score):",
        f"{'method':<{width}}  fit on    ARI    NMI    ACC  fit s",
    ]
    for method, s, secs, n_fit in rows:
        lines.append(
            f"{method:<{width}}  {n_fit:>6}  {s['ari']:5.3f}  {s['nmi']:5.3f}  {s['acc']:5.3f}"
            f"  {secs:5.1f}"
        )
    handicapped = [r[0] for r in rows if r[3] != n_windows]
    same = ("every method fits on the same windows" if not handicapped else
            "every method fits on the same windows except: " + "; ".join(handicapped))
    lines.append(f"{same}; the fits took {sum(r[2] for r in rows):.1f} s in all\n")
    return lines


def run(args: argparse.Namespace) -> int:
    """Run the demo pipeline; write ``segments.csv`` and ``timeline.png`` to OUTDIR."""
    import numpy as np

    from ..data import load_sample
    from ..plotting import plot_timeline
    from ..preprocessing import SlidingWindows
    from ..segmentation import segment_recording, segments_to_csv

    start = time.perf_counter()
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
    print(f"the demo took {time.perf_counter() - start:.0f} s")
    return 0
