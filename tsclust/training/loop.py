"""The one training loop of tsclust: Adam over seeded mini-batches, callbacks, a strategy.

:func:`train` runs ``loss_fn(module, xb, idx)`` over mini-batches ``xb`` of a channels-first
tensor ``(N, C, L)`` (or of precomputed features ``(N, F)``, or of a map-style dataset such as
a streamed store). What differs between uses is outside the loop:

- a :class:`TrainConfig` holds the optimiser and batching settings;
- :class:`Callback` objects see every step and every epoch end (a head refreshing its
  target, :class:`EarlyStopping`); one returning True from ``on_epoch_end`` stops training;
- a strategy (:class:`SingleProcess` or :class:`DataParallel`) says how batches are drawn,
  how the module is wrapped, and how gradients and epoch sums are combined across ranks.
"""

from __future__ import annotations

import logging
import math
import numbers
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from ..distributed import collectives
from .batches import batch_reader, default_sampler, is_dataset
from .losses import LossFn

__all__ = [
    "LR_SCHEDULES",
    "LossFn",
    "TrainingDivergedError",
    "TrainConfig",
    "Callback",
    "LambdaCallback",
    "EarlyStopping",
    "SingleProcess",
    "DataParallel",
    "default_strategy",
    "make_adam",
    "FUSED_ADAM_DEVICES",
    "train",
    "resolve_device",
    "lr_factor",
]

logger = logging.getLogger(__name__)

LR_SCHEDULES = ("constant", "linear", "cosine", "step")


class TrainingDivergedError(ValueError, FloatingPointError):
    """The loss or the optimised parameters of :func:`train` became NaN or infinite.

    A ValueError (the command line reports it as a user error) and, as before, a
    FloatingPointError.
    """

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


# --------------------------------------------------------------------------- settings


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


@dataclass(frozen=True)
class TrainConfig:
    """Optimiser and batching settings of one :func:`train` run (checked on creation).

    Parameters
    ----------
    epochs : int
        Maximum number of passes over the data (>= 1).
    batch_size : int, default=256
        Mini-batch size (global: each of ``W`` ranks takes ``batch_size // W`` rows).
    lr : float, default=1e-3
        Base learning rate of Adam.
    weight_decay : float, default=0.0
        Adam's (coupled) weight decay.
    lr_schedule : {"constant", "linear", "cosine", "step"}, default="constant"
        Per-epoch decay of the learning rate (:func:`lr_factor`).
    l2_penalty : float, default=0.0
        DAC's ``beta`` (equation 6): ``beta * sum(p ** 2)`` over the optimised parameters
        is added to the loss of every step (DAC uses 1e-5).
    grad_clip : float or None, default=None
        Clip the global gradient norm of the optimised parameters to this value.
    seed : int, default=0
        Seed of the batch order (a ``torch.Generator``; the global one is never touched).
    device : {"cpu", "cuda", "auto"} or torch.device, default="cpu"
        See :func:`resolve_device`.
    sampler : {"random", "chunks"}, batch sampler or None, default=None
        Batch order: ``"random"``, a permutation per epoch; ``"chunks"``, rows from a few
        storage chunks per batch (:class:`tsclust.streaming.ChunkBatchSampler`); an object
        yielding index tensors (``set_epoch(epoch)`` is called when it has it). None:
        ``"random"`` for a tensor, ``"chunks"`` for a dataset or across ranks.
    num_workers : int, default=0
        DataLoader processes reading the batches of a dataset (0: this process).
    verbose : int, default=0
        0: silent; >= 1: a tqdm bar over epochs; >= 2: also an INFO log line per epoch.
    desc : str, default="train"
        Label of the progress bar and the log lines.
    """

    epochs: int
    batch_size: int = 256
    lr: float = 1e-3
    weight_decay: float = 0.0
    lr_schedule: str = "constant"
    l2_penalty: float = 0.0
    grad_clip: float | None = None
    seed: int = 0
    device: str | torch.device = "cpu"
    sampler: str | Any | None = None
    num_workers: int = 0
    verbose: int = 0
    desc: str = "train"

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "epochs", _check_int(self.epochs, "epochs", 1))
        set_(self, "batch_size", _check_int(self.batch_size, "batch_size", 1))
        set_(self, "num_workers", _check_int(self.num_workers, "num_workers", 0))
        set_(self, "lr", _check_number(self.lr, "lr", strict=True))
        set_(self, "weight_decay", _check_number(self.weight_decay, "weight_decay"))
        set_(self, "l2_penalty", _check_number(self.l2_penalty, "l2_penalty"))
        if self.grad_clip is not None:
            set_(self, "grad_clip", _check_number(self.grad_clip, "grad_clip", strict=True))
        if self.lr_schedule not in LR_SCHEDULES:
            raise ValueError(
                f"unknown lr_schedule {self.lr_schedule!r}; valid names are {list(LR_SCHEDULES)}"
            )
        if not isinstance(self.device, torch.device):  # resolved once, by the caller
            set_(self, "device", resolve_device(self.device))

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The settings' names (the keyword arguments :func:`train` accepts for them)."""
        return tuple(f.name for f in fields(cls))


