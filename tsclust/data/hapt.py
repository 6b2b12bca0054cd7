"""Reader for the raw inertial signals of UCI HAPT (folder, RawData folder or the zip)."""

from __future__ import annotations

import io
import logging
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from ._text import decompress, parse_table
from .recording import Recording, _check_nan_policy, apply_nan_policy

__all__ = [
    "read_hapt",
    "iter_hapt",
    "HAPT_CHANNELS",
    "HAPT_SAMPLING_RATE",
    "HAPT_ACTIVITIES",
]

logger = logging.getLogger(__name__)

HAPT_CHANNELS = ["acc_x", "acc_y", "acc_z", "gyro_x", "gyro_y", "gyro_z"]
"""Channel order of HAPT recordings: acceleration in g, angular velocity in rad/s."""

HAPT_SAMPLING_RATE = 50.0

HAPT_ACTIVITIES = {
    1: "WALKING",
    2: "WALKING_UPSTAIRS",
    3: "WALKING_DOWNSTAIRS",
    4: "SITTING",
    5: "STANDING",
    6: "LAYING",
    7: "STAND_TO_SIT",
    8: "SIT_TO_STAND",
    9: "SIT_TO_LIE",
    10: "LIE_TO_SIT",
    11: "STAND_TO_LIE",
    12: "LIE_TO_STAND",
}
"""Activity ids of ``labels.txt`` and their names (``activity_labels.txt``)."""

_FILE_RE = re.compile(r"(?:^|/)(acc|gyro)_exp(\d+)_user(\d+)\.txt(\.gz)?$")


@dataclass
class _Listing:
    """What a HAPT source holds: signal files per (exp, user) and the labels file."""

    description: str
    files: dict[tuple[str, int, int], tuple[str, Callable[[], bytes]]]
    labels: tuple[str, Callable[[], bytes]] | None


def _scan(names: Iterable[str], opener: Callable[[str], Callable[[], bytes]]) -> tuple[dict, str]:
    files: dict[tuple[str, int, int], tuple[str, Callable[[], bytes]]] = {}
    folders: set[str] = set()
    for name in sorted(names):
        if name.startswith("__MACOSX/"):
            continue
        m = _FILE_RE.search(name)
        if not m:
            continue
        key = (m.group(1), int(m.group(2)), int(m.group(3)))
        if key in files:  # both .txt and .txt.gz: keep the plain text
            if files[key][0].endswith(".gz") and not name.endswith(".gz"):
                files[key] = (name, opener(name))
            continue
        files[key] = (name, opener(name))
        folders.add(name[: m.start() + (1 if m.group(0).startswith("/") else 0)])
    folder = sorted(folders)[0] if folders else ""
    return files, folder


def _list_folder(path: Path) -> _Listing:
    raw = path / "RawData" if (path / "RawData").is_dir() else path
    names = [p.name for p in raw.iterdir() if p.is_file()]

    def opener(name: str) -> Callable[[], bytes]:
        return lambda: (raw / name).read_bytes()

    files, _ = _scan(names, opener)
    labels = None
    for cand in ("labels.txt", "labels.txt.gz"):
        if (raw / cand).is_file():
            labels = (str(raw / cand), opener(cand))
            break
    files = {k: (str(raw / n), op) for k, (n, op) in files.items()}
    return _Listing(str(raw), files, labels)


def _list_zip(zf: zipfile.ZipFile, description: str, depth: int = 0) -> _Listing:
    names = [i.filename for i in zf.infolist() if not i.is_dir()]

    def opener(name: str) -> Callable[[], bytes]:
        return lambda: zf.read(name)

    files, folder = _scan(names, opener)
    if not files and depth < 2:
        # the UCI download may wrap the original archive in an outer zip
        for inner in names:
            if inner.lower().endswith(".zip") and not inner.startswith("__MACOSX/"):
                try:
                    izf = zipfile.ZipFile(io.BytesIO(zf.read(inner)))
                except zipfile.BadZipFile:
                    continue
                sub = _list_zip(izf, f"{description}!{inner}", depth + 1)
                if sub.files:
                    return sub
    labels = None
    for cand in (folder + "labels.txt", folder + "labels.txt.gz"):
        if cand in names:
            labels = (f"{description}!{cand}", opener(cand))
            break
    files = {k: (f"{description}!{n}", op) for k, (n, op) in files.items()}
    return _Listing(description, files, labels)


def _list_source(path: str | os.PathLike) -> _Listing:
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"HAPT source {p} not found")
    if p.is_dir():
        return _list_folder(p)
    if zipfile.is_zipfile(p):
        return _list_zip(zipfile.ZipFile(p), str(p))
    raise ValueError(f"HAPT source {p} is neither a folder nor a zip file")


