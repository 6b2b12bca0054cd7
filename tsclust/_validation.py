"""Input validation, parameter constraints and seeding helpers: the one place that checks.

Every public entry point of tsclust calls :func:`check_collection` (series) or
:func:`check_vectors` (feature vectors) on its input so that shape, dtype and finiteness
errors read the same everywhere. Estimators declare their parameters once, in a
``_parameter_constraints`` mapping of :class:`Interval`, :class:`Options`, :class:`Check`,
types and None, checked by :func:`validate_params` (in the spirit of scikit-learn's).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, overload

import numpy as np
from sklearn.utils import check_random_state as _sk_check_random_state

__all__ = [
    "Interval",
    "Options",
    "Check",
    "validate_params",
    "split_seeds",
    "check_delays",
    "check_vectors",
    "check_collection",
    "check_fitted_channels",
    "series_lengths",
    "check_n_clusters",
    "check_random_state",
    "derive_seed",
    "torch_generator",
    "to_channels_first",
    "check_fitted_shape",
    "jsonable",
    "set_init_params",
]


def _first_nonfinite(X: np.ndarray) -> tuple[int, ...]:
    bad = np.argwhere(~np.isfinite(X))
    return tuple(int(i) for i in bad[0])


_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _as_numeric(X: Any, name: str, dtype: Any) -> np.ndarray:
    """``X`` as an array of ``dtype``: sparse, complex, string and non-numeric objects refused.

    A float64 (or wider) value beyond the float32 range is refused when ``dtype`` is float32,
    instead of turning into inf.
    """
    from scipy import sparse

    if sparse.issparse(X):
        raise TypeError(
            f"sparse input is not supported; pass a dense array ({name}.toarray())"
        )
    try:
        arr = np.asarray(X)
    except ValueError as exc:  # e.g. a ragged nested list
        raise ValueError(f"{name} must be a numeric array-like: {exc}") from exc
    kind = arr.dtype.kind
    if kind == "c":
        raise ValueError(f"Complex data not supported: {name} has dtype {arr.dtype}")
    if kind in "USV":
        raise TypeError(f"{name} must be numeric, got an array of dtype {arr.dtype}")
    if kind == "O":
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be numeric (an object array was given): {exc}") from exc
        if arr.dtype.kind == "c":  # pragma: no cover - astype(float64) never gives complex
            raise ValueError(f"Complex data not supported: {name}")
    if np.dtype(dtype) == np.float32 and arr.dtype.kind == "f" and arr.dtype.itemsize > 4:
        big = np.isfinite(arr) & (np.abs(arr) > _FLOAT32_MAX)
        if big.any():
            pos = tuple(int(i) for i in np.argwhere(big)[0])
            raise ValueError(
                f"{name}: value {float(arr[pos])!r} at index {pos} exceeds float32 range "
                f"(+-{_FLOAT32_MAX:.4g})"
            )
    return arr.astype(dtype, copy=False)


def series_lengths(X: np.ndarray, *, name: str = "X") -> np.ndarray:
    """Lengths of the series of a NaN-padded collection (trailing NaN time steps are padding).

    A time step is padding when every channel is NaN there and at every later step. A NaN or
    inf before a series' last non-NaN step (or a NaN in some channels only) is not padding
    and raises.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_timepoints, n_channels)
        Float array, NaN after each series' end (tslearn's ``to_time_series_dataset`` layout).
    name : str, default="X"
        Name used in error messages.

    Returns
    -------
    lengths : ndarray of shape (n_samples,), int64
        Number of time steps of each series before its padding.

    Raises
    ------
    ValueError
        A NaN or inf inside a series (its position is named), or a series of NaN only.

    Examples
    --------
    >>> X = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, np.nan]])[:, :, None]
    >>> series_lengths(X).tolist()
    [3, 2]
    """
    n, t = X.shape[:2]
    if np.isfinite(X).all():
        return np.full(n, t, dtype=np.int64)
    present = ~np.isnan(X).all(axis=2)  # (n, T): a time step with a value in some channel
    lengths = np.where(present.any(axis=1), t - np.argmax(present[:, ::-1], axis=1), 0)
    inside = np.arange(t)[None, :, None] < lengths[:, None, None]
    bad = inside & ~np.isfinite(X)
    if bad.any():
        pos = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} contains NaN or inf, first at index (sample, time, channel) = {pos}; only "
            "trailing NaN (after a series' last time step, in every channel) marks a shorter "
            "series"
        )
    empty = np.flatnonzero(lengths == 0)
    if empty.size:
        raise ValueError(f"{name}[{int(empty[0])}] is NaN only: a series needs a time step")
    return lengths.astype(np.int64)


def _stack_series(X: Sequence[Any], name: str, dtype: Any) -> np.ndarray:
    """Series ``(T_i, C)`` or ``(T_i,)`` of different lengths, NaN-padded to ``(n, T_max, C)``."""
    series = []
    for i, s in enumerate(X):
        a = _as_numeric(s, f"{name}[{i}]", dtype)
        if a.ndim == 1:
            a = a[:, None]
        if a.ndim != 2:
            raise ValueError(
                f"{name}[{i}] must have shape (n_timepoints, n_channels) or (n_timepoints,); "
                f"got shape {a.shape}"
            )
        if series and a.shape[1] != series[0].shape[1]:
            raise ValueError(
                f"{name}[{i}] has {a.shape[1]} channel(s), {name}[0] has {series[0].shape[1]}"
            )
        series.append(a)
    out = np.full((len(series), max(len(a) for a in series), series[0].shape[1]), np.nan, dtype)
    for i, a in enumerate(series):
        out[i, : len(a)] = a
    return out


def _shape(s: Any) -> tuple[int, ...] | None:
    try:
        return np.shape(s)
    except ValueError:  # itself ragged: refused when converted
        return None


def _is_ragged_sequence(X: Any) -> bool:
    """Whether ``X`` is a list/tuple of series whose shapes differ."""
    if not isinstance(X, (list, tuple)) or len(X) < 2:
        return False
    shapes = [_shape(s) for s in X]
    return None in shapes or len(set(shapes)) > 1


@overload
def check_collection(
    X: Any, *, name: str = ..., min_samples: int = ..., min_timepoints: int = ...,
    dtype: Any = ..., allow_nan: bool = ..., allow_ragged: Literal[False] = ...,
) -> np.ndarray: ...


@overload
def check_collection(
    X: Any, *, name: str = ..., min_samples: int = ..., min_timepoints: int = ...,
    dtype: Any = ..., allow_nan: bool = ..., allow_ragged: Literal[True],
) -> tuple[np.ndarray, np.ndarray]: ...


def check_collection(
    X: Any,
    *,
    name: str = "X",
    min_samples: int = 1,
    min_timepoints: int = 1,
    dtype: Any = np.float32,
    allow_nan: bool = False,
    allow_ragged: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Validate a collection of time series and return it as ``(n, T, C)``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_timepoints, n_channels) or (n_samples, n_timepoints)
        A 2-D array is taken as univariate and gets a trailing channel axis. With
        ``allow_ragged`` also a list of arrays of shape (T_i, C) or (T_i,) of different
        lengths, or a NaN-padded array (trailing NaN are padding, as tslearn's
        ``to_time_series_dataset`` writes).
    name : str, default="X"
        Name used in error messages.
    min_samples : int, default=1
        Minimum number of series.
    min_timepoints : int, default=1
        Minimum series length (of every series, with ``allow_ragged``).
    dtype : numpy dtype, default=np.float32
        Output dtype. For float32, a finite float64 value beyond the float32 range raises
        (instead of becoming inf).
    allow_nan : bool, default=False
        If False, NaN or inf raises a ValueError naming the first bad position (with
        ``allow_ragged``: one inside a series; trailing NaN are padding).
    allow_ragged : bool, default=False
        Accept series of different lengths and return their lengths too.

    Returns
    -------
    X : ndarray of shape (n_samples, n_timepoints, n_channels)
        C-contiguous array of ``dtype``; with ``allow_ragged`` NaN-padded, ``n_timepoints``
        the longest length (an equal-length array is returned as without it).
    lengths : ndarray of shape (n_samples,), int64
        Only with ``allow_ragged``: the length of each series (see :func:`series_lengths`).

    Raises
    ------
    ValueError
        Wrong number of dimensions, too few samples or time points, non-finite values,
        series of different lengths without ``allow_ragged``, complex values, a value beyond
        the float32 range.
    TypeError
        Sparse matrices, strings and other non-numeric objects.

    Examples
    --------
    >>> check_collection([[1, 2, 3], [4, 5, 6]]).shape
    (2, 3, 1)
    >>> X, lengths = check_collection([[1, 2, 3], [4, 5]], allow_ragged=True)
    >>> X.shape, lengths.tolist()
    ((2, 3, 1), [3, 2])
    """
    if _is_ragged_sequence(X):
        if not allow_ragged:
            raise ValueError(
                f"{name} holds series of different lengths; pass series of one length here"
            )
        arr = _stack_series(X, name, dtype)
    else:
        arr = _as_numeric(X, name, dtype)
        if arr.ndim == 2:
            arr = arr[:, :, None]
    if arr.ndim != 3:
        raise ValueError(
            f"{name} must have shape (n_samples, n_timepoints, n_channels) or "
            f"(n_samples, n_timepoints); got an array with {arr.ndim} dimension(s), "
            f"shape {arr.shape}"
        )
    if arr.shape[0] < min_samples:
        raise ValueError(f"{name} has {arr.shape[0]} sample(s); at least {min_samples} required")
    if arr.shape[2] < 1:
        raise ValueError(f"{name} has no channels")
    if allow_ragged and not allow_nan:
        lengths = series_lengths(arr, name=name) if arr.shape[1] else np.zeros(len(arr), "i8")
        shortest = int(lengths.min(initial=arr.shape[1]))
        if shortest < min_timepoints:
            raise ValueError(
                f"{name} has a series of {shortest} time point(s); at least {min_timepoints} "
                "required"
            )
        arr = arr[:, : int(lengths.max(initial=0))]
        return np.ascontiguousarray(arr), lengths
    if arr.shape[1] < min_timepoints:
        raise ValueError(
            f"{name} has {arr.shape[1]} time point(s); at least {min_timepoints} required"
        )
    if not allow_nan and not np.isfinite(arr).all():
        pos = _first_nonfinite(arr)
        raise ValueError(
            f"{name} contains NaN or inf, first at index (sample, time, channel) = {pos}"
        )
    arr = np.ascontiguousarray(arr)
    return (arr, np.full(len(arr), arr.shape[1], dtype=np.int64)) if allow_ragged else arr


