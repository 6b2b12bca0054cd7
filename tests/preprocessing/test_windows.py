"""Window arithmetic (hand-checked and property-tested), Windows, SlidingWindows."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from tsclust.data import Recording
from tsclust.preprocessing import (
    SlidingWindows,
    Windows,
    n_windows,
    pure_window_starts,
    segments_from_labels,
    window_labels,
    window_starts,
)

# --------------------------------------------------------------------------- hand-checked


def test_window_starts_hand():
    assert window_starts(10, 4, 3).tolist() == [0, 3, 6]
    assert window_starts(10, 4, 2).tolist() == [0, 2, 4, 6]
    assert window_starts(4, 4, 100).tolist() == [0]
    assert window_starts(3, 4, 1).tolist() == []
    assert n_windows(20598, 128, 64) == 320
    assert window_starts(10, 4, 3).dtype == np.int64


@pytest.mark.parametrize("size, step", [(0, 1), (4, 0), (4, -1), (True, 1), (2.5, 1), (4, 1.0)])
def test_window_starts_bad(size, step):
    with pytest.raises(ValueError, match="size|step"):
        window_starts(10, size, step)


def test_segments_from_labels_hand():
    assert segments_from_labels([0, 0, 3, 3, 3, 0, 1, 1, 2]).tolist() == [
        [2, 5, 3],
        [6, 8, 1],
        [8, 9, 2],
    ]
    assert segments_from_labels([]).shape == (0, 3)
    assert segments_from_labels([0, 0]).shape == (0, 3)


def test_pure_window_starts_keeps_adjacent_segments_apart():
    # two adjacent segments with the same label are not merged
    s, y = pure_window_starts([[10, 150, 5], [150, 290, 5]], 32, 16)
    assert len(s) == 14 and set(y.tolist()) == {5}
    assert s[:7].tolist() == [10, 26, 42, 58, 74, 90, 106] and s[7] == 150
    merged, _ = pure_window_starts([[10, 290, 5]], 32, 16)
    assert len(merged) == 16
    s, y = pure_window_starts([[0, 3, 1], [5, 9, 0]], 4, 1)  # too short, label 0
    assert s.tolist() == [] and y.dtype == np.int64


def test_window_labels_hand():
    lab = [0, 0, 1, 1, 1, 2, 2, 2, 2, 0]
    starts = [0, 2, 4, 6]
    assert window_labels(lab, starts, 4, "majority").tolist() == [0, 1, 2, 2]
    # window [0, 4): labels 0 0 1 1 -> tie between 0 and 1 -> smallest (0)
    assert window_labels(lab, starts, 4, "center").tolist() == [1, 1, 2, 2]
    with pytest.raises(ValueError, match="mode"):
        window_labels(lab, starts, 4, "mode")
    with pytest.raises(ValueError, match="outside"):
        window_labels(lab, [8], 4, "center")


# --------------------------------------------------------------------------- properties


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 500), st.integers(1, 60), st.integers(1, 60))
def test_window_starts_properties(n, size, step):
    s = window_starts(n, size, step)
    assert len(s) == n_windows(n, size, step)
    if n < size:
        assert len(s) == 0
        return
    assert s[0] == 0 and np.all(np.diff(s) == step)
    assert s[-1] + size <= n  # every window fits
    assert s[-1] + step + size > n  # and no further one would


@st.composite
def label_tracks(draw):
    runs = draw(st.lists(st.tuples(st.integers(0, 3), st.integers(1, 40)), min_size=1, max_size=12))
    return np.concatenate([np.full(length, v) for v, length in runs])


@settings(max_examples=150, deadline=None)
@given(label_tracks(), st.integers(1, 30), st.integers(1, 30))
def test_pure_windows_lie_in_one_segment(labels, size, step):
    segs = segments_from_labels(labels)
    starts, y = pure_window_starts(segs, size, step)
    for s, lab in zip(starts, y, strict=True):
        window = labels[s : s + size]
        assert len(window) == size and lab != 0 and np.all(window == lab)
    assert len(starts) == sum(n_windows(b - a, size, step) for a, b, _ in segs)


@settings(max_examples=150, deadline=None)
@given(label_tracks(), st.integers(1, 30), st.integers(1, 30))
def test_window_labels_match_brute_force(labels, size, step):
    starts = window_starts(len(labels), size, step)
    maj = window_labels(labels, starts, size, "majority")
    cen = window_labels(labels, starts, size, "center")
    for s, m, c in zip(starts, maj, cen, strict=True):
        counts = Counter(labels[s : s + size].tolist())
        best = max(counts.values())
        assert m == min(k for k, v in counts.items() if v == best)
        assert c == labels[s + size // 2]


# --------------------------------------------------------------------------- SlidingWindows


def _rec(n=40, C=2, labels=None, **kw):
    sig = np.arange(n * C, dtype=np.float32).reshape(n, C)
    return Recording(sig, labels=labels, sampling_rate=50.0, **kw)


def test_sliding_windows_pure_content_and_origins():
    lab = np.r_[np.zeros(4), np.ones(20), 2 * np.ones(16)].astype(int)
    r0 = _rec(labels=lab, name="a", subject=3)
    r1 = _rec(labels=lab, name="b")
    w = SlidingWindows(size=8, step=4, labels="pure").transform([r0, r1])
    # segment [4, 24): starts 4, 8, 12, 16; segment [24, 40): 24, 28, 32
    assert w.origins[w.origins[:, 0] == 0, 1].tolist() == [4, 8, 12, 16, 24, 28, 32]
    assert w.y.tolist() == [1, 1, 1, 1, 2, 2, 2] * 2
    assert w.subject.tolist() == [3] * 7 + [-1] * 7
    for (i, s), x in zip(w.origins, w.X, strict=True):
        np.testing.assert_array_equal(x, [r0, r1][i].signals[s : s + 8])
    assert w.X.shape == (14, 8, 2) and w.X.dtype == np.float32
    assert w.recording_names == ["a", "b"] and w.recording_lengths.tolist() == [40, 40]
    assert (w.size, w.step, w.labels_mode, w.sampling_rate) == (8, 4, "pure", 50.0)


def test_sliding_windows_uses_recording_segments():
    lab = np.r_[np.ones(20), np.ones(20)].astype(int)
    r = _rec(labels=lab, segments=[[0, 20, 1], [20, 40, 1]])
    assert len(SlidingWindows(size=8, step=4).transform(r)) == 8  # 4 + 4
    r.segments = None
    assert len(SlidingWindows(size=8, step=4).transform(r)) == 9  # one run of 40


@pytest.mark.parametrize("mode", ["majority", "center", None, "none"])
def test_sliding_windows_whole_recording(mode):
    lab = np.r_[np.zeros(10), np.ones(30)].astype(int)
    w = SlidingWindows(size=8, step=8, labels=mode).transform(_rec(labels=lab))
    assert w.origins[:, 1].tolist() == [0, 8, 16, 24, 32]
    if mode in (None, "none"):
        assert w.y is None and w.labels_mode is None
    else:
        assert w.y.tolist() == [0, 1, 1, 1, 1]  # centers 4, 12, ...; [8, 16) has 6 ones


def test_sliding_windows_unlabelled_array_and_clone():
    sw = SlidingWindows(size=5, step=5, labels=None)
    w = sw.transform(np.zeros((23, 3)))
    assert w.X.shape == (4, 5, 3) and w.y is None
    assert clone(sw).get_params() == {"size": 5, "step": 5, "labels": None}
    assert sw.fit_transform([np.zeros((10, 3))]).X.shape == (2, 5, 3)


def test_sliding_windows_errors():
    lab = np.ones(40, dtype=int)
    with pytest.raises(ValueError, match="step must be an integer >= 1"):
        SlidingWindows(step=0).transform(_rec(labels=lab))
    with pytest.raises(ValueError, match="size must be an integer >= 1"):
        SlidingWindows(size=0).fit()
    with pytest.raises(ValueError, match="labels must be one of"):
        SlidingWindows(labels="most").transform(_rec(labels=lab))
    with pytest.raises(ValueError, match=r"recording 'short' has 40 samples, fewer than .* 64"):
        SlidingWindows(size=64, step=8).transform([_rec(labels=lab, name="short")])
    with pytest.raises(ValueError, match="no recordings"):
        SlidingWindows().transform([])
    with pytest.raises(ValueError, match="'u' has no labels; use labels=None"):
        SlidingWindows(size=8, step=8).transform(_rec(name="u"))
    with pytest.raises(ValueError, match="channels"):
        SlidingWindows(size=8, step=8, labels=None).transform([_rec(C=2), _rec(C=3)])
    other = Recording(np.zeros((40, 2)), sampling_rate=25.0, name="slow")
    with pytest.raises(ValueError, match="'slow' is sampled at 25 Hz"):
        SlidingWindows(size=8, step=8, labels=None).transform([_rec(), other])
    with pytest.raises(ValueError, match="one recording of shape"):
        SlidingWindows().transform(np.zeros((2, 3, 4)))


def test_sliding_windows_skip_invalid_samples():
    sig = np.ones((40, 1))
    sig[13] = np.nan
    valid = np.isfinite(sig[:, 0])
    r = Recording(sig, labels=np.ones(40, dtype=int), valid=valid)
    w = SlidingWindows(size=8, step=4, labels="majority").transform(r)
    # windows starting at 8 and 12 contain sample 13
    assert w.origins[:, 1].tolist() == [0, 4, 16, 20, 24, 28, 32]
    assert np.isfinite(w.X).all()


def test_sliding_windows_no_window_fits():
    lab = np.r_[np.ones(10), 2 * np.ones(10)].astype(int)
    w = SlidingWindows(size=16, step=4).transform(_rec(n=20, labels=lab))
    assert len(w) == 0 and w.X.shape == (0, 16, 2) and w.y.shape == (0,)


# --------------------------------------------------------------------------- Windows


def test_windows_defaults_subset_concatenate():
    w = Windows(np.zeros((3, 4)), y=[1.0, 2.0, 1.0])
    assert w.X.shape == (3, 4, 1) and w.y.dtype == np.int64
    assert w.origins.tolist() == [[0, 0], [1, 0], [2, 0]] and w.channels == ["ch0"]
    assert w.step == 4 and w.recording_names == ["0", "1", "2"]
    assert len(w[1]) == 1 and w[w.y == 1].origins[:, 0].tolist() == [0, 2]
    both = Windows.concatenate([w, w[np.array([2])]])
    assert len(both) == 4 and both.origins[:, 0].tolist() == [0, 1, 2, 5]
    assert len(both.recording_names) == 6
    with pytest.raises(ValueError, match="incompatible windows: channels"):
        Windows.concatenate([w, Windows(np.zeros((1, 4, 1)), y=[1], channels=["z"])])
    with pytest.raises(ValueError, match="labelled vs unlabelled"):
        Windows.concatenate([w, Windows(np.zeros((1, 4, 1)))])
    with pytest.raises(ValueError, match="at least one"):
        Windows.concatenate([])


def test_windows_validation():
    with pytest.raises(ValueError, match="NaN or inf"):
        Windows(np.full((2, 3, 1), np.nan))
    with pytest.raises(ValueError, match="y must have shape"):
        Windows(np.zeros((2, 3, 1)), y=[1])
    with pytest.raises(ValueError, match="size=5"):
        Windows(np.zeros((2, 3, 1)), size=5)
    with pytest.raises(ValueError, match="origins reference recording 7"):
        Windows(np.zeros((1, 3, 1)), origins=[[7, 0]], recording_names=["a"], recording_lengths=[3])


def test_all_unlabelled_recordings_say_use_labels_none():
    recs = [_rec(labels=np.zeros(40, dtype=np.int64)) for _ in range(2)]
    with pytest.raises(ValueError, match="every label is 0.*labels=None"):
        SlidingWindows(size=8, step=8, labels="pure").transform(recs)
    # one labelled recording among unlabelled ones is fine
    lab = np.zeros(40, dtype=np.int64)
    lab[:16] = 3
    w = SlidingWindows(size=8, step=8, labels="pure").transform(recs + [_rec(labels=lab)])
    assert len(w.X) == 2 and set(w.y) == {3}
