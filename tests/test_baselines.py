"""Every baseline on tiny data: what each finds (the estimator contract is in test_contract.py).

DTW, soft-DTW and KShape pay a one-off numba compilation (seconds) in the first fit of the
session; the data are tiny so every later fit takes milliseconds.
"""

from __future__ import annotations

import numpy as np
import pytest

from tsclust.baselines import (
    BASELINES,
    CovWard,
    DTWKMeans,
    FlatKMeans,
    FlatSpectral,
    KShapeBaseline,
    RocketKMeans,
    RocketSpectral,
    SoftDTWKMeans,
    StatsKMeans,
    make_baseline,
    pca_to_variance,
    window_stats,
    z_normalize,
)
from tsclust.metrics import ari

N_PER, T, C = 10, 20, 2

# small settings so the slow metrics stay fast
FAST = {
    "dtw-kmeans": {"max_iter": 3},
    "softdtw-kmeans": {"max_iter": 3},
    "euclidean-kmeans": {"max_iter": 10},
    "kshape": {"max_iter": 5},
    "kmeans": {"n_init": 2},
    "stats-kmeans": {"n_init": 2},
    "cov-ward": {},
    "rocket-kmeans": {"n_features": 336, "n_init": 2},
    "spectral": {"n_neighbors": 5},
    "rocket-spectral": {"n_features": 336, "n_neighbors": 5},
    "umap": {"n_neighbors": 5},
    "rocket-umap": {"n_features": 336, "n_neighbors": 5},
}


