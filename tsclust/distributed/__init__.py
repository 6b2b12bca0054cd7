"""Data-parallel training on several processes with ``torch.distributed`` and DDP.

Launch one process per core or GPU with ``torchrun`` (backend gloo on CPUs, nccl on GPUs)::

    torchrun --standalone --nproc-per-node 2 -m tsclust.cli.torchrun fit STORE.h5 -k 12 -o model.h5

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

The collective code paths of the training loop (its :class:`~tsclust.training.DDPStrategy`)
and of :func:`tsclust.training.encode` are switched on only inside :func:`collective` (used by
:func:`~tsclust.distributed.launch.fit`), so a process group created for other purposes
changes nothing.

- :mod:`tsclust.distributed.collectives`: the process group and its reductions; imports
  nothing else from tsclust.
- :mod:`tsclust.distributed.launch`: the ``torchrun`` command line and the per-rank ``fit``;
  torchrun starts :mod:`tsclust.cli.torchrun` on every rank (``python -m tsclust.cli.torchrun``), which builds the estimator: this package imports nothing above it.
"""

from .collectives import (
    active,
    all_gather_rows,
    all_reduce_sum,
    average_gradients,
    barrier,
    broadcast_object,
    collective,
    destroy_process_group,
    init_process_group,
    rank,
    world_size,
    wrap_module,
)

__all__ = [
    "active",
    "all_gather_rows",
    "all_reduce_sum",
    "average_gradients",
    "barrier",
    "broadcast_object",
    "collective",
    "destroy_process_group",
    "init_process_group",
    "rank",
    "world_size",
    "wrap_module",
]
