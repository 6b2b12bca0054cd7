"""The training loop, inference helpers and the DAC clustering-weighted MSE."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from tsclust.models import ConvAutoencoder, DenseAutoencoder
from tsclust.training import (
    EarlyStopping,
    LambdaCallback,
    TrainConfig,
    TrainingDivergedError,
    dac_feature_weights,
    dac_pseudo_labels,
    decode,
    encode,
    lr_factor,
    mse_loss,
    reconstruct,
    reconstruction_loss,
    resolve_device,
    train,
    weighted_mse,
)


def _tiny_data(n: int = 64, length: int = 16, seed: int = 0) -> torch.Tensor:
    rng = np.random.RandomState(seed)
    t = np.linspace(0, 2 * np.pi, length)
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1, 1))
    amp = rng.uniform(0.5, 1.5, size=(n, 1, 1))
    x = amp * np.sin(t[None, None, :] + phase) + 0.05 * rng.randn(n, 2, length)
    return torch.from_numpy(x.astype(np.float32))  # (n, 2, length)


def _module(seed: int = 0, length: int = 16) -> DenseAutoencoder:
    torch.manual_seed(seed)
    return DenseAutoencoder(2, length, latent_dim=3, hidden=(32,))


# --------------------------------------------------------------------------- loop


def test_loss_decreases_and_history_records():
    X = _tiny_data()
    module = _module()
    hist = train(module, X, reconstruction_loss(), epochs=15, batch_size=16, lr=1e-2)
    assert len(hist) == 15
    assert [r["epoch"] for r in hist] == list(range(15))
    for r in hist:
        assert {"epoch", "loss", "lr", "time", "steps"} <= set(r)
        assert r["time"] >= 0 and math.isfinite(r["loss"])
    assert hist[-1]["steps"] == 15 * 4
    assert hist[-1]["loss"] < 0.5 * hist[0]["loss"]
    assert not module.training  # left in eval mode


def test_callbacks_called_and_can_stop():
    X = _tiny_data(n=40)
    steps, epochs_seen = [], []

    def on_step(step, module):
        steps.append(step)

    def on_epoch_end(epoch, module, record):
        record["extra"] = epoch * 10
        epochs_seen.append(epoch)
        return epoch == 2

    hist = train(
        _module(),
        X,
        reconstruction_loss(),
        epochs=10,
        batch_size=16,
        callbacks=[LambdaCallback(on_step=on_step, on_epoch_end=on_epoch_end)],
    )
    assert epochs_seen == [0, 1, 2]
    assert len(hist) == 3
    assert [r["extra"] for r in hist] == [0, 10, 20]
    assert steps == list(range(1, 3 * 3 + 1))  # ceil(40 / 16) = 3 steps per epoch


def test_loss_fn_gets_batch_and_row_indices():
    X = _tiny_data(n=30)
    seen = []

    def loss_fn(module, xb, idx):
        assert idx.dtype == torch.long
        assert torch.equal(xb, X[idx])
        seen.append(idx.clone())
        return mse_loss(module(xb)[0], xb)

    train(_module(), X, loss_fn, epochs=2, batch_size=8)
    first_epoch = torch.cat(seen[:4])
    assert sorted(first_epoch.tolist()) == list(range(30))


def test_early_stopping_on_plateau():
    X = _tiny_data(n=32)
    hist = train(
        _module(), X, reconstruction_loss(), epochs=20, batch_size=32,
        callbacks=[EarlyStopping(patience=2, min_delta=1e9)],
    )
    assert len(hist) == 3  # epoch 0 sets the best, two epochs without progress
    assert hist[-1]["early_stop"] is True
    hist = train(
        _module(),
        X,
        reconstruction_loss(),
        epochs=6,
        batch_size=32,
        callbacks=[EarlyStopping(patience=2, min_delta=0.0)],
        lr=1e-2,
    )
    assert len(hist) == 6  # loss keeps improving: no early stop


def test_seeded_determinism():
    X = _tiny_data()
    runs = []
    for seed in (3, 3, 4):
        module = _module(seed=0)
        hist = train(module, X, reconstruction_loss(), epochs=3, batch_size=16, seed=seed)
        runs.append((module.state_dict(), [r["loss"] for r in hist]))
    (s1, l1), (s2, l2), (s3, l3) = runs
    assert l1 == l2
    assert all(torch.equal(s1[k], s2[k]) for k in s1)
    assert l1 != l3


def test_make_adam_fuses_on_the_cpu_and_follows_the_plain_update():
    from tsclust.training.loop import make_adam

    torch.manual_seed(0)
    a = torch.nn.Linear(5, 3)
    b = torch.nn.Linear(5, 3)
    b.load_state_dict(a.state_dict())
    start = a.weight.detach().clone()
    fused = make_adam(list(a.parameters()), 0.01, 1e-4)
    plain = torch.optim.Adam(b.parameters(), lr=0.01, weight_decay=1e-4)
    assert fused.defaults["fused"] and not plain.defaults["fused"]
    x = torch.randn(8, 5)
    for _ in range(5):
        for m, opt in ((a, fused), (b, plain)):
            opt.zero_grad()
            m(x).pow(2).mean().backward()
            opt.step()
    assert not torch.equal(a.weight, start)  # the steps moved the weights
    torch.testing.assert_close(a.weight, b.weight)
    meta = torch.nn.Linear(2, 2, device="meta")
    assert not make_adam(list(meta.parameters()), 0.01, 0.0).defaults["fused"]


def test_global_rng_untouched():
    module, data = _module(), _tiny_data(n=16)  # _module seeds the global RNG itself
    state = torch.get_rng_state()
    train(module, data, reconstruction_loss(), epochs=2, batch_size=8)
    assert torch.equal(state, torch.get_rng_state())


@pytest.mark.parametrize("schedule", ["constant", "linear", "cosine", "step"])
def test_lr_schedules(schedule):
    hist = train(
        _module(),
        _tiny_data(n=16),
        reconstruction_loss(),
        epochs=6,
        batch_size=16,
        lr=0.003,
        lr_schedule=schedule,
    )
    lrs = [r["lr"] for r in hist]
    assert lrs[0] == pytest.approx(0.003)
    assert all(b <= a for a, b in itertools.pairwise(lrs))
    if schedule == "constant":
        assert lrs[-1] == pytest.approx(0.003)
    else:
        assert lrs[-1] < 0.003
    assert lr_factor("step", 2, 6) == pytest.approx(0.1)
    assert lr_factor("cosine", 3, 6) == pytest.approx(0.5)


def test_l2_penalty_recorded_and_shrinks_weights():
    X = _tiny_data(n=32)
    plain, pen = _module(), _module()
    train(plain, X, reconstruction_loss(), epochs=5, batch_size=16, lr=1e-2)
    hist = train(pen, X, reconstruction_loss(), epochs=5, batch_size=16, lr=1e-2, l2_penalty=1e-1)
    assert all(r["l2"] > 0 for r in hist)
    norm = lambda m: sum(float(p.detach().pow(2).sum()) for p in m.parameters())  # noqa: E731
    assert norm(pen) < norm(plain)


def test_params_restrict_optimised_parameters():
    module = _module()
    before = {k: v.clone() for k, v in module.encoder.state_dict().items()}
    extra = torch.nn.Parameter(torch.zeros(3))

    def loss_fn(m, xb, idx):
        x_hat, z = m(xb)
        return mse_loss(x_hat, xb) + (z.detach().mean(0) - extra).pow(2).sum()

    train(
        module,
        _tiny_data(n=16),
        loss_fn,
        epochs=2,
        batch_size=8,
        lr=1e-2,
        params=[*module.decoder.parameters(), extra],
    )
    after = module.encoder.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert not torch.equal(extra.detach(), torch.zeros(3))


def test_non_finite_loss_raises():
    with pytest.raises(TrainingDivergedError,
                       match=r"train: training diverged at epoch 1/3 \(loss nan.*lower lr=0\.001"):
        train(
            _module(), _tiny_data(n=8), lambda m, xb, idx: m(xb)[0].sum() * float("nan"), epochs=3
        )


def test_loss_diverging_later_names_its_epoch():
    steps: list[int] = []

    def loss_fn(m, xb, idx):  # two batches per epoch: finite for two epochs, then infinite
        steps.append(1)
        x_hat, _ = m(xb)
        return mse_loss(x_hat, xb) * (float("inf") if len(steps) > 4 else 1.0)

    hist: list[dict] = []
    with pytest.raises(ValueError, match="diverged at epoch 3/5 \\(loss nan"):
        train(_module(), _tiny_data(n=16), loss_fn, epochs=5, batch_size=8, lr=0.5, desc="train",
              callbacks=[LambdaCallback(on_epoch_end=lambda e, m, r: hist.append(r))])
    assert [r["epoch"] for r in hist] == [0, 1]  # no callback sees the diverged epoch


def test_non_finite_parameters_with_finite_loss_raise():
    # a loss whose gradient is NaN while its value stays finite (as DEC's KL on saturated
    # latents): the parameters become NaN and the loop stops at the end of that epoch
    def loss_fn(m, xb, idx):
        _, z = m(xb)
        return torch.sqrt(torch.zeros_like(z) * z).sum()  # value 0, gradient NaN

    module = _module()
    with pytest.raises(FloatingPointError, match=r"epoch 1/2 \(loss 0, \d+ NaN/inf parameter values"):
        train(module, _tiny_data(n=8), loss_fn, epochs=2, lr=1e-3, desc="dec")
    assert not all(torch.isfinite(p).all() for p in module.parameters())


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"epochs": 0}, "epochs"),
        ({"epochs": 1, "batch_size": 0}, "batch_size"),
        ({"epochs": 1, "lr": 0.0}, "lr"),
        ({"epochs": 1, "lr_schedule": "exp"}, "lr_schedule"),
        ({"epochs": 1, "device": "tpu"}, "device"),
    ],
)
def test_bad_train_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        train(_module(), _tiny_data(n=8), reconstruction_loss(), **kwargs)


def test_bad_callback_and_setting_arguments():
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=0)
    with pytest.raises(TypeError, match="unknown settings"):
        train(_module(), _tiny_data(n=8), reconstruction_loss(), epochs=1, patience=2)
    with pytest.raises(TypeError, match="either config or settings"):
        train(_module(), _tiny_data(n=8), reconstruction_loss(), TrainConfig(epochs=1), epochs=2)


def test_the_first_callback_asking_to_stop_ends_training_and_later_ones_are_skipped():
    seen = []
    stop_first = LambdaCallback(on_epoch_end=lambda e, m, r: seen.append(("a", e)) or e == 1)
    later = LambdaCallback(on_epoch_end=lambda e, m, r: seen.append(("b", e)))
    hist = train(_module(), _tiny_data(n=16), reconstruction_loss(), TrainConfig(epochs=5),
                 callbacks=[stop_first, later])
    assert len(hist) == 2 and seen == [("a", 0), ("b", 0), ("a", 1)]


def test_resolve_device():
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device("auto").type in {"cpu", "cuda"}
    with pytest.raises(ValueError, match="unknown device"):
        resolve_device("gpu0")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            resolve_device("cuda")


def test_encode_decode_reconstruct_helpers():
    X = _tiny_data(n=10, length=20)
    torch.manual_seed(0)
    module = ConvAutoencoder(
        2, 20, latent_dim=3, filters=(4, 4), kernel_sizes=(3, 3), strides=(2, 2)
    )
    module.train()
    Z = encode(module, X, batch_size=3)
    assert Z.shape == (10, 3) and Z.dtype == np.float32
    assert module.training  # mode restored
    with torch.no_grad():
        module.eval()
        np.testing.assert_allclose(Z, module.encode(X).numpy(), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(
            reconstruct(module, X, batch_size=4), module(X)[0].numpy(), rtol=1e-5, atol=1e-6
        )
    assert decode(module, Z).shape == (10, 2, 20)


# --------------------------------------------------------------------------- DAC loss


def _dac_reference(X: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Equation 5 of DAC by a double loop over ordered pairs p != q."""
    m, d = X.shape
    w = np.zeros(d)
    for i in range(d):
        same, n_same, diff, n_diff = 0.0, 0, 0.0, 0
        for p in range(m):
            for q in range(m):
                if p == q:
                    continue
                e = np.exp(-((X[p, i] - X[q, i]) ** 2))
                if labels[p] == labels[q]:
                    same += e
                    n_same += 1
                else:
                    diff += 1.0 - e
                    n_diff += 1
        w[i] = (same / n_same) * (diff / n_diff)
    return w


