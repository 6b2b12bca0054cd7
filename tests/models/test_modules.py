"""Autoencoder modules: shapes for any window length, registry, argument errors."""

from __future__ import annotations

import pytest
import torch

from tsclust.models import (
    ARCHITECTURES,
    ConvAutoencoder,
    DenseAutoencoder,
    GRUAutoencoder,
    LSTMAutoencoder,
    RecurrentAutoencoder,
    build_autoencoder,
)

SMALL = {
    "conv": {"filters": (4, 8, 8)},
    "cov": {"hidden": (8,), "delays": ()},
    "gru": {"hidden_size": 8},
    "lstm": {"hidden_size": 8},
    "mlp": {"hidden": (16, 8)},
    "rocket": {"hidden": (8,), "n_features": 168},
}


def _check_shapes(module: torch.nn.Module, n_channels: int, length: int, latent: int) -> None:
    x = torch.randn(3, n_channels, length)
    x_hat, z = module(x)
    assert x_hat.shape == module.target(x).shape
    if not hasattr(module, "stage"):  # a feature stage ("cov") reconstructs its features
        assert x_hat.shape == (3, n_channels, length)
    assert z.shape == (3, latent)
    assert module.encode(x).shape == (3, latent)
    assert module.decode(z).shape == x_hat.shape
    assert module.latent_dim == latent
    # gradients reach the first layer
    x_hat.pow(2).mean().backward()
    assert all(p.grad is not None for p in module.parameters())


@pytest.mark.parametrize("name", sorted(ARCHITECTURES))
@pytest.mark.parametrize("length", [1, 37, 128, 129])
def test_registry_shapes_any_length(name, length):
    torch.manual_seed(0)
    module = build_autoencoder(name, 3, length, 5, **SMALL[name])
    _check_shapes(module, 3, length, 5)


@pytest.mark.parametrize("length", [37, 129])
@pytest.mark.parametrize(
    "kwargs",
    [
        {"cell": "lstm", "bidirectional": True},
        {"cell": "gru", "bidirectional": True, "num_layers": 2},
        {"cell": "lstm", "num_layers": 2},
        {"cell": "gru", "stride": 4},
        {"cell": "lstm", "stride": 3, "bidirectional": True},
        {"cell": "gru", "stride": 200},
        {"cell": "gru", "pool": "mean", "bidirectional": True, "num_layers": 2},
        {"cell": "lstm", "pool": "lastmean", "stride": 2},
        {"cell": "gru", "positional": 3, "stride": 4},
    ],
)
def test_recurrent_variants(length, kwargs):
    module = RecurrentAutoencoder(2, length, latent_dim=4, hidden_size=6, **kwargs)
    _check_shapes(module, 2, length, 4)


def _steps_read(module, x):
    """The sequence lengths the encoder and decoder recurrences are given for ``x``."""
    seen = []
    hooks = [rnn.register_forward_hook(lambda m, args, out: seen.append(args[0].shape[1]))
             for rnn in (module.encoder_rnn, module.decoder_rnn)]
    module(x)
    for h in hooks:
        h.remove()
    return seen


@pytest.mark.parametrize(("length", "stride", "steps"), [(128, 1, 128), (128, 4, 32),
                                                         (129, 4, 33), (7, 8, 1)])
def test_recurrent_stride_shortens_both_recurrences(length, stride, steps):
    module = RecurrentAutoencoder(2, length, latent_dim=3, hidden_size=5, stride=stride)
    assert module.n_steps == steps
    assert _steps_read(module, torch.randn(4, 2, length)) == [steps, steps]


def test_recurrent_stride_decoder_emits_stride_samples_per_step():
    # every decoder step writes its own `stride` consecutive samples of each channel
    torch.manual_seed(0)
    module = RecurrentAutoencoder(2, 10, latent_dim=3, hidden_size=5, stride=4)
    with torch.no_grad():
        module.to_output.weight.zero_()
        module.to_output.bias.copy_(torch.arange(8.0))  # step layout: 4 samples x 2 channels
        x_hat = module.decode(torch.zeros(1, 3))
    assert x_hat.shape == (1, 2, 10)
    expected = torch.arange(8.0).view(4, 2).T.repeat(1, 3)[:, :10]
    torch.testing.assert_close(x_hat[0], expected)


def test_recurrent_stride_one_keeps_the_former_parameters():
    # stride=1 has no front end: the same parameter names and shapes as before it existed
    module = RecurrentAutoencoder(3, 20, latent_dim=4, hidden_size=6)
    assert isinstance(module.front, torch.nn.Identity)
    assert module.encoder_rnn.input_size == 3
    assert tuple(module.to_output.weight.shape) == (3, 6)


def test_recurrent_positional_features_tell_the_decoder_steps_apart():
    module = RecurrentAutoencoder(2, 40, latent_dim=3, hidden_size=5, stride=4, positional=2)
    assert module.decoder_rnn.input_size == 3 + 4
    assert tuple(module.step_features.shape) == (10, 4)
    assert len(torch.unique(module.step_features, dim=0)) == 10  # every step its own code
    assert "step_features" not in module.state_dict()  # rebuilt from the arguments
    plain = RecurrentAutoencoder(2, 40, latent_dim=3, hidden_size=5, stride=4)
    assert plain.decoder_rnn.input_size == 3 and plain.state_dict().keys() == \
        {k for k in module.state_dict()}


def test_recurrent_mean_pool_sees_the_start_of_the_window():
    # the mean over steps depends on the first sample; with pool="last" a one-way GRU of one
    # step per sample still does, but through 60 steps of forgetting: compare the gradients
    torch.manual_seed(0)
    grads = {}
    for pool in ("last", "mean"):
        module = RecurrentAutoencoder(1, 60, latent_dim=2, hidden_size=4, pool=pool)
        x = torch.randn(1, 1, 60, requires_grad=True)
        module.encode(x).sum().backward()
        grads[pool] = x.grad[0, 0].abs()
    assert grads["mean"][0] > 0
    assert grads["mean"][0] / grads["mean"][-1] > grads["last"][0] / grads["last"][-1]