# --------------------------------------------------------------------------- callbacks


class Callback:
    """Hooks of :func:`train`; the base class does nothing.

    ``on_step(step, module)`` runs after every optimiser step (``step`` counts from 1 over
    the whole run); ``on_epoch_end(epoch, module, record)`` after every epoch (0-based)
    with that epoch's record, which it may extend; returning True stops training.
    """

    def on_step(self, step: int, module: nn.Module) -> None:
        """After optimiser step ``step``."""

    def on_epoch_end(self, epoch: int, module: nn.Module, record: dict[str, Any]) -> bool:
        """After epoch ``epoch``; True stops training."""
        return False


class LambdaCallback(Callback):
    """A callback made of plain functions (either may be None).

    Examples
    --------
    >>> cb = LambdaCallback(on_epoch_end=lambda epoch, module, record: epoch >= 1)
    >>> cb.on_epoch_end(0, None, {}), cb.on_epoch_end(1, None, {})
    (False, True)
    """

    def __init__(
        self,
        on_step: Callable[[int, nn.Module], None] | None = None,
        on_epoch_end: Callable[[int, nn.Module, dict], bool | None] | None = None,
    ) -> None:
        self._on_step, self._on_epoch_end = on_step, on_epoch_end

    def on_step(self, step: int, module: nn.Module) -> None:
        if self._on_step is not None:
            self._on_step(step, module)

    def on_epoch_end(self, epoch: int, module: nn.Module, record: dict[str, Any]) -> bool:
        return bool(self._on_epoch_end(epoch, module, record)) if self._on_epoch_end else False


class EarlyStopping(Callback):
    """Stop when the epoch loss has not improved by more than ``min_delta`` for ``patience`` epochs.

    The stopping epoch's record gets ``"early_stop": True``.

    Parameters
    ----------
    patience : int
        Epochs without progress tolerated (>= 1).
    min_delta : float, default=1e-4
        Absolute improvement of the epoch loss that counts as progress.
    """

    def __init__(self, patience: int, min_delta: float = 1e-4) -> None:
        self.patience = _check_int(patience, "patience", 1)
        self.min_delta = _check_number(min_delta, "min_delta")
        self.best, self.wait = math.inf, 0

    def on_epoch_end(self, epoch: int, module: nn.Module, record: dict[str, Any]) -> bool:
        if record["loss"] < self.best - self.min_delta:
            self.best, self.wait = record["loss"], 0
            return False
        self.wait += 1
        if self.wait < self.patience:
            return False
        record["early_stop"] = True
        logger.info("early stop after epoch %d (no improvement in %d epochs)", epoch, self.patience)
        return True


# --------------------------------------------------------------------------- strategies


