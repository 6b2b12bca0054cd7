"""The ``"neighbours"`` pretext: UMAP's cross-entropy along a fixed feature graph (random kernels, cov)."""

import numpy as np
import pytest
import torch
from torch import nn

from tsclust.training.losses import PRETEXTS, pretext_loss, reconstruction_loss, umap_term
from tsclust.training.neighbour_pretext import (
    GRAPH_FEATURES,
    graph_features,
    neighbour_pretext_loss,
)


def _two_classes(n_per: int = 20, length: int = 32, seed: int = 0) -> tuple[torch.Tensor, np.ndarray]:
    """Channels-first windows of two well separated shapes (sine, square wave), and their class."""
    rng = np.random.RandomState(seed)
    t = np.linspace(0, 4 * np.pi, length)
    sine = np.sin(t)[None, None] + 0.1 * rng.randn(n_per, 1, length)
    square = np.sign(np.sin(3 * t))[None, None] + 0.1 * rng.randn(n_per, 1, length)
    x = torch.as_tensor(np.concatenate([sine, square]), dtype=torch.float32)
    return x, np.repeat([0, 1], n_per)


class _Recorder(nn.Module):
    """A linear autoencoder of one-channel windows; keeps what it encoded and how many rows it decoded."""

    def __init__(self, length: int) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.enc = nn.Linear(length, 2)
        self.dec = nn.Linear(2, length)
        self.seen: list[torch.Tensor] = []
        self.decoded: list[int] = []

    def target(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, :1]

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        self.seen.append(x.detach().clone())
        return self.enc(x[:, 0])

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        self.decoded.append(len(z))
        return self.dec(z)[:, None, :]  # (N, 1, L); the first channel of a window

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        z = self.encode(x)
        return self.decode(z), z


def test_neighbours_is_registered_with_the_umap_term():
    assert PRETEXTS["neighbours"] is umap_term


def test_umap_term_is_lower_for_latents_that_respect_the_graph_than_for_shuffled_ones():
    from tsclust.clustering._embedding import fuzzy_knn_graph

    rng = np.random.RandomState(0)
    Z = np.concatenate([rng.randn(16, 2) * 0.2, rng.randn(16, 2) * 0.2 + 4.0])
    graph = fuzzy_knn_graph(Z, 5).tocsr()
    heads = np.arange(len(Z))
    tails = np.array([graph.indices[graph.indptr[i]:graph.indptr[i + 1]][0] for i in heads])
    z = torch.as_tensor(Z, dtype=torch.float32)
    respect = float(umap_term(z[heads], z[tails]))
    shuffled = z[torch.as_tensor(rng.permutation(len(Z)))]
    scrambled = float(umap_term(shuffled[heads], shuffled[tails]))
    assert respect < scrambled
    assert np.isfinite(respect) and respect > 0
    # identical latents: attraction is small, the repulsion of every negative is maximal
    same = torch.zeros(4, 2)
    assert float(umap_term(same, same)) > scrambled


def test_neighbour_loss_draws_graph_neighbours_seeded_and_adds_a_weighted_term():
    x, y = _two_classes()
    idx = torch.arange(0, 40, 3)
    module = _Recorder(x.shape[-1]).eval()
    loss = neighbour_pretext_loss(x, x, seed=1, n_features=168)
    full = loss(module, x[idx], idx)
    neighbours = module.seen[-1][len(idx):]
    assert module.decoded[-1] == len(idx)  # the batch is reconstructed, its neighbours are not
    drawn = [int(np.flatnonzero((x == nb).all(dim=(1, 2)))[0]) for nb in neighbours]
    assert np.mean(y[drawn] == y[idx.numpy()]) >= 0.9  # the graph keeps the classes apart
    assert all(d != i for d, i in zip(drawn, idx.tolist(), strict=True))  # another window
    # same seed: the same draws and value; another seed: other draws
    again = neighbour_pretext_loss(x, x, seed=1, n_features=168)(module, x[idx], idx)
    torch.testing.assert_close(full, again)
    torch.testing.assert_close(module.seen[-1], module.seen[-2])
    neighbour_pretext_loss(x, x, seed=2, n_features=168)(module, x[idx], idx)
    assert not torch.equal(module.seen[-1], module.seen[-2])
    # the reconstruction part is that of the batch alone; the rest is the weighted term
    recon = reconstruction_loss()(module, x[idx], idx)
    extra = float((full - recon).detach())
    half = neighbour_pretext_loss(x, x, seed=1, weight=0.5, n_features=168)(module, x[idx], idx)
    np.testing.assert_allclose(float((half - recon).detach()), extra / 2, rtol=1e-4)
    assert extra > 0
    module.zero_grad()
    (full - recon).backward()
    assert float(module.enc.weight.grad.abs().sum()) > 0
    # a later batch of one window: the reconstruction only
    one = loss(module, x[:1], torch.arange(1)).detach()
    alone = reconstruction_loss()(module, x[:1], torch.arange(1)).detach()
    assert float(one) == pytest.approx(float(alone))


