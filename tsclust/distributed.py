"""Data-parallel training on several processes with ``torch.distributed`` and DDP.

Launch one process per core or GPU with ``torchrun`` (backend gloo on CPUs, nccl on GPUs)::

    torchrun --standalone --nproc-per-node 2 -m tsclust.distributed fit STORE.h5 -k 12 -o model.h5

or ``tsclust fit STORE.h5 -k 12 -o model.h5 --nproc 2``, which runs that line. Every rank
builds the same seeded module (DDP also broadcasts rank 0's weights), reads only its own
contiguous shard of the store (:class:`tsclust.streaming.ChunkBatchSampler`), and the
gradients are averaged by :class:`~torch.nn.parallel.DistributedDataParallel`; the batch
size is the global one (``batch_size // world_size`` rows per rank). Heads that need global
state gather it: latents are encoded shard by shard and all-gathered (so k-means, DEC's
target distribution ``P``, the collapse guard and the stopping rule see every window
identically on every rank); k-means runs on rank 0 and its centres are broadcast; the
gradients of parameters outside the module (DEC's centroids) are all-reduced; DCN's
online centroid update all-reduces per-cluster sums and counts. Only rank 0 writes the
model file.

The collective code paths of :func:`tsclust.training.train` and
:func:`tsclust.training.encode` are switched on only inside :func:`collective` (used by
:func:`fit`), so a process group created for other purposes changes nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
from torch import nn

__all__ = [
    "active",
    "collective",
    "rank",
    "world_size",
    "init_process_group",
    "all_reduce_sum",
    "all_gather_rows",
    "broadcast_object",
    "centroid_update",
    "wrap_module",
    "fit",
    "torchrun_command",
    "launch",
    "main",
]

logger = logging.getLogger(__name__)

_STATE = {"enabled": False}


@contextlib.contextmanager
def collective() -> Iterator[None]:
    """Within this block, training and encoding cooperate across the process group."""
    before = _STATE["enabled"]
    _STATE["enabled"] = True
    try:
        yield
    finally:
        _STATE["enabled"] = before


def _initialized() -> bool:
    return dist.is_available() and dist.is_initialized()


def active() -> bool:
    """True inside :func:`collective` when a process group of more than one rank exists."""
    return _STATE["enabled"] and _initialized() and dist.get_world_size() > 1


def rank() -> int:
    """Rank of this process (0 without a process group)."""
    return dist.get_rank() if _initialized() else 0


def world_size() -> int:
    """Number of processes (1 without a process group)."""
    return dist.get_world_size() if _initialized() else 1


def _comm_device() -> torch.device:
    if _initialized() and dist.get_backend() == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def init_process_group(backend: str | None = None) -> str:
    """Join the process group described by torchrun's environment variables.

    Parameters
    ----------
    backend : {"gloo", "nccl"} or None, default=None
        None: nccl when CUDA is available, gloo otherwise.

    Returns
    -------
    str
        The backend used.

    Raises
    ------
    RuntimeError
        torch.distributed is not available, or the environment lacks ``RANK`` /
        ``WORLD_SIZE`` (not started by torchrun).
    """
    if not dist.is_available():
        raise RuntimeError("torch.distributed is not available in this torch build")
    missing = [v for v in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT") if v not in os.environ]
    if missing:
        raise RuntimeError(
            f"environment variables {missing} are not set; start with torchrun, e.g. "
            "torchrun --standalone --nproc-per-node 2 -m tsclust.distributed fit STORE -k K -o OUT"
        )
    if backend is None:
        backend = "nccl" if torch.cuda.is_available() else "gloo"
    if backend == "nccl":
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))
    if not dist.is_initialized():
        dist.init_process_group(backend=backend)
    return backend


def all_reduce_sum(t: torch.Tensor) -> torch.Tensor:
    """Sum ``t`` over ranks (returns a new tensor on ``t``'s device); identity when inactive."""
    if not active():
        return t
    buf = t.detach().to(_comm_device()).clone()
    dist.all_reduce(buf, op=dist.ReduceOp.SUM)
    return buf.to(t.device)


def all_gather_rows(local: np.ndarray, n_total: int | None = None) -> np.ndarray:
    """Concatenate every rank's rows in rank order (shards may differ in length).

    Parameters
    ----------
    local : ndarray of shape (n_r, ...)
        This rank's rows.
    n_total : int or None
        Expected total (checked).

    Returns
    -------
    ndarray of shape (sum_r n_r, ...)
    """
    if not active():
        return local
    dev = _comm_device()
    sizes = [torch.zeros(1, dtype=torch.int64, device=dev) for _ in range(dist.get_world_size())]
    dist.all_gather(sizes, torch.tensor([local.shape[0]], dtype=torch.int64, device=dev))
    counts = [int(s.item()) for s in sizes]
    m = max(counts)
    buf = torch.zeros((m,) + local.shape[1:], dtype=torch.from_numpy(local[:0]).dtype, device=dev)
    buf[: local.shape[0]] = torch.from_numpy(np.ascontiguousarray(local)).to(dev)
    parts = [torch.empty_like(buf) for _ in counts]
    dist.all_gather(parts, buf)
    out = np.concatenate([p[:c].cpu().numpy() for p, c in zip(parts, counts, strict=True)])
    if n_total is not None and out.shape[0] != n_total:
        raise RuntimeError(f"gathered {out.shape[0]} rows, expected {n_total}")
    return out


def broadcast_object(obj: Any, src: int = 0) -> Any:
    """``obj`` of rank ``src`` on every rank (picklable objects); identity when inactive."""
    if not active():
        return obj
    box = [obj if dist.get_rank() == src else None]
    dist.broadcast_object_list(box, src=src, device=_comm_device())
    return box[0]


def centroid_update(
    centers: torch.Tensor, counts: torch.Tensor, z: torch.Tensor, assignments: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """DCN's online centroid averaging over the global batch (sums and counts all-reduced).

    Same formula as :func:`tsclust.clustering._losses.online_centroid_update`: for each
    centre ``c_k <- (n_k c_k + S_k) / (n_k + m_k)`` where ``S_k`` and ``m_k`` are the sum and
    number of the batch's latents assigned to ``k`` on all ranks.

    Parameters
    ----------
    centers : Tensor (K, d); counts : Tensor (K,); z : Tensor (B, d); assignments : Tensor (B,)
    """
    k = centers.shape[0]
    z = z.detach().to(centers.dtype)
    added = torch.bincount(assignments, minlength=k).to(counts.dtype)
    sums = torch.zeros_like(centers).index_add_(0, assignments, z)
    packed = all_reduce_sum(torch.cat([sums, added.unsqueeze(1)], dim=1))
    sums, added = packed[:, :-1], packed[:, -1]
    new_counts = counts + added
    denom = new_counts.clamp_min(1).unsqueeze(1)
    new_centers = torch.where(
        added.unsqueeze(1) > 0, (centers * counts.unsqueeze(1) + sums) / denom, centers
    )
    return new_centers, new_counts


class _Dispatch(nn.Module):
    """Route DDP's forward to ``module.forward`` or another method (``encode``)."""

    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.module = module

    def forward(self, x: torch.Tensor, method: str = "forward") -> Any:
        if method == "forward":
            return self.module(x)
        return getattr(self.module, method)(x)


class _Proxy:
    """What a ``loss_fn`` sees: ``proxy(x)`` and ``proxy.encode(x)`` go through DDP."""

    def __init__(self, ddp: nn.Module, module: nn.Module) -> None:
        self._ddp, self._module = ddp, module

    def __call__(self, x: torch.Tensor) -> Any:
        return self._ddp(x)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self._ddp(x, method="encode")

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self._ddp(z, method="decode")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)


def wrap_module(module: nn.Module, device: torch.device) -> Any:
    """Wrap ``module`` in DistributedDataParallel; returns the proxy for ``loss_fn``.

    ``find_unused_parameters`` is on, since DEC trains only the encoder.
    """
    from torch.nn.parallel import DistributedDataParallel

    ids = [device.index if device.index is not None else torch.cuda.current_device()] if device.type == "cuda" else None
    ddp = DistributedDataParallel(_Dispatch(module), device_ids=ids, find_unused_parameters=True)
    return _Proxy(ddp, module)


def average_gradients(params: Sequence[torch.nn.Parameter]) -> None:
    """Average the ``.grad`` of ``params`` over ranks (for parameters outside DDP's module)."""
    if not active():
        return
    world = dist.get_world_size()
    for p in params:
        if p.grad is None:
            p.grad = torch.zeros_like(p)
        p.grad.copy_(all_reduce_sum(p.grad) / world)


# --------------------------------------------------------------------------- runner


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
    from .clustering import DeepClusterer

    if params.get("n_clusters") == "auto":
        raise NotImplementedError("-k auto (select_k) is not supported in distributed mode")
    if out is not None and rank() == 0 and Path(out).exists() and not overwrite:
        raise FileExistsError(f"{out} exists; pass --overwrite to replace it")
    est = DeepClusterer(**params)
    with collective():
        est.fit(store)
    if out is not None and rank() == 0:
        est.save(out, overwrite=overwrite)
    if _initialized():
        dist.barrier()
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
        if _initialized():
            dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
