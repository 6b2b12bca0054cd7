"""The ``tsclust`` command line: one module per subcommand, the only printer in tsclust.

Each subcommand module has ``add_parser(subparsers)``, which registers the subcommand and its
options and returns its parser, and ``run(args) -> int``, which :func:`main` calls. To add a subcommand, write its module and add it to
:data:`SUBCOMMANDS`. Building the parser imports no torch (nor h5py, sklearn, matplotlib):
every heavy module is imported inside ``run``. Names the parser does not check
(architectures, heads, methods) are checked by the estimators before any data is read.

Error policy (:func:`tsclust.cli._common.run_command`): every error prints one line
``tsclust: error: ...`` to stderr and exits with status 2, without a traceback — user errors
(ValueError, OSError, KeyError: :data:`~tsclust.cli._common.USER_ERRORS`) with their message,
any other exception as ``internal error: TYPE: MESSAGE``; ``TSCLUST_DEBUG=1`` in the
environment raises it instead, with its traceback. Ctrl-C exits with 130, SIGTERM with 143;
both remove the temporary files of unfinished writes. Every output is checked before any
work (:func:`~tsclust.cli._common.check_outputs`).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import Any

from . import bench, compare, demo, fit, info, predict, segment, windows
from ._common import run_command

__all__ = ["main", "build_parser", "SUBCOMMANDS", "detect_format"]

SUBCOMMANDS = (windows, info, fit, predict, compare, segment, demo, bench)
"""The subcommand modules, in help order."""


def __getattr__(name: str) -> Any:
    # detect_format lives in tsclust.data; importing it on use keeps the parser light
    if name == "detect_format":
        from ..data import detect_format

        return detect_format
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand of :data:`SUBCOMMANDS`.

    Returns
    -------
    argparse.ArgumentParser
    """
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="tsclust",
        description="Cluster unlabelled time series with deep autoencoders.",
    )
    parser.add_argument("--version", action="version", version=f"tsclust {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in SUBCOMMANDS:
        command.add_parser(subparsers).set_defaults(func=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``tsclust`` command.

    Parameters
    ----------
    argv : sequence of str or None, default=None
        The arguments after ``tsclust`` (None: ``sys.argv[1:]``).

    Returns
    -------
    status : int
        0 on success, 2 for a usage or input error (any error), 130 after Ctrl-C,
        143 after SIGTERM.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help(sys.stderr)
        return 2
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="tsclust: %(message)s"
    )
    return run_command(args.func, args)
