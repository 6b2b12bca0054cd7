"""Parsing helpers for numeric text tables (plain or gzip bytes)."""

from __future__ import annotations

import gzip
import io
import warnings
from collections.abc import Sequence

import numpy as np


def decompress(data: bytes, name: str) -> bytes:
    """Return ``data`` gunzipped when ``name`` ends in ``.gz``."""
    if name.endswith(".gz"):
        try:
            return gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise ValueError(f"{name} is not a valid gzip file: {exc}") from None
    return data


def parse_table(
    data: bytes,
    where: str,
    *,
    n_columns: int | None = None,
    delimiter: str | None = None,
    dtype: type = np.float64,
    skiprows: int = 0,
    usecols: Sequence[int] | None = None,
    quotechar: str | None = None,
) -> np.ndarray:
    """Parse a numeric text table into a 2-D array, with errors that name ``where``.

    Parameters
    ----------
    data : bytes
        Uncompressed file content.
    where : str
        File name for messages.
    n_columns : int, optional
        Required number of columns.
    delimiter : str, optional
        None splits on whitespace.
    dtype : numpy dtype, default=np.float64
    skiprows : int, default=0
    usecols : sequence of int, optional
        Read only these columns (``n_columns`` then counts them).
    quotechar : str, optional
        Character quoting a cell (``'"'`` for CSV); None reads quotes as they are.

    Returns
    -------
    ndarray of shape (n_rows, n_columns)
        ``dtype`` may be ``str`` to read cells as text.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "input contained no data"
            arr = np.loadtxt(
                io.StringIO(data.decode("utf-8", errors="replace")),
                dtype=dtype,
                delimiter=delimiter,
                ndmin=2,
                skiprows=skiprows,
                usecols=None if usecols is None else list(usecols),
                quotechar=quotechar,
            )
    except ValueError as exc:
        kind = "whitespace" if delimiter is None else repr(delimiter)
        raise ValueError(f"{where} is not a {kind}-separated numeric table: {exc}") from None
    if arr.size == 0:
        raise ValueError(f"{where} contains no data rows")
    if n_columns is not None and arr.shape[1] != n_columns:
        raise ValueError(f"{where} has {arr.shape[1]} column(s); expected {n_columns}")
    return arr
