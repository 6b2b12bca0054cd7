"""Training: the one loop (:mod:`.loop`), every loss (:mod:`.losses`), batched inference.

- :mod:`tsclust.training.loop`: :func:`train`, :class:`TrainConfig`, callbacks
  (:class:`Callback`, :class:`LambdaCallback`, :class:`EarlyStopping`) and the
  single-process / data-parallel strategies.
- :mod:`tsclust.training.losses`: reconstruction, DAC's clustering-weighted MSE, the
  pretext terms (contrastive, triplet) and the heads' clustering terms.
- :mod:`tsclust.training.augment`: time-series augmentations of the pretext views.
- :mod:`tsclust.training.inference`: :func:`encode`, :func:`decode`, :func:`reconstruct`,
  :func:`reconstruction_errors`, and the fixed-feature helpers :func:`prepare_module`,
  :func:`fit_stage_windows`, :func:`raw_features` and :func:`feature_view`.
- :mod:`tsclust.training.batches`: samplers and batch readers shared by loop and inference.
"""

from .inference import (
    decode,
    encode,
    feature_view,
    fit_stage_windows,
    prepare_module,
    raw_features,
    reconstruct,
    reconstruction_errors,
)
from .loop import (
    LR_SCHEDULES,
    Callback,
    DataParallel,
    EarlyStopping,
    LambdaCallback,
    SingleProcess,
    TrainConfig,
    TrainingDivergedError,
    default_strategy,
    lr_factor,
    resolve_device,
    train,
)
from .losses import (
    PRETEXTS,
    LossFn,
    dac_feature_weights,
    dac_pseudo_labels,
    dac_weights,
    mse_loss,
    pretext_loss,
    reconstruction_loss,
    weighted_mse,
)

__all__ = [
    "LR_SCHEDULES",
    "Callback",
    "DataParallel",
    "EarlyStopping",
    "LambdaCallback",
    "LossFn",
    "PRETEXTS",
    "SingleProcess",
    "TrainConfig",
    "TrainingDivergedError",
    "dac_feature_weights",
    "dac_pseudo_labels",
    "dac_weights",
    "decode",
    "default_strategy",
    "encode",
    "feature_view",
    "fit_stage_windows",
    "lr_factor",
    "mse_loss",
    "prepare_module",
    "pretext_loss",
    "raw_features",
    "reconstruct",
    "reconstruction_errors",
    "reconstruction_loss",
    "resolve_device",
    "train",
    "weighted_mse",
]
