"""Shared data and spy baselines of the compare tests."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tsclust.baselines import BASELINES, FlatKMeans
from tsclust.compare import RESULT_COLUMNS

FAST_METHODS = ["kmeans", "stats-kmeans"]


def make_data(n_groups: int = 6, per_group: int = 8, seed: int = 0):
    """Two classes of windows (16 x 2), each group (subject) holding both classes."""
    rng = np.random.RandomState(seed)
    n = n_groups * per_group
    y = np.tile(np.repeat([0, 1], per_group // 2), n_groups)
    X = rng.randn(n, 16, 2).astype(np.float32) * 0.3
    X[y == 1] += 2.0
    groups = np.repeat(np.arange(100, 100 + n_groups), per_group)
    return X, y, groups


def fake_rows():
    """Four hand-made rows: method a (one run), b (two runs), c (one failed run)."""
    base = {c: math.nan for c in RESULT_COLUMNS}
    rows = []
    for method, ari, err in [
        ("a", 0.2, None),
        ("b", 0.9, None),
        ("b", 0.7, None),
        ("c", 0, "E: x"),
    ]:
        row = dict(base, method=method, seed=len(rows), protocol="transductive", n_clusters=2,
                   n_train=10, n_test=10, subsample=None, ari=ari if err is None else math.nan,
                   nmi=0.5, acc=0.5, silhouette=0.1, fit_time_s=1.0, predict_time_s=0.0,
                   wall_time_s=1.5, peak_mem_mb=3.0, error=err)  # fmt: skip
        rows.append(row)
    return rows


@pytest.fixture
def data():
    return make_data()


class _Recorder:
    """Collects (method class, random_state, n_init, fitted windows) of every fit."""

    calls: list = []


class SpyKMeans(FlatKMeans):
    def fit(self, X, y=None):
        _Recorder.calls.append((type(self).__name__, self.random_state, self.n_init, X.copy()))
        return super().fit(X)


class SpyKMeans2(SpyKMeans):
    pass


class Boom(FlatKMeans):
    def fit(self, X, y=None):
        raise RuntimeError("kaboom")


class BadShape(FlatKMeans):
    def fit_predict(self, X, y=None):
        return np.zeros(3, dtype=int)


@pytest.fixture
def spies(monkeypatch):
    _Recorder.calls = []
    monkeypatch.setitem(BASELINES, "spy", SpyKMeans)
    monkeypatch.setitem(BASELINES, "spy2", SpyKMeans2)
    monkeypatch.setitem(BASELINES, "boom", Boom)
    monkeypatch.setitem(BASELINES, "badshape", BadShape)
    return _Recorder.calls
