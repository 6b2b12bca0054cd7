"""base.py: the input kinds (validate, scale, convert once), the template fit and save/load."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.preprocessing import StandardScaler

from tsclust.base import INPUTS, SCALINGS, TrainingData, _tuples, pretrain
from tsclust.clustering import DeepClusterer, LatentClusterer
from tsclust.models import build_autoencoder
from tsclust.preprocessing import ChannelStandardScaler, MinMaxScaler

TINY = dict(architecture="mlp", module_kwargs={"hidden": (8,)}, latent_dim=2, head="kmeans",
            pretrain_epochs=1, finetune_epochs=1, batch_size=16, n_init=2, device="cpu",
            random_state=0)


def windows(n=12, t=10, c=2, seed=0):
    """Windows (n, T, C) float64 whose channels have very different means and spreads."""
    rng = np.random.RandomState(seed)
    return rng.randn(n, t, c) * np.arange(1, c + 1) * 3.0 + np.arange(c) * 10.0


def test_registries():
    assert set(INPUTS) == {"windows", "vectors", "arrays"}
    assert {name: cls.name for name, cls in INPUTS.items()} == {n: n for n in INPUTS}
    assert SCALINGS == {"standard": ChannelStandardScaler, "minmax": MinMaxScaler, None: None}


# --------------------------------------------------------------------------- windows


def test_windows_are_scaled_per_channel_and_converted_to_channels_first():
    X = windows()
    data, scaler = INPUTS["windows"].fit(X, "standard")
    assert isinstance(scaler, ChannelStandardScaler)
    # fitted on the float32 windows
    np.testing.assert_allclose(scaler.mean_, X.mean(axis=(0, 1)), rtol=1e-5)
    np.testing.assert_allclose(scaler.scale_, X.std(axis=(0, 1)), rtol=1e-5)
    assert isinstance(data.data, torch.Tensor) and data.data.dtype == torch.float32
    assert tuple(data.data.shape) == (12, 2, 10)  # (N, C, L)
    want = (X - X.mean(axis=(0, 1))) / X.std(axis=(0, 1))
    np.testing.assert_allclose(data.data.numpy(), want.transpose(0, 2, 1), rtol=1e-5, atol=1e-5)
    assert data.shape == (12, 10, 2) and data.input_shape == (10, 2) and data.n_samples == 12
    assert data.variable_length is False
    np.testing.assert_array_equal(data.source, X.astype(np.float32))


def test_new_windows_use_the_scaler_fitted_on_the_training_windows():
    X = windows()
    _, scaler = INPUTS["windows"].fit(X, "standard")
    new = X[:3] + 5.0  # shifted: refitting would standardise the shift away
    data = INPUTS["windows"].transform(new, scaler, (10, 2))
    shift = 5.0 / X.std(axis=(0, 1))
    train = (X[:3] - X.mean(axis=(0, 1))) / X.std(axis=(0, 1))
    np.testing.assert_allclose(data.data.numpy(), (train + shift).transpose(0, 2, 1),
                               rtol=1e-5, atol=1e-5)


def test_minmax_and_no_scaling():
    X = windows()
    data, scaler = INPUTS["windows"].fit(X, "minmax")
    assert isinstance(scaler, MinMaxScaler)
    per_channel = data.data.numpy().transpose(1, 0, 2).reshape(2, -1)
    np.testing.assert_allclose(per_channel.min(axis=1), [0.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(per_channel.max(axis=1), [1.0, 1.0], atol=1e-6)
    raw, none = INPUTS["windows"].fit(X, None)
    assert none is None
    np.testing.assert_allclose(raw.data.numpy(), X.transpose(0, 2, 1).astype(np.float32))


def test_windows_without_a_channel_axis_are_one_channel():
    data, _ = INPUTS["windows"].fit(np.arange(21.0).reshape(3, 7), None)
    assert data.shape == (3, 7, 1) and tuple(data.data.shape) == (3, 1, 7)
    np.testing.assert_array_equal(data.data[1, 0].numpy(), np.arange(7.0, 14.0))


def test_series_of_different_lengths_are_resampled_to_the_longest():
    data, _ = INPUTS["windows"].fit([np.array([0.0, 3.0]), np.arange(4.0)], None)
    assert data.variable_length is True and data.shape == (2, 4, 1)
    np.testing.assert_allclose(data.data[:, 0].numpy(), [[0, 1, 2, 3], [0, 1, 2, 3]])
    # predict resamples to the fitted length only when the fit saw different lengths
    again = INPUTS["windows"].transform([np.array([0.0, 6.0])], None, (4, 1), True)
    np.testing.assert_allclose(again.data[0, 0].numpy(), [0, 2, 4, 6])
    with pytest.raises(ValueError, match="windows of 2 time points but the estimator was fitted "
                       "on 4"):
        INPUTS["windows"].transform([np.array([0.0, 6.0])], None, (4, 1), False)


@pytest.mark.parametrize("kind", ["windows", "arrays"])
def test_wrong_channel_count_is_refused(kind):
    _, scaler = INPUTS[kind].fit(windows(), "standard" if kind == "windows" else None)
    with pytest.raises(ValueError, match=r"X has 3 channel\(s\) but the estimator was fitted on "
                       r"2; was a label"):
        INPUTS[kind].transform(windows(c=3), scaler, (10, 2))
    with pytest.raises(ValueError, match=r"X has 1 channel\(s\) but the estimator was fitted on "
                       r"2$"):
        INPUTS[kind].transform(windows(c=1), scaler, (10, 2))


def test_arrays_are_validated_but_kept_as_numpy_and_unscaled():
    X = windows()
    data, scaler = INPUTS["arrays"].fit(X, "standard")  # arrays take no scaling
    assert scaler is None and isinstance(data.data, np.ndarray)
    assert data.data.dtype == np.float32 and data.data.shape == (12, 10, 2)
    np.testing.assert_allclose(data.data, X.astype(np.float32))
    with pytest.raises(ValueError, match="NaN|nan|finite"):
        INPUTS["arrays"].fit(np.full((2, 4, 1), np.nan), None)


# --------------------------------------------------------------------------- vectors


def test_vectors_are_standardised_per_feature():
    rng = np.random.RandomState(0)
    F = rng.randn(20, 4) * [1.0, 10.0, 100.0, 0.1] + [0.0, 5.0, -50.0, 1.0]
    data, scaler = INPUTS["vectors"].fit(F, "standard")
    assert isinstance(scaler, StandardScaler)
    assert data.data.dtype == torch.float32 and tuple(data.data.shape) == (20, 4)
    np.testing.assert_allclose(data.data.numpy().mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(data.data.numpy().std(axis=0), 1.0, atol=1e-4)
    assert data.input_shape == (4,)
    new = INPUTS["vectors"].transform(F[:2] * 0 + F.mean(axis=0), scaler, (4,))
    np.testing.assert_allclose(new.data.numpy(), 0.0, atol=1e-4)  # the training mean maps to 0
    unscaled, none = INPUTS["vectors"].fit(F, None)
    assert none is None
    np.testing.assert_allclose(unscaled.data.numpy(), F.astype(np.float32))


def test_vectors_with_another_feature_count_are_refused():
    _, scaler = INPUTS["vectors"].fit(np.ones((5, 4)), "standard")
    with pytest.raises(ValueError, match=r"X has 3 feature\(s\) but the estimator was fitted on 4"):
        INPUTS["vectors"].transform(np.ones((5, 3)), scaler, (4,))
    with pytest.raises(ValueError, match=r"shape \(n_samples, n_features\)"):
        INPUTS["vectors"].fit(np.ones((5, 4, 1)), None)


# --------------------------------------------------------------------------- helpers


def test_digest_follows_the_bytes_of_the_array():
    X = windows()
    a = TrainingData(None, X.shape, X).digest()
    assert a == TrainingData(None, X.shape, X.copy()).digest()
    Y = X.copy()
    Y[3, 4, 1] += 1e-9
    assert a != TrainingData(None, Y.shape, Y).digest()
    assert a[0] == "array" and a[1] == "float64"


def test_tuples_turns_every_list_into_a_tuple():
    assert _tuples({"hidden": [8, [4, 2]], "x": {"y": [1]}, "s": "ab"}) == {
        "hidden": (8, (4, 2)), "x": {"y": (1,)}, "s": "ab"}


def test_pretrain_without_config_fits_no_weights():
    module = build_autoencoder("mlp", 2, 10, 2, seed=0, hidden=(8,))
    before = {k: v.clone() for k, v in module.state_dict().items()}
    X = torch.randn(6, 2, 10)
    net, features, history = pretrain(module, X, None)
    assert net is module and features is X and history == []
    for k, v in module.state_dict().items():
        torch.testing.assert_close(v, before[k])


def test_pretrain_refuses_a_view_pretext_on_a_fixed_feature_stage():
    module = build_autoencoder("cov", 2, 10, 2, seed=0, hidden=(8,), delays=(2,))
    with pytest.raises(ValueError, match="pretext='triplet' augments the windows themselves"):
        pretrain(module, torch.randn(6, 2, 10), None, pretext="triplet")


# --------------------------------------------------------------------------- the estimator


def test_fit_records_the_input_and_predict_checks_it():
    X = windows(n=16)
    est = DeepClusterer(2, **TINY).fit(X)
    assert est.input_shape_ == (10, 2) and est.n_features_in_ == 2
    assert est.n_timepoints_ == 10 and est.n_channels_ == 2 and est.variable_length_ is False
    np.testing.assert_allclose(est.scaler_.mean_, X.mean(axis=(0, 1)), rtol=1e-5)
    assert est.predict(X).shape == (16,)
    with pytest.raises(ValueError, match=r"X has 3 channel\(s\) but the estimator was fitted on 2"):
        est.predict(windows(n=4, c=3))
    with pytest.raises(ValueError, match="windows of 9 time points"):
        est.predict(windows(n=4, t=9))


def test_save_load_round_trip_keeps_predictions(tmp_path):
    X = windows(n=16)
    est = DeepClusterer(2, **TINY).fit(X)
    est.save(tmp_path / "m.h5")
    back = DeepClusterer.load(tmp_path / "m.h5")
    assert back.get_params()["module_kwargs"] == {"hidden": (8,)}  # JSON lists back to tuples
    assert back.input_shape_ == (10, 2) and back.n_iter_ == est.n_iter_
    np.testing.assert_array_equal(back.scaler_.mean_, est.scaler_.mean_)
    new = windows(n=8, seed=1)
    np.testing.assert_array_equal(back.predict(new), est.predict(new))
    np.testing.assert_allclose(back.transform(new), est.transform(new), rtol=1e-6)
    with pytest.raises((FileExistsError, ValueError), match="exists"):
        est.save(tmp_path / "m.h5")
    est.save(tmp_path / "m.h5", overwrite=True)


def test_vector_estimator_round_trip_keeps_its_feature_scaler(tmp_path):
    rng = np.random.RandomState(0)
    F = np.concatenate([rng.randn(12, 3), rng.randn(12, 3) + 6.0]) * [1.0, 10.0, 0.1]
    est = LatentClusterer(2, head="kmeans", latent_dim=2, pretrain_epochs=1, n_init=2,
                          module_kwargs={"hidden": (8,)}, device="cpu", random_state=0).fit(F)
    assert est.input_shape_ == (3,) and isinstance(est.scaler_, StandardScaler)
    est.save(tmp_path / "v.h5")
    back = LatentClusterer.load(tmp_path / "v.h5")
    assert isinstance(back.scaler_, StandardScaler)
    np.testing.assert_allclose(back.scaler_.mean_, F.mean(axis=0), rtol=1e-5)
    np.testing.assert_array_equal(back.predict(F), est.predict(F))
