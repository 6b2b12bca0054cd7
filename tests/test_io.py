"""HDF5 window stores and model files: round trip, slicing, streaming, atomicity, errors,
checksums and damaged files."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest

from tsclust.data import Recording
from tsclust.io import (
    DamagedFileError,
    StoreReader,
    WindowStoreWriter,
    load_model,
    read_windows,
    save_model,
    store_info,
    verify_file,
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


# --------------------------------------------------------------------------- integrity


def flip_chunk_bytes(path, dataset: str, n: int = 8) -> None:
    """Damage ``dataset`` of an HDF5 file in place: change ``n`` bytes in the middle of the
    data of its first chunk (or of its data, when it is contiguous).

    The bytes are XORed with 0x5A, not inverted: fletcher32 sums 16-bit words modulo 65535,
    so it cannot tell a 0x0000 word from 0xFFFF (zeros inverted go unnoticed).
    """
    with h5py.File(path, "r") as f:
        ds = f[dataset]
        if ds.chunks is None:
            offset, size = ds.id.get_offset(), ds.id.get_storage_size()
        else:
            info = ds.id.get_chunk_info(0)
            offset, size = info.byte_offset, info.size
        used = min(size, ds[:1].nbytes * len(ds)) if len(ds) else size  # the rows written
    assert offset is not None and used > n
    at = offset + used // 2 - n // 2
    with open(path, "r+b") as fh:
        fh.seek(at)
        data = fh.read(n)
        fh.seek(at)
        fh.write(bytes(b ^ 0x5A for b in data))


def _model_arrays(seed=0):
    rng = np.random.default_rng(seed)
    return {
        "module/encoder.0.weight": rng.normal(size=(64, 16)).astype(np.float32),
        "module/num_batches_tracked": np.array(3),  # a scalar: no chunks, no checksum
        "labels": rng.integers(0, 3, size=200),
    }


def _datasets(path):
    with h5py.File(path, "r") as f:
        out = []
        f.visititems(lambda name, obj: out.append(obj) if isinstance(obj, h5py.Dataset) else None)
        return [(ds.name, ds.shape, ds.fletcher32) for ds in out]


def test_stores_and_models_carry_checksums(tmp_path):
    store = write_windows(tmp_path / "w.h5", _windows(), chunk_size=8)
    assert {name for name, _, checked in _datasets(store) if not checked} == set()
    save_model(tmp_path / "m.h5", _model_arrays(), {"class": "X"})
    unchecked = {name for name, shape, checked in _datasets(tmp_path / "m.h5") if not checked}
    assert unchecked == {"/arrays/a00001"}  # only the scalar
    assert verify_file(store)["checksummed"] == verify_file(store)["datasets"] == 6
    report = verify_file(tmp_path / "m.h5")
    assert (report["datasets"], report["checksummed"]) == (3, 2)


@pytest.mark.parametrize("compression", ["gzip", None])
def test_damaged_store_chunk_is_named(tmp_path, compression):
    w = _windows()
    path = write_windows(tmp_path / "w.h5", w, chunk_size=8, compression=compression)
    flip_chunk_bytes(path, "X")
    with pytest.raises(DamagedFileError, match=r"w\.h5: cannot read dataset /X .*--verify"):
        read_windows(path)
    with pytest.raises(ValueError, match="dataset /X"):  # a ValueError (CLI exit 2) ...
        read_windows(path, indices=[1, 3])
    with pytest.raises(OSError, match="dataset /X"):  # ... and still an OSError
        with StoreReader(path) as r:
            r.read(0, 4)
    with StoreReader(path) as r:
        with pytest.raises(DamagedFileError, match="dataset /X"):
            r.read_indices([40, 2])
        np.testing.assert_array_equal(r.read(8, 50), w.X[8:])  # other chunks still read
    _assert_same(w[8:], read_windows(path, start=8))
    with pytest.raises(DamagedFileError, match=r"w\.h5: cannot read dataset /X "):
        verify_file(path)


def test_damaged_store_labels_are_named(tmp_path):
    path = write_windows(tmp_path / "w.h5", _windows(), chunk_size=8)
    flip_chunk_bytes(path, "origins")
    with pytest.raises(DamagedFileError, match="dataset /origins"):
        StoreReader(path).origins()
    with pytest.raises(DamagedFileError, match="dataset /origins"):
        verify_file(path)


def test_damaged_model_is_named(tmp_path):
    path = tmp_path / "m.h5"
    save_model(path, _model_arrays(), {"class": "X"})
    arrays, meta = load_model(path)
    np.testing.assert_array_equal(arrays["module/encoder.0.weight"],
                                  _model_arrays()["module/encoder.0.weight"])
    assert int(arrays["module/num_batches_tracked"]) == 3 and meta == {"class": "X"}
    flip_chunk_bytes(path, "arrays/a00000")
    named = r"m\.h5: cannot read dataset /arrays/a00000 \(module/encoder\.0\.weight\)"
    with pytest.raises(DamagedFileError, match=named + ".*tsclust info --verify"):
        load_model(path)
    with pytest.raises(DamagedFileError, match=named):
        verify_file(path)


def test_non_finite_model_refused_at_save_and_load(tmp_path):
    arrays = _model_arrays()
    arrays["module/encoder.0.weight"][3, :5] = [np.nan, np.inf, -np.inf, np.nan, np.nan]
    arrays["centers"] = np.full((2, 2), np.nan)
    with pytest.raises(ValueError, match=r"model weights are not finite \(9 NaN/inf values in "
                       r"module/encoder\.0\.weight, centers\): the fit diverged; lower lr"):
        save_model(tmp_path / "m.h5", arrays, {"class": "X"})
    assert _leftovers(tmp_path) == []
    path = tmp_path / "ok.h5"
    save_model(path, _model_arrays(), {"class": "X"})
    with h5py.File(path, "r+") as f:  # one weight damaged, its checksum updated with it
        f["arrays/a00000"][5, 5] = np.nan
    with pytest.raises(DamagedFileError, match=r"ok\.h5: model weights are not finite \(1 "
                       r"NaN/inf values in module/encoder\.0\.weight\).*damaged"):
        load_model(path)
    with pytest.raises(DamagedFileError, match=r"/arrays/a00000 \(module/encoder\.0\.weight\) "
                       "holds 1 NaN/inf"):
        verify_file(path)


def _strip_checksums(src, dst):
    """Copy an HDF5 file as an older tsclust wrote it: contiguous datasets, no fletcher32,
    variable-length recording names."""
    with h5py.File(src, "r") as f, h5py.File(dst, "w") as g:
        g.attrs.update(dict(f.attrs))

        def copy(name, obj):
            if isinstance(obj, h5py.Group):
                g.require_group(name)
                return
            data = obj[()]
            if obj.dtype.kind == "S":
                data = np.array([s.decode() for s in data], dtype=object)
                g.create_dataset(name, data=data, dtype=h5py.string_dtype())
            else:
                g.create_dataset(name, data=data)
            g[name].attrs.update(dict(obj.attrs))

        f.visititems(copy)


def test_older_files_without_checksums_still_load(tmp_path):
    w = _windows()
    write_windows(tmp_path / "new.h5", w)
    _strip_checksums(tmp_path / "new.h5", tmp_path / "old.h5")
    assert not any(checked for _, _, checked in _datasets(tmp_path / "old.h5"))
    _assert_same(w, read_windows(tmp_path / "old.h5"))
    with StoreReader(tmp_path / "old.h5") as r:
        np.testing.assert_array_equal(r.read_indices([3, 1]), w.X[[3, 1]])
    report = verify_file(tmp_path / "old.h5")
    assert report["checksummed"] == 0 and report["datasets"] == 6
    save_model(tmp_path / "m.h5", _model_arrays(), {"class": "X"})
    _strip_checksums(tmp_path / "m.h5", tmp_path / "old_m.h5")
    arrays, _ = load_model(tmp_path / "old_m.h5")
    np.testing.assert_array_equal(arrays["labels"], _model_arrays()["labels"])
    assert verify_file(tmp_path / "old_m.h5")["checksummed"] == 0


def test_verify_refuses_other_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        verify_file(tmp_path / "none.h5")
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f["X"] = np.zeros(3)
    with pytest.raises(ValueError, match="not a tsclust store or model file"):
        verify_file(tmp_path / "other.h5")


def test_atomic_path_commits_nothing_after_a_stop_request(tmp_path):
    # a SIGTERM whose exception Python dropped (inside a __del__) is still a recorded request
    from tsclust import _interrupts
    from tsclust.io import atomic_path

    out = tmp_path / "out.txt"
    _interrupts.request(15)
    try:
        with pytest.raises(_interrupts.Terminated), atomic_path(out) as tmp:
            Path(tmp).write_text("whole")
    finally:
        _interrupts.clear()
    assert not out.exists() and list(tmp_path.iterdir()) == []
    with atomic_path(out) as tmp:  # no request: committed
        Path(tmp).write_text("whole")
    assert out.read_text() == "whole"


def test_model_file_without_arrays_is_named(tmp_path):
    import h5py

    path = tmp_path / "m.h5"
    save_model(path, _model_arrays(), {"class": "X"})
    with h5py.File(path, "a") as f:
        del f["arrays"]
    with pytest.raises(DamagedFileError, match=r"m\.h5: the model file has no arrays"):
        load_model(path)


def test_a_file_made_meanwhile_is_not_replaced_without_overwrite(tmp_path):
    from tsclust.io import atomic_path

    out = tmp_path / "w.h5"
    with pytest.raises(FileExistsError, match="created by someone else"):
        with atomic_path(out) as tmp:
            Path(tmp).write_text("ours")
            out.write_text("theirs")  # another run finished first
    assert out.read_text() == "theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.h5"]  # no temporary file left
    with atomic_path(out, overwrite=True) as tmp:  # asked for: replaced
        Path(tmp).write_text("ours")
    assert out.read_text() == "ours"