class SingleProcess:
    """Train in this process: the module as it is, gradients and sums left alone."""

    rank, world_size = 0, 1

    def batch_sampler(self, sampler: Any, X: Any, n: int, config: TrainConfig) -> Any:
        """The batch order of one run (see :class:`TrainConfig`'s ``sampler``)."""
        return default_sampler(sampler, X, n, config.batch_size, config.seed, self.rank,
                               self.world_size, sharded=False)

    def wrap(self, module: nn.Module, params: Sequence[nn.Parameter], device: torch.device) -> Any:
        """What ``loss_fn`` calls: the module itself."""
        return module

    def sync_gradients(self) -> None:
        """Combine gradients across ranks before the optimiser step (nothing to do here)."""

    def reduce(self, sums: torch.Tensor) -> torch.Tensor:
        """Sum an epoch's running totals over ranks (the identity here)."""
        return sums


class DataParallel(SingleProcess):
    """Every rank trains on its shard; DDP averages the module's gradients.

    Parameters that are optimised but live outside the module (DEC's centroids) have their
    gradients averaged here; batches come from per-rank shards of ``"chunks"`` with
    ``batch_size // world_size`` rows per rank.
    """

    def __init__(self) -> None:
        self.rank, self.world_size = collectives.rank(), collectives.world_size()
        self._extra: list[nn.Parameter] = []

    def batch_sampler(self, sampler: Any, X: Any, n: int, config: TrainConfig) -> Any:
        return default_sampler(sampler, X, n, max(1, config.batch_size // self.world_size),
                               config.seed, self.rank, self.world_size, sharded=True)

    def wrap(self, module: nn.Module, params: Sequence[nn.Parameter], device: torch.device) -> Any:
        own = {id(p) for p in module.parameters()}
        self._extra = [p for p in params if id(p) not in own]
        return collectives.wrap_module(module, device)

    def sync_gradients(self) -> None:
        if self._extra:
            collectives.average_gradients(self._extra)

    def reduce(self, sums: torch.Tensor) -> torch.Tensor:
        return collectives.all_reduce_sum(sums)


#: Devices whose Adam runs fused (one kernel per step over every parameter): on the CPU it
#: takes the 5.2M-parameter update of the random-kernel MLP (9,996 features in and out) from
#: 20.2 ms to 3.3 ms, and a whole batch-32 step from 31.4 ms to 11.9 ms;
#: ``scripts/bench_adam.py``.
FUSED_ADAM_DEVICES = ("cpu", "cuda")


def make_adam(params: Sequence[nn.Parameter], lr: float, weight_decay: float) -> torch.optim.Adam:
    """Adam over ``params``, fused where every parameter is a float tensor on one fused device.

    The fused update is the same algorithm as the loop over tensors (equal up to float
    rounding); parameters elsewhere (another device type, mixed devices, non-float) get the
    default implementation.
    """
    params = list(params)
    kinds = {p.device.type for p in params}
    fused = (len(kinds) == 1 and kinds <= set(FUSED_ADAM_DEVICES)
             and all(p.is_floating_point() for p in params))
    return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay, fused=fused or None)


def default_strategy() -> SingleProcess:
    """:class:`DataParallel` inside :func:`tsclust.distributed.collective` with several ranks."""
    return DataParallel() if collectives.active() else SingleProcess()


# --------------------------------------------------------------------------- loop