def check_fitted_channels(n_channels: int, fitted: int, name: str = "X",
                          who: str = "the estimator") -> None:
    """Raise a ValueError if ``n_channels`` differs from the fitted channel count.

    More channels than fitted most often means a label, flag or id column of a CSV read as a
    sensor: the message names the options that keep it out.
    """
    if n_channels == fitted:
        return
    hint = ("; was a label, flag or id column read as a channel? Window the data as for the "
            "fit (tsclust windows --label-column / --ignore-columns)" if n_channels > fitted
            else "")
    raise ValueError(f"{name} has {n_channels} channel(s) but {who} was fitted on {fitted}{hint}")


def check_fitted_shape(X: np.ndarray, n_timepoints: int, n_channels: int, name: str = "X") -> None:
    """Raise a ValueError if ``X`` (n, T, C) does not match the fitted ``(T, C)``."""
    check_fitted_channels(X.shape[2], n_channels, name)
    if X.shape[1] != n_timepoints:
        raise ValueError(
            f"{name} has windows of {X.shape[1]} time points but the estimator was fitted "
            f"on {n_timepoints}"
        )


def check_n_clusters(n_clusters: Any, n_samples: int | None = None) -> int:
    """Validate a number of clusters: an integer >= 2 and <= ``n_samples``."""
    if isinstance(n_clusters, bool) or not isinstance(n_clusters, numbers.Integral):
        raise ValueError(f"n_clusters must be an integer >= 2, got {n_clusters!r}")
    if n_clusters < 2:
        raise ValueError(f"n_clusters must be >= 2, got {n_clusters}")
    if n_samples is not None and n_clusters > n_samples:
        raise ValueError(
            f"n_clusters={n_clusters} is larger than the number of samples ({n_samples})"
        )
    return int(n_clusters)


