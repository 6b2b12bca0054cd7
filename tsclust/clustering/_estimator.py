"""Autoencoder + clustering head estimators: `DeepClusterer` (windows), `LatentClusterer` (vectors).

Both share one fit (:class:`AutoencoderClusterer`): build the seeded autoencoder, fit its
fixed stage and pre-train it by reconstruction (:func:`tsclust.base.pretrain`), then run the
head. They differ only in their input (``"windows"`` or ``"vectors"``, see
:data:`tsclust.base.INPUTS`) and in how the module is built.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from sklearn.base import ClusterMixin, TransformerMixin
from sklearn.utils.metaestimators import available_if
from torch import nn

from .._validation import Check, Interval, Options, check_n_clusters, set_init_params, split_seeds
from ..base import SCALINGS, BaseDeepEstimator, TrainingData, WindowShapeMixin, pretrain
from ..models import (
    VectorAutoencoder,
    build_autoencoder,
    check_architecture,
    check_module_kwargs,
    resolve_architecture,
)
from ..models._common import seeded
from ..training import TrainConfig, TrainingDivergedError, encode, feature_view, resolve_device
from ..training.losses import PRETEXTS, RECONSTRUCTION_WEIGHTS
from ._heads import AUTO_HEAD, HeadConfig, check_head, resolve_head

__all__ = ["AutoencoderClusterer", "DeepClusterer", "LatentClusterer", "SCALINGS"]


#: The parameters every autoencoder + head estimator declares, with their constraints.
CLUSTERER_CONSTRAINTS: dict[str, list[Any]] = {
    "n_clusters": [Interval(int, 2)],
    "head": [Check(resolve_head)],
    "latent_dim": [Interval(int, 1), None],
    "pretrain_epochs": [Interval(int, 0)],
    "finetune_epochs": [Interval(int, 0)],
    "batch_size": [Interval(int, 1)],
    "lr": [Interval(float, 0, closed="neither")],
    "finetune_lr": [Interval(float, 0, closed="neither")],
    "loss": [Options(lambda: list(RECONSTRUCTION_WEIGHTS))],
    "alpha": [Interval(float, 0, closed="neither")],
    "tol": [Interval(float, 0, 1)],
    "update_interval": [Interval(int, 1), None],
    "cluster_weight": [Interval(float, 0), None],
    "n_init": [Interval(int, 1)],
    "collapse_entropy": [Interval(float, 0, 1)],  # a normalised entropy: 1 = equal sizes
    "module_kwargs": [Check(check_module_kwargs)],
    "device": [Check(resolve_device)],
    "random_state": [Interval(int, 0), np.random.RandomState, None],
    "verbose": [Interval(int, 0), bool],
    "warm_start": [bool],
}


class AutoencoderClusterer(ClusterMixin, TransformerMixin, BaseDeepEstimator):
    """An autoencoder pre-trained by reconstruction, then a clustering head on its latents.

    The shared part of :class:`DeepClusterer` and :class:`LatentClusterer`; see their
    docstrings for the parameters. Subclasses set ``_input`` and ``_build_module``.
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = CLUSTERER_CONSTRAINTS

    def _head_config(self, seed: int, device: Any) -> HeadConfig:
        return HeadConfig(
            n_clusters=int(self.n_clusters), epochs=int(self.finetune_epochs),
            batch_size=int(self.batch_size), lr=float(self.finetune_lr), seed=int(seed),
            device=device, verbose=int(self.verbose), alpha=float(self.alpha),
            tol=float(self.tol), cluster_weight=self.cluster_weight, n_init=int(self.n_init),
            update_interval=None if self.update_interval is None else int(self.update_interval),
            collapse_entropy=float(self.collapse_entropy),
        )

    def _fit(self, data: TrainingData, y: Any = None) -> None:
        check_n_clusters(self.n_clusters, data.n_samples)
        init_seed, batch_seed, dac_seed, head_seed = split_seeds(self.random_state, 4)
        device = resolve_device(self.device)
        module = self._build_module(data.input_shape, init_seed)
        key = self._pretrain_key(data) if self.warm_start else None
        kept = getattr(self, "_pretrained", None)
        if key is not None and kept is not None and kept[0] == key:  # the same pre-training
            module.load_state_dict(kept[1])
            net, features = feature_view(module, data.data, device=device)
            pre = kept[2]
        else:
            config = None
            if self.pretrain_epochs > 0:
                config = TrainConfig(
                    epochs=int(self.pretrain_epochs), batch_size=int(self.batch_size),
                    lr=float(self.lr), lr_schedule="cosine", seed=batch_seed, device=device,
                    verbose=int(self.verbose), desc="pretrain",
                )
            weights = RECONSTRUCTION_WEIGHTS[self.loss](data.data, None, None, seed=dac_seed)
            net, features, pre = pretrain(module, data.data, config, feature_weights=weights,
                                          **self._pretext_settings())
            self._pretrained = None
            if key is not None:
                state = {k: v.detach().cpu().clone() for k, v in module.state_dict().items()}
                self._pretrained = (key, state, pre)
        head = check_head(self._head_name())(self._head_config(head_seed, device))
        try:
            self.labels_ = head.fit(net, features)
        except TrainingDivergedError as exc:
            raise TrainingDivergedError(f"{exc} ({self._diverged_context(pre)})") from exc
        self.module_ = module.eval()
        self.head_ = head
        self.cluster_centers_ = head.centers
        self.history_ = {"pretrain": pre, "finetune": head.history}
        self.n_iter_ = sum(1 for r in head.history if "loss" in r)

    def _head_name(self) -> str:
        """The registered head of ``head`` (``"auto"`` resolved for the fitted architecture)."""
        return resolve_head(self.head, getattr(self, "architecture_", None))

    def _diverged_context(self, pre: list[dict[str, Any]]) -> str:
        """Where a fine-tuning divergence may come from: its ``finetune_lr`` and pre-training.

        Pre-training at too high an ``lr`` can end with a finite loss but huge weights that
        only the head's loss turns into NaN.
        """
        out = f"fine-tuning lr is finetune_lr={self.finetune_lr:g}"
        if pre:
            out += f"; pre-training with lr={self.lr:g} ended at loss {pre[-1]['loss']:.4g}"
        return out

    def _pretrain_key(self, data: TrainingData) -> tuple | None:
        """What pre-training depends on, for ``warm_start``; None when it cannot be compared.

        The input enters as :meth:`TrainingData.digest`; ``random_state`` must be an int or None.
        """
        rs = self.random_state
        if not (rs is None or (isinstance(rs, (int, np.integer)) and not isinstance(rs, bool))):
            return None
        params = ("latent_dim", "pretrain_epochs", "batch_size", "lr", "loss", "device",
                  "random_state", *self._pretrain_params)
        return (data.shape, data.digest(), repr(self.module_kwargs),
                *(repr(getattr(self, p)) for p in params))

    _pretrain_params: ClassVar[tuple[str, ...]] = ("scaling",)

    def _pretext_settings(self) -> dict[str, Any]:
        """The pretext arguments of :func:`~tsclust.base.pretrain` (none for feature vectors)."""
        return {}

    def transform(self, X: Any) -> np.ndarray:
        """Latent vectors of ``X`` -> ndarray of shape (n_samples, latent_dim), float32."""
        data = self._data(X)  # checks that the estimator is fitted
        return encode(self.module_, data.data, device=resolve_device(self.device))

    def predict(self, X: Any) -> np.ndarray:
        """Cluster of each row of ``X`` -> ndarray of shape (n_samples,), int64."""
        Z = self.transform(X)  # checks that the estimator is fitted
        return self.head_.assign(Z).astype(np.int64)

    def _has_proba(self) -> bool:
        if hasattr(self, "head_"):
            return self.head_.soft
        return self.head != AUTO_HEAD and check_head(self.head).soft

    @available_if(_has_proba)
    def predict_proba(self, X: Any) -> np.ndarray:
        """Soft assignment (DEC's Student t ``q``) of ``X`` -> ndarray of shape (n_samples, n_clusters)."""
        Z = self.transform(X)
        return self.head_.proba(Z)

    def score(self, X: Any, y: Any = None) -> float:
        """Negative mean squared latent distance of each row to its assigned centre."""
        Z = self.transform(X)
        labels = self.head_.assign(Z)
        return -float(((Z - self.cluster_centers_[labels]) ** 2).sum(axis=1).mean())

    # ------------------------------------------------------------------ persistence
    def _arrays(self) -> dict[str, np.ndarray]:
        return {"cluster_centers": self.cluster_centers_, "labels": self.labels_,
                **{f"head/{k}": v for k, v in self.head_.state().items()}}

    def _restore(self, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        head = check_head(self._head_name())(self._head_config(0, resolve_device(self.device)))
        head.centers = np.asarray(arrays["cluster_centers"], dtype=np.float32)
        head.restore({k[len("head/"):]: v for k, v in arrays.items() if k.startswith("head/")})
        self.head_ = head
        self.cluster_centers_ = head.centers
        self.labels_ = np.asarray(arrays["labels"], dtype=np.int64)


class DeepClusterer(WindowShapeMixin, AutoencoderClusterer):
    """Cluster windows with a deep autoencoder and a clustering head chosen by name.

    ``fit`` scales the windows (per channel, fitted on ``X``), pre-trains the autoencoder
    by reconstruction, then runs the head: k-means on the latents (``"kmeans"``), DEC,
    IDEC, DCN, Song et al.'s compactness-restrained autoencoder (``"compact"``) or Ward.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters, >= 2 and <= n_samples.
    architecture : str, default="auto"
        Autoencoder from :data:`tsclust.models.ARCHITECTURES` (``"conv"``, ``"cov"``,
        ``"gru"``, ``"lstm"``, ``"mlp"``; every feature stage of
        :data:`tsclust.models.stages.STAGES` is one). "auto" takes "cov" (window means and
        log-covariances of delay-embedded channels under an MLP) for windows with two or
        more channels and "rocket" (random-kernel features under an MLP) for one channel
        (:func:`tsclust.models.resolve_architecture`; chosen on HAPT and on half of the
        UCR panel: docs/results_panel.md).
    head : {"auto", "umap", "kmeans", "dec", "idec", "dcn", "compact", "ward", "spectral"}, default="auto"
        Clustering head from :data:`tsclust.clustering.HEADS`. "umap" embeds the latents'
        fuzzy nearest-neighbour graph (UMAP's objective, 10 dimensions, ``max(50,
        sqrt(n) / 2)`` neighbours) and runs k-means on the embedding, with no fine-tuning.
        "auto" is "dec" on the "cov" autoencoder and "umap" on every other
        (:func:`tsclust.clustering._heads.resolve_head`; chosen on half of the UCR panel and
        on HAPT: docs/results_panel.md).
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
    pretext : {"none", "neighbours", "contrastive", "triplet"}, default="none"
        A term added to the pre-training reconstruction (:data:`tsclust.training.PRETEXTS`).
        "neighbours": UMAP's cross-entropy along the fixed k-NN graph of the windows'
        random-kernel features (one channel) or ``cov`` statistics (several channels)
        (:mod:`tsclust.training.neighbour_pretext`; any architecture; it lifts the conv
        encoder most: docs/neighbour_pretext.md). "contrastive" /
        "triplet": SimCLR's NT-Xent or a margin triplet loss on two augmented views of each
        batch (random crops stretched back, scaling, jitter); they need an architecture that
        encodes the windows ("conv", "gru", "lstm", "mlp").
    pretext_weight : float, default=1.0
        Weight of the pretext term.
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
        In [0, 1]. DEC/IDEC collapse guard: a refresh whose normalised cluster-size entropy
        falls below this (or that empties a cluster) is degenerate; the best non-degenerate refresh by
        silhouette is then restored, a warning raised and the event kept in ``history_``.
    module_kwargs : dict or None, default=None
        Extra arguments of the autoencoder module (filters, hidden sizes, stage settings...).
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
    input_shape_ : tuple (n_timepoints, n_channels)
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

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **CLUSTERER_CONSTRAINTS,
        "architecture": [Check(check_architecture)],
        "scaling": [Options(list(SCALINGS), word="values")],
        "pretext": [Options(lambda: list(PRETEXTS))],
        "pretext_weight": [Interval(float, 0)],
    }
    _input: ClassVar[str] = "windows"
    _pretrain_params: ClassVar[tuple[str, ...]] = ("architecture", "scaling", "pretext",
                                                   "pretext_weight")

    def __init__(
        self,
        n_clusters: int = 8,
        architecture: str = "auto",
        head: str = "auto",
        latent_dim: int | None = None,
        pretrain_epochs: int = 50,
        finetune_epochs: int = 50,
        batch_size: int = 256,
        lr: float = 1e-3,
        finetune_lr: float = 1e-4,
        scaling: str | None = "standard",
        loss: str = "mse",
        pretext: str = "none",
        pretext_weight: float = 1.0,
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
        set_init_params(self, locals())

    def _pretext_settings(self) -> dict[str, Any]:
        return {"pretext": self.pretext, "pretext_weight": float(self.pretext_weight)}

    def _build_module(self, input_shape: tuple[int, ...], seed: int) -> nn.Module:
        t, c = input_shape
        self.architecture_ = resolve_architecture(self.architecture, c)
        return build_autoencoder(self.architecture_, c, t, self.latent_dim, seed=seed,
                                 **dict(self.module_kwargs or {}))


class LatentClusterer(AutoencoderClusterer):
    """Cluster feature vectors ``(n_samples, n_features)`` with an MLP autoencoder and a head.

    The same fit as :class:`DeepClusterer` on vectors instead of windows: standardise each
    feature (``scaling="standard"``), pre-train a :class:`~tsclust.models.VectorAutoencoder`
    by reconstruction, then run the head on its latents. :class:`RecordingClusterer` clusters
    its aligned statistics with it.

    Parameters
    ----------
    n_clusters : int, default=8
    head : str, default="auto"
        As in :class:`DeepClusterer` ("auto" is "umap" here).
    latent_dim : int or None, default=None
        None: 10.
    scaling : {"standard", None}, default="standard"
        Standardise each feature with the training mean and deviation.
    module_kwargs : dict or None, default=None
        Arguments of :class:`~tsclust.models.VectorAutoencoder` (``hidden``, activations).
    pretrain_epochs, finetune_epochs, batch_size, lr, finetune_lr, loss, alpha, tol, update_interval, cluster_weight, n_init, collapse_entropy, device, random_state, verbose, warm_start
        As in :class:`DeepClusterer`.

    Attributes
    ----------
    labels_, cluster_centers_, module_, scaler_, head_, history_, n_iter_
        As in :class:`DeepClusterer`.
    input_shape_ : tuple (n_features,)

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.RandomState(0)
    >>> F = np.concatenate([rng.randn(20, 5), rng.randn(20, 5) + 4])
    >>> LatentClusterer(2, head="kmeans", latent_dim=2, pretrain_epochs=2,
    ...                 random_state=0).fit_predict(F).shape
    (40,)
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **CLUSTERER_CONSTRAINTS,
        "scaling": [Options(["standard", None], word="values")],
    }
    _input: ClassVar[str] = "vectors"

    def __init__(
        self,
        n_clusters: int = 8,
        head: str = "auto",
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
        set_init_params(self, locals())

    def _build_module(self, input_shape: tuple[int, ...], seed: int) -> nn.Module:
        with seeded(seed):
            return VectorAutoencoder(int(input_shape[0]), 10 if self.latent_dim is None
                                     else int(self.latent_dim), **dict(self.module_kwargs or {}))
