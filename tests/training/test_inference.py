"""training/inference.py: batched encode / decode / reconstruct and the fixed-feature helpers."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from tsclust.models import DenseAutoencoder, FeatureView, build_autoencoder
from tsclust.training import decode, encode, feature_view, prepare_module, reconstruct
from tsclust.training.inference import _place, raw_features, reconstruction_errors


def tiny(seed=0):
    torch.manual_seed(seed)
    return DenseAutoencoder(2, 12, latent_dim=3, hidden=(8,))


def data(n=11, seed=0):
    return torch.from_numpy(np.random.RandomState(seed).randn(n, 2, 12).astype(np.float32))


class RowsSeen(torch.utils.data.Dataset):
    """A map-style dataset of the rows of ``X`` that records which rows were read."""

    def __init__(self, X):
        self.X, self.read = X, []

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        self.read.append(i)
        return self.X[i]


@pytest.mark.parametrize("fn", [encode, reconstruct, reconstruction_errors])
def test_batches_give_the_same_rows_as_one_batch(fn):
    module, X = tiny(), data()
    whole = fn(module, X, batch_size=len(X))
    for batch_size in (1, 3, 4, 100):
        np.testing.assert_allclose(fn(module, X, batch_size=batch_size), whole, rtol=1e-5,
                                   atol=1e-6)
    assert whole.dtype == np.float32


def test_rows_come_back_in_order():
    module, X = tiny(), data()
    perm = np.random.RandomState(1).permutation(len(X))
    Z = encode(module, X, batch_size=4)
    np.testing.assert_allclose(encode(module, X[perm], batch_size=4), Z[perm], rtol=1e-5,
                               atol=1e-6)
    with torch.no_grad():
        np.testing.assert_allclose(Z, module.encode(X).numpy(), rtol=1e-5, atol=1e-6)


def test_shapes_and_values_of_decode_reconstruct_and_errors():
    module, X = tiny(), data()
    Z = encode(module, X, batch_size=5)
    assert Z.shape == (11, 3)
    D = decode(module, Z, batch_size=5)
    R = reconstruct(module, X, batch_size=5)
    assert D.shape == R.shape == (11, 2, 12)
    np.testing.assert_allclose(D, R, rtol=1e-5, atol=1e-6)  # decode(encode(x)) is module(x)[0]
    err = reconstruction_errors(module, X, batch_size=5)
    assert err.shape == (11,)
    np.testing.assert_allclose(err, ((R - X.numpy()) ** 2).mean(axis=(1, 2)), rtol=1e-5)


def test_numpy_and_dataset_inputs():
    module, X = tiny(), data()
    Z = encode(module, X)
    np.testing.assert_allclose(encode(module, X.numpy().astype(np.float64)), Z, rtol=1e-5,
                               atol=1e-6)
    ds = RowsSeen(X)
    np.testing.assert_allclose(encode(module, ds, batch_size=4), Z, rtol=1e-5, atol=1e-6)
    assert ds.read == list(range(11))  # contiguous batches, each row read once, in order


def test_training_mode_is_restored_and_no_gradient_is_kept():
    module, X = tiny(), data()
    module.train()
    Z = encode(module, X)
    assert module.training and isinstance(Z, np.ndarray)
    module.eval()
    reconstruct(module, X)
    assert not module.training
    assert all(p.grad is None for p in module.parameters())


def test_device_none_keeps_the_module_where_it_is():
    # the meta device stands for "not the CPU" on a machine without an accelerator
    module = tiny().to("meta")
    assert _place(module, None) == torch.device("meta")
    assert all(p.device.type == "meta" for p in module.parameters())
    cpu = tiny()
    assert _place(cpu, "cpu") == torch.device("cpu")
    assert _place(cpu, torch.device("cpu")) == torch.device("cpu")

    class OnlyBuffer(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("b", torch.zeros(1))

    assert _place(OnlyBuffer(), None) == torch.device("cpu")
    assert _place(nn.Identity(), None) == torch.device("cpu")  # no parameter, no buffer


def test_bad_inputs_are_refused():
    module = tiny()
    with pytest.raises(ValueError, match="cannot apply the module to an empty input"):
        encode(module, torch.zeros(0, 2, 12))
    with pytest.raises(ValueError, match="batch_size"):
        encode(module, data(), batch_size=0)


def test_feature_helpers_leave_a_module_without_stage_alone():
    module, X = tiny(), data()
    before = {k: v.clone() for k, v in module.state_dict().items()}
    prepare_module(module, X)
    net, features = feature_view(module, X)
    assert net is module and features is X
    for k, v in module.state_dict().items():
        torch.testing.assert_close(v, before[k])


def test_feature_view_of_a_fixed_stage_computes_standardised_features_once():
    module = build_autoencoder("cov", 2, 12, 2, seed=0, hidden=(8,), delays=(2,))
    X = data(n=20)
    prepare_module(module, X)
    raw = raw_features(module.stage, X, batch_size=7)
    assert raw.shape == (20, module.n_features)
    net, F = feature_view(module, X, batch_size=7)
    assert isinstance(net, FeatureView) and tuple(F.shape) == (20, module.n_features)
    assert F.dtype == torch.float32
    # the stage's standardisation was fitted on these windows: features have mean 0
    np.testing.assert_allclose(F.numpy().mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(encode(net, F), encode(module, X), rtol=1e-4, atol=1e-5)
