"""Tables of compare rows as strings: summaries, Markdown, CSV, JSON. Pure: nothing is written.

:func:`tsclust.io.write_results` writes these strings to ``results.csv``, ``results.md`` and
``results.json``.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .._validation import jsonable as _jsonable

__all__ = [
    "RESULT_COLUMNS",
    "RESULT_FILES",
    "stamped",
    "SCORE_COLUMNS",
    "csv_text",
    "json_text",
    "jsonable",
    "markdown",
    "parse_csv_text",
    "result_columns",
    "summarize",
]

RESULT_COLUMNS: tuple[str, ...] = (
    "method",
    "seed",
    "protocol",
    "n_clusters",
    "n_train",
    "n_test",
    "subsample",
    "ari",
    "nmi",
    "acc",
    "silhouette",
    "fit_time_s",
    "predict_time_s",
    "wall_time_s",
    "peak_mem_mb",
    "error",
)
"""Columns of a result row, in ``results.csv`` order."""

SCORE_COLUMNS: tuple[str, ...] = ("ari", "nmi", "acc", "silhouette")
"""The score columns of a row (NaN when a run failed)."""

_SUMMARY_COLUMNS: tuple[str, ...] = SCORE_COLUMNS + (
    "fit_time_s",
    "predict_time_s",
    "wall_time_s",
    "peak_mem_mb",
)


def _finite(values: Iterable[Any]) -> np.ndarray:
    arr = np.array([v for v in values if v is not None], dtype=np.float64)
    return arr[np.isfinite(arr)]


def _has_labels(rows: Sequence[Mapping[str, Any]]) -> bool:
    return _finite(r.get("ari") for r in rows).size > 0


def _mean_std(values: np.ndarray) -> tuple[float, float]:
    """Mean and sample std (ddof=1; 0 for one value; NaN for none)."""
    if not values.size:
        return math.nan, math.nan
    return float(values.mean()), (float(values.std(ddof=1)) if values.size > 1 else 0.0)


def summarize(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Mean and spread per method, best first.

    Parameters
    ----------
    rows : sequence of dict
        Rows from :func:`tsclust.compare.compare`.

    Returns
    -------
    summary : list of dict
        One dict per method: ``method``, ``runs``, ``errors`` (count), ``first_error``, and for
        each of ARI, NMI, ACC, silhouette, fit/predict/wall time and peak memory ``<col>_mean``
        and ``<col>_std`` (sample standard deviation, ddof=1; 0 for one run) over the runs that
        did not fail. Sorted by mean ARI, or by mean silhouette when no run has labels;
        methods without a successful run come last.
    """
    by_method: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        by_method.setdefault(row["method"], []).append(row)
    key = "ari" if _has_labels(rows) else "silhouette"
    out = []
    for method, runs in by_method.items():
        ok = [r for r in runs if not r.get("error")]
        errors = [r["error"] for r in runs if r.get("error")]
        entry: dict[str, Any] = {
            "method": method,
            "runs": len(runs),
            "errors": len(errors),
            "first_error": errors[0] if errors else None,
        }
        for col in _SUMMARY_COLUMNS:
            entry[f"{col}_mean"], entry[f"{col}_std"] = _mean_std(_finite(r.get(col) for r in ok))
        out.append(entry)

    def sort_key(entry: Mapping[str, Any]) -> tuple[int, float]:
        value = entry[f"{key}_mean"]
        return (1, 0.0) if math.isnan(value) else (0, -value)

    return sorted(out, key=sort_key)


# ------------------------------------------------------------------ Markdown


def _fmt(mean: float, std: float, digits: int) -> str:
    if math.isnan(mean):
        return "n/a"
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def _listed(rows: Sequence[Mapping[str, Any]], key: str) -> list[Any]:
    """The distinct values of ``key`` over the rows, sorted by their text."""
    return sorted({r.get(key) for r in rows}, key=str)


def _setup_line(rows: Sequence[Mapping[str, Any]]) -> str:
    protocols = sorted({str(r.get("protocol")) for r in rows})
    seeds, n_train, n_test = (_listed(rows, k) for k in ("seed", "n_train", "n_test"))
    subs = _listed(rows, "subsample")
    return (
        f"- protocol: {', '.join(protocols)}; seeds: {', '.join(map(str, seeds))}; "
        f"n_train: {', '.join(map(str, n_train))}; n_test: {', '.join(map(str, n_test))}; "
        f"subsample: {', '.join('all' if s is None else str(s) for s in subs)}"
    )


_TABLE_CELLS: tuple[tuple[str, int], ...] = (
    ("ari", 3),
    ("nmi", 3),
    ("acc", 3),
    ("silhouette", 3),
    ("fit_time_s", 2),
    ("wall_time_s", 2),
    ("peak_mem_mb", 0),
)
"""Summary columns of the Markdown table and their decimals."""


def _table_line(s: Mapping[str, Any]) -> str:
    err = "" if not s["errors"] else f"{s['errors']}: {s['first_error']}".replace("|", "/")
    cells = [_fmt(s[f"{col}_mean"], s[f"{col}_std"], digits) for col, digits in _TABLE_CELLS]
    return f"| {s['method']} | {s['runs']} | " + " | ".join(cells) + f" | {err} |"


