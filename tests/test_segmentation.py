"""Segmentation: voting, smoothing, segments, CSV, evaluation, segment_recording."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tsclust.baselines import EuclideanKMeans
from tsclust.data import Recording, step_decimals
from tsclust.segmentation import (
    Segment,
    SegmentationResult,
    change_points,
    evaluate_segmentation,
    segment_recording,
    segments_from_csv,
    segments_to_csv,
    smooth,
    to_segments,
    vote,
)


def _vote_loop(labels, starts, size, n, k):
    """Reference: count votes sample by sample."""
    counts = np.zeros((n, k))
    for lab, s in zip(labels, starts, strict=True):
        counts[s : s + size, lab] += 1
    cov = counts.sum(1)
    out = np.where(cov > 0, counts.argmax(1), -1)
    conf = np.where(cov > 0, counts.max(1) / np.maximum(cov, 1), 0.0)
    return out, conf


# --------------------------------------------------------------------------- vote


def test_vote_hard_overlap_and_uncovered_tail():
    # size 4, step 3, n 12: windows [0,4) [3,7) [6,10); samples 10, 11 uncovered
    labels, conf = vote([1, 0, 0], [0, 3, 6], size=4, n_samples=12, n_clusters=2)
    assert labels.tolist() == [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, -1, -1]
    # sample 3 has one vote each: tie -> lowest index (0), confidence 1/2
    assert conf.tolist() == [1, 1, 1, 0.5, 1, 1, 1, 1, 1, 1, 0, 0]


def test_vote_uncovered_head_when_windows_start_late():
    labels, conf = vote([2], [3], size=2, n_samples=6)
    assert labels.tolist() == [-1, -1, -1, 2, 2, -1]
    assert conf.tolist() == [0, 0, 0, 1, 1, 0]


def test_vote_majority_of_three():
    labels, conf = vote([0, 1, 1], [0, 0, 0], size=3, n_samples=3)
    assert labels.tolist() == [1, 1, 1]
    np.testing.assert_allclose(conf, 2 / 3)


def test_vote_matches_loop_reference():
    rng = np.random.default_rng(0)
    n, size, step, k = 203, 16, 5, 4
    starts = np.arange(0, n - size + 1, step)
    labs = rng.integers(0, k, len(starts))
    got = vote(labs, starts, size, n, k)
    ref = _vote_loop(labs, starts, size, n, k)
    np.testing.assert_array_equal(got[0], ref[0])
    np.testing.assert_allclose(got[1], ref[1])
    assert (got[0][n - (n - size) % step :] == -1).all()  # the tail step does not reach


def test_vote_soft_differs_from_hard():
    # two windows over the same samples: hard votes tie (-> cluster 0), soft mean prefers 1
    proba = np.array([[0.55, 0.45], [0.1, 0.9]])
    hard, _ = vote(proba.argmax(1), [0, 0], size=2, n_samples=2)
    soft, conf = vote(proba, [0, 0], size=2, n_samples=2)
    assert hard.tolist() == [0, 0]
    assert soft.tolist() == [1, 1]
    np.testing.assert_allclose(conf, [0.675, 0.675])


def test_vote_soft_partial_overlap():
    proba = np.array([[1.0, 0.0], [0.2, 0.8]])
    labels, conf = vote(proba, [0, 2], size=4, n_samples=7)
    assert labels.tolist() == [0, 0, 0, 0, 1, 1, -1]
    np.testing.assert_allclose(conf, [1, 1, 0.6, 0.6, 0.8, 0.8, 0])


@pytest.mark.parametrize(
    "args, match",
    [
        (([0, 1], [0], 2, 4), "must match"),
        (([0], [3], 2, 4), "inside"),
        (([0, 3], [0, 1], 2, 4, 2), r"\[0, 2\)"),
        (([-1], [0], 2, 4), r"\[0, "),
        ((np.zeros((1, 2, 2)), [0], 2, 4), "shape"),
        ((np.full((1, 2), np.nan), [0], 2, 4), "NaN"),
        ((np.ones((1, 3)), [0], 2, 4, 2), "3 columns"),
    ],
)
def test_vote_errors(args, match):
    with pytest.raises(ValueError, match=match):
        vote(*args)


# --------------------------------------------------------------------------- smooth


def test_smooth_cases():
    assert smooth([0, 0, 0, 1, 0, 0], 2).tolist() == [0] * 6  # same label on both sides
    # longer neighbour wins
    assert smooth([0, 0, 1, 2, 2, 2], 2).tolist() == [0, 0, 2, 2, 2, 2]
    # equal lengths: the left one
    assert smooth([0, 0, 1, 2, 2], 2).tolist() == [0, 0, 0, 2, 2]
    # -1 runs are kept and never absorb
    assert smooth([-1, 1, 0, 0, 0, -1], 3).tolist() == [-1, 0, 0, 0, 0, -1]
    assert smooth([-1, 1, -1, 0, 0, 0], 3).tolist() == [-1, 1, -1, 0, 0, 0]
    # repeated until stable: a short run grows by merges and is then kept
    assert smooth([0, 1, 0, 1, 1, 1, 1], 2).tolist() == [1] * 7
    assert smooth([3, 3, 1], 5).tolist() == [3, 3, 3]
    assert smooth([1, 2, 1], 1).tolist() == [1, 2, 1]
    assert smooth([], 5).tolist() == []


def test_smooth_result_has_no_short_runs():
    rng = np.random.default_rng(1)
    lab = rng.integers(0, 3, 300)
    lab[100:110] = -1
    out = smooth(lab, 7)
    assert (out[100:110] == -1).all() and ((out == -1) == (lab == -1)).all()
    change = np.flatnonzero(np.diff(out)) + 1
    bounds = np.r_[0, change, len(out)]
    lengths = np.diff(bounds)
    vals = out[bounds[:-1]]
    assert (lengths[vals != -1] >= 7).all()


def test_smooth_errors():
    with pytest.raises(ValueError, match="1-D"):
        smooth(np.zeros((2, 2)), 2)
    with pytest.raises(ValueError, match="integer"):
        smooth([0, 1], 2.5)


# --------------------------------------------------------------------------- segments


def test_to_segments_and_csv_round_trip(tmp_path):
    labels = np.array([-1, 0, 0, 2, 2, 2, -1])
    conf = np.array([0, 0.5, 1.0, 1 / 3, 1 / 3, 1 / 3, 0])
    segs = to_segments(labels, conf, sampling_rate=4.0)
    assert [(s.start, s.end, s.cluster) for s in segs] == [(0, 1, -1), (1, 3, 0), (3, 6, 2), (6, 7, -1)]
    assert segs[1].confidence == 0.75 and segs[1].start_s == 0.25 and segs[1].end_s == 0.75
    assert math.isclose(segs[2].confidence, 1 / 3)
    assert segs[2].duration_s == 0.75
    path = segments_to_csv(segs, tmp_path / "s.csv")
    assert path.read_text().splitlines()[0] == "start,end,cluster,confidence,start_s,end_s"
    assert segments_from_csv(path) == segs
    with pytest.raises(FileExistsError):
        segments_to_csv(segs, path)
    segments_to_csv(segs[:1], path, overwrite=True)
    assert segments_from_csv(path) == segs[:1]


def test_segment_times_are_rounded_to_the_sampling_period(tmp_path):
    # a rate measured from time stamps 0.02 s apart is not exactly 50 Hz
    stamps = np.cumsum(np.full(3000, 0.02))
    rate = (len(stamps) - 1) / (stamps[-1] - stamps[0])
    assert rate != 50.0 and repr(128 / rate) != "2.56"
    labels = np.r_[np.zeros(128, int), np.ones(37, int), np.zeros(1, int)]
    segs = to_segments(labels, np.ones(len(labels)), sampling_rate=rate)
    assert [(s.start_s, s.end_s) for s in segs] == [(0.0, 2.56), (2.56, 3.3), (3.3, 3.32)]
    text = segments_to_csv(segs, tmp_path / "s.csv").read_text()
    assert text.splitlines()[1:3] == ["0,128,0,1.0,0.0,2.56", "128,165,1,1.0,2.56,3.3"]
    # 128 Hz: 1/128 s is exact in 7 decimals and is kept exactly
    segs = to_segments([0, 1, 1], [1.0, 1.0, 1.0], sampling_rate=128.0)
    assert segs[0].end_s == 0.0078125 and segs[1].end_s == 3 / 128
    # 30 Hz: periods that do not end write 7 decimals, within 1e-7 s of the exact time
    segs = to_segments([0] * 10 + [1], [1.0] * 11, sampling_rate=30.0)
    assert segs[0].end_s == 0.3333333 and abs(segs[1].end_s - 11 / 30) < 1e-7


@pytest.mark.parametrize("rate, decimals", [(50.0, 2), (49.99999999999685, 2), (128.0, 7),
                                            (30.0, 7), (0.5, 0), (44100.0, 10), (1e6, 6)])
def test_step_decimals(rate, decimals):
    assert step_decimals(rate) == decimals


def test_csv_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        segments_from_csv(tmp_path / "none.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="missing column"):
        segments_from_csv(bad)
    bad.write_text("start,end,cluster,confidence,start_s,end_s\n0,x,1,1,0,1\n")
    with pytest.raises(ValueError, match="bad value"):
        segments_from_csv(bad)


def test_to_segments_errors():
    with pytest.raises(ValueError, match="shape"):
        to_segments([0, 1], [1.0], 1.0)
    with pytest.raises(ValueError, match="positive"):
        to_segments([0], [1.0], 0.0)


# --------------------------------------------------------------------------- evaluation


def test_change_points_ignore_uncovered():
    assert change_points([0, 0, 1, -1, -1, 1, 2]).tolist() == [2, 6]
    assert change_points([5]).tolist() == []


def test_evaluate_segmentation_hand_case():
    # truth: 1 x10, gap 0 x4, 2 x10, 3 x6  -> true boundaries: gap [10, 14] and 24
    true = np.r_[np.ones(10), np.zeros(4), 2 * np.ones(10), 3 * np.ones(6)].astype(int)
    # pred: changes at 12 (inside the gap: match), 20 (false), 27 (3 from 24)
    pred = np.r_[np.zeros(12), np.ones(8), 2 * np.ones(7), 3 * np.ones(3)].astype(int)
    pred[-1] = -1  # uncovered tail: no boundary, not scored
    s = evaluate_segmentation(pred, true, tolerance=3)
    assert s["n_true_boundaries"] == 2 and s["n_pred_boundaries"] == 3
    assert s["boundary_precision"] == pytest.approx(2 / 3)
    assert s["boundary_recall"] == 1.0
    assert s["boundary_f1"] == pytest.approx(0.8)
    assert s["n_scored"] == 25 and s["coverage"] == pytest.approx(25 / 26)
    s2 = evaluate_segmentation(pred, true, tolerance=2)
    assert s2["boundary_recall"] == 0.5 and s2["boundary_precision"] == pytest.approx(1 / 3)


def test_evaluate_segmentation_scores_and_edge_cases():
    true = np.array([0, 1, 1, 2, 2, 0])
    pred = np.array([5, 7, 7, 4, 4, -1])
    s = evaluate_segmentation(pred, true, tolerance=0)
    assert (s["ari"], s["nmi"], s["acc"]) == (1.0, 1.0, 1.0)
    assert s["boundary_f1"] == 1.0
    # one predicted boundary can match only one true boundary
    s = evaluate_segmentation([0, 0, 1, 1], [1, 2, 3, 3], tolerance=5)
    assert s["n_true_boundaries"] == 2 and s["boundary_recall"] == 0.5
    # nothing labelled
    s = evaluate_segmentation([0, 1], [0, 0])
    assert math.isnan(s["ari"]) and s["n_scored"] == 0
    assert s["boundary_precision"] == 1.0 and s["boundary_recall"] == 1.0
    with pytest.raises(ValueError, match="samples"):
        evaluate_segmentation([0], [1, 1])
    with pytest.raises(ValueError, match="tolerance"):
        evaluate_segmentation([0], [1], tolerance=-1)


# --------------------------------------------------------------------------- pipeline


@pytest.fixture(scope="module")
def two_state_recording():
    rng = np.random.default_rng(0)
    sig = np.r_[rng.normal(0, 0.1, (100, 2)), rng.normal(3, 0.1, (100, 2))]
    labels = np.r_[np.ones(100), 2 * np.ones(100)].astype(int)
    return Recording(sig, labels=labels, sampling_rate=10.0, name="toy")


def _windows(rec, size=20):
    from tsclust.preprocessing import SlidingWindows

    return SlidingWindows(size=size, step=10, labels="pure").transform([rec]).X


def test_segment_recording_with_baseline(two_state_recording):
    rec = two_state_recording
    est = EuclideanKMeans(2, random_state=0).fit(_windows(rec))
    res = segment_recording(est, rec, step=7, min_duration=1.0)
    assert isinstance(res, SegmentationResult)
    assert res.sample_labels.shape == (200,) and res.window_proba is None
    assert res.size == 20 and res.step == 7 and res.n_clusters == 2
    assert res.starts.tolist() == list(range(0, 181, 7))
    covered = res.sample_labels != -1
    assert covered.tolist() == [True] * 195 + [False] * 5  # last window [175, 195)
    s = evaluate_segmentation(res.sample_labels, rec.labels, tolerance=5)
    assert s["ari"] > 0.9 and s["boundary_f1"] == 1.0
    assert all(isinstance(g, Segment) for g in res.segments)
    assert [g.cluster for g in res.segments][-1] == -1
    assert res.segments[0].start_s == 0.0


def test_segment_recording_soft_deepclusterer(two_state_recording):
    from tsclust.clustering import DeepClusterer

    rec = two_state_recording
    est = DeepClusterer(
        2, architecture="mlp", head="dec", latent_dim=2, pretrain_epochs=2, finetune_epochs=1,
        n_init=1, module_kwargs={"hidden": (16,)}, random_state=0, device="cpu",
    ).fit(_windows(rec))
    res = segment_recording(est, rec, step=10)
    assert res.window_proba is not None and res.window_proba.shape == (len(res.starts), 2)
    assert ((res.confidence >= 0) & (res.confidence <= 1 + 1e-9)).all()
    hard = segment_recording(est, rec, step=10, soft=False)
    assert hard.window_proba is None
    np.testing.assert_array_equal(hard.window_labels, est.predict(_windows_all(rec)))


def _windows_all(rec):
    from tsclust.preprocessing import SlidingWindows

    return SlidingWindows(size=20, step=10, labels=None).transform([rec]).X


def test_segment_recording_errors(two_state_recording):
    rec = two_state_recording
    est = EuclideanKMeans(2, random_state=0).fit(_windows(rec))
    with pytest.raises(ValueError, match="shorter than the model's window"):
        segment_recording(est, Recording(np.zeros((10, 2))))
    with pytest.raises(ValueError, match="channel"):
        segment_recording(est, Recording(np.zeros((100, 3))))
    with pytest.raises(ValueError, match="fitted on windows of 20"):
        segment_recording(est, rec, size=30)
    with pytest.raises(ValueError, match="no predict"):
        segment_recording(object(), rec)
    with pytest.raises(ValueError, match="size is needed"):
        segment_recording(EuclideanKMeans(2), rec)
