"""DeepClusterer: what each head finds and does (its contract is in tests/test_contract.py)."""

import warnings

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from tests.conftest import SMALL_MODULES, blob_windows
from tsclust.clustering import HEADS, ClusterCollapseWarning, DeepClusterer, select_k
from tsclust.clustering._heads import (
    HeadConfig,
    SpectralHead,
    knn_affinity,
    knn_graph_without_crumbs,
    silhouette,
    size_entropy,
    spectral_cluster,
    ward_cluster,
)


def blobs(n_per=30, length=24, seed=0):
    """Three well-separated classes of 2-channel windows: sine frequencies and offsets."""
    rng = np.random.RandomState(seed)
    t = np.linspace(0, 1, length)
    X, y = [], []
    for k, (f, off) in enumerate([(1, 0.0), (3, 2.0), (6, -2.0)]):
        base = np.stack([np.sin(2 * np.pi * f * t) + off, np.cos(2 * np.pi * f * t)], axis=1)
        X.append(base[None] + 0.15 * rng.randn(n_per, length, 2))
        y += [k] * n_per
    return np.concatenate(X).astype(np.float32), np.array(y)


FAST = dict(
    pretrain_epochs=15, finetune_epochs=8, latent_dim=4, batch_size=32, device="cpu", n_init=5
)


def make(head, **kw):
    params = {**FAST, **kw}
    return DeepClusterer(3, head=head, random_state=0, **params)


@pytest.fixture(scope="module")
def data():
    return blobs()


@pytest.mark.parametrize("head", sorted(HEADS))
def test_every_head_finds_the_blobs(head, data):
    # the estimator contract of every architecture and head is in tests/test_contract.py
    X, y = data
    est = make(head)
    assert adjusted_rand_score(y, est.fit_predict(X)) > 0.9, head
    assert est.transform(X).shape == (len(X), 4)
    assert est.cluster_centers_.shape == (3, 4)
    assert isinstance(est.history_, dict) and set(est.history_) == {"pretrain", "finetune"}


@pytest.mark.parametrize("head", ["dec", "idec"])
def test_soft_heads_have_proba(head, data):
    X, _ = data
    est = make(head).fit(X)
    proba = est.predict_proba(X)
    assert proba.shape == (len(X), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(proba.argmax(axis=1), est.predict(X))
    refresh = [r for r in est.history_["finetune"] if "label_change" in r]
    assert refresh and "sizes" in refresh[0]


def test_dec_refreshes_after_update_interval_steps(data):
    X, _ = data  # 90 windows, batch 32: 3 optimiser steps per epoch
    every_epoch = make("dec", finetune_epochs=6, tol=0.0).fit(X)
    sparse = make("dec", finetune_epochs=6, tol=0.0, update_interval=7).fit(X)

    def refresh_steps(est):
        return [r["steps"] for r in est.history_["finetune"] if "label_change" in r and "steps" in r]

    assert refresh_steps(every_epoch) == [3, 6, 9, 12, 15, 18]
    assert refresh_steps(sparse) == [9, 18]  # first epoch ends at or after 7 and 16 steps


@pytest.mark.parametrize("head", ["kmeans", "dcn", "compact", "ward", "spectral"])
def test_hard_heads_have_no_proba(head):
    assert not hasattr(make(head), "predict_proba")


def test_compact_records_center_distance(data):
    X, _ = data
    est = make("compact").fit(X)
    dist = [r["center_distance"] for r in est.history_["finetune"] if "center_distance" in r]
    assert len(dist) == FAST["finetune_epochs"]
    # from a random assignment all centres start near the global mean and then spread out
    assert dist[-1] > dist[0]


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(scaling="nope"), "scaling"),
        (dict(pretrain_epochs=-1), "pretrain_epochs"),
        (dict(module_kwargs={"seed": 1}), "must not set 'seed'"),  # was a TypeError deep inside
        (dict(module_kwargs=[("hidden", 8)]), "module_kwargs"),
        (dict(update_interval=0), "update_interval"),
        (dict(update_interval=2.5), "update_interval"),
        (dict(device="tpu"), "device"),
    ],
)
def test_bad_params(kw, match, data):
    X, _ = data
    params = {**FAST, "n_clusters": 3, **kw}
    with pytest.raises(ValueError, match=match):
        DeepClusterer(**params).fit(X)