def _parse_labels(data: bytes, where: str) -> np.ndarray:
    rows = parse_table(decompress(data, where), where, n_columns=5, dtype=np.float64)
    if not np.all(rows == np.round(rows)):
        raise ValueError(f"{where} must contain integers (exp user activity start end)")
    rows = rows.astype(np.int64)
    bad = np.flatnonzero((rows[:, 3] < 1) | (rows[:, 4] < rows[:, 3]) | (rows[:, 2] < 1))
    if len(bad):
        raise ValueError(
            f"{where}: line {bad[0] + 1} {rows[bad[0]].tolist()} is not a valid segment "
            "(activity >= 1 and 1 <= start <= end, 1-based inclusive)"
        )
    unknown = np.flatnonzero(~np.isin(rows[:, 2], list(HAPT_ACTIVITIES)))
    if len(unknown):
        raise ValueError(
            f"{where}: line {unknown[0] + 1} has activity {rows[unknown[0], 2]}; HAPT's "
            f"activities are {min(HAPT_ACTIVITIES)}-{max(HAPT_ACTIVITIES)}"
        )
    # segments of one recording may not overlap: sort by (exp, user, start), compare neighbours
    order = np.lexsort((rows[:, 3], rows[:, 1], rows[:, 0]))
    r = rows[order]
    same = (r[1:, 0] == r[:-1, 0]) & (r[1:, 1] == r[:-1, 1])
    clash = np.flatnonzero(same & (r[1:, 3] <= r[:-1, 4]))
    if len(clash):
        a, b = sorted((int(order[clash[0]]), int(order[clash[0] + 1])))
        raise ValueError(
            f"{where}: lines {a + 1} and {b + 1} label overlapping samples of experiment "
            f"{rows[a, 0]} (samples {rows[a, 3]}-{rows[a, 4]} and {rows[b, 3]}-{rows[b, 4]})"
        )
    return rows


def _check_ids(requested: Iterable[int] | None, available: set[int], what: str) -> set[int] | None:
    if requested is None:
        return None
    req = {int(i) for i in ([requested] if np.isscalar(requested) else requested)}
    missing = sorted(req - available)
    if missing:
        raise ValueError(f"{what} {missing} not found; available: {sorted(available)}")
    return req


def iter_hapt(
    path: str | os.PathLike,
    *,
    subjects: Iterable[int] | None = None,
    experiments: Iterable[int] | None = None,
    nan_policy: str = "raise",
    max_gap: int = 10,
    verbose: int = 1,
) -> Iterator[Recording]:
    """Yield HAPT recordings one at a time (see :func:`read_hapt`).

    The source is listed and checked (missing files, ``labels.txt``) before the first
    recording is read, so errors come early; signals are parsed lazily, one recording per
    step, which keeps memory flat when streaming into a window store.

    Returns
    -------
    iterator of Recording
        Has ``len()``: the number of recordings that will be yielded.
    """
    _check_nan_policy(nan_policy)
    listing = _list_source(path)
    pairs = sorted({(e, u) for (_, e, u) in listing.files})
    if not pairs:
        raise ValueError(
            f"no HAPT recordings (acc_expXX_userYY.txt[.gz] and gyro_...) found in "
            f"{listing.description}"
        )
    for e, u in pairs:
        for kind in ("acc", "gyro"):
            if (kind, e, u) not in listing.files:
                other = "gyro" if kind == "acc" else "acc"
                raise ValueError(
                    f"{kind}_exp{e:02d}_user{u:02d}.txt[.gz] is missing in {listing.description} "
                    f"(found {other}_exp{e:02d}_user{u:02d}); every experiment needs both files"
                )
    if listing.labels is None:
        raise FileNotFoundError(f"labels.txt not found in {listing.description}")
    lname, lopen = listing.labels
    label_rows = _parse_labels(lopen(), lname)
    known = set(pairs)
    for i, row in enumerate(label_rows):
        if (int(row[0]), int(row[1])) not in known:
            raise ValueError(
                f"{lname}: line {i + 1} references experiment {row[0]} of user {row[1]}, but "
                f"acc_exp{row[0]:02d}_user{row[1]:02d}.txt is not in {listing.description}"
            )
    subj = _check_ids(subjects, {u for _, u in pairs}, "subject(s)")
    exps = _check_ids(experiments, {e for e, _ in pairs}, "experiment(s)")
    selected = [
        (e, u) for e, u in pairs if (subj is None or u in subj) and (exps is None or e in exps)
    ]
    if not selected:
        raise ValueError(
            f"no recording in {listing.description} matches subjects={subjects} "
            f"experiments={experiments}"
        )
    return _HaptIterator(listing, label_rows, selected, nan_policy, max_gap, verbose, str(path))


