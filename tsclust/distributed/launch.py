"""Launching a data-parallel fit: the ``torchrun`` command line and the per-rank ``fit``.

``tsclust fit STORE -k K -o MODEL --nproc N`` runs :func:`torchrun_command`, which starts
``python -m tsclust.distributed fit ...`` on every rank; that entry point
(:mod:`tsclust.cli.torchrun`) parses the options and calls :func:`fit`.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .collectives import barrier, collective, rank

__all__ = ["fit", "torchrun_command", "launch"]

logger = logging.getLogger(__name__)


def fit(
    store: str | os.PathLike,
    out: str | os.PathLike | None,
    *,
    overwrite: bool = False,
    **params: Any,
) -> Any:
    """Fit a :class:`~tsclust.clustering.DeepClusterer` on ``store`` on every rank; rank 0 saves.

    Must be called by every rank of an initialised process group (or with none, as a
    plain single-process fit).

    Parameters
    ----------
    store : path-like
        Window store.
    out : path-like or None
        Model file written by rank 0 (None: not written).
    overwrite : bool, default=False
    **params
        DeepClusterer parameters (``n_clusters``, ``head``, ...).

    Returns
    -------
    DeepClusterer
        The fitted estimator (identical on every rank).
    """
    from ..clustering import DeepClusterer

    if params.get("n_clusters") == "auto":
        raise NotImplementedError("-k auto (select_k) is not supported in distributed mode")
    if out is not None and rank() == 0 and Path(out).exists() and not overwrite:
        raise FileExistsError(f"{out} exists; pass --overwrite to replace it")
    est = DeepClusterer(**params)
    with collective():
        est.fit(store)
    if out is not None and rank() == 0:
        est.save(out, overwrite=overwrite)
    barrier()
    return est


def torchrun_command(nproc: int, args: Sequence[str]) -> list[str]:
    """The torchrun command line running ``tsclust.distributed`` with ``args`` on ``nproc`` ranks.

    Uses ``--standalone`` (a free local rendezvous port). Example result::

        [python, -m, torch.distributed.run, --standalone, --nproc-per-node, 2,
         -m, tsclust.distributed, fit, STORE, -k, 12, -o, model.h5]
    """
    exe = shutil.which("torchrun")
    head = [exe] if exe and Path(exe).parent == Path(sys.executable).parent else [
        sys.executable, "-m", "torch.distributed.run"]
    return [*head, "--standalone", "--nproc-per-node", str(int(nproc)), "-m",
            "tsclust.distributed", *[str(a) for a in args]]


def launch(nproc: int, args: Sequence[str], **kwargs: Any) -> int:
    """Run :func:`torchrun_command` as a subprocess; returns its exit status."""
    cmd = torchrun_command(nproc, args)
    logger.info("running %s", " ".join(cmd))
    return subprocess.run(cmd, check=False, **kwargs).returncode
