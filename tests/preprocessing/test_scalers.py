"""Scalers: fitted statistics, round trips, errors, JSON serialisation."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline

from tsclust.preprocessing import (
    ChannelStandardScaler,
    MinMaxScaler,
    Windows,
    WindowZNormalizer,
    scaler_from_dict,
    scaler_to_dict,
)


@pytest.fixture
def X():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 16, 3)) * [1.0, 5.0, 0.1] + [1.0, -2.0, 0.0]
    x[:10, :, 0] += 3.0  # an offset shared by half of the windows (like gravity)
    return x.astype(np.float32)


def test_channel_standard_scaler(X):
    s = ChannelStandardScaler().fit(X)
    np.testing.assert_allclose(s.mean_, X.astype(np.float64).mean(axis=(0, 1)), rtol=1e-6)
    np.testing.assert_allclose(s.scale_, X.astype(np.float64).std(axis=(0, 1)), rtol=1e-6)
    Z = s.transform(X)
    assert Z.dtype == np.float32 and Z.shape == X.shape
    np.testing.assert_allclose(Z.mean(axis=(0, 1)), 0, atol=1e-5)
    np.testing.assert_allclose(Z.std(axis=(0, 1)), 1, atol=1e-5)
    # keeps the offset between window groups
    assert Z[:10, :, 0].mean() - Z[10:, :, 0].mean() > 1.0
    np.testing.assert_allclose(s.inverse_transform(Z), X, atol=1e-5)


def test_channel_standard_scaler_options_and_constant():
    X = np.ones((2, 5, 2))
    s = ChannelStandardScaler().fit(X)
    assert s.scale_.tolist() == [1.0, 1.0] and np.isfinite(s.transform(X)).all()
    s = ChannelStandardScaler(with_mean=False, with_std=False).fit(X)
    np.testing.assert_array_equal(s.transform(X), X)


def test_min_max_scaler(X):
    s = MinMaxScaler().fit(X)
    Z = s.transform(X)
    np.testing.assert_allclose(Z.min(axis=(0, 1)), 0, atol=1e-6)
    np.testing.assert_allclose(Z.max(axis=(0, 1)), 1, atol=1e-6)
    np.testing.assert_allclose(s.inverse_transform(Z), X, atol=1e-5)
    s2 = MinMaxScaler(feature_range=(-1, 1), clip=True).fit(X)
    assert s2.transform(X * 3).min() >= -1 and s2.transform(X * 3).max() <= 1
    flat = MinMaxScaler().fit(np.full((2, 3, 1), 7.0))
    np.testing.assert_array_equal(flat.transform(np.full((1, 3, 1), 7.0)), 0.0)
    with pytest.raises(ValueError, match="feature_range"):
        MinMaxScaler(feature_range=(1, 0)).fit(X)


def test_window_z_normalizer(X):
    Z = WindowZNormalizer().transform(X)  # stateless: works unfitted
    np.testing.assert_allclose(Z.mean(axis=1), 0, atol=1e-5)
    np.testing.assert_allclose(Z.std(axis=1), 1, atol=1e-4)
    flat = WindowZNormalizer().transform(np.full((1, 4, 2), 3.0))
    assert np.array_equal(flat, np.zeros((1, 4, 2)))
    z = WindowZNormalizer().fit(X)
    with pytest.raises(ValueError, match="2 channel"):
        z.transform(X[:, :, :2])


@pytest.mark.parametrize("cls", [ChannelStandardScaler, MinMaxScaler])
def test_errors(cls, X):
    with pytest.raises(NotFittedError):
        cls().transform(X)
    s = cls().fit(X)
    with pytest.raises(ValueError, match="X has 2 channel\\(s\\) but .* fitted on 3"):
        s.transform(X[:, :, :2])
    with pytest.raises(ValueError, match="NaN or inf"):
        s.transform(np.full_like(X, np.nan))
    with pytest.raises(ValueError, match="dimension"):
        cls().fit(np.zeros((2, 3, 4, 5)))


@pytest.mark.parametrize("cls", [ChannelStandardScaler, MinMaxScaler, WindowZNormalizer])
def test_windows_in_windows_out_and_pipeline(cls, X):
    w = Windows(X, y=np.arange(len(X)) % 2)
    out = cls().fit_transform(w)
    assert isinstance(out, Windows) and out.y.tolist() == w.y.tolist()
    np.testing.assert_allclose(out.X, cls().fit(X).transform(X), atol=1e-6)
    pipe = make_pipeline(WindowZNormalizer(), clone(cls()))
    assert pipe.fit_transform(X).shape == X.shape


@pytest.mark.parametrize(
    "scaler",
    [
        ChannelStandardScaler(with_mean=False),
        MinMaxScaler(feature_range=(-1, 2)),
        WindowZNormalizer(eps=1e-3),
    ],
)
def test_scaler_json_round_trip(scaler, X):
    assert scaler_to_dict(scaler)["fitted"] is None
    fitted = scaler.fit(X)
    d = json.loads(json.dumps(scaler_to_dict(fitted)))
    back = scaler_from_dict(d)
    assert type(back) is type(scaler) and back.get_params() == scaler.get_params()
    np.testing.assert_array_equal(back.transform(X), fitted.transform(X))
    assert scaler_from_dict(None) is None and scaler_to_dict(None) is None


def test_scaler_dict_errors():
    with pytest.raises(ValueError, match="not a tsclust scaler"):
        scaler_from_dict({"class": "MinMaxScaler"})
    with pytest.raises(ValueError, match="unknown scaler class"):
        scaler_from_dict({"format": "tsclust-scaler/1", "class": "Pickle"})
    from sklearn.preprocessing import StandardScaler

    with pytest.raises(ValueError, match="cannot serialise StandardScaler"):
        scaler_to_dict(StandardScaler())
