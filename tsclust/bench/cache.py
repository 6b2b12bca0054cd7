"""Cached panel rows: results that take hours (DTW, k-Shape) computed once and kept in the repo.

A cache is two files side by side: ``NAME.csv``, the rows (:data:`~tsclust.bench.panel.PANEL_COLUMNS`
first), and ``NAME.json``, the sidecar: the format, the :data:`~tsclust.bench.panel.PROTOCOL`
the rows follow, and one entry per command that wrote rows into it (the command, the date, the
machine, the package versions, the methods and problems it ran). Writing merges: new rows replace
the cached rows of the same ``(dataset, method)`` and keep the others; skipped runs are not
cached. A cache made under another protocol is refused on reading.

The texts are built and parsed here; the two files are written both or neither
(:func:`tsclust.io.write_file_set`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..compare.report import csv_text, jsonable, parse_csv_text, stamped
from .panel import PANEL_COLUMNS, PROTOCOL

__all__ = [
    "CACHE_FORMAT",
    "VERSIONED_PACKAGES",
    "default_cache_path",
    "sidecar_path",
    "package_versions",
    "merge_rows",
    "cache_texts",
    "parse_cache",
    "write_cache",
]

CACHE_FORMAT = "tsclust-panel-cache/1"

VERSIONED_PACKAGES: tuple[str, ...] = (
    "tsclust", "numpy", "scipy", "scikit-learn", "tslearn", "torch", "aeon",
)
"""The packages whose versions the sidecar records (None when not installed)."""

_TEXT_COLUMNS = ("dataset", "method", "status", "source", "error", "protocol")


def default_cache_path() -> Path:
    """``benchmarks/panel_baselines.csv`` in the repository (next to the ``tsclust`` package).

    Returns
    -------
    path : pathlib.Path
    """
    return Path(__file__).resolve().parents[2] / "benchmarks" / "panel_baselines.csv"


def sidecar_path(path: str | os.PathLike) -> Path:
    """The sidecar of a cache file: the same name with ``.json``.

    Parameters
    ----------
    path : path-like

    Returns
    -------
    path : pathlib.Path
    """
    return Path(path).with_suffix(".json")


def package_versions(names: Iterable[str] = VERSIONED_PACKAGES) -> dict[str, str | None]:
    """Installed version of each package (None when missing).

    Parameters
    ----------
    names : iterable of str, default=VERSIONED_PACKAGES

    Returns
    -------
    versions : dict
    """
    from importlib import metadata

    out: dict[str, str | None] = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def _key(row: Mapping[str, Any]) -> tuple[str, str]:
    return str(row["dataset"]), str(row["method"])


def merge_rows(
    old: Iterable[Mapping[str, Any]], new: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The rows of a cache after writing ``new`` into one holding ``old``.

    Parameters
    ----------
    old, new : iterable of dict
        Panel rows.

    Returns
    -------
    rows : list of dict
        ``new`` (without skipped runs) and the rows of ``old`` whose ``(dataset, method)`` has
        no row in ``new``; sorted by dataset, method and seed; ``source`` is ``"run"``.
    """
    fresh = [dict(r, source="run") for r in new if r.get("status") != "skipped"]
    replaced = {_key(r) for r in fresh}
    kept = [dict(r, source="run") for r in old if _key(r) not in replaced]
    return sorted(kept + fresh, key=lambda r: (*_key(r), r.get("seed") or 0))


def cache_texts(
    rows: Sequence[Mapping[str, Any]],
    run: Mapping[str, Any],
    previous: Mapping[str, Any] | None = None,
) -> tuple[str, str]:
    """The CSV and sidecar JSON texts of a cache.

    Parameters
    ----------
    rows : sequence of dict
        The cache's rows (after :func:`merge_rows`).
    run : mapping
        What wrote them: ``command``, ``methods``, ``problems``, ... ; ``date`` and ``machine``
        are added when missing, ``versions`` (:func:`package_versions`) too.
    previous : mapping or None, default=None
        The sidecar read with the old rows: its ``runs`` are kept before this one.

    Returns
    -------
    csv, json : str
    """
    entry = stamped(run)
    entry.setdefault("versions", package_versions())
    runs = [*(previous or {}).get("runs", []), entry]
    sidecar = {"format": CACHE_FORMAT, "protocol": PROTOCOL, "n_rows": len(rows), "runs": runs}
    return csv_text(rows, first=PANEL_COLUMNS), json.dumps(jsonable(sidecar), indent=2) + "\n"


def parse_cache(csv: str, sidecar: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The rows and sidecar of a cache, from the texts of its two files.

    Parameters
    ----------
    csv, sidecar : str
        The texts of ``NAME.csv`` and ``NAME.json``.

    Returns
    -------
    rows : list of dict
    meta : dict
        The sidecar.

    Raises
    ------
    ValueError
        Not a panel cache, or made under another protocol than :data:`PROTOCOL`.
    """
    try:
        meta = json.loads(sidecar)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not a panel cache sidecar: not JSON ({exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != CACHE_FORMAT:
        raise ValueError(f"not a panel cache sidecar (format {CACHE_FORMAT!r} expected)")
    if meta.get("protocol") != PROTOCOL:
        raise ValueError(
            f"the cache follows another protocol ({meta.get('protocol')!r}), not {PROTOCOL!r}: "
            "recompute it (CLI: --recompute)"
        )
    rows = parse_csv_text(csv, _TEXT_COLUMNS)
    missing = [c for c in ("dataset", "method") if rows and c not in rows[0]]
    if missing:
        raise ValueError(f"not a panel cache: no {' or '.join(missing)} column")
    return rows, meta


def write_cache(
    path: str | os.PathLike,
    rows: Sequence[Mapping[str, Any]],
    run: Mapping[str, Any],
    previous: tuple[Sequence[Mapping[str, Any]], Mapping[str, Any]] | None = None,
) -> dict[str, Path]:
    """Merge ``rows`` into the cache at ``path`` and write its two files, both or neither.

    Parameters
    ----------
    path : path-like
        The cache's CSV (``.csv``); the sidecar is :func:`sidecar_path`. The folder is created.
    rows : sequence of dict
        New panel rows.
    run : mapping
        See :func:`cache_texts`.
    previous : (rows, meta) or None, default=None
        What the cache holds now (:func:`parse_cache`); None for a new cache.

    Returns
    -------
    paths : dict
        File name -> path written.
    """
    from ..io import write_file_set

    old_rows, old_meta = previous if previous is not None else ((), None)
    merged = merge_rows(old_rows, rows)
    csv, sidecar = cache_texts(merged, run, old_meta)
    path = Path(path)
    texts = {path.name: csv, sidecar_path(path).name: sidecar}
    return write_file_set(path.parent, texts, overwrite=True)