@pytest.mark.parametrize("arch", ["gru", "mlp"])
def test_other_architectures(arch, data):
    X, y = data
    est = make("kmeans", architecture=arch, pretrain_epochs=10).fit(X)
    assert adjusted_rand_score(y, est.labels_) > 0.6


def test_collapse_guard_restores_non_degenerate(data):
    X, _ = data
    # the strictest threshold makes every refresh with unequal sizes degenerate: warned,
    # recorded, and the labels of the k-means initialisation are kept
    with pytest.raises(ValueError, match="collapse_entropy"):
        make("dec", collapse_entropy=1.01).fit(X)
    est = make("dec", collapse_entropy=1.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X)
    assert any(issubclass(w.category, ClusterCollapseWarning) for w in caught)
    assert any(r.get("degenerate") for r in est.history_["finetune"])


def test_size_entropy():
    assert size_entropy(np.array([0, 1, 2, 0, 1, 2]), 3) == pytest.approx(1.0)
    assert size_entropy(np.zeros(6, dtype=int), 3) == pytest.approx(0.0)


def test_select_k_finds_three(data):
    X, _ = data
    sel = select_k(X, range(2, 7), estimator=make("kmeans"), random_state=0)
    assert sel.k.tolist() == [2, 3, 4, 5, 6]
    assert sel.best_k == 3
    assert len(sel.as_rows()) == 5 and np.all(np.diff(sel.inertia) <= 1e-6)
    with pytest.raises(ValueError, match="k_range"):
        select_k(X, [1, 2])


def test_select_k_warns_at_the_top_of_the_range(data):
    X, _ = data  # three clusters: with candidates 2 and 3 only, 3 is best and the top
    with pytest.warns(UserWarning, match="top of k_range"):
        sel = select_k(X, [2, 3], estimator=make("kmeans"), random_state=0)
    assert sel.best_k == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        select_k(X, range(2, 6), estimator=make("kmeans"), random_state=0)


def test_warm_start_reuses_pretraining_only_when_it_would_be_the_same(data, monkeypatch):
    import tsclust.clustering._estimator as mod

    X, y = data
    calls = []
    real = mod.pretrain

    def counting(*args, **kwargs):
        calls.append(args[2])  # the pre-training config
        return real(*args, **kwargs)

    monkeypatch.setattr(mod, "pretrain", counting)
    est = make("kmeans", warm_start=True).fit(X)
    assert len(calls) == 1
    est.set_params(head="dec", n_clusters=3).fit(X)
    assert len(calls) == 1  # same windows, same pre-training settings: reused
    fresh = make("dec").fit(X)  # warm_start off: pre-trains, and gives the same result
    assert len(calls) == 2
    np.testing.assert_array_equal(est.labels_, fresh.labels_)
    np.testing.assert_array_equal(est.transform(X), fresh.transform(X))
    losses = [[r["loss"] for r in e.history_["pretrain"]] for e in (est, fresh)]
    assert losses[0] == losses[1]
    est.set_params(pretrain_epochs=3).fit(X)  # a pre-training setting changed
    assert len(calls) == 3
    est.fit(X[::-1].copy())  # other windows (same set, other order)
    assert len(calls) == 4
    est.set_params(random_state=np.random.RandomState(0)).fit(X)
    est.fit(X)  # a RandomState cannot be compared: never reused
    assert len(calls) == 6


# --------------------------------------------------------------------------- users' data


def test_ward_labels_are_what_predict_gives_on_the_training_windows():
    # k=3 on two blobs splits one of them: Ward's own partition and the nearest cluster
    # mean disagree near that split (7 of 300 windows did before labels_ was the latter)
    X, _ = blob_windows(150, 16, 2)
    est = DeepClusterer(3, architecture="mlp", head="ward", latent_dim=3, pretrain_epochs=3,
                        module_kwargs=SMALL_MODULES["mlp"], device="cpu", random_state=0).fit(X)
    np.testing.assert_array_equal(est.labels_, est.predict(X))
    assert len(np.unique(est.labels_)) == 3


def test_ward_cluster_labels_are_the_nearest_cluster_mean():
    Z = np.random.RandomState(0).randn(200, 2)  # one blob: every boundary is ambiguous
    for max_samples in (200, 50):  # all rows, and a subsample
        labels, centers = ward_cluster(Z, 4, max_samples=max_samples, seed=0)
        d = ((Z[:, None, :] - centers[None]) ** 2).sum(axis=2)
        np.testing.assert_array_equal(labels, d.argmin(axis=1))