def check_random_state(random_state: Any) -> np.random.RandomState:
    """Turn ``None``, an int or a RandomState into a RandomState (scikit-learn semantics)."""
    return _sk_check_random_state(random_state)


def derive_seed(random_state: Any) -> int:
    """Draw one 31-bit integer seed from ``random_state``.

    With an int (or a RandomState in a known state) the result is deterministic, so
    every generator of a fit (torch, numpy, k-means) can be derived from one seed.
    """
    return int(check_random_state(random_state).randint(0, 2**31 - 1))


def torch_generator(seed: int):
    """A CPU ``torch.Generator`` seeded with ``seed`` (never the global generator)."""
    import torch

    g = torch.Generator(device="cpu")
    g.manual_seed(int(seed))
    return g


def to_channels_first(X: np.ndarray, dtype: Any = np.float32):
    """Convert ``(n, T, C)`` numpy to a torch tensor ``(N, C, L)`` (float32 unless ``dtype``).

    This is the single layout conversion between the public API and torch modules.
    """
    import torch

    return torch.from_numpy(np.ascontiguousarray(np.transpose(X, (0, 2, 1)), dtype=dtype))


def jsonable(value: Any, *, strict: bool = True) -> Any:
    """Convert nested mappings/lists/tuples of numpy scalars and arrays to plain JSON types.

    Parameters
    ----------
    value : object
    strict : bool, default=True
        True raises TypeError for objects that JSON cannot hold (so nothing is silently lost,
        e.g. estimator parameters in a model file); False (result tables) writes non-finite
        floats as None and anything else as its ``str``.
    """
    if isinstance(value, Mapping):
        return {str(k): jsonable(v, strict=strict) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v, strict=strict) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist() if strict else jsonable(value.tolist(), strict=False)
    if isinstance(value, np.generic):
        value = value.item()
        if strict:
            return value
    if not strict and isinstance(value, float) and not np.isfinite(value):
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if strict:
        raise TypeError(f"cannot store {value!r} ({type(value).__name__}) as JSON")
    return str(value)


