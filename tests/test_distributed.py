"""Data-parallel training: 2 CPU processes with gloo on tiny data."""

from __future__ import annotations

import os
import socket

import numpy as np
import pytest
import torch
import torch.distributed as dist

from tests.conftest import blob_windows, write_blob_store
from tsclust import distributed
from tsclust.cli import main as cli_main
from tsclust.clustering import DeepClusterer
from tsclust.distributed import launch
from tsclust.metrics import ari

pytestmark = pytest.mark.skipif(
    not (dist.is_available() and dist.is_gloo_available()),
    reason="torch.distributed with the gloo backend is not available in this torch build",
)

PARAMS = dict(n_clusters=2, architecture="mlp", latent_dim=2, pretrain_epochs=4,
              finetune_epochs=2, random_state=0, device="cpu")


@pytest.fixture
def store(tmp_path):
    return write_blob_store(tmp_path / "s.h5", *blob_windows(n=60, n_second=61))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _worker(rank: int, world: int, port: int, store: str, out_dir: str, params: dict) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank),
                      WORLD_SIZE=str(world))
    torch.set_num_threads(1)
    distributed.init_process_group("gloo")
    try:
        with distributed.collective():
            local = np.full((rank + 1, 3), rank, dtype=np.float32)  # shards of unequal length
            gathered = distributed.all_gather_rows(local, 3)
            assert gathered.tolist() == [[0.0] * 3, [1.0] * 3, [1.0] * 3]
        out = os.path.join(out_dir, "model.h5")
        est = launch.fit(DeepClusterer(**{**PARAMS, **params}), store, out)
        state = {k: v.numpy() for k, v in est.module_.state_dict().items()}
        np.savez(os.path.join(out_dir, f"rank{rank}.npz"), labels=est.labels_,
                 centers=est.cluster_centers_, **state)
    finally:
        dist.destroy_process_group()


@pytest.mark.parametrize("params", [
    {"head": "dcn"},
    # the neighbour pretext: two DDP calls (encode, decode) before each backward
    {"head": "kmeans", "pretext": "neighbours", "batch_size": 16},
])
def test_spawned_ranks_stay_identical(store, tmp_path, params):
    path, _, y = store
    out = tmp_path / "out"
    out.mkdir()
    torch.multiprocessing.spawn(_worker, args=(2, _free_port(), str(path), str(out), params),
                                nprocs=2)
    r0, r1 = np.load(out / "rank0.npz"), np.load(out / "rank1.npz")
    for key in r0.files:  # replicas start equal and stay equal
        np.testing.assert_array_equal(r0[key], r1[key], err_msg=key)
    assert sorted(os.listdir(out)) == ["model.h5", "rank0.npz", "rank1.npz"]
    assert ari(y, r0["labels"]) > 0.9


def test_torchrun_fit_matches_single_process(store, tmp_path, capsys):
    path, X, y = store
    out_dir = tmp_path / "models"
    out_dir.mkdir()
    model = out_dir / "model.h5"
    rc = cli_main(["fit", str(path), "-k", "2", "-o", str(model), "--architecture", "mlp",
                   "--head", "dec", "--latent-dim", "2", "--epochs", "4", "--finetune-epochs", "2",
                   "--device", "cpu", "--quiet", "--nproc", "2"])
    assert rc == 0
    assert os.listdir(out_dir) == ["model.h5"]  # exactly one model file, written by rank 0
    est = DeepClusterer.load(model)
    single = DeepClusterer(**{**PARAMS, "head": "dec"}).fit(X)
    assert ari(y, est.labels_) > 0.9 and ari(y, single.labels_) > 0.9
    assert ari(y, est.predict(path)) > 0.9
    assert len(est.history_["pretrain"]) == 4


def test_torchrun_command_and_inactive_helpers():
    cmd = launch.torchrun_command(2, ["fit", "s.h5", "-k", "3", "-o", "m.h5"])
    assert "--nproc-per-node" in cmd and cmd[cmd.index("--nproc-per-node") + 1] == "2"
    assert cmd[-7:] == ["tsclust.cli.torchrun", "fit", "s.h5", "-k", "3", "-o", "m.h5"]
    assert not distributed.active() and distributed.rank() == 0 and distributed.world_size() == 1
    a = np.arange(6.0).reshape(3, 2)
    assert distributed.all_gather_rows(a) is a and distributed.broadcast_object(5) == 5
    with pytest.raises(RuntimeError, match="torchrun"):
        env = {k: os.environ.pop(k) for k in ("RANK", "WORLD_SIZE") if k in os.environ}
        try:
            distributed.init_process_group()
        finally:
            os.environ.update(env)


def test_rank_0_writes_no_model_once_torchrun_is_gone(store, tmp_path, monkeypatch):
    path, _, _ = store
    model = tmp_path / "m.h5"
    assert not launch.orphaned()
    monkeypatch.setattr(launch, "_parent", [os.getppid() + 1])  # the parent seen at start-up
    assert launch.orphaned()
    with pytest.raises(RuntimeError, match="not written"):
        launch.fit(DeepClusterer(**{**PARAMS, "pretrain_epochs": 1, "finetune_epochs": 0,
                                    "head": "kmeans"}), path, model)
    assert not model.exists() and os.listdir(tmp_path) == ["s.h5"]