class _HaptIterator:
    def __init__(self, listing, label_rows, selected, nan_policy, max_gap, verbose, source):
        self._listing = listing
        self._labels = label_rows
        self._selected = selected
        self._nan_policy = nan_policy
        self._max_gap = max_gap
        self._verbose = verbose
        self._source = source

    def __len__(self) -> int:
        return len(self._selected)

    @property
    def pairs(self) -> list[tuple[int, int]]:
        """The ``(experiment, subject)`` pairs this listing will read, in order."""
        return list(self._selected)

    def __iter__(self) -> Iterator[Recording]:
        bar = tqdm(
            self._selected, desc="reading HAPT", unit="rec", disable=not self._verbose, leave=False
        )
        for e, u in bar:
            yield self._read_one(e, u)

    def _read_one(self, e: int, u: int) -> Recording:
        parts = []
        for kind in ("acc", "gyro"):
            name, opener = self._listing.files[(kind, e, u)]
            arr = parse_table(decompress(opener(), name), name, n_columns=3)
            parts.append((name, arr))
        (aname, acc), (gname, gyro) = parts
        if len(acc) != len(gyro):
            raise ValueError(
                f"{aname} has {len(acc)} rows but {gname} has {len(gyro)}; "
                "acc and gyro of one experiment must have the same number of samples"
            )
        acc, va = apply_nan_policy(acc, self._nan_policy, where=aname, max_gap=self._max_gap)
        gyro, vg = apply_nan_policy(gyro, self._nan_policy, where=gname, max_gap=self._max_gap)
        valid = None
        if va is not None or vg is not None:
            valid = np.ones(len(acc), dtype=bool)
            for v in (va, vg):
                if v is not None:
                    valid &= v
        n = len(acc)
        rows = self._labels[(self._labels[:, 0] == e) & (self._labels[:, 1] == u)]
        labels = np.zeros(n, dtype=np.int64)
        segments = np.empty((len(rows), 3), dtype=np.int64)
        for j, (_, _, act, start, end) in enumerate(rows):
            if end > n:
                raise ValueError(
                    f"{self._listing.labels[0]}: segment {start}-{end} of experiment {e} "
                    f"(user {u}) ends after the last sample ({n}) of {aname}"
                )
            labels[start - 1 : end] = act
            segments[j] = (start - 1, end, act)
        order = np.argsort(segments[:, 0], kind="stable")
        return Recording(
            signals=np.hstack([acc, gyro]).astype(np.float32),
            labels=labels,
            channels=list(HAPT_CHANNELS),
            sampling_rate=HAPT_SAMPLING_RATE,
            subject=int(u),
            experiment=int(e),
            name=f"exp{e:02d}_user{u:02d}",
            source=self._source,
            segments=segments[order],
            valid=valid,
        )


def read_hapt(
    path: str | os.PathLike,
    *,
    subjects: Iterable[int] | None = None,
    experiments: Iterable[int] | None = None,
    nan_policy: str = "raise",
    max_gap: int = 10,
    verbose: int = 1,
) -> list[Recording]:
    """Read the raw recordings of UCI HAPT (Smartphone-Based Recognition of Human Activities).

    Parameters
    ----------
    path : path-like
        The dataset folder (containing ``RawData/``), the ``RawData`` folder itself, or the
        UCI zip file (members are read in memory, nothing is extracted). Signal files are
        ``acc_expXX_userYY.txt`` / ``gyro_expXX_userYY.txt``, plain or ``.gz``, and
        ``labels.txt`` with rows ``exp user activity start end`` (1-based, inclusive).
    subjects, experiments : iterable of int, optional
        Keep only these user / experiment ids (an unknown id raises ValueError).
    nan_policy : {"raise", "drop", "interpolate"}, default="raise"
        What to do with NaN/inf in a signal file: raise naming the file and line; mark the
        samples invalid (``Recording.valid``) so windows containing them are skipped; or
        fill gaps of at most ``max_gap`` samples linearly (longer ones are marked invalid).
    max_gap : int, default=10
        Longest gap filled by ``nan_policy="interpolate"``.
    verbose : int, default=1
        0 hides the progress bar.

    Returns
    -------
    list of Recording
        Sorted by experiment; ``signals`` (n_samples, 6) float32 with channels
        ``acc_x, acc_y, acc_z`` (g) and ``gyro_x, gyro_y, gyro_z`` (rad/s) at 50 Hz;
        ``labels`` (n_samples,) activity id 1..12, 0 where unlabelled; ``segments`` one row
        per ``labels.txt`` line.

    Raises
    ------
    FileNotFoundError
        ``path`` or ``labels.txt`` missing.
    ValueError
        Empty folder, a missing acc or gyro file, acc/gyro row counts that differ, a file
        that is not numeric text, NaN/inf (with ``nan_policy="raise"``), a ``labels.txt``
        line that references a missing experiment or runs past the recording's end.
    """
    return list(
        iter_hapt(
            path,
            subjects=subjects,
            experiments=experiments,
            nan_policy=nan_policy,
            max_gap=max_gap,
            verbose=verbose,
        )
    )