def check_vectors(X: Any, *, name: str = "X", min_samples: int = 1) -> np.ndarray:
    """Validate feature vectors and return them as a C-contiguous float32 ``(n, d)`` array.

    Raises
    ------
    ValueError
        Not two-dimensional, too few rows, no column, NaN / inf (the first is named), complex
        values, or a value beyond the float32 range.
    TypeError
        Sparse matrices, strings and other non-numeric objects.

    Examples
    --------
    >>> check_vectors([[1, 2], [3, 4]]).shape
    (2, 2)
    """
    arr = _as_numeric(X, name, np.float32)
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must have shape (n_samples, n_features); got an array with {arr.ndim} "
            f"dimension(s), shape {arr.shape}"
        )
    if arr.shape[0] < min_samples:
        raise ValueError(f"{name} has {arr.shape[0]} sample(s); at least {min_samples} required")
    if arr.shape[1] < 1:
        raise ValueError(f"{name} has no features")
    if not np.isfinite(arr).all():
        pos = _first_nonfinite(arr)
        raise ValueError(f"{name} contains NaN or inf, first at index (sample, feature) = {pos}")
    return np.ascontiguousarray(arr)


def check_delays(value: Any) -> tuple[int, ...]:
    """Delays of a delay embedding: a sequence of positive integers (ValueError otherwise)."""
    try:
        delays = tuple(value)
    except TypeError:
        delays = None
    if delays is None or any(
        isinstance(d, bool) or not isinstance(d, numbers.Integral) or d < 1 for d in delays
    ):
        raise ValueError(f"delays must be positive integers, got {value!r}")
    return tuple(int(d) for d in delays)


def split_seeds(random_state: Any, n: int) -> list[int]:
    """Derive ``n`` independent 31-bit seeds from ``random_state`` (int, RandomState or None).

    The same int always gives the same seeds; use one per source of randomness (weight
    initialisation, batch order, k-means, ...).

    Examples
    --------
    >>> split_seeds(0, 2) == split_seeds(0, 2)
    True
    """
    rng = np.random.RandomState(derive_seed(random_state))
    return [int(s) for s in rng.randint(0, 2**31 - 1, size=n)]


# --------------------------------------------------------------------------- parameter constraints


@dataclass(frozen=True)
class Interval:
    """Numbers of a kind between bounds: ``Interval(int, 2)`` is "an integer >= 2".

    Parameters
    ----------
    kind : {int, float}
        ``int`` accepts integers (not bools); ``float`` any finite real number (not bools).
    low, high : float or None
        Bounds; None leaves that side open.
    closed : {"both", "left", "right", "neither"}, default="both"
        Which bounds belong to the interval.
    """

    kind: type
    low: float | None = None
    high: float | None = None
    closed: str = "both"

    def accepts(self, value: Any) -> bool:
        """Whether ``value`` lies in the interval."""
        base = numbers.Integral if self.kind is int else numbers.Real
        if isinstance(value, bool) or not isinstance(value, base) or not np.isfinite(value):
            return False
        lo_ok = self.low is None or value > self.low or (
            value == self.low and self.closed in ("both", "left"))
        hi_ok = self.high is None or value < self.high or (
            value == self.high and self.closed in ("both", "right"))
        return bool(lo_ok and hi_ok)

    def __str__(self) -> str:
        what = "an integer" if self.kind is int else "a number"
        lo = None if self.low is None else (">=" if self.closed in ("both", "left") else ">")
        hi = None if self.high is None else ("<=" if self.closed in ("both", "right") else "<")
        if lo and hi:
            return f"{what} with {self.low} {'<=' if lo == '>=' else '<'} value {hi} {self.high}"
        if lo:
            return f"{what} {lo} {self.low}"
        if hi:
            return f"{what} {hi} {self.high}"
        return what


