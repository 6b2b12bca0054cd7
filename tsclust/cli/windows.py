"""``tsclust windows``: cut a dataset into sliding windows and write an HDF5 window store.

Sources: a HAPT folder or zip, a UCR ``.tsv`` file or folder and a UEA/sktime ``.ts`` file
(series stored as they are, one window each; unequal-length ``.ts`` files are refused), one
CSV/TSV recording (``--time-column``, ``--label-column``, ``--ignore-columns``,
``--delimiter``) or ``.npy`` recording, or ``sample``, the HAPT sample shipped with tsclust.
A recording whose labels are all 0 is windowed unlabelled (with a note) unless
``--labels pure`` asks for labelled windows, which is then an error.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ._common import check_outputs, error, number, print_summary

__all__ = [
    "add_parser", "run", "parse_ids", "format_ids", "add_recording_options", "recording_options",
]

FORMAT_CHOICES = ("auto", "hapt", "ucr", "csv", "npy", "ts")  # "auto" + tsclust.data.FORMATS
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


def _column(value: str) -> str | None:
    """``--time-column`` / ``--label-column``: a column name, ``auto`` or ``none``."""
    return None if value.lower() == "none" else value


def _column_list(value: str) -> list[str]:
    """``--ignore-columns a,b`` -> ``["a", "b"]``."""
    return [c.strip() for c in value.split(",") if c.strip()]


def _delimiter(value: str) -> str:
    """``--delimiter``: one character, or ``tab`` / ``\\t`` for a tab."""
    value = "\t" if value.lower() in ("tab", "\\t") else value
    if len(value) != 1:
        raise argparse.ArgumentTypeError(f"--delimiter takes one character or 'tab', got {value!r}")
    return value


#: The CSV options of ``tsclust windows`` and their defaults (anything else is refused for
#: other formats).
CSV_DEFAULTS = {"time_column": "auto", "label_column": "auto", "ignore_columns": [], "delimiter": None}


def add_recording_options(p: argparse.ArgumentParser) -> None:
    """Add ``--sampling-rate`` and the CSV column options (:data:`CSV_DEFAULTS`)."""
    p.add_argument(
        "--sampling-rate",
        type=number(float, low=0, strict=True),
        default=None,
        help="CSV/NumPy: sampling rate in Hz (CSV: overrides the rate inferred from the time "
        "column)",
    )
    p.add_argument(
        "--time-column", type=_column, default="auto",
        help="CSV: column of time stamps, in seconds or date-times like 2024-01-31 12:00:00.000 "
        "(default auto: a column named time/timestamp/t/seconds/time_s/sec; 'none': no time "
        "column); the sampling rate is inferred from it",
    )
    p.add_argument(
        "--label-column", type=_column, default="auto",
        help="CSV: column of integer per-sample labels, 0 = unlabelled (default auto: "
        "label/labels/activity/class; 'none': no labels)",
    )
    p.add_argument(
        "--ignore-columns", type=_column_list, default=[], metavar="A,B",
        help="CSV: comma-separated columns to leave out (ids, text notes)",
    )
    p.add_argument(
        "--delimiter", type=_delimiter, default=None,
        help="CSV: cell separator, one character or 'tab' (default: tab if the header has "
        "more tabs than commas, else comma)",
    )


def recording_options(args: argparse.Namespace) -> dict[str, Any]:
    """The reader keywords of :func:`add_recording_options` (``sampling_rate`` and CSV's)."""
    return {"sampling_rate": args.sampling_rate, **{k: getattr(args, k) for k in CSV_DEFAULTS}}


def check_csv_options(args: argparse.Namespace, fmt: str) -> None:
    """Refuse CSV column options given for input of format ``fmt`` other than CSV."""
    given = [k for k, v in CSV_DEFAULTS.items() if getattr(args, k) != v]
    if given and fmt != "csv":
        flags = ", ".join("--" + k.replace("_", "-") for k in given)
        raise ValueError(f"{flags} only apply to CSV input, not {fmt}")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``tsclust windows`` in ``subparsers``; returns its parser."""
    p = subparsers.add_parser(
        "windows",
        help="cut recordings into windows and write an HDF5 window store",
        description="Read a dataset (HAPT folder/zip, UCR .tsv, UEA/sktime .ts, CSV/TSV or .npy "
        "recording, or 'sample': the HAPT sample shipped with tsclust), cut it into sliding "
        "windows and write them to an HDF5 window store. UCR and .ts series are stored as "
        "they are, one window each.",
    )
    p.add_argument(
        "source",
        type=Path,
        help="dataset folder, zip or file; 'sample' (when no such file exists) is the "
        "embedded HAPT sample (6 recordings of subjects 8, 9, 12 at 50 Hz)",
    )
    p.add_argument("-o", "--out", type=Path, required=True, help="output .h5 window store")
    add_window_options(p, labels_default=None)
    p.add_argument(
        "--format", choices=FORMAT_CHOICES, default="auto",
        help="input format (default auto, from the name: .tsv is UCR, so a tab-separated "
        "recording named .tsv needs --format csv)",
    )
    p.add_argument(
        "--split",
        choices=("TRAIN", "TEST", "both"),
        default=None,
        help="UCR: which split of a problem folder (default both)",
    )
    add_recording_options(p)
    p.add_argument(
        "--subjects", type=parse_ids, default=None,
        help="HAPT and sample: subjects to keep, e.g. 2-30 or 1,3,5 (prefix with ^ to "
        "exclude: ^1)",
    )
    p.add_argument("--overwrite", action="store_true", help="replace an existing OUT")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar, no summary")
    return p


def _windower(args: argparse.Namespace, labelled: bool) -> Any:
    """The fitted SlidingWindows of ``args`` (fitting checks size/step/labels before writing)."""
    from ..preprocessing import SlidingWindows

    labels = args.labels or ("pure" if labelled else "none")
    return SlidingWindows(size=args.size, step=args.step, labels=labels).fit()


def format_ids(ids: Any) -> str:
    """``[1, 2, 3, 5, 8, 9]`` -> ``"1-3,5,8-9"`` (the ``--subjects`` syntax)."""
    runs: list[list[int]] = []
    for i in sorted(set(ids)):
        if runs and i == runs[-1][1] + 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    parts = [str(a) if a == b else f"{a}-{b}" for a, b in runs]
    return ",".join(parts)


def _subjects_kept(args: argparse.Namespace, available: Any, what: str) -> set[int] | None:
    """The subjects of ``--subjects`` among ``available`` (None: no filter).

    Raises
    ------
    ValueError
        No subject of the source is kept; the message lists the source's subjects.
    """
    if args.subjects is None:
        return None
    exclude, ids = args.subjects
    available = set(available)
    kept = {u for u in available if (u in ids) != exclude}
    if not kept:
        asked = f"all but subjects {format_ids(ids)}" if exclude else f"subjects [{format_ids(ids)}]"
        raise ValueError(
            f"no {what} recording of {asked}; the source has subjects {format_ids(available)}"
        )
    missing = sorted(set(ids) - available)
    if missing and not exclude and not args.quiet:
        print(f"note: no recording of subjects {format_ids(missing)} in the source")
    return kept


def _write_subjects(
    args: argparse.Namespace, attrs: dict[str, Any], recs: Any, subjects: set[int], what: str
) -> dict[str, Any]:
    """Window recordings ``recs`` of ``subjects`` (those of ``--subjects``) into the store."""
    from ..io import write_windows_from_recordings

    kept = _subjects_kept(args, subjects, what)
    if kept is not None:
        recs = (r for r in recs if r.subject in kept)
    return write_windows_from_recordings(
        args.out, recs, _windower(args, True), attrs=attrs, overwrite=args.overwrite
    )


def _write_hapt(args: argparse.Namespace, attrs: dict[str, Any]) -> dict[str, Any]:
    """Window the HAPT recordings (of ``--subjects``) into the store; its info."""
    from ..data import iter_hapt

    recs = iter_hapt(args.source, verbose=0 if args.quiet else 1)
    return _write_subjects(args, attrs, recs, {u for _, u in recs.pairs}, "HAPT")


def _write_sample(args: argparse.Namespace, attrs: dict[str, Any]) -> dict[str, Any]:
    """Window the embedded HAPT sample (of ``--subjects``) into the store; its info."""
    from ..data import load_sample

    recs = load_sample()
    return _write_subjects(args, attrs, recs, {r.subject for r in recs}, "sample")


def _store_series(
    args: argparse.Namespace, X: Any, y: Any, channels: list[str], attrs: dict[str, Any], what: str
) -> dict[str, Any]:
    """Store ``what`` (UCR, .ts) series ``X`` (n, T, C) of one length as they are, one window each."""
    from ..io import store_info, write_windows
    from ..preprocessing import Windows

    if not args.quiet:
        print(f"{what} series are stored as they are ({X.shape[1]} points); "
              "--size/--step unused")
    w = Windows(X, y=y, channels=channels, source=str(args.source))
    write_windows(args.out, w, attrs=attrs, overwrite=args.overwrite)
    return store_info(args.out)


def _write_ucr(args: argparse.Namespace, attrs: dict[str, Any]) -> dict[str, Any]:
    """Store the UCR series of ``--split`` as they are (one window each); its info."""
    from ..data import read_ucr

    split = args.split or ("both" if args.source.is_dir() else "TRAIN")
    X, y = read_ucr(args.source, split=split)
    return _store_series(args, X, y, ["value"], {**attrs, "split": split}, "UCR")


def _write_ts(args: argparse.Namespace, attrs: dict[str, Any]) -> dict[str, Any]:
    """Store the series of a UEA/sktime ``.ts`` file as they are (one window each); its info.

    Raises
    ------
    ValueError
        Unequal-length series or missing values, which a window store cannot hold.
    """
    import numpy as np

    from ..data import load_ts

    coll = load_ts(args.source)
    lengths = coll.lengths
    if not coll.equal_length:
        raise ValueError(
            f"{args.source} holds unequal-length series ({lengths.min()} to {lengths.max()} "
            "points), which a window store cannot hold; unequal-length collections are "
            "clustered from Python: DeepClusterer.fit accepts the list "
            "tsclust.data.load_ts(path).series or the NaN-padded tsclust.data.read_ts(path)[0]"
        )
    X = coll.padded()
    if np.isnan(X).any():
        case = int(np.argmax(np.isnan(X).any(axis=(1, 2))))
        raise ValueError(
            f"{args.source}: series {case} has missing values ('?'), which a window store "
            "cannot hold; read it in Python with tsclust.data.read_ts and fill them first"
        )
    channels = ["value"] if coll.n_channels == 1 else [f"dim{i}" for i in range(coll.n_channels)]
    extra = {"problem": coll.problem_name, "classes": [[k, v] for k, v in coll.classes.items()]}
    return _store_series(args, X, coll.y, channels, {**attrs, **extra}, ".ts")


def _write_recording(args: argparse.Namespace, attrs: dict[str, Any]) -> dict[str, Any]:
    """Window one CSV or NumPy recording into the store; its info.

    Raises
    ------
    ValueError
        ``--labels pure`` on a recording whose every label is 0 (with the default labelling
        such a recording is windowed unlabelled, with a note).
    """
    from ..data import read_recording
    from ..io import store_info, write_windows

    rec = read_recording(args.source, attrs["format"], **recording_options(args))
    labelled = rec.labels is not None
    if labelled and not rec.labels.any():
        if args.labels == "pure":
            raise ValueError(
                f"{args.source}: every label is 0 (unlabelled): pass --labels none"
            )
        if args.labels is None:
            labelled = False
            if not args.quiet:
                print(f"note: every label of {args.source} is 0 (unlabelled); windowing it "
                      "with --labels none")
    w = _windower(args, labelled).transform([rec])
    write_windows(args.out, w, attrs=attrs, overwrite=args.overwrite)
    return store_info(args.out)


_WRITERS = {
    "hapt": _write_hapt,
    "ucr": _write_ucr,
    "csv": _write_recording,
    "npy": _write_recording,
    "ts": _write_ts,
    "sample": _write_sample,
}


def run(args: argparse.Namespace) -> int:
    """Write the window store of ``args.source``; 2 if no window fits.

    ``sample`` (when no file of that name exists) is the embedded HAPT sample.
    """
    from ..data import SAMPLE_NAME, detect_format

    check_outputs([args.out], [args.source], args.overwrite)
    if str(args.source) == SAMPLE_NAME and not args.source.exists():
        fmt = "sample"
    else:
        if not args.source.exists():
            raise FileNotFoundError(
                f"{args.source} not found (the embedded HAPT sample is '{SAMPLE_NAME}')"
            )
        fmt = detect_format(args.source) if args.format == "auto" else args.format
    check_csv_options(args, fmt)
    info = _WRITERS[fmt](args, {"format": fmt})
    if info["n_windows"] == 0:
        error(f"no window fits (size {args.size}); {args.out} holds 0 windows")
        return 2
    if not args.quiet:
        print_summary(info, args.out)
    return 0
