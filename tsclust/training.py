"""One training loop for every model and clustering head, plus reconstruction losses.

:func:`train` runs Adam over seeded mini-batches of a channels-first tensor ``(N, C, L)`` and
calls a ``loss_fn(module, xb, idx)``; autoencoder pre-training and every clustering head
fine-tune with it. The DAC clustering-weighted MSE (Li et al., "Deep Autoencoder-based
Clustering", equations 4-5) lives here too: :func:`dac_feature_weights`,
:func:`dac_pseudo_labels` and :func:`weighted_mse`.
"""

from __future__ import annotations

import logging
import math
import numbers
import time
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from .models._common import FeatureView

__all__ = [
    "LR_SCHEDULES",
    "train",
    "resolve_device",
    "lr_factor",
    "encode",
    "decode",
    "reconstruct",
    "mse_loss",
    "weighted_mse",
    "reconstruction_loss",
    "reconstruction_errors",
    "prepare_module",
    "feature_view",
    "dac_feature_weights",
    "dac_pseudo_labels",
]

logger = logging.getLogger(__name__)

LR_SCHEDULES = ("constant", "linear", "cosine", "step")

LossFn = Callable[[nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]


# --------------------------------------------------------------------------- devices


def resolve_device(device: str | torch.device | None = "auto") -> torch.device:
    """Turn ``"auto"``, ``"cpu"``, ``"cuda"`` (or ``"cuda:k"``, a ``torch.device``) into a device.

    Parameters
    ----------
    device : str, torch.device or None, default="auto"
        ``"auto"`` (or None) picks CUDA when available, else the CPU.

    Raises
    ------
    ValueError
        Unknown device string, or CUDA requested but not available.

    Examples
    --------
    >>> resolve_device("cpu")
    device(type='cpu')
    """
    if device is None or (isinstance(device, str) and device == "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"unknown device {device!r}; use 'auto', 'cpu' or 'cuda' (optionally 'cuda:<index>')"
        ) from exc
    if dev.type == "cpu":
        return dev
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={device!r} was requested but CUDA is not available in this torch "
                f"build/machine (torch {torch.__version__}); use device='cpu' or 'auto'"
            )
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise ValueError(
                f"device={device!r}: only {torch.cuda.device_count()} CUDA device(s) visible"
            )
        return dev
    raise ValueError(f"unknown device {device!r}; use 'auto', 'cpu' or 'cuda'")


def _module_device(module: nn.Module) -> torch.device:
    for p in module.parameters():
        return p.device
    for b in module.buffers():
        return b.device
    return torch.device("cpu")


# --------------------------------------------------------------------------- schedule


