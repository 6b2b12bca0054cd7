"""The neighbour embedding: UMAP's graph against a loop reference, the layout, the assigner."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.manifold import trustworthiness
from sklearn.metrics import normalized_mutual_info_score

from tsclust.clustering._embedding import (
    default_n_neighbors,
    embed,
    fuzzy_knn_graph,
    optimize_layout,
    smooth_knn_dist,
    umap_ab,
)
from tsclust.clustering._heads import EmbeddingAssigner


def _blobs(n_per: int = 40, d: int = 6, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(seed)
    centres = 6.0 * np.eye(3, d)
    X = np.concatenate([c + rng.randn(n_per, d) for c in centres])
    return X, np.repeat(np.arange(3), n_per)


def _reference_graph(X: np.ndarray, n_neighbors: int) -> np.ndarray:
    """UMAP's fuzzy union written as plain loops over a dense distance matrix."""
    n = len(X)
    D = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    W = np.zeros((n, n))
    k = n_neighbors - 1
    for i in range(n):
        order = [j for j in np.argsort(D[i], kind="stable") if j != i][:k]
        d = D[i, order]
        rho = d[d > 0].min()
        lo, hi = 0.0, 1e6
        for _ in range(200):  # bisection on sigma for sum = log2(n_neighbors)
            sigma = (lo + hi) / 2
            total = np.exp(-np.maximum(d - rho, 0) / sigma).sum()
            lo, hi = (lo, sigma) if total > math.log2(n_neighbors) else (sigma, hi)
        W[i, order] = np.exp(-np.maximum(d - rho, 0) / sigma)
    return W + W.T - W * W.T


def test_graph_matches_a_loop_reference():
    X, _ = _blobs(15, 4)
    G = fuzzy_knn_graph(X, 8).toarray()
    np.testing.assert_allclose(G, _reference_graph(X, 8), atol=1e-4)
    assert np.allclose(G, G.T) and G.max() <= 1.0 and np.all(np.diag(G) == 0)


def test_memberships_sum_to_log2_of_the_neighbours():
    rng = np.random.RandomState(1)
    d = np.sort(rng.rand(50, 9) * 3, axis=1)
    rho, sigma = smooth_knn_dist(d)
    np.testing.assert_allclose(rho, d[:, 0])
    sums = np.exp(-np.maximum(d - rho[:, None], 0) / sigma[:, None]).sum(axis=1)
    np.testing.assert_allclose(sums, math.log2(10), atol=1e-4)


def test_umap_ab_fits_the_target_curve():
    a, b = umap_ab(0.1)
    assert a == pytest.approx(1.577, abs=0.01) and b == pytest.approx(0.895, abs=0.01)
    x = np.linspace(0, 3, 50)
    target = np.where(x < 0.0, 1.0, np.exp(-x))
    a0, b0 = umap_ab(0.0)
    assert np.abs(1 / (1 + a0 * x ** (2 * b0)) - target).max() < 0.1


def test_default_neighbours_follow_the_rows():
    assert default_n_neighbors(100) == 50
    assert default_n_neighbors(10_929) == 52
    assert default_n_neighbors(5) == 5  # capped at n
    assert default_n_neighbors(100_000) > default_n_neighbors(10_000)


def test_layout_separates_blobs_and_keeps_neighbours():
    X, y = _blobs()
    Y = embed(X, n_components=2, n_neighbors=10, seed=0)
    assert Y.shape == (len(X), 2) and Y.dtype == np.float32
    from sklearn.cluster import KMeans

    labels = KMeans(3, n_init=10, random_state=0).fit_predict(Y)
    assert normalized_mutual_info_score(y, labels) == pytest.approx(1.0)
    assert trustworthiness(X, Y, n_neighbors=5) > 0.85


def test_layout_optimisation_pulls_neighbours_in():
    X, _ = _blobs(20)
    G = fuzzy_knn_graph(X, 10)
    rng = np.random.RandomState(0)
    init = rng.uniform(-10, 10, (len(X), 2))
    a, b = umap_ab(0.0)
    Y = optimize_layout(G, init, 200, a, b, seed=0)
    assert trustworthiness(X, Y, n_neighbors=5) > trustworthiness(X, init, n_neighbors=5) + 0.2


def test_embedding_is_seeded():
    X, _ = _blobs(20)
    np.testing.assert_array_equal(embed(X, 3, 8, seed=4), embed(X, 3, 8, seed=4))
    assert not np.array_equal(embed(X, 3, 8, seed=4), embed(X, 3, 8, seed=5))


def test_assigner_predicts_training_rows_as_labels():
    X, y = _blobs()
    a = EmbeddingAssigner(3, n_neighbors=10, seed=0).fit(X)
    np.testing.assert_array_equal(a.predict(X), a.labels_)
    assert normalized_mutual_info_score(y, a.labels_) > 0.95
    assert a.cluster_centers_.shape == (3, X.shape[1])


def test_assigner_subsample_labels_every_row():
    X, y = _blobs()
    a = EmbeddingAssigner(3, n_neighbors=10, max_samples=60, seed=0).fit(X)
    assert len(a.reference) == 60 and a.labels_.shape == (len(X),)
    assert normalized_mutual_info_score(y, a.labels_) > 0.9


@pytest.mark.parametrize("n", [2, 3, 4])
def test_as_many_rows_as_clusters(n):
    X, _ = _blobs(5)
    a = EmbeddingAssigner(n, seed=0).fit(X[:n])
    assert sorted(a.labels_.tolist()) == list(range(n))


@pytest.mark.parametrize("n", [2, 3])
def test_spectral_step_with_as_many_rows_as_clusters(n):
    from tsclust.clustering._heads import SpectralAssigner

    X, _ = _blobs(5)
    a = SpectralAssigner(n, seed=0).fit(X[:n])
    assert sorted(a.labels_.tolist()) == list(range(n))


def test_auto_head_follows_the_architecture():
    from tsclust.clustering._heads import resolve_head

    assert resolve_head("auto", "cov") == "dec"
    assert resolve_head("auto", "rocket") == "umap" and resolve_head("auto") == "umap"
    assert resolve_head("ward", "cov") == "ward"
    with pytest.raises(ValueError, match="auto"):
        resolve_head("nope")
