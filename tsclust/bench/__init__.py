"""Benchmarks over many problems: the panel (UCR archive problems + HAPT).

- :mod:`~tsclust.bench.panel`: the problems, the protocol, :func:`run_panel` (rows) and
  :func:`write_panel` (the report files);
- :mod:`~tsclust.bench.cache`: cached rows of slow baselines, kept in the repository with the
  command and package versions that produced them;
- :mod:`~tsclust.bench.report`: per-problem tables, means, wins/ties/losses, average ranks and
  the Friedman/Nemenyi critical difference, as arrays and strings.

The CLI is ``tsclust bench panel`` (:mod:`tsclust.cli.bench`).
"""

from __future__ import annotations

from .cache import parse_cache, write_cache
from .panel import (
    PROTOCOL,
    Limits,
    Problem,
    default_methods,
    list_problems,
    load_problem,
    run_panel,
    write_panel,
)

__all__ = [
    "PROTOCOL",
    "Limits",
    "Problem",
    "default_methods",
    "list_problems",
    "load_problem",
    "parse_cache",
    "run_panel",
    "write_cache",
    "write_panel",
]
