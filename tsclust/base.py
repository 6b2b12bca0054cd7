"""The base of every deep estimator: one validation, one scaling, one layout conversion.

:class:`BaseDeepEstimator` owns the template ``fit``::

    fit(X) -> _validate_params() -> INPUTS[_input].fit(X, scaling)  # validate, scale, convert once
           -> _fit(data, y, **fit_params)                            # the estimator's own step

and the persistence glue (``save``/``load`` through :mod:`tsclust.io`). An input kind of
:data:`INPUTS` turns what a user passes into what torch trains on, exactly once per call:

- ``"windows"``: arrays ``(n, T, C)`` (or ``(n, T)``), or series of different lengths (a list
  of ``(T_i, C)`` arrays, or a NaN-padded array), validated and brought to one length by
  :func:`~tsclust.preprocessing.lengths.collect` (the longest length at fit, linear
  resampling; equal-length input is not resampled), scaled per channel, converted to
  ``(N, C, L)`` float32; or a window-store path, streamed as a
  :class:`~tsclust.streaming.StoreDataset` (scaler fitted from chunked statistics);
- ``"arrays"``: the same validation and common length, kept as numpy;
- ``"vectors"``: feature vectors ``(n, d)`` (:func:`~tsclust._validation.check_vectors`),
  standardised per feature.

Everything after this edge (modules, the training loop, heads) sees tensors or datasets of
rows and never validates user input again.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted
from torch import nn

from . import io
from ._validation import (
    check_fitted_shape,
    check_vectors,
    jsonable,
    to_channels_first,
    validate_params,
)
from .preprocessing import ChannelStandardScaler, MinMaxScaler, scaler_from_dict, scaler_to_dict
from .preprocessing.lengths import collect
from .streaming import is_store_path, prepare_store
from .training import (
    Callback,
    TrainConfig,
    feature_view,
    prepare_module,
    pretext_loss,
    resolve_device,
    train,
)
from .training.neighbour_pretext import neighbour_pretext_loss

__all__ = [
    "SCALINGS",
    "INPUTS",
    "TrainingData",
    "BaseDeepEstimator",
    "WindowShapeMixin",
    "pretrain",
]

#: Per-channel scalings of windows, by name (fitted on the training windows).
SCALINGS: dict[str | None, type | None] = {
    "standard": ChannelStandardScaler,
    "minmax": MinMaxScaler,
    None: None,
}


@dataclass
class TrainingData:
    """What torch sees of an estimator's input: rows ready for the loop, and their shape.

    Attributes
    ----------
    data : torch.Tensor or StoreDataset
        ``(N, C, L)`` windows or ``(N, d)`` vectors, scaled, float32 on the CPU; a store
        is a dataset read batch by batch.
    shape : tuple of int
        ``(n, T, C)`` for windows, ``(n, d)`` for vectors (the public layout).
    source : object
        The validated array (at the common length) or the store path, for keys such as
        ``warm_start``'s.
    variable_length : bool
        Whether the input held series of different lengths (resampled to ``shape[1]``).
    """

    data: Any
    shape: tuple[int, ...]
    source: Any
    variable_length: bool = False

    @property
    def n_samples(self) -> int:
        """Number of rows."""
        return int(self.shape[0])

    @property
    def input_shape(self) -> tuple[int, ...]:
        """The shape of one row in the public layout: ``(T, C)`` or ``(d,)``."""
        return tuple(int(s) for s in self.shape[1:])

    def digest(self) -> tuple:
        """A cheap identity of the input: bytes digest of an array, path/size/mtime of a store."""
        if is_store_path(self.source):
            st = os.stat(self.source)
            return ("store", os.path.abspath(self.source), st.st_size, st.st_mtime_ns)
        arr = np.ascontiguousarray(self.source)
        return ("array", str(arr.dtype), hashlib.blake2b(arr.data, digest_size=16).hexdigest())


class WindowInput:
    """Windows ``(n, T, C)`` or a window-store path -> ``(N, C, L)`` float32 (the one conversion).

    Series of different lengths (a list of ``(T_i, C)`` / ``(T_i,)`` arrays or a NaN-padded
    array) are brought to one length by :func:`~tsclust.preprocessing.lengths.collect`: at
    fit the longest length, each shorter series linearly resampled to it; at predict every
    series is resampled to the fitted length if the fit saw different lengths (else another
    length raises). Equal-length input is not resampled.
    """

    name = "windows"

    @staticmethod
    def fit(X: Any, scaling: str | None) -> tuple[TrainingData, Any]:
        """Validate ``X``, fit the scaling on it and convert it; returns ``(data, scaler)``."""
        if is_store_path(X):
            ds, scaler, shape = prepare_store(X, scaling)
            return TrainingData(ds, shape, X), scaler
        col = collect(X)
        cls = SCALINGS[scaling]
        scaler = None if cls is None else cls().fit(col.X)
        return WindowInput._convert(col.X, scaler, col.variable_length), scaler

    @staticmethod
    def transform(
        X: Any, scaler: Any, input_shape: tuple[int, ...], variable_length: bool = False
    ) -> TrainingData:
        """Validate ``X`` against the fitted ``(T, C)`` (resampling it to ``T`` when the fit
        saw ``variable_length`` series), scale it and convert it."""
        t, c = input_shape
        if is_store_path(X):
            ds, _, shape = prepare_store(X, scaler=scaler)
            check_fitted_shape(np.empty((0, shape[1], shape[2])), t, c)
            return TrainingData(ds, shape, X)
        col = collect(X, n_timepoints=t, n_channels=c, variable_length=variable_length)
        return WindowInput._convert(col.X, scaler, variable_length)

    @staticmethod
    def _convert(X: np.ndarray, scaler: Any, variable_length: bool) -> TrainingData:
        Xs = X if scaler is None else scaler.transform(X).astype(np.float32)
        return TrainingData(to_channels_first(Xs), X.shape, X, variable_length)  # (N, C, L)


class VectorInput:
    """Feature vectors ``(n, d)`` -> ``(N, d)`` float32, standardised per feature if asked."""

    name = "vectors"

    @staticmethod
    def fit(X: Any, scaling: str | None) -> tuple[TrainingData, Any]:
        """Validate ``X``, fit the standardisation on it; returns ``(data, scaler)``."""
        X = check_vectors(X)
        scaler = None if scaling is None else StandardScaler().fit(X)
        return VectorInput._convert(X, scaler), scaler

    @staticmethod
    def transform(
        X: Any, scaler: Any, input_shape: tuple[int, ...], variable_length: bool = False
    ) -> TrainingData:
        """Validate ``X`` against the fitted ``(d,)`` and standardise it (``variable_length``
        is unused: vectors have one length)."""
        X = check_vectors(X)
        if X.shape[1:] != tuple(input_shape):
            raise ValueError(
                f"X has {X.shape[1]} feature(s) but the estimator was fitted on {input_shape[0]}"
            )
        return VectorInput._convert(X, scaler)

    @staticmethod
    def _convert(X: np.ndarray, scaler: Any) -> TrainingData:
        Xs = X if scaler is None else scaler.transform(X).astype(np.float32)
        return TrainingData(torch.from_numpy(np.ascontiguousarray(Xs)), X.shape, X)


class ArrayInput:
    """Windows ``(n, T, C)`` validated and kept as numpy (estimators that compute on arrays).

    Series of different lengths are brought to one length as in :class:`WindowInput`.
    """

    name = "arrays"

    @staticmethod
    def fit(X: Any, scaling: str | None) -> tuple[TrainingData, Any]:
        """Validate ``X`` (no scaling); returns ``(data, None)``."""
        col = collect(X)
        return TrainingData(col.X, col.X.shape, col.X, col.variable_length), None

    @staticmethod
    def transform(
        X: Any, scaler: Any, input_shape: tuple[int, ...], variable_length: bool = False
    ) -> TrainingData:
        """Validate ``X`` against the fitted ``(T, C)`` (resampled as in :class:`WindowInput`)."""
        t, c = input_shape
        col = collect(X, n_timepoints=t, n_channels=c, variable_length=variable_length)
        return TrainingData(col.X, col.X.shape, col.X, variable_length)


#: Input kinds of the deep estimators, by the name in their ``_input`` attribute.
INPUTS: dict[str, type] = {"windows": WindowInput, "vectors": VectorInput, "arrays": ArrayInput}


def _tuples(value: Any) -> Any:
    """``value`` with every list (at any depth, dict values included) turned into a tuple.

    The parameters of tsclust's estimators hold sequences as tuples; JSON gives lists back.
    """
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: _tuples(v) for k, v in value.items()}
    return value


def _scaler_to_dict(scaler: Any) -> dict[str, Any] | None:
    if isinstance(scaler, StandardScaler):
        return {"kind": "features", "mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist()}
    return scaler_to_dict(scaler)


def _scaler_from_dict(d: dict[str, Any] | None) -> Any:
    if d is not None and d.get("kind") == "features":
        s = StandardScaler()
        s.mean_, s.scale_ = np.asarray(d["mean"]), np.asarray(d["scale"])
        s.var_, s.n_features_in_ = s.scale_**2, len(s.mean_)
        return s
    return scaler_from_dict(d)


def pretrain(
    module: nn.Module,
    data: Any,
    config: TrainConfig | None,
    *,
    feature_weights: np.ndarray | None = None,
    callbacks: Sequence[Callback] = (),
    pretext: str = "none",
    pretext_weight: float = 1.0,
) -> tuple[nn.Module, Any, list[dict[str, Any]]]:
    """Fit the module's fixed stage, then pre-train it by (weighted) reconstruction.

    With a ``pretext`` other than ``"none"`` (:data:`~tsclust.training.PRETEXTS`), a
    contrastive or triplet term on two augmented views of each batch is added
    (:func:`~tsclust.training.pretext_loss`, its views seeded with ``config.seed``); it
    needs a module that encodes the windows themselves, not a fixed feature stage.
    ``"neighbours"`` instead adds UMAP's cross-entropy along the fuzzy k-NN graph of the
    windows' fixed features (random kernels, or ``cov`` statistics for several channels;
    :func:`~tsclust.training.neighbour_pretext.neighbour_pretext_loss`,
    seeded with ``config.seed``), and works with any module; where the module's own stage
    computes those features (``"rocket"``, ``"cov"``), the graph is built on its
    standardised features, computed once.

    The stage's standardisation is fitted on ``data`` (:func:`~tsclust.training.prepare_module`)
    and a module with a fixed stage is trained on its features, computed once
    (:func:`~tsclust.training.feature_view`); DAC's ``feature_weights`` weigh the samples of
    each window, so that loss trains on the windows themselves.

    Parameters
    ----------
    module : nn.Module
        A fresh autoencoder.
    data : torch.Tensor of shape (N, C, L) or (N, d), or a dataset
    config : TrainConfig or None
        None skips training (the stage is still fitted).
    feature_weights : ndarray or None
        DAC's weights (:func:`~tsclust.training.dac_weights`); None: plain MSE.
    callbacks : sequence of Callback, default=()
        Passed to :func:`~tsclust.training.train` (e.g. early stopping).
    pretext : str, default="none"
        A key of :data:`~tsclust.training.PRETEXTS`.
    pretext_weight : float, default=1.0
        Weight of the pretext term.

    Returns
    -------
    net, features, history
        What a head trains on (the module or its :class:`~tsclust.models.FeatureView`, and
        the windows or their features) and the pre-training history.

    Raises
    ------
    ValueError
        A ``pretext`` with views (``"contrastive"``, ``"triplet"``) and a module that has a
        fixed feature stage.
    """
    if pretext not in ("none", "neighbours") and getattr(module, "has_fixed_features", False):
        raise ValueError(
            f"pretext={pretext!r} augments the windows themselves and needs an architecture "
            "that encodes them (conv, gru, lstm, mlp), not a fixed feature stage"
        )
    device = None if config is None else config.device
    prepare_module(module, data, device=device)
    net, features = feature_view(module, data, device=device)
    history: list[dict[str, Any]] = []
    if config is not None:
        on = (module, data) if feature_weights is not None else (net, features)
        if pretext == "neighbours":  # graph neighbours, not views: any module
            # a module seen through its stage's features: the graph's, computed once
            known = ({module.stage.name: features}
                     if net is not module and feature_weights is None else None)
            loss = neighbour_pretext_loss(data, on[1], feature_weights, weight=pretext_weight,
                                          seed=config.seed, known=known)
        else:
            loss = pretext_loss(pretext, feature_weights, weight=pretext_weight, seed=config.seed)
        history = train(*on, loss, config, callbacks=callbacks)
    return net, features, history


class WindowShapeMixin:
    """``n_timepoints_`` and ``n_channels_`` of an estimator fitted on windows (from ``input_shape_``)."""

    input_shape_: tuple[int, ...]

    @property
    def n_timepoints_(self) -> int:
        """Window length seen in ``fit``."""
        return self.input_shape_[0]

    @property
    def n_channels_(self) -> int:
        """Channels seen in ``fit``."""
        return self.input_shape_[1]


class BaseDeepEstimator(BaseEstimator):
    """Template of the deep estimators: ``fit`` validates, scales and converts once, then ``_fit``.

    Subclasses declare ``_parameter_constraints`` (see
    :func:`~tsclust._validation.validate_params`), ``_input`` (a key of :data:`INPUTS`) and
    implement ``_fit(data, y, **fit_params)`` and ``_build_module(input_shape, seed)``; the
    scaling is the ``scaling`` parameter where the estimator has one. Persistence:
    ``_arrays()`` and ``_meta()`` say what to save beyond the module, ``_restore(arrays, meta)``
    sets the fitted state back.
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {}
    _input: ClassVar[str] = "windows"
    _fitted_attr: ClassVar[str] = "module_"

    def _validate_params(self) -> None:
        """Check every parameter against ``_parameter_constraints`` (ValueError on the first bad one)."""
        validate_params(self.get_params(deep=False), self._parameter_constraints)

    def _scaling(self) -> str | None:
        return getattr(self, "scaling", None)

    def fit(self, X: Any, y: Any = None, **fit_params: Any) -> BaseDeepEstimator:
        """Fit on ``X``: validate the parameters and ``X``, scale, convert, then train.

        Parameters
        ----------
        X : array-like or path
            See the estimator's class docstring for the accepted shapes.
        y : ignored or estimator-specific
        **fit_params
            Passed to the estimator's ``_fit`` (e.g. ``groups``).

        Returns
        -------
        self
        """
        self._validate_params()
        data, self.scaler_ = INPUTS[self._input].fit(X, self._scaling())
        self.variable_length_ = data.variable_length  # before _fit, which may call _data
        self._fit(data, y, **fit_params)
        self.input_shape_ = data.input_shape
        self.n_features_in_ = data.input_shape[-1]
        return self

    def _fit(self, data: TrainingData, y: Any, **fit_params: Any) -> None:  # pragma: no cover
        raise NotImplementedError

    def _build_module(self, input_shape: tuple[int, ...], seed: int) -> nn.Module:  # pragma: no cover
        raise NotImplementedError

    def _data(self, X: Any) -> TrainingData:
        """``X`` validated against the fitted input, scaled and converted (after ``fit``)."""
        check_is_fitted(self, self._fitted_attr)
        return INPUTS[self._input].transform(
            X, self.scaler_, self.input_shape_, self.variable_length_
        )

    # ------------------------------------------------------------------ persistence
    def _arrays(self) -> dict[str, np.ndarray]:
        """Arrays saved besides the module's weights."""
        return {}

    def _meta(self) -> dict[str, Any]:
        """Metadata saved besides the parameters, input shape, scaler and history."""
        return {}

    def _parts(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """The arrays and metadata :meth:`save` writes."""
        check_is_fitted(self, "module_")
        arrays = {**io.state_arrays(self.module_), **self._arrays()}
        meta = {
            "class": type(self).__name__,
            "params": io.saved_params(self),
            "input_shape": list(self.input_shape_),
            "variable_length": bool(self.variable_length_),
            "scaler": _scaler_to_dict(self.scaler_),
            "n_iter": self.n_iter_,
            **self._meta(),
            "history": jsonable(self.history_),
        }
        return arrays, meta

    def save(self, path: str | os.PathLike, overwrite: bool = False) -> None:
        """Write the fitted model to an HDF5 file (weights and JSON metadata, no pickle).

        ``random_state`` is stored only if it is None or an int.
        """
        arrays, meta = self._parts()
        io.save_model(path, arrays, meta, overwrite=overwrite)

    @classmethod
    def load(cls, path: str | os.PathLike, device: str | None = None) -> BaseDeepEstimator:
        """Read a model written by :meth:`save`.

        Parameters
        ----------
        path : path-like
        device : str or None, default=None
            Override the stored ``device`` parameter (e.g. "cpu" for a model fitted on a GPU).
        """
        arrays, meta = io.read_model_file(cls, path)
        return cls._from_parts(arrays, meta, device)

    @classmethod
    def _from_parts(
        cls, arrays: dict[str, np.ndarray], meta: dict[str, Any], device: str | None = None
    ) -> BaseDeepEstimator:
        """The estimator that :meth:`_parts` described."""
        est = cls._unfitted(meta, device)
        est.scaler_ = _scaler_from_dict(meta["scaler"])
        module = io.load_state_arrays(est._build_module(est.input_shape_, 0), arrays)
        est.module_ = module.to(resolve_device(est.device)).eval()
        est.history_ = meta["history"]
        est.n_iter_ = int(meta["n_iter"])
        est._restore(arrays, meta)
        return est

    @classmethod
    def _unfitted(cls, meta: dict[str, Any], device: str | None) -> BaseDeepEstimator:
        """The estimator of saved ``meta`` with its ``input_shape_`` (``device`` overrides)."""
        params = dict(meta["params"])
        if device is not None:
            params["device"] = device
        est = cls(**{k: _tuples(v) for k, v in params.items()})  # JSON stored tuples as lists
        est.input_shape_ = tuple(int(s) for s in meta["input_shape"])
        est.n_features_in_ = est.input_shape_[-1]
        est.variable_length_ = bool(meta.get("variable_length", False))  # False in older files
        return est

    def _restore(self, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        """Set the fitted state beyond module, scaler and history from the saved parts."""
