"""select_k on degenerate windows: a clear error, not scikit-learn's."""

from __future__ import annotations

import numpy as np
import pytest

from tsclust.clustering import DeepClusterer, select_k

TINY = dict(architecture="mlp", module_kwargs={"hidden": (8,)}, latent_dim=2, pretrain_epochs=1,
            batch_size=16, device="cpu", n_init=1)


def test_identical_windows_are_refused_before_training():
    X = np.ones((20, 16, 2), dtype=np.float32)
    with pytest.raises(ValueError, match="all 20 windows are identical"):
        select_k(X, range(2, 5), estimator=DeepClusterer(2, **TINY), random_state=0)


def test_fewer_distinct_windows_than_k_are_refused():
    X = np.repeat(np.random.RandomState(0).randn(3, 16, 1), 5, axis=0).astype(np.float32)
    with pytest.raises(ValueError, match="only 3 distinct windows among 15.*at most 3"):
        select_k(X, range(2, 6), estimator=DeepClusterer(2, **TINY), random_state=0)


def test_latents_of_one_point_are_refused(monkeypatch):
    # windows that differ, encoded to one point (a collapsed encoder)
    X = np.random.RandomState(0).randn(20, 16, 1).astype(np.float32)
    monkeypatch.setattr(DeepClusterer, "transform", lambda self, X: np.zeros((len(X), 2)))
    with pytest.raises(ValueError, match="latents.*identical"):
        select_k(X, range(2, 4), estimator=DeepClusterer(2, **TINY), random_state=0)


def test_latents_with_fewer_points_than_k_score_nan(monkeypatch):
    # two distinct latents: k = 2 is scored, k = 3 cannot be (NaN), not a crash
    X = np.random.RandomState(0).randn(20, 16, 1).astype(np.float32)
    two = np.repeat([[0.0, 0.0], [5.0, 5.0]], 10, axis=0)
    monkeypatch.setattr(DeepClusterer, "transform", lambda self, X: two)
    with pytest.warns(UserWarning, match="2 distinct latents"):
        sel = select_k(X, range(2, 4), estimator=DeepClusterer(2, **TINY), random_state=0)
    assert sel.best_k == 2 and np.isnan(sel.calinski_harabasz[1]) and np.isnan(sel.silhouette[1])
