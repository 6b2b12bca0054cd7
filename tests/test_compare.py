"""compare(): protocols, failures, validation; write_results(): the four outputs."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest

import tsclust.compare as compare_mod
from tsclust.baselines import BASELINES, FlatKMeans
from tsclust.compare import (
    RESULT_COLUMNS,
    available_methods,
    check_methods,
    compare,
    make_method,
    summarize,
    write_results,
)

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
        assert r["peak_mem_mb"] >= 0


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


def test_unknown_method_lists_valid_names_before_any_run(data, spies):
    X, y, _ = data
    with pytest.raises(ValueError) as info:
        compare(X, y, n_clusters=2, methods=["spy", "dtw"], progress=False)
    msg = str(info.value)
    assert "'dtw'" in msg
    for name in ("dtw-kmeans", "kshape", "stats-kmeans", "conv", "gru", "idec", "compact"):
        assert name in msg
    assert spies == []  # nothing ran
    for bad in (["conv+nope"], ["transformer+dec"], ["conv"], [], ["kmeans", "kmeans"], [3]):
        with pytest.raises(ValueError):
            check_methods(bad)


def test_available_methods():
    names = available_methods()
    assert names[: len(BASELINES)] == list(BASELINES)
    assert {"conv+dec", "gru+idec", "mlp+kmeans", "lstm+compact"} <= set(names)
    assert check_methods("conv+dec") == ["conv+dec"]


def test_make_method_builds_baselines_and_deep_estimators():
    est = make_method("dtw-kmeans", 4, 7, {"sakoe_chiba_radius": 3})
    assert (est.n_clusters, est.random_state, est.sakoe_chiba_radius) == (4, 7, 3)
    clustering = pytest.importorskip("tsclust.clustering")
    if not hasattr(clustering, "DeepClusterer"):
        pytest.skip("DeepClusterer not written yet")
    deep = make_method("gru+idec", 5, 2, {"latent_dim": 4})
    params = deep.get_params()
    assert (params["n_clusters"], params["architecture"], params["head"]) == (5, "gru", "idec")
    assert (params["random_state"], params["latent_dim"]) == (2, 4)


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
    with pytest.raises(ValueError, match="not run"):
        compare(X, y, n_clusters=2, methods=["spy"], method_params={"kmeans": {}}, progress=False)


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


def test_without_labels_reports_label_free_scores(data, tmp_path):
    X, _, _ = data
    rows = compare(X, None, n_clusters=2, methods=FAST_METHODS, seeds=[0, 1], progress=False)
    for r in rows:
        assert r["error"] is None
        assert math.isnan(r["ari"]) and math.isnan(r["nmi"]) and math.isnan(r["acc"])
        assert math.isfinite(r["silhouette"])
    paths = write_results(rows, tmp_path / "out")
    md = paths["md"].read_text()
    assert "sorted by mean silhouette" in md
    assert paths["png"].stat().st_size > 0


def _fake_rows():
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


def test_summarize_sorts_by_mean_ari():
    summary = summarize(_fake_rows())
    assert [s["method"] for s in summary] == ["b", "a", "c"]
    b = summary[0]
    assert b["runs"] == 2 and b["errors"] == 0
    assert b["ari_mean"] == pytest.approx(0.8)
    assert b["ari_std"] == pytest.approx(np.std([0.9, 0.7], ddof=1))
    assert summary[1]["ari_std"] == 0.0
    assert summary[2]["first_error"] == "E: x"


def test_write_results_outputs(data, tmp_path, spies):
    X, y, _ = data
    rows = compare(X, y, n_clusters=2, methods=["kmeans", "boom"], seeds=[0, 1], progress=False)
    meta = {"data": "toy windows 16x2", "command": "pytest"}
    paths = write_results(rows, tmp_path / "nested" / "out", meta=meta)
    assert sorted(p.name for p in paths.values()) == sorted(compare_mod.RESULT_FILES)

    with open(paths["csv"], newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0] == list(RESULT_COLUMNS)
    assert len(table) == 1 + len(rows)
    record = dict(zip(table[0], table[1], strict=True))
    assert record["method"] == "kmeans" and float(record["ari"]) == 1.0
    boom = dict(zip(table[0], table[-1], strict=True))
    assert boom["error"] == "RuntimeError: kaboom" and boom["ari"] == "nan"

    payload = json.loads(paths["json"].read_text())  # strict JSON: NaN written as null
    assert payload["meta"]["data"] == "toy windows 16x2"
    assert "machine" in payload["meta"] and "date" in payload["meta"]
    assert len(payload["rows"]) == len(rows) and payload["rows"][-1]["ari"] is None

    md = paths["md"].read_text()
    lines = md.splitlines()
    assert "- data: toy windows 16x2" in lines and "- command: pytest" in lines
    assert any(line.startswith("- machine: ") for line in lines)
    assert "subsample: all" in md and "protocol: transductive" in md
    table_rows = [line for line in lines if line.startswith("| ") and "---" not in line]
    assert table_rows[1].startswith("| kmeans | 2 | 1.000 ± 0.000")
    assert table_rows[2].startswith("| boom | 2 | n/a") and "RuntimeError: kaboom" in md

    assert paths["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_write_results_refuses_existing_dir(tmp_path):
    rows = _fake_rows()
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(FileExistsError, match="overwrite"):
        write_results(rows, out)
    assert list(out.iterdir()) == []
    paths = write_results(rows, out, overwrite=True)
    assert all(p.exists() for p in paths.values())
    with pytest.raises(FileExistsError):
        write_results(rows, out)
    with pytest.raises(ValueError, match="no rows"):
        write_results([], tmp_path / "empty")
