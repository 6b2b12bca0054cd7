"""``tsclust info``."""

from __future__ import annotations

import numpy as np

from tests.test_io import flip_chunk_bytes
from tsclust.cli import main
from tsclust.io import save_model


def test_info(tmp_path, capsys, make_hapt):
    out = tmp_path / "w.h5"
    assert main(["windows", str(make_hapt()), "-o", str(out), "--size", "32", "--step", "16", "-q"]) == 0
    capsys.readouterr()
    assert main(["info", str(out)]) == 0
    text = capsys.readouterr().out
    n = int(text.split("windows:")[1].split()[0])
    assert n > 0
    assert main(["info", str(tmp_path / "none.h5")]) == 2


def test_info_verify_store_and_model(tmp_path, capsys, store):
    assert main(["info", "--verify", str(store)]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith(f"{store}: OK (tsclust-windows/1, 6 datasets, 6 with checksums")
    model = tmp_path / "m.h5"
    save_model(model, {"module/w": np.ones((8, 4), np.float32), "n": np.array(1)}, {"class": "X"})
    assert main(["info", "--verify", str(model)]) == 0
    out = capsys.readouterr().out
    assert "OK (tsclust-model/2, 2 datasets, 1 with checksums" in out and "1 without" in out


def test_info_verify_names_the_damaged_dataset(tmp_path, capsys, store):
    flip_chunk_bytes(store, "X")
    assert main(["info", "--verify", str(store)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"tsclust: error: {store}: cannot read dataset /X ")
    assert main(["info", str(store)]) == 0  # the metadata still reads


def test_info_verify_refuses_other_files(tmp_path, capsys):
    (tmp_path / "t.h5").write_text("hello")
    assert main(["info", "--verify", str(tmp_path / "t.h5")]) == 2
    assert "not an HDF5 store or model file" in capsys.readouterr().err


def test_info_verify_refuses_what_the_readers_refuse(tmp_path, capsys, store):
    import h5py

    forged = tmp_path / "forged.h5"
    with h5py.File(forged, "w") as f:  # the store's format and X, nothing else
        f.attrs["format"] = "tsclust-windows/1"
        f.create_dataset("X", data=np.zeros((3, 8, 2), np.float32))
    assert main(["info", str(forged)]) == 2
    assert main(["info", "--verify", str(forged)]) == 2
    err = capsys.readouterr().err
    assert "OK" not in err and "the window store has no" in err
    model = tmp_path / "m.h5"
    with h5py.File(model, "w") as f:  # a model with meta but no arrays
        f.attrs["format"] = "tsclust-model/2"
        f.attrs["meta"] = "{}"
    assert main(["info", "--verify", str(model)]) == 2
    assert "the model file has no arrays" in capsys.readouterr().err
