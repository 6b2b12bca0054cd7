"""The Autoencoder estimator: sklearn contract, reproducibility, persistence, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.conftest import SMALL_MODULES
from tsclust._validation import split_seeds
from tsclust.autoencoder import Autoencoder
from tsclust.models import ARCHITECTURES, build_autoencoder
from tsclust.training import dac_weights

SMALL = SMALL_MODULES


def _windows(n: int = 48, length: int = 24, n_channels: int = 2, seed: int = 0) -> np.ndarray:
    """Real-ish sensor windows (n, T, C): noisy sinusoids of three kinds, random phase."""
    rng = np.random.RandomState(seed)
    t = np.arange(length) / length
    kind = rng.randint(0, 3, size=n)
    freq = np.array([1.0, 2.0, 3.0])[kind][:, None, None]
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1, 1))
    ch = np.arange(n_channels)[None, None, :]
    X = np.sin(2 * np.pi * freq * t[None, :, None] + phase + ch) + 0.05 * rng.randn(
        n, length, n_channels
    )
    return X.astype(np.float32)


def _ae(arch: str = "mlp", **kw) -> Autoencoder:
    params = dict(
        latent_dim=3,
        epochs=3,
        batch_size=16,
        random_state=0,
        device="cpu",
        module_kwargs=SMALL[arch],
    )
    params.update(kw)
    return Autoencoder(arch, **params)


@pytest.mark.parametrize("arch", sorted(ARCHITECTURES))
def test_fit_transform_shapes_and_bit_identical_refit(arch):
    X = _windows(length=23)  # odd length
    a = _ae(arch).fit(X)
    b = _ae(arch).fit(X)
    Za, Zb = a.transform(X), b.transform(X)
    assert Za.shape == (48, 3) and Za.dtype == np.float32
    assert np.array_equal(Za, Zb)  # bit-identical
    n_out = a.module_.n_features if hasattr(a.module_, "stage") else None
    assert a.inverse_transform(Za).shape == (X.shape if n_out is None else (48, n_out))
    assert a.n_iter_ == len(a.history_) == 3
    assert (a.n_timepoints_, a.n_channels_, a.n_features_in_) == (23, 2, 2)
    c = _ae(arch, random_state=1).fit(X)
    assert not np.array_equal(Za, c.transform(X))


def test_global_torch_rng_untouched_by_fit():
    state = torch.get_rng_state()
    _ae().fit(_windows(n=16))
    assert torch.equal(state, torch.get_rng_state())


def test_univariate_2d_input():
    X = _windows(n=20, n_channels=1)[:, :, 0]
    ae = _ae().fit(X)
    assert ae.transform(X).shape == (20, 3)
    assert ae.inverse_transform(ae.transform(X)).shape == (20, 24, 1)


def test_score_and_reconstruction_error():
    X = _windows(n=20)
    ae = _ae().fit(X)
    err = ae.reconstruction_error(X)
    assert err.shape == (20,) and (err >= 0).all()
    X_hat = ae.inverse_transform(ae.transform(X))
    np.testing.assert_allclose(err, ((X_hat - X) ** 2).mean(axis=(1, 2)), rtol=1e-4, atol=1e-7)
    assert ae.score(X) == pytest.approx(-err.mean())


@pytest.mark.parametrize("arch, epochs, lr", [("conv", 40, 3e-3), ("mlp", 60, 1e-3)])
def test_reconstruction_well_below_variance(arch, epochs, lr):
    X = _windows(n=96, length=32)
    ae = _ae(arch, epochs=epochs, lr=lr, latent_dim=4).fit(X)
    ratio = ae.reconstruction_error(X).mean() / X.var()
    assert ratio < 0.35, ratio


def test_save_load_keeps_dac_weights_and_history(tmp_path):
    # the round trip of every architecture is in tests/test_contract.py
    X = _windows(n=20, length=21)
    ae = _ae("conv", loss="dac", dac_clusters=3).fit(X)
    ae.save(tmp_path / "ae.h5")
    loaded = Autoencoder.load(tmp_path / "ae.h5")
    assert np.array_equal(ae.transform(X), loaded.transform(X))
    Z = ae.transform(X)
    assert np.array_equal(ae.inverse_transform(Z), loaded.inverse_transform(Z))
    np.testing.assert_array_equal(ae.feature_weights_, loaded.feature_weights_)
    assert loaded.n_iter_ == ae.n_iter_ and loaded.history_[0]["loss"] == ae.history_[0]["loss"]


def test_dac_loss_with_labels_and_pseudo_labels():
    X = _windows(n=30)
    y = np.repeat([0, 1, 2], 10)
    sup = _ae(loss="dac").fit(X, y)
    unsup = _ae(loss="dac", dac_clusters=3).fit(X)
    for ae in (sup, unsup):
        assert ae.feature_weights_.shape == (2, 24)
        assert ((ae.feature_weights_ >= 0) & (ae.feature_weights_ <= 1)).all()
    assert not np.array_equal(sup.feature_weights_, unsup.feature_weights_)
    again = _ae(loss="dac", dac_clusters=3).fit(X)
    assert np.array_equal(unsup.transform(X), again.transform(X))
    with pytest.raises(ValueError, match="y must have shape"):
        _ae(loss="dac").fit(X, y[:5])


def test_dac_weights_subsample():
    Xt = torch.from_numpy(_windows(n=40).transpose(0, 2, 1).copy())
    w = dac_weights(Xt, None, 2, seed=0, max_samples=15)
    assert w.shape == (2, 24) and w.dtype == np.float32


def test_build_module_is_seeded():
    a = build_autoencoder("conv", 2, 20, 3, seed=5, **SMALL["conv"])
    b = build_autoencoder("conv", 2, 20, 3, seed=5, **SMALL["conv"])
    c = build_autoencoder("conv", 2, 20, 3, seed=6, **SMALL["conv"])
    sa, sb, sc = a.state_dict(), b.state_dict(), c.state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert not all(torch.equal(sa[k], sc[k]) for k in sa)
    assert split_seeds(0, 3) == split_seeds(0, 3) and len(set(split_seeds(0, 3))) == 3


def test_bad_latents_at_inverse_transform():
    # transform-time shape and NaN errors: tests/test_contract.py
    ae = _ae().fit(_windows(n=16))
    with pytest.raises(ValueError, match="Z must have shape"):
        ae.inverse_transform(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="NaN"):
        ae.inverse_transform(np.full((2, 3), np.nan))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"latent_dim": 0}, "latent_dim"),
        ({"device": "tpu"}, "device"),
        ({"loss": "l1"}, "loss"),
        ({"lr_schedule": "exp"}, "lr_schedule"),
        ({"dac_clusters": 1, "loss": "dac"}, "dac_clusters"),
        ({"module_kwargs": {"seed": 3}}, "must not set 'seed'"),
    ],
)
def test_bad_fit_params(kwargs, match):
    # bad X and an unknown architecture: tests/test_contract.py
    ae = _ae()
    ae.set_params(**kwargs)
    with pytest.raises(ValueError, match=match):
        ae.fit(_windows(n=8))


def test_load_rejects_other_files(tmp_path):
    from tsclust import io

    io.save_model(tmp_path / "x.h5", {"a": np.zeros(2)}, {"class": "DeepClusterer"})
    with pytest.raises(ValueError, match="DeepClusterer"):
        Autoencoder.load(tmp_path / "x.h5")
