"""HDF5 window stores: round trip, slicing, streaming, atomicity, errors."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from tsclust.data import Recording
from tsclust.io import (
    WindowStoreWriter,
    read_windows,
    store_info,
    write_windows,
    write_windows_from_recordings,
)
from tsclust.preprocessing import ChannelStandardScaler, SlidingWindows, Windows, scaler_from_dict


def _windows(n=50, size=16, C=3, seed=0, labelled=True):
    rng = np.random.default_rng(seed)
    return Windows(
        rng.normal(size=(n, size, C)).astype(np.float32),
        y=rng.integers(1, 4, size=n) if labelled else None,
        origins=np.stack([np.arange(n) // 10, (np.arange(n) % 10) * 8], axis=1),
        subject=np.arange(n) // 10 + 100,
        channels=["a", "b", "c"][:C],
        sampling_rate=50.0,
        step=8,
        labels_mode="majority" if labelled else None,
        recording_names=[f"rec{i}" for i in range(n // 10)],
        recording_lengths=np.full(n // 10, 88),
        source="somewhere",
        attrs={"note": "hi"},
    )


def _assert_same(a: Windows, b: Windows):
    np.testing.assert_array_equal(a.X, b.X)
    if a.y is None:
        assert b.y is None
    else:
        np.testing.assert_array_equal(a.y, b.y)
    np.testing.assert_array_equal(a.origins, b.origins)
    np.testing.assert_array_equal(a.subject, b.subject)
    assert (a.channels, a.size, a.step, a.labels_mode) == (
        b.channels,
        b.size,
        b.step,
        b.labels_mode,
    )
    assert a.sampling_rate == b.sampling_rate and a.source == b.source
    assert a.recording_names == b.recording_names
    np.testing.assert_array_equal(a.recording_lengths, b.recording_lengths)


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("compression", ["gzip", "lzf", None])
def test_round_trip(tmp_path, compression):
    w = _windows()
    path = write_windows(tmp_path / "w.h5", w, compression=compression, chunk_size=7)
    back = read_windows(path)
    _assert_same(w, back)
    assert back.attrs == {"note": "hi"}
    info = store_info(path)
    assert info["n_windows"] == 50 and info["shape"] == (50, 16, 3)
    assert info["compression"] == compression and info["chunks"] == (7, 16, 3)
    assert info["labels_mode"] == "majority" and info["labelled"]
    assert info["class_counts"] == w.class_counts() and info["n_recordings"] == 5
    assert _leftovers(tmp_path) == ["w.h5"]


def test_unlabelled_and_empty(tmp_path):
    w = _windows(labelled=False)
    write_windows(tmp_path / "u.h5", w)
    back = read_windows(tmp_path / "u.h5")
    _assert_same(w, back)
    assert store_info(tmp_path / "u.h5")["class_counts"] == {}
    empty = w[np.arange(0)]
    write_windows(tmp_path / "e.h5", empty)
    assert len(read_windows(tmp_path / "e.h5")) == 0


def test_slices_and_indices(tmp_path):
    w = _windows()
    path = write_windows(tmp_path / "w.h5", w)
    _assert_same(w[10:20], read_windows(path, start=10, stop=20))
    _assert_same(w[-5:], read_windows(path, start=-5))
    _assert_same(w[np.arange(0)], read_windows(path, start=30, stop=10))
    idx = np.array([7, 3, 3, 49, -1])
    _assert_same(w[idx], read_windows(path, indices=idx))
    sparse = np.array([0, 40])
    _assert_same(w[sparse], read_windows(path, indices=sparse))
    mask = w.y == 2
    _assert_same(w[mask], read_windows(path, indices=mask))
    with pytest.raises(ValueError, match="out of range"):
        read_windows(path, indices=[50])
    with pytest.raises(ValueError, match="either indices or start/stop"):
        read_windows(path, start=1, indices=[1])
    with pytest.raises(ValueError, match="boolean mask must have shape"):
        read_windows(path, indices=np.ones(3, dtype=bool))


def test_store_info_reads_no_window_data(tmp_path, monkeypatch):
    path = write_windows(tmp_path / "w.h5", _windows())
    calls = []
    original = h5py.Dataset.__getitem__

    def spy(self, key):
        calls.append(self.name)
        return original(self, key)

    monkeypatch.setattr(h5py.Dataset, "__getitem__", spy)
    info = store_info(path)
    assert info["n_windows"] == 50
    assert not {"/X", "/y", "/origins", "/subject"} & set(calls)


def test_writer_streams_and_offsets_recordings(tmp_path):
    a, b = _windows(20, seed=1), _windows(30, seed=2)
    with WindowStoreWriter(tmp_path / "s.h5", attrs={"k": 1}) as wr:
        wr.append(a)
        wr.append(b)
        assert wr.n_windows == 50
    back = read_windows(tmp_path / "s.h5")
    _assert_same(Windows.concatenate([a, b]), back)
    assert back.origins[20:, 0].min() == 2  # offset by a's two recordings
    assert back.attrs == {"note": "hi", "k": 1}


def test_write_windows_from_recordings(tmp_path):
    recs = [
        Recording(np.arange(80.0).reshape(40, 2), labels=np.ones(40, int), name=f"r{i}", subject=i)
        for i in range(3)
    ]
    info = write_windows_from_recordings(tmp_path / "r.h5", iter(recs), SlidingWindows(8, 8))
    assert info["n_windows"] == 15 and info["class_counts"] == {1: 15}
    w = read_windows(tmp_path / "r.h5")
    _assert_same(SlidingWindows(8, 8).transform(recs), w)


def test_scaler_description_kept(tmp_path):
    w = _windows()
    s = ChannelStandardScaler().fit(w.X)
    write_windows(tmp_path / "w.h5", s.transform(w), scaler=s)
    back = scaler_from_dict(store_info(tmp_path / "w.h5")["scaler"])
    np.testing.assert_array_equal(back.mean_, s.mean_)
    assert read_windows(tmp_path / "w.h5").attrs["scaler"]["class"] == "ChannelStandardScaler"


def test_atomic_on_exception(tmp_path):
    path = tmp_path / "w.h5"
    with pytest.raises(RuntimeError, match="boom"), WindowStoreWriter(path) as wr:
        wr.append(_windows())
        raise RuntimeError("boom")
    assert _leftovers(tmp_path) == []
    # an incompatible batch in the middle of a stream leaves nothing either
    with pytest.raises(ValueError, match="incompatible windows"), WindowStoreWriter(path) as wr:
        wr.append(_windows())
        wr.append(_windows(C=2))
    assert _leftovers(tmp_path) == []
    with pytest.raises(ValueError, match="no windows were appended"), WindowStoreWriter(path):
        pass
    assert _leftovers(tmp_path) == []


def test_atomic_failure_during_data_write(tmp_path, monkeypatch):
    original = h5py.Dataset.__setitem__

    def failing(self, key, value):
        if self.name == "/subject":
            raise OSError("disk full")
        return original(self, key, value)

    monkeypatch.setattr(h5py.Dataset, "__setitem__", failing)
    with pytest.raises(OSError, match="disk full"):
        write_windows(tmp_path / "w.h5", _windows())
    assert _leftovers(tmp_path) == []


def test_no_overwrite(tmp_path):
    path = write_windows(tmp_path / "w.h5", _windows(seed=1))
    with pytest.raises(FileExistsError, match="overwrite"):
        write_windows(path, _windows(seed=2))
    np.testing.assert_array_equal(read_windows(path).X, _windows(seed=1).X)
    write_windows(path, _windows(seed=2), overwrite=True)
    np.testing.assert_array_equal(read_windows(path).X, _windows(seed=2).X)
    assert _leftovers(tmp_path) == ["w.h5"]


def test_bad_stores(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        read_windows(tmp_path / "missing.h5")
    (tmp_path / "text.h5").write_text("hello")
    with pytest.raises(ValueError, match="not an HDF5 window store"):
        store_info(tmp_path / "text.h5")
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f["X"] = np.zeros(3)
    with pytest.raises(ValueError, match="not a tsclust window store"):
        read_windows(tmp_path / "other.h5")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        write_windows(tmp_path / "no" / "w.h5", _windows())
    with pytest.raises(ValueError, match="compression"):
        WindowStoreWriter(tmp_path / "x.h5", compression="zstd")
    with pytest.raises(ValueError, match="JSON-serialisable"):
        WindowStoreWriter(tmp_path / "x.h5", attrs={"f": object()})
    with pytest.raises(RuntimeError, match="inside its with-block"):
        WindowStoreWriter(tmp_path / "x.h5").append(_windows())


def test_atomic_text_replaces_only_on_success(tmp_path):
    from tsclust.io import atomic_text

    path = tmp_path / "out.csv"
    with atomic_text(path) as fh:
        fh.write("a,b\n")
    assert path.read_text() == "a,b\n"
    with pytest.raises(FileExistsError, match="overwrite"):
        with atomic_text(path):
            pass
    with pytest.raises(RuntimeError):
        with atomic_text(path, overwrite=True) as fh:
            fh.write("half")
            raise RuntimeError("interrupted")
    assert path.read_text() == "a,b\n"  # the old file is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]  # no temporary left
    with pytest.raises(FileNotFoundError, match="does not exist"):
        with atomic_text(tmp_path / "missing" / "x.csv"):
            pass
