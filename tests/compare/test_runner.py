"""compare(): rows, failures, seeds and parameters, argument checks, subsamples."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.compare.conftest import FAST_METHODS
from tsclust.compare import RESULT_COLUMNS, compare, summarize
from tsclust.compare.runner import _PeakMemory


def test_transductive_rows(data):
    X, y, _ = data
    rows = compare(X, y, n_clusters=2, methods=FAST_METHODS, seeds=(0, 1), progress=False)
    assert [(r["method"], r["seed"]) for r in rows] == [
        ("kmeans", 0),
        ("kmeans", 1),
        ("stats-kmeans", 0),
        ("stats-kmeans", 1),
    ]
    for r in rows:
        assert set(r) == set(RESULT_COLUMNS)
        assert r["error"] is None
        assert r["protocol"] == "transductive"
        assert r["n_train"] == r["n_test"] == X.shape[0]
        assert r["subsample"] is None
        assert r["ari"] == r["nmi"] == r["acc"] == 1.0
        assert -1 <= r["silhouette"] <= 1
        assert r["fit_time_s"] >= 0 and r["predict_time_s"] == 0.0
        assert r["wall_time_s"] >= r["fit_time_s"]
        assert np.isfinite(r["peak_mem_mb"])  # measured (NaN where it could not be)


def test_failing_method_is_reported_and_others_run(data, spies):
    X, y, _ = data
    rows = compare(
        X, y, n_clusters=2, methods=["boom", "kmeans", "badshape"], seeds=[0, 1], progress=False
    )
    assert len(rows) == 6
    boom = [r for r in rows if r["method"] == "boom"]
    assert all(r["error"] == "RuntimeError: kaboom" for r in boom)
    assert all(math.isnan(r[c]) for r in boom for c in ("ari", "nmi", "acc", "silhouette"))
    assert all(r["wall_time_s"] >= 0 for r in boom)
    ok = [r for r in rows if r["method"] == "kmeans"]
    assert all(r["error"] is None and r["ari"] == 1.0 for r in ok)
    bad = [r for r in rows if r["method"] == "badshape"]
    assert all("shape" in r["error"] for r in bad)
    summary = summarize(rows)
    assert summary[0]["method"] == "kmeans"
    assert summary[-1]["errors"] == 2 and math.isnan(summary[-1]["ari_mean"])


def test_method_params_and_seeds_reach_the_estimator(data, spies):
    X, y, _ = data
    compare(
        X,
        y,
        n_clusters=2,
        methods=["spy"],
        seeds=[3, 4],
        method_params={"spy": {"n_init": 2}},
        progress=False,
    )
    assert [(c[1], c[2]) for c in spies] == [(3, 2), (4, 2)]
    spies.clear()
    rows = compare(X, y, n_clusters=2, methods=["spy"], seeds=3, progress=False)
    assert [c[1] for c in spies] == [0, 1, 2] == [r["seed"] for r in rows]  # as --seeds 3
    with pytest.raises(ValueError, match="not run"):
        compare(X, y, n_clusters=2, methods=["spy"], method_params={"kmeans": {}}, progress=False)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"protocol": "inductive"}, "groups"),
        ({"protocol": "inductive", "groups": "G", "test_groups": [999]}, "not found"),
        ({"protocol": "inductive", "groups": "G", "test_groups": [100], "test_fraction": 0.5}, "not both"),
        ({"protocol": "inductive", "groups": "G", "test_fraction": 1.5}, "test_fraction"),
        ({"protocol": "inductive", "groups": "G", "test_groups": list(range(100, 106))}, "nothing is left"),
        ({"protocol": "inductive", "groups": np.zeros(48)}, "2 distinct groups"),
        ({"X_test": "X"}, "inductive"),
        ({"protocol": "semi"}, "protocol"),
        ({"seeds": []}, "seeds"),
        ({"seeds": [-1]}, "seed"),
        ({"seeds": 0}, "seeds"),
        ({"seeds": "3"}, "seeds"),
        ({"seeds": True}, "seeds"),
        ({"n_clusters": 1}, "n_clusters"),
        ({"n_clusters": 100}, "larger than"),
        ({"subsample": 1}, "subsample"),
        ({"y": [0, 1]}, "y must have shape"),
    ],
)  # fmt: skip
def test_bad_arguments(data, kwargs, match):
    X, y, groups = data
    kwargs = {"n_clusters": 2, "methods": ["kmeans"], "y": y, **kwargs}
    if isinstance(kwargs.get("groups"), str):
        kwargs["groups"] = groups
    if isinstance(kwargs.get("X_test"), str):
        kwargs["X_test"] = X
    with pytest.raises(ValueError, match=match):
        compare(X, progress=False, **kwargs)


def test_subsample_same_windows_for_every_method_of_a_seed(data, spies):
    X, y, _ = data
    rows = compare(
        X, y, n_clusters=2, methods=["spy", "spy2"], seeds=[0, 1], subsample=20, progress=False
    )
    assert all(r["n_train"] == r["n_test"] == 20 and r["subsample"] == 20 for r in rows)
    by = {(c[0], c[1]): c[3] for c in spies}
    np.testing.assert_array_equal(by[("SpyKMeans", 0)], by[("SpyKMeans2", 0)])
    np.testing.assert_array_equal(by[("SpyKMeans", 1)], by[("SpyKMeans2", 1)])
    assert not np.array_equal(by[("SpyKMeans", 0)], by[("SpyKMeans", 1)])
    # larger than the data: all windows, still recorded
    rows = compare(X, y, n_clusters=2, methods=["kmeans"], seeds=[0], subsample=999, progress=False)
    assert rows[0]["n_train"] == X.shape[0] and rows[0]["subsample"] == 999


def test_peak_memory_sees_an_allocation():
    with _PeakMemory() as mem:
        block = np.ones(64 * 2**20 // 8)  # 64 MiB, touched
        block[::512] = 2.0
    del block
    if mem._per_run:  # Linux: the high-water mark is reset per block
        assert mem.peak_mb >= 48
    else:  # a lower bound: an earlier, higher peak hides this one
        assert mem.peak_mb >= 0

