"""``tsclust windows`` and the format detection it uses."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from tsclust.cli import detect_format, main
from tsclust.io import read_windows, store_info


def test_windows_on_tiny_hapt(make_hapt, tmp_path, capsys):
    src = make_hapt(gz=True)
    out = tmp_path / "w.h5"
    assert main(["windows", str(src), "-o", str(out), "--size", "32", "--step", "16"]) == 0
    text = capsys.readouterr().out
    assert "windows: 27" in text and "(27, 32, 6)" in text
    assert "classes (label:windows): 1:11 5:14 7:2" in text
    info = store_info(out)
    assert info["n_windows"] == 27 and info["n_recordings"] == 2 and info["labels_mode"] == "pure"
    w = read_windows(out)
    assert set(w.subject.tolist()) == {1, 2}


def test_windows_zip_quiet_and_labels_none(make_hapt, tmp_path, capsys):
    out = tmp_path / "w.h5"
    args = ["windows", str(make_hapt("zip")), "-o", str(out), "--labels", "none", "--quiet"]
    assert main(args + ["--size", "64", "--step", "64"]) == 0
    assert capsys.readouterr().out == ""
    assert store_info(out)["n_windows"] == 4 + 4 and not store_info(out)["labelled"]


def test_windows_errors(make_hapt, tmp_path, capsys):
    out = tmp_path / "w.h5"
    out.write_text("keep me")
    assert main(["windows", str(make_hapt()), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tsclust: error:") and "exists" in err and "Traceback" not in err
    assert out.read_text() == "keep me"
    assert main(["windows", str(tmp_path / "nope"), "-o", str(tmp_path / "x.h5")]) == 2
    assert "not found" in capsys.readouterr().err
    assert main(["windows", str(make_hapt()), "-o", str(tmp_path / "x.h5"), "--step", "0"]) == 2
    assert "step must be" in capsys.readouterr().err
    big = ["--size", "1000", "--labels", "majority"]
    assert main(["windows", str(make_hapt()), "-o", str(tmp_path / "x.h5"), *big]) == 2
    assert "fewer than the window size 1000" in capsys.readouterr().err
    assert not (tmp_path / "x.h5").exists()
    with pytest.raises(SystemExit):
        main(["windows", "src"])  # -o is required: argparse exits with status 2


def test_windows_csv_npy_ucr(tmp_path, capsys):
    csv = tmp_path / "rec.csv"
    rows = ["time,x,y"] + [f"{i / 50},{np.sin(i)},{i}" for i in range(300)]
    csv.write_text("\n".join(rows))
    assert main(["windows", str(csv), "-o", str(tmp_path / "c.h5"), "-q"]) == 0
    info = store_info(tmp_path / "c.h5")
    assert info["n_windows"] == 3 and info["sampling_rate"] == pytest.approx(50.0)
    assert info["channels"] == ["x", "y"]
    np.save(tmp_path / "sig.npy", np.zeros((200, 2)))
    args = ["windows", str(tmp_path / "sig.npy"), "-o", str(tmp_path / "n.h5"), "-q"]
    assert main([*args, "--sampling-rate", "20", "--size", "50", "--step", "25"]) == 0
    assert store_info(tmp_path / "n.h5")["n_windows"] == 7
    d = tmp_path / "Toy"
    d.mkdir()
    (d / "Toy_TRAIN.tsv.gz").write_bytes(gzip.compress(b"1\t1\t2\t3\n2\t4\t5\t6\n"))
    (d / "Toy_TEST.tsv").write_text("1\t0\t0\t0\n")
    assert main(["windows", str(d), "-o", str(tmp_path / "u.h5")]) == 0
    assert "--size/--step unused" in capsys.readouterr().out
    w = read_windows(tmp_path / "u.h5")
    assert w.X.shape == (3, 3, 1) and w.y.tolist() == [1, 2, 1]


def test_windows_subject_filter(tmp_path, capsys, make_hapt):
    src = make_hapt()
    for spec, expected in [("1", {1}), ("^1", {2}), ("1-2", {1, 2})]:
        out = tmp_path / f"w{spec.replace('^', 'x')}.h5"
        assert main(["windows", str(src), "-o", str(out), "--size", "32", "--step", "16",
                     "--subjects", spec, "-q"]) == 0
        assert set(read_windows(out).subject.tolist()) == expected
    with pytest.raises(SystemExit):
        main(["windows", str(src), "-o", str(tmp_path / "bad.h5"), "--subjects", "a-b"])


def test_detect_format(make_hapt, tmp_path):
    assert detect_format(make_hapt()) == "hapt"
    assert detect_format(make_hapt("raw")) == "hapt"
    assert detect_format(make_hapt("zip")) == "hapt"
    for name, fmt in [("a.tsv.gz", "ucr"), ("a.csv", "csv"), ("a.npy", "npy")]:
        (tmp_path / name).write_text("")
        assert detect_format(tmp_path / name) == fmt
    (tmp_path / "a.dat").write_text("")
    with pytest.raises(ValueError, match="pass --format"):
        detect_format(tmp_path / "a.dat")
    (tmp_path / "emptydir").mkdir()
    with pytest.raises(ValueError, match="pass --format"):
        detect_format(tmp_path / "emptydir")


def test_detect_format_lives_in_data():
    from tsclust import data
    from tsclust.cli import windows

    assert detect_format is data.detect_format
    assert windows.FORMAT_CHOICES == ("auto", *data.FORMATS)
