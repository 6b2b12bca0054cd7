"""Posture relative to each recording's own upright reference (accelerometer windows).

A body-worn accelerometer at rest measures gravity, so the mean acceleration of a window is the
direction of "down" in the sensor's frame. How the sensor sits on the body differs between
recordings by about as much as sitting differs from standing, so the raw direction does not
tell postures apart across recordings. Each recording carries its own reference, though: while
its wearer moves most (walking, climbing), the body is upright. The angle between a window's
gravity direction and that reference is a posture angle that no longer depends on how the
sensor was mounted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._validation import check_collection

__all__ = ["gravity_tilt", "check_groups"]


def check_groups(groups: Any, n: int, name: str = "groups") -> np.ndarray:
    """Validate one group id per window (None: all windows in one group) -> ndarray (n,)."""
    if groups is None:
        return np.zeros(n, dtype=np.int64)
    g = np.asarray(groups)
    if g.ndim != 1 or g.shape[0] != n:
        raise ValueError(f"{name} must have shape ({n},), one id per window, got {g.shape}")
    if g.dtype.kind == "f" and not np.isfinite(g).all():
        raise ValueError(f"{name} contains NaN or inf")
    return g


def gravity_tilt(
    X: Any,
    groups: Any = None,
    channels: Sequence[int] = (0, 1, 2),
    active_quantile: float = 0.6,
) -> np.ndarray:
    """Angle between each window's gravity direction and its recording's upright reference.

    For every group (recording) the reference is the mean unit gravity direction of its most
    active windows: those whose mean per-axis standard deviation of acceleration is above the
    group's ``active_quantile``. Standing and walking windows come out near 0 degrees,
    sitting some 10-20 degrees, lying near 90.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_timepoints, n_channels)
        Windows with raw accelerometer channels (gravity included, any unit; not standardised
        or z-normalised per window, which would remove gravity).
    groups : array-like of shape (n_samples,) or None, default=None
        Recording (or subject) of each window. None: one recording.
    channels : sequence of 3 int, default=(0, 1, 2)
        The accelerometer's x, y, z channels.
    active_quantile : float in [0, 1), default=0.6
        Windows above this quantile of activity in their group form the reference.

    Returns
    -------
    ndarray of shape (n_samples,), float64
        Angles in degrees, in [0, 180].

    Raises
    ------
    ValueError
        Bad shapes, channels or quantile, or a window whose mean acceleration is zero (the
        channels carry no gravity).

    Examples
    --------
    >>> t = np.arange(8) / 8
    >>> walk = np.stack([0.5 * np.sin(2 * np.pi * t), 0 * t, 1 + 0 * t], axis=1)  # upright, moving
    >>> sit = np.tile([np.sin(0.3), 0.0, np.cos(0.3)], (8, 1))  # still, leaning 0.3 rad
    >>> lie = np.tile([1.0, 0.0, 0.0], (8, 1))
    >>> np.round(gravity_tilt(np.stack([walk, walk, sit, lie]))).tolist()
    [0.0, 0.0, 17.0, 90.0]
    """
    X = check_collection(X, dtype=np.float64)
    n, _, c = X.shape
    chans = [int(ch) for ch in channels]
    if len(chans) != 3 or len(set(chans)) != 3 or not all(0 <= ch < c for ch in chans):
        raise ValueError(f"channels must be 3 distinct indices below {c}, got {tuple(channels)!r}")
    if not (isinstance(active_quantile, (int, float)) and 0 <= active_quantile < 1):
        raise ValueError(f"active_quantile must be in [0, 1), got {active_quantile!r}")
    g_ids = check_groups(groups, n)
    acc = X[:, :, chans]  # (n, T, 3)
    gravity = acc.mean(axis=1)  # (n, 3)
    norm = np.linalg.norm(gravity, axis=1, keepdims=True)
    if (norm <= 1e-12).any():
        raise ValueError(
            "a window has zero mean acceleration: gravity_tilt needs raw accelerometer "
            "channels (gravity included), not standardised ones"
        )
    unit = gravity / norm
    activity = acc.std(axis=1).mean(axis=1)  # (n,)
    angle = np.empty(n)
    for g in np.unique(g_ids):
        rows = g_ids == g
        active = rows & (activity > np.quantile(activity[rows], active_quantile))
        ref = unit[active if active.any() else rows].mean(axis=0)
        ref /= max(np.linalg.norm(ref), 1e-12)
        angle[rows] = np.degrees(np.arccos(np.clip(unit[rows] @ ref, -1.0, 1.0)))
    return angle