def markdown(rows: Sequence[Mapping[str, Any]], meta: Mapping[str, Any]) -> str:
    """``results.md``: the meta lines, the setup and the summary table.

    Parameters
    ----------
    rows : sequence of dict
        Rows from :func:`tsclust.compare.compare`.
    meta : mapping
        ``{key: value}`` listed as ``- key: value`` at the top.

    Returns
    -------
    text : str
    """
    lines = ["# tsclust compare", ""]
    lines += [f"- {k}: {v}" for k, v in meta.items()]
    lines.append(_setup_line(rows))
    key = "ARI" if _has_labels(rows) else "silhouette (no labels)"
    lines += [
        "",
        f"Mean ± sample std over seeds, sorted by mean {key}. Silhouette: Euclidean, on the "
        "flattened scored windows. Wall time: build + fit + predict. Peak memory: process RSS "
        "above the run's start.",
        "",
        "| method | runs | ARI | NMI | ACC | silhouette | fit s | wall s | peak MiB | errors |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [_table_line(s) for s in summarize(rows)]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ CSV and JSON


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)
    return str(value)


def result_columns(
    rows: Sequence[Mapping[str, Any]], first: Sequence[str] = RESULT_COLUMNS
) -> list[str]:
    """``first`` (default :data:`RESULT_COLUMNS`), then the rows' extra keys in order of appearance."""
    columns = list(first)
    for row in rows:
        columns += [k for k in row if k not in columns]
    return columns


def csv_text(rows: Sequence[Mapping[str, Any]], first: Sequence[str] = RESULT_COLUMNS) -> str:
    """``results.csv``: a header of :func:`result_columns`, then one line per row.

    Parameters
    ----------
    rows : sequence of dict
    first : sequence of str, default=RESULT_COLUMNS
        The leading columns (a row without one has an empty cell there).

    Returns
    -------
    text : str
        CSV with ``\\r\\n`` line ends; None is an empty cell, NaN ``nan``, floats in full.
        :func:`parse_csv_text` reads it back.
    """
    columns = result_columns(rows, first)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows([_csv_cell(row.get(col)) for col in columns] for row in rows)
    return buffer.getvalue()


def _parse_cell(cell: str) -> Any:
    if cell == "":
        return None
    for kind in (int, float):
        try:
            return kind(cell)
        except ValueError:
            pass
    return cell


def parse_csv_text(text: str, text_columns: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The rows of a :func:`csv_text` table: an empty cell is None, numbers are int or float.

    Parameters
    ----------
    text : str
        CSV with a header line.
    text_columns : iterable of str, default=()
        Columns read as text as they stand (names such as ``"007"`` stay ``"007"``).

    Returns
    -------
    rows : list of dict
        One dict per line, keyed by the header; ``"nan"`` reads as NaN, a cell that is
        neither empty nor a number stays a str.

    Examples
    --------
    >>> parse_csv_text(csv_text([{"method": "kmeans", "seed": 0, "ari": 0.5}], first=()))
    [{'method': 'kmeans', 'seed': 0, 'ari': 0.5}]
    """
    keep = set(text_columns)
    reader = csv.DictReader(io.StringIO(text))
    return [{k: (v if k in keep and v != "" else _parse_cell(v)) for k, v in line.items()}
            for line in reader]


def jsonable(value: Any) -> Any:
    """``value`` with numpy scalars and arrays as Python values, non-finite floats as None.

    Mappings (keys as str), lists, tuples and arrays are converted recursively; anything else
    that is not a bool, int, float, str or None becomes its ``str``
    (:func:`tsclust._validation.jsonable` with ``strict=False``).
    """
    return _jsonable(value, strict=False)


def json_text(rows: Sequence[Mapping[str, Any]], meta: Mapping[str, Any]) -> str:
    """``results.json``: strict JSON ``{"meta": ..., "rows": [...]}`` (NaN written as null).

    Parameters
    ----------
    rows : sequence of dict
    meta : mapping

    Returns
    -------
    text : str
    """
    payload = {"meta": jsonable(meta), "rows": [jsonable(dict(r)) for r in rows]}
    return json.dumps(payload, indent=2, allow_nan=False)


RESULT_FILES: tuple[str, ...] = ("results.csv", "results.md", "results.json", "results.png")
"""The files :func:`write_results` writes, keyed in its result by their extension."""


def stamped(meta: Mapping[str, Any] | None) -> dict[str, Any]:
    """``meta`` with ``machine`` (platform, CPUs, Python) and ``date`` (UTC) when missing."""
    import datetime
    import os
    import platform

    info = dict(meta or {})
    info.setdefault(
        "machine",
        f"{platform.platform()}, {platform.machine()}, {os.cpu_count()} CPU(s), "
        f"Python {platform.python_version()}",
    )
    now = datetime.datetime.now(datetime.timezone.utc)
    info.setdefault("date", now.strftime("%Y-%m-%d %H:%M UTC"))
    return info