def test_dac_feature_weights_against_double_loop():
    # 5 samples x 3 features, two groups: feature 0 separates the groups, feature 1 is
    # noise, feature 2 is constant
    X = np.array(
        [[0.0, 0.3, 1.0], [0.1, -1.2, 1.0], [0.05, 0.8, 1.0], [2.0, 0.1, 1.0], [2.2, -0.4, 1.0]]
    )
    labels = np.array([0, 0, 0, 1, 1])
    w = dac_feature_weights(X, labels)
    np.testing.assert_allclose(w, _dac_reference(X, labels), rtol=1e-12, atol=1e-14)
    assert w[0] > w[1] > w[2] == 0.0
    # chunking does not change the result
    np.testing.assert_allclose(dac_feature_weights(X, labels, chunk_elements=1), w, rtol=1e-12)


def test_dac_feature_weights_random_case_and_subsample():
    rng = np.random.RandomState(1)
    X = rng.randn(12, 7)
    labels = rng.randint(0, 3, size=12)
    np.testing.assert_allclose(
        dac_feature_weights(X, labels), _dac_reference(X, labels), rtol=1e-10
    )
    w_sub = dac_feature_weights(X, labels, max_samples=8, seed=0)
    sub = np.sort(np.random.RandomState(0).choice(12, 8, replace=False))
    np.testing.assert_allclose(w_sub, _dac_reference(X[sub], labels[sub]), rtol=1e-10)