@dataclass(frozen=True)
class Options:
    """One of a set of values; ``values`` may be a callable so that a registry is read lazily.

    An unknown value gives ``unknown <param> <value>; valid names are [...]``.
    """

    values: Iterable[Any] | Callable[[], Iterable[Any]]
    word: str = "names"

    def valid(self) -> list[Any]:
        """The accepted values."""
        return list(self.values() if callable(self.values) else self.values)

    def accepts(self, value: Any) -> bool:
        """Whether ``value`` is one of the options (a hashable equal to one of them)."""
        try:
            return any(value is v or (type(value) is type(v) and value == v) for v in self.valid())
        except TypeError:
            return False


@dataclass(frozen=True)
class Check:
    """A function that raises a ValueError with its own message on a bad value."""

    function: Callable[[Any], Any]

    def accepts(self, value: Any) -> bool:
        """Runs the function: it raises on a bad value (its message reaches the user)."""
        self.function(value)
        return True


def _accepts(constraint: Any, value: Any) -> bool:
    if constraint is None:
        return value is None
    if isinstance(constraint, type):
        return isinstance(value, constraint) and not (
            isinstance(value, bool) and constraint is not bool)
    return constraint.accepts(value)


def _describe(constraint: Any) -> str:
    if constraint is None:
        return "None"
    if isinstance(constraint, type):
        return {dict: "a dict", bool: "a bool", str: "a string"}.get(
            constraint, f"a {constraint.__name__}")
    return str(constraint)


def validate_params(params: Mapping[str, Any], constraints: Mapping[str, list[Any]]) -> None:
    """Check each parameter against its constraints (any one may accept it).

    Parameters
    ----------
    params : mapping
        Parameter name -> value (e.g. ``estimator.get_params(deep=False)``).
    constraints : mapping
        Parameter name -> list of constraints: :class:`Interval`, :class:`Options`,
        :class:`Check`, a type (``dict``, ``bool``, ...), or None (the value None).
        Parameters without an entry are not checked.

    Raises
    ------
    ValueError
        The first parameter no constraint accepts, with what it must be.

    Examples
    --------
    >>> validate_params({"k": 3}, {"k": [Interval(int, 2)]})
    >>> validate_params({"k": 1}, {"k": [Interval(int, 2), None]})
    Traceback (most recent call last):
    ...
    ValueError: k must be an integer >= 2 or None, got 1
    """
    for name, allowed in constraints.items():
        value = params[name]
        checks = [c for c in allowed if isinstance(c, Check)]
        if any(_accepts(c, value) for c in allowed if not isinstance(c, Check)):
            continue
        for c in checks:  # raises with its own message
            if c.accepts(value):
                break
        else:
            options = [c for c in allowed if isinstance(c, Options)]
            if options:
                valid = [v for o in options for v in o.valid()]
                valid += [None] if None in allowed else []
                raise ValueError(f"unknown {name} {value!r}; valid {options[0].word} are {valid}")
            described = " or ".join(_describe(c) for c in allowed)
            raise ValueError(f"{name} must be {described}, got {value!r}")


def set_init_params(est: Any, params: Mapping[str, Any]) -> None:
    """Set each constructor argument of ``est`` as the attribute of the same name.

    scikit-learn's rule for ``__init__`` (store the arguments, no logic, validate in ``fit``),
    written once: an estimator's ``__init__`` declares its parameters in its signature and
    calls ``set_init_params(self, locals())``.

    Parameters
    ----------
    est : estimator
    params : mapping
        ``locals()`` of ``__init__``; ``self`` and ``__class__`` are skipped.
    """
    for name, value in params.items():
        if name not in ("self", "__class__"):
            setattr(est, name, value)