def _rings(n=200, seed=0):
    """Two concentric rings in 2-D: k-means cuts them in halves, a neighbour graph does not."""
    rng = np.random.RandomState(seed)
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = np.where(np.arange(n) < n // 2, 1.0, 4.0)
    Z = np.c_[radius * np.cos(angle), radius * np.sin(angle)] + 0.05 * rng.randn(n, 2)
    return Z, (radius > 2).astype(int)


def test_spectral_cluster_separates_rings_that_kmeans_cuts():
    from sklearn.cluster import KMeans

    Z, y = _rings()
    rows, labels = spectral_cluster(Z, 2, n_neighbors=10, seed=0)
    np.testing.assert_array_equal(rows, np.arange(len(Z)))
    assert adjusted_rand_score(y, labels) == 1.0
    assert adjusted_rand_score(y, KMeans(2, n_init=5, random_state=0).fit_predict(Z)) < 0.2
    rows_sub, sub = spectral_cluster(Z, 2, n_neighbors=10, max_samples=120, seed=0)
    assert len(rows_sub) == 120 and np.all(np.diff(rows_sub) > 0)
    assert adjusted_rand_score(y[rows_sub], sub) == 1.0


def test_knn_affinity_is_symmetric_with_self_loops():
    Z = np.random.RandomState(0).randn(30, 3)
    A = knn_affinity(Z, n_neighbors=4)
    assert A.shape == (30, 30) and abs(A - A.T).max() == 0
    assert np.all(A.diagonal() == 1.0) and set(np.unique(A.data)) <= {0.5, 1.0}
    assert knn_affinity(Z[:3], n_neighbors=10).shape == (3, 3)  # capped at n - 1


def test_knn_graph_grows_until_no_component_is_a_crumb():
    from scipy.sparse.csgraph import connected_components

    rng = np.random.RandomState(0)
    blob = rng.randn(100, 2)
    crumb = [[50.0, 50.0]] + 1e-3 * rng.randn(8, 2)  # 8 rows < 208 / (10 * 2)
    A, k = knn_graph_without_crumbs(np.r_[blob, blob + 20.0, crumb], 2, n_neighbors=5)
    assert k == 10 and connected_components(A, directed=False)[0] == 2  # crumb joined a blob
    # two separate blobs of a fair size stay apart (they are clusters, not crumbs)
    A2, k2 = knn_graph_without_crumbs(np.r_[blob, blob + 20.0], 2, n_neighbors=5)
    assert k2 == 5 and connected_components(A2, directed=False)[0] == 2


def test_spectral_cluster_does_not_return_graph_components():
    # two overlapping groups plus a far clump of 15 near-duplicates: in a 10-NN graph the clump
    # is its own component, which spectral clustering would return as a cluster
    rng = np.random.RandomState(0)
    Z = np.r_[rng.randn(150, 2) * 0.5, rng.randn(150, 2) * 0.5 + [3, 0],
              [[40.0, 40.0]] + 1e-3 * rng.randn(15, 2)]
    y = np.r_[np.zeros(150), np.ones(150), np.ones(15) * 2]
    _, labels = spectral_cluster(Z, 2, n_neighbors=10, seed=0)
    assert adjusted_rand_score(y[:300], labels[:300]) > 0.9
    # the plain 10-NN graph (what the head used before) gives the clump a cluster of its own
    from sklearn.cluster import SpectralClustering

    with pytest.warns(UserWarning, match="not fully connected"):
        plain = SpectralClustering(2, affinity="precomputed", assign_labels="cluster_qr",
                                   random_state=0).fit_predict(knn_affinity(Z, 10))
    assert adjusted_rand_score(y[:300], plain[:300]) < 0.1


def test_spectral_head_labels_every_row_by_its_nearest_clustered_row():
    Z, y = _rings(300)
    config = HeadConfig(n_clusters=2, epochs=0, batch_size=32, lr=1e-3, seed=0, device="cpu")
    head = SpectralHead(config)
    head.max_samples = 100  # cluster a subsample; the other rows join their nearest
    labels, centers = head._cluster(Z)
    assert centers.shape == (2, 2) and len(head.assigner.reference) == 100
    assert adjusted_rand_score(y, labels) == 1.0
    np.testing.assert_array_equal(head.assign(Z), labels)
    restored = SpectralHead(config)
    restored.restore({**head.state(), "other": np.zeros(1)})
    np.testing.assert_array_equal(restored.assign(Z + 0.01), head.assign(Z + 0.01))


def test_spectral_labels_are_what_predict_gives_after_a_round_trip(tmp_path):
    X, _ = blob_windows(60, 16, 2)
    est = DeepClusterer(2, architecture="mlp", head="spectral", latent_dim=3, pretrain_epochs=2,
                        module_kwargs=SMALL_MODULES["mlp"], device="cpu", random_state=0).fit(X)
    np.testing.assert_array_equal(est.labels_, est.predict(X))
    est.save(tmp_path / "m.h5")
    np.testing.assert_array_equal(DeepClusterer.load(tmp_path / "m.h5").predict(X), est.labels_)


def test_diverged_fit_raises_and_names_the_learning_rates():
    X, _ = blob_windows(40, 16, 2)
    est = DeepClusterer(2, architecture="mlp", head="dec", lr=1e6, pretrain_epochs=5,
                        finetune_epochs=3, latent_dim=3, module_kwargs=SMALL_MODULES["mlp"],
                        device="cpu", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ClusterCollapseWarning)
        with pytest.raises(ValueError, match=r"training diverged at epoch \d/\d+ .*lower lr=.*"
                           r"pre-training with lr=1e\+06"):
            est.fit(X)
    assert not hasattr(est, "labels_")


def test_model_with_non_finite_weights_refused_at_save_and_load(tmp_path):
    import h5py
    import torch

    X, _ = blob_windows(20, 16, 2)
    est = DeepClusterer(2, architecture="mlp", head="kmeans", latent_dim=3, pretrain_epochs=1,
                        module_kwargs=SMALL_MODULES["mlp"], device="cpu", random_state=0).fit(X)
    path = tmp_path / "m.h5"
    est.save(path)
    with torch.no_grad():
        est.module_.encoder[0].weight[0, 0] = float("nan")
    with pytest.raises(ValueError, match=r"model weights are not finite \(1 NaN/inf values in "
                       r"module/encoder\.0\.weight\): the fit diverged; lower lr"):
        est.save(tmp_path / "bad.h5")
    assert not (tmp_path / "bad.h5").exists()
    with h5py.File(path, "r+") as f:  # the same damage written into the saved file
        ds = next(d for d in f["arrays"].values() if d.attrs["key"] == "module/encoder.0.weight")
        ds[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"m\.h5: model weights are not finite .*damaged"):
        DeepClusterer.load(path)


def test_dec_with_one_window_per_cluster_fits_without_silhouette():
    # k = n: the silhouette is undefined (every window a singleton); sklearn's message
    # ("Number of labels is 6. Valid values are 2 to n_samples - 1") must not surface
    X, _ = blob_windows(3, 16, 2)
    est = DeepClusterer(6, architecture="mlp", head="dec", latent_dim=3, pretrain_epochs=2,
                        finetune_epochs=2, module_kwargs=SMALL_MODULES["mlp"], device="cpu",
                        random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ClusterCollapseWarning)
        labels = est.fit_predict(X)
    assert labels.shape == (6,)
    assert all("silhouette" not in r for r in est.history_["finetune"])


def test_silhouette_is_nan_where_undefined():
    Z = np.random.RandomState(0).randn(6, 2)
    assert np.isnan(silhouette(Z, np.zeros(6, dtype=int)))
    assert np.isnan(silhouette(Z, np.arange(6)))
    assert np.isfinite(silhouette(Z, np.arange(6) % 2))


def test_a_pretext_needs_an_architecture_that_encodes_the_windows():
    X, _ = blob_windows(20, 16, 2)
    est = DeepClusterer(2, architecture="cov", pretext="contrastive", pretrain_epochs=1,
                        device="cpu", random_state=0)
    with pytest.raises(ValueError, match="fixed feature stage"):
        est.fit(X)


def test_a_pretext_changes_pretraining_and_is_part_of_the_warm_start_key():
    X, _ = blob_windows(40, 16, 2)
    kw = dict(architecture="conv", head="kmeans", latent_dim=3, pretrain_epochs=2,
              module_kwargs=SMALL_MODULES["conv"], device="cpu", random_state=0)
    plain = DeepClusterer(2, **kw).fit(X)
    est = DeepClusterer(2, pretext="triplet", warm_start=True, **kw).fit(X)
    assert est.history_["pretrain"][0]["loss"] != plain.history_["pretrain"][0]["loss"]
    key = est._pretrained[0]
    est.set_params(pretext="contrastive").fit(X)
    assert est._pretrained[0] != key
