"""Launching a data-parallel fit: ``torchrun`` command line, the per-rank runner, its CLI.

``tsclust fit STORE -k K -o MODEL --nproc N`` runs :func:`torchrun_command`, which starts
``python -m tsclust.distributed fit ...`` (:func:`main`) on every rank.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .collectives import (
    barrier,
    collective,
    destroy_process_group,
    init_process_group,
    rank,
    world_size,
)

__all__ = ["fit", "torchrun_command", "launch", "main"]

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


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m tsclust.distributed",
        description="Data-parallel DeepClusterer fit; start with torchrun.",
    )
    sub = p.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fit", help="fit on a window store and write the model (rank 0)")
    f.add_argument("store", type=Path)
    f.add_argument("-k", "--n-clusters", type=int, required=True)
    f.add_argument("-o", "--out", type=Path, required=True)
    f.add_argument("--architecture", default=None)
    f.add_argument("--head", default=None)
    f.add_argument("--latent-dim", type=int, default=None)
    f.add_argument("--epochs", type=int, default=None, help="pre-training epochs")
    f.add_argument("--finetune-epochs", type=int, default=None)
    f.add_argument("--batch-size", type=int, default=None, help="global batch size")
    f.add_argument("--seed", type=int, default=0)
    f.add_argument("--device", default="auto")
    f.add_argument("--backend", choices=("gloo", "nccl"), default=None)
    f.add_argument("--threads", type=int, default=None, help="torch threads per rank")
    f.add_argument("--overwrite", action="store_true")
    f.add_argument("--quiet", "-q", action="store_true")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m tsclust.distributed`` (run by torchrun on every rank)."""
    import torch

    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="tsclust[%(process)d]: %(message)s")
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    backend = init_process_group(args.backend)
    device = args.device
    if backend == "nccl" and device in ("auto", "cuda"):
        device = f"cuda:{torch.cuda.current_device()}"
    params: dict[str, Any] = dict(
        n_clusters=args.n_clusters, random_state=args.seed, device=device,
        verbose=0 if args.quiet or rank() != 0 else 1,
    )
    for name, key in (("epochs", "pretrain_epochs"), ("finetune_epochs", "finetune_epochs"),
                      ("batch_size", "batch_size"), ("architecture", "architecture"),
                      ("head", "head"), ("latent_dim", "latent_dim")):
        if getattr(args, name) is not None:
            params[key] = getattr(args, name)
    try:
        est = fit(args.store, args.out, overwrite=args.overwrite, **params)
        if rank() == 0:
            sizes = np.bincount(est.labels_, minlength=args.n_clusters)
            pre = sum(r["time"] for r in est.history_["pretrain"])
            sys.stdout.write(
                f"fitted {est.architecture_}+{est.head} on {len(est.labels_)} windows with "
                f"{world_size()} processes ({backend}); pre-training {pre:.1f} s\n"
                f"cluster sizes: {' '.join(str(s) for s in sizes)}\nmodel written to {args.out}\n"
            )
    finally:
        destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
