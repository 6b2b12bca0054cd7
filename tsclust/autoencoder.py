"""The :class:`Autoencoder` estimator and the reusable pieces it is made of.

The module-level functions (:func:`build_module`, :func:`dac_weights`, :func:`pretrain`,
:func:`module_arrays`, :func:`load_module_arrays`, :func:`model_meta`, :func:`read_model`,
:func:`split_seeds`) are what ``DeepClusterer`` reuses: build a seeded module in ``fit``,
pre-train it with the one training loop, and store and read its weights and metadata through
:mod:`tsclust.io`.
"""

from __future__ import annotations

import logging
import numbers
import os
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted
from torch import nn

from . import io
from ._validation import (
    check_collection,
    check_fitted_shape,
    derive_seed,
    jsonable,
    to_channels_first,
)
from .models import build_autoencoder, check_architecture, resolve_architecture
from .models._common import check_latent_dim
from .streaming import StoreDataset, is_store_path
from .training import (
    LR_SCHEDULES,
    dac_feature_weights,
    dac_pseudo_labels,
    decode,
    encode,
    feature_view,
    prepare_module,
    reconstruction_errors,
    reconstruction_loss,
    resolve_device,
    train,
)

__all__ = [
    "Autoencoder",
    "build_module",
    "dac_weights",
    "pretrain",
    "module_arrays",
    "load_module_arrays",
    "model_meta",
    "read_model",
    "model_from_parts",
    "read_model_file",
    "saved_params",
    "split_seeds",
    "LOSSES",
]

logger = logging.getLogger(__name__)

LOSSES = ("mse", "dac")
_DEFAULT_DAC_CLUSTERS = 10


def split_seeds(random_state: Any, n: int) -> list[int]:
    """Derive ``n`` independent 31-bit seeds from ``random_state`` (int, RandomState or None).

    The same int always gives the same seeds; use one per source of randomness (weight
    initialisation, batch order, k-means, ...).
    """
    rng = np.random.RandomState(derive_seed(random_state))
    return [int(s) for s in rng.randint(0, 2**31 - 1, size=n)]