def train(
    module: nn.Module,
    X: torch.Tensor | Any,
    loss_fn: LossFn,
    config: TrainConfig | None = None,
    *,
    callbacks: Sequence[Callback] = (),
    params: Iterable[nn.Parameter] | None = None,
    strategy: SingleProcess | None = None,
    **settings: Any,
) -> list[dict[str, Any]]:
    """Train ``module`` with Adam on mini-batches of ``X``.

    Every epoch draws its batch order from a ``torch.Generator`` seeded with the config's
    ``seed`` (the global generator is never touched), so CPU runs are bit-reproducible.

    Parameters
    ----------
    module : nn.Module
        Moved to the device; in train mode during each epoch, left in eval mode.
    X : torch.Tensor of shape (N, ...), or a map-style dataset
        float32 rows on the CPU (windows ``(N, C, L)`` or features ``(N, F)``); each batch is
        moved to the device in the loop. A dataset (e.g.
        :class:`tsclust.streaming.StoreDataset`) is read batch by batch, through
        ``read_batch(positions)`` when it has one.
    loss_fn : callable ``(module, xb, idx) -> scalar tensor``
        ``xb`` the batch on the device, ``idx`` the CPU LongTensor ``(B,)`` of its rows.
    config : TrainConfig or None
        The settings; None builds one from ``**settings``.
    callbacks : sequence of Callback, default=()
        Called in order; the first to ask for a stop at an epoch end ends training.
    params : iterable of nn.Parameter or None
        What to optimise (a part of the module, or extra tensors such as centroids);
        default: every parameter of ``module`` that requires grad.
    strategy : SingleProcess, DataParallel or None
        None: :func:`default_strategy`.
    **settings
        :class:`TrainConfig` fields, when ``config`` is None (``epochs=...`` at least).

    Returns
    -------
    history : list of dict
        One record per epoch: ``"epoch"``, ``"loss"`` (mean per-batch objective weighted by
        batch size, ``l2_penalty`` term included), ``"lr"``, ``"time"`` (s), ``"steps"``
        (global step count), ``"l2"`` when ``l2_penalty > 0``, and what callbacks add.

    Raises
    ------
    ValueError
        Bad settings, an empty ``X``, or nothing to optimise.
    TrainingDivergedError
        At the end of an epoch, the epoch loss or an optimised parameter is NaN or
        infinite (lower ``lr``). A ValueError and a FloatingPointError.

    Examples
    --------
    >>> import torch
    >>> from tsclust.models import DenseAutoencoder
    >>> from tsclust.training import reconstruction_loss
    >>> ae = DenseAutoencoder(1, 8, latent_dim=2, hidden=(8,))
    >>> hist = train(ae, torch.randn(32, 1, 8), reconstruction_loss(), epochs=2, batch_size=16)
    >>> sorted(hist[0])
    ['epoch', 'loss', 'lr', 'steps', 'time']
    """
    if config is None:
        unknown = set(settings) - set(TrainConfig.names())
        if unknown:
            raise TypeError(f"train() got unknown settings {sorted(unknown)}")
        config = TrainConfig(**settings)
    elif settings:
        raise TypeError("pass either config or settings, not both")
    X = _check_data(X)
    strategy = default_strategy() if strategy is None else strategy
    dev = config.device
    module.to(dev)
    opt_params = [p for p in (module.parameters() if params is None else params) if p.requires_grad]
    if not opt_params:
        raise ValueError("no trainable parameters to optimise")
    optimizer = make_adam(opt_params, config.lr, config.weight_decay)
    batches = strategy.batch_sampler(config.sampler, X, len(X), config)
    net = strategy.wrap(module, opt_params, dev)
    epoch_batches = batch_reader(X, batches, config.num_workers)
    run = _Run(config, optimizer, opt_params, strategy, callbacks, dev)
    history: list[dict[str, Any]] = []
    # counted by hand, not by iterating the bar: an epoch that ends training still counts;
    # the bar stays, so its last line says how far training went
    bar = tqdm(total=config.epochs, desc=config.desc, disable=config.verbose < 1, leave=True)
    for epoch in range(config.epochs):
        if hasattr(batches, "set_epoch"):
            batches.set_epoch(epoch)
        record = run.epoch(epoch, module, net, loss_fn, epoch_batches())
        history.append(record)
        stop = any(cb.on_epoch_end(epoch, module, record) for cb in callbacks)
        note = f", stopped after epoch {epoch + 1}" if stop else ""
        bar.set_postfix_str(f"loss={record['loss']:.4g}{note}", refresh=False)
        bar.update(1)
        _log_epoch(config, epoch, record)
        if stop:
            logger.info("%s: stopped by a callback after epoch %d", config.desc, epoch)
            break
    bar.close()
    module.eval()
    return history


def _check_data(X: Any) -> Any:
    if is_dataset(X):
        if len(X) < 1:
            raise ValueError("X is an empty dataset")
        return X
    if not isinstance(X, torch.Tensor):
        X = torch.as_tensor(np.asarray(X, dtype=np.float32))
    if X.ndim < 2 or X.shape[0] < 1:
        raise ValueError(f"X must be a tensor of shape (N, ...) with N >= 1, got {tuple(X.shape)}")
    return X


