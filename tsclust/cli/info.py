"""``tsclust info``: describe an HDF5 window store from its metadata."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ._common import print_summary

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``tsclust info`` in ``subparsers``; returns its parser."""
    p = subparsers.add_parser("info", help="describe an HDF5 window store (metadata only)")
    p.add_argument("store", type=Path, help="window store .h5")
    return p


def run(args: argparse.Namespace) -> int:
    """Print the format, source, shape, channels, classes and scaler of ``args.store``."""
    from ..io import store_info

    info = store_info(args.store)
    print(f"{args.store}: {info['format']}, source {info['source'] or '-'}")
    print_summary(info, None)
    if info["scaler"]:
        print(f"scaler: {info['scaler'].get('class')}")
    return 0
