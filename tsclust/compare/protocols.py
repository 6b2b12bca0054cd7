"""Evaluation protocols of :func:`tsclust.compare.compare`: which windows a run fits, which it scores.

- ``"transductive"``: ``fit_predict`` on the windows and score those same labels (what
  FINDINGS reports);
- ``"inductive"``: fit on training windows, ``predict`` held-out windows and score those. The
  split is by ``groups`` (e.g. subject ids) or an explicit ``X_test``, never by random windows:
  overlapping windows of one recording would leak from the training set into the test set.

Each protocol is a :class:`Protocol` registered in :data:`PROTOCOLS`: :meth:`Protocol.split`
validates the held-out arguments and splits the windows once; :meth:`Protocol.labels` fits one
estimator and returns the labels to score. Estimators that declare ``accepts_groups = True``
(:class:`tsclust.clustering.RecordingClusterer`) are given each window's recording as
``groups``.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import check_random_state
from ..preprocessing.lengths import collect, resample_to

__all__ = [
    "PROTOCOLS",
    "Protocol",
    "Transductive",
    "Inductive",
    "HeldOut",
    "Split",
    "WindowSet",
    "check_protocol",
    "check_windows",
    "group_split",
]

logger = logging.getLogger(__name__)

DEFAULT_TEST_FRACTION = 0.25
"""Fraction of groups held out when neither ``test_groups`` nor ``test_fraction`` is given."""


# ------------------------------------------------------------------ windows and their split


def _take(values: np.ndarray | None, index: np.ndarray) -> np.ndarray | None:
    return None if values is None else values[index]


@dataclass(frozen=True)
class WindowSet:
    """Windows with their classes and recordings, kept aligned.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_timepoints, n_channels)
        What every method is given: the windows, or series of different lengths NaN-padded
        after each one's end (each estimator brings them to one length, or not, itself).
    y : ndarray of shape (n_samples,) or None
        Classes, only used for scoring.
    recordings : ndarray of shape (n_samples,) or None
        Recording of each window, given as ``groups`` to the estimators that accept them.
    lengths : ndarray of shape (n_samples,) or None
        Length of each series; None: all have ``n_timepoints``.
    """

    X: np.ndarray
    y: np.ndarray | None = None
    recordings: np.ndarray | None = None
    lengths: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.X.shape[0])

    @property
    def variable_length(self) -> bool:
        """Whether the series have different lengths."""
        return self.lengths is not None and bool((self.lengths != self.lengths[0]).any())

    def take(self, index: np.ndarray) -> WindowSet:
        """The windows at ``index`` (boolean mask or integer indices), aligned."""
        return WindowSet(self.X[index], _take(self.y, index), _take(self.recordings, index),
                         _take(self.lengths, index))

    def common(self) -> np.ndarray:
        """The series at one length, ``(n, T, C)`` without NaN (for label-free scores).

        The windows themselves when they have one length; else every series linearly
        resampled to the longest (:func:`~tsclust.preprocessing.lengths.resample_to`).
        """
        if self.lengths is None:
            return self.X
        return resample_to(self.X, self.lengths, int(self.lengths.max()))


def _check_y(y: Any, n: int, name: str) -> np.ndarray | None:
    if y is None:
        return None
    arr = np.asarray(y)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"{name} must have shape ({n},), got {arr.shape}")
    return arr


def check_windows(X: Any, y: Any = None, recordings: Any = None, *, suffix: str = "") -> WindowSet:
    """Validate windows, their classes and recordings.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_timepoints, n_channels) or (n_samples, n_timepoints), or list of array-like of shape (T_i, n_channels) or (T_i,)
        Windows, or series of different lengths (a list, or NaN-padded after each end).
    y : array-like of shape (n_samples,) or None, default=None
    recordings : array-like of shape (n_samples,) or None, default=None
    suffix : str, default=""
        Appended to the names in messages (``"_test"``: ``X_test``, ``y_test``, ...).

    Returns
    -------
    windows : WindowSet

    Raises
    ------
    ValueError
        Bad shapes, NaN or inf (NaN inside a series).
    """
    from ..preprocessing.posture import check_groups

    col = collect(X, name=f"X{suffix}")
    n = len(col.lengths)
    rec = None if recordings is None else check_groups(recordings, n, f"recordings{suffix}")
    lengths = col.lengths if col.variable_length else None
    return WindowSet(col.padded, _check_y(y, n, f"y{suffix}"), rec, lengths)


@dataclass(frozen=True)
class HeldOut:
    """What :func:`tsclust.compare.compare` was told about held-out windows.

    Attributes
    ----------
    groups : array-like of shape (n_samples,) or None
        Group of each window (e.g. subject id); whole groups are held out.
    test_groups : sequence or None
        The groups held out.
    test_fraction : float or None
        Without ``test_groups``: the fraction of groups held out, drawn with ``split_seed``.
    split_seed : int
        Seeds the choice of held-out groups.
    X_test, y_test, recordings_test : array-like or None
        Explicit held-out windows, their classes and recordings.
    """

    groups: Any = None
    test_groups: Sequence[Any] | None = None
    test_fraction: float | None = None
    split_seed: int = 0
    X_test: Any = None
    y_test: Any = None
    recordings_test: Any = None


@dataclass(frozen=True)
class Split:
    """Training windows and, under the inductive protocol, the held-out windows.

    Attributes
    ----------
    train : WindowSet
        The windows the runs fit on (each run may draw a subsample of them).
    test : WindowSet or None
        The windows scored; None scores the windows a run was fitted on.
    """

    train: WindowSet
    test: WindowSet | None = None

    def scored(self, fitted: WindowSet) -> WindowSet:
        """The windows to score a run fitted on ``fitted``."""
        return fitted if self.test is None else self.test


def group_split(
    groups: np.ndarray,
    test_groups: Sequence[Any] | None,
    test_fraction: float | None,
    split_seed: int,
) -> np.ndarray:
    """Boolean test mask over windows, whole groups at a time.

    Parameters
    ----------
    groups : ndarray of shape (n_samples,)
    test_groups : sequence or None
        The groups held out; exclusive with ``test_fraction``.
    test_fraction : float or None
        Fraction of the groups held out (0.25 when both are None); at least one group stays on
        each side.
    split_seed : int
        Seeds the draw of ``test_fraction``.

    Returns
    -------
    mask : ndarray of bool, shape (n_samples,)
        True for the held-out windows.
    """
    uniq = np.unique(groups)
    if uniq.shape[0] < 2:
        raise ValueError("the inductive protocol needs at least 2 distinct groups")
    if test_groups is not None:
        if test_fraction is not None:
            raise ValueError("give test_groups or test_fraction, not both")
        chosen = np.asarray(list(test_groups), dtype=groups.dtype)
        missing = np.setdiff1d(chosen, uniq)
        if missing.size:
            raise ValueError(f"test_groups not found in groups: {missing.tolist()}")
    else:
        frac = DEFAULT_TEST_FRACTION if test_fraction is None else float(test_fraction)
        if not 0.0 < frac < 1.0:
            raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction!r}")
        n_test = min(max(1, round(frac * uniq.shape[0])), uniq.shape[0] - 1)
        chosen = check_random_state(split_seed).choice(uniq, size=n_test, replace=False)
    mask = np.isin(groups, chosen)
    if mask.all():
        raise ValueError("every group is a test group; nothing is left to train on")
    logger.info("inductive split: test groups %s", sorted(np.unique(chosen).tolist()))
    return mask


# ------------------------------------------------------------------ protocols


Times = MutableMapping[str, Any]
"""Receives a run's ``fit_time_s`` and ``predict_time_s`` (a result row)."""


