"""Collectives of data-parallel training: process group, reductions, DDP wrapper.

This module imports nothing else from tsclust, so the training loop, the heads and the
launcher can all depend on it without an import cycle. Everything here is the identity (or
rank 0 of 1) outside :func:`collective` or without a process group of more than one rank.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
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
    "wrap_module",
    "average_gradients",
    "barrier",
    "destroy_process_group",
]

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
            "torchrun --standalone --nproc-per-node 2 -m tsclust.cli.torchrun fit STORE -k K -o OUT"
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

    DDP is told that the graph is static (``static_graph=True``): within one training run
    every step uses the same parameters, so DDP learns from the first step which ones are
    unused (DEC's decoder, as DEC trains only the encoder) instead of searching the graph at
    every step (``find_unused_parameters=True``, which warns when a run uses them all, as
    pre-training does).
    """
    from torch.nn.parallel import DistributedDataParallel

    ids = [device.index if device.index is not None else torch.cuda.current_device()] if device.type == "cuda" else None
    ddp = DistributedDataParallel(_Dispatch(module), device_ids=ids, static_graph=True)
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


def barrier() -> None:
    """Wait for every rank (nothing without a process group)."""
    if _initialized():
        dist.barrier()


def destroy_process_group() -> None:
    """Leave the process group, if this process is in one."""
    if _initialized():
        dist.destroy_process_group()
