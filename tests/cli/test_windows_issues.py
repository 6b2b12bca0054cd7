"""``tsclust windows``: the cases of issue #23 (channels line, collections, halves)."""

from __future__ import annotations

import gzip
import logging

import numpy as np

from tsclust.cli import main
from tsclust.data import detect_format
from tsclust.io import read_windows, store_info


def anomaly_csv(path, n=400):
    rows = [f"{i / 50},{np.sin(i / 5):.4f},{np.cos(i / 5):.4f},{int(100 <= i < 300)}"
            for i in range(n)]
    path.write_text("time,x,y,is_anomaly\n" + "\n".join(rows) + "\n")
    return path


def test_channels_line_and_label_like_warning(tmp_path, capsys, caplog):
    src = anomaly_csv(tmp_path / "a.csv")
    with caplog.at_level(logging.WARNING, logger="tsclust.data.files"):
        assert main(["windows", str(src), "-o", str(tmp_path / "a.h5")]) == 0
    assert "channels (3): x, y, is_anomaly" in capsys.readouterr().out
    assert "--label-column is_anomaly" in caplog.text


def test_label_zero_is_class_flag(tmp_path, capsys):
    src = anomaly_csv(tmp_path / "a.csv")
    out = tmp_path / "z.h5"
    flags = ["--label-column", "is_anomaly", "--size", "50", "--step", "50"]
    assert main(["windows", str(src), "-o", str(out), *flags, "--label-zero-is-class"]) == 0
    text = capsys.readouterr().out
    assert "channels (2): x, y" in text and "0 -> 1, 1 -> 2" in text
    info = store_info(out)
    assert info["class_counts"] == {1: 4, 2: 4}
    assert info["attrs"]["classes"] == [[1, "0"], [2, "1"]] and info["attrs"]["label_offset"] == 1
    # default: 0 is unlabelled, so only the anomaly windows are kept with --labels pure
    assert main(["windows", str(src), "-o", str(tmp_path / "d.h5"), *flags, "-q"]) == 0
    assert store_info(tmp_path / "d.h5")["class_counts"] == {1: 4}
    npy = tmp_path / "s.npy"
    np.save(npy, np.zeros((100, 1)))
    assert main(["windows", str(npy), "-o", str(tmp_path / "n.h5"), "--label-zero-is-class"]) == 2
    assert "--label-zero-is-class only apply to CSV input" in capsys.readouterr().err


def test_time_unit_flag(tmp_path, capsys):
    src = tmp_path / "ms.csv"
    src.write_text("t,x\n" + "".join(f"{i * 20},{np.sin(i)}\n" for i in range(300)))
    assert main(["windows", str(src), "-o", str(tmp_path / "m.h5"), "--time-unit", "ms"]) == 0
    assert store_info(tmp_path / "m.h5")["sampling_rate"] == 50.0