def build_module(
    architecture: str,
    n_channels: int,
    length: int,
    latent_dim: int | None,
    seed: int,
    module_kwargs: dict[str, Any] | None = None,
) -> nn.Module:
    """Build a registered autoencoder with weights initialised from ``seed``.

    The global torch generator is forked (``torch.random.fork_rng``), seeded, and restored
    afterwards, so the caller's random state is untouched and the weights depend only on
    ``seed`` and the arguments.

    Parameters
    ----------
    architecture : {"auto", "conv", "cov", "gru", "lstm", "mlp"}
    n_channels : int
    length : int
    latent_dim : int or None
        None: the architecture's default.
    seed : int
    module_kwargs : dict or None
        Extra keyword arguments of the module class.

    Returns
    -------
    nn.Module
        On the CPU, in train mode.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(seed))
        return build_autoencoder(
            architecture, n_channels, length, latent_dim, **dict(module_kwargs or {})
        )


def dac_weights(
    Xt: torch.Tensor | Any,
    y: np.ndarray | None = None,
    n_clusters: int | None = None,
    seed: int = 0,
    max_samples: int = 1000,
) -> np.ndarray:
    """DAC feature weights ``(C, L)`` for windows ``Xt`` ``(N, C, L)``.

    A random subset of ``max_samples`` windows is drawn (seeded); its groups are the given
    labels ``y`` or, when ``y`` is None, k-means pseudo-labels (``n_clusters``, default 10)
    of the flattened raw windows. Then :func:`tsclust.training.dac_feature_weights`.
    ``Xt`` may be a :class:`tsclust.streaming.StoreDataset`: only the subset is read.
    """
    rng = np.random.RandomState(seed)
    m = len(Xt)
    sub = np.sort(rng.choice(m, max_samples, replace=False)) if m > max_samples else np.arange(m)
    Xs = Xt[sub] if isinstance(Xt, torch.Tensor) else Xt.read_batch(sub)  # (m', C, L)
    X_flat = Xs.reshape(len(sub), -1).numpy()
    sub_rows, sub = sub, np.arange(len(sub))
    if y is not None:
        y = np.asarray(y)
        if y.shape != (m,):
            raise ValueError(f"y must have shape ({m},), got {y.shape}")
        groups = y[sub_rows]
    else:
        k = _DEFAULT_DAC_CLUSTERS if n_clusters is None else n_clusters
        k = min(k, len(sub)) if n_clusters is None else k
        groups = dac_pseudo_labels(X_flat[sub], k, seed=int(rng.randint(0, 2**31 - 1)))
    w = dac_feature_weights(X_flat[sub], groups, max_samples=None)
    return w.reshape(Xs.shape[1:]).astype(np.float32)


def pretrain(
    module: nn.Module,
    Xt: torch.Tensor | Any,
    *,
    epochs: int,
    batch_size: int = 256,
    lr: float = 1e-3,
    lr_schedule: str = "cosine",
    weight_decay: float = 0.0,
    l2_penalty: float = 0.0,
    feature_weights: np.ndarray | None = None,
    patience: int | None = None,
    seed: int = 0,
    device: str | torch.device = "cpu",
    verbose: int = 0,
    desc: str = "pretrain",
    **train_kwargs: Any,
) -> list[dict[str, Any]]:
    """Pre-train an autoencoder on ``Xt`` ``(N, C, L)`` (tensor or dataset) by (weighted) reconstruction.

    Plain MSE when ``feature_weights`` is None, else DAC's clustering-weighted MSE with
    these weights (see :func:`dac_weights`). Data-dependent buffers of the module (the
    statistics standardisation of ``"cov"``) are fitted on ``Xt`` first
    (:func:`tsclust.training.prepare_module`); a module with a fixed input stage is then
    trained on its features, computed once (:func:`tsclust.training.feature_view`), unless
    DAC's weights ask for the windows. ``module`` may also be a
    :class:`~tsclust.models.FeatureView` with ``Xt`` its features (both steps are then no-ops).
    Other arguments as in :func:`tsclust.training.train`; returns its history.
    """
    prepare_module(module, Xt, device=device)
    net, data = (module, Xt) if feature_weights is not None else feature_view(module, Xt, device=device)
    return train(
        net,
        data,
        reconstruction_loss(feature_weights),
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        lr_schedule=lr_schedule,
        weight_decay=weight_decay,
        l2_penalty=l2_penalty,
        patience=patience,
        seed=seed,
        device=device,
        verbose=verbose,
        desc=desc,
        **train_kwargs,
    )


def module_arrays(module: nn.Module, prefix: str = "module/") -> dict[str, np.ndarray]:
    """The module's ``state_dict`` as CPU numpy arrays keyed ``prefix + name`` (for io.save_model)."""
    return {prefix + k: v.detach().cpu().numpy() for k, v in module.state_dict().items()}


def load_module_arrays(
    module: nn.Module, arrays: dict[str, np.ndarray], prefix: str = "module/"
) -> nn.Module:
    """Load the arrays written by :func:`module_arrays` into ``module`` (strict)."""
    state = {
        k[len(prefix) :]: torch.from_numpy(np.array(v))
        for k, v in arrays.items()
        if k.startswith(prefix)
    }
    module.load_state_dict(state, strict=True)
    return module


def saved_params(est: Any) -> dict[str, Any]:
    """``est.get_params()`` as JSON types; ``random_state`` only if None or an int (else None)."""
    params = est.get_params()
    if not (params["random_state"] is None or isinstance(params["random_state"], int)):
        params["random_state"] = None
    return jsonable(params)


