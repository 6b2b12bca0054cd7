"""tsclust._validation: the one validation at the edge (shapes, NaN, channels, parameters, seeds)."""

from __future__ import annotations

import numpy as np
import pytest

from tsclust._validation import (
    Interval,
    Options,
    check_collection,
    check_fitted_channels,
    check_fitted_shape,
    check_n_clusters,
    derive_seed,
    split_seeds,
    validate_params,
)


def test_more_channels_than_fitted_names_the_csv_options() -> None:
    with pytest.raises(ValueError, match="10 channel.*fitted on 9.*--label-column / --ignore-columns"):
        check_fitted_channels(10, 9)


def test_fewer_channels_than_fitted_has_no_csv_hint() -> None:
    with pytest.raises(ValueError, match="fitted on 6") as err:
        check_fitted_channels(3, 6)
    assert "--label-column" not in str(err.value)
    check_fitted_channels(6, 6)  # equal: no error


def test_fitted_shape_checks_channels_then_length() -> None:
    X = np.zeros((4, 20, 3))
    with pytest.raises(ValueError, match="--ignore-columns"):
        check_fitted_shape(X, 20, 2)
    with pytest.raises(ValueError, match="20 time points.*fitted on 30"):
        check_fitted_shape(X, 30, 3)


def test_collection_layouts_and_nan_position() -> None:
    assert check_collection(np.zeros((5, 8))).shape == (5, 8, 1)  # 2-D: univariate
    X = np.zeros((5, 8, 2))
    X[3, 4, 1] = np.nan
    with pytest.raises(ValueError, match=r"\(3, 4, 1\)"):
        check_collection(X)


def test_n_clusters_against_samples() -> None:
    assert check_n_clusters(3, 10) == 3
    with pytest.raises(ValueError):
        check_n_clusters(11, 10)


def test_validate_params_names_the_parameter() -> None:
    constraints = {"lr": [Interval(float, 0, None, closed="neither")], "head": [Options({"a", "b"})]}
    validate_params({"lr": 0.1, "head": "a"}, constraints)
    with pytest.raises(ValueError, match="lr"):
        validate_params({"lr": -1.0, "head": "a"}, constraints)
    with pytest.raises(ValueError, match="head"):
        validate_params({"lr": 0.1, "head": "c"}, constraints)


def test_seeds_are_reproducible_and_distinct() -> None:
    assert split_seeds(0, 3) == split_seeds(0, 3)
    assert len(set(split_seeds(0, 3))) == 3
    assert derive_seed(np.random.RandomState(1)) == derive_seed(np.random.RandomState(1))