def regression_ts(path, n=6):
    lines = ["@problemName Reg", "@univariate true", "@equalLength true", "@targetLabel true",
             "@data"] + [f"{i},{i + 1},{i + 2}:{i * 0.37:.2f}" for i in range(n)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_regression_ts_stored_unlabelled(tmp_path, capsys):
    out = tmp_path / "r.h5"
    assert main(["windows", str(regression_ts(tmp_path / "Reg.ts")), "-o", str(out)]) == 0
    assert "real-valued targets (a regression problem)" in capsys.readouterr().out
    assert not store_info(out)["labelled"] and read_windows(out).y is None


def test_size_step_refused_for_collections(tmp_path, capsys):
    src = regression_ts(tmp_path / "Reg.ts")
    assert main(["windows", str(src), "-o", str(tmp_path / "r.h5"), "--size", "2"]) == 2
    err = capsys.readouterr().err
    assert "--size apply to recordings" in err and "stored whole" in err
    ucr = tmp_path / "Toy_TRAIN.tsv"
    ucr.write_text("1\t1\t2\t3\n2\t4\t5\t6\n")
    assert main(["windows", str(ucr), "-o", str(tmp_path / "u.h5"), "--step", "1"]) == 2
    assert "--step apply to recordings" in capsys.readouterr().err
    assert not (tmp_path / "u.h5").exists()


def test_tab_separated_recording_detected(tmp_path, capsys):
    from tests.data.test_csv_recordings import fog_csv

    src = fog_csv(tmp_path / "fog.tsv", delimiter="\t")
    assert detect_format(src) == "csv"
    gz = tmp_path / "fog2.tsv.gz"
    gz.write_bytes(gzip.compress(src.read_bytes()))
    assert detect_format(gz) == "csv"
    ucr = tmp_path / "Toy_TRAIN.tsv"
    ucr.write_text("1\t1\t2\t3\n2\t4\t5\t6\n")
    assert detect_format(ucr) == "ucr"
    out = tmp_path / "t.h5"
    assert main(["windows", str(src), "-o", str(out), "--label-column", "is_anomaly", "-q"]) == 0
    assert store_info(out)["sampling_rate"] == 64.0
    assert main(["windows", str(src), "-o", str(tmp_path / "u.h5"), "--format", "ucr"]) == 2
    assert "--format csv" in capsys.readouterr().err


TS_HALF = """@problemName Toy
@univariate true
@equalLength true
@classLabel true {names}
@data
{rows}
"""


def test_ts_folder_and_two_files_merged(tmp_path, capsys):
    d = tmp_path / "Toy"
    d.mkdir()
    (d / "Toy_TRAIN.ts").write_text(TS_HALF.format(names="walk run", rows="1,2,3:walk\n4,5,6:run"))
    (d / "Toy_TEST.ts").write_text(TS_HALF.format(names="run walk jump",
                                                  rows="0,0,1:run\n7,7,7:jump\n1,1,1:walk"))
    assert detect_format(d) == "ts"
    out = tmp_path / "f.h5"
    assert main(["windows", str(d), "-o", str(out), "-q"]) == 0
    w = read_windows(out)
    assert w.X.shape == (5, 3, 1) and w.y.tolist() == [0, 1, 1, 2, 0]
    assert w.recording_names == ["Toy_TRAIN/0", "Toy_TRAIN/1", "Toy_TEST/0", "Toy_TEST/1",
                                 "Toy_TEST/2"]
    attrs = store_info(out)["attrs"]
    assert attrs["classes"] == [[0, "walk"], [1, "run"], [2, "jump"]]
    assert attrs["split"] == "both" and attrs["files"] == ["Toy_TRAIN.ts", "Toy_TEST.ts"]
    # the two files, in either order
    out2 = tmp_path / "g.h5"
    assert main(["windows", str(d / "Toy_TEST.ts"), str(d / "Toy_TRAIN.ts"), "-o", str(out2),
                 "-q"]) == 0
    np.testing.assert_array_equal(read_windows(out2).X, w.X)
    # one half of the folder
    assert main(["windows", str(d), "-o", str(tmp_path / "h.h5"), "--split", "TEST", "-q"]) == 0
    assert read_windows(tmp_path / "h.h5").X.shape == (3, 3, 1)
    # two files that are not the halves of a problem
    other = tmp_path / "Other.ts"
    other.write_text((d / "Toy_TEST.ts").read_text())
    assert main(["windows", str(d / "Toy_TRAIN.ts"), str(other), "-o", str(tmp_path / "x.h5")]) == 2
    assert "NAME_TRAIN.ts and NAME_TEST.ts" in capsys.readouterr().err


def test_ucr_two_files_merged(tmp_path, capsys):
    (tmp_path / "Toy_TRAIN.tsv").write_text("1\t1\t2\t3\n2\t4\t5\t6\n")
    (tmp_path / "Toy_TEST.tsv").write_text("1\t0\t0\t0\n")
    out = tmp_path / "u.h5"
    args = ["windows", str(tmp_path / "Toy_TRAIN.tsv"), str(tmp_path / "Toy_TEST.tsv")]
    assert main([*args, "-o", str(out), "-q"]) == 0
    w = read_windows(out)
    assert w.y.tolist() == [1, 2, 1] and w.recording_names[-1] == "Toy_TEST/0"
    csv = tmp_path / "r.csv"
    csv.write_text("x\n1\n")
    assert main(["windows", str(csv), str(csv), "-o", str(tmp_path / "c.h5")]) == 2
    assert "a csv source is given alone" in capsys.readouterr().err


def test_nan_policy_flag(tmp_path, capsys):
    src = tmp_path / "e.csv"
    src.write_text("time,x\n" + "".join(f"{i / 10},{'' if i == 7 else i}\n" for i in range(300)))
    assert main(["windows", str(src), "-o", str(tmp_path / "r.h5")]) == 2
    assert "NaN or inf at line 9 (sample 7), column 'x'" in capsys.readouterr().err
    out = tmp_path / "i.h5"
    assert main(["windows", str(src), "-o", str(out), "--nan-policy", "interpolate", "-q"]) == 0
    assert read_windows(out).X[0, 7, 0] == 7
    ts = tmp_path / "Gaps.ts"
    ts.write_text("@univariate true\n@classLabel true 1 2\n@data\n1,2,3:1\n4,5,?:2\n")
    assert main(["windows", str(ts), "-o", str(tmp_path / "t.h5")]) == 2
    assert "--nan-policy interpolate" in capsys.readouterr().err
    assert main(["windows", str(ts), "-o", str(out), "--nan-policy", "interpolate",
                 "--overwrite", "-q"]) == 0
    assert read_windows(out).X[1, :, 0].tolist() == [4, 5, 5]
