"""data_scripts/hapt.py and make_sample.py, offline (file:// URLs, monkeypatched urlopen)."""

from __future__ import annotations

import hashlib
import importlib.util
import urllib.error
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(name):
    spec = importlib.util.spec_from_file_location(
        f"_ds_{name}", ROOT / "data_scripts" / f"{name}.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def hapt_script():
    return _load("hapt")


def test_download_file_url_and_verify(hapt_script, make_hapt, tmp_path):
    zpath = make_hapt("zip")
    data = zpath.read_bytes()
    dest = tmp_path / "dl" / "hapt.zip"
    dest.parent.mkdir()
    got = hapt_script.download(
        zpath.as_uri(), dest, sha256=hashlib.sha256(data).hexdigest(), size=len(data), verbose=0
    )
    assert got == dest and dest.read_bytes() == data
    with pytest.raises(ValueError, match="sha256"):
        hapt_script.download(zpath.as_uri(), tmp_path / "dl" / "x.zip", sha256="0" * 64, verbose=0)
    with pytest.raises(ValueError, match="expected 1$"):
        hapt_script.download(zpath.as_uri(), tmp_path / "dl" / "x.zip", size=1, verbose=0)
    assert sorted(p.name for p in dest.parent.iterdir()) == ["hapt.zip"]  # no partial files


def test_offline_message(hapt_script, tmp_path, monkeypatch, capsys):
    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(hapt_script.urllib.request, "urlopen", offline)
    with pytest.raises(ConnectionError, match="cannot reach .*download it by hand and pass --zip"):
        hapt_script.download(dest=tmp_path / "h.zip")
    assert hapt_script.main(["-o", str(tmp_path / "w.h5"), "--quiet"]) == 2
    assert "--zip PATH" in capsys.readouterr().err
    assert not (tmp_path / "w.h5").exists()


def test_main_end_to_end(hapt_script, make_hapt, tmp_path, capsys):
    out = tmp_path / "w.h5"
    zpath = make_hapt("nested_zip")
    assert (
        hapt_script.main(["-o", str(out), "--zip", str(zpath), "--size", "32", "--step", "16"]) == 0
    )
    assert "27 windows" in capsys.readouterr().out
    assert hapt_script.main(["-o", str(out), "--zip", str(zpath)]) == 2  # exists
    out2 = tmp_path / "w2.h5"
    args = ["-o", str(out2), "--url", make_hapt("zip").as_uri(), "--size", "32", "--step", "16"]
    assert hapt_script.main([*args, "--quiet"]) == 0
    from tsclust.io import read_windows

    np.testing.assert_array_equal(read_windows(out).X, read_windows(out2).X)


def test_make_sample_script(make_hapt, tmp_path, monkeypatch):
    mod = _load("make_sample")
    out = mod.build_sample(make_hapt(gz=True), subjects=[2], out=tmp_path / "s.npz")
    with np.load(out) as z:
        assert z["signals"].shape == (260, 6) and z["signals"].dtype == np.float32
        assert z["segments"].tolist() == [[0, 0, 200, 1], [0, 200, 250, 7]]
        assert z["subject"].tolist() == [2]
    # load_sample reads the same layout
    import tsclust.data.sample as sample

    monkeypatch.setattr(sample.resources, "files", lambda pkg: tmp_path)
    monkeypatch.setattr(sample, "SAMPLE_FILE", "s.npz")
    (rec,) = sample.load_sample()
    assert rec.name == "exp02_user02" and rec.labels[199] == 1 and rec.labels[200] == 7
