"""``tsclust windows``: cut a dataset into sliding windows and write an HDF5 window store.

Sources: a HAPT folder or zip, a UCR ``.tsv`` file or folder and a UEA/sktime ``.ts`` file or
folder (series stored as they are, one window each; unequal-length ``.ts`` files are refused;
a problem folder, or its ``_TRAIN`` and ``_TEST`` files given both, merges the two halves,
each series named after its file), one CSV/TSV recording (``--time-column``,
``--label-column``, ``--ignore-columns``, ``--delimiter``, ``--time-unit``,
``--label-zero-is-class``) or ``.npy`` recording, or ``sample``, the HAPT sample shipped with
tsclust.
A recording whose labels are all 0 is windowed unlabelled (with a note) unless
``--labels pure`` asks for labelled windows, which is then an error.
"""

from __future__ import annotations

import argparse
import re
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


#: ``--size`` and ``--step`` when not given.
WINDOW_DEFAULTS = {"size": 128, "step": 64}


def add_window_options(p: argparse.ArgumentParser, *, labels_default: str | None) -> None:
    """Add ``--size``, ``--step`` and ``--labels`` (the :class:`SlidingWindows` options).

    ``--size`` and ``--step`` default to None, which :data:`WINDOW_DEFAULTS` fills, so that
    a caller can tell them given.
    """
    p.add_argument("--size", type=int, default=None,
                   help="recordings: window length in samples (default 128)")
    p.add_argument("--step", type=int, default=None,
                   help="recordings: hop between windows (default 64)")
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
CSV_DEFAULTS = {
    "time_column": "auto", "label_column": "auto", "ignore_columns": [], "delimiter": None,
    "time_unit": "auto", "label_zero_is_class": False,
}


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
    p.add_argument(
        "--time-unit", choices=("auto", "s", "ms", "us", "ns"), default="auto",
        help="CSV: unit of a numeric time column (default auto: seconds, or an epoch in ms, "
        "us or ns when the first stamp is that large, with a warning)",
    )
    p.add_argument(
        "--nan-policy", choices=("raise", "drop", "interpolate"), default="raise",
        help="missing values (NaN, inf, empty CSV cells; '?' in .ts files): raise an error "
        "naming the line (default), drop (windows holding one are skipped) or interpolate "
        "(runs of up to 10 samples; longer ones are dropped)",
    )
    p.add_argument(
        "--label-zero-is-class", action="store_true",
        help="CSV: keep label 0 as a class (anomaly flags where 0 is normal) rather than "
        "unlabelled; the stored labels are the column's values + 1",
    )


