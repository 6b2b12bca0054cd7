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
import sys
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

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
    p.add_argument("--overwrite", action="store_true", help="replace an existing OUT")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar, no summary")
    p.set_defaults(func=_cmd_windows)


def _cmd_windows(args: argparse.Namespace) -> int:
    from .data import iter_hapt, read_csv_recording, read_npy_recording, read_ucr
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
    else:
        if fmt == "csv":
            rec = read_csv_recording(
                args.source,
                time_column="auto",
                sampling_rate=args.sampling_rate,
                label_column="auto",
            )
        else:
            rec = read_npy_recording(args.source, sampling_rate=args.sampling_rate)
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


# --------------------------------------------------------------------------- demo


def _add_demo_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "demo",
        help="run on the embedded HAPT sample (no download)",
        description="Window the small HAPT sample shipped with tsclust and summarise it.",
    )
    _add_window_options(p, labels_default="pure")
    p.add_argument("-o", "--out", type=Path, default=None, help="also write a window store")
    p.add_argument("--overwrite", action="store_true", help="replace an existing OUT")
    p.set_defaults(func=_cmd_demo)


def _cmd_demo(args: argparse.Namespace) -> int:
    from .data import load_sample
    from .preprocessing import SlidingWindows

    recs = load_sample()
    print(
        f"HAPT sample: {len(recs)} recordings, subjects "
        f"{sorted({r.subject for r in recs})}, {sum(r.n_samples for r in recs)} samples "
        f"({sum(r.duration for r in recs) / 60:.1f} min)"
    )
    w = SlidingWindows(size=args.size, step=args.step, labels=args.labels).transform(recs)
    if args.out is not None:
        from .io import write_windows

        write_windows(args.out, w, attrs={"format": "hapt-sample"}, overwrite=args.overwrite)
    _print_summary(_windows_info(w), args.out)
    return 0


# --------------------------------------------------------------------------- main

SUBCOMMANDS: list[Callable[[Any], None]] = [_add_windows_parser, _add_info_parser, _add_demo_parser]
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