def test_dac_feature_weights_errors():
    with pytest.raises(ValueError, match="two groups"):
        dac_feature_weights(np.zeros((4, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="two samples"):
        dac_feature_weights(np.zeros((3, 2)), np.arange(3))
    with pytest.raises(ValueError, match="shape"):
        dac_feature_weights(np.zeros((3, 2)), np.arange(4))


def test_weighted_mse_matches_equation_4():
    rng = np.random.RandomState(0)
    x = rng.randn(4, 2, 3)
    x_hat = rng.randn(4, 2, 3)
    w = rng.rand(6)
    expected = np.mean([(w * (x[k].ravel() - x_hat[k].ravel()) ** 2).sum() / 6 for k in range(4)])
    got = weighted_mse(torch.from_numpy(x_hat), torch.from_numpy(x), torch.from_numpy(w))
    assert float(got) == pytest.approx(expected, rel=1e-12)
    ones = weighted_mse(torch.from_numpy(x_hat), torch.from_numpy(x), torch.ones(2, 3))
    assert float(ones) == pytest.approx(
        float(mse_loss(torch.from_numpy(x_hat), torch.from_numpy(x)))
    )


def test_weighted_reconstruction_loss_trains():
    X = _tiny_data(n=32)
    w = np.full(2 * 16, 0.5, dtype=np.float32)
    hist = train(_module(), X, reconstruction_loss(w), epochs=8, batch_size=16, lr=1e-2)
    assert hist[-1]["loss"] < hist[0]["loss"]


def test_dac_pseudo_labels():
    rng = np.random.RandomState(0)
    X = np.concatenate([rng.randn(10, 4, 2), rng.randn(10, 4, 2) + 8])
    labels = dac_pseudo_labels(X, 2, seed=0)
    assert labels.shape == (20,)
    assert len(set(labels[:10])) == 1 and len(set(labels[10:])) == 1
    assert labels[0] != labels[-1]
    np.testing.assert_array_equal(labels, dac_pseudo_labels(X, 2, seed=0))
    with pytest.raises(ValueError, match="n_clusters"):
        dac_pseudo_labels(X, 1)


def test_progress_bar_counts_every_epoch_and_stays(capsys):
    # DEC stops by its own rule after a few epochs: the bar showed 0/50 and vanished
    stop = LambdaCallback(on_epoch_end=lambda epoch, module, record: epoch >= 1)
    train(_module(), _tiny_data(), reconstruction_loss(), epochs=50, batch_size=16,
          callbacks=[stop], verbose=1, desc="dec")
    err = capsys.readouterr().err
    last = err.replace("\r", "\n").strip().splitlines()[-1]
    assert last.startswith("dec:") and "2/50" in last and "stopped after epoch 2" in last
    train(_module(), _tiny_data(), reconstruction_loss(), epochs=3, batch_size=16, verbose=1,
          desc="pretrain")
    last = capsys.readouterr().err.replace("\r", "\n").strip().splitlines()[-1]
    assert last.startswith("pretrain:") and "3/3" in last and "loss=" in last
