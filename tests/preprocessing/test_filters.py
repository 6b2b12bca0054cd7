"""NoiseFilter and GravitySplit on arrays, recordings and windows."""

from __future__ import annotations

import numpy as np
import pytest

from tsclust.data import Recording
from tsclust.preprocessing import GravitySplit, NoiseFilter, Windows

FS = 50.0


def _sine(freq, n=500, amp=1.0):
    t = np.arange(n) / FS
    return amp * np.sin(2 * np.pi * freq * t)


def test_noise_filter_frequency_response():
    X = np.stack([_sine(1.0), _sine(24.0)], axis=1)[None]  # (1, 500, 2)
    Y = NoiseFilter(sampling_rate=FS).transform(X)
    core = slice(50, 450)
    assert np.abs(Y[0, core, 0] - X[0, core, 0]).max() < 0.05  # 1 Hz passes
    assert np.abs(Y[0, core, 1]).max() < 0.3  # 24 Hz is attenuated


def test_noise_filter_removes_spike_and_accepts_recordings():
    sig = np.zeros((200, 2))
    sig[100, 0] = 10.0
    r = Recording(sig, sampling_rate=FS, channels=["a", "b"], name="r")
    out = NoiseFilter().transform(r)
    assert isinstance(out, Recording) and np.abs(out.signals).max() < 1e-6
    assert out.channels == ["a", "b"]
    assert len(NoiseFilter().transform([r, r])) == 2
    w = NoiseFilter().transform(Windows(sig[None], sampling_rate=FS))
    assert isinstance(w, Windows) and np.abs(w.X).max() < 1e-6


def test_noise_filter_errors():
    with pytest.raises(ValueError, match="needs sampling_rate"):
        NoiseFilter().transform(np.zeros((1, 100, 1)))
    with pytest.raises(ValueError, match="Nyquist"):
        NoiseFilter(sampling_rate=30.0).transform(np.zeros((1, 100, 1)))
    with pytest.raises(ValueError, match="odd"):
        NoiseFilter(sampling_rate=FS, kernel_size=2).transform(np.zeros((1, 100, 1)))
    bad = Recording(np.r_[np.zeros(99), np.nan][:, None], valid=np.arange(100) < 99, name="d")
    with pytest.raises(ValueError, match="'d' has NaN"):
        NoiseFilter(sampling_rate=FS).transform(bad)


def test_gravity_split():
    n = 3000
    acc = np.stack([1.0 + 0.3 * _sine(5.0, n), -0.2 + 0.1 * _sine(3.0, n), 0.1 * _sine(4.0, n)], 1)
    sig = np.hstack([acc, _sine(2.0, n)[:, None]])
    r = Recording(sig, sampling_rate=FS, channels=["acc_x", "acc_y", "acc_z", "gyro_x"])
    out = GravitySplit().transform(r)
    assert out.channels == [
        "acc_x", "acc_y", "acc_z", "gyro_x",
        "body_acc_x", "body_acc_y", "body_acc_z",
        "gravity_acc_x", "gravity_acc_y", "gravity_acc_z",
    ]  # fmt: skip
    s = out.signals
    np.testing.assert_allclose(s[:, 4:7] + s[:, 7:10], s[:, :3], atol=1e-5)
    core = slice(500, n - 500)
    np.testing.assert_allclose(s[core, 7:10].mean(0), [1.0, -0.2, 0.0], atol=0.01)
    assert np.abs(s[core, 7] - 1.0).max() < 0.02  # the 5 Hz motion went to the body part
    rep = GravitySplit(output="replace").transform(r)
    assert rep.channels[:4] == ["body_acc_x", "body_acc_y", "body_acc_z", "gyro_x"]
    assert rep.signals.shape == (n, 7)
    arr = GravitySplit(sampling_rate=FS, acc_channels=[0]).transform(sig[None])
    assert arr.shape == (1, n, 6)


def test_gravity_split_errors():
    with pytest.raises(ValueError, match="acc channel 'acc_q'"):
        GravitySplit(acc_channels=["acc_q"]).output_channels(["acc_x"])
    with pytest.raises(ValueError, match="out of range"):
        GravitySplit().output_channels(["a", "b"])
    with pytest.raises(ValueError, match="output must be"):
        GravitySplit(output="both").output_channels(["acc_x"])
