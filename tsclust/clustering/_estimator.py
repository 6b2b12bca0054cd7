"""`DeepClusterer`: an autoencoder plus a clustering head behind the scikit-learn contract."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClusterMixin, TransformerMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .. import io
from .._validation import (
    check_collection,
    check_fitted_shape,
    check_n_clusters,
    to_channels_first,
)
from ..autoencoder import (
    LOSSES,
    build_module,
    dac_weights,
    model_from_parts,
    model_meta,
    module_arrays,
    pretrain,
    read_model,
    split_seeds,
)
from ..models import check_architecture, resolve_architecture
from ..models._common import check_latent_dim
from ..preprocessing import ChannelStandardScaler, MinMaxScaler, scaler_from_dict, scaler_to_dict
from ..streaming import StoreDataset, is_store_path, prepare_store
from ..training import encode, feature_view, prepare_module, resolve_device
from ._heads import HeadConfig, check_head

__all__ = ["DeepClusterer", "SCALINGS"]

SCALINGS = {"standard": ChannelStandardScaler, "minmax": MinMaxScaler, None: None}


class DeepClusterer(ClusterMixin, TransformerMixin, BaseEstimator):
    """Cluster windows with a deep autoencoder and a clustering head chosen by name.

    ``fit`` scales the windows (per channel, fitted on ``X``), pre-trains the autoencoder
    by reconstruction, then runs the head: k-means on the latents (``"kmeans"``), DEC,
    IDEC, DCN, Song et al.'s compactness-restrained autoencoder (``"compact"``) or Ward.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters, >= 2 and <= n_samples.
    architecture : {"auto", "conv", "cov", "gru", "lstm", "mlp"}, default="auto"
        Autoencoder from :data:`tsclust.models.ARCHITECTURES`. "auto" takes "cov" (an
        autoencoder of window means and log-covariances of delay-embedded channels) for
        windows with two or more channels and the dense "mlp" for one channel
        (:func:`tsclust.models.resolve_architecture`): on HAPT's six channels "cov" + DEC
        reached ARI 0.63 against 0.48 for "mlp" + DEC; on univariate UCR problems neither
        dominates (see the README's tables).
    head : {"kmeans", "dec", "idec", "dcn", "compact", "ward"}, default="dec"
        Clustering head from :data:`tsclust.clustering.HEADS`.
    latent_dim : int or None, default=None
        Size of the latent space; None: the architecture's default (10, or 32 for "cov",
        see :func:`tsclust.models.default_latent_dim`).
    pretrain_epochs : int, default=50
        Epochs of reconstruction pre-training.
    finetune_epochs : int, default=50
        Maximum epochs of the head's fine-tuning (ignored by ``"kmeans"``). DEC/IDEC stop
        earlier when fewer than ``tol`` of the labels change between refreshes.
    batch_size : int, default=256
    lr : float, default=1e-3
        Adam learning rate of pre-training (cosine decay).
    finetune_lr : float, default=1e-4
        Adam learning rate of fine-tuning (constant).
    scaling : {"standard", "minmax", None}, default="standard"
        Per-channel scaling fitted on ``X``: standardisation keeps the offset between
        windows (gravity direction of accelerometers); ``"minmax"`` maps to (0, 1) as DAC.
    loss : {"mse", "dac"}, default="mse"
        Pre-training loss: MSE or DAC's clustering-weighted MSE.
    alpha : float, default=1.0
        Degrees of freedom of DEC's Student t kernel.
    tol : float, default=1e-3
        DEC/IDEC stop when the fraction of changed labels between refreshes is below it.
    update_interval : int or None, default=None
        DEC/IDEC refresh the target distribution P (and test ``tol``) at the first epoch end
        after at least this many optimiser steps since the last refresh (DEC's T; Xie et al.
        use 140). None refreshes after every epoch. On small data, where an epoch is a
        few steps, a per-epoch refresh sees few label changes and stops DEC early.
    cluster_weight : float or None, default=None
        Weight of the clustering term: IDEC's gamma (default 0.1), DCN's lambda (1.0),
        Song et al.'s lambda (0.1). None takes the head's default.
    n_init : int, default=20
        k-means restarts on the latents.
    collapse_entropy : float, default=0.5
        DEC/IDEC collapse guard: a refresh whose normalised cluster-size entropy falls below
        this (or that empties a cluster) is degenerate; the best non-degenerate refresh by
        silhouette is then restored, a warning raised and the event kept in ``history_``.
    module_kwargs : dict or None, default=None
        Extra arguments of the autoencoder module (filters, hidden sizes, ...).
    device : {"auto", "cpu", "cuda"}, default="auto"
    random_state : int, RandomState or None, default=None
        Seeds every generator of the fit (weights, batches, k-means); an int makes CPU fits
        bit-reproducible.
    verbose : int, default=0
        0 silent, 1 progress bars.
    warm_start : bool, default=False
        Keep the pre-trained autoencoder of each ``fit`` and, when the next ``fit`` sees
        the same windows with the same pre-training settings (architecture, latent size,
        module arguments, epochs, batch size, learning rate, scaling, loss, device and an
        int or None ``random_state``), skip pre-training and only run the head. Changing
        ``head``, ``n_clusters`` or the fine-tuning settings and fitting again then costs
        one head fit (``tsclust fit -k auto`` uses this after :func:`select_k`).

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Cluster of each training window.
    cluster_centers_ : ndarray of shape (n_clusters, latent_dim)
        Centres in the latent space.
    module_ : torch.nn.Module
        The fine-tuned autoencoder (eval mode).
    scaler_ : fitted scaler or None
    head_ : Head
        The fitted head object (assignment rule and centres).
    history_ : dict
        ``{"pretrain": [...], "finetune": [...]}``, one record per epoch; fine-tuning records
        hold losses, ``label_change``, ``sizes``, ``size_entropy`` where the head tracks them.
    n_iter_ : int
        Fine-tuning epochs run.
    n_timepoints_, n_channels_ : int
        Window shape seen in ``fit``.
    architecture_ : str
        The architecture used (``architecture`` with "auto" resolved).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.RandomState(0)
    >>> X = np.concatenate([rng.randn(20, 16, 2), rng.randn(20, 16, 2) + 4]).astype("float32")
    >>> est = DeepClusterer(2, architecture="mlp", head="kmeans", latent_dim=2,
    ...                     pretrain_epochs=2, random_state=0, device="cpu")
    >>> est.fit_predict(X).shape
    (40,)
    """

    def __init__(
        self,
        n_clusters: int = 8,
        architecture: str = "auto",
        head: str = "dec",
        latent_dim: int | None = None,
        pretrain_epochs: int = 50,
        finetune_epochs: int = 50,
        batch_size: int = 256,
        lr: float = 1e-3,
        finetune_lr: float = 1e-4,
        scaling: str | None = "standard",
        loss: str = "mse",
        alpha: float = 1.0,
        tol: float = 1e-3,
        update_interval: int | None = None,
        cluster_weight: float | None = None,
        n_init: int = 20,
        collapse_entropy: float = 0.5,
        module_kwargs: dict[str, Any] | None = None,
        device: str = "auto",
        random_state: Any = None,
        verbose: int = 0,
        warm_start: bool = False,
    ) -> None:
        self.n_clusters = n_clusters
        self.architecture = architecture
        self.head = head
        self.latent_dim = latent_dim
        self.pretrain_epochs = pretrain_epochs
        self.finetune_epochs = finetune_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.finetune_lr = finetune_lr
        self.scaling = scaling
        self.loss = loss
        self.alpha = alpha
        self.tol = tol
        self.update_interval = update_interval
        self.cluster_weight = cluster_weight
        self.n_init = n_init
        self.collapse_entropy = collapse_entropy
        self.module_kwargs = module_kwargs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    # ------------------------------------------------------------------ helpers
    def _check_params(self, n_samples: int | None = None) -> None:
        check_n_clusters(self.n_clusters, n_samples)
        check_architecture(self.architecture)
        check_head(self.head)
        if self.latent_dim is not None:
            check_latent_dim(self.latent_dim)
        if self.scaling not in SCALINGS:
            raise ValueError(f"unknown scaling {self.scaling!r}; valid values are {list(SCALINGS)}")
        if self.loss not in LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}; valid names are {list(LOSSES)}")
        for name in ("pretrain_epochs", "finetune_epochs"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
        ui = self.update_interval
        if ui is not None and (isinstance(ui, bool) or not isinstance(ui, (int, np.integer)) or ui < 1):
            raise ValueError(f"update_interval must be an integer >= 1 or None, got {ui!r}")
        if self.module_kwargs is not None and not isinstance(self.module_kwargs, dict):
            raise ValueError(f"module_kwargs must be a dict or None, got {self.module_kwargs!r}")
        resolve_device(self.device)

    def _head_config(self, seed: int) -> HeadConfig:
        return HeadConfig(
            n_clusters=int(self.n_clusters), epochs=int(self.finetune_epochs),
            batch_size=int(self.batch_size), lr=float(self.finetune_lr), seed=int(seed),
            device=resolve_device(self.device), verbose=int(self.verbose), alpha=float(self.alpha),
            tol=float(self.tol), cluster_weight=self.cluster_weight, n_init=int(self.n_init),
            update_interval=None if self.update_interval is None else int(self.update_interval),
            collapse_entropy=float(self.collapse_entropy),
        )

    def _to_tensor(self, X: Any) -> torch.Tensor | StoreDataset:
        """Validate, check the fitted shape, scale, and convert to ``(N, C, L)``.

        A store path gives a :class:`~tsclust.streaming.StoreDataset` applying the scaler.
        """
        check_is_fitted(self, "module_")
        if is_store_path(X):
            ds, _, (_, t, c) = prepare_store(X, scaler=self.scaler_)
            check_fitted_shape(np.empty((0, t, c)), self.n_timepoints_, self.n_channels_)
            return ds
        X = check_collection(X)
        check_fitted_shape(X, self.n_timepoints_, self.n_channels_)
        if self.scaler_ is not None:
            X = self.scaler_.transform(X).astype(np.float32)
        return to_channels_first(X)

    # ------------------------------------------------------------------ API
    def fit(self, X: Any, y: Any = None) -> DeepClusterer:
        """Pre-train the autoencoder and fit the head on windows ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timepoints, n_channels) or (n_samples, n_timepoints), or path
            A window-store path (str or ``os.PathLike``; also accepted by ``transform``,
            ``predict``, ``predict_proba``, ``score``) is streamed: the scaler is fitted
            from chunked statistics, batches are read lazily and latents batch by batch.
        y : ignored
            Present for API consistency (DAC's weights are computed from k-means
            pseudo-labels, never from ``y``).

        Returns
        -------
        self
        """
        if is_store_path(X):  # stream: scaler from chunked statistics, batches read lazily
            self._check_params()
            Xt, self.scaler_, (n, t, c) = prepare_store(X, self.scaling)
            self._check_params(n)
        else:
            X = check_collection(X)
            self._check_params(X.shape[0])
            n, t, c = X.shape
        init_seed, batch_seed, dac_seed, head_seed = split_seeds(self.random_state, 4)
        if not is_store_path(X):
            scaler_cls = SCALINGS[self.scaling]
            self.scaler_ = None if scaler_cls is None else scaler_cls().fit(X)
            Xs = X if self.scaler_ is None else self.scaler_.transform(X).astype(np.float32)
            Xt = to_channels_first(Xs)  # (N, C, L)
        device = resolve_device(self.device)
        self.architecture_ = resolve_architecture(self.architecture, c)
        module = build_module(self.architecture_, c, t, self.latent_dim, init_seed, self.module_kwargs)
        key = self._pretrain_key(X, (n, t, c)) if self.warm_start else None
        kept = getattr(self, "_pretrained", None)
        reuse = key is not None and kept is not None and kept[0] == key
        if reuse:  # the same pre-training as last time: reuse it
            module.load_state_dict(kept[1])
        else:  # data-dependent buffers ("cov" statistics) are fitted even without pre-training
            prepare_module(module, Xt, device=device)
        net, data = feature_view(module, Xt, device=device)  # "cov": statistics computed once
        if reuse:
            pre = kept[2]
        else:
            weights = dac_weights(Xt, None, None, seed=dac_seed) if self.loss == "dac" else None
            pre = []
            if self.pretrain_epochs > 0:
                # DAC weighs the samples of each window, so it trains on the windows themselves
                on = (module, Xt) if weights is not None else (net, data)
                pre = pretrain(
                    *on, epochs=int(self.pretrain_epochs), batch_size=int(self.batch_size),
                    lr=float(self.lr), lr_schedule="cosine", feature_weights=weights,
                    seed=batch_seed, device=device, verbose=self.verbose, desc="pretrain",
                )
            self._pretrained = None
            if key is not None:
                state = {k: v.detach().cpu().clone() for k, v in module.state_dict().items()}
                self._pretrained = (key, state, pre)
        head = check_head(self.head)(self._head_config(head_seed))
        self.labels_ = head.fit(net, data)
        self.module_ = module.eval()
        self.head_ = head
        self.cluster_centers_ = head.centers
        self.history_ = {"pretrain": pre, "finetune": head.history}
        self.n_iter_ = sum(1 for r in head.history if "loss" in r)
        self.n_timepoints_, self.n_channels_ = t, c
        self.n_features_in_ = c
        return self

    def _pretrain_key(self, X: Any, shape: tuple[int, int, int]) -> tuple | None:
        """What pre-training depends on, for ``warm_start``; None when it cannot be compared.

        The windows enter as a digest of their bytes (a store as its path, size and
        modification time); ``random_state`` must be an int or None.
        """
        rs = self.random_state
        if not (rs is None or (isinstance(rs, (int, np.integer)) and not isinstance(rs, bool))):
            return None
        if is_store_path(X):
            st = os.stat(X)
            data: tuple = ("store", os.path.abspath(X), st.st_size, st.st_mtime_ns)
        else:
            import hashlib

            digest = hashlib.blake2b(np.ascontiguousarray(X).data, digest_size=16).hexdigest()
            data = ("array", str(X.dtype), digest)
        params = ("architecture", "latent_dim", "pretrain_epochs", "batch_size", "lr",
                  "scaling", "loss", "device", "random_state")
        return (shape, data, repr(self.module_kwargs), *(repr(getattr(self, p)) for p in params))

    def transform(self, X: Any) -> np.ndarray:
        """Latent vectors of ``X`` (n, T, C) -> ndarray of shape (n, latent_dim), float32."""
        Xt = self._to_tensor(X)
        return encode(self.module_, Xt, device=resolve_device(self.device))

    def predict(self, X: Any) -> np.ndarray:
        """Cluster of each window of ``X`` (n, T, C) -> ndarray of shape (n,), int64."""
        Z = self.transform(X)
        return self.head_.assign(Z).astype(np.int64)

    def _has_proba(self) -> bool:
        return check_head(self.head).soft

    @available_if(_has_proba)
    def predict_proba(self, X: Any) -> np.ndarray:
        """Soft assignment (DEC's Student t ``q``) of ``X`` -> ndarray of shape (n, n_clusters)."""
        Z = self.transform(X)
        return self.head_.proba(Z)

    def score(self, X: Any, y: Any = None) -> float:
        """Negative mean squared latent distance of each window to its assigned centre."""
        Z = self.transform(X)
        labels = self.head_.assign(Z)
        return -float(((Z - self.cluster_centers_[labels]) ** 2).sum(axis=1).mean())

    # ------------------------------------------------------------------ persistence
    def _parts(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """The arrays and metadata :meth:`save` writes."""
        check_is_fitted(self, "module_")
        arrays = module_arrays(self.module_)
        arrays["cluster_centers"] = self.cluster_centers_
        arrays["labels"] = self.labels_
        return arrays, model_meta(self, scaler=scaler_to_dict(self.scaler_))

    def save(self, path: str | os.PathLike, overwrite: bool = False) -> None:
        """Write the fitted model to an HDF5 file (weights, centres, scaler; no pickle)."""
        arrays, meta = self._parts()
        io.save_model(path, arrays, meta, overwrite=overwrite)

    @classmethod
    def load(cls, path: str | os.PathLike, device: str | None = None) -> DeepClusterer:
        """Read a model written by :meth:`save` (``device`` overrides the stored one)."""
        est, module, arrays, meta = read_model(cls, path, device)
        return est._restore(module, arrays, meta)

    @classmethod
    def _from_parts(
        cls, arrays: dict[str, np.ndarray], meta: dict[str, Any], device: str | None = None
    ) -> DeepClusterer:
        """The estimator :meth:`_parts` describes."""
        est, module = model_from_parts(cls, arrays, meta, device)
        return est._restore(module, arrays, meta)

    def _restore(
        self, module: Any, arrays: dict[str, np.ndarray], meta: dict[str, Any]
    ) -> DeepClusterer:
        """Set the fitted state from a module and the saved arrays and metadata."""
        self.module_ = module.to(resolve_device(self.device)).eval()
        self.scaler_ = scaler_from_dict(meta["scaler"])
        head = check_head(self.head)(self._head_config(0))
        head.centers = np.asarray(arrays["cluster_centers"], dtype=np.float32)
        self.head_ = head
        self.cluster_centers_ = head.centers
        self.labels_ = np.asarray(arrays["labels"], dtype=np.int64)
        self.history_ = meta["history"]
        self.n_iter_ = int(meta["n_iter"])
        return self
