"""``tsclust info``: describe an HDF5 window store from its metadata, or verify a file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ._common import print_summary

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``tsclust info`` in ``subparsers``; returns its parser."""
    p = subparsers.add_parser(
        "info",
        help="describe an HDF5 window store (metadata only), or verify a store or model",
        description="Describe a window store from its metadata. With --verify, read every "
        "chunk of every dataset of a window store or a model file, checking its checksum "
        "and decompression (and, for a model, that the weights are finite): prints OK, or "
        "names the first damaged dataset and exits with status 2.",
    )
    p.add_argument("store", type=Path, help="window store .h5 (with --verify: or a model .h5)")
    p.add_argument(
        "--verify",
        action="store_true",
        help="read all the data and report OK or the first damaged dataset (exit 2)",
    )
    return p


def run(args: argparse.Namespace) -> int:
    """Print the format, source, shape, channels, classes and scaler of ``args.store``.

    With ``args.verify``, read the whole file (:func:`tsclust.io.verify_file`) and print one
    line: OK with the number of datasets and of those that carry checksums. A damaged file
    raises :class:`tsclust.io.DamagedFileError` (a ValueError: ``tsclust: error: FILE:
    ... dataset ...``, exit status 2).
    """
    if args.verify:
        return _verify(args.store)
    from ..io import store_info

    info = store_info(args.store)
    print(f"{args.store}: {info['format']}, source {info['source'] or '-'}")
    print_summary(info, None)
    if info["scaler"]:
        print(f"scaler: {info['scaler'].get('class')}")
    return 0


def _verify(path: Path) -> int:
    from ..io import verify_file

    report = verify_file(path)
    n, checked = report["datasets"], report["checksummed"]
    note = "" if checked == n else (
        f"; {n - checked} without checksums (older file or scalars): read, not verified"
    )
    print(f"{path}: OK ({report['format']}, {n} datasets, {checked} with checksums, "
          f"{report['bytes']} bytes read{note})")
    return 0
