"""The ``tsclust`` command line.

Each subcommand is a ``_add_<name>_parser(subparsers)`` function that registers its options
and sets ``func=_cmd_<name>``, plus the ``_cmd_<name>(args) -> int`` that runs it. To add a
subcommand, write both and append the ``_add_`` function to :data:`SUBCOMMANDS`.

User errors (ValueError, FileNotFoundError, FileExistsError) print ``tsclust: error: ...`` to
stderr and exit with status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["main", "build_parser", "SUBCOMMANDS", "detect_format"]

FORMATS = ("auto", "hapt", "ucr", "csv", "npy")
LABEL_CHOICES = ("pure", "majority", "center", "none")


def _err(msg: str) -> None:
    print(f"tsclust: error: {msg}", file=sys.stderr)


# --------------------------------------------------------------------------- helpers


def detect_format(source: str | Path) -> str:
    """Guess the input format of ``source``: "hapt", "ucr", "csv" or "npy".

    A zip file or a folder with ``RawData/`` or ``acc_exp*`` files is HAPT; a folder with
    ``*_TRAIN.tsv[.gz]`` or a ``.tsv[.gz]`` file is UCR; ``.csv[.gz]`` is CSV; ``.npy`` NumPy.
    """
    p = Path(source)
    if not p.exists():
        raise FileNotFoundError(f"{p} not found")
    name = p.name.lower()
    if p.is_dir():
        if (p / "RawData").is_dir() or any(p.glob("acc_exp*_user*.txt*")):
            return "hapt"
        if any(p.glob("*_TRAIN.tsv*")) or any(p.glob("*_TEST.tsv*")):
            return "ucr"
        raise ValueError(
            f"cannot tell the format of folder {p} (no RawData/, acc_exp*_user*.txt or "
            "*_TRAIN.tsv); pass --format"
        )
    if name.endswith((".tsv", ".tsv.gz")):
        return "ucr"
    if name.endswith((".csv", ".csv.gz")):
        return "csv"
    if name.endswith(".npy"):
        return "npy"
    if zipfile.is_zipfile(p):
        return "hapt"
    raise ValueError(f"cannot tell the format of {p} from its name; pass --format")


def _check_free(
    paths: Sequence[Path | None], overwrite: bool, action: str = "replace it"
) -> None:
    """Refuse an existing output path unless --overwrite was given (None entries are skipped)."""
    for p in paths:
        if p is not None and p.exists() and not overwrite:
            raise FileExistsError(f"{p} exists; pass --overwrite to {action}")


def _format_counts(counts: dict) -> str:
    return " ".join(f"{k}:{v}" for k, v in sorted(counts.items()))


def _print_summary(info: dict[str, Any], out: Path | None) -> None:
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
        print(f"classes (label:windows): {_format_counts(info['class_counts'])}")


def _windows_info(w: Any) -> dict[str, Any]:
    """The subset of store_info fields that _print_summary needs, from in-memory Windows."""
    return {
        "shape": w.X.shape,
        "step": w.step,
        "sampling_rate": w.sampling_rate,
        "labels_mode": w.labels_mode,
        "labelled": w.y is not None,
        "channels": w.channels,
        "n_recordings": len(w.recording_names),
        "class_counts": w.class_counts(),
    }


def _add_window_options(p: argparse.ArgumentParser, *, labels_default: str | None) -> None:
    p.add_argument("--size", type=int, default=128, help="window length in samples (default 128)")
    p.add_argument("--step", type=int, default=64, help="hop between windows (default 64)")
    p.add_argument(
        "--labels",
        choices=LABEL_CHOICES,
        default=labels_default,
        help="window labelling: pure (inside one labelled segment), majority, center, none "
        "(default: pure for labelled input, none otherwise)",
    )


# --------------------------------------------------------------------------- windows


def _add_windows_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "windows",
        help="cut recordings into windows and write an HDF5 window store",
        description="Read a dataset (HAPT folder/zip, UCR .tsv, CSV or .npy recording), cut "
        "it into sliding windows and write them to an HDF5 window store.",
    )
    p.add_argument("source", type=Path, help="dataset folder, zip or file")
    p.add_argument("-o", "--out", type=Path, required=True, help="output .h5 window store")
    _add_window_options(p, labels_default=None)
    p.add_argument("--format", choices=FORMATS, default="auto", help="input format (default auto)")
    p.add_argument(
        "--split",
        choices=("TRAIN", "TEST", "both"),
        default=None,
        help="UCR: which split of a problem folder (default both)",
    )
    p.add_argument(
        "--sampling-rate", type=float, default=None, help="CSV/NumPy: sampling rate in Hz"
    )
    p.add_argument(
        "--subjects", type=_parse_ids, default=None,
        help="HAPT: subjects to keep, e.g. 2-30 or 1,3,5 (prefix with ^ to exclude: ^1)",
    )
    p.add_argument("--overwrite", action="store_true", help="replace an existing OUT")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar, no summary")
    p.set_defaults(func=_cmd_windows)


def _parse_ids(value: str) -> tuple[bool, list[int]]:
    """``"2-30"``, ``"1,3,5"`` or ``"^1"`` -> (exclude, ids)."""
    exclude = value.startswith("^")
    ids: list[int] = []
    try:
        for part in value.lstrip("^").split(","):
            lo, _, hi = part.partition("-")
            ids += list(range(int(lo), int(hi or lo) + 1))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--subjects takes ids and ranges like 2-30, 1,3,5 or ^1; got {value!r}"
        ) from None
    return exclude, ids


def _cmd_windows(args: argparse.Namespace) -> int:
    from .data import iter_hapt, read_ucr
    from .io import write_windows, write_windows_from_recordings
    from .preprocessing import SlidingWindows, Windows

    fmt = detect_format(args.source) if args.format == "auto" else args.format
    if not args.source.exists():
        raise FileNotFoundError(f"{args.source} not found")
    verbose = 0 if args.quiet else 1
    attrs = {"format": fmt}

    def windower(labelled: bool) -> SlidingWindows:
        labels = args.labels or ("pure" if labelled else "none")
        w = SlidingWindows(size=args.size, step=args.step, labels=labels)
        return w.fit()  # checks size/step/labels before any file is written

    if fmt == "hapt":
        recs = iter_hapt(args.source, verbose=verbose)
        if args.subjects is not None:
            exclude, ids = args.subjects
            recs = (r for r in recs if (r.subject in ids) != exclude)
        info = write_windows_from_recordings(
            args.out, recs, windower(True), attrs=attrs, overwrite=args.overwrite
        )
    elif fmt == "ucr":
        split = args.split or ("both" if args.source.is_dir() else "TRAIN")
        X, y = read_ucr(args.source, split=split)
        if not args.quiet:
            print(f"UCR series are stored as they are ({X.shape[1]} points); --size/--step unused")
        w = Windows(X, y=y, channels=["value"], source=str(args.source))
        write_windows(args.out, w, attrs={**attrs, "split": split}, overwrite=args.overwrite)
        info = _store_info(args.out)
    else:  # one CSV or NumPy recording
        rec = _read_recording(args.source, fmt, None, args.sampling_rate)
        w = windower(rec.labels is not None).transform([rec])
        write_windows(args.out, w, attrs=attrs, overwrite=args.overwrite)
        info = _store_info(args.out)
    if info["n_windows"] == 0:
        _err(f"no window fits (size {args.size}); {args.out} holds 0 windows")
        return 2
    if not args.quiet:
        _print_summary(info, args.out)
    return 0


def _store_info(path: Path) -> dict[str, Any]:
    from .io import store_info

    return store_info(path)


# --------------------------------------------------------------------------- info


def _add_info_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("info", help="describe an HDF5 window store (metadata only)")
    p.add_argument("store", type=Path, help="window store .h5")
    p.set_defaults(func=_cmd_info)


def _cmd_info(args: argparse.Namespace) -> int:
    info = _store_info(args.store)
    print(f"{args.store}: {info['format']}, source {info['source'] or '-'}")
    _print_summary(info, None)
    if info["scaler"]:
        print(f"scaler: {info['scaler'].get('class')}")
    return 0


# --------------------------------------------------------------------------- segment


def _read_recording(
    source: Path, fmt: str, experiment: int | None, sampling_rate: float | None
) -> Any:
    """One Recording from a HAPT folder/zip (``experiment`` picks it), a CSV or a .npy file."""
    from .data import iter_hapt, read_csv_recording, read_hapt, read_npy_recording

    if not source.exists():
        raise FileNotFoundError(f"{source} not found")
    fmt = detect_format(source) if fmt == "auto" else fmt
    if fmt == "hapt":
        if experiment is None:
            listing = iter_hapt(source, verbose=0)
            if len(listing) != 1:
                exps = sorted({e for e, _ in getattr(listing, "_selected", [])})
                raise ValueError(
                    f"{source} holds {len(listing)} HAPT recordings; pick one with "
                    f"--experiment N (experiments: {', '.join(map(str, exps))})"
                )
            return next(iter(listing))
        return read_hapt(source, experiments=[experiment], verbose=0)[0]
    if experiment is not None:
        raise ValueError("--experiment only applies to a HAPT folder or zip")
    if fmt == "csv":
        return read_csv_recording(
            source, time_column="auto", sampling_rate=sampling_rate, label_column="auto"
        )
    if fmt == "npy":
        return read_npy_recording(source, sampling_rate=sampling_rate)
    raise ValueError(
        f"segment needs one continuous recording (HAPT, CSV or .npy), not {fmt} data"
    )


def _print_segmentation(rec: Any, res: Any) -> None:
    from .segmentation import evaluate_segmentation

    n_seg = sum(s.cluster != -1 for s in res.segments)
    used = len({s.cluster for s in res.segments} - {-1})
    print(
        f"{rec.name or 'recording'}: {rec.duration:.1f} s, {len(res.starts)} windows "
        f"(step {res.step}) -> {n_seg} segments, {used} of {res.n_clusters} clusters used"
    )
    if rec.labels is None or not (rec.labels != 0).any():
        return
    tol = res.size // 2
    s = evaluate_segmentation(res.sample_labels, rec.labels, tolerance=tol)
    print(
        f"per-sample scores on {s['n_scored']} labelled samples: ARI {s['ari']:.3f}  "
        f"NMI {s['nmi']:.3f}  ACC {s['acc']:.3f}"
    )
    print(
        f"boundaries (within {tol / rec.sampling_rate:g} s): precision "
        f"{s['boundary_precision']:.2f}  recall {s['boundary_recall']:.2f}  "
        f"F1 {s['boundary_f1']:.2f}  ({s['n_pred_boundaries']} predicted, "
        f"{s['n_true_boundaries']} true)"
    )


def _add_segment_parser(subparsers: Any) -> None:
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
    p.add_argument("--step", type=int, default=16, help="hop between windows (default 16)")
    p.add_argument(
        "--min-duration",
        type=float,
        default=None,
        metavar="SECONDS",
        help="merge segments shorter than this into a neighbour (default: no smoothing)",
    )
    p.add_argument(
        "--format", choices=("auto", "hapt", "csv", "npy"), default="auto", help="input format"
    )
    p.add_argument(
        "--experiment", type=int, default=None, help="HAPT: which experiment of the folder"
    )
    p.add_argument(
        "--sampling-rate", type=float, default=None, help="CSV/NumPy: sampling rate in Hz"
    )
    p.add_argument(
        "--hard", action="store_true", help="vote with hard labels even if the model is soft"
    )
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    p.set_defaults(func=_cmd_segment)


def _cmd_segment(args: argparse.Namespace) -> int:
    from .clustering import load_clusterer
    from .segmentation import segment_recording, segments_to_csv

    _check_free([args.out, args.plot], args.overwrite)
    if not args.model.is_file():
        raise FileNotFoundError(f"model file {args.model} not found")
    rec = _read_recording(args.recording, args.format, args.experiment, args.sampling_rate)
    est = load_clusterer(args.model)  # a RecordingClusterer sees the recording as one group
    res = segment_recording(
        est, rec, step=args.step, min_duration=args.min_duration, soft=not args.hard
    )
    segments_to_csv(res.segments, args.out, overwrite=args.overwrite)
    _print_segmentation(rec, res)
    print(f"wrote {args.out}")
    if args.plot is not None:
        from .plotting import plot_timeline

        plot_timeline(rec, res, path=args.plot)
        print(f"wrote {args.plot}")
    return 0


# --------------------------------------------------------------------------- demo

_DEMO_SETTINGS = {
    # DeepClusterer keyword arguments, DTW subsample size, DTW max_iter, segmentation step
    "full": (
        {},  # the estimator's defaults
        150,
        3,
        16,
    ),
    "quick": (
        {
            "architecture": "mlp",
            "module_kwargs": {"hidden": (32,)},
            "pretrain_epochs": 1,
            "finetune_epochs": 1,
            "n_init": 1,
        },
        30,
        1,
        32,
    ),
}


def _add_demo_parser(subparsers: Any) -> None:
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
        "-o", "--out", type=Path, default=Path("tsclust-demo"),
        help="output folder (default ./tsclust-demo)",
    )
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bars")
    p.add_argument("--quick", action="store_true", help=argparse.SUPPRESS)  # tests: tiny settings
    p.set_defaults(func=_cmd_demo)


def _cmd_demo(args: argparse.Namespace) -> int:
    import time

    import numpy as np

    from .baselines import DTWKMeans
    from .clustering import DeepClusterer, RecordingClusterer
    from .data import load_sample
    from .metrics import evaluate
    from .plotting import plot_timeline
    from .preprocessing import SlidingWindows
    from .segmentation import segment_recording, segments_to_csv

    deep_kw, n_dtw, dtw_iter, seg_step = _DEMO_SETTINGS["quick" if args.quick else "full"]
    out_csv, out_png = args.out / "segments.csv", args.out / "timeline.png"
    _check_free([out_csv, out_png], args.overwrite)
    if args.out.exists() and not args.out.is_dir():
        raise FileExistsError(f"{args.out} exists and is not a folder")

    recs = load_sample()
    train, held = recs[:-1], recs[-1]
    print(
        f"HAPT sample: {len(recs)} recordings of subjects {sorted({r.subject for r in recs})}, "
        f"{sum(r.duration for r in recs) / 60:.1f} min at {recs[0].sampling_rate:g} Hz, "
        f"channels {', '.join(recs[0].channels)}"
    )
    w = SlidingWindows(size=128, step=64, labels="pure").transform(train)
    classes = np.unique(w.y)
    k = len(classes)
    print(
        f"windows: {len(w)} from {len(train)} recordings (held out: {held.name}), "
        f"{w.size} samples = {w.size / w.sampling_rate:g} s, step {w.step}, each inside one "
        f"activity; {k} activities -> n_clusters={k}"
    )

    rows = []
    t0 = time.perf_counter()
    est = DeepClusterer(k, random_state=0, verbose=0 if args.quiet else 1, **deep_kw).fit(w.X)
    kind = f"{est.architecture_}+{est.head}, {est.pretrain_epochs}+{est.finetune_epochs} epochs"
    rows.append((f"DeepClusterer ({kind})", evaluate(w.y, est.labels_), time.perf_counter() - t0))

    t0 = time.perf_counter()
    rec_kw = {"pretrain_epochs": 1, "head": "kmeans"} if args.quick else {}
    by_rec = RecordingClusterer(k, random_state=0, **rec_kw).fit(w.X, groups=w.origins[:, 0])
    rows.append((f"RecordingClusterer (rec+{by_rec.head}, {len(train)} recordings)",
                 evaluate(w.y, by_rec.labels_), time.perf_counter() - t0))

    t0 = time.perf_counter()
    rng = np.random.default_rng(0)
    sub = np.sort(rng.choice(len(w), size=min(n_dtw, len(w)), replace=False))
    dtw = DTWKMeans(k, max_iter=dtw_iter, sakoe_chiba_radius=8, random_state=0).fit(w.X[sub])
    dtw_labels = dtw.predict(w.X)
    name = f"DTW k-means (fit on {len(sub)} windows, {dtw_iter} iter)"
    rows.append((name, evaluate(w.y, dtw_labels), time.perf_counter() - t0))

    width = max(len(r[0]) for r in rows)
    print(f"\nscores on the {len(w)} training windows (true activities used only to score):")
    print(f"{'method':<{width}}    ARI    NMI    ACC  seconds")
    for method, s, secs in rows:
        print(f"{method:<{width}}  {s['ari']:5.3f}  {s['nmi']:5.3f}  {s['acc']:5.3f}  {secs:7.1f}")
    print(
        "DTW k-means learns its barycentres on a random subsample (DBA is slow), then assigns "
        "all windows.\n"
    )

    # the held-out recording is one group: aligned and referenced within itself
    res = segment_recording(by_rec, held, step=seg_step, min_duration=2.0)
    print("segmenting the held-out recording with the RecordingClusterer (min duration 2 s):")
    _print_segmentation(held, res)
    args.out.mkdir(parents=True, exist_ok=True)
    segments_to_csv(res.segments, out_csv, overwrite=args.overwrite)
    plot_timeline(held, res, path=out_png)
    print(f"wrote {out_csv} and {out_png}")
    return 0


# --------------------------------------------------------------------------- fit / predict / compare


def _parse_k(value: str) -> int | str:
    if value == "auto":
        return value
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"-k takes an integer or 'auto', got {value!r}") from None


def _parse_range(value: str) -> range:
    try:
        lo, hi = (int(v) for v in value.split("-"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--k-range takes LO-HI, e.g. 2-12, got {value!r}") from None
    return range(lo, hi + 1)


def _print_scores(y: Any, labels: Any) -> None:
    from .metrics import evaluate

    if y is None:
        return
    scores = evaluate(y, labels)
    print("scores against the store's labels: " + "  ".join(f"{k.upper()} {v:.3f}" for k, v in scores.items()))


def _add_fit_parser(subparsers: Any) -> None:
    from .clustering import HEADS
    from .models import ARCHITECTURES

    p = subparsers.add_parser(
        "fit",
        help="fit a DeepClusterer on a window store and save the model",
        description="Pre-train an autoencoder on the windows of STORE and fit a clustering head; "
        "write the model to an HDF5 file. With -k auto the number of clusters is chosen by "
        "silhouette on the latents.",
    )
    p.add_argument("store", type=Path, help="HDF5 window store (tsclust windows)")
    p.add_argument("-k", "--n-clusters", type=_parse_k, required=True, help="integer or 'auto'")
    p.add_argument("--k-range", type=_parse_range, default=range(2, 13), help="with -k auto (2-12)")
    p.add_argument("--architecture", choices=sorted([*ARCHITECTURES, "auto"]), default=None,
                   help="autoencoder (default: DeepClusterer's, auto: cov for several channels, mlp for one)")
    p.add_argument("--head", choices=sorted(HEADS), default=None,
                   help="clustering head (default: DeepClusterer's, dec)")
    p.add_argument("--latent-dim", type=int, default=None)
    p.add_argument(
        "--by-recording", action="store_true",
        help="fit a RecordingClusterer: cov statistics aligned per recording of the store plus "
        "the posture angle to each recording's upright reference (accelerometer in channels 0-2)",
    )
    p.add_argument("--epochs", type=int, default=None, help="pre-training epochs (default: estimator's)")
    p.add_argument("--finetune-epochs", type=int, default=None)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="auto", help="auto, cpu or cuda")
    p.add_argument("-o", "--out", type=Path, required=True, help="model file (.h5)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing model file")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bars")
    p.add_argument(
        "--nproc", type=int, default=1,
        help="data-parallel processes (>1 runs: torchrun --standalone --nproc-per-node N "
        "-m tsclust.distributed fit ...; gloo on CPU, nccl on GPUs; the store is streamed)",
    )
    p.set_defaults(func=_cmd_fit)


def _fit_distributed(args: argparse.Namespace) -> int:
    from .distributed.launch import launch

    if args.n_clusters == "auto":
        raise ValueError("-k auto is not supported with --nproc > 1; give an integer")
    fwd = [
        "fit", str(args.store), "-k", str(args.n_clusters), "-o", str(args.out),
        "--seed", str(args.seed), "--device", args.device,
    ]
    for name in ("architecture", "head", "latent_dim"):
        if getattr(args, name) is not None:
            fwd += ["--" + name.replace("_", "-"), str(getattr(args, name))]
    if args.epochs is not None:
        fwd += ["--epochs", str(args.epochs)]
    if args.finetune_epochs is not None:
        fwd += ["--finetune-epochs", str(args.finetune_epochs)]
    fwd += ["--overwrite"] * bool(args.overwrite) + ["--quiet"] * bool(args.quiet)
    rc = launch(args.nproc, fwd)
    if rc != 0:
        _err(f"torchrun exited with status {rc}")
    return rc


def _fit_by_recording(args: argparse.Namespace) -> int:
    import time

    from .clustering import RecordingClusterer
    from .io import read_windows

    bad = [flag for flag, on in (
        ("-k auto", args.n_clusters == "auto"), ("--nproc > 1", args.nproc > 1),
        ("--architecture", args.architecture is not None),
        ("--finetune-epochs", args.finetune_epochs is not None),
    ) if on]
    if bad:
        raise ValueError(f"--by-recording does not take {', '.join(bad)}")
    w = read_windows(args.store)
    params: dict[str, Any] = dict(
        n_clusters=args.n_clusters, random_state=args.seed, device=args.device,
        verbose=0 if args.quiet else 1,
    )
    if args.head is not None:
        params["head"] = args.head
    if args.latent_dim is not None:
        params["latent_dim"] = args.latent_dim
    if args.epochs is not None:
        params["pretrain_epochs"] = args.epochs
    t0 = time.perf_counter()
    est = RecordingClusterer(**params).fit(w.X, groups=w.origins[:, 0])
    n_rec = len(np.unique(w.origins[:, 0]))
    return _save_fitted(est, w, f"rec+{est.head}", f" of {n_rec} recordings", t0, args)


def _save_fitted(est: Any, w: Any, name: str, where: str, t0: float, args: argparse.Namespace) -> int:
    """Save a model fitted since ``t0`` and print its time, cluster sizes and scores."""
    import time

    seconds = time.perf_counter() - t0
    est.save(args.out, overwrite=args.overwrite)
    sizes = np.bincount(est.labels_, minlength=est.n_clusters)
    print(f"fitted {name} on {len(w)} windows {w.X.shape[1:]}{where} in {seconds:.1f} s")
    print(f"cluster sizes: {' '.join(str(s) for s in sizes)}")
    _print_scores(w.y, est.labels_)
    print(f"model written to {args.out}")
    return 0


def _cmd_fit(args: argparse.Namespace) -> int:
    import time

    from .clustering import DeepClusterer, select_k
    from .io import read_windows

    _check_free([args.out], args.overwrite)
    if args.nproc < 1:
        raise ValueError(f"--nproc must be >= 1, got {args.nproc}")
    if args.by_recording:
        return _fit_by_recording(args)
    if args.nproc > 1:
        return _fit_distributed(args)
    w = read_windows(args.store)
    params: dict[str, Any] = dict(
        random_state=args.seed, device=args.device, verbose=0 if args.quiet else 1,
    )
    for name in ("architecture", "head", "latent_dim"):
        if getattr(args, name) is not None:
            params[name] = getattr(args, name)
    if args.epochs is not None:
        params["pretrain_epochs"] = args.epochs
    if args.finetune_epochs is not None:
        params["finetune_epochs"] = args.finetune_epochs
    k = args.n_clusters
    est = DeepClusterer(**params)
    if k == "auto":
        est.set_params(warm_start=True)  # the final fit reuses select_k's pre-training
        sel = select_k(w.X, args.k_range, estimator=est, random_state=args.seed)
        print("k  silhouette  calinski_harabasz  inertia")
        for row in sel.as_rows():
            print(f"{row['k']:<2} {row['silhouette']:10.3f}  {row['calinski_harabasz']:17.1f}  {row['inertia']:.1f}")
        print(f"chosen k = {sel.best_k} (best silhouette; elbow of inertia at k = {sel.elbow_k})")
        k = sel.best_k
        est = sel.extra["estimator"].set_params(head=est.head)
    t0 = time.perf_counter()
    est = est.set_params(n_clusters=k).fit(w.X)
    return _save_fitted(est, w, f"{est.architecture_}+{est.head}", "", t0, args)


def _add_predict_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "predict",
        help="assign the windows of a store to the clusters of a fitted model",
        description="Write one CSV row per window: index, recording, start sample, cluster, "
        "confidence (soft heads) and the store's label when it has one.",
    )
    p.add_argument("model", type=Path, help="model file written by tsclust fit")
    p.add_argument("store", type=Path, help="HDF5 window store")
    p.add_argument("-o", "--out", type=Path, required=True, help="labels CSV")
    p.add_argument("--overwrite", action="store_true", help="replace an existing CSV")
    p.set_defaults(func=_cmd_predict)


def _cmd_predict(args: argparse.Namespace) -> int:
    import csv

    from .clustering import RecordingClusterer, load_clusterer
    from .io import atomic_text, read_windows

    _check_free([args.out], args.overwrite)
    est = load_clusterer(args.model)
    w = read_windows(args.store)
    conf = None
    # a RecordingClusterer aligns the windows within each recording of the store
    kw = {"groups": w.origins[:, 0]} if isinstance(est, RecordingClusterer) else {}
    if hasattr(est, "predict_proba"):  # soft heads: predict is the argmax of the soft assignment
        proba = est.predict_proba(w.X, **kw)
        labels, conf = proba.argmax(axis=1), proba.max(axis=1)
    else:
        labels = est.predict(w.X, **kw)
    origins = w.origins  # Windows always fills origins
    with atomic_text(args.out, overwrite=True) as fh:  # --overwrite was checked above
        out = csv.writer(fh)
        out.writerow(["window", "recording", "start", "cluster", "confidence", "label"])
        for i in range(len(w)):
            out.writerow([
                i, int(origins[i, 0]), int(origins[i, 1]), int(labels[i]),
                "" if conf is None else f"{conf[i]:.4f}", "" if w.y is None else int(w.y[i]),
            ])
    print(f"{len(w)} windows -> {args.out}; cluster sizes: {' '.join(str(s) for s in np.bincount(labels))}")
    _print_scores(w.y, labels)
    return 0


def _add_compare_parser(subparsers: Any) -> None:
    from .baselines import BASELINES
    from .models import ARCHITECTURES

    p = subparsers.add_parser(
        "compare",
        help="compare deep clusterers with DTW k-means and other baselines on a store",
        description="Run methods x seeds on the windows of STORE; write results.csv, results.md, "
        f"results.json and results.png to OUTDIR. Methods: baselines ({', '.join(BASELINES)}) "
        f"and ARCH+HEAD with ARCH in {', '.join(sorted(ARCHITECTURES))} (e.g. cov+dec), or "
        "rec+HEAD (RecordingClusterer, given the store's recordings; e.g. rec+dec).",
    )
    p.add_argument("store", type=Path, help="HDF5 window store")
    p.add_argument("-k", "--n-clusters", type=int, required=True)
    p.add_argument("--methods", required=True, help="comma-separated method names")
    p.add_argument("--seeds", type=int, default=3, help="number of seeds (0..N-1)")
    p.add_argument("--protocol", choices=("transductive", "inductive"), default="transductive")
    p.add_argument("--test-fraction", type=float, default=None,
                   help="inductive: fraction of subjects held out (default 0.25)")
    p.add_argument("--subsample", type=int, default=None, help="windows drawn per seed")
    p.add_argument(
        "--scaling", choices=("none", "standard"), default="none",
        help="standard: per-channel standardisation fitted on all windows before every method "
        "(transductive protocol only; deep methods also scale internally)",
    )
    p.add_argument("--epochs", type=int, default=None, help="pre-training epochs of deep methods")
    p.add_argument("-o", "--out", type=Path, required=True, help="output directory")
    p.add_argument("--overwrite", action="store_true", help="write into an existing OUTDIR")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_compare)


def _cmd_compare(args: argparse.Namespace) -> int:
    import platform

    from .compare import check_methods, compare, write_results
    from .io import read_windows, store_info

    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    check_methods(methods)
    _check_free([args.out], args.overwrite, action="write into it")
    w = read_windows(args.store)
    X = w.X
    if args.scaling == "standard":
        if args.protocol != "transductive":
            raise ValueError("--scaling standard fits on all windows: use it with the transductive protocol")
        from .preprocessing import ChannelStandardScaler

        X = ChannelStandardScaler().fit_transform(X).astype(np.float32)
    params = None
    if args.epochs is not None:
        params = {m: {"pretrain_epochs": args.epochs} for m in methods if "+" in m}
    groups = w.subject if args.protocol == "inductive" else None
    rows = compare(
        X, w.y, n_clusters=args.n_clusters, methods=methods, seeds=tuple(range(args.seeds)),
        protocol=args.protocol, groups=groups, test_fraction=args.test_fraction,
        subsample=args.subsample, method_params=params, progress=not args.quiet,
        recordings=w.origins[:, 0],
    )
    info = store_info(args.store)
    meta = {
        "command": "tsclust " + " ".join(sys.argv[1:]) if sys.argv[0].endswith("tsclust") else None,
        "data": f"{args.store} ({info.get('n_windows', len(w))} windows, shape {tuple(w.X.shape[1:])}, "
        f"scaling: {args.scaling})",
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores, {platform.python_version()}",
    }
    paths = write_results(rows, args.out, overwrite=args.overwrite, meta=meta)
    print(Path(paths["md"]).read_text().split("\n\n", 2)[-1].strip())
    print("results written to " + ", ".join(str(p) for p in paths.values()))
    return 0


# --------------------------------------------------------------------------- main

SUBCOMMANDS: list[Callable[[Any], None]] = [
    _add_windows_parser,
    _add_info_parser,
    _add_fit_parser,
    _add_predict_parser,
    _add_compare_parser,
    _add_segment_parser,
    _add_demo_parser,
]
"""Parser builders, one per subcommand, in help order."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand of :data:`SUBCOMMANDS`."""
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="tsclust",
        description="Cluster unlabelled time series with deep autoencoders.",
    )
    parser.add_argument("--version", action="version", version=f"tsclust {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``tsclust`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help(sys.stderr)
        return 2
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="tsclust: %(message)s"
    )
    try:
        return int(args.func(args) or 0)
    except (ValueError, FileNotFoundError, FileExistsError, ConnectionError) as exc:
        _err(str(exc))
        return 2
    except KeyboardInterrupt:
        _err("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