def read_model_file(cls: type, path: str | os.PathLike) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The arrays and metadata of a model file, checking that it holds a ``cls``."""
    arrays, meta = io.load_model(path)
    if meta.get("class") != cls.__name__:
        raise ValueError(f"{path} holds a {meta.get('class')!r}, not a {cls.__name__}")
    return arrays, meta


def model_meta(est: Any, **extra: Any) -> dict[str, Any]:
    """The JSON metadata :func:`tsclust.io.save_model` stores with a fitted estimator.

    ``{"class", "params", "n_timepoints", "n_channels", "n_iter", **extra, "history"}``;
    ``random_state`` is stored only if it is None or an int (else None).
    """
    return {
        "class": type(est).__name__,
        "params": saved_params(est),
        "n_timepoints": est.n_timepoints_,
        "n_channels": est.n_channels_,
        "n_iter": est.n_iter_,
        **extra,
        "history": jsonable(est.history_),
    }


def read_model(
    cls: type, path: str | os.PathLike, device: str | None = None
) -> tuple[Any, nn.Module, dict[str, np.ndarray], dict[str, Any]]:
    """Read a model file written with :func:`model_meta` metadata, for ``cls.load``.

    Checks that the file holds a ``cls``, builds the estimator from the stored parameters
    (``device`` overrides the stored one when given), sets ``n_timepoints_``,
    ``n_channels_`` and ``n_features_in_``, and builds its module with the stored weights.

    Returns
    -------
    est, module, arrays, meta
        The estimator (``module_`` not set yet), the module (in training mode, on the CPU),
        and the file's arrays and metadata.
    """
    arrays, meta = read_model_file(cls, path)
    return (*model_from_parts(cls, arrays, meta, device), arrays, meta)


def model_from_parts(
    cls: type, arrays: dict[str, np.ndarray], meta: dict[str, Any], device: str | None = None
) -> tuple[Any, nn.Module]:
    """The estimator and module of :func:`read_model`, from arrays and metadata in memory."""
    params = dict(meta["params"])
    if device is not None:
        params["device"] = device
    est = cls(**params)
    t, c = int(meta["n_timepoints"]), int(meta["n_channels"])
    est.architecture_ = resolve_architecture(est.architecture, c)
    module = build_module(est.architecture_, c, t, est.latent_dim, 0, est.module_kwargs)
    load_module_arrays(module, arrays)
    est.n_timepoints_, est.n_channels_ = t, c
    est.n_features_in_ = c
    return est, module


class Autoencoder(TransformerMixin, BaseEstimator):
    """Deep autoencoder for windows ``(n_samples, n_timepoints, n_channels)``; ``transform`` gives latents.

    Parameters
    ----------
    architecture : {"auto", "conv", "cov", "gru", "lstm", "mlp"}, default="conv"
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
        patience: int | None = None,
        device: str = "auto",
        random_state: Any = None,
        verbose: int = 0,
        module_kwargs: dict[str, Any] | None = None,
    ) -> None:
        self.architecture = architecture
        self.latent_dim = latent_dim
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.lr_schedule = lr_schedule
        self.weight_decay = weight_decay
        self.l2_penalty = l2_penalty
        self.loss = loss
        self.dac_clusters = dac_clusters
        self.patience = patience
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.module_kwargs = module_kwargs

    # ------------------------------------------------------------------ helpers
    def _check_params(self) -> None:
        check_architecture(self.architecture)
        if self.latent_dim is not None:
            check_latent_dim(self.latent_dim)
        if self.loss not in LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}; valid names are {list(LOSSES)}")
        if self.lr_schedule not in LR_SCHEDULES:
            raise ValueError(
                f"unknown lr_schedule {self.lr_schedule!r}; valid names are {list(LR_SCHEDULES)}"
            )
        if self.dac_clusters is not None and (
            isinstance(self.dac_clusters, bool)
            or not isinstance(self.dac_clusters, numbers.Integral)
            or self.dac_clusters < 2
        ):
            raise ValueError(
                f"dac_clusters must be None or an integer >= 2, got {self.dac_clusters!r}"
            )
        if self.module_kwargs is not None and not isinstance(self.module_kwargs, dict):
            raise ValueError(f"module_kwargs must be a dict or None, got {self.module_kwargs!r}")
        resolve_device(self.device)

    def _validate(self, X: Any) -> torch.Tensor | StoreDataset:
        check_is_fitted(self, "module_")
        if is_store_path(X):
            ds = StoreDataset(X)
            check_fitted_shape(np.empty((0, ds.n_timepoints, ds.n_channels)),
                               self.n_timepoints_, self.n_channels_)
            return ds
        X = check_collection(X)
        check_fitted_shape(X, self.n_timepoints_, self.n_channels_)
        return to_channels_first(X)

    # ------------------------------------------------------------------ API
    def fit(self, X: Any, y: Any = None) -> Autoencoder:
        """Train the autoencoder on windows ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timepoints, n_channels) or (n_samples, n_timepoints), or path
            A path (str or ``os.PathLike``) to a window store is streamed batch by batch
            (:class:`tsclust.streaming.StoreDataset`, chunk-aware batch order) and never
            loaded whole.
        y : array-like of shape (n_samples,) or None
            Only used by ``loss="dac"``: ground-truth groups for the feature weights.

        Returns
        -------
        self
        """
        self._check_params()
        if is_store_path(X):
            Xt: Any = StoreDataset(X)
            n, c, t = Xt.shape
        else:
            X = check_collection(X)
            n, t, c = X.shape
            Xt = to_channels_first(X)  # (N, C, L)
        init_seed, batch_seed, dac_seed = split_seeds(self.random_state, 3)
        device = resolve_device(self.device)
        self.architecture_ = resolve_architecture(self.architecture, c)
        module = build_module(
            self.architecture_, c, t, self.latent_dim, init_seed, self.module_kwargs
        )
        weights = None
        if self.loss == "dac":
            weights = dac_weights(Xt, y, self.dac_clusters, seed=dac_seed)
        self.history_ = pretrain(
            module,
            Xt,
            epochs=self.epochs,
            batch_size=self.batch_size,
            lr=self.lr,
            lr_schedule=self.lr_schedule,
            weight_decay=self.weight_decay,
            l2_penalty=self.l2_penalty,
            feature_weights=weights,
            patience=self.patience,
            seed=batch_seed,
            device=device,
            verbose=self.verbose,
            desc="autoencoder",
        )
        self.module_ = module.eval()
        self.feature_weights_ = weights
        self.n_iter_ = len(self.history_)
        self.n_timepoints_ = t
        self.n_channels_ = c
        self.n_features_in_ = c
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Latent vectors of ``X`` (n, T, C) or a store path -> ndarray of shape (n, latent_dim), float32."""
        Xt = self._validate(X)
        return encode(self.module_, Xt, device=resolve_device(self.device))

    def inverse_transform(self, Z: Any) -> np.ndarray:
        """Decode latents ``Z`` (n, latent_dim) -> windows ndarray of shape (n, T, C).

        For ``architecture="cov"`` the decoder reconstructs standardised window statistics,
        and the result has shape (n, n_features).
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
        if out.ndim == 2:  # "cov" reconstructs its standardised statistics (n, n_features)
            return out
        return np.ascontiguousarray(out.transpose(0, 2, 1))

    def reconstruction_error(self, X: Any) -> np.ndarray:
        """Per-window mean squared reconstruction error, ndarray of shape (n_samples,).

        The error is taken against the module's reconstruction target (the windows, or the
        standardised statistics for ``architecture="cov"``).

        ``X`` may be a store path (read batch by batch).
        """
        Xt = self._validate(X)
        return reconstruction_errors(self.module_, Xt, device=resolve_device(self.device))

    def score(self, X: Any, y: Any = None) -> float:
        """Negative mean reconstruction MSE of ``X`` (higher is better)."""
        return -float(np.mean(self.reconstruction_error(X)))

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | os.PathLike, overwrite: bool = False) -> None:
        """Write the fitted model to an HDF5 file (weights + JSON metadata, no pickle).

        ``random_state`` is stored only if it is None or an int.
        """
        check_is_fitted(self, "module_")
        arrays = module_arrays(self.module_)
        if self.feature_weights_ is not None:
            arrays["feature_weights"] = self.feature_weights_
        io.save_model(path, arrays, model_meta(self), overwrite=overwrite)

    @classmethod
    def load(cls, path: str | os.PathLike, device: str | None = None) -> Autoencoder:
        """Read a model written by :meth:`save`.

        Parameters
        ----------
        path : path-like
        device : str or None, default=None
            Override the stored ``device`` parameter (e.g. "cpu" for a model fitted on a GPU).
        """
        est, module, arrays, meta = read_model(cls, path, device)
        est.module_ = module.eval()
        est.feature_weights_ = arrays.get("feature_weights")
        est.history_ = list(meta.get("history", []))
        est.n_iter_ = int(meta.get("n_iter", len(est.history_)))
        return est
