"""``python -m tsclust.cli.torchrun fit ...``: the entry point torchrun starts on every rank.

Its estimator options are those of ``tsclust fit`` (:mod:`tsclust.cli._params`), so that
``tsclust fit --nproc N`` forwards them as they are; it runs
a :class:`~tsclust.clustering.DeepClusterer` through :func:`tsclust.distributed.launch.fit`
inside the process group and rank 0 prints a summary.
A rank ends as soon as torchrun is gone (:func:`~tsclust.distributed.launch.watch_parent`),
and SIGTERM (torchrun's way to stop the ranks) ends it at once, so an interrupted fit
writes no model.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..distributed.collectives import destroy_process_group, init_process_group, rank, world_size
from ..distributed.launch import fit, watch_parent
from ._common import number, print_scores
from ._params import add_estimator_options, estimator_params

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    """The parser of ``python -m tsclust.cli.torchrun``.

    The estimator options are those of ``tsclust fit`` (:mod:`tsclust.cli._params`), so that
    ``tsclust fit --nproc N`` can forward them as they are.
    """
    p = argparse.ArgumentParser(
        prog="python -m tsclust.cli.torchrun",
        description="Data-parallel DeepClusterer fit; start with torchrun.",
    )
    sub = p.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fit", help="fit on a window store and write the model (rank 0)")
    f.add_argument("store", type=Path)
    f.add_argument("-k", "--n-clusters", type=number(int, low=1), required=True)
    f.add_argument("-o", "--out", type=Path, required=True)
    add_estimator_options(f)
    f.add_argument("--backend", choices=("gloo", "nccl"), default=None)
    f.add_argument("--threads", type=number(int, low=1), default=None, help="torch threads per rank")
    f.add_argument("--overwrite", action="store_true")
    f.add_argument("--quiet", "-q", action="store_true")
    return p


def _store_labels(store: Path) -> np.ndarray | None:
    """The labels of a window store (None when it has none), for the scores of rank 0."""
    import h5py

    with h5py.File(store, "r") as f:
        return np.asarray(f["y"][:]) if "y" in f else None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m tsclust.cli.torchrun`` (run by torchrun on every rank)."""
    import torch

    from ..clustering import DeepClusterer

    args = _parser().parse_args(argv)
    watch_parent()
    logging.basicConfig(level=logging.WARNING, format="tsclust[%(process)d]: %(message)s")
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    backend = init_process_group(args.backend)
    params: dict[str, Any] = dict(
        n_clusters=args.n_clusters, verbose=0 if args.quiet or rank() != 0 else 1,
        **estimator_params(args),
    )
    if backend == "nccl" and params["device"] in ("auto", "cuda"):
        params["device"] = f"cuda:{torch.cuda.current_device()}"
    try:
        if params.get("n_clusters") == "auto":
            raise NotImplementedError("-k auto (select_k) is not supported in distributed mode")
        est = fit(DeepClusterer(**params), args.store, args.out, overwrite=args.overwrite)
        if rank() == 0:
            sizes = np.bincount(est.labels_, minlength=args.n_clusters)
            pre = sum(r["time"] for r in est.history_["pretrain"])
            sys.stdout.write(
                f"fitted {est.architecture_}+{est.head_.name} on {len(est.labels_)} windows with "
                f"{world_size()} processes ({backend}); pre-training {pre:.1f} s\n"
                f"cluster sizes: {' '.join(str(s) for s in sizes)}\n"
            )
            sys.stdout.flush()
            print_scores(_store_labels(args.store), est.labels_)  # as tsclust fit does
            sys.stdout.write(f"model written to {args.out}\n")
    finally:
        destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
