"""Variable-length collections end to end, and the input checks of check_collection.

A list of ``(T_i, C)`` arrays and a NaN-padded ``(n, T_max, C)`` array are the same input; the
deep estimators and the resampling baselines bring the series to the longest length of the fit
(linear resampling), DTW k-means gets them unpadded; equal-length input takes the old path.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.utils import estimator_checks

from tests.conftest import SHARED_DATA, SMALL_MODULES
from tsclust._validation import check_collection, check_vectors, series_lengths
from tsclust.base import WindowInput
from tsclust.baselines import DTWKMeans, EuclideanKMeans, FlatKMeans, make_baseline
from tsclust.clustering import DeepClusterer
from tsclust.compare import compare
from tsclust.preprocessing.lengths import collect, random_lengths, resample_to

DEEP_FAST = dict(latent_dim=3, pretrain_epochs=2, finetune_epochs=2, batch_size=16, n_init=2,
                 device="cpu", architecture="mlp", head="kmeans",
                 module_kwargs=SMALL_MODULES["mlp"])


def ragged(n_per: int = 8, c: int = 2, seed: int = 0) -> tuple[list[np.ndarray], np.ndarray]:
    """Two kinds of series (a slow sine, a fast square wave), lengths 12 to 24."""
    rng = np.random.RandomState(seed)
    series, y = [], []
    for kind in (0, 1):
        for _ in range(n_per):
            t = np.linspace(0, 1, rng.randint(12, 25))[:, None]
            base = np.sin(2 * np.pi * t) if kind == 0 else np.sign(np.sin(8 * np.pi * t)) + 2
            series.append((base + 0.05 * rng.randn(len(t), c)).astype(np.float32))
            y.append(kind)
    return series, np.array(y)


def padded(series: list[np.ndarray]) -> np.ndarray:
    """tslearn's layout (``to_time_series_dataset``): NaN after each series' end."""
    from tslearn.utils import to_time_series_dataset

    return to_time_series_dataset(series).astype(np.float32)


# --------------------------------------------------------------------------- the edge


def test_check_collection_list_and_padded_give_the_same_lengths():
    series, _ = ragged()
    X, lengths = check_collection(series, allow_ragged=True)
    assert X.shape == (16, max(len(s) for s in series), 2)
    assert lengths.tolist() == [len(s) for s in series]
    X2, lengths2 = check_collection(padded(series), allow_ragged=True)
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(lengths2, lengths)
    # (T_i,) series are univariate
    X1, l1 = check_collection([np.arange(3.0), np.arange(5.0)], allow_ragged=True)
    assert X1.shape == (2, 5, 1) and l1.tolist() == [3, 5]


def test_equal_length_takes_the_old_path():
    X = np.random.RandomState(0).randn(6, 10, 2)
    col = collect(X)
    np.testing.assert_array_equal(col.X, check_collection(X))
    assert col.X is col.padded and not col.variable_length  # nothing resampled or copied
    data, _ = WindowInput.fit(X, None)
    np.testing.assert_array_equal(data.data.numpy(), check_collection(X).transpose(0, 2, 1))


def test_ragged_refused_where_not_allowed():
    with pytest.raises(ValueError, match="different lengths"):
        check_collection([np.zeros(3), np.zeros(4)])


@pytest.mark.parametrize("where, match", [
    ((1, 2, 0), r"NaN or inf, first at index \(sample, time, channel\) = \(1, 2, 0\)"),
    ((1, 9, 1), r"\(1, 9, 1\); only trailing NaN"),  # the last step, one channel only
])
def test_nan_inside_a_series_is_refused(where, match):
    X = np.ones((3, 10, 2))
    X[0, 7:] = np.nan  # padding: fine
    X[where] = np.nan
    with pytest.raises(ValueError, match=match):
        check_collection(X, allow_ragged=True)
    with pytest.raises(ValueError, match=match):
        DTWKMeans(2).fit(X)
    with pytest.raises(ValueError, match=match):
        DeepClusterer(2, **DEEP_FAST).fit(X)


def test_all_nan_series_and_inf_padding_are_refused():
    X = np.ones((3, 4, 1))
    X[2] = np.nan
    with pytest.raises(ValueError, match=r"X\[2\] is NaN only"):
        series_lengths(X)
    X[2] = 1.0
    X[1, 3] = np.inf
    with pytest.raises(ValueError, match=r"\(1, 3, 0\)"):
        series_lengths(X)


def test_resample_to():
    X = np.array([[0.0, 2.0, np.nan, np.nan], [0.0, 1.0, 2.0, 3.0], [5.0] + [np.nan] * 3])
    out = resample_to(X[:, :, None], np.array([2, 4, 1]), 3)[:, :, 0]
    np.testing.assert_allclose(out, [[0, 1, 2], [0, 1.5, 3], [5, 5, 5]])
    same = np.random.RandomState(0).randn(2, 7, 1).astype(np.float32)
    assert resample_to(same, np.array([7, 7]), 7) is same
    mixed = resample_to(np.concatenate([same, np.full((1, 7, 1), np.nan, "f4")]),
                        np.array([7, 7, 7]), 7)
    assert mixed.dtype == np.float32


def test_random_lengths():
    X = np.arange(40.0).reshape(2, 20)
    crops = random_lengths(X, 0.5, 1.0, random_state=0)
    again = random_lengths(X, 0.5, 1.0, random_state=0)
    for i, (c, d) in enumerate(zip(crops, again, strict=True)):
        np.testing.assert_array_equal(c, d)
        assert 10 <= len(c) <= 20 and c.shape[1] == 1
        start = int(c[0, 0]) - 20 * i
        np.testing.assert_array_equal(c[:, 0], X[i, start : start + len(c)])
    with pytest.raises(ValueError, match="low"):
        random_lengths(X, 0.0)


# --------------------------------------------------------------------------- check_collection


def test_complex_object_sparse_and_float32_range():
    with pytest.raises(ValueError, match="Complex data not supported"):
        check_collection(np.ones((2, 3)) * 1j)
    with pytest.raises(TypeError, match="numeric"):
        check_collection(np.array([["a", "b"], ["c", "d"]], dtype=object))
    with pytest.raises(TypeError, match="numeric"):
        check_collection(np.array([["a", "b"], ["c", "d"]]))
    assert check_collection(np.ones((2, 3), dtype=object)).dtype == np.float32
    for sparse in (sp.csr_matrix(np.eye(3)), sp.csr_array(np.eye(3))):
        with pytest.raises(TypeError, match="sparse input is not supported; pass a dense array"):
            check_collection(sparse)
        with pytest.raises(TypeError, match="sparse input is not supported"):
            check_vectors(sparse)
    X = np.zeros((2, 3, 1))
    X[1, 2, 0] = 1e39
    with pytest.raises(ValueError, match=r"value 1e\+39 at index \(1, 2, 0\) exceeds float32"):
        check_collection(X)
    assert check_collection(X, dtype=np.float64)[1, 2, 0] == 1e39  # float64 holds it
    with pytest.raises(ValueError, match="exceeds float32 range"):
        check_vectors(X[:, :, 0])


SKLEARN_CHECKS = ["check_complex_data", "check_dtype_object", "check_estimator_sparse_array",
                  "check_estimator_sparse_matrix", "check_estimator_sparse_tag"]


@pytest.mark.parametrize("check", SKLEARN_CHECKS)
@pytest.mark.parametrize("make", [
    lambda: FlatKMeans(2, n_init=2, random_state=0),
    lambda: EuclideanKMeans(2, max_iter=3, random_state=0),
    lambda: DeepClusterer(2, random_state=0, **DEEP_FAST),
], ids=["kmeans", "euclidean-kmeans", "deep"])
def test_sklearn_input_checks(check, make):
    est = make()
    getattr(estimator_checks, check)(type(est).__name__, est)


# --------------------------------------------------------------------------- estimators


def test_deep_clusterer_fit_predict_on_ragged():
    series, y = ragged()
    est = DeepClusterer(2, random_state=0, **DEEP_FAST)
    labels = est.fit_predict(series)
    t_max = max(len(s) for s in series)
    assert labels.shape == (16,) and est.input_shape_ == (t_max, 2) and est.variable_length_
    # list == NaN-padded
    other = DeepClusterer(2, random_state=0, **DEEP_FAST).fit(padded(series))
    np.testing.assert_array_equal(other.labels_, labels)
    np.testing.assert_array_equal(other.transform(series), est.transform(padded(series)))
    # predict on other lengths (shorter, longer, equal-length arrays of another length)
    rng = np.random.RandomState(1)
    new = [rng.randn(5, 2).astype("f4"), rng.randn(40, 2).astype("f4")]
    assert est.predict(new).shape == (2,)
    assert est.predict(rng.randn(3, 7, 2)).shape == (3,)
    with pytest.raises(ValueError, match="1 channel"):
        est.predict([rng.randn(5, 1), rng.randn(6, 1)])


def test_deep_fitted_on_one_length_keeps_refusing_others(tmp_path):
    X = np.random.RandomState(0).randn(20, 12, 2).astype(np.float32)
    est = DeepClusterer(2, random_state=0, **DEEP_FAST).fit(X)
    assert not est.variable_length_
    with pytest.raises(ValueError, match="windows of 10 to 12 time points but the estimator"):
        est.predict([X[0], X[1, :10]])
    # the same labels from a list of the same (equal-length) series
    np.testing.assert_array_equal(
        DeepClusterer(2, random_state=0, **DEEP_FAST).fit(list(X)).labels_, est.labels_)


def test_variable_length_survives_save_load(tmp_path):
    series, _ = ragged(n_per=6)
    est = DeepClusterer(2, random_state=0, **DEEP_FAST).fit(series)
    est.save(tmp_path / "m.h5")
    back = DeepClusterer.load(tmp_path / "m.h5")
    assert back.variable_length_ and back.input_shape_ == est.input_shape_
    new = [np.ones((5, 2), "f4"), np.zeros((30, 2), "f4")]
    np.testing.assert_array_equal(back.predict(new), est.predict(new))


def test_recording_clusterer_variable_length_survives_save_load(tmp_path):
    from tsclust import RecordingClusterer

    series, _ = ragged(n_per=6)
    groups = np.arange(len(series)) % 2
    est = RecordingClusterer(2, random_state=0, pretrain_epochs=2, gravity_channels=None)
    est.fit(series, groups=groups)
    est.save(tmp_path / "r.h5")
    back = RecordingClusterer.load(tmp_path / "r.h5")
    assert est.variable_length_ and back.variable_length_
    new = [np.ones((5, 2), "f4") * i for i in range(4)]
    g = np.array([0, 0, 1, 1])
    np.testing.assert_array_equal(back.predict(new, groups=g), est.predict(new, groups=g))


@pytest.mark.parametrize("name, unpadded", [("dtw-kmeans", True), ("softdtw-kmeans", True),
                                            ("euclidean-kmeans", False)])
def test_tslearn_baselines_get_unpadded_or_resampled(name, unpadded, monkeypatch):
    from tslearn.clustering import TimeSeriesKMeans

    seen = []
    fit = TimeSeriesKMeans.fit

    def spy(self, X, y=None):
        seen.append(np.array(X))
        return fit(self, X, y)

    monkeypatch.setattr(TimeSeriesKMeans, "fit", spy)
    series, y = ragged(n_per=5)
    est = make_baseline(name, 2, random_state=0, max_iter=3).fit(series)
    t_max = max(len(s) for s in series)
    (X,) = seen
    assert X.shape == (10, t_max, 2) and est.n_timepoints_ == t_max and est.variable_length_
    if unpadded:  # tslearn's NaN-padded layout: exactly the given series
        np.testing.assert_array_equal(X, padded(series).astype(np.float64))
    else:
        assert np.isfinite(X).all()
    assert est.cluster_centers_.shape == (2, t_max, 2)
    assert est.predict([np.ones((4, 2)), np.ones((50, 2))]).shape == (2,)
    # list == NaN-padded
    other = make_baseline(name, 2, random_state=0, max_iter=3).fit(padded(series))
    np.testing.assert_array_equal(other.labels_, est.labels_)


@pytest.mark.parametrize("name", ["kmeans", "kshape", "stats-kmeans", "cov-ward", "rocket-kmeans"])
def test_other_baselines_accept_ragged(name):
    series, y = ragged(n_per=6)
    params = {"rocket-kmeans": {"n_features": 168, "n_init": 2}, "kshape": {"max_iter": 2}}.get(
        name, {})
    est = make_baseline(name, 2, random_state=0, **params)
    labels = est.fit_predict(series)
    assert labels.shape == (12,)
    np.testing.assert_array_equal(est.predict(series), labels)


def test_baseline_equal_length_unchanged():
    X = np.random.RandomState(0).randn(12, 15, 2)
    a = DTWKMeans(2, max_iter=2, random_state=0).fit(X)
    b = DTWKMeans(2, max_iter=2, random_state=0).fit(list(X))
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    assert not a.variable_length_
    with pytest.raises(ValueError, match="time points but the estimator was fitted on"):
        a.predict(X[:, :-1])


# --------------------------------------------------------------------------- compare


def test_compare_on_ragged_collection():
    series, y = ragged(n_per=6)
    methods = ["euclidean-kmeans", "dtw-kmeans", "kmeans", "mlp+kmeans"]
    deep = {k: v for k, v in DEEP_FAST.items() if k not in ("architecture", "head")}
    params = {"euclidean-kmeans": {"max_iter": 3}, "dtw-kmeans": {"max_iter": 3},
              "mlp+kmeans": deep}
    rows = compare(series, y, n_clusters=2, methods=methods, seeds=[0], progress=False,
                   method_params=params)
    assert [r["error"] for r in rows] == [None] * len(methods)
    assert all(np.isfinite(r["nmi"]) and np.isfinite(r["silhouette"]) for r in rows)
    again = compare(padded(series), y, n_clusters=2, methods=methods, seeds=[0],
                    progress=False, method_params=params)
    assert [r["ari"] for r in again] == [r["ari"] for r in rows]  # list == NaN-padded
    # inductive with held-out series of other lengths
    rng = np.random.RandomState(2)
    test = [rng.randn(n, 2).astype("f4") for n in (9, 30, 17)]
    rows = compare(series, y, n_clusters=2, methods=["euclidean-kmeans"], seeds=[0],
                   protocol="inductive", X_test=test, progress=False,
                   method_params={"euclidean-kmeans": {"max_iter": 3}})
    assert rows[0]["error"] is None and rows[0]["n_test"] == 3


def test_compare_refuses_nan_inside_a_series():
    X = padded(ragged(n_per=3)[0])
    X[0, 1, 0] = np.nan
    with pytest.raises(ValueError, match=r"\(0, 1, 0\)"):
        compare(X, n_clusters=2, methods=["kmeans"], seeds=[0], progress=False)


def test_ucr_cropped_problem():
    folder = (SHARED_DATA / "ucr2018" / "GunPoint").resolve()
    if not folder.is_dir():
        pytest.skip(f"shared UCR data not found at {folder}")
    from tsclust.data import read_ucr

    X, y = read_ucr(folder, "TRAIN")
    series = random_lengths(X[:40], random_state=0)
    assert len({len(s) for s in series}) > 1
    rows = compare(series, y[:40], n_clusters=2, methods=["euclidean-kmeans", "dtw-kmeans"],
                   seeds=[0], progress=False,
                   method_params={"euclidean-kmeans": {"max_iter": 5},
                                  "dtw-kmeans": {"max_iter": 2, "sakoe_chiba_radius": 5}})
    assert [r["error"] for r in rows] == [None, None]
    est = DeepClusterer(2, random_state=0, **DEEP_FAST).fit(series)
    assert est.input_shape_ == (max(len(s) for s in series), 1)
    assert est.predict(random_lengths(X[40:50], random_state=1)).shape == (10,)
