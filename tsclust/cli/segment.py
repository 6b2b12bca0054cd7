"""``tsclust segment``: label every sample of a recording with a fitted model."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ._common import check_outputs, number, staged_outputs
from .windows import add_recording_options, recording_options

__all__ = ["add_parser", "run", "segmentation_lines"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``tsclust segment`` in ``subparsers``; returns its parser."""
    p = subparsers.add_parser(
        "segment",
        help="label every sample of a recording with a fitted model",
        description="Cut RECORDING into overlapping windows, cluster each with MODEL, let the "
        "windows vote per sample and write the resulting segments to a CSV file "
        "(start,end,cluster,confidence,start_s,end_s; end exclusive). Samples that no window "
        "covers get cluster -1.",
    )
    p.add_argument("model", type=Path, help="model file written by `tsclust fit` (.h5)")
    p.add_argument("recording", type=Path, help="HAPT folder/zip, CSV or .npy recording")
    p.add_argument("-o", "--out", type=Path, required=True, help="segments CSV to write")
    p.add_argument("--plot", type=Path, default=None, help="also draw the timeline (.png)")
    p.add_argument(
        "--step", type=number(int, low=1), default=16, help="hop between windows (default 16)"
    )
    p.add_argument(
        "--min-duration",
        type=number(float, low=0),
        default=None,
        metavar="SECONDS",
        help="merge segments shorter than this into a neighbour (default: no smoothing)",
    )
    p.add_argument(
        "--format", choices=("auto", "hapt", "csv", "npy"), default="auto", help="input format"
    )
    p.add_argument(
        "--experiment", type=number(int, low=1), default=None, help="HAPT: which experiment of the folder"
    )
    add_recording_options(p)
    p.add_argument(
        "--hard", action="store_true", help="vote with hard labels even if the model is soft"
    )
    p.add_argument(
        "--overwrite", action="store_true",
        help="replace existing output files (both are written, or neither)",
    )
    return p


def segmentation_lines(rec: Any, res: Any) -> list[str]:
    """What to say about a segmentation: its size and, for a labelled recording, its scores.

    Parameters
    ----------
    rec : Recording
        The segmented recording.
    res : Segmentation
        From :func:`tsclust.segmentation.segment_recording`.

    Returns
    -------
    lines : list of str
    """
    from ..segmentation import evaluate_segmentation

    n_seg = sum(s.cluster != -1 for s in res.segments)
    used = len({s.cluster for s in res.segments} - {-1})
    lines = [
        f"{rec.name or 'recording'}: {rec.duration:.1f} s, {len(res.starts)} windows "
        f"(step {res.step}) -> {n_seg} segments, {used} of {res.n_clusters} clusters used"
    ]
    if rec.labels is None or not (rec.labels != 0).any():
        return lines
    tol = res.size // 2
    s = evaluate_segmentation(res.sample_labels, rec.labels, tolerance=tol)
    lines.append(
        f"per-sample scores on {s['n_scored']} labelled samples: ARI {s['ari']:.3f}  "
        f"NMI {s['nmi']:.3f}  ACC {s['acc']:.3f}"
    )
    lines.append(
        f"boundaries (within {tol / rec.sampling_rate:g} s): precision "
        f"{s['boundary_precision']:.2f}  recall {s['boundary_recall']:.2f}  "
        f"F1 {s['boundary_f1']:.2f}  ({s['n_pred_boundaries']} predicted, "
        f"{s['n_true_boundaries']} true)"
    )
    return lines


def run(args: argparse.Namespace) -> int:
    """Segment ``args.recording``; write the segments CSV and, with ``--plot``, the timeline.

    Both outputs are checked before any work and written all or nothing.
    """
    from ..io import check_file

    check_outputs([args.out, args.plot], [args.model, args.recording], args.overwrite)
    check_file(args.model, "model file")  # before torch is imported: a missing file in 0.2 s
    if not args.recording.exists():
        raise FileNotFoundError(f"recording {args.recording} not found")
    from ..clustering import load_clusterer
    from ..data import read_recording
    from ..segmentation import segment_recording, segments_to_csv

    rec = read_recording(
        args.recording, args.format, experiment=args.experiment, **recording_options(args)
    )
    est = load_clusterer(args.model)  # a RecordingClusterer sees the recording as one group
    res = segment_recording(
        est, rec, step=args.step, min_duration=args.min_duration, soft=not args.hard
    )
    print("\n".join(segmentation_lines(rec, res)))
    with staged_outputs(args.out, args.plot) as (csv_tmp, png_tmp):
        segments_to_csv(res.segments, csv_tmp, overwrite=True)
        if png_tmp is not None:
            from ..plotting import plot_timeline

            plot_timeline(rec, res, path=png_tmp)
    print(f"wrote {args.out}" + (f" and {args.plot}" if args.plot is not None else ""))
    return 0
