"""Clustering scores against hand-computed values and scikit-learn."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

from tsclust.metrics import (
    ari,
    clustering_accuracy,
    contingency_matrix,
    evaluate,
    internal_scores,
    nmi,
)

# A hand-made 3 (classes) x 2 (clusters) contingency table, n = 10:
#            c0  c1
#   class 0   3   0
#   class 1   1   2
#   class 2   0   4
Y_TRUE_32 = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, 2])
Y_PRED_32 = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 1])


def test_contingency_matrix_hand_made():
    assert contingency_matrix(Y_TRUE_32, Y_PRED_32).tolist() == [[3, 0], [1, 2], [0, 4]]


def test_permutation_of_two_clusters_is_perfect():
    y_true, y_pred = [0, 0, 1, 1, 1], [1, 1, 0, 0, 0]
    assert clustering_accuracy(y_true, y_pred) == 1.0
    assert ari(y_true, y_pred) == 1.0
    assert nmi(y_true, y_pred) == 1.0
    assert evaluate(y_true, y_pred) == {"ari": 1.0, "nmi": 1.0, "acc": 1.0}


def test_accuracy_hand_made_3x2():
    # best matching: class 0 -> c0 (3) and class 2 -> c1 (4); class 1 unmatched
    assert clustering_accuracy(Y_TRUE_32, Y_PRED_32) == pytest.approx(0.7, abs=1e-15)


def test_ari_hand_made_3x2():
    # sum C(n_ij, 2) = 3 + 0 + 1 + 6 = 10; rows: 3 + 3 + 6 = 12; columns: 6 + 15 = 21; C(10,2) = 45
    expected_index = 12 * 21 / 45
    expected = (10 - expected_index) / ((12 + 21) / 2 - expected_index)
    assert ari(Y_TRUE_32, Y_PRED_32) == pytest.approx(expected, abs=1e-14)
    assert ari([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(-0.5)


def test_nmi_hand_made():
    y_true, y_pred = [0, 0, 1, 1], [0, 0, 0, 1]
    h_true = math.log(2)
    h_pred = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    # MI = H(true) - H(true | pred) = ln 2 - 3/4 H(2/3, 1/3)
    mi = h_true - 0.75 * -(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3))
    assert nmi(y_true, y_pred) == pytest.approx(mi / ((h_true + h_pred) / 2), abs=1e-14)


def test_unmatched_predicted_clusters_are_errors():
    # over-clustering is not rewarded: 4 clusters for 2 classes, only 2 can match
    assert clustering_accuracy([0, 0, 1, 1], [0, 1, 2, 3]) == 0.5
    # and more classes than clusters
    assert clustering_accuracy([0, 1, 2, 3], [0, 0, 0, 0]) == 0.25


def test_string_labels():
    assert evaluate(["a", "a", "b"], ["x", "x", "y"]) == {"ari": 1.0, "nmi": 1.0, "acc": 1.0}


def test_limit_cases_match_sklearn():
    for y_true, y_pred in [([0, 0, 0], [1, 1, 1]), ([0, 0, 0, 0], [0, 1, 2, 3]), ([0], [5])]:
        assert ari(y_true, y_pred) == skm.adjusted_rand_score(y_true, y_pred)
        assert nmi(y_true, y_pred) == skm.normalized_mutual_info_score(y_true, y_pred)


def test_random_labelings_match_sklearn():
    rng = np.random.RandomState(0)
    for _ in range(50):
        n = rng.randint(2, 300)
        y_true = rng.randint(0, rng.randint(1, 10), n)
        y_pred = rng.randint(0, rng.randint(1, 12), n)
        assert abs(ari(y_true, y_pred) - skm.adjusted_rand_score(y_true, y_pred)) < 1e-12
        assert abs(nmi(y_true, y_pred) - skm.normalized_mutual_info_score(y_true, y_pred)) < 1e-12


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 5)), min_size=1, max_size=40),
)
def test_property_against_sklearn_and_bounds(pairs):
    y_true = np.array([p[0] for p in pairs])
    y_pred = np.array([p[1] for p in pairs])
    assert abs(ari(y_true, y_pred) - skm.adjusted_rand_score(y_true, y_pred)) < 1e-12
    assert abs(nmi(y_true, y_pred) - skm.normalized_mutual_info_score(y_true, y_pred)) < 1e-12
    acc = clustering_accuracy(y_true, y_pred)
    assert 0.0 < acc <= 1.0
    # relabelling the clusters changes nothing
    perm = {c: 10 - c for c in np.unique(y_pred)}
    renamed = np.array([perm[c] for c in y_pred])
    assert clustering_accuracy(y_true, renamed) == acc


@pytest.mark.parametrize(
    ("y_true", "y_pred", "match"),
    [
        ([0, 1, 1], [0, 1], "different lengths"),
        ([], [], "empty"),
        ([[0, 1]], [[0, 1]], "1-D"),
        ([0.0, np.nan], [0, 1], "NaN"),
    ],
)
def test_bad_labels(y_true, y_pred, match):
    for fn in (ari, nmi, clustering_accuracy, evaluate):
        with pytest.raises(ValueError, match=match):
            fn(y_true, y_pred)


# ------------------------------------------------------------------ internal scores


def test_internal_scores_match_sklearn():
    rng = np.random.RandomState(0)
    X = np.concatenate([rng.randn(30, 4), rng.randn(25, 4) + 3, rng.randn(5, 4) - 3])
    labels = rng.randint(0, 3, X.shape[0])
    labels[:30] = 0
    got = internal_scores(X, labels, sample_size=None)
    assert got["silhouette"] == pytest.approx(skm.silhouette_score(X, labels), abs=1e-12)
    assert got["calinski_harabasz"] == pytest.approx(
        skm.calinski_harabasz_score(X, labels), rel=1e-10
    )
    assert got["davies_bouldin"] == pytest.approx(skm.davies_bouldin_score(X, labels), rel=1e-6)


def test_internal_scores_singleton_cluster_matches_sklearn():
    X = np.array([[0.0], [0.2], [0.1], [5.0], [9.0]])
    labels = [0, 0, 0, 1, 2]
    got = internal_scores(X, labels)
    assert got["silhouette"] == pytest.approx(skm.silhouette_score(X, labels), abs=1e-12)


def test_internal_scores_flattens_windows():
    rng = np.random.RandomState(1)
    W = rng.randn(20, 5, 2)
    labels = np.repeat([0, 1], 10)
    assert internal_scores(W, labels) == internal_scores(W.reshape(20, 10), labels)


def test_internal_scores_sampled_silhouette_is_seeded():
    rng = np.random.RandomState(2)
    X = np.concatenate([rng.randn(100, 3), rng.randn(100, 3) + 4])
    labels = np.repeat([0, 1], 100)
    a = internal_scores(X, labels, sample_size=50, random_state=3)
    b = internal_scores(X, labels, sample_size=50, random_state=3)
    assert a == b
    full = internal_scores(X, labels, sample_size=None)["silhouette"]
    assert a["silhouette"] == pytest.approx(full, abs=0.1)


@pytest.mark.parametrize("labels", [[0, 0, 0, 0, 0], [0, 1, 2, 3, 4]])
def test_internal_scores_degenerate_labelings_give_nan(labels):
    X = np.arange(10.0).reshape(5, 2)
    scores = internal_scores(X, labels)
    assert set(scores) == {"silhouette", "calinski_harabasz", "davies_bouldin"}
    assert all(math.isnan(v) for v in scores.values())


def test_internal_scores_degenerate_sample_gives_nan_silhouette():
    X = np.arange(10.0).reshape(5, 2)
    scores = internal_scores(X, [0, 0, 0, 1, 1], sample_size=2)
    assert math.isnan(scores["silhouette"])
    assert math.isfinite(scores["calinski_harabasz"])


def test_internal_scores_bad_input():
    with pytest.raises(ValueError, match="different lengths"):
        internal_scores(np.zeros((4, 2)), [0, 1, 0])
    with pytest.raises(ValueError, match="NaN"):
        internal_scores(np.array([[0.0], [np.nan], [1.0]]), [0, 1, 1])
    with pytest.raises(ValueError, match="sample_size"):
        internal_scores(np.zeros((4, 2)), [0, 1, 0, 1], sample_size=1)
    with pytest.raises(ValueError, match="empty"):
        internal_scores(np.zeros((0, 2)), [])