def _timed(times: Times, key: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``call(*args, **kwargs)``, its duration (``time.perf_counter`` seconds) in ``times[key]``."""
    t0 = time.perf_counter()
    out = call(*args, **kwargs)
    times[key] = time.perf_counter() - t0
    return out


def _groups(estimator: Any, windows: WindowSet) -> dict[str, Any]:
    """``{"groups": recordings}`` for estimators with ``accepts_groups``, else ``{}``."""
    return {"groups": windows.recordings} if getattr(estimator, "accepts_groups", False) else {}


class Protocol(ABC):
    """How the windows of a comparison are split, fitted and scored."""

    @abstractmethod
    def split(self, data: WindowSet, held_out: HeldOut) -> Split:
        """Validate the held-out arguments and split the windows (once for every run).

        Parameters
        ----------
        data : WindowSet
            The windows given to :func:`tsclust.compare.compare`.
        held_out : HeldOut
            Its held-out arguments.

        Returns
        -------
        split : Split

        Raises
        ------
        ValueError
            Arguments the protocol does not take, or a bad split.
        """

    @abstractmethod
    def labels(
        self, estimator: Any, fitted: WindowSet, scored: WindowSet, times: Times
    ) -> np.ndarray:
        """Fit ``estimator`` on ``fitted`` and label ``scored``.

        Parameters
        ----------
        estimator : object
            Unfitted.
        fitted, scored : WindowSet
            The windows fitted and the windows labelled (the same under transduction).
        times : mutable mapping
            Receives ``fit_time_s`` and ``predict_time_s`` (seconds) as soon as each is known.

        Returns
        -------
        labels : ndarray of shape (len(scored),)
        """


class Transductive(Protocol):
    """``fit_predict`` on the windows, scored on those labels."""

    def split(self, data: WindowSet, held_out: HeldOut) -> Split:
        given = (held_out.X_test, held_out.y_test, held_out.recordings_test)
        given += (held_out.test_groups, held_out.test_fraction)
        if any(value is not None for value in given):
            raise ValueError(
                "X_test, y_test, recordings_test, test_groups and test_fraction belong to "
                "protocol='inductive'"
            )
        return Split(data)

    def labels(
        self, estimator: Any, fitted: WindowSet, scored: WindowSet, times: Times
    ) -> np.ndarray:
        fit_predict = estimator.fit_predict
        labels = _timed(times, "fit_time_s", fit_predict, fitted.X, **_groups(estimator, fitted))
        times["predict_time_s"] = 0.0
        return labels


class Inductive(Protocol):
    """``fit`` on training windows, ``predict`` held-out groups (or ``X_test``), scored there."""

    def split(self, data: WindowSet, held_out: HeldOut) -> Split:
        split = (
            self._explicit(data, held_out)
            if held_out.X_test is not None
            else self._by_groups(data, held_out)
        )
        if split.test is not None and split.test.y is None and data.y is not None:
            logger.warning("no labels for the held-out windows: ARI/NMI/ACC will be NaN")
        return split

    @staticmethod
    def _explicit(data: WindowSet, held_out: HeldOut) -> Split:
        if (
            held_out.groups is not None
            or held_out.test_groups is not None
            or held_out.test_fraction is not None
        ):
            raise ValueError("give X_test or groups (with test_groups/test_fraction), not both")
        test = check_windows(
            held_out.X_test, held_out.y_test, held_out.recordings_test, suffix="_test"
        )
        one_length = not (data.variable_length or test.variable_length)
        if test.X.shape[2] != data.X.shape[2] or (one_length and test.X.shape[1] != data.X.shape[1]):
            raise ValueError(
                f"X_test windows have shape {test.X.shape[1:]}, X windows {data.X.shape[1:]}"
            )
        return Split(data, test)

    @staticmethod
    def _by_groups(data: WindowSet, held_out: HeldOut) -> Split:
        if held_out.groups is None:
            raise ValueError(
                "protocol='inductive' needs groups (e.g. subject ids) or X_test: a split of "
                "random windows would leak overlapping windows into the test set"
            )
        if held_out.y_test is not None or held_out.recordings_test is not None:
            raise ValueError(
                "y_test and recordings_test go with X_test; with groups they come from y and "
                "recordings"
            )
        g = np.asarray(held_out.groups)
        if g.ndim != 1 or g.shape[0] != len(data):
            raise ValueError(f"groups must have shape ({len(data)},), got {g.shape}")
        test_mask = group_split(g, held_out.test_groups, held_out.test_fraction, held_out.split_seed)
        return Split(data.take(~test_mask), data.take(test_mask))

    def labels(
        self, estimator: Any, fitted: WindowSet, scored: WindowSet, times: Times
    ) -> np.ndarray:
        _timed(times, "fit_time_s", estimator.fit, fitted.X, **_groups(estimator, fitted))
        return _timed(
            times, "predict_time_s", estimator.predict, scored.X, **_groups(estimator, scored)
        )


PROTOCOLS: dict[str, Protocol] = {
    "transductive": Transductive(),
    "inductive": Inductive(),
}
"""Protocol name -> protocol."""


def check_protocol(name: Any) -> Protocol:
    """The protocol registered as ``name``.

    Parameters
    ----------
    name : str

    Returns
    -------
    protocol : Protocol

    Raises
    ------
    ValueError
        Unknown name (the message lists the valid ones).
    """
    if not isinstance(name, str) or name not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {tuple(PROTOCOLS)}, got {name!r}")
    return PROTOCOLS[name]
