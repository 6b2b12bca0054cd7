"""The ``"rocket"`` stage: shapes, determinism, a slow numpy reference, persistence, use."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
import torch

from tests.conftest import blob_windows, write_blob_store
from tsclust.clustering import DeepClusterer
from tsclust.metrics import ari
from tsclust.models import ARCHITECTURES, STAGES, StagedAutoencoder, build_autoencoder
from tsclust.models._common import seeded
from tsclust.models.stages import RocketStage
from tsclust.models.stages.rocket import (
    low_discrepancy_quantiles,
    rocket_dilations,
    rocket_kernels,
)
from tsclust.training import fit_stage_windows, prepare_module


def fitted_stage(n_channels: int, length: int, n: int = 12, seed: int = 0, **kw) -> tuple:
    x = torch.randn(n, n_channels, length, generator=torch.Generator().manual_seed(seed))
    stage = RocketStage(n_channels, length, seed=seed, **{"n_features": 168, **kw})
    stage.fit_windows(x)
    return stage, x


# --------------------------------------------------------------------- the slow reference
def reference_conv(window: np.ndarray, weights: np.ndarray, channels: np.ndarray,
                   dilation: int) -> np.ndarray:
    """Sum over ``channels`` of the zero-padded ("same") dilated convolution, loop by loop."""
    n_ch, length = window.shape
    out = np.zeros(length)
    for c in channels:
        for t in range(length):
            for j in range(9):
                s = t + (j - 4) * dilation
                if 0 <= s < length:
                    out[t] += weights[j] * window[c, s]
    return out


def reference_features(stage: RocketStage, x: np.ndarray, fit_x: np.ndarray) -> tuple:
    """MiniRocket's PPV features of ``x`` ``(n, C, L)`` and the biases fitted on ``fit_x``,
    recomputed with explicit loops from the stage's channel subsets and bias windows."""
    n, _, length = x.shape
    phi = (np.sqrt(5) + 1) / 2
    channels = stage.channels_.numpy()
    bias_rows = stage.bias_windows_.numpy()
    fitted = stage.biases_.numpy().astype(np.float64)
    feats, biases = [], []
    f = 0
    for i, (d, nf) in enumerate(zip(stage.dilations, stage.per_kernel, strict=True)):
        for k, twos in enumerate(combinations(range(9), 3)):
            w = np.full(9, -1.0)
            w[list(twos)] = 2.0
            chans = np.flatnonzero(channels[i, k])
            quantiles = [((f + m + 1) * phi) % 1 for m in range(nf)]
            fit_out = reference_conv(fit_x[bias_rows[i, k]], w, chans, d)
            biases.extend(np.quantile(fit_out, quantiles))
            padded = (i + k) % 2 == 0 or length <= 8 * d
            for m in range(nf):
                bias = fitted[f + m]  # the stage's own bias: tests the PPV step exactly
                col = np.empty(n)
                for r in range(n):
                    out = reference_conv(x[r], w, chans, d)
                    if not padded:
                        out = out[4 * d:length - 4 * d]
                    col[r] = np.mean(out > bias)
                feats.append(col)
            f += nf
    return np.stack(feats, axis=1), np.asarray(biases)