def make_blobs(n_per: int = N_PER, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three well-separated shapes (sine/cosine, square wave, ramp), 2 channels, some noise."""
    rng = np.random.RandomState(seed)
    t = np.linspace(0, 2 * np.pi, T)
    protos = [
        np.stack([np.sin(t), np.cos(t)], axis=1),
        1.5 * np.stack([np.sign(np.sin(2 * t)), -np.ones(T)], axis=1),
        np.stack([t / np.pi - 1, 2 * np.ones(T)], axis=1),
    ]
    X = np.concatenate([p[None] + 0.2 * rng.randn(n_per, T, C) for p in protos])
    return X.astype(np.float32), np.repeat(np.arange(3), n_per)


@pytest.fixture(scope="module")
def blobs():
    return make_blobs()


def build(name: str, **kwargs) -> object:
    return make_baseline(name, 3, random_state=0, **{**FAST[name], **kwargs})


@pytest.fixture(scope="module", params=sorted(BASELINES))
def fitted(request, blobs):
    X, _ = blobs
    return request.param, build(request.param).fit(X)


def test_registry_is_complete():
    assert set(BASELINES) == set(FAST)
    assert all(type(make_baseline(name, 3)) is cls for name, cls in BASELINES.items())


def test_fit_recovers_clusters_and_attributes(fitted, blobs):
    name, est = fitted
    X, y = blobs
    assert est.labels_.shape == (X.shape[0],)
    assert est.labels_.dtype == np.int64
    assert ari(y, est.labels_) == 1.0
    assert est.n_timepoints_ == T and est.n_channels_ == C
    assert np.isfinite(est.inertia_)
    assert est.n_iter_ >= 1
    n_cov = C + (2 * C) * (2 * C + 1) // 2  # means + log-covariance of 2C delay-embedded rows
    expected = {"stats-kmeans": (3, 2 * C), "cov-ward": (3, n_cov),
                "rocket-kmeans": (3, getattr(est, "n_components_", -1)),
                "rocket-spectral": (3, getattr(est, "n_components_", -1)),
                "rocket-umap": (3, getattr(est, "n_components_", -1))}.get(name, (3, T, C))
    assert est.cluster_centers_.shape == expected


def test_predict_on_a_subset_agrees(fitted, blobs):
    # fit_predict == fit().predict, clone, seeding, not-fitted and bad input: test_contract.py
    _, est = fitted
    X, _ = blobs
    assert np.array_equal(est.predict(X[:5]), est.predict(X)[:5])


def test_flat_spectral_follows_rings_that_kmeans_cuts():
    # windows of 2 samples lying on two concentric rings: the neighbour graph keeps each ring
    rng = np.random.RandomState(0)
    angle, ring = rng.uniform(0, 2 * np.pi, 400), np.arange(400) % 2
    radius = np.where(ring == 1, 4.0, 1.0)
    X = (np.c_[radius * np.cos(angle), radius * np.sin(angle)] + 0.05 * rng.randn(400, 2))[..., None]
    est = FlatSpectral(2, random_state=0).fit(X)
    assert ari(ring, est.labels_) == 1.0
    assert ari(ring, FlatKMeans(2, random_state=0).fit_predict(X)) < 0.2
    np.testing.assert_array_equal(est.predict(X), est.labels_)
    sub = FlatSpectral(2, max_samples=200, random_state=0).fit(X)  # the rest join their nearest
    assert len(sub.estimator_.reference) == 200 and ari(ring, sub.labels_) == 1.0
    for cls in (FlatSpectral, RocketSpectral):
        with pytest.raises(ValueError, match="max_samples"):
            cls(3, max_samples=2).fit(X)


def test_univariate_2d_input(blobs):
    X, y = blobs
    est = FlatKMeans(3, random_state=0).fit(X[:, :, 0])
    assert est.n_channels_ == 1
    assert est.predict(X[:, :, 0]).shape == (X.shape[0],)


def test_random_state_instance_accepted(blobs):
    X, _ = blobs
    a = FlatKMeans(3, n_init=2, random_state=np.random.RandomState(5)).fit_predict(X)
    b = FlatKMeans(3, n_init=2, random_state=np.random.RandomState(5)).fit_predict(X)
    assert np.array_equal(a, b)


def test_dtw_matches_tslearn_and_passes_band(blobs):
    from tslearn.clustering import TimeSeriesKMeans

    X, _ = blobs
    ours = DTWKMeans(3, max_iter=3, random_state=0).fit(X)
    ref = TimeSeriesKMeans(3, metric="dtw", max_iter=3, random_state=0).fit(X.astype(np.float64))
    assert np.array_equal(ours.labels_, ref.labels_)
    assert ours.estimator_.metric_params is None
    banded = DTWKMeans(3, max_iter=2, sakoe_chiba_radius=2, random_state=0).fit(X)
    assert banded.estimator_.metric_params == {
        "global_constraint": "sakoe_chiba",
        "sakoe_chiba_radius": 2,
    }
    assert DTWKMeans().n_jobs is None


def test_softdtw_passes_gamma(blobs):
    est = SoftDTWKMeans(3, gamma=0.5, max_iter=2, random_state=0).fit(blobs[0])
    assert est.estimator_.metric == "softdtw"
    assert est.estimator_.metric_params == {"gamma": 0.5}


@pytest.mark.parametrize(
    ("est", "match"),
    [
        (DTWKMeans(3, sakoe_chiba_radius=-1), "sakoe_chiba_radius"),
        (SoftDTWKMeans(3, gamma=0.0), "gamma"),
        (FlatKMeans(3, n_init=0), "n_init"),
        (StatsKMeans(3, max_iter=1.5), "max_iter"),
        (CovWard(3, eps=0.0), "eps"),
        (CovWard(3, delays=(0,)), "delays"),
        (CovWard(3, delays=(T,)), "longer"),
        (CovWard(3, max_samples=2), "max_samples"),
        (RocketKMeans(3, n_features=83), "n_features"),
        (RocketKMeans(3, pca_variance=1.0), "pca_variance"),
    ],
)
def test_bad_parameters(est, match, blobs):
    with pytest.raises(ValueError, match=match):
        est.fit(blobs[0])


def test_kshape_z_normalizes(blobs):
    X, _ = blobs
    est = KShapeBaseline(3, max_iter=5, random_state=0).fit(X)
    assert np.array_equal(est.predict(5.0 * X + 3.0), est.predict(X))
    raw = KShapeBaseline(3, max_iter=5, z_normalize=False, random_state=0)
    assert raw.get_params()["z_normalize"] is False


def test_z_normalize():
    rng = np.random.RandomState(0)
    X = rng.randn(4, 10, 2) * 3 + 1
    X[1, :, 0] = 7.0  # constant channel
    Z = z_normalize(X)
    np.testing.assert_allclose(Z.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(np.delete(Z.std(axis=1).ravel(), 2), 1, atol=1e-12)
    assert np.all(Z[1, :, 0] == 0)


def test_stats_kmeans_features_and_centers(blobs):
    X, y = blobs
    X64 = X.astype(np.float64)
    stats = window_stats(X64)
    assert stats.shape == (X.shape[0], 2 * C)
    np.testing.assert_allclose(stats[:, :C], X64.mean(axis=1))
    np.testing.assert_allclose(stats[:, C:], X64.std(axis=1))
    est = StatsKMeans(3, random_state=0).fit(X)
    np.testing.assert_allclose(est.scaler_.mean_, stats.mean(axis=0))
    # centres are in the original units: each one is the mean statistics of its cluster
    for k in range(3):
        np.testing.assert_allclose(
            est.cluster_centers_[k], stats[est.labels_ == k].mean(axis=0), atol=1e-6
        )


def test_flat_kmeans_centers_are_windows(blobs):
    X, _ = blobs
    est = FlatKMeans(3, random_state=0).fit(X)
    for k in range(3):
        np.testing.assert_allclose(
            est.cluster_centers_[k], X[est.labels_ == k].mean(axis=0), atol=1e-5
        )


def test_make_baseline_unknown_and_kwargs():
    with pytest.raises(ValueError, match="dtw-kmeans, euclidean-kmeans, kmeans, kshape"):
        make_baseline("dtw", 3)
    est = make_baseline("dtw-kmeans", 4, random_state=1, sakoe_chiba_radius=5)
    assert (est.n_clusters, est.random_state, est.sakoe_chiba_radius) == (4, 1, 5)
    with pytest.raises(TypeError):
        make_baseline("kmeans", 3, sakoe_chiba_radius=5)


def test_cov_ward_subsample_and_channel_scale(blobs):
    X, y = blobs
    full = CovWard(3, random_state=0).fit(X)
    np.testing.assert_allclose(full.channel_mean_, X.astype(np.float64).mean(axis=(0, 1)))
    # units of the channels do not matter: they are standardised first
    assert np.array_equal(CovWard(3, random_state=0).fit_predict(10.0 * X - 4.0), full.labels_)
    # above max_samples Ward runs on a seeded subsample; every window still gets a label
    sub = CovWard(3, max_samples=12, random_state=0).fit(X)
    assert sub.labels_.shape == (len(X),) and ari(y, sub.labels_) == 1.0
    assert np.array_equal(sub.labels_, sub.predict(X))


def test_rocket_kmeans_separates_shapes_with_the_stage_features_and_pca():
    # same level and spread, different shape: sines vs square waves vs chirps, random phase
    rng = np.random.RandomState(0)
    t = np.linspace(0, 1, 64)
    shapes = [lambda p: np.sin(2 * np.pi * (4 * t + p)),
              lambda p: np.sign(np.sin(2 * np.pi * (4 * t + p))),
              lambda p: np.sin(2 * np.pi * (12 * t**2 + p))]
    X = np.stack([f(rng.rand()) + 0.1 * rng.randn(64) for f in shapes for _ in range(15)])
    y = np.repeat(np.arange(3), 15)
    est = RocketKMeans(3, n_features=840, random_state=0).fit(X[:, :, None])
    assert ari(y, est.labels_) == 1.0
    assert est.rocket_.stage_.n_features == 840 and 1 <= est.n_components_ < 45
    assert est.pca_.explained_variance_ratio_[: est.n_components_].sum() >= 0.8
    no_pca = RocketKMeans(3, n_features=840, pca_variance=None, random_state=0).fit(X)
    assert no_pca.pca_ is None and no_pca.n_components_ == 840
    assert ari(y, no_pca.labels_) == 1.0


def test_pca_to_variance_keeps_as_many_components_as_the_exact_pca():
    from sklearn.decomposition import PCA

    rng = np.random.RandomState(0)
    X = rng.randn(300, 20) @ rng.randn(20, 260) + 0.3 * rng.randn(300, 260)  # rank 20 + noise
    pca, k = pca_to_variance(X, 0.8, random_state=0)
    assert pca.n_components_ == 64 and k == PCA(0.8, svd_solver="full").fit(X).n_components_
    small, k_small = pca_to_variance(X[:, :100], 0.8)  # below 4 * 64 columns: exact PCA
    assert small.n_components_ == k_small
