"""Clustering windows of several recordings: remove each recording's offsets first.

Windows cut from many recordings (subjects, sessions, sensor placements) differ by recording
as well as by activity: a sensor mounted a little differently shifts every statistic of its
recording. :class:`RecordingAligner` removes those shifts within coarse clusters, and
:class:`RecordingClusterer` adds the posture angle of :func:`tsclust.preprocessing.gravity_tilt`
and clusters the result with a :class:`LatentClusterer`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from sklearn.base import ClusterMixin, TransformerMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .. import io
from .._validation import (
    Check,
    Interval,
    check_delays,
    check_n_clusters,
    set_init_params,
    split_seeds,
)
from ..base import BaseDeepEstimator, TrainingData, WindowShapeMixin
from ..preprocessing.posture import check_groups, gravity_tilt
from ._estimator import DeepClusterer, LatentClusterer
from ._features import CovStatistics
from ._heads import check_head, nearest, ward_cluster

__all__ = ["RecordingAligner", "RecordingClusterer", "load_clusterer"]


class RecordingAligner:
    """Shift each recording's features so that its coarse clusters sit where everyone's do.

    :meth:`fit` finds ``n_coarse`` coarse clusters of the features (Ward, on a seeded
    subsample above ``max_samples`` rows) and keeps their means. :meth:`transform` assigns
    every row to its nearest coarse mean, and within each (group, coarse cluster) with at
    least ``min_rows`` rows replaces the group's mean by the coarse cluster's mean: what
    is left is how each window differs from the rest of its recording in the same state.
    It assumes every recording visits the same states in similar proportions.

    Parameters
    ----------
    n_coarse : int
        Number of coarse clusters (>= 1).
    min_rows : int, default=5
        Smaller (group, cluster) cells are left as they are.
    max_samples : int, default=20000
        Largest number of rows Ward clusters directly.
    seed : int, default=0
        Seeds the subsample.

    Attributes
    ----------
    centers_ : ndarray of shape (n_coarse, n_features)
    """

    def __init__(
        self, n_coarse: int, min_rows: int = 5, max_samples: int = 20_000, seed: int = 0
    ) -> None:
        set_init_params(self, locals())

    def fit(self, F: np.ndarray) -> RecordingAligner:
        """Find the coarse clusters of features ``F`` ``(n, d)``."""
        if self.n_coarse == 1:
            self.centers_ = F.mean(axis=0, keepdims=True)
        else:
            _, self.centers_ = ward_cluster(F, self.n_coarse, self.max_samples, self.seed)
        return self

    def transform(self, F: np.ndarray, groups: np.ndarray) -> np.ndarray:
        """Aligned copy of ``F`` ``(n, d)``; ``groups`` ``(n,)`` is the recording of each row."""
        coarse = nearest(F, self.centers_)
        out = np.array(F, dtype=np.float64, copy=True)
        for g in np.unique(groups):
            in_group = groups == g
            for c in np.unique(coarse[in_group]):
                cell = in_group & (coarse == c)
                if cell.sum() >= self.min_rows:
                    out[cell] += self.centers_[c] - F[cell].mean(axis=0)
        return out


def _check_channels(value: Any) -> None:
    if value is not None and (
        not isinstance(value, (tuple, list)) or len(value) != 3
        or not all(isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in value)
    ):
        raise ValueError(f"gravity_channels must be None or 3 channel indices, got {value!r}")


class RecordingClusterer(WindowShapeMixin, ClusterMixin, TransformerMixin, BaseDeepEstimator):
    """Cluster windows of several recordings: aligned ``cov`` statistics plus posture angle.

    Every window becomes its standardised ``cov`` statistics (channel means and
    log-covariances of delay embeddings, :class:`CovStatistics`), aligned per recording by
    :class:`RecordingAligner` (so a sensor mounted differently no longer splits an activity),
    plus ``tilt_weight`` times the standardised log posture angle of
    :func:`tsclust.preprocessing.gravity_tilt` (the angle to the recording's own upright
    reference, which tells sitting from standing across recordings). A
    :class:`LatentClusterer` (an MLP autoencoder and ``head``) clusters those vectors.

    The recording of each window (``groups``) is what this estimator adds; a window store
    holds it (``Windows.origins[:, 0]``). Without groups all windows count as one
    recording. New windows are aligned and referenced within their own recordings, so
    ``predict`` wants whole recordings (or large parts), not single windows.

    Parameters
    ----------
    n_clusters : int, default=8
    head : str, default="dec"
        Head of the inner :class:`LatentClusterer`.
    n_coarse : int or None, default=None
        Coarse clusters of the alignment; None: ``max(2, n_clusters // 2)``.
    tilt_weight : float, default=3.0
        Weight of the posture angle against the (unit-variance) statistics; 0 leaves it out.
    gravity_channels : sequence of 3 int or None, default=(0, 1, 2)
        Raw accelerometer channels for the posture angle; None leaves it out.
    latent_dim : int, default=32
    pretrain_epochs : int, default=50
    delays : sequence of int, default=(4,)
    eps : float, default=0.1
        Statistics settings, see :class:`CovStatistics`.
    random_state : int, RandomState or None, default=None
    device : str, default="cpu"
    verbose : int, default=0

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
    statistics_ : CovStatistics
    aligner_ : RecordingAligner
    tilt_mean_, tilt_scale_ : float
        Standardisation of the log posture angle (training windows).
    clusterer_ : LatentClusterer
        Fitted on the aligned vectors ``(n_samples, n_features)``.
    cluster_centers_ : ndarray of shape (n_clusters, latent_dim)

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(40, 32, 3).astype(np.float32) * 0.1 + [0, 0, 1]
    >>> X[20:] *= [1, 1, 3]  # a second state
    >>> est = RecordingClusterer(2, pretrain_epochs=2, random_state=0)
    >>> est.fit_predict(X, groups=np.tile([0, 1], 20)).shape  # two recordings, both states
    (40,)
    """

    def __init__(
        self,
        n_clusters: int = 8,
        head: str = "dec",
        n_coarse: int | None = None,
        tilt_weight: float = 3.0,
        gravity_channels: Sequence[int] | None = (0, 1, 2),
        latent_dim: int = 32,
        pretrain_epochs: int = 50,
        delays: Sequence[int] = (4,),
        eps: float = 0.1,
        random_state: Any = None,
        device: str = "cpu",
        verbose: int = 0,
    ) -> None:
        set_init_params(self, locals())

    accepts_groups = True  # tsclust.compare passes each window's recording as ``groups``

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "n_clusters": [Interval(int, 2)],
        "head": [Check(check_head)],
        "n_coarse": [Interval(int, 1), None],
        "tilt_weight": [Interval(float, 0)],
        "gravity_channels": [Check(_check_channels)],
        "latent_dim": [Interval(int, 1)],
        "pretrain_epochs": [Interval(int, 0)],
        "delays": [Check(check_delays)],
        "eps": [Interval(float, 0, closed="neither")],
        "random_state": [Interval(int, 0), np.random.RandomState, None],
        "device": [str],
        "verbose": [Interval(int, 0), bool],
    }
    _input: ClassVar[str] = "arrays"
    _fitted_attr: ClassVar[str] = "clusterer_"

    def _check_data_params(self, n: int, c: int) -> int:
        check_n_clusters(self.n_clusters, n)
        n_coarse = max(2, self.n_clusters // 2) if self.n_coarse is None else self.n_coarse
        if not 1 <= n_coarse <= n:
            raise ValueError(f"n_coarse must be an integer in [1, {n}], got {self.n_coarse!r}")
        if self.gravity_channels is not None and self.tilt_weight > 0 and c < 3:
            raise ValueError(
                f"the posture angle needs 3 accelerometer channels, the windows have {c}; "
                "pass gravity_channels=None"
            )
        return int(n_coarse)

    def _uses_tilt(self) -> bool:
        return self.gravity_channels is not None and self.tilt_weight > 0

    def _log_tilt(self, X: np.ndarray, groups: np.ndarray) -> np.ndarray:
        return np.log1p(gravity_tilt(X, groups, self.gravity_channels))  # (n,)

    def _vectors(
        self, X: np.ndarray, groups: np.ndarray, F: np.ndarray, tilt: np.ndarray | None = None
    ) -> np.ndarray:
        """Aligned statistics plus the weighted posture angle: ``(n, n_features)`` float32."""
        parts = [self.aligner_.transform(F, groups)]
        if self._uses_tilt():
            tilt = self._log_tilt(X, groups) if tilt is None else tilt
            parts.append(self.tilt_weight * (tilt[:, None] - self.tilt_mean_) / self.tilt_scale_)
        return np.hstack(parts).astype(np.float32)

    def fit(self, X: Any, y: Any = None, groups: Any = None) -> RecordingClusterer:
        """Fit on windows ``X`` ``(n_samples, n_timepoints, n_channels)`` of recordings ``groups``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timepoints, n_channels)
            Raw windows (the statistics standardise the channels themselves).
        y : ignored
        groups : array-like of shape (n_samples,) or None, default=None
            Recording of each window; None: one recording.

        Returns
        -------
        self
        """
        return super().fit(X, y, groups=groups)

    def _fit(self, data: TrainingData, y: Any = None, groups: Any = None) -> None:
        X = data.data
        n, _, c = X.shape
        n_coarse = self._check_data_params(n, c)
        g = check_groups(groups, n)
        align_seed, inner_seed = split_seeds(self.random_state, 2)
        self.statistics_ = CovStatistics(self.delays, self.eps)
        F = self.statistics_.fit_transform(X)
        self.aligner_ = RecordingAligner(n_coarse, seed=align_seed).fit(F)
        self.tilt_mean_, self.tilt_scale_ = 0.0, 1.0
        tilt = None
        if self._uses_tilt():
            tilt = self._log_tilt(X, g)
            self.tilt_mean_, self.tilt_scale_ = float(tilt.mean()), float(max(tilt.std(), 1e-12))
        self.clusterer_ = self._inner(inner_seed).fit(self._vectors(X, g, F, tilt))
        self.labels_ = self.clusterer_.labels_
        self.cluster_centers_ = self.clusterer_.cluster_centers_

    def _inner(self, seed: int) -> LatentClusterer:
        return LatentClusterer(
            n_clusters=self.n_clusters, head=self.head, latent_dim=self.latent_dim,
            pretrain_epochs=self.pretrain_epochs, module_kwargs={"hidden": (256, 128)},
            scaling=None, random_state=seed, device=self.device, verbose=self.verbose,
        )

    def fit_predict(self, X: Any, y: Any = None, groups: Any = None) -> np.ndarray:
        """``fit(X, groups=groups).labels_``."""
        return self.fit(X, groups=groups).labels_

    def fit_transform(self, X: Any, y: Any = None, groups: Any = None) -> np.ndarray:
        """``fit(X, groups=groups).transform(X, groups=groups)``: latents ``(n_samples, latent_dim)``."""
        return self.fit(X, groups=groups).transform(X, groups=groups)

    def _inner_input(self, X: Any, groups: Any) -> np.ndarray:
        X = self._data(X).data
        g = check_groups(groups, X.shape[0])
        return self._vectors(X, g, self.statistics_.transform(X))

    def transform(self, X: Any, groups: Any = None) -> np.ndarray:
        """Latents ``(n_samples, latent_dim)`` of windows ``X`` of recordings ``groups``."""
        Z = self._inner_input(X, groups)
        return self.clusterer_.transform(Z)

    def predict(self, X: Any, groups: Any = None) -> np.ndarray:
        """Cluster ``(n_samples,)`` of windows ``X`` of recordings ``groups``."""
        Z = self._inner_input(X, groups)
        return self.clusterer_.predict(Z)

    def _has_proba(self) -> bool:
        return check_head(self.head).soft

    @available_if(_has_proba)
    def predict_proba(self, X: Any, groups: Any = None) -> np.ndarray:
        """Soft assignment ``(n_samples, n_clusters)`` of the head (DEC's Student t ``q``)."""
        Z = self._inner_input(X, groups)
        return self.clusterer_.predict_proba(Z)

    # ------------------------------------------------------------------ persistence
    def _parts(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """The arrays and metadata :meth:`save` writes (the inner model's under ``inner/``)."""
        check_is_fitted(self, "clusterer_")
        inner_arrays, inner_meta = self.clusterer_._parts()
        st = self.statistics_
        arrays = {f"inner/{k}": v for k, v in inner_arrays.items()}
        arrays.update({
            "channel_mean": st.channel_mean_, "channel_scale": st.channel_scale_,
            "feature_mean": st.scaler_.mean_, "feature_scale": st.scaler_.scale_,
            "coarse_centers": self.aligner_.centers_, "labels": self.labels_,
        })
        meta = {
            "class": type(self).__name__, "params": io.saved_params(self), "inner": inner_meta,
            "input_shape": list(self.input_shape_),
            "variable_length": bool(self.variable_length_),
            "tilt": [self.tilt_mean_, self.tilt_scale_],
            "aligner": {"n_coarse": self.aligner_.n_coarse, "min_rows": self.aligner_.min_rows},
        }
        return arrays, meta

    @classmethod
    def _from_parts(
        cls, arrays: dict[str, np.ndarray], meta: dict[str, Any], device: str | None = None
    ) -> RecordingClusterer:
        from sklearn.preprocessing import StandardScaler

        est = cls._unfitted(meta, device)
        inner = {k[len("inner/"):]: v for k, v in arrays.items() if k.startswith("inner/")}
        est.clusterer_ = LatentClusterer._from_parts(inner, meta["inner"], device)
        st = CovStatistics(est.delays, est.eps)
        st.channel_mean_, st.channel_scale_ = arrays["channel_mean"], arrays["channel_scale"]
        st.scaler_ = StandardScaler()
        st.scaler_.mean_, st.scaler_.scale_ = arrays["feature_mean"], arrays["feature_scale"]
        st.scaler_.var_ = st.scaler_.scale_**2
        st.scaler_.n_features_in_ = len(st.scaler_.mean_)
        est.statistics_ = st
        est.aligner_ = RecordingAligner(**meta["aligner"])
        est.aligner_.centers_ = arrays["coarse_centers"]
        est.tilt_mean_, est.tilt_scale_ = (float(v) for v in meta["tilt"])
        est.labels_ = np.asarray(arrays["labels"], dtype=np.int64)
        est.cluster_centers_ = est.clusterer_.cluster_centers_
        est.scaler_ = None
        return est


def load_clusterer(
    path: str | os.PathLike, device: str | None = None
) -> DeepClusterer | RecordingClusterer:
    """Load a model file written by :meth:`DeepClusterer.save` or :meth:`RecordingClusterer.save`."""
    classes = {c.__name__: c for c in (DeepClusterer, RecordingClusterer)}
    name = io.model_class(path)
    if name not in classes:
        raise ValueError(f"{path} holds a {name!r}, not one of {sorted(classes)}")
    return classes[name].load(path, device=device)