def lr_factor(schedule: str, epoch: int, epochs: int) -> float:
    """Multiplier of the base learning rate in ``epoch`` (0-based) of ``epochs``.

    ``"constant"``: 1. ``"linear"``: ``1 - epoch / epochs`` (last epoch ``1 / epochs``).
    ``"cosine"``: ``0.5 * (1 + cos(pi * epoch / epochs))``. ``"step"``: divided by 10 after
    every third of the epochs (``0.1 ** (epoch // ceil(epochs / 3))``).

    Examples
    --------
    >>> [round(lr_factor("linear", e, 4), 2) for e in range(4)]
    [1.0, 0.75, 0.5, 0.25]
    """
    if schedule == "constant":
        return 1.0
    if schedule == "linear":
        return 1.0 - epoch / epochs
    if schedule == "cosine":
        return 0.5 * (1.0 + math.cos(math.pi * epoch / epochs))
    if schedule == "step":
        return 0.1 ** (epoch // max(1, math.ceil(epochs / 3)))
    raise ValueError(f"unknown lr_schedule {schedule!r}; valid names are {list(LR_SCHEDULES)}")


def _check_number(value: Any, name: str, *, low: float = 0.0, strict: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if value < low or (strict and value == low):
        raise ValueError(f"{name} must be {'>' if strict else '>='} {low}, got {value!r}")
    return float(value)


def _check_int(value: Any, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


# --------------------------------------------------------------------------- loop


def _is_dataset(X: Any) -> bool:
    """A map-style dataset (has ``__getitem__`` and ``__len__``) that is not an array."""
    return (
        not isinstance(X, (torch.Tensor, np.ndarray, list, tuple))
        and hasattr(X, "__getitem__")
        and hasattr(X, "__len__")
    )


def _distributed_active() -> bool:
    from .distributed import collectives as distributed

    return distributed.active()


def _batch_sampler(
    sampler: Any, X: Any, n: int, batch_size: int, seed: int, collective: bool
) -> Any:
    from .streaming import ChunkBatchSampler, RandomBatchSampler

    if sampler is None:
        sampler = "chunks" if (collective or _is_dataset(X)) else "random"
    if not isinstance(sampler, str):
        return sampler
    rank, world = 0, 1
    if collective:
        from .distributed import collectives as distributed

        rank, world = distributed.rank(), distributed.world_size()
        batch_size = max(1, batch_size // world)
    if sampler == "random":
        if collective:
            raise ValueError("sampler='random' cannot shard across ranks; use 'chunks'")
        return RandomBatchSampler(n, batch_size, seed)
    if sampler == "chunks":
        chunk = int(getattr(X, "chunk_size", 256))
        return ChunkBatchSampler(
            n, batch_size, chunk_size=chunk, seed=seed, rank=rank, world_size=world
        )
    raise ValueError(f"unknown sampler {sampler!r}; use 'random', 'chunks' or a batch sampler")


def _fetch_batch(X: Any, idx: torch.Tensor) -> torch.Tensor:
    """Rows ``idx`` of a tensor or dataset as a float32 tensor (B, C, L)."""
    if isinstance(X, torch.Tensor):
        return X[idx]
    if hasattr(X, "read_batch"):
        return X.read_batch(idx.numpy())
    items = [X[int(i)] for i in idx]
    return torch.stack(
        [torch.as_tensor(it[0] if isinstance(it, tuple) else it, dtype=torch.float32) for it in items]
    )


def _identity(batch: Any) -> Any:
    return batch


def _batch_reader(X: Any, batches: Any, num_workers: int) -> Callable[[], Iterable]:
    """A callable returning an iterator of ``(xb, idx)`` over one epoch of ``batches``."""
    if num_workers > 0 and _is_dataset(X) and hasattr(X, "read_batch"):
        from torch.utils.data import DataLoader

        loader = DataLoader(
            X, sampler=batches, batch_size=None, num_workers=num_workers,
            collate_fn=_identity, persistent_workers=True,
        )
        return lambda: iter(loader)

    def epoch() -> Iterable:
        for idx in batches:
            idx = torch.as_tensor(idx, dtype=torch.long)
            yield _fetch_batch(X, idx), idx

    return epoch


def train(
    module: nn.Module,
    X: torch.Tensor | Any,
    loss_fn: LossFn,
    *,
    epochs: int,
    batch_size: int = 256,
    lr: float = 1e-3,
    weight_decay: float = 0.0,
    lr_schedule: str = "constant",
    l2_penalty: float = 0.0,
    seed: int = 0,
    device: str | torch.device = "cpu",
    patience: int | None = None,
    min_delta: float = 1e-4,
    on_epoch_end: Callable[[int, nn.Module, dict], bool | None] | None = None,
    on_step: Callable[[int, nn.Module], None] | None = None,
    params: Iterable[torch.nn.Parameter] | None = None,
    verbose: int = 0,
    desc: str = "train",
    grad_clip: float | None = None,
    sampler: str | Any | None = None,
    num_workers: int = 0,
) -> list[dict[str, Any]]:
    """Train ``module`` with Adam on mini-batches of ``X``; the one loop of tsclust.

    Every epoch draws a permutation of the rows from a ``torch.Generator`` seeded with
    ``seed`` (the global generator is never touched), so runs on the CPU are bit-reproducible.

    Parameters
    ----------
    module : nn.Module
        Moved to ``device``; put in train mode at the start of each epoch and left in eval
        mode at the end.
    X : torch.Tensor of shape (N, C, L), or a map-style dataset
        float32 data on the CPU; each batch is moved to ``device`` inside the loop. A
        dataset (e.g. :class:`tsclust.streaming.StoreDataset`) is read batch by batch: with
        ``read_batch(positions) -> (B, C, L)`` when it has one, else by stacking
        ``X[i]`` (a tensor ``(C, L)`` or a tuple whose first item is one).
    loss_fn : callable ``(module, xb, idx) -> scalar tensor``
        ``xb`` is the batch ``(B, C, L)`` on ``device``, ``idx`` the CPU LongTensor ``(B,)`` of
        its row numbers in ``X`` (heads use it, e.g. for DEC's target distribution).
    epochs : int
        Maximum number of passes over ``X`` (>= 1).
    batch_size : int, default=256
        Mini-batch size; the last batch of an epoch may be smaller.
    lr : float, default=1e-3
        Base learning rate of Adam.
    weight_decay : float, default=0.0
        Adam's (coupled) weight decay.
    lr_schedule : {"constant", "linear", "cosine", "step"}, default="constant"
        Per-epoch decay of the learning rate from ``lr`` (see :func:`lr_factor`).
    l2_penalty : float, default=0.0
        ``beta`` of DAC's equation 6: ``beta * sum(p ** 2)`` over the optimised parameters is
        added to the loss of every step (DAC uses 1e-5).
    seed : int, default=0
        Seed of the batch-order generator.
    device : {"cpu", "cuda", "auto"} or torch.device, default="cpu"
        See :func:`resolve_device`.
    patience : int or None, default=None
        Stop when the epoch loss has not improved by more than ``min_delta`` for
        ``patience`` consecutive epochs. None disables early stopping.
    min_delta : float, default=1e-4
        Absolute improvement of the epoch loss that counts as progress.
    on_epoch_end : callable ``(epoch, module, record) -> bool`` or None
        Called after each epoch (0-based ``epoch``) with the epoch's record, which it may
        extend; returning True stops training.
    on_step : callable ``(step, module) -> None`` or None
        Called after each optimiser step with the global step count (1-based).
    params : iterable of nn.Parameter or None
        Parameters to optimise (restrict to a part of the module, or add e.g. cluster
        centroids). Default: every parameter of ``module`` that requires grad.
    verbose : int, default=0
        0: silent; >= 1: tqdm bar over epochs; >= 2: also log every epoch at INFO level.
    desc : str, default="train"
        Label of the progress bar and log lines.
    grad_clip : float or None, default=None
        If set, clip the global gradient norm of the optimised parameters to this value.
    sampler : {"random", "chunks"}, batch sampler or None, default=None
        Batch order. ``"random"``: a global permutation per epoch (the historical order,
        bit-identical for a tensor and a dataset holding the same rows); ``"chunks"``:
        :class:`tsclust.streaming.ChunkBatchSampler` (rows from a few storage chunks per
        batch: mostly contiguous reads). An object is iterated once per epoch (after
        ``set_epoch(epoch)`` when it has it) and yields index tensors. None: ``"random"``
        for a tensor, ``"chunks"`` for a dataset. Inside
        :func:`tsclust.distributed.collective` (several ranks) the default is a per-rank
        shard of ``"chunks"`` with ``batch_size // world_size`` rows per rank, and the
        module is wrapped in ``DistributedDataParallel``.
    num_workers : int, default=0
        DataLoader worker processes reading batches of a dataset (0: read in this process).

    Returns
    -------
    history : list of dict
        One record per completed epoch with ``"epoch"`` (0-based), ``"loss"`` (mean of the
        per-batch objective, weighted by batch size, ``l2_penalty`` term included),
        ``"lr"``, ``"time"`` (seconds), ``"steps"`` (global step count at the end of the epoch),
        ``"l2"`` when ``l2_penalty > 0``, and whatever ``on_epoch_end`` added.

    Raises
    ------
    ValueError
        Bad arguments (shape of ``X``, epochs, batch size, schedule, device...).
    FloatingPointError
        The loss became NaN or infinite (lower ``lr``).

    Examples
    --------
    >>> import torch
    >>> from tsclust.models import DenseAutoencoder
    >>> ae = DenseAutoencoder(1, 8, latent_dim=2, hidden=(8,))
    >>> X = torch.randn(32, 1, 8)
    >>> hist = train(ae, X, reconstruction_loss(), epochs=2, batch_size=16)
    >>> [sorted(r) for r in hist][0]
    ['epoch', 'loss', 'lr', 'steps', 'time']
    """
    if _is_dataset(X):
        if len(X) < 1:
            raise ValueError("X is an empty dataset")
    else:
        if not isinstance(X, torch.Tensor):
            X = torch.as_tensor(np.asarray(X, dtype=np.float32))
        if X.ndim < 2 or X.shape[0] < 1:
            raise ValueError(
                f"X must be a tensor of shape (N, C, L) with N >= 1, got {tuple(X.shape)}"
            )
    num_workers = _check_int(num_workers, "num_workers", 0)
    epochs = _check_int(epochs, "epochs", 1)
    batch_size = _check_int(batch_size, "batch_size", 1)
    lr = _check_number(lr, "lr", strict=True)
    weight_decay = _check_number(weight_decay, "weight_decay")
    l2_penalty = _check_number(l2_penalty, "l2_penalty")
    min_delta = _check_number(min_delta, "min_delta")
    if patience is not None:
        patience = _check_int(patience, "patience", 1)
    if lr_schedule not in LR_SCHEDULES:
        raise ValueError(
            f"unknown lr_schedule {lr_schedule!r}; valid names are {list(LR_SCHEDULES)}"
        )
    dev = resolve_device(device)

    module.to(dev)
    opt_params = [p for p in (module.parameters() if params is None else params) if p.requires_grad]
    if not opt_params:
        raise ValueError("no trainable parameters to optimise")
    optimizer = torch.optim.Adam(opt_params, lr=lr, weight_decay=weight_decay)
    n = len(X)
    collective = _distributed_active()
    batches = _batch_sampler(sampler, X, n, batch_size, seed, collective)
    net: Any = module
    extra: list[nn.Parameter] = []
    if collective:
        from .distributed import collectives as distributed

        net = distributed.wrap_module(module, dev)
        own = {id(p) for p in module.parameters()}
        extra = [p for p in opt_params if id(p) not in own]
    fetch = _batch_reader(X, batches, num_workers)
    history: list[dict[str, Any]] = []
    best, wait, step = math.inf, 0, 0
    non_blocking = dev.type == "cuda"

    bar = tqdm(range(epochs), desc=desc, disable=verbose < 1, leave=False)
    for epoch in bar:
        t0 = time.perf_counter()
        cur_lr = lr * lr_factor(lr_schedule, epoch, epochs)
        for group in optimizer.param_groups:
            group["lr"] = cur_lr
        module.train()
        if hasattr(batches, "set_epoch"):
            batches.set_epoch(epoch)
        total, total_l2, seen = 0.0, 0.0, 0
        for xb, idx in fetch():
            xb = xb.to(dev, non_blocking=non_blocking)
            loss = loss_fn(net, xb, idx)
            if l2_penalty > 0:
                l2 = torch.stack([p.pow(2).sum() for p in opt_params]).sum()
                loss = loss + l2_penalty * l2
                total_l2 += float(l2.detach()) * l2_penalty * idx.numel()
            if not torch.isfinite(loss):
                raise FloatingPointError(
                    f"{desc}: loss is {float(loss.detach())} at epoch {epoch}, step {step + 1}; "
                    "try a lower lr or check the input scaling"
                )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if extra:
                from .distributed import collectives as distributed

                distributed.average_gradients(extra)
            if grad_clip is not None:
                nn.utils.clip_grad_norm_(opt_params, grad_clip)
            optimizer.step()
            step += 1
            total += float(loss.detach()) * idx.numel()
            seen += idx.numel()
            if on_step is not None:
                on_step(step, module)
        if collective:
            from .distributed import collectives as distributed

            sums = distributed.all_reduce_sum(torch.tensor([total, total_l2, float(seen)], dtype=torch.float64))
            total, total_l2, seen = float(sums[0]), float(sums[1]), int(sums[2])
        record: dict[str, Any] = {
            "epoch": epoch,
            "loss": total / seen,
            "lr": cur_lr,
            "time": time.perf_counter() - t0,
            "steps": step,
        }
        if l2_penalty > 0:
            record["l2"] = total_l2 / seen
        stop = bool(on_epoch_end(epoch, module, record)) if on_epoch_end is not None else False
        history.append(record)
        bar.set_postfix(loss=f"{record['loss']:.4g}")
        if verbose >= 2:
            logger.info(
                "%s epoch %d/%d loss %.6g lr %.3g (%.2fs)",
                desc,
                epoch + 1,
                epochs,
                record["loss"],
                cur_lr,
                record["time"],
            )
        else:
            logger.debug("%s epoch %d loss %.6g", desc, epoch, record["loss"])
        if stop:
            logger.info("%s: stopped by callback after epoch %d", desc, epoch)
            break
        if patience is not None:
            if record["loss"] < best - min_delta:
                best, wait = record["loss"], 0
            else:
                wait += 1
                if wait >= patience:
                    record["early_stop"] = True
                    logger.info(
                        "%s: early stop after epoch %d (no improvement in %d epochs)",
                        desc,
                        epoch,
                        patience,
                    )
                    break
    bar.close()
    module.eval()
    return history


# --------------------------------------------------------------------------- inference


def _batched_apply(
    fn: Callable[[torch.Tensor], torch.Tensor],
    module: nn.Module,
    X: torch.Tensor | np.ndarray | Any,
    batch_size: int,
    device: str | torch.device | None,
    shard: bool = False,
) -> np.ndarray:
    """Apply ``fn`` to contiguous batches of a tensor or dataset (rows in order).

    With ``shard`` inside :func:`tsclust.distributed.collective`, each rank applies ``fn``
    to its contiguous shard and the results are all-gathered (every rank gets all rows).
    """
    is_ds = _is_dataset(X)
    if not is_ds:
        X = torch.as_tensor(X, dtype=torch.float32)
    batch_size = _check_int(batch_size, "batch_size", 1)
    dev = _module_device(module) if device is None else resolve_device(device)
    module.to(dev)
    n = len(X)
    lo, hi = 0, n
    gather = shard and _distributed_active()
    if gather:
        from .distributed import collectives as distributed
        from .streaming import shard_bounds

        lo, hi = shard_bounds(n, distributed.rank(), distributed.world_size())
    was_training = module.training
    module.eval()
    outs = []
    try:
        with torch.no_grad():
            for start in range(lo, hi, batch_size):
                stop = min(start + batch_size, hi)
                xb = _fetch_batch(X, torch.arange(start, stop)) if is_ds else X[start:stop]
                outs.append(fn(xb.to(dev)).cpu())
    finally:
        module.train(was_training)
    if gather:
        if not outs:  # an empty shard still takes part in the gather
            probe = _fetch_batch(X, torch.arange(0, 1)) if is_ds else X[:1]
            with torch.no_grad():
                outs.append(fn(probe.to(dev)).cpu()[:0])
        return distributed.all_gather_rows(torch.cat(outs).numpy(), n)
    if not outs:
        raise ValueError("cannot apply the module to an empty input")
    return torch.cat(outs).numpy()


def encode(
    module: nn.Module,
    X: torch.Tensor | np.ndarray | Any,
    batch_size: int = 4096,
    device: str | torch.device | None = None,
) -> np.ndarray:
    """Latents of ``X`` ``(N, C, L)``: ``module.encode`` in eval mode without gradients.

    Parameters
    ----------
    module : nn.Module
        Has an ``encode`` method.
    X : tensor or ndarray of shape (N, C, L), or a map-style dataset
        A dataset (e.g. :class:`tsclust.streaming.StoreDataset`) is read in contiguous
        batches, so only one batch is in memory.
    batch_size : int, default=4096
    device : str, torch.device or None, default=None
        None keeps the module where it is; otherwise see :func:`resolve_device`.

    Returns
    -------
    Z : ndarray of shape (N, latent_dim), float32
        Inside :func:`tsclust.distributed.collective` each rank encodes its shard and every
        rank receives all ``N`` rows.
    """
    return _batched_apply(module.encode, module, X, batch_size, device, shard=True)


def decode(
    module: nn.Module,
    Z: torch.Tensor | np.ndarray,
    batch_size: int = 4096,
    device: str | torch.device | None = None,
) -> np.ndarray:
    """Decode latents ``Z`` ``(N, latent_dim)`` (eval, no grad): windows ``(N, C, L)``, or for
    ``"cov"`` standardised statistics ``(N, n_features)`` (shaped like ``module.target``)."""
    return _batched_apply(module.decode, module, Z, batch_size, device)


def reconstruct(
    module: nn.Module,
    X: torch.Tensor | np.ndarray | Any,
    batch_size: int = 4096,
    device: str | torch.device | None = None,
) -> np.ndarray:
    """Reconstruction of ``X`` ``(N, C, L)`` or a dataset (``module(x)[0]``, eval, no grad).

    Shaped like ``module.target(x)``: ``(N, C, L)`` windows for every architecture but
    ``"cov"``, whose target is a statistics vector ``(N, n_features)``.
    """
    return _batched_apply(lambda xb: module(xb)[0], module, X, batch_size, device)


def reconstruction_errors(
    module: nn.Module,
    X: torch.Tensor | np.ndarray | Any,
    batch_size: int = 4096,
    device: str | torch.device | None = None,
) -> np.ndarray:
    """Per-window mean squared error ``(N,)`` between ``module(x)[0]`` and ``module.target(x)``."""

    def _err(xb: torch.Tensor) -> torch.Tensor:
        x_hat = module(xb)[0]
        return (x_hat - module.target(xb)).pow(2).flatten(1).mean(1)  # (B,)

    return _batched_apply(_err, module, X, batch_size, device)


def prepare_module(
    module: nn.Module,
    X: torch.Tensor | np.ndarray | Any,
    batch_size: int = 4096,
    device: str | torch.device | None = None,
) -> None:
    """Fit a module's data-dependent buffers on its training windows, before training.

    Modules with ``statistics`` and ``fit_statistics`` (the ``"cov"`` architecture) get the
    standardisation of their statistics from ``X`` ``(N, C, L)`` or a dataset; every other
    module is left as it is. Every rank of a distributed run computes the same values.
    """
    fit = getattr(module, "fit_statistics", None)
    if fit is None:
        return
    stats = _batched_apply(module.statistics, module, X, batch_size, device)  # (N, F)
    fit(torch.from_numpy(np.asarray(stats)))


def feature_view(
    module: nn.Module,
    X: torch.Tensor | np.ndarray | Any,
    batch_size: int = 4096,
    device: str | torch.device | None = None,
    max_bytes: int = 2**30,
) -> tuple[nn.Module, Any]:
    """What to train on: a module with a fixed input stage sees its features, computed once.

    For a module with ``has_fixed_features`` (the ``"cov"`` statistics), returns
    ``(FeatureView(module), F)`` with ``F`` the features ``(N, module.n_features)`` of ``X``
    (float32, CPU): training the view updates ``module`` exactly as training ``module`` on
    ``X`` would, without recomputing the statistics of every batch in every epoch. Call it
    after :func:`prepare_module` (the features are standardised).

    ``X`` is windows ``(N, C, L)`` or a dataset (a streamed store, read once in contiguous
    batches). A dataset whose features would take more than ``max_bytes`` stays streamed:
    ``(module, X)`` is returned unchanged, as it is for any other module.
    """
    if not getattr(module, "has_fixed_features", False):
        return module, X
    if _is_dataset(X) and len(X) * int(module.n_features) * 4 > max_bytes:
        return module, X
    feats = _batched_apply(module.features, module, X, batch_size, device)  # (N, F)
    return FeatureView(module), torch.from_numpy(np.ascontiguousarray(feats))


# --------------------------------------------------------------------------- losses


def mse_loss(x_hat: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Mean squared error over every element of ``(N, C, L)`` tensors."""
    return nn.functional.mse_loss(x_hat, x)


def weighted_mse(x_hat: torch.Tensor, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """DAC clustering-weighted MSE (equation 4), averaged over the batch.

    For each sample, ``sum_i w_i (x_i - x_hat_i) ** 2 / d`` with ``d = C * L`` features; the
    result is the mean over the ``N`` samples.

    Parameters
    ----------
    x_hat, x : torch.Tensor of shape (N, C, L)
    w : torch.Tensor of shape (C * L,) or (C, L)
        Feature weights in the channel-major flattening of ``(C, L)``, i.e. the order of
        ``x.reshape(N, -1)`` (as returned by :func:`dac_feature_weights` on that flattening).

    Returns
    -------
    torch.Tensor
        Scalar.
    """
    w = torch.as_tensor(w, dtype=x.dtype, device=x.device).reshape(x.shape[1:])
    return ((x_hat - x).pow(2) * w).mean()


def reconstruction_loss(feature_weights: torch.Tensor | np.ndarray | None = None) -> LossFn:
    """A ``loss_fn(module, xb, idx)`` for :func:`train`: MSE or DAC weighted MSE of ``module(xb)[0]``.

    Parameters
    ----------
    feature_weights : array of shape (C * L,) or (C, L), or None
        None: plain MSE; else :func:`weighted_mse` with these weights.
    """
    if feature_weights is None:

        def _mse(module: nn.Module, xb: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
            x_hat, _ = module(xb)  # shaped like module.target(xb): (B, C, L) for windows
            return mse_loss(x_hat, module.target(xb))

        return _mse
    w_cpu = torch.as_tensor(np.asarray(feature_weights, dtype=np.float32))
    cache: dict[torch.device, torch.Tensor] = {}

    def _wmse(module: nn.Module, xb: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
        if xb.device not in cache:
            cache[xb.device] = w_cpu.to(xb.device).reshape(xb.shape[1:])
        x_hat, _ = module(xb)  # (B, C, L)
        if x_hat.shape != xb.shape:
            raise ValueError(
                "the DAC weighted loss needs an architecture that reconstructs the windows; "
                f"this one reconstructs shape {tuple(x_hat.shape[1:])}"
            )
        return weighted_mse(x_hat, xb, cache[xb.device])

    return _wmse


def dac_feature_weights(
    X_flat: np.ndarray,
    groups: np.ndarray,
    *,
    max_samples: int | None = 1000,
    seed: int = 0,
    chunk_elements: int = 4_000_000,
) -> np.ndarray:
    """Per-feature weights of DAC's clustering-weighted MSE (equation 5 of Li et al.).

    For feature ``i``::

        w_i = mean_{p != q, l_p == l_q} exp(-(x_ip - x_iq)^2)
              * mean_{l_p != l_q} (1 - exp(-(x_ip - x_iq)^2))

    A feature gets a large weight when values agree within groups and differ between
    groups. Pairs are ordered pairs of *distinct* samples: the ``p == q`` pairs are excluded
    from the same-group mean (each would add ``exp(0) = 1`` regardless of the data and pull
    every weight towards the group-size bias); ordered vs unordered pairs give the same means.

    Parameters
    ----------
    X_flat : ndarray of shape (m, d)
        Flattened samples (for windows ``(N, C, L)`` use ``reshape(N, -1)`` so the weights
        line up with :func:`weighted_mse`).
    groups : ndarray of shape (m,)
        Group label of each sample (ground truth or k-means pseudo-labels).
    max_samples : int or None, default=1000
        Use a random subset of this many samples (the paper uses 1000); None uses all.
        The cost is ``O(m^2 d)``.
    seed : int, default=0
        Seed of the subset draw.
    chunk_elements : int, default=4_000_000
        Memory bound: rows are processed in chunks of about this many pair-feature terms.

    Returns
    -------
    w : ndarray of shape (d,), float64
        Weights in [0, 1].

    Raises
    ------
    ValueError
        Mismatched shapes, non-finite values, no same-group pair (every group a singleton)
        or no different-group pair (a single group).

    Examples
    --------
    >>> X = np.array([[0.0, 5.0], [0.0, 1.0], [3.0, 0.0], [3.0, 2.0]])
    >>> w = dac_feature_weights(X, np.array([0, 0, 1, 1]))
    >>> bool(w[0] > w[1])
    True
    """
    X_flat = np.asarray(X_flat, dtype=np.float64)
    groups = np.asarray(groups)
    if X_flat.ndim != 2:
        raise ValueError(f"X_flat must be 2-D (m, d), got shape {X_flat.shape}")
    if groups.shape != (X_flat.shape[0],):
        raise ValueError(
            f"groups must have shape ({X_flat.shape[0]},) to match X_flat, got {groups.shape}"
        )
    if not np.isfinite(X_flat).all():
        raise ValueError("X_flat contains NaN or inf")
    m = X_flat.shape[0]
    if max_samples is not None and m > max_samples:
        sub = np.sort(np.random.RandomState(seed).choice(m, int(max_samples), replace=False))
        X_flat, groups = X_flat[sub], groups[sub]
        m = X_flat.shape[0]
    _, codes = np.unique(groups, return_inverse=True)
    counts = np.bincount(codes)
    n_same = float((counts * (counts - 1)).sum())  # ordered pairs p != q, same group
    n_diff = float(m * m - (counts**2).sum())  # ordered pairs, different groups
    if n_same == 0:
        raise ValueError("dac_feature_weights needs at least one group with two samples")
    if n_diff == 0:
        raise ValueError("dac_feature_weights needs at least two groups")

    Xt = torch.from_numpy(X_flat)  # (m, d)
    codes_t = torch.from_numpy(codes)
    d = Xt.shape[1]
    s_same = torch.zeros(d, dtype=torch.float64)
    s_all = torch.zeros(d, dtype=torch.float64)
    rows = max(1, int(chunk_elements // max(1, m * d)))
    for start in range(0, m, rows):
        blk = Xt[start : start + rows]  # (b, d)
        e = torch.exp(-(blk[:, None, :] - Xt[None, :, :]).pow(2))  # (b, m, d)
        same = (codes_t[start : start + rows, None] == codes_t[None, :]).to(e.dtype)  # (b, m)
        s_same += torch.einsum("bm,bmd->d", same, e)
        s_all += e.sum(dim=(0, 1))
    # remove the p == q terms (exp(0) = 1), which are same-group pairs
    s_same -= m
    s_all -= m
    s_diff = s_all - s_same
    w = (s_same / n_same) * (1.0 - s_diff / n_diff)
    return w.clamp_(0.0, 1.0).numpy()


def dac_pseudo_labels(X: np.ndarray, n_clusters: int, seed: int = 0) -> np.ndarray:
    """k-means pseudo-labels of flattened raw samples, the unsupervised groups for DAC weights.

    Parameters
    ----------
    X : ndarray of shape (m, ...)
        Samples, flattened to ``(m, prod(...))``.
    n_clusters : int
        Number of k-means clusters (>= 2, <= m).
    seed : int, default=0
        ``random_state`` of k-means.

    Returns
    -------
    labels : ndarray of shape (m,), int
    """
    from sklearn.cluster import KMeans

    from ._validation import check_n_clusters

    X = np.asarray(X, dtype=np.float64)
    flat = X.reshape(X.shape[0], -1)
    k = check_n_clusters(n_clusters, flat.shape[0])
    return KMeans(n_clusters=k, n_init=4, random_state=int(seed)).fit_predict(flat)
