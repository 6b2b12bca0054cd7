"""gravity_tilt: the posture angle to each recording's upright reference."""

from __future__ import annotations

import numpy as np
import pytest

from tsclust.preprocessing import gravity_tilt
from tsclust.preprocessing.posture import check_groups


def _rotation(axis: np.ndarray, angle: float) -> np.ndarray:
    axis = axis / np.linalg.norm(axis)
    K = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + np.sin(angle) * K + (1 - np.cos(angle)) * K @ K


def _recording(mount: np.ndarray) -> np.ndarray:
    """Walk, walk, sit (leaning 0.3 rad), lie: windows (4, 16, 3) seen through ``mount``."""
    t = np.arange(16) / 8
    walk = np.stack([0.5 * np.sin(2 * np.pi * t), 0 * t, 1 + 0 * t], axis=1)
    sit = np.tile([np.sin(0.3), 0.0, np.cos(0.3)], (16, 1))
    lie = np.tile([1.0, 0.0, 0.0], (16, 1))
    return np.stack([walk, walk, sit, lie]) @ mount.T


def test_angles_to_the_upright_reference():
    angle = gravity_tilt(_recording(np.eye(3)))
    np.testing.assert_allclose(angle, [0, 0, np.degrees(0.3), 90], atol=1e-6)


def test_each_recording_has_its_own_reference_so_the_mounting_does_not_matter():
    mount = _rotation(np.array([1.0, 2.0, 0.5]), 0.4)  # the sensor sits 23 degrees off
    X = np.concatenate([_recording(np.eye(3)), _recording(mount)])
    per_recording = gravity_tilt(X, groups=[0] * 4 + [1] * 4)
    np.testing.assert_allclose(per_recording[4:], per_recording[:4], atol=1e-6)
    pooled = gravity_tilt(X)  # one reference for both: the mounting shows through
    assert np.abs(pooled[4:] - pooled[:4]).max() > 5


def test_extra_channels_and_channel_choice():
    X = _recording(np.eye(3))
    gyro = np.random.RandomState(0).randn(4, 16, 2)
    both = np.concatenate([gyro, X], axis=2)  # accelerometer in channels 2, 3, 4
    np.testing.assert_allclose(gravity_tilt(both, channels=(2, 3, 4)), gravity_tilt(X))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"channels": (0, 1)}, "3 distinct"),
        ({"channels": (0, 1, 3)}, "3 distinct"),
        ({"channels": (0, 0, 1)}, "3 distinct"),
        ({"active_quantile": 1.0}, "active_quantile"),
        ({"groups": [0, 1]}, "shape"),
        ({"groups": [0.0, np.nan, 1.0, 1.0]}, "NaN"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        gravity_tilt(_recording(np.eye(3)), **kwargs)


def test_standardised_channels_without_gravity_are_refused():
    X = _recording(np.eye(3))
    X = X - X.mean(axis=1, keepdims=True)
    with pytest.raises(ValueError, match="raw accelerometer"):
        gravity_tilt(X)


def test_check_groups_defaults_to_one_group():
    assert check_groups(None, 3).tolist() == [0, 0, 0]
    assert check_groups(["a", "b", "a"], 3).tolist() == ["a", "b", "a"]
