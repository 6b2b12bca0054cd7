"""RecordingClusterer and RecordingAligner: windows of recordings with different sensor mounts."""

from __future__ import annotations

import numpy as np
import pytest

from tsclust.baselines import CovWard
from tsclust.clustering import RecordingAligner, RecordingClusterer
from tsclust.compare import available_methods, compare
from tsclust.metrics import ari

FAST = dict(pretrain_epochs=30, random_state=0)


def _rotation(axis: np.ndarray, angle: float) -> np.ndarray:
    axis = axis / np.linalg.norm(axis)
    K = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + np.sin(angle) * K + (1 - np.cos(angle)) * K @ K


def recordings(n_rec: int = 4, per_state: int = 30, length: int = 32, seed: int = 0):
    """Walking, standing and sitting (leaning 0.35 rad) windows of ``n_rec`` recordings.

    Each recording sees them through its own sensor mounting, a rotation of up to 0.5 rad,
    so standing in one recording can look like sitting in another.
    """
    rng = np.random.RandomState(seed)
    t = np.arange(length) / 16
    X, y, g = [], [], []
    for r in range(n_rec):
        mount = _rotation(rng.randn(3), rng.uniform(0.3, 0.5))
        for state in range(3):
            for _ in range(per_state):
                if state == 0:  # walking: upright, oscillating along every axis
                    phase = rng.uniform(0, 2 * np.pi, size=3)
                    w = 0.3 * np.sin(2 * np.pi * t[:, None] + phase) + [0.0, 0.0, 1.0]
                else:
                    lean = 0.0 if state == 1 else 0.35
                    w = np.tile([np.sin(lean), 0.0, np.cos(lean)], (length, 1))
                w = w + 0.02 * rng.randn(length, 3)
                X.append(w @ mount.T)
                y.append(state)
                g.append(r)
    return np.asarray(X, dtype=np.float32), np.asarray(y), np.asarray(g)


def test_aligner_moves_each_recordings_cells_to_the_common_means():
    rng = np.random.RandomState(0)
    base = np.r_[rng.randn(40, 2) * 0.1, rng.randn(40, 2) * 0.1 + [10, 0]]
    groups = np.tile([0, 1], 40)
    F = base + np.where(groups[:, None] == 1, [0.0, 3.0], [0.0, -3.0])  # a per-recording offset
    aligner = RecordingAligner(2).fit(F)
    out = aligner.transform(F, groups)
    for g in (0, 1):
        for half in (base[:, 0] < 5, base[:, 0] >= 5):
            cell = (groups == g) & half
            np.testing.assert_allclose(out[cell].mean(0), F[half].mean(0), atol=1e-9)
    np.testing.assert_allclose(out - out.mean(0), base - base.mean(0), atol=0.2)
    # cells below min_rows are left alone
    lone = RecordingAligner(2, min_rows=100).fit(F).transform(F, groups)
    np.testing.assert_array_equal(lone, F)


def test_finds_postures_that_the_mounting_hides_from_plain_statistics():
    X, y, g = recordings()
    est = RecordingClusterer(3, **FAST).fit(X, groups=g)
    assert ari(y, est.labels_) > 0.9
    assert ari(y, CovWard(3).fit_predict(X)) < 0.7  # the same statistics without recordings
    # new recordings are aligned and referenced within themselves
    X2, y2, g2 = recordings(n_rec=2, seed=1)
    assert ari(y2, est.predict(X2, groups=g2)) > 0.9
    assert est.transform(X2, groups=g2).shape == (len(X2), 32)
    proba = est.predict_proba(X2, groups=g2)
    assert proba.shape == (len(X2), 3) and np.allclose(proba.sum(axis=1), 1, atol=1e-5)
    np.testing.assert_array_equal(proba.argmax(axis=1), est.predict(X2, groups=g2))
    assert not hasattr(RecordingClusterer(3, head="kmeans"), "predict_proba")


def test_without_posture_angle_or_recordings():
    X, _, g = recordings(n_rec=2, per_state=10)
    assert RecordingClusterer(3, gravity_channels=None, **FAST).fit(X, groups=g).labels_.shape == (60,)
    assert RecordingClusterer(3, **FAST).fit(X).labels_.shape == (60,)  # one recording


def test_bad_parameters_and_groups():
    # NotFittedError, n_clusters and predict-time shape / NaN errors: tests/test_contract.py
    X, _, g = recordings(n_rec=2, per_state=10)
    with pytest.raises(ValueError, match="n_coarse"):
        RecordingClusterer(3, n_coarse=0).fit(X, groups=g)
    with pytest.raises(ValueError, match="tilt_weight"):
        RecordingClusterer(3, tilt_weight=-1).fit(X, groups=g)
    with pytest.raises(ValueError, match="3 accelerometer channels"):
        RecordingClusterer(3).fit(X[:, :, :2], groups=g)
    with pytest.raises(ValueError, match="shape"):
        RecordingClusterer(3).fit(X, groups=g[:5])


def test_compare_runs_rec_methods_with_the_recordings():
    X, y, g = recordings(n_rec=4, per_state=10)
    assert "rec+dec" in available_methods()
    rows = compare(X, y, n_clusters=3, methods=["rec+kmeans"], seeds=[0], recordings=g,
                   method_params={"rec+kmeans": {"pretrain_epochs": 30}},
                   progress=False)
    assert rows[0]["error"] is None and rows[0]["ari"] > 0.9
    held = compare(X, y, n_clusters=3, methods=["rec+kmeans"], seeds=[0], recordings=g,
                   protocol="inductive", groups=g, test_groups=[3],
                   method_params={"rec+kmeans": {"pretrain_epochs": 30}},
                   progress=False)
    assert held[0]["error"] is None and held[0]["n_test"] == 30
    with pytest.raises(ValueError, match="recordings must have shape"):
        compare(X, y, n_clusters=3, methods=["kmeans"], seeds=[0], recordings=g[:3])
