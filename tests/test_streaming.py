"""Streaming from window stores: reader, dataset, samplers, statistics, training from a path."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

from tests.conftest import blob_windows, write_blob_store
from tsclust.autoencoder import Autoencoder
from tsclust.clustering import DeepClusterer
from tsclust.io import (
    StoreReader,
    WindowStoreWriter,
    store_info,
    write_windows_from_recordings,
)
from tsclust.metrics import ari
from tsclust.models import build_autoencoder
from tsclust.preprocessing import ChannelStandardScaler, MinMaxScaler, SlidingWindows, Windows
from tsclust.streaming import (
    ChunkBatchSampler,
    RandomBatchSampler,
    StoreDataset,
    prepare_store,
    scaler_from_stats,
    shard_bounds,
    streaming_channel_stats,
)
from tsclust.training import encode, reconstruct, reconstruction_loss, train


@pytest.fixture
def store(tmp_path):
    return write_blob_store(tmp_path / "s.h5", *blob_windows())


def test_reader_reads_parts_and_survives_pickle(store):
    path, X, y = store
    r = StoreReader(path)
    assert len(r) == 120 and r.shape == (120, 16, 2) and r.chunk_size == 8
    np.testing.assert_array_equal(r.read(5, 30), X[5:30])
    idx = np.array([100, 3, 3, 57, 9, 119])
    np.testing.assert_array_equal(r.read_indices(idx), X[idx])
    np.testing.assert_array_equal(r.labels(idx), y[idx])
    assert r.origins([0, 1]).shape == (2, 2)
    r2 = pickle.loads(pickle.dumps(r))  # the open handle is dropped, reopened lazily
    np.testing.assert_array_equal(r2.read(0, 2), X[:2])
    with pytest.raises(ValueError, match="out of range"):
        r.read_indices([120])
    r.close()


def test_dataset_shapes_indices_and_transform(store):
    path, X, _ = store
    ds = StoreDataset(path)
    x, i = ds[7]
    assert x.shape == (2, 16) and x.dtype == torch.float32 and i == 7
    torch.testing.assert_close(x, torch.from_numpy(X[7].T.copy()))
    xb, idx = ds[np.array([9, 2, 50])]
    assert xb.shape == (3, 2, 16) and idx.tolist() == [9, 2, 50]
    torch.testing.assert_close(xb, torch.from_numpy(X[[9, 2, 50]].transpose(0, 2, 1).copy()))
    sub = StoreDataset(path, indices=[10, 11, 90], transform=lambda a: a * 2)
    assert len(sub) == 3 and sub.shape == (3, 2, 16)
    xb, idx = sub[[2, 0]]
    assert idx.tolist() == [2, 0]
    torch.testing.assert_close(xb, torch.from_numpy(2 * X[[90, 10]].transpose(0, 2, 1).copy()))


def test_dataset_works_in_dataloader_worker(store):
    path, X, _ = store
    ds = StoreDataset(path)
    ds[0]  # open the file in the parent first: the worker must reopen it
    loader = torch.utils.data.DataLoader(
        ds, sampler=[torch.tensor([4, 1]), torch.tensor([100])], batch_size=None,
        num_workers=1, collate_fn=lambda b: b,
    )
    out = list(loader)
    assert out[0][0].shape == (2, 2, 16) and out[1][1].tolist() == [100]


def test_random_sampler_matches_train_order():
    s = RandomBatchSampler(10, 4, seed=3)
    g = torch.Generator().manual_seed(3)
    for _ in range(2):
        perm = torch.randperm(10, generator=g)
        assert [b.tolist() for b in s] == [perm[:4].tolist(), perm[4:8].tolist(), perm[8:].tolist()]


def test_chunk_sampler_deterministic_and_chunk_local():
    a = ChunkBatchSampler(100, 10, chunk_size=8, seed=1, window=2)
    b = ChunkBatchSampler(100, 10, chunk_size=8, seed=1, window=2)
    ea = [x.tolist() for x in a]
    assert ea == [x.tolist() for x in b]
    assert sorted(i for batch in ea for i in batch) == list(range(100))
    a.set_epoch(1)
    assert [x.tolist() for x in a] != ea
    assert ChunkBatchSampler(100, 10, chunk_size=8, seed=2).positions(0).tolist() != a.positions(0).tolist()
    for batch in ea:  # a batch touches few chunks (window=2, batches straddle at most one boundary)
        assert len({i // 8 for i in batch}) <= 4


@pytest.mark.parametrize("n,world", [(100, 2), (101, 3), (7, 4)])
def test_rank_shards_disjoint_and_cover(n, world):
    samplers = [ChunkBatchSampler(n, 5, chunk_size=4, seed=0, rank=r, world_size=world) for r in range(world)]
    sets = [set(s.positions(0).tolist()) for s in samplers]
    assert set().union(*sets) == set(range(n))
    for i in range(world):
        for j in range(i + 1, world):
            assert not sets[i] & sets[j]
        lo, hi = shard_bounds(n, i, world)
        assert sets[i] == set(range(lo, hi))
    assert len({len(s) for s in samplers}) == 1  # equal step counts on every rank
    assert len({len(s.positions(0)) for s in samplers}) == 1


def test_streaming_stats_and_scalers(store, tmp_path):
    path, X, _ = store
    s = streaming_channel_stats(path, rows=7)
    x = X.astype(np.float64)
    np.testing.assert_allclose(s["mean"], x.mean(axis=(0, 1)), rtol=1e-12)
    np.testing.assert_allclose(s["std"], x.std(axis=(0, 1)), rtol=1e-12)
    np.testing.assert_array_equal(s["min"], x.min(axis=(0, 1)))
    assert s["count"] == 120 * 16
    ref = ChannelStandardScaler().fit(X)
    got = scaler_from_stats("standard", s)
    np.testing.assert_allclose(got.transform(X), ref.transform(X), rtol=1e-5, atol=1e-6)
    mm = scaler_from_stats("minmax", s)
    np.testing.assert_allclose(mm.transform(X), MinMaxScaler().fit(X).transform(X), atol=1e-6)
    sub = streaming_channel_stats(path, indices=np.arange(60, 120))
    np.testing.assert_allclose(sub["mean"], x[60:].mean(axis=(0, 1)), rtol=1e-12)
    ds, scaler, shape = prepare_store(path, "standard")
    assert shape == (120, 16, 2) and ds.transform is not None
    pickle.loads(pickle.dumps(ds))


def test_train_from_dataset_equals_tensor_with_same_order(store):
    path, X, _ = store
    Xt = torch.from_numpy(X.transpose(0, 2, 1).copy())
    ds = StoreDataset(path)
    out = []
    for data in (Xt, ds):
        m = build_autoencoder("mlp", 2, 16, 2, seed=0, hidden=(8,))
        hist = train(m, data, reconstruction_loss(), epochs=3, batch_size=16, seed=5, sampler="random")
        out.append((hist, m))
    assert [r["loss"] for r in out[0][0]] == [r["loss"] for r in out[1][0]]
    for a, b in zip(out[0][1].parameters(), out[1][1].parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    np.testing.assert_array_equal(encode(out[0][1], Xt, batch_size=50), encode(out[1][1], ds, batch_size=50))
    np.testing.assert_array_equal(reconstruct(out[0][1], Xt), reconstruct(out[1][1], ds))


def test_train_chunk_sampler_and_workers_decrease_loss(store):
    path, _, _ = store
    ds = StoreDataset(path)
    m = build_autoencoder("mlp", 2, 16, 2, seed=0, hidden=(8,))
    hist = train(m, ds, reconstruction_loss(), epochs=6, batch_size=16, lr=1e-2, num_workers=1)
    assert hist[-1]["loss"] < hist[0]["loss"]
    with pytest.raises(ValueError, match="unknown sampler"):
        train(m, ds, reconstruction_loss(), epochs=1, sampler="bogus")


def test_autoencoder_fit_from_path(store):
    path, X, _ = store
    kw = dict(architecture="mlp", latent_dim=2, epochs=3, random_state=0, device="cpu",
              module_kwargs={"hidden": (8,)})
    ae = Autoencoder(**kw).fit(str(path))
    assert ae.transform(path).shape == (120, 2) and ae.n_timepoints_ == 16
    np.testing.assert_allclose(ae.transform(path), ae.transform(X), atol=1e-6)
    np.testing.assert_allclose(ae.reconstruction_error(path), ae.reconstruction_error(X), atol=1e-6)
    dac = Autoencoder(**{**kw, "loss": "dac"}).fit(path)
    assert dac.feature_weights_.shape == (2, 16)
    ref = Autoencoder(**{**kw, "loss": "dac"}).fit(X)
    np.testing.assert_allclose(dac.feature_weights_, ref.feature_weights_, atol=1e-6)


@pytest.mark.parametrize("head", ["kmeans", "dec"])
def test_deep_clusterer_fit_from_path(store, head):
    path, X, y = store
    kw = dict(n_clusters=2, architecture="mlp", head=head, latent_dim=2, pretrain_epochs=4,
              finetune_epochs=2, random_state=0, device="cpu")
    est = DeepClusterer(**kw).fit(path)
    ref = DeepClusterer(**kw).fit(X)
    assert est.labels_.shape == (120,) and ari(y, est.labels_) > 0.9 and ari(y, ref.labels_) > 0.9
    np.testing.assert_array_equal(est.predict(path), est.predict(X))
    assert est.transform(path).shape == (120, 2)
    np.testing.assert_allclose(est.scaler_.mean_, ref.scaler_.mean_, rtol=1e-10)
    hist = est.history_["pretrain"]
    assert hist[-1]["loss"] < hist[0]["loss"]
    with pytest.raises(ValueError, match="channel"):
        DeepClusterer(**kw).fit(X[:, :, :1]).predict(path)


def test_cov_fit_from_path_reads_the_statistics_once_and_matches_the_in_memory_fit(
    store, monkeypatch
):
    from tsclust.models import CovStage

    path, X, y = store
    kw = dict(n_clusters=2, architecture="cov", head="dec", latent_dim=2, pretrain_epochs=3,
              finetune_epochs=2, batch_size=16, random_state=0, device="cpu",
              module_kwargs={"hidden": (8,)})
    calls = []
    stats = CovStage.raw
    monkeypatch.setattr(CovStage, "raw",
                        lambda self, x: calls.append(len(x)) or stats(self, x))
    est = DeepClusterer(**kw).fit(path)
    # one pass for the standardisation, one for the features that pre-training and head share
    assert calls == [120, 120]
    ref = DeepClusterer(**kw).fit(X)
    # the streamed store's statistics are computed once and trained like in-memory windows
    for a, b in zip(est.history_["pretrain"], ref.history_["pretrain"], strict=True):
        assert a["loss"] == pytest.approx(b["loss"], rel=1e-4)
    np.testing.assert_allclose(est.transform(X), ref.transform(X), atol=1e-4)
    assert ari(est.labels_, ref.labels_) == 1.0


def test_minibatch_kmeans_above_threshold(store):
    from tsclust.clustering._heads import Head, HeadConfig

    cfg = HeadConfig(n_clusters=2, epochs=0, batch_size=8, lr=1e-3, seed=0,
                     device=torch.device("cpu"), minibatch_kmeans_above=10)
    Z = np.r_[np.zeros((20, 2)), np.ones((20, 2)) * 5].astype(np.float32)
    labels, centers = Head(cfg).cluster(Z)
    assert centers.shape == (2, 2) and ari(np.r_[np.zeros(20), np.ones(20)], labels) == 1.0


def test_windowing_many_recordings_streams(tmp_path):
    from tsclust.data import Recording

    rng = np.random.RandomState(0)
    consumed = []

    def lazy():
        for i in range(4):
            consumed.append(i)
            yield Recording(rng.randn(50, 2).astype(np.float32), name=f"r{i}")

    it = lazy()
    assert consumed == []  # nothing read before the writer iterates
    info = write_windows_from_recordings(tmp_path / "r.h5", it, SlidingWindows(10, 10, labels=None))
    assert consumed == [0, 1, 2, 3] and info["n_windows"] == 20 and info["n_recordings"] == 4
    with WindowStoreWriter(tmp_path / "c.h5", chunk_size=4) as w:
        for _ in range(3):
            w.append(Windows(np.ones((5, 10, 2), dtype=np.float32)))
    assert store_info(tmp_path / "c.h5")["n_windows"] == 15
    assert StoreDataset(tmp_path / "c.h5").chunk_size == 4