@pytest.mark.parametrize("length", [5, 37, 129])
@pytest.mark.parametrize("downsampling", ["stride", "max", "avg"])
@pytest.mark.parametrize("global_pool", [None, "avg", "max", "avgmax"])
def test_conv_variants(length, downsampling, global_pool):
    module = ConvAutoencoder(
        2,
        length,
        latent_dim=3,
        filters=(4, 4),
        kernel_sizes=(4, 3),  # an even kernel too
        strides=(3, 2),
        downsampling=downsampling,
        global_pool=global_pool,
        batch_norm=downsampling != "avg",
        activation="gelu",
    )
    _check_shapes(module, 2, length, 3)


def test_default_conv_hapt_shape():
    module = ConvAutoencoder(6, 128)
    assert module.latent_dim == 10
    assert module.encoded_length == 16
    _check_shapes(module, 6, 128, 10)


def test_global_pool_is_shift_invariant():
    torch.manual_seed(0)
    kw = dict(filters=(4, 4), kernel_sizes=(3, 3), strides=(1, 1), latent_dim=3)
    pooled = ConvAutoencoder(1, 40, global_pool="avg", **kw).eval()
    flat = ConvAutoencoder(1, 40, global_pool=None, **kw).eval()
    a = torch.zeros(1, 1, 40)
    b = torch.zeros(1, 1, 40)
    a[0, 0, 10:15] = torch.tensor([1.0, 2.0, 3.0, 2.0, 1.0])
    b[0, 0, 16:21] = a[0, 0, 10:15]
    with torch.no_grad():
        torch.testing.assert_close(pooled.encode(a), pooled.encode(b), atol=1e-5, rtol=1e-5)
        assert not torch.allclose(flat.encode(a), flat.encode(b), atol=1e-4)


def test_output_activation_sigmoid_range():
    for module in (
        DenseAutoencoder(2, 9, 3, hidden=(8,), output_activation="sigmoid"),
        ConvAutoencoder(
            2, 9, 3, filters=(4,), kernel_sizes=(3,), strides=(2,), output_activation="sigmoid"
        ),
        GRUAutoencoder(2, 9, 3, hidden_size=4, output_activation="sigmoid"),
    ):
        x_hat, _ = module(10 * torch.randn(5, 2, 9))
        assert (x_hat > 0).all() and (x_hat < 1).all()


def test_subclasses_fix_the_cell():
    assert GRUAutoencoder(1, 5, 2).cell == "gru"
    assert LSTMAutoencoder(1, 5, 2).cell == "lstm"
    assert isinstance(ARCHITECTURES["lstm"](1, 5, 2).encoder_rnn, torch.nn.LSTM)


def test_unknown_architecture_lists_valid_names():
    with pytest.raises(ValueError, match="conv.*gru.*lstm.*mlp"):
        build_autoencoder("transformer", 1, 10, 2)


@pytest.mark.parametrize("name", sorted(ARCHITECTURES))
@pytest.mark.parametrize("latent_dim", [0, -1, 2.5])
def test_bad_latent_dim(name, latent_dim):
    with pytest.raises(ValueError, match="latent_dim"):
        build_autoencoder(name, 1, 10, latent_dim)
    with pytest.raises(ValueError, match="latent_dim"):
        ARCHITECTURES[name](1, 10, latent_dim)


@pytest.mark.parametrize(
    "factory, match",
    [
        (
            lambda: ConvAutoencoder(1, 10, filters=(4, 4), kernel_sizes=(3,), strides=(2,)),
            "same length",
        ),
        (lambda: ConvAutoencoder(1, 10, downsampling="median"), "downsampling"),
        (lambda: ConvAutoencoder(1, 10, global_pool="sum"), "global_pool"),
        (lambda: ConvAutoencoder(1, 10, activation="swishy"), "activation"),
        (lambda: ConvAutoencoder(0, 10), "n_channels"),
        (lambda: RecurrentAutoencoder(1, 10, cell="rnn"), "cell"),
        (lambda: RecurrentAutoencoder(1, 10, stride=0), "stride"),
        (lambda: RecurrentAutoencoder(1, 10, pool="max"), "pool"),
        (lambda: RecurrentAutoencoder(1, 10, positional=-1), "positional"),
        (lambda: DenseAutoencoder(1, 0), "length"),
        (lambda: DenseAutoencoder(1, 4, hidden=(0,)), "hidden"),
    ],
)
def test_bad_module_arguments(factory, match):
    with pytest.raises(ValueError, match=match):
        factory()


def test_auto_architecture_and_default_latent_sizes():
    from tsclust.models import default_latent_dim, resolve_architecture

    assert resolve_architecture("auto", 1) == "rocket"
    assert resolve_architecture("auto", 2) == "cov"
    assert resolve_architecture("conv", 6) == "conv"
    with pytest.raises(ValueError, match="auto.*conv"):
        resolve_architecture("transformer", 3)
    assert default_latent_dim("cov") == 32 and default_latent_dim("mlp") == 10
    uni = build_autoencoder("auto", 1, 12, hidden=(8,))
    multi = build_autoencoder("auto", 3, 12, hidden=(8,))
    assert uni.stage.name == "rocket" and uni.latent_dim == 10
    assert multi.stage.name == "cov" and multi.latent_dim == 32
    assert build_autoencoder("auto", 3, 12, 4, hidden=(8,)).latent_dim == 4
