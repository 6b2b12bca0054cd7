"""Run clustering methods x seeds on one set of windows and tabulate the scores.

:func:`compare` returns tidy rows (one dict per run); :func:`summarize` aggregates them per
method; :func:`write_results` writes ``results.csv``, ``results.md``,
``results.json`` and ``results.png``. Nothing here reads files: the caller (the CLI) loads the
windows.

- :mod:`~tsclust.compare.methods`: the method names, one registered family each
  (:data:`METHODS`: baselines, ``ARCH+HEAD``, ``rec+HEAD``);
- :mod:`~tsclust.compare.protocols`: ``"transductive"`` and ``"inductive"`` (:data:`PROTOCOLS`);
- :mod:`~tsclust.compare.runner`: :func:`compare` and the per-run measurements;
- :mod:`~tsclust.compare.report`: summaries and the result tables as strings.
"""

from __future__ import annotations

from .methods import METHODS, MethodFamily, available_methods, check_methods, make_method
from .protocols import PROTOCOLS, Protocol
from .report import RESULT_COLUMNS, RESULT_FILES, SCORE_COLUMNS, summarize
from .runner import SILHOUETTE_SAMPLE_SIZE, compare, write_results

__all__ = [
    "METHODS",
    "PROTOCOLS",
    "RESULT_COLUMNS",
    "RESULT_FILES",
    "SCORE_COLUMNS",
    "SILHOUETTE_SAMPLE_SIZE",
    "MethodFamily",
    "Protocol",
    "available_methods",
    "check_methods",
    "compare",
    "make_method",
    "summarize",
    "write_results",
]
