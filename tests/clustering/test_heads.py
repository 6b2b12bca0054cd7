"""clustering/_heads.py: the head registry, the clustering helpers and the heads on tiny modules.

The heads inside a whole :class:`~tsclust.clustering.DeepClusterer` fit are tested in
test_estimator.py; here each piece is called directly, on latents or on a tiny torch module.
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest
import torch
from torch import nn

from tsclust.clustering._heads import (
    AUTO_HEAD,
    HEADS,
    ClusterCollapseWarning,
    DECHead,
    Head,
    HeadConfig,
    SpectralAssigner,
    WardHead,
    check_head,
    nearest,
    resolve_head,
    silhouette,
    size_entropy,
    spectral_cluster,
    ward_cluster,
)
from tsclust.metrics import ari

REGISTERED = ["compact", "dcn", "dec", "idec", "kmeans", "spectral", "umap", "ward"]


def blobs(sizes=(20, 20, 20), d=2, spread=0.1, seed=0):
    """Rows around the corners (0, 0), (10, 0), (0, 10), ... with labels 0, 1, 2, ..."""
    rng = np.random.RandomState(seed)
    centres = 10.0 * np.vstack([np.zeros(d), np.eye(d)])[: len(sizes)]
    Z = np.concatenate([c + spread * rng.randn(n, d) for c, n in zip(centres, sizes, strict=True)])
    y = np.repeat(np.arange(len(sizes)), sizes)
    return Z, y, centres


class Flat(nn.Module):
    """A tiny encoder: ``encode(x) = W x.flatten(1)``, ``W`` the identity at the start."""

    def __init__(self, d: int) -> None:
        super().__init__()
        self.lin = nn.Linear(d, d, bias=False)
        with torch.no_grad():
            self.lin.weight.copy_(torch.eye(d))

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.lin(x.flatten(1))


def config(k, **kw):
    return HeadConfig(**{"n_clusters": k, "epochs": 0, "batch_size": 16, "lr": 1e-3, "seed": 0,
                         "device": torch.device("cpu"), "n_init": 3, **kw})


def as_windows(Z):
    """Rows (n, d) as windows (n, 1, d), the layout a head receives."""
    return torch.from_numpy(Z.astype(np.float32)[:, None, :])


# --------------------------------------------------------------------------- registry


def test_registry_names_match_the_head_classes():
    assert sorted(HEADS) == REGISTERED
    for name, cls in HEADS.items():
        assert issubclass(cls, Head) and cls.name == name
    assert HEADS["kmeans"] is Head and HEADS["ward"] is WardHead
    assert AUTO_HEAD not in HEADS


def test_check_head_returns_the_class_and_lists_valid_names():
    assert check_head("dec") is DECHead
    listed = re.escape(str(REGISTERED))
    with pytest.raises(ValueError, match=rf"unknown head 'nope'; valid names are {listed}$"):
        check_head("nope")
    with pytest.raises(ValueError, match=rf"valid names are {listed} or 'auto'$"):
        check_head("nope", auto=True)
    with pytest.raises(ValueError, match="unknown head 'auto'"):  # only resolve_head takes it
        check_head(AUTO_HEAD)
    with pytest.raises(ValueError, match="unknown head None"):
        check_head(None)


def test_resolve_head_auto_by_architecture():
    assert resolve_head("auto", "cov") == "dec"
    for arch in ("conv", "mlp", "gru", "rocket", None):
        assert resolve_head("auto", arch) == "umap"
    assert resolve_head("ward", "cov") == "ward"  # a named head is kept under any architecture
    assert resolve_head("kmeans") == "kmeans"
    with pytest.raises(ValueError, match=r"unknown head 'DEC'.* or 'auto'"):
        resolve_head("DEC", "cov")


# --------------------------------------------------------------------------- helpers


def test_nearest_against_brute_force_and_by_hand():
    Z = np.array([[0.0, 0.0], [4.9, 0.0], [5.1, 0.0], [9.0, 9.0]])
    C = np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 10.0]])
    np.testing.assert_array_equal(nearest(Z, C), [0, 0, 1, 2])
    rng = np.random.RandomState(1)
    Z, C = rng.randn(50, 3).astype(np.float32), rng.randn(4, 3)
    brute = ((Z[:, None, :] - C[None]) ** 2).sum(axis=2).argmin(axis=1)
    np.testing.assert_array_equal(nearest(Z, C), brute)
    assert nearest(Z, C).shape == (50,)


@pytest.mark.parametrize(
    "labels, k, expected",
    [
        ([0, 1, 0, 1], 2, 1.0),
        ([0, 0, 0, 0], 2, 0.0),
        ([0, 0, 1, 1], 4, 0.5),  # two equal clusters of four: log 2 / log 4
        ([0, 0, 0, 1], 2, -(0.75 * math.log(0.75) + 0.25 * math.log(0.25)) / math.log(2)),
    ],
)
def test_size_entropy(labels, k, expected):
    assert size_entropy(np.array(labels), k) == pytest.approx(expected)


def test_silhouette_by_hand_and_nan_where_undefined():
    Z = np.array([[0.0], [1.0], [10.0], [11.0]])
    # a = 1 for every row; b = 10.5 for the outer rows, 9.5 for the inner ones
    want = (2 * (1 - 1 / 10.5) + 2 * (1 - 1 / 9.5)) / 4
    assert silhouette(Z, np.array([0, 0, 1, 1])) == pytest.approx(want)
    assert math.isnan(silhouette(Z, np.zeros(4, dtype=int)))  # one cluster
    assert math.isnan(silhouette(Z, np.arange(4)))  # every row a singleton (k = n)
    assert math.isfinite(silhouette(Z, np.array([0, 1, 2, 2])))  # k = n - 1: defined


def test_ward_cluster_recovers_blobs_and_their_means():
    Z, y, centres = blobs()
    labels, means = ward_cluster(Z, 3)
    assert labels.dtype == np.int64 and labels.shape == (60,) and means.shape == (3, 2)
    assert ari(y, labels) == 1.0
    for k in range(3):  # each Ward mean is the mean of the rows it labels
        np.testing.assert_allclose(means[k], Z[labels == k].mean(axis=0))
        assert np.abs(means[k] - centres[y[labels == k][0]]).max() < 0.2
    sub_labels, sub_means = ward_cluster(Z, 3, max_samples=15, seed=0)  # a subsample clustered
    assert ari(y, sub_labels) == 1.0 and sub_means.shape == (3, 2)


def test_spectral_cluster_recovers_blobs():
    Z, y, _ = blobs(d=3, sizes=(25, 25, 25, 25))
    rows, labels = spectral_cluster(Z, 4, n_neighbors=5)
    np.testing.assert_array_equal(rows, np.arange(100))
    assert labels.dtype == np.int64 and ari(y, labels) == 1.0
    rows, labels = spectral_cluster(Z, 4, n_neighbors=5, max_samples=40, seed=1)
    assert len(rows) == 40 and np.all(np.diff(rows) > 0)
    assert ari(y[rows], labels) == 1.0


def test_spectral_cluster_with_as_many_rows_as_clusters_gives_each_row_its_own():
    rows, labels = spectral_cluster(np.random.RandomState(0).randn(3, 2), 3)
    np.testing.assert_array_equal(rows, [0, 1, 2])
    np.testing.assert_array_equal(labels, [0, 1, 2])


def test_spectral_assigner_labels_new_rows_by_their_nearest_clustered_row():
    Z, y, centres = blobs(sizes=(30, 30, 30))
    assigner = SpectralAssigner(3, n_neighbors=5, max_samples=45, seed=0).fit(Z)
    assert ari(y, assigner.labels_) == 1.0 and len(assigner.reference) == 45
    np.testing.assert_array_equal(assigner.predict(Z), assigner.labels_)
    # new rows on the blob centres take the cluster of that blob's rows
    got = assigner.predict(centres)
    want = [assigner.labels_[y == k][0] for k in range(3)]
    np.testing.assert_array_equal(got, want)
    np.testing.assert_allclose(assigner.cluster_centers_,
                               [Z[assigner.labels_ == k].mean(axis=0) for k in range(3)])


# --------------------------------------------------------------------------- heads


def test_kmeans_head_fits_a_tiny_module_without_finetuning():
    Z, y, centres = blobs(sizes=(20, 15, 10))
    module = Flat(2)
    before = module.lin.weight.detach().clone()
    head = Head(config(3, epochs=5))  # the base head has no fine-tuning step: epochs unused
    labels = head.fit(module, as_windows(Z))
    assert labels.dtype == np.int64 and ari(y, labels) == 1.0
    assert head.centers.dtype == np.float32 and head.centers.shape == (3, 2)
    for k in range(3):  # k-means centres are the blob means
        np.testing.assert_allclose(head.centers[k], Z[labels == k].mean(axis=0), atol=1e-5)
    torch.testing.assert_close(module.lin.weight, before)
    np.testing.assert_array_equal(head.assign(Z), labels)
    assert head.history == [] and head.state() == {}
    with pytest.raises(AttributeError, match="head 'kmeans' has no soft assignment"):
        head.proba(Z)


def test_dec_head_soft_assignment_and_finetuning_on_a_tiny_module():
    Z, y, _ = blobs(sizes=(16, 16))
    head = DECHead(config(2, epochs=3, lr=1e-4, tol=0.0))
    labels = head.fit(Flat(2), as_windows(Z))
    assert ari(y, labels) == 1.0 and head.centers.shape == (2, 2)
    Z32 = Z.astype(np.float32)  # latents as encode gives them
    q = head.proba(Z32)
    np.testing.assert_allclose(head.proba(Z.astype(np.float64)), q, rtol=1e-6)  # any dtype
    assert q.shape == (32, 2)
    np.testing.assert_allclose(q.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(head.assign(Z32), q.argmax(axis=1))
    np.testing.assert_array_equal(head.assign(Z32), labels)
    # the refresh before training, then one record per epoch (tol=0 never stops early)
    assert [r["epoch"] for r in head.history] == [0, 0, 1, 2]
    assert head.history[0]["sizes"] == [16, 16] and head.history[0]["degenerate"] is False


def test_weight_is_the_configured_one_or_the_head_default():
    assert HEADS["idec"](config(2)).weight == pytest.approx(0.1)
    assert HEADS["dcn"](config(2)).weight == pytest.approx(1.0)
    assert HEADS["dcn"](config(2, cluster_weight=0.25)).weight == pytest.approx(0.25)


def test_collapse_guard_warns_once_and_records_every_degenerate_refresh():
    # unequal blobs (24 and 8 rows) have size entropy 0.81: a threshold of 0.9 makes every
    # refresh degenerate, so there is no non-degenerate refresh to restore
    Z, y, _ = blobs(sizes=(24, 8))
    assert size_entropy(y, 2) < 0.9
    head = DECHead(config(2, epochs=3, lr=1e-4, tol=0.0, collapse_entropy=0.9))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        labels = head.fit(Flat(2), as_windows(Z))
    collapse = [w for w in caught if issubclass(w.category, ClusterCollapseWarning)]
    assert len(collapse) == 1
    assert re.search(r"dec: clusters collapsed \(sizes \[\d+, \d+\], size entropy 0\.81\)",
                     str(collapse[0].message))
    refreshes = [r for r in head.history if "degenerate" in r]
    assert len(refreshes) == 4 and all(r["degenerate"] for r in refreshes)
    assert not any("silhouette" in r or "restored_best" in r for r in head.history)
    assert ari(y, labels) == 1.0  # the labels themselves are still the blobs


@pytest.mark.parametrize("assigner", ["SpectralAssigner", "EmbeddingAssigner"])
def test_identical_rows_are_never_split(assigner):
    from tsclust import clustering

    Z = np.repeat(np.array([[0.0, 1.0], [5.0, 5.0]]), [30, 10], axis=0)
    with pytest.warns(ClusterCollapseWarning, match="only 2 distinct rows for n_clusters=3"):
        est = getattr(clustering, assigner)(3).fit(Z)
    assert est.labels_.tolist() == [0] * 30 + [1] * 10
    assert est.predict(Z[[0, 35]]).tolist() == [0, 1]


def test_the_spectral_baseline_keeps_40_identical_series_together():
    from tsclust.baselines import FlatSpectral

    X = np.tile(np.sin(np.linspace(0, 6, 32)), (40, 1))
    with pytest.warns(ClusterCollapseWarning):
        labels = FlatSpectral(3, random_state=0).fit_predict(X)
    assert set(labels.tolist()) == {0}