def test_neighbour_loss_fetches_the_training_rows_of_the_neighbours():
    x, _ = _two_classes()
    feats = torch.arange(40, dtype=torch.float32)[:, None].repeat(1, 3)  # row i holds i
    seen: list[torch.Tensor] = []

    class _Features(nn.Module):
        def target(self, f: torch.Tensor) -> torch.Tensor:
            return f

        def encode(self, f: torch.Tensor) -> torch.Tensor:
            seen.append(f)
            return f[:, :2]

        def decode(self, z: torch.Tensor) -> torch.Tensor:
            return z[:, [0, 0, 0]]

    idx = torch.tensor([0, 5, 25, 39])
    neighbour_pretext_loss(x, feats, seed=0, n_features=168)(_Features(), feats[idx], idx)
    rows = seen[-1][4:, 0].long()
    assert torch.equal(feats[rows], seen[-1][4:])
    assert ((rows < 20) == (idx < 20)).all()


def test_neighbours_pretext_fits_end_to_end_and_is_deterministic():
    from tsclust.clustering import DeepClusterer

    x, y = _two_classes(n_per=16)
    X = x.permute(0, 2, 1).numpy()  # (n, T, C)
    kw = dict(architecture="conv", pretext="neighbours", pretrain_epochs=3, finetune_epochs=0,
              batch_size=8, n_init=1, device="cpu", random_state=0)
    first = DeepClusterer(2, **kw).fit(X)
    second = DeepClusterer(2, **kw).fit(X)
    np.testing.assert_array_equal(first.labels_, second.labels_)
    assert len(first.history_["pretrain"]) == 3
    plain = DeepClusterer(2, **{**kw, "pretext": "none"}).fit(X)
    assert first.history_["pretrain"][0]["loss"] != plain.history_["pretrain"][0]["loss"]
    # a fixed feature stage trains on its features; the graph comes from the windows
    rocket = DeepClusterer(2, **{**kw, "architecture": "rocket"},
                           module_kwargs={"n_features": 168}).fit(X)
    assert len(rocket.labels_) == len(X)


def test_bad_neighbour_settings_are_refused_clearly():
    from tsclust.clustering import DeepClusterer

    x, _ = _two_classes(n_per=4)
    with pytest.raises(ValueError, match="needs the training windows"):
        pretext_loss("neighbours")
    with pytest.raises(ValueError, match="pretext_weight must be >= 0"):
        neighbour_pretext_loss(x, x, weight=-1.0)
    with pytest.raises(ValueError, match="n_neighbors must be >= 2"):
        neighbour_pretext_loss(x, x, n_neighbors=1)
    with pytest.raises(ValueError, match="n_features must be >= 84"):
        neighbour_pretext_loss(x, x, n_features=10)
    with pytest.raises(ValueError, match="batch_size >= 2"):
        neighbour_pretext_loss(x, x, batch_size=1)
    with pytest.raises(ValueError, match=r"windows \(N, C, L\)"):
        neighbour_pretext_loss(x[:, 0], x[:, 0])
    with pytest.raises(ValueError, match="at least 3 windows"):
        neighbour_pretext_loss(x[:2], x[:2])
    with pytest.raises(ValueError, match="row for row"):
        neighbour_pretext_loss(x, x[:5])
    loss = neighbour_pretext_loss(x, x, n_features=168)
    with pytest.raises(ValueError, match="batch_size >= 2"):
        loss(_Recorder(x.shape[-1]), x[:1], torch.arange(1))
    with pytest.raises(ValueError, match="pretext"):
        DeepClusterer(2, architecture="conv", pretext="neighbour", pretrain_epochs=1,
                      device="cpu").fit(x.permute(0, 2, 1).numpy())


