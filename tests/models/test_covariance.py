"""The "cov" architecture: window statistics, their standardisation, training and persistence."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.linalg import logm

from tsclust.autoencoder import Autoencoder
from tsclust.baselines import FlatKMeans
from tsclust.clustering import DeepClusterer
from tsclust.metrics import evaluate
from tsclust.models import StagedAutoencoder, window_statistics


def _cov_autoencoder(n_channels, length, latent_dim=10, **kwargs):
    """The \"cov\" architecture: the cov stage under an MLP."""
    return StagedAutoencoder(n_channels, length, latent_dim, stage="cov", **kwargs)


def _log_cov(rows: np.ndarray, eps: float) -> np.ndarray:
    """Matrix log of the (population) covariance of ``rows`` (P, T) plus ``eps * I``."""
    rows = rows - rows.mean(1, keepdims=True)
    cov = rows @ rows.T / rows.shape[1]
    return np.real(logm(cov + eps * np.eye(len(cov))))


def test_statistics_match_numpy_means_and_matrix_log():
    rng = np.random.RandomState(0)
    x = rng.randn(4, 3, 20)
    stats = window_statistics(torch.from_numpy(x), delays=(2,), eps=0.3).numpy()
    assert stats.shape == (4, 3 + 6 * 7 // 2)
    iu = np.triu_indices(6)
    for i in range(4):
        c = x[i] - x[i].mean(1, keepdims=True)
        emb = np.concatenate([c[:, 0:18], c[:, 2:20]])  # delays 0 and 2 over 18 common steps
        assert np.allclose(stats[i, :3], x[i].mean(1))
        assert np.allclose(stats[i, 3:], _log_cov(emb, 0.3)[iu], atol=1e-8)


def test_groups_give_one_block_per_group_and_no_delay_gives_log_variance():
    rng = np.random.RandomState(1)
    x = torch.from_numpy(rng.randn(5, 3, 16))
    both = window_statistics(x, delays=(), eps=0.1, groups=[[0, 1], [2]]).numpy()
    assert both.shape == (5, 3 + 3 + 1)
    joint = window_statistics(x[:, :2], delays=(), eps=0.1).numpy()
    assert np.allclose(both[:, 3:6], joint[:, 2:])
    var = x[:, 2].numpy().var(axis=1)
    assert np.allclose(both[:, 6], np.log(var + 0.1))


def test_statistics_ignore_a_constant_offset_in_the_covariance_part():
    rng = np.random.RandomState(2)
    x = torch.from_numpy(rng.randn(3, 2, 32))
    a = window_statistics(x).numpy()
    b = window_statistics(x + 5.0).numpy()
    assert np.allclose(a[:, :2] + 5.0, b[:, :2])
    assert np.allclose(a[:, 2:], b[:, 2:], atol=1e-6)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"groups": [[0], [0, 1]]}, "groups"),
        ({"groups": [[0]]}, "groups"),
        ({"groups": [[0, 1], []]}, "groups"),
        ({"delays": (16,)}, "largest delay"),
        ({"eps": 0.0}, "eps"),
        ({"eps": float("nan")}, "eps"),
        ({"delays": (0,)}, "delays"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        _cov_autoencoder(2, 16, **kwargs)


def test_fit_statistics_standardises_the_target_and_checks_its_input():
    rng = np.random.RandomState(3)
    x = torch.from_numpy(rng.randn(50, 2, 16).astype(np.float32) * 3 + 1)
    ae = _cov_autoencoder(2, 16, latent_dim=2, hidden=(8,), delays=(1,))
    ae.stage.fit(ae.stage.raw(x))
    t = ae.target(x).numpy()
    assert t.shape == (50, ae.n_features)
    assert np.allclose(t.mean(0), 0, atol=1e-4) and np.allclose(t.std(0), 1, atol=1e-3)
    with pytest.raises(ValueError, match="statistics of shape"):
        ae.stage.fit(torch.zeros(3, ae.n_features + 1))


def test_autoencoder_estimator_fits_scores_and_round_trips(tmp_path):
    rng = np.random.RandomState(4)
    X = rng.randn(40, 24, 2).astype(np.float32)
    ae = Autoencoder("cov", latent_dim=3, epochs=2, batch_size=16, random_state=0).fit(X)
    stats_mean = ae.module_.stage.feature_mean_.clone()
    assert not torch.allclose(stats_mean, torch.zeros_like(stats_mean))  # fitted before training
    err = ae.reconstruction_error(X)
    assert err.shape == (40,) and np.isfinite(err).all()
    assert ae.inverse_transform(ae.transform(X[:5])).shape == (5, ae.module_.n_features)
    path = tmp_path / "cov.h5"
    ae.save(path)
    back = Autoencoder.load(path)
    assert torch.equal(back.module_.stage.feature_scale_, ae.module_.stage.feature_scale_)
    assert np.array_equal(back.transform(X), ae.transform(X))


def test_dac_loss_is_refused_with_a_clear_error():
    X = np.random.RandomState(5).randn(32, 16, 2).astype(np.float32)
    with pytest.raises(ValueError, match="reconstructs the windows"):
        Autoencoder("cov", latent_dim=2, epochs=1, loss="dac", dac_clusters=2).fit(X)


def test_clusters_windows_that_differ_only_in_how_channels_co_vary():
    """Same means and variances; in one group the two channels move together, in the other
    against each other, at random phases. Second-order statistics separate them."""
    rng = np.random.RandomState(6)
    n, length = 120, 64
    t = np.arange(length)
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1))
    base = np.sin(2 * np.pi * t / 16 + phase)  # (n, L)
    sign = np.where(np.arange(n) < n // 2, 1.0, -1.0)[:, None]
    X = np.stack([base, sign * base], axis=2) + 0.1 * rng.randn(n, length, 2)
    y = (np.arange(n) >= n // 2).astype(int)
    X = X.astype(np.float32)
    model = DeepClusterer(
        2, architecture="cov", head="kmeans", latent_dim=2, pretrain_epochs=20, batch_size=16,
        random_state=0,
    ).fit(X)
    assert evaluate(y, model.labels_)["ari"] > 0.9
    flat = FlatKMeans(2, random_state=0).fit_predict(X)  # raw windows: phase dominates
    assert evaluate(y, flat)["ari"] < 0.3


def test_target_of_the_same_batch_is_reused_until_it_or_the_scaling_changes():
    rng = np.random.RandomState(7)
    x = torch.from_numpy(rng.randn(8, 2, 16).astype(np.float32))
    ae = _cov_autoencoder(2, 16, latent_dim=2, hidden=(4,), delays=(1,))
    first = ae.target(x)
    assert ae.target(x) is first  # same tensor, same scaling: reused
    assert ae.target(x.clone()) is not first and torch.equal(ae.target(x.clone()), first)
    x.mul_(2.0)  # in-place change of the batch: recomputed
    assert not torch.allclose(ae.target(x), first)
    before = ae.target(x)
    ae.stage.fit(ae.stage.raw(x))  # new standardisation: recomputed
    after = ae.target(x)
    assert after is not before and not torch.allclose(after, before)
    ae.load_state_dict({k: v.clone() * 0 + 1 for k, v in ae.state_dict().items()})
    assert not torch.allclose(ae.target(x), after)  # loaded buffers count as a change


def test_statistics_are_standardised_even_without_pretraining():
    X = np.random.RandomState(8).randn(40, 16, 2).astype(np.float32) * 5 + 3
    est = DeepClusterer(2, architecture="cov", head="kmeans", pretrain_epochs=0, random_state=0)
    est.fit(X)
    assert not torch.equal(est.module_.stage.feature_scale_, torch.ones_like(est.module_.stage.feature_scale_))


def _trained(module: torch.nn.Module, data: torch.Tensor) -> dict[str, torch.Tensor]:
    from tsclust.training import reconstruction_loss, train

    train(module, data, reconstruction_loss(), epochs=3, batch_size=8, seed=5)
    return {k.removeprefix("module."): v.clone() for k, v in module.state_dict().items()}


def test_training_the_feature_view_equals_training_on_windows():
    from tsclust.models import FeatureView
    from tsclust.training import feature_view, prepare_module

    x = torch.randn(40, 3, 24, generator=torch.Generator().manual_seed(0))
    torch.manual_seed(1)
    a = _cov_autoencoder(3, 24, latent_dim=2, hidden=(8,), delays=(2,))
    b = _cov_autoencoder(3, 24, latent_dim=2, hidden=(8,), delays=(2,))
    b.load_state_dict(a.state_dict())
    prepare_module(a, x)
    prepare_module(b, x)
    net, feats = feature_view(b, x)
    assert isinstance(net, FeatureView) and net.module is b
    assert tuple(feats.shape) == (40, b.n_features) and feats.dtype == torch.float32
    assert torch.allclose(feats, b.target(x), atol=1e-6)
    on_windows, on_features = _trained(a, x), _trained(net, feats)
    assert on_windows.keys() == on_features.keys()
    for k in on_windows:
        assert torch.allclose(on_windows[k], on_features[k], atol=1e-5), k
    # the view updated the wrapped module itself
    assert torch.allclose(net.encode(feats), b.encode(x), atol=1e-5)


def test_feature_view_reads_a_dataset_once_within_its_memory_budget():
    from tsclust.models import DenseAutoencoder, FeatureView
    from tsclust.training import feature_view

    x = torch.randn(10, 2, 16)
    dense = DenseAutoencoder(2, 16, latent_dim=2, hidden=(4,))
    assert feature_view(dense, x) == (dense, x)
    cov = _cov_autoencoder(2, 16, latent_dim=2, hidden=(4,), delays=(1,))
    ds = torch.utils.data.TensorDataset(x)
    net, data = feature_view(cov, ds, batch_size=3)
    assert isinstance(net, FeatureView)
    assert torch.allclose(data, feature_view(cov, x)[1]) and tuple(data.shape) == (10, cov.n_features)
    budget = 10 * cov.n_features * 4  # bytes of the features: still taken; one less: streamed
    assert isinstance(feature_view(cov, ds, max_bytes=budget)[0], FeatureView)
    net, data = feature_view(cov, ds, max_bytes=budget - 1)
    assert net is cov and data is ds
    with pytest.raises(ValueError, match="no fixed input stage"):
        FeatureView(dense)


def test_deep_clusterer_on_cov_keeps_a_plain_module_and_predicts_its_own_labels():
    rng = np.random.RandomState(0)
    X = rng.randn(60, 32, 2).astype(np.float32)
    X[30:, :, 1] += 3 * X[30:, :, 0]  # the second half: channels co-vary
    est = DeepClusterer(2, architecture="cov", head="dec", pretrain_epochs=3,
                        finetune_epochs=2, random_state=0).fit(X)
    assert isinstance(est.module_, StagedAutoencoder) and est.module_.stage.name == "cov"
    assert np.array_equal(est.predict(X), est.labels_)