def _log_epoch(config: TrainConfig, epoch: int, record: dict[str, Any]) -> None:
    if config.verbose >= 2:
        logger.info("%s epoch %d/%d loss %.6g lr %.3g (%.2fs)", config.desc, epoch + 1,
                    config.epochs, record["loss"], record["lr"], record["time"])
    else:
        logger.debug("%s epoch %d loss %.6g", config.desc, epoch, record["loss"])


class _Run:
    """The state of one :func:`train` call that its epochs share (optimiser, step count)."""

    def __init__(self, config: TrainConfig, optimizer: torch.optim.Optimizer,
                 params: list[nn.Parameter], strategy: SingleProcess,
                 callbacks: Sequence[Callback], device: torch.device) -> None:
        self.config, self.optimizer, self.params = config, optimizer, params
        self.strategy, self.callbacks, self.device = strategy, callbacks, device
        self.step = 0

    def loss(self, net: Any, loss_fn: LossFn, xb: torch.Tensor, idx: torch.Tensor
             ) -> tuple[torch.Tensor, float]:
        """The step's objective and its L2 part (already weighted)."""
        loss, l2_part = loss_fn(net, xb, idx), 0.0
        beta = self.config.l2_penalty
        if beta > 0:
            l2 = torch.stack([p.pow(2).sum() for p in self.params]).sum()
            loss = loss + beta * l2
            l2_part = float(l2.detach()) * beta
        return loss, l2_part

    def check_finite(self, record: dict[str, Any]) -> None:
        """Raise :class:`TrainingDivergedError` if the epoch's loss or a parameter is not finite.

        The one divergence check of the loop, at the end of each epoch: the epoch loss is
        already summed over ranks and the parameters are the same on every rank, so all
        ranks raise together. A loss that is finite while the parameters are not (a NaN
        gradient of a saturated loss) is caught as well.
        """
        bad = sum(int((~torch.isfinite(p.detach())).sum()) for p in self.params)
        if math.isfinite(record["loss"]) and not bad:
            return
        c = self.config
        params = f", {bad} NaN/inf parameter values" if bad else ""
        raise TrainingDivergedError(
            f"{c.desc}: training diverged at epoch {record['epoch'] + 1}/{c.epochs} (loss "
            f"{record['loss']:.4g}{params}); lower lr={c.lr:g} or check the input scaling"
        )

    def epoch(self, epoch: int, module: nn.Module, net: Any, loss_fn: LossFn,
              batches: Iterable[tuple[torch.Tensor, torch.Tensor]]) -> dict[str, Any]:
        """One pass over ``batches``; returns the epoch's record."""
        c, t0 = self.config, time.perf_counter()
        cur_lr = c.lr * lr_factor(c.lr_schedule, epoch, c.epochs)
        for group in self.optimizer.param_groups:
            group["lr"] = cur_lr
        module.train()
        total, total_l2, seen = 0.0, 0.0, 0
        non_blocking = self.device.type == "cuda"
        for xb, idx in batches:
            xb = xb.to(self.device, non_blocking=non_blocking)
            loss, l2_part = self.loss(net, loss_fn, xb, idx)
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            self.strategy.sync_gradients()
            if c.grad_clip is not None:
                nn.utils.clip_grad_norm_(self.params, c.grad_clip)
            self.optimizer.step()
            self.step += 1
            total += float(loss.detach()) * idx.numel()
            total_l2 += l2_part * idx.numel()
            seen += idx.numel()
            for cb in self.callbacks:
                cb.on_step(self.step, module)
        sums = self.strategy.reduce(torch.tensor([total, total_l2, float(seen)], dtype=torch.float64))
        total, total_l2, seen = float(sums[0]), float(sums[1]), int(sums[2])
        record: dict[str, Any] = {"epoch": epoch, "loss": total / seen, "lr": cur_lr,
                                  "time": time.perf_counter() - t0, "steps": self.step}
        if c.l2_penalty > 0:
            record["l2"] = total_l2 / seen
        self.check_finite(record)
        return record