@pytest.mark.parametrize("n_channels, length", [(3, 30), (1, 7), (2, 20)])
def test_features_equal_a_slow_numpy_reference(n_channels, length):
    # small integers: every convolution is exact in float32, so every count of positive
    # values must match; 1e-6 allows only float32 rounding of count / L (a step is >= 1 / L)
    rng = np.random.default_rng(length)
    x = rng.integers(-4, 5, size=(5, n_channels, length)).astype(np.float32)
    stage = RocketStage(n_channels, length, n_features=84 * 5, seed=3)
    stage.fit_windows(torch.from_numpy(x))
    feats, biases = reference_features(stage, x.astype(np.float64), x.astype(np.float64))
    np.testing.assert_allclose(stage.biases_.numpy(), biases, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(stage.raw(torch.from_numpy(x)).numpy(), feats, rtol=0, atol=1e-6)


def test_features_match_the_reference_on_gaussian_windows_up_to_ties():
    # float32 rounding may flip an output that equals its bias: at most one step 1 / L' each
    x = np.random.default_rng(0).normal(size=(4, 2, 25)).astype(np.float32)
    stage = RocketStage(2, 25, n_features=84 * 3, seed=1)
    stage.fit_windows(torch.from_numpy(x))
    feats, biases = reference_features(stage, x.astype(np.float64), x.astype(np.float64))
    np.testing.assert_allclose(stage.biases_.numpy(), biases, rtol=1e-5, atol=1e-5)
    diff = np.abs(stage.raw(torch.from_numpy(x)).numpy() - feats)
    assert diff.max() <= 1 / (25 - 8) + 1e-6 and (diff > 1e-6).mean() < 0.01


# ------------------------------------------------------------------------------- design
def test_kernels_dilations_and_quantiles():
    w = rocket_kernels()
    assert w.shape == (84, 9) and torch.all(w.sum(1) == 0) and torch.all((w == 2).sum(1) == 3)
    assert len({tuple(r.tolist()) for r in w}) == 84
    for length in (9, 10, 17, 128, 1000):
        dil, per = rocket_dilations(length, 9996)
        assert max(dil) <= max(1, (length - 1) // 8) and sum(per) == 119
        assert list(dil) == sorted(set(dil)) and dil[0] == 1
    assert rocket_dilations(128, 9996)[0] == tuple(range(1, 16))
    q = low_discrepancy_quantiles(1000)
    assert torch.all((q > 0) & (q < 1)) and abs(float(q.mean()) - 0.5) < 0.01
    with pytest.raises(ValueError, match="at least 84"):
        rocket_dilations(128, 83)


@pytest.mark.parametrize("length", [1, 5, 8, 9, 10, 37, 128])
@pytest.mark.parametrize("n_channels", [1, 4])
def test_shapes_and_ppv_range_for_any_length(n_channels, length):
    stage, x = fitted_stage(n_channels, length, n_features=200)  # rounded down to 168
    f = stage.raw(x)
    assert f.shape == (12, 168) == (12, stage.n_features) and f.dtype == torch.float32
    assert torch.all((f >= 0) & (f <= 1))
    if length < 9:  # shorter than a kernel: dilation 1 only, every pair zero-padded
        assert stage.dilations == (1,) and bool(stage.padded.all())
    else:
        assert not bool(stage.padded.all())
    assert stage.raw(x[:0]).shape == (0, 168)


def test_channel_subsets_and_bad_input():
    sizes = RocketStage(12, 50, n_features=840, seed=0).channels_.sum(-1)
    assert sizes.min() >= 1 and sizes.max() <= 9 and len(sizes.unique()) > 3
    assert torch.all(RocketStage(1, 50, n_features=168).channels_ == 1)
    stage = RocketStage(3, 20, n_features=168)
    with pytest.raises(ValueError, match=r"shape \(N, 3, 20\)"):
        stage.raw(torch.zeros(2, 2, 20))
    with pytest.raises(ValueError, match="seed"):
        RocketStage(3, 20, seed=-1)
    with pytest.raises(ValueError, match="at least one window"):
        stage.fit_windows(torch.zeros(0, 3, 20))


def test_deterministic_for_a_seed_and_different_across_seeds():
    a, x = fitted_stage(3, 40)
    b, _ = fitted_stage(3, 40)
    assert torch.equal(a.channels_, b.channels_) and torch.equal(a.biases_, b.biases_)
    assert torch.equal(a.raw(x), b.raw(x))
    c = RocketStage(3, 40, n_features=168, seed=1)
    c.fit_windows(x)
    assert not torch.equal(a.channels_, c.channels_) and not torch.equal(a.raw(x), c.raw(x))
    # seed=None: one seed drawn from the global generator, deterministic under `seeded`
    with seeded(5):
        d = RocketStage(3, 40, n_features=168)
    with seeded(5):
        e = RocketStage(3, 40, n_features=168)
    assert d.seed == e.seed and torch.equal(d.channels_, e.channels_)
    state = torch.get_rng_state()
    a.fit_windows(x)  # the private generator: the global one is untouched
    assert torch.equal(state, torch.get_rng_state()) and torch.equal(a.biases_, b.biases_)


def test_state_dict_round_trip_reproduces_features_exactly():
    a, x = fitted_stage(4, 33)
    a.fit(a.raw(x))
    b = RocketStage(4, 33, n_features=168, seed=99)  # other subsets, zero biases
    assert not torch.equal(a(x), b(x))
    assert {"channels_", "biases_", "feature_mean_", "feature_scale_"} <= set(a.state_dict())
    b.load_state_dict(a.state_dict())
    assert torch.equal(a(x), b(x))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no GPU")
def test_gpu_features_equal_cpu_features():
    stage, x = fitted_stage(3, 64, n=40, n_features=840)
    cpu = stage.raw(x)
    gpu = stage.to("cuda").raw(x.to("cuda")).cpu()
    assert (cpu - gpu).abs().max() <= 1 / (64 - 8 * 7) + 1e-6 and (cpu != gpu).float().mean() < 1e-3


# ------------------------------------------------------------------------ contract / use
def test_prepare_module_fits_the_biases_on_an_evenly_spaced_sample(monkeypatch, tmp_path):
    path, X, _ = write_blob_store(tmp_path / "s.h5", *blob_windows())
    x = torch.from_numpy(np.ascontiguousarray(X.transpose(0, 2, 1)))
    seen = []
    fit = RocketStage.fit_windows
    monkeypatch.setattr(RocketStage, "fit_windows", lambda s, w: seen.append(w) or fit(s, w))
    monkeypatch.setattr(RocketStage, "n_fit_windows", 7)
    module = build_autoencoder("rocket", x.shape[1], x.shape[2], 2, seed=0, n_features=168)
    prepare_module(module, x)
    rows = np.linspace(0, len(x) - 1, 7).round().astype(int)
    assert torch.equal(seen[0], x[rows])
    assert torch.allclose(module.stage.feature_mean_, module.stage.raw(x).mean(0), atol=1e-5)
    from tsclust.streaming import StoreDataset

    streamed = RocketStage(x.shape[1], x.shape[2], n_features=168, seed=module.stage.seed)
    fit_stage_windows(streamed, StoreDataset(path))  # a dataset reads only those rows
    assert torch.equal(seen[1], x[rows]) and torch.equal(streamed.biases_, module.stage.biases_)


def test_rocket_is_an_architecture_end_to_end_with_save_load_and_a_store(tmp_path):
    assert STAGES["rocket"] is RocketStage and "rocket" in ARCHITECTURES
    path, X, y = write_blob_store(tmp_path / "s.h5", *blob_windows())
    kw = dict(n_clusters=2, architecture="rocket", head="kmeans", latent_dim=2,
              pretrain_epochs=3, batch_size=32, random_state=0, device="cpu",
              module_kwargs={"hidden": (16,), "n_features": 336})
    est = DeepClusterer(**kw).fit(X)
    assert isinstance(est.module_, StagedAutoencoder) and est.module_.n_features == 336
    assert ari(y, est.labels_) > 0.9
    saved = tmp_path / "m.h5"
    est.save(saved)
    back = DeepClusterer.load(saved)
    assert torch.equal(back.module_.stage.biases_, est.module_.stage.biases_)
    np.testing.assert_array_equal(back.transform(X), est.transform(X))
    np.testing.assert_array_equal(back.predict(X), est.predict(X))
    streamed = DeepClusterer(**kw).fit(path)
    assert torch.equal(streamed.module_.stage.biases_, est.module_.stage.biases_)
    np.testing.assert_allclose(streamed.transform(X), est.transform(X), atol=1e-4)
    assert ari(streamed.labels_, est.labels_) == 1.0
