"""Protocols: the inductive splits, the PROTOCOLS registry, groups for accepts_groups estimators."""

from __future__ import annotations

import numpy as np
import pytest

from tsclust.baselines import BASELINES, FlatKMeans
from tsclust.compare import PROTOCOLS, Protocol, compare
from tsclust.compare.protocols import HeldOut, WindowSet, check_protocol, group_split


def test_inductive_with_test_groups(data, spies):
    X, y, groups = data
    rows = compare(
        X,
        y,
        n_clusters=2,
        methods=["spy"],
        seeds=[0],
        protocol="inductive",
        groups=groups,
        test_groups=[101, 104],
        progress=False,
    )
    (row,) = rows
    held = np.isin(groups, [101, 104])
    assert row["protocol"] == "inductive"
    assert (row["n_train"], row["n_test"]) == ((~held).sum(), held.sum())
    assert row["ari"] == 1.0 and row["predict_time_s"] >= 0
    # the estimator saw exactly the training groups' windows
    np.testing.assert_array_equal(spies[0][3], X[~held])


def test_inductive_with_test_fraction_is_seeded_by_split_seed(data, spies):
    X, y, groups = data
    kwargs = dict(n_clusters=2, methods=["spy"], protocol="inductive", groups=groups)
    compare(X, y, seeds=[0, 1], test_fraction=0.5, progress=False, **kwargs)
    compare(X, y, seeds=[0], test_fraction=0.5, progress=False, **kwargs)
    first, second, third = (c[3] for c in spies)
    assert first.shape[0] == X.shape[0] // 2
    np.testing.assert_array_equal(first, second)  # same split for every seed
    np.testing.assert_array_equal(first, third)  # and across calls


def test_inductive_with_x_test(data):
    X, y, _ = data
    (row,) = compare(
        X[:20],
        y[:20],
        n_clusters=2,
        methods=["kmeans"],
        seeds=[0],
        protocol="inductive",
        X_test=X[20:],
        y_test=y[20:],
        progress=False,
    )
    assert (row["n_train"], row["n_test"], row["ari"]) == (20, X.shape[0] - 20, 1.0)


# ------------------------------------------------------------------ registry and pieces


def test_protocol_registry():
    assert list(PROTOCOLS) == ["transductive", "inductive"]
    assert all(isinstance(p, Protocol) for p in PROTOCOLS.values())
    assert check_protocol("inductive") is PROTOCOLS["inductive"]
    for bad in ("semi", None, ["inductive"]):
        with pytest.raises(ValueError, match="protocol must be one of"):
            check_protocol(bad)


def test_group_split_holds_out_whole_groups():
    groups = np.repeat([1, 2, 3, 4], 3)
    mask = group_split(groups, None, 0.5, split_seed=3)
    assert mask.sum() == 6
    assert all(len(set(mask[groups == g])) == 1 for g in (1, 2, 3, 4))
    np.testing.assert_array_equal(mask, group_split(groups, None, 0.5, split_seed=3))
    np.testing.assert_array_equal(group_split(groups, [2], None, 0), groups == 2)
    assert group_split(groups, None, None, 0).sum() == 3  # default: a quarter of the groups


def test_split_keeps_y_and_recordings_aligned():
    X = np.arange(6, dtype=np.float32).reshape(6, 1, 1)
    data = WindowSet(X, np.arange(6) * 10, np.arange(6) * 100)
    split = PROTOCOLS["inductive"].split(data, HeldOut(groups=[0, 0, 1, 1, 2, 2], test_groups=[1]))
    np.testing.assert_array_equal(split.test.X.ravel(), [2, 3])
    np.testing.assert_array_equal(split.test.y, [20, 30])
    np.testing.assert_array_equal(split.test.recordings, [200, 300])
    assert len(split.train) == 4 and split.scored(split.train) is split.test
    same = PROTOCOLS["transductive"].split(data, HeldOut(groups=[0] * 6))  # groups ignored
    assert same.test is None and same.scored(data) is data


class GroupSpy(FlatKMeans):
    """Records the ``groups`` of every fit/predict; ``accepts_groups`` asks for them."""

    accepts_groups = True
    seen: list = []

    def fit(self, X, y=None, groups=None):
        GroupSpy.seen.append(("fit", groups))
        return super().fit(X)

    def predict(self, X, groups=None):
        GroupSpy.seen.append(("predict", groups))
        return super().predict(X)

    def fit_predict(self, X, y=None, groups=None):
        GroupSpy.seen.append(("fit_predict", groups))
        return FlatKMeans.predict(FlatKMeans.fit(self, X), X)


def test_estimators_with_accepts_groups_get_the_recordings(data, monkeypatch):
    X, y, groups = data
    GroupSpy.seen = []
    monkeypatch.setitem(BASELINES, "group-spy", GroupSpy)
    rec = groups * 10
    compare(X, y, n_clusters=2, methods=["group-spy", "kmeans"], seeds=[0], recordings=rec,
            progress=False)  # fmt: skip
    compare(X, y, n_clusters=2, methods=["group-spy"], seeds=[0], recordings=rec,
            protocol="inductive", groups=groups, test_groups=[105], progress=False)  # fmt: skip
    (kind, seen), *held = GroupSpy.seen
    assert kind == "fit_predict"
    np.testing.assert_array_equal(seen, rec)
    assert [k for k, _ in held] == ["fit", "predict"]
    np.testing.assert_array_equal(held[0][1], rec[groups != 105])
    np.testing.assert_array_equal(held[1][1], rec[groups == 105])
