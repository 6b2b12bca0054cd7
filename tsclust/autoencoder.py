"""The :class:`Autoencoder` estimator: a deep autoencoder of windows as a scikit-learn transformer.

Its fit is the template of :class:`tsclust.base.BaseDeepEstimator` (validate, convert once)
plus :func:`tsclust.base.pretrain`; ``transform`` gives latents.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from sklearn.base import TransformerMixin
from sklearn.utils.validation import check_is_fitted
from torch import nn

from ._validation import Check, Interval, Options, set_init_params, split_seeds
from .base import BaseDeepEstimator, TrainingData, WindowShapeMixin, pretrain
from .models import build_autoencoder, check_architecture, check_module_kwargs, resolve_architecture
from .training import (
    LR_SCHEDULES,
    EarlyStopping,
    TrainConfig,
    decode,
    encode,
    reconstruction_errors,
    resolve_device,
)
from .training.losses import PRETEXTS, RECONSTRUCTION_WEIGHTS

__all__ = ["Autoencoder"]



class Autoencoder(WindowShapeMixin, TransformerMixin, BaseDeepEstimator):
    """Deep autoencoder for windows ``(n_samples, n_timepoints, n_channels)``; ``transform`` gives latents.

    Parameters
    ----------
    architecture : str, default="conv"
        Module from :data:`tsclust.models.ARCHITECTURES`; "auto" as in
        :func:`tsclust.models.resolve_architecture` (the fitted name is ``architecture_``).
    latent_dim : int or None, default=None
        Size of the latent vector; None: the architecture's default (10, or 32 for "cov",
        see :func:`tsclust.models.default_latent_dim`).
    epochs : int, default=30
        Maximum training epochs.
    batch_size : int, default=256
    lr : float, default=1e-3
        Adam's initial learning rate (DAC: 0.003 over 200 epochs).
    lr_schedule : {"constant", "linear", "cosine", "step"}, default="cosine"
    weight_decay : float, default=0.0
        Adam weight decay.
    l2_penalty : float, default=0.0
        DAC's ``beta``: ``beta * sum(p ** 2)`` added to the loss (DAC: 1e-5).
    loss : {"mse", "dac"}, default="mse"
        Plain MSE, or DAC's clustering-weighted MSE whose feature weights come from ``y``
        (when given to ``fit``) or from k-means pseudo-labels of the raw windows.
    dac_clusters : int or None, default=None
        Number of k-means pseudo-label clusters for ``loss="dac"`` without ``y`` (None: 10).
    pretext : {"none", "neighbours", "contrastive", "triplet"}, default="none"
        A term added to the reconstruction (:data:`tsclust.training.PRETEXTS`): as in
        :class:`tsclust.DeepClusterer` ("neighbours": the k-NN graph of the windows'
        random-kernel features, or ``cov`` statistics for several channels; "contrastive" /
        "triplet": two augmented views of each batch, for an architecture that encodes the
        windows, not a feature stage).
    pretext_weight : float, default=1.0
        Weight of the pretext term.
    patience : int or None, default=None
        Early stopping on a plateau of the training loss; None trains all epochs.
    device : {"auto", "cpu", "cuda"}, default="auto"
    random_state : int, RandomState or None, default=None
        Seeds weight initialisation, batch order and k-means; an int makes CPU fits
        bit-identical.
    verbose : int, default=0
        0 silent, 1 progress bar, 2 also logs every epoch.
    module_kwargs : dict or None, default=None
        Extra arguments of the module class (e.g. ``{"global_pool": "avg"}``).

    Attributes
    ----------
    module_ : nn.Module
        The trained module (eval mode).
    history_ : list of dict
        One record per epoch (``epoch``, ``loss``, ``lr``, ``time``, ...).
    n_iter_ : int
        Epochs run.
    n_timepoints_ : int
        Window length seen in ``fit``.
    n_channels_ : int
        Channels seen in ``fit``.
    n_features_in_ : int
        Same as ``n_channels_`` (the per-time-step features, tslearn's ``d``).
    feature_weights_ : ndarray of shape (n_channels, n_timepoints) or None
        DAC weights used by ``loss="dac"`` (channels-first).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.RandomState(0).randn(16, 20, 2).astype("float32")
    >>> ae = Autoencoder("mlp", latent_dim=3, epochs=2, random_state=0, device="cpu",
    ...                  module_kwargs={"hidden": (8,)}).fit(X)
    >>> ae.transform(X).shape, ae.inverse_transform(ae.transform(X)).shape
    ((16, 3), (16, 20, 2))
    """

    def __init__(
        self,
        architecture: str = "conv",
        latent_dim: int | None = None,
        epochs: int = 30,
        batch_size: int = 256,
        lr: float = 1e-3,
        lr_schedule: str = "cosine",
        weight_decay: float = 0.0,
        l2_penalty: float = 0.0,
        loss: str = "mse",
        dac_clusters: int | None = None,
        pretext: str = "none",
        pretext_weight: float = 1.0,
        patience: int | None = None,
        device: str = "auto",
        random_state: Any = None,
        verbose: int = 0,
        module_kwargs: dict[str, Any] | None = None,
    ) -> None:
        set_init_params(self, locals())

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "architecture": [Check(check_architecture)],
        "latent_dim": [Interval(int, 1), None],
        "epochs": [Interval(int, 1)],
        "batch_size": [Interval(int, 1)],
        "lr": [Interval(float, 0, closed="neither")],
        "lr_schedule": [Options(LR_SCHEDULES)],
        "weight_decay": [Interval(float, 0)],
        "l2_penalty": [Interval(float, 0)],
        "loss": [Options(lambda: list(RECONSTRUCTION_WEIGHTS))],
        "dac_clusters": [Interval(int, 2), None],
        "pretext": [Options(lambda: list(PRETEXTS))],
        "pretext_weight": [Interval(float, 0)],
        "patience": [Interval(int, 1), None],
        "device": [Check(resolve_device)],
        "random_state": [Interval(int, 0), np.random.RandomState, None],
        "verbose": [Interval(int, 0), bool],
        "module_kwargs": [Check(check_module_kwargs)],
    }
    _input: ClassVar[str] = "windows"

    def _build_module(self, input_shape: tuple[int, ...], seed: int) -> nn.Module:
        t, c = input_shape
        self.architecture_ = resolve_architecture(self.architecture, c)
        return build_autoencoder(self.architecture_, c, t, self.latent_dim, seed=seed,
                                 **dict(self.module_kwargs or {}))

    def _fit(self, data: TrainingData, y: Any = None) -> None:
        """Train the autoencoder on windows (``y``: DAC's ground-truth groups, if any)."""
        init_seed, batch_seed, dac_seed = split_seeds(self.random_state, 3)
        module = self._build_module(data.input_shape, init_seed)
        weights = RECONSTRUCTION_WEIGHTS[self.loss](data.data, y, self.dac_clusters, seed=dac_seed)
        config = TrainConfig(
            epochs=self.epochs, batch_size=self.batch_size, lr=self.lr,
            lr_schedule=self.lr_schedule, weight_decay=self.weight_decay,
            l2_penalty=self.l2_penalty, seed=batch_seed, device=resolve_device(self.device),
            verbose=int(self.verbose), desc="autoencoder",
        )
        callbacks = () if self.patience is None else (EarlyStopping(self.patience),)
        _, _, self.history_ = pretrain(module, data.data, config, feature_weights=weights,
                                       callbacks=callbacks, pretext=self.pretext,
                                       pretext_weight=float(self.pretext_weight))
        self.module_ = module.eval()
        self.feature_weights_ = weights
        self.n_iter_ = len(self.history_)

    def transform(self, X: Any) -> np.ndarray:
        """Latent vectors of ``X`` (n, T, C) or a store path -> ndarray of shape (n, latent_dim), float32."""
        data = self._data(X)  # checks that the estimator is fitted
        return encode(self.module_, data.data, device=resolve_device(self.device))

    def inverse_transform(self, Z: Any) -> np.ndarray:
        """Decode latents ``Z`` (n, latent_dim) -> windows ndarray of shape (n, T, C).

        For an architecture with a feature stage (``"cov"``) the decoder reconstructs the
        standardised features, and the result has shape (n, n_features).
        """
        check_is_fitted(self, "module_")
        Z = np.asarray(Z, dtype=np.float32)
        if Z.ndim != 2 or Z.shape[1] != self.module_.latent_dim or Z.shape[0] < 1:
            raise ValueError(
                f"Z must have shape (n_samples >= 1, {self.module_.latent_dim}), got {Z.shape}"
            )
        if not np.isfinite(Z).all():
            raise ValueError("Z contains NaN or inf")
        out = decode(self.module_, Z, device=resolve_device(self.device))  # (n, C, L)
        if out.ndim == 2:  # a feature stage reconstructs its standardised features (n, F)
            return out
        return np.ascontiguousarray(out.transpose(0, 2, 1))

    def reconstruction_error(self, X: Any) -> np.ndarray:
        """Per-window mean squared reconstruction error, ndarray of shape (n_samples,).

        The error is taken against the module's reconstruction target (the windows, or the
        standardised features for an architecture with a feature stage). ``X`` may be a
        store path (read batch by batch).
        """
        data = self._data(X)
        return reconstruction_errors(self.module_, data.data, device=resolve_device(self.device))

    def score(self, X: Any, y: Any = None) -> float:
        """Negative mean reconstruction MSE of ``X`` (higher is better)."""
        return -float(np.mean(self.reconstruction_error(X)))

    # ------------------------------------------------------------------ persistence
    def _arrays(self) -> dict[str, np.ndarray]:
        return {} if self.feature_weights_ is None else {"feature_weights": self.feature_weights_}

    def _restore(self, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        self.feature_weights_ = arrays.get("feature_weights")
