"""Shared fixtures: the staged real data and a tiny HAPT-like dataset built on the fly."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import numpy as np
import pytest

SHARED_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``/work/shared/data`` (the real HAPT and UCR data); skips the test when absent."""
    path = SHARED_DATA.resolve()
    if not (path / "hapt" / "RawData").is_dir():
        pytest.skip(f"shared data not found at {path}")
    return path


# A tiny HAPT: two experiments; exp 1 has two adjacent segments of the same activity.
TINY_LENGTHS = {(1, 1): 300, (2, 2): 260}
TINY_LABELS = [(1, 1, 5, 11, 150), (1, 1, 5, 151, 290), (2, 2, 1, 1, 200), (2, 2, 7, 201, 250)]


def tiny_signals(exp: int, user: int) -> tuple[np.ndarray, np.ndarray]:
    """The (acc, gyro) arrays written for one tiny experiment, rounded to 4 decimals."""
    rng = np.random.default_rng(exp)
    n = TINY_LENGTHS[(exp, user)]
    acc = np.round(rng.normal([0.9, -0.1, 0.1], 0.2, size=(n, 3)), 4)
    gyro = np.round(rng.normal(0.0, 0.5, size=(n, 3)), 4)
    return acc, gyro


def _table(arr: np.ndarray) -> bytes:
    return "".join(" ".join(f"{v:.4f}" for v in row) + "\n" for row in arr).encode()


def tiny_hapt_files(gz: bool = False) -> dict[str, bytes]:
    """File name (inside RawData/) -> bytes of the tiny dataset."""
    files = {}
    for exp, user in TINY_LENGTHS:
        acc, gyro = tiny_signals(exp, user)
        for kind, arr in (("acc", acc), ("gyro", gyro)):
            name = f"{kind}_exp{exp:02d}_user{user:02d}.txt"
            data = _table(arr)
            if gz:
                name, data = name + ".gz", gzip.compress(data, mtime=0)
            files[name] = data
    files["labels.txt"] = "".join(" ".join(map(str, r)) + "\n" for r in TINY_LABELS).encode()
    return files


@pytest.fixture
def make_hapt(tmp_path):
    """Factory: ``make_hapt(layout="folder"|"raw"|"zip"|"nested_zip", gz=False, edit=None)``.

    ``edit(files)`` may change the dict of RawData file name -> bytes before writing.
    Returns the path to pass to ``read_hapt``.
    """
    counter = iter(range(1000))

    def make(layout: str = "folder", gz: bool = False, edit=None) -> Path:
        files = tiny_hapt_files(gz)
        if edit is not None:
            edit(files)
        root = tmp_path / f"hapt{next(counter)}"
        if layout in ("folder", "raw"):
            raw = root / "RawData"
            raw.mkdir(parents=True)
            for name, data in files.items():
                (raw / name).write_bytes(data)
            (root / "activity_labels.txt").write_text("1 WALKING\n")
            return root if layout == "folder" else raw
        root.mkdir()
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("README.txt", "tiny")
            for name, data in files.items():
                zf.writestr(f"RawData/{name}", data)
        if layout == "zip":
            (root / "hapt.zip").write_bytes(buf.getvalue())
        elif layout == "nested_zip":
            with zipfile.ZipFile(root / "hapt.zip", "w") as outer:
                outer.writestr("HAPT Data Set.zip", buf.getvalue())
        else:
            raise ValueError(layout)
        return root / "hapt.zip"

    return make


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread():
    """Tiny test models run fastest on one thread; more only oversubscribe the 2 shared cores."""
    try:
        import torch
    except ImportError:  # pragma: no cover
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def blob_windows(n=60, t=16, c=2, seed=0, n_second=None):
    """Two blobs of windows (n + n_second, t, c) float32 and their labels (0 then 1).

    ``n`` standard-normal windows, then ``n_second`` (default ``n``) around 3 with std 0.5.
    """
    m = n if n_second is None else n_second
    rng = np.random.RandomState(seed)
    X = np.concatenate([rng.randn(n, t, c), rng.randn(m, t, c) * 0.5 + 3]).astype(np.float32)
    y = np.r_[np.zeros(n), np.ones(m)].astype(np.int64)
    return X, y


def write_blob_store(
    path: Path, X: np.ndarray, y: np.ndarray
) -> tuple[Path, np.ndarray, np.ndarray]:
    """Write labelled windows to a window store in chunks of 8; returns ``(path, X, y)``."""
    from tsclust.io import write_windows
    from tsclust.preprocessing import Windows

    write_windows(path, Windows(X, y=y), chunk_size=8)
    return path, X, y


#: Small module settings per architecture, so that every test fit takes milliseconds (an
#: architecture missing here gets its defaults: still tested, only slower).
SMALL_MODULES = {
    "conv": {"filters": (8, 8), "kernel_sizes": (5, 3), "strides": (2, 2)},
    "cov": {"hidden": (16,), "delays": (2,)},
    "gru": {"hidden_size": 16},
    "lstm": {"hidden_size": 16, "bidirectional": True},
    "mlp": {"hidden": (32, 16)},
    "rocket": {"hidden": (16,), "n_features": 168},
    "fused": {"hidden": (16,), "stage_kwargs": {"rocket": {"n_features": 84}, "cov": {"delays": (2,)}}},
}