def recording_options(args: argparse.Namespace) -> dict[str, Any]:
    """The reader keywords of :func:`add_recording_options` (``sampling_rate`` and CSV's)."""
    return {
        "sampling_rate": args.sampling_rate, "nan_policy": args.nan_policy,
        **{k: getattr(args, k) for k in CSV_DEFAULTS},
    }


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
        nargs="+",
        help="dataset folder, zip or file; 'sample' (when no such file exists) is the "
        "embedded HAPT sample (6 recordings of subjects 8, 9, 12 at 50 Hz); two files: the "
        "_TRAIN and _TEST halves of a UCR or .ts problem, merged",
    )
    p.add_argument("-o", "--out", type=Path, required=True, help="output .h5 window store")
    add_window_options(p, labels_default=None)
    p.add_argument(
        "--format", choices=FORMAT_CHOICES, default="auto",
        help="input format (default auto, from the name; a .tsv file with a header row is "
        "a CSV recording, without one UCR)",
    )
    p.add_argument(
        "--split",
        choices=("TRAIN", "TEST", "both"),
        default=None,
        help="UCR and .ts: which split of a problem folder (default both: TRAIN then TEST, "
        "each series named after its file)",
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
    size = WINDOW_DEFAULTS["size"] if args.size is None else args.size
    step = WINDOW_DEFAULTS["step"] if args.step is None else args.step
    return SlidingWindows(size=size, step=step, labels=labels).fit()


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

    recs = iter_hapt(args.source, verbose=0 if args.quiet else 1, nan_policy=args.nan_policy)
    return _write_subjects(args, attrs, recs, {u for _, u in recs.pairs}, "HAPT")


def _write_sample(args: argparse.Namespace, attrs: dict[str, Any]) -> dict[str, Any]:
    """Window the embedded HAPT sample (of ``--subjects``) into the store; its info."""
    from ..data import load_sample

    recs = load_sample()
    return _write_subjects(args, attrs, recs, {r.subject for r in recs}, "sample")


def _store_series(
    args: argparse.Namespace, X: Any, y: Any, channels: list[str], attrs: dict[str, Any],
    what: str, names: list[str] | None = None,
) -> dict[str, Any]:
    """Store ``what`` (UCR, .ts) series ``X`` (n, T, C) of one length as they are, one window
    each; ``names`` names each series (its recording)."""
    from ..io import store_info, write_windows
    from ..preprocessing import Windows

    if not args.quiet:
        print(f"{what} series are stored as they are ({X.shape[1]} points), one window each")
    w = Windows(X, y=y, channels=channels, source=str(args.source), recording_names=names)
    write_windows(args.out, w, attrs=attrs, overwrite=args.overwrite)
    return store_info(args.out)


_HALF = re.compile(r"^(.*)_(TRAIN|TEST)\.(tsv|ts)(\.gz)?$", re.IGNORECASE)


def _halves(args: argparse.Namespace, ext: str) -> list[Path]:
    """The files of a UCR (``ext="tsv"``) or .ts problem that ``args`` asks for.

    Two sources are its TRAIN and TEST files; a folder gives its files of ``--split``
    (default both); a file gives itself, or with ``--split both`` itself and its sibling.

    Raises
    ------
    FileNotFoundError
        A missing half.
    ValueError
        Two sources that are not the _TRAIN and _TEST files of one problem.
    """
    sources, split = args.sources, args.split
    if len(sources) == 2:
        if split is not None:
            raise ValueError("--split applies to a problem folder or one file, not to two files")
        found = [_HALF.match(q.name) for q in sources]
        if any(m is None or m.group(3).lower() != ext for m in found) or (
            {m.group(2).upper() for m in found} != {"TRAIN", "TEST"}  # type: ignore[union-attr]
        ):
            raise ValueError(
                f"two sources must be the NAME_TRAIN.{ext} and NAME_TEST.{ext} files of one "
                f"problem, got {sources[0].name} and {sources[1].name}"
            )
        return sorted(sources, key=lambda q: _HALF.match(q.name).group(2).upper() != "TRAIN")  # type: ignore[union-attr]
    src = sources[0]
    parts = ["TRAIN", "TEST"] if (split or "both") == "both" else [split]
    if src.is_dir():
        out = []
        for part in parts:
            found = sorted(q for q in src.iterdir() if (m := _HALF.match(q.name))
                           and m.group(2).upper() == part and m.group(3).lower() == ext)
            if not found:
                raise FileNotFoundError(f"no *_{part}.{ext}[.gz] file in {src}")
            if len({_HALF.match(q.name).group(1) for q in found}) > 1:  # type: ignore[union-attr]
                raise ValueError(f"several *_{part}.{ext} files in {src}: {[q.name for q in found]}")
            out.append(found[0])
        return out
    m = _HALF.match(src.name)
    if split is None or m is None:
        if split is not None:
            raise ValueError(f"--split needs a problem folder or a NAME_TRAIN/_TEST file, got {src}")
        return [src]
    out = []
    for part in parts:
        cands = [src.with_name(f"{m.group(1)}_{part}.{ext}{gz}") for gz in ("", ".gz")]
        found = [q for q in cands if q.is_file()]
        if not found:
            raise FileNotFoundError(f"--split {split} needs {cands[0]}[.gz], which is missing")
        out.append(found[0])
    return out


def _series_names(paths: list[Path], counts: list[int]) -> list[str] | None:
    """``NAME_TRAIN/0, ...``: each series after its file (None for one file)."""
    if len(paths) == 1:
        return None
    return [f"{_stem(q)}/{i}" for q, n in zip(paths, counts, strict=True) for i in range(n)]


def _stem(path: Path) -> str:
    name = path.name
    for ext in (".gz", ".tsv", ".ts"):
        name = name[: -len(ext)] if name.lower().endswith(ext) else name
    return name


def _class_labels(y: Any, where: str, args: argparse.Namespace) -> Any:
    """``y``, or None (with a note) for real-valued (regression) targets."""
    import numpy as np

    if y is None or np.asarray(y).dtype.kind in "iub":
        return y
    if not args.quiet:
        print(f"note: {where} has real-valued targets (a regression problem), not classes; "
              "the series are stored unlabelled")
    return None


def _write_ucr(args: argparse.Namespace, attrs: dict[str, Any]) -> dict[str, Any]:
    """Store the UCR series of ``--split`` as they are (one window each); its info."""
    import numpy as np

    from ..data import read_ucr

    paths = _halves(args, "tsv")
    parts = [read_ucr(q) for q in paths]
    lengths = sorted({X.shape[1] for X, _ in parts})
    if len(lengths) > 1:
        raise ValueError(f"TRAIN and TEST series have different lengths {lengths}")
    X = np.concatenate([X for X, _ in parts])
    y = _class_labels(np.concatenate([y for _, y in parts]), str(args.source), args)
    split = "both" if len(paths) == 2 else (args.split or _split_of(paths[0]))
    names = _series_names(paths, [len(X_) for X_, _ in parts])
    extra = {"split": split, "files": [q.name for q in paths]}
    return _store_series(args, X, y, ["value"], {**attrs, **extra}, "UCR", names)


def _split_of(path: Path) -> str:
    m = _HALF.match(path.name)
    return m.group(2).upper() if m else "TRAIN"


def _merge_classes(colls: list[Any]) -> tuple[Any, dict[int, str]]:
    """The class codes of collections ``colls``, one code per class name across them."""
    import numpy as np

    classes = dict(colls[0].classes or {})
    code_of = {v: k for k, v in classes.items()}
    ys = []
    for c in colls:
        remap = {}
        for k, v in (c.classes or {}).items():
            if v not in code_of:
                code_of[v] = max(classes, default=-1) + 1 if k in classes else k
                classes[code_of[v]] = v
            remap[k] = code_of[v]
        ys.append(np.array([remap[int(k)] for k in c.y], dtype=np.int64))
    return np.concatenate(ys), classes


def _write_ts(args: argparse.Namespace, attrs: dict[str, Any]) -> dict[str, Any]:
    """Store the series of UEA/sktime ``.ts`` files as they are (one window each); its info.

    Raises
    ------
    ValueError
        Unequal-length series or missing values, which a window store cannot hold.
    """
    import numpy as np

    from ..data import load_ts

    if args.nan_policy == "drop":
        raise ValueError("--nan-policy drop applies to recordings; a .ts series is stored "
                         "whole: pass --nan-policy interpolate to fill its missing values")
    paths = _halves(args, "ts")
    policy = "interpolate" if args.nan_policy == "interpolate" else "keep"  # raise: below
    colls = [load_ts(q, nan_policy=policy) for q in paths]
    if len({c.n_channels for c in colls}) > 1:
        raise ValueError(f"{paths[0].name} and {paths[1].name} have different numbers of dimensions")
    series = [s for c in colls for s in c.series]
    lengths = np.array([len(s) for s in series])
    if lengths.min() != lengths.max():
        raise ValueError(
            f"{args.source} holds unequal-length series ({lengths.min()} to {lengths.max()} "
            "points), which a window store cannot hold; unequal-length collections are "
            "clustered from Python: DeepClusterer.fit accepts the list "
            "tsclust.data.load_ts(path).series or the NaN-padded tsclust.data.read_ts(path)[0]"
        )
    X = np.stack(series)
    if np.isnan(X).any():
        case = int(np.argmax(np.isnan(X).any(axis=(1, 2))))
        raise ValueError(
            f"{args.source}: series {case} has missing values ('?'), which a window store "
            "cannot hold; pass --nan-policy interpolate to fill them"
        )
    n_ch = colls[0].n_channels
    channels = ["value"] if n_ch == 1 else [f"dim{i}" for i in range(n_ch)]
    y, classes = None, {}
    if all(c.y is not None for c in colls):
        if any(c.y.dtype.kind == "f" for c in colls):
            y = _class_labels(np.concatenate([c.y for c in colls]), str(args.source), args)
        else:
            y, classes = _merge_classes(colls)
    extra = {"problem": colls[0].problem_name, "classes": [[k, v] for k, v in classes.items()]}
    if len(paths) == 2 or args.split:
        extra.update(split="both" if len(paths) == 2 else args.split,
                     files=[q.name for q in paths])
    names = _series_names(paths, [len(c.series) for c in colls])
    return _store_series(args, X, y, channels, {**attrs, **extra}, ".ts", names)


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
    if not args.quiet:
        print(f"channels ({rec.n_channels}): {', '.join(rec.channels)}")
    labelled = rec.labels is not None
    if labelled and args.label_zero_is_class:
        import numpy as np

        codes = np.unique(rec.labels[rec.labels != 0]).tolist()
        attrs = {**attrs, "label_offset": 1, "classes": [[k, str(k - 1)] for k in codes]}
        if not args.quiet:
            print("note: label 0 is a class: the stored labels are the column's values + 1 "
                  f"({', '.join(f'{k - 1} -> {k}' for k in codes[:5])})")
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

    args.sources = list(args.source)
    if len(args.sources) > 2:
        raise ValueError("give one source, or the _TRAIN and _TEST files of one problem")
    args.source = args.sources[0]
    check_outputs([args.out], args.sources, args.overwrite)
    if str(args.source) == SAMPLE_NAME and not args.source.exists():
        fmt = "sample"
    else:
        if not args.source.exists():
            raise FileNotFoundError(
                f"{args.source} not found (the embedded HAPT sample is '{SAMPLE_NAME}')"
            )
        fmt = detect_format(args.source) if args.format == "auto" else args.format
    if len(args.sources) == 2:
        if fmt not in ("ucr", "ts"):
            raise ValueError(
                f"two sources are the _TRAIN and _TEST files of a UCR or .ts problem; a {fmt} "
                "source is given alone"
            )
        if not args.sources[1].exists():
            raise FileNotFoundError(f"{args.sources[1]} not found")
    if args.split is not None and fmt not in ("ucr", "ts"):
        raise ValueError(f"--split applies to UCR and .ts problems, not {fmt} data")
    if fmt in ("ucr", "ts") and (args.size is not None or args.step is not None):
        flags = " and ".join(f for f, v in (("--size", args.size), ("--step", args.step))
                             if v is not None)
        raise ValueError(
            f"{flags} apply to recordings (HAPT, CSV, .npy), which are cut into windows; the "
            f"series of a {'UCR' if fmt == 'ucr' else '.ts'} collection are stored whole, one "
            "window each: leave them out"
        )
    check_csv_options(args, fmt)
    if args.nan_policy != "raise" and fmt in ("ucr", "sample"):
        raise ValueError(f"--nan-policy applies to recordings and .ts files, not {fmt} data")
    info = _WRITERS[fmt](args, {"format": fmt})
    if info["n_windows"] == 0:
        size = WINDOW_DEFAULTS["size"] if args.size is None else args.size
        error(f"no window fits (size {size}); {args.out} holds 0 windows")
        return 2
    if not args.quiet:
        print_summary(info, args.out)
    return 0
