"""``tsclust windows``: cut a dataset into sliding windows and write an HDF5 window store."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ._common import error, print_summary

__all__ = ["add_parser", "run", "parse_ids"]

FORMAT_CHOICES = ("auto", "hapt", "ucr", "csv", "npy")  # "auto" + tsclust.data.FORMATS
LABEL_CHOICES = ("pure", "majority", "center", "none")


def parse_ids(value: str) -> tuple[bool, list[int]]:
    """Parse ``--subjects``: ``"2-30"``, ``"1,3,5"`` or ``"^1"`` -> ``(exclude, ids)``.

    Raises
    ------
    argparse.ArgumentTypeError
        ``value`` is not a list of ids and ranges.
    """
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


def add_window_options(p: argparse.ArgumentParser, *, labels_default: str | None) -> None:
    """Add ``--size``, ``--step`` and ``--labels`` (the :class:`SlidingWindows` options)."""
    p.add_argument("--size", type=int, default=128, help="window length in samples (default 128)")
    p.add_argument("--step", type=int, default=64, help="hop between windows (default 64)")
    p.add_argument(
        "--labels",
        choices=LABEL_CHOICES,
        default=labels_default,
        help="window labelling: pure (inside one labelled segment), majority, center, none "
        "(default: pure for labelled input, none otherwise)",
    )


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``tsclust windows`` in ``subparsers``; returns its parser."""
    p = subparsers.add_parser(
        "windows",
        help="cut recordings into windows and write an HDF5 window store",
        description="Read a dataset (HAPT folder/zip, UCR .tsv, CSV or .npy recording), cut "
        "it into sliding windows and write them to an HDF5 window store.",
    )
    p.add_argument("source", type=Path, help="dataset folder, zip or file")
    p.add_argument("-o", "--out", type=Path, required=True, help="output .h5 window store")
    add_window_options(p, labels_default=None)
    p.add_argument(
        "--format", choices=FORMAT_CHOICES, default="auto", help="input format (default auto)"
    )
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
        "--subjects", type=parse_ids, default=None,
        help="HAPT: subjects to keep, e.g. 2-30 or 1,3,5 (prefix with ^ to exclude: ^1)",
    )
    p.add_argument("--overwrite", action="store_true", help="replace an existing OUT")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar, no summary")
    return p


def _windower(args: argparse.Namespace, labelled: bool) -> Any:
    """The fitted SlidingWindows of ``args`` (fitting checks size/step/labels before writing)."""
    from ..preprocessing import SlidingWindows

    labels = args.labels or ("pure" if labelled else "none")
    return SlidingWindows(size=args.size, step=args.step, labels=labels).fit()


def _write_hapt(args: argparse.Namespace, attrs: dict[str, Any]) -> dict[str, Any]:
    """Window the HAPT recordings (of ``--subjects``) into the store; its info."""
    from ..data import iter_hapt
    from ..io import write_windows_from_recordings

    recs = iter_hapt(args.source, verbose=0 if args.quiet else 1)
    if args.subjects is not None:
        exclude, ids = args.subjects
        recs = (r for r in recs if (r.subject in ids) != exclude)
    return write_windows_from_recordings(
        args.out, recs, _windower(args, True), attrs=attrs, overwrite=args.overwrite
    )


def _write_ucr(args: argparse.Namespace, attrs: dict[str, Any]) -> dict[str, Any]:
    """Store the UCR series of ``--split`` as they are (one window each); its info."""
    from ..data import read_ucr
    from ..io import store_info, write_windows
    from ..preprocessing import Windows

    split = args.split or ("both" if args.source.is_dir() else "TRAIN")
    X, y = read_ucr(args.source, split=split)
    if not args.quiet:
        print(f"UCR series are stored as they are ({X.shape[1]} points); --size/--step unused")
    w = Windows(X, y=y, channels=["value"], source=str(args.source))
    write_windows(args.out, w, attrs={**attrs, "split": split}, overwrite=args.overwrite)
    return store_info(args.out)


def _write_recording(args: argparse.Namespace, attrs: dict[str, Any]) -> dict[str, Any]:
    """Window one CSV or NumPy recording into the store; its info."""
    from ..data import read_recording
    from ..io import store_info, write_windows

    rec = read_recording(args.source, attrs["format"], sampling_rate=args.sampling_rate)
    w = _windower(args, rec.labels is not None).transform([rec])
    write_windows(args.out, w, attrs=attrs, overwrite=args.overwrite)
    return store_info(args.out)


_WRITERS = {"hapt": _write_hapt, "ucr": _write_ucr, "csv": _write_recording, "npy": _write_recording}


def run(args: argparse.Namespace) -> int:
    """Write the window store of ``args.source``; 2 if no window fits."""
    from ..data import detect_format

    fmt = detect_format(args.source) if args.format == "auto" else args.format
    if not args.source.exists():
        raise FileNotFoundError(f"{args.source} not found")
    info = _WRITERS[fmt](args, {"format": fmt})
    if info["n_windows"] == 0:
        error(f"no window fits (size {args.size}); {args.out} holds 0 windows")
        return 2
    if not args.quiet:
        print_summary(info, args.out)
    return 0