def test_graph_features_follow_the_channels_and_unknown_names_are_refused():
    assert graph_features("auto", 1) == "rocket"
    assert graph_features("auto", 3) == "cov"
    assert graph_features("rocket", 3) == "rocket"
    with pytest.raises(ValueError, match="unknown graph features"):
        graph_features("fft", 1)
    x, _ = _two_classes(n_per=4)
    with pytest.raises(ValueError, match="unknown graph features"):
        neighbour_pretext_loss(x, x, features="fft")


def test_multichannel_windows_draw_neighbours_from_the_cov_statistics_graph(monkeypatch):
    # two classes that differ only in how the channels move together: the same sine on
    # both channels, or the sine against its negative; the cov statistics (the channels'
    # covariance) tell them apart
    import tsclust.training.neighbour_pretext as mod

    rng = np.random.RandomState(0)
    t = np.linspace(0, 4 * np.pi, 32)
    s = np.sin(t[None] + rng.uniform(0, 2 * np.pi, size=(40, 1)))
    sign = np.repeat([1.0, -1.0], 20)[:, None]
    x = torch.as_tensor(np.stack([s, sign * s], axis=1) + 0.05 * rng.randn(40, 2, 32),
                        dtype=torch.float32)
    y = np.repeat([0, 1], 20)
    used: list[str] = []
    for name, fn in list(GRAPH_FEATURES.items()):
        monkeypatch.setitem(mod.GRAPH_FEATURES, name,
                            lambda *a, _n=name, _f=fn: used.append(_n) or _f(*a))
    idx = torch.arange(0, 40, 2)
    module = _Recorder(x.shape[-1])
    neighbour_pretext_loss(x, x, seed=0, n_neighbors=5, n_features=168)(module, x[idx], idx)
    assert used == ["cov"]  # "auto" on two channels
    neighbours = module.seen[-1][len(idx):]
    assert module.decoded[-1] == len(idx)  # the batch is reconstructed, its neighbours are not
    drawn = [int(np.flatnonzero((x == nb).all(dim=(1, 2)))[0]) for nb in neighbours]
    assert np.mean(y[drawn] == y[idx.numpy()]) >= 0.9
    neighbour_pretext_loss(x[:, :1], x[:, :1], seed=0, n_neighbors=5, n_features=168)
    assert used == ["cov", "rocket"]  # one channel


def test_known_features_make_the_graph_and_are_not_computed_again(monkeypatch):
    x, y = _two_classes()
    # features that group the windows by parity of their row, not by shape
    rng = np.random.RandomState(0)
    parity = np.arange(len(x)) % 2
    known = (parity[:, None] * 5.0 + 0.1 * rng.randn(len(x), 4)).astype(np.float32)

    def refuse(*args, **kwargs):
        raise AssertionError("the known features were computed again")

    monkeypatch.setitem(GRAPH_FEATURES, "rocket", refuse)
    module = _Recorder(x.shape[-1])
    idx = torch.arange(0, 40, 3)
    neighbour_pretext_loss(x, x, seed=0, known={"rocket": known})(module, x[idx], idx)
    drawn = [int(np.flatnonzero((x == nb).all(dim=(1, 2)))[0])
             for nb in module.seen[-1][len(idx):]]
    assert (parity[drawn] == parity[idx.numpy()]).all()
    with pytest.raises(ValueError, match="known 'rocket' features"):
        neighbour_pretext_loss(x, x, known={"rocket": known[:5]})


def test_a_rocket_autoencoder_builds_its_graph_on_its_own_features(monkeypatch):
    from tsclust.clustering import DeepClusterer

    def refuse(*args, **kwargs):
        raise AssertionError("random-kernel features computed a second time")

    monkeypatch.setitem(GRAPH_FEATURES, "rocket", refuse)
    x, _ = _two_classes(n_per=12)
    est = DeepClusterer(2, architecture="rocket", head="kmeans", pretext="neighbours",
                        batch_size=8, pretrain_epochs=1, random_state=0, device="cpu",
                        module_kwargs={"n_features": 168})
    assert est.fit_predict(x.permute(0, 2, 1).numpy()).shape == (24,)
