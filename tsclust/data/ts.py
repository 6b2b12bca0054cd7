"""Reader for the ``.ts`` files of the UEA/UCR archives and sktime (equal or unequal length)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._text import decompress

__all__ = ["TsCollection", "load_ts", "read_ts"]

logger = logging.getLogger(__name__)

_TRUE = {"true": True, "false": False}

#: What :func:`load_ts` does with missing values (``?``).
TS_NAN_POLICIES = ("keep", "raise", "interpolate")


@dataclass
class TsCollection:
    """The series of a ``.ts`` file, each with its own length.

    Parameters
    ----------
    series : list of ndarray of shape (n_timepoints_i, n_channels)
        float32; NaN where the file has ``?`` (a missing value) and after the end of a
        dimension shorter than the other dimensions of its case.
    y : ndarray of shape (n_series,), optional
        Class codes (int64): the label itself when every class name is an integer (``"1"``,
        ``"2"``, as in the UCR/UEA archives), else its position in ``class_names``. Float
        targets for a regression file (``@targetLabel true``); None without labels.
    class_names : list of str, optional
        The ``@classLabel`` names, in the header's order (or in order of first appearance
        when the header lists none).
    classes : dict of int to str
        Class code -> name; empty without class labels.
    problem_name : str, default=""
        ``@problemName``.
    source : str, default=""
        The file read.
    """

    series: list[np.ndarray]
    y: np.ndarray | None = None
    class_names: list[str] | None = None
    classes: dict[int, str] | None = None
    problem_name: str = ""
    source: str = ""

    @property
    def n_channels(self) -> int:
        """Number of dimensions (channels) of every series."""
        return int(self.series[0].shape[1])

    @property
    def lengths(self) -> np.ndarray:
        """Length of each series, ndarray of shape (n_series,) of int64."""
        return np.array([len(s) for s in self.series], dtype=np.int64)

    @property
    def equal_length(self) -> bool:
        """Whether every series has the same number of time points."""
        return len(set(self.lengths.tolist())) == 1

    def padded(self) -> np.ndarray:
        """The series in one array, NaN after the end of the shorter ones.

        Returns
        -------
        X : ndarray of shape (n_series, max_length, n_channels), float32
        """
        X = np.full((len(self.series), int(self.lengths.max()), self.n_channels), np.nan, np.float32)
        for i, s in enumerate(self.series):
            X[i, : len(s)] = s
        return X


def _flag(value: str, key: str, where: str) -> bool:
    word = value.split()[0].lower() if value.split() else ""
    if word not in _TRUE:
        raise ValueError(f"{where}: @{key} must be true or false, got {value!r}")
    return _TRUE[word]


def _parse_header(lines: list[str], where: str) -> tuple[dict, int]:
    """The ``@`` keys before ``@data`` and the index of the first data line."""
    head: dict = {"classlabel": None, "names": None}
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not line.startswith("@"):
            raise ValueError(f"{where}: line {i + 1} comes before @data: {line[:40]!r}")
        key, _, value = line[1:].partition(" ")
        key, value = key.lower(), value.strip()
        if key == "data":
            return head, i + 1
        if key == "problemname":
            head["problem"] = value
        elif key in ("timestamps", "univariate", "equallength", "missing", "targetlabel"):
            head[key] = _flag(value, key, where)
        elif key in ("dimensions", "serieslength"):
            try:
                head[key] = int(value)
            except ValueError:
                raise ValueError(f"{where}: @{key} must be an integer, got {value!r}") from None
        elif key == "classlabel":
            head["classlabel"] = _flag(value, key, where)
            head["names"] = value.split()[1:] or None
    raise ValueError(f"{where} has no @data line; is it a .ts file?")


def _fill(v: np.ndarray) -> np.ndarray:
    """``v`` with its NaN filled linearly (the ends take the nearest value)."""
    bad = np.isnan(v)
    if not bad.any() or bad.all():
        return v
    idx = np.arange(len(v))
    return np.interp(idx, idx[~bad], v[~bad])


def _parse_case(
    line: str, number: int, labelled: bool, where: str, nan_policy: str = "keep"
) -> tuple[np.ndarray, str | None, bool]:
    """One data line -> (array of shape (T, C), label text or None, whether a dimension ends
    with a missing value)."""
    parts = line.split(":")
    label = parts.pop().strip() if labelled else None
    if not parts:
        raise ValueError(f"{where}: line {number} has a label but no series")
    dims = []
    for d, part in enumerate(parts):
        try:
            v = np.array([float(v) for v in part.replace("?", "nan").split(",")])
        except ValueError:
            raise ValueError(
                f"{where}: line {number}, dimension {d}: values must be numbers or ? "
                f"separated by commas, got {part[:40]!r}"
            ) from None
        bad = np.isnan(v)
        if bad.any() and nan_policy == "raise":
            raise ValueError(
                f"{where}: line {number}, dimension {d}: missing value ('?') at point "
                f"{int(np.argmax(bad))}; pass nan_policy='interpolate' to fill missing values"
            )
        if bad.all() and nan_policy == "interpolate":
            raise ValueError(
                f"{where}: line {number}, dimension {d}: every value is missing ('?'), nothing "
                "to interpolate from"
            )
        dims.append(_fill(v) if nan_policy == "interpolate" else v)
    out = np.full((max(len(v) for v in dims), len(dims)), np.nan, dtype=np.float32)
    for d, v in enumerate(dims):
        out[: len(v), d] = v
    return out, label, bool(np.isnan(out[-1]).all())


def _codes(labels: list[str], names: list[str] | None, lines: list[int], where: str):
    """Label texts -> (codes, class names, code -> name)."""
    if names is None:
        names = list(dict.fromkeys(labels))
    index = {n: k for k, n in enumerate(names)}
    unknown = [(i, lab) for i, lab in enumerate(labels) if lab not in index]
    if unknown:
        i, lab = unknown[0]
        raise ValueError(
            f"{where}: line {lines[i]}: class {lab!r} is not among the @classLabel "
            f"names {names}"
        )
    try:
        values = [int(n) for n in names]
    except ValueError:
        values = list(range(len(names)))
    codes = np.array([values[index[lab]] for lab in labels], dtype=np.int64)
    return codes, names, dict(zip(values, names, strict=True))


def load_ts(path: str | os.PathLike, nan_policy: str = "keep") -> TsCollection:
    """Read a ``.ts`` file (UEA/UCR archive, sktime): equal or unequal length, uni- or
    multivariate, with or without class labels.

    The header holds ``@problemName``, ``@timeStamps false``, ``@univariate``,
    ``@dimensions``, ``@equalLength``, ``@seriesLength``, ``@classLabel true a b c`` (or
    ``@targetLabel true``) and ends with ``@data``; ``#`` lines are comments. Each data line
    is one series: the values of a dimension separated by commas, dimensions separated by
    ``:``, the label last; ``?`` is a missing value (NaN).

    Parameters
    ----------
    path : path-like
        ``.ts`` file, optionally gzipped (``.ts.gz``).
    nan_policy : {"keep", "raise", "interpolate"}, default="keep"
        Missing values (``?``): ``"keep"`` them as NaN, every series keeping its length; as
        the estimators take trailing NaN for padding, a series ending with ``?`` is logged as
        a warning naming its line. ``"raise"``: a ValueError naming the line and dimension.
        ``"interpolate"``: fill them linearly per dimension (the ends take the nearest value).

    Returns
    -------
    TsCollection
        ``series`` (list of (T_i, C) float32 arrays), ``y``, ``class_names``, ``classes``.

    Raises
    ------
    FileNotFoundError
        Missing file.
    ValueError
        No ``@data``, time-stamped data (``@timeStamps true``), a value that is not a number
        or ``?``, cases with different numbers of dimensions, a class not in the header, or
        data that contradicts ``@univariate``, ``@dimensions``, ``@equalLength`` or
        ``@seriesLength``.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "toy.ts")
    >>> with open(path, "w") as fh:
    ...     _ = fh.write("@problemName toy\\n@univariate true\\n@equalLength false\\n"
    ...                  "@classLabel true up down\\n@data\\n1,2,3:up\\n3,?:down\\n")
    >>> c = load_ts(path)
    >>> c.lengths.tolist(), c.y.tolist(), c.classes
    ([3, 2], [0, 1], {0: 'up', 1: 'down'})
    """
    if nan_policy not in TS_NAN_POLICIES:
        raise ValueError(f"nan_policy must be one of {TS_NAN_POLICIES}, got {nan_policy!r}")
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f".ts file {p} not found")
    where = str(p)
    lines = decompress(p.read_bytes(), p.name).decode("utf-8", errors="replace").splitlines()
    head, first = _parse_header(lines, where)
    if head.get("timestamps"):
        raise ValueError(f"{where}: time-stamped .ts data (@timeStamps true) is not supported")
    regression = bool(head.get("targetlabel"))
    labelled = bool(head["classlabel"]) or regression
    series, labels, numbers, trailing = [], [], [], []
    for i in range(first, len(lines)):
        line = lines[i].strip()
        if not line or line.startswith("#"):
            continue
        x, label, ends_missing = _parse_case(line, i + 1, labelled, where, nan_policy)
        if ends_missing:
            trailing.append(i + 1)
        if series and x.shape[1] != series[0].shape[1]:
            raise ValueError(
                f"{where}: line {i + 1} has {x.shape[1]} dimension(s), line {numbers[0]} has "
                f"{series[0].shape[1]}"
            )
        series.append(x)
        labels.append(label)
        numbers.append(i + 1)
    if not series:
        raise ValueError(f"{where} holds no series after @data")
    n_dims = series[0].shape[1]
    expected = head.get("dimensions", 1 if head.get("univariate") else None)
    if expected is not None and expected != n_dims:
        raise ValueError(f"{where}: the header declares {expected} dimension(s), the data has {n_dims}")
    lengths = {len(s) for s in series}
    if head.get("equallength") and len(lengths) > 1:
        raise ValueError(
            f"{where}: @equalLength true, but the series have lengths {min(lengths)} to "
            f"{max(lengths)}"
        )
    if "serieslength" in head and head.get("equallength", True) and lengths != {head["serieslength"]}:
        raise ValueError(
            f"{where}: @seriesLength {head['serieslength']}, but the series have "
            f"length(s) {sorted(lengths)[:5]}"
        )
    if trailing:
        logger.warning(
            "%s: %d series end with missing values ('?'), first on line %d; they keep their "
            "length here, but estimators take trailing NaN for padding and would read them "
            "shorter: pass nan_policy='interpolate' to fill them (or 'raise')",
            where, len(trailing), trailing[0],
        )
    y, names, classes = None, None, {}
    if regression:
        try:
            y = np.array([float(lab) for lab in labels])
        except ValueError as exc:
            raise ValueError(f"{where}: @targetLabel true needs numeric targets ({exc})") from None
    elif labelled:
        y, names, classes = _codes(labels, head["names"], numbers, where)
    return TsCollection(
        series=series,
        y=y,
        class_names=names,
        classes=classes,
        problem_name=head.get("problem", ""),
        source=where,
    )


def read_ts(
    path: str | os.PathLike, nan_policy: str = "keep"
) -> tuple[np.ndarray, np.ndarray | None]:
    """Read a ``.ts`` file as one array (see :func:`load_ts` for the format and the labels).

    Parameters
    ----------
    path : path-like
        ``.ts`` file, optionally gzipped.
    nan_policy : {"keep", "raise", "interpolate"}, default="keep"
        Missing values (``?``), as in :func:`load_ts`.

    Returns
    -------
    X : ndarray of shape (n_series, max_length, n_channels), float32
        NaN after the end of a series shorter than the longest (unequal-length files) and
        where the file has ``?``. ``load_ts(path).series`` gives the unpadded arrays. Both
        are the variable-length layouts the estimators' ``fit`` accepts (trailing NaN is
        padding; a ``?`` inside a series must be filled first).
    y : ndarray of shape (n_series,) or None
        Class codes (``load_ts(path).classes`` maps them to the names), or None.
    """
    coll = load_ts(path, nan_policy=nan_policy)
    return coll.padded(), coll.y
