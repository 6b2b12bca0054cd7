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
    assert "stored as they are (3 points), one window each" in capsys.readouterr().out
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
    for name, fmt in [("a.tsv.gz", "ucr"), ("a.csv", "csv"), ("a.npy", "npy"), ("a.ts", "ts")]:
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


# --------------------------------------------------------------------------- real-world inputs


def test_windows_csv_time_label_ignore_flags(tmp_path, capsys):
    from tests.data.test_csv_recordings import FOG_CHANNELS, fog_csv

    src = fog_csv(tmp_path / "fog.csv", extra="note")
    out = tmp_path / "fog.h5"
    flags = ["--time-column", "timestamp", "--label-column", "is_anomaly"]
    assert main(["windows", str(src), "-o", str(out), *flags, "--ignore-columns", "note"]) == 0
    assert "rate: 64 Hz" in capsys.readouterr().out
    info = store_info(out)
    assert info["sampling_rate"] == 64.0 and info["channels"] == FOG_CHANNELS
    assert info["labels_mode"] == "pure" and info["class_counts"] == {1: 2}
    # without --ignore-columns the text column is named, with the flags that fix it
    assert main(["windows", str(src), "-o", str(tmp_path / "x.h5"), *flags]) == 2
    err = capsys.readouterr().err
    assert "column 'note' is not numeric" in err and "--ignore-columns" in err
    assert not (tmp_path / "x.h5").exists()


def test_windows_csv_flags_refused_for_other_formats(tmp_path, capsys):
    np.save(tmp_path / "sig.npy", np.zeros((200, 2)))
    args = ["windows", str(tmp_path / "sig.npy"), "-o", str(tmp_path / "n.h5")]
    assert main([*args, "--time-column", "t", "--delimiter", "tab"]) == 2
    assert "--time-column, --delimiter only apply to CSV input, not npy" in capsys.readouterr().err


def test_windows_duplicate_channel_names(tmp_path, capsys):
    src = tmp_path / "dup.csv"
    src.write_text("time,x,x\n" + "".join(f"{i / 10},{i},{-i}\n" for i in range(300)))
    assert main(["windows", str(src), "-o", str(tmp_path / "d.h5")]) == 2
    assert "duplicate column name(s) ['x']" in capsys.readouterr().err


def test_windows_all_unlabelled_csv(tmp_path, capsys):
    src = tmp_path / "rec.csv"
    src.write_text("time,x,label\n" + "".join(f"{i / 10},{np.sin(i)},0\n" for i in range(300)))
    out = tmp_path / "u.h5"
    assert main(["windows", str(src), "-o", str(out), "--labels", "pure"]) == 2
    assert "every label is 0 (unlabelled): pass --labels none" in capsys.readouterr().err
    assert not out.exists()
    assert main(["windows", str(src), "-o", str(out)]) == 0
    assert "every label of" in capsys.readouterr().out
    info = store_info(out)
    assert info["n_windows"] == 3 and not info["labelled"] and info["sampling_rate"] == 10.0


def test_windows_ts_equal_and_unequal(tmp_path, capsys):
    from tests.data.test_ts import EQUAL, UNEQUAL

    (tmp_path / "Toy.ts").write_text(EQUAL)
    out = tmp_path / "t.h5"
    assert main(["windows", str(tmp_path / "Toy.ts"), "-o", str(out)]) == 0
    assert ".ts series are stored as they are (4 points)" in capsys.readouterr().out
    w = read_windows(out)
    assert w.X.shape == (3, 4, 2) and w.y.tolist() == [0, 1, 0]
    assert w.channels == ["dim0", "dim1"]
    assert store_info(out)["attrs"]["classes"] == [[0, "walk"], [1, "run"]]
    (tmp_path / "Ragged.ts").write_text(UNEQUAL)
    assert main(["windows", str(tmp_path / "Ragged.ts"), "-o", str(tmp_path / "r.h5")]) == 2
    err = capsys.readouterr().err
    assert "unequal-length series (2 to 5 points)" in err and "load_ts" in err


def test_windows_sample_by_name(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no file called "sample" here
    assert main(["windows", "sample", "-o", "s.h5", "-q"]) == 0
    info = store_info(tmp_path / "s.h5")
    assert info["n_windows"] == 946 and info["n_recordings"] == 6
    assert main(["windows", "sample", "-o", "s9.h5", "-q", "--subjects", "9"]) == 0
    assert set(read_windows(tmp_path / "s9.h5").subject.tolist()) == {9}
    assert main(["windows", "sample", "-o", "x.h5", "--subjects", "99"]) == 2
    assert "no sample recording of subjects [99]; the source has subjects 8-9,12" in (
        capsys.readouterr().err
    )
    with pytest.raises(SystemExit):
        main(["windows", "--help"])
    assert "'sample'" in capsys.readouterr().out


def test_windows_unknown_hapt_subject(make_hapt, tmp_path, capsys):
    out = tmp_path / "w.h5"
    assert main(["windows", str(make_hapt()), "-o", str(out), "--subjects", "99"]) == 2
    err = capsys.readouterr().err
    assert "no HAPT recording of subjects [99]; the source has subjects 1-2" in err
    assert main(["windows", str(make_hapt()), "-o", str(out), "--subjects", "^1-2"]) == 2
    assert "of all but subjects 1-2" in capsys.readouterr().err
    assert not out.exists()


def test_windows_tab_separated_recording_named_tsv(tmp_path):
    from tests.data.test_csv_recordings import fog_csv

    src = fog_csv(tmp_path / "fog.tsv", delimiter="\t")
    out = tmp_path / "t.h5"
    args = ["windows", str(src), "-o", str(out), "-q", "--format", "csv"]
    assert main([*args, "--label-column", "is_anomaly", "--delimiter", "tab"]) == 0
    assert store_info(out)["sampling_rate"] == 64.0 and store_info(out)["n_windows"] == 2
