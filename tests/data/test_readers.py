"""Readers: HAPT (folder, RawData, zip, gz), UCR, CSV, NumPy, the embedded sample."""

from __future__ import annotations

import gzip
import logging
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import TINY_LENGTHS, tiny_signals
from tsclust.data import (
    HAPT_CHANNELS,
    Recording,
    iter_hapt,
    load_sample,
    read_csv_recording,
    read_hapt,
    read_npy_recording,
    read_ucr,
)
from tsclust.preprocessing import SlidingWindows

# --------------------------------------------------------------------------- HAPT, tiny


@pytest.mark.parametrize("layout", ["folder", "raw", "zip", "nested_zip"])
@pytest.mark.parametrize("gz", [False, True])
def test_read_hapt_layouts(make_hapt, layout, gz):
    recs = read_hapt(make_hapt(layout, gz=gz), verbose=0)
    assert [r.name for r in recs] == ["exp01_user01", "exp02_user02"]
    r = recs[0]
    assert r.signals.shape == (300, 6) and r.signals.dtype == np.float32
    assert r.channels == HAPT_CHANNELS and r.sampling_rate == 50.0
    assert (r.subject, r.experiment) == (1, 1)
    acc, gyro = tiny_signals(1, 1)
    np.testing.assert_array_equal(r.signals, np.hstack([acc, gyro]).astype(np.float32))
    # labels.txt "1 1 5 11 150" is 1-based inclusive: python rows 10..149
    assert r.labels[9] == 0 and r.labels[10] == 5 and r.labels[289] == 5 and r.labels[290] == 0
    assert r.segments.tolist() == [[10, 150, 5], [150, 290, 5]]
    assert recs[1].labels[0] == 1 and recs[1].labels[249] == 7 and recs[1].labels[250] == 0
    assert r.valid is None


def test_read_hapt_filters(make_hapt):
    path = make_hapt()
    assert [r.subject for r in read_hapt(path, subjects=[2], verbose=0)] == [2]
    assert [r.experiment for r in read_hapt(path, experiments=[1], verbose=0)] == [1]
    with pytest.raises(ValueError, match=r"subject\(s\) \[7\] not found"):
        read_hapt(path, subjects=[7], verbose=0)
    with pytest.raises(ValueError, match="no recording"):
        read_hapt(path, subjects=[1], experiments=[2], verbose=0)
    it = iter_hapt(path, verbose=0)
    assert len(it) == 2 and len(list(it)) == 2


def _drop(name):
    return lambda files: files.pop(name)


@pytest.mark.parametrize(
    "edit, exc, match",
    [
        (_drop("gyro_exp02_user02.txt"), ValueError, r"gyro_exp02_user02\.txt\[\.gz\] is missing"),
        (_drop("acc_exp01_user01.txt"), ValueError, r"acc_exp01_user01\.txt\[\.gz\] is missing"),
        (_drop("labels.txt"), FileNotFoundError, "labels.txt not found"),
        (
            lambda f: f.__setitem__(
                "gyro_exp01_user01.txt",
                b"".join(f["gyro_exp01_user01.txt"].splitlines(keepends=True)[:-1]),
            ),
            ValueError,
            r"acc_exp01_user01\.txt has 300 rows but .*gyro_exp01_user01\.txt has 299",
        ),
        (
            lambda f: f.__setitem__("acc_exp02_user02.txt", b"hello world foo\n1 2 3\n"),
            ValueError,
            r"acc_exp02_user02\.txt is not a whitespace-separated numeric table",
        ),
        (
            lambda f: f.__setitem__("acc_exp02_user02.txt", b"1 2\n3 4\n"),
            ValueError,
            r"acc_exp02_user02\.txt has 2 column\(s\); expected 3",
        ),
        (
            lambda f: f.__setitem__("acc_exp02_user02.txt", b""),
            ValueError,
            r"acc_exp02_user02\.txt contains no data rows",
        ),
        (
            lambda f: f.__setitem__("labels.txt", f["labels.txt"] + b"3 3 1 1 10\n"),
            ValueError,
            r"line 5 references experiment 3 of user 3",
        ),
        (
            lambda f: f.__setitem__("labels.txt", f["labels.txt"] + b"2 2 1 255 300\n"),
            ValueError,
            r"segment 255-300 of experiment 2 .* ends after the last sample \(260\)",
        ),
        (
            lambda f: f.__setitem__("labels.txt", b"1 1 5 20 10\n"),
            ValueError,
            r"labels.txt: line 1 .* is not a valid segment",
        ),
        (
            lambda f: f.__setitem__("labels.txt", b"1 1 99 20 30\n"),
            ValueError,
            r"labels.txt: line 1 has activity 99; HAPT's activities are 1-12",
        ),
        (
            lambda f: f.__setitem__("labels.txt", b"1 1 5 20 30\n1 1 6 60 70\n1 1 4 30 40\n"),
            ValueError,
            r"lines 1 and 3 label overlapping samples of experiment 1 \(samples 20-30 and 30-40",
        ),
    ],
)
def test_read_hapt_bad_input(make_hapt, edit, exc, match):
    with pytest.raises(exc, match=match):
        read_hapt(make_hapt(edit=edit), verbose=0)


def test_read_hapt_bad_paths(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        read_hapt(tmp_path / "nope", verbose=0)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no HAPT recordings"):
        read_hapt(tmp_path / "empty", verbose=0)
    (tmp_path / "x.txt").write_text("1 2 3\n")
    with pytest.raises(ValueError, match="neither a folder nor a zip"):
        read_hapt(tmp_path / "x.txt", verbose=0)
    with pytest.raises(ValueError, match="nan_policy"):
        read_hapt(tmp_path, nan_policy="ignore", verbose=0)


def _put_nan(rows, name="acc_exp01_user01.txt"):
    def edit(files):
        lines = files[name].decode().splitlines(keepends=True)
        for r in rows:
            lines[r] = "nan 0.1 0.2\n"
        files[name] = "".join(lines).encode()

    return edit


def test_nan_raise_names_file_and_line(make_hapt):
    with pytest.raises(
        ValueError, match=r"acc_exp01_user01\.txt: NaN or inf at line 6 \(sample 5\)"
    ):
        read_hapt(make_hapt(edit=_put_nan([5])), verbose=0)


def test_nan_drop_marks_invalid_and_windows_skip(make_hapt):
    recs = read_hapt(make_hapt(edit=_put_nan([40])), nan_policy="drop", verbose=0)
    r = recs[0]
    assert r.valid is not None and (~r.valid).sum() == 1 and not r.valid[40]
    assert np.isnan(r.signals[40, 0])
    w = SlidingWindows(size=32, step=16, labels="pure").transform(recs)
    starts = w.origins[w.origins[:, 0] == 0, 1]
    # segment [10, 150): starts 10, 26, 42, ...; 10 and 26 contain sample 40
    assert 10 not in starts and 26 not in starts and 42 in starts
    assert np.isfinite(w.X).all()


def test_nan_interpolate(make_hapt):
    recs = read_hapt(
        make_hapt(edit=_put_nan([40, 41, 100, 101, 102, 103, 104])),
        nan_policy="interpolate",
        max_gap=3,
        verbose=0,
    )
    r = recs[0]
    acc, _ = tiny_signals(1, 1)
    expected = acc[39, 0] + (acc[42, 0] - acc[39, 0]) * np.array([1, 2]) / 3
    np.testing.assert_allclose(r.signals[40:42, 0], expected, rtol=1e-6)
    # the 5-sample gap is longer than max_gap: left invalid
    assert r.valid is not None and not r.valid[100:105].any() and r.valid[:100].all()


# --------------------------------------------------------------------------- HAPT, real


def test_read_hapt_shared_one_recording(shared_data):
    (r,) = read_hapt(shared_data / "hapt", experiments=[1], verbose=0)
    assert r.signals.shape == (20598, 6) and r.name == "exp01_user01"
    np.testing.assert_allclose(r.signals[:, :3].mean(0), [0.88, -0.10, 0.10], atol=0.02)
    # first labels.txt row: "1 1 5 250 1232"
    assert r.labels[248] == 0 and r.labels[249] == 5 and r.labels[1231] == 5
    assert r.segments[0].tolist() == [249, 1232, 5]


@pytest.mark.slow
def test_hapt_full_pure_window_count(shared_data):
    w = SlidingWindows(size=128, step=64, labels="pure").transform(
        read_hapt(shared_data / "hapt", verbose=0)
    )
    assert len(w) == 10929
    counts = w.class_counts()
    assert [counts[a] for a in range(1, 13)] == [
        1722, 1544, 1407, 1801, 1979, 1958, 70, 33, 107, 85, 139, 84
    ]  # fmt: skip
    assert len(np.unique(w.subject)) == 30 and w.X.shape == (10929, 128, 6)


# --------------------------------------------------------------------------- UCR


def _ucr_text(y, X):
    return "".join(
        "\t".join([f"{a:g}"] + [f"{v:g}" for v in row]) + "\n" for a, row in zip(y, X, strict=True)
    )


def test_read_ucr_files_and_folder(tmp_path):
    d = tmp_path / "Toy"
    d.mkdir()
    Xtr, Xte = np.arange(12.0).reshape(3, 4), -np.arange(8.0).reshape(2, 4)
    (d / "Toy_TRAIN.tsv").write_text(_ucr_text([1, 2, 1], Xtr))
    (d / "Toy_TEST.tsv.gz").write_bytes(gzip.compress(_ucr_text([2, -1], Xte).encode()))
    X, y = read_ucr(d / "Toy_TRAIN.tsv")
    assert X.shape == (3, 4, 1) and X.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_array_equal(X[:, :, 0], Xtr)
    assert y.tolist() == [1, 2, 1]
    X, y = read_ucr(d, split="TEST")
    assert y.tolist() == [2, -1] and X.shape == (2, 4, 1)
    X, y = read_ucr(d, split="both")
    assert X.shape == (5, 4, 1) and y.tolist() == [1, 2, 1, 2, -1]
    X2, y2 = read_ucr(d / "Toy_TRAIN.tsv", split="both")
    np.testing.assert_array_equal(X2, X)


def test_read_ucr_errors(tmp_path):
    with pytest.raises(ValueError, match="split must be"):
        read_ucr(tmp_path, split="VALID")
    with pytest.raises(FileNotFoundError, match="_TRAIN"):
        read_ucr(tmp_path)
    with pytest.raises(FileNotFoundError):
        read_ucr(tmp_path / "none.tsv")
    bad = tmp_path / "Bad_TRAIN.tsv"
    bad.write_text("1\tabc\t2\n")
    with pytest.raises(ValueError, match=r"Bad_TRAIN\.tsv is not a '\\t'-separated numeric"):
        read_ucr(bad)
    bad.write_text("1\t1\t2\n2\tnan\t3\n")
    with pytest.raises(ValueError, match=r"Bad_TRAIN\.tsv: NaN or inf in series on line 2"):
        read_ucr(bad)


def test_read_ucr_shared_gunpoint(shared_data):
    X, y = read_ucr(shared_data / "ucr2018" / "GunPoint", split="both")
    assert X.shape == (200, 150, 1) and sorted(set(y.tolist())) == [1, 2]


# --------------------------------------------------------------------------- CSV / NumPy


def test_read_csv_with_time_and_labels(tmp_path):
    p = tmp_path / "rec.csv"
    t = np.arange(100) / 50.0
    rows = ["time,ax,ay,label"] + [f"{a},{a * 2},{-a},{int(a > 1)}" for a in t]
    p.write_text("\n".join(rows) + "\n")
    r = read_csv_recording(p, time_column="auto", label_column="auto")
    assert r.channels == ["ax", "ay"] and r.signals.shape == (100, 2)
    assert r.sampling_rate == pytest.approx(50.0)
    assert r.labels.sum() == 49 and r.name == "rec"
    np.testing.assert_allclose(r.signals[:, 0], t * 2, rtol=1e-6)
    r2 = read_csv_recording(p, time_column="time", sampling_rate=10.0)
    assert r2.sampling_rate == 10.0 and r2.channels == ["ax", "ay", "label"]


def test_read_csv_without_time(tmp_path, caplog):
    p = tmp_path / "rec.csv"
    p.write_text("a,b\n1,2\n3,4\n5,6\n")
    with caplog.at_level(logging.WARNING):
        r = read_csv_recording(p, time_column="auto")
    assert r.sampling_rate == 1.0 and "assuming 1 Hz" in caplog.text
    assert "sampling_rate=" in caplog.text and "--sampling-rate" in caplog.text
    assert r.channels == ["a", "b"] and r.labels is None


@pytest.mark.parametrize(
    "text, kwargs, match",
    [
        ("a,b\n1,x\n", {}, r"rec\.csv: column 'b' is not numeric \(line 2: 'x'\)"),
        ("1,2\n3,4\n", {}, "header row of channel names"),
        ("a,b\n1,2\n", {"time_column": "t"}, r"time column 't' not among the columns"),
        ("t,a\n0,1\n0,2\n", {"time_column": "t"}, "not strictly increasing"),
        ("a,b\n1,2\n3,nan\n", {}, r"NaN or inf at line 3 \(sample 1\), column 'b'"),
        ("a,label\n1,0.5\n", {"label_column": "label"}, "must hold integers"),
    ],
)
def test_read_csv_errors(tmp_path, text, kwargs, match):
    p = tmp_path / "rec.csv"
    p.write_text(text)
    with pytest.raises(ValueError, match=match):
        read_csv_recording(p, **kwargs)


def test_read_npy(tmp_path):
    p = tmp_path / "sig.npy"
    np.save(p, np.arange(20.0).reshape(10, 2))
    r = read_npy_recording(p, sampling_rate=25.0, channels=["x", "y"])
    assert r.signals.shape == (10, 2) and r.channels == ["x", "y"] and r.sampling_rate == 25.0
    np.save(p, np.arange(5.0))
    assert read_npy_recording(p, sampling_rate=1).signals.shape == (5, 1)
    np.save(p, np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match="expected shape"):
        read_npy_recording(p)
    np.save(p, np.array(["a", "b"]))
    with pytest.raises(ValueError, match="numeric array"):
        read_npy_recording(p)
    (tmp_path / "junk.npy").write_text("not numpy")
    with pytest.raises(ValueError, match="not a .npy array file"):
        read_npy_recording(tmp_path / "junk.npy")
    with pytest.raises(FileNotFoundError):
        read_npy_recording(tmp_path / "missing.npy")


def test_read_npy_without_rate_names_argument_and_flag(tmp_path, caplog):
    p = tmp_path / "sig.npy"
    np.save(p, np.zeros((10, 2)))
    with caplog.at_level(logging.WARNING):
        r = read_npy_recording(p)
    assert r.sampling_rate == 1.0
    assert "sampling_rate=" in caplog.text and "--sampling-rate" in caplog.text


# --------------------------------------------------------------------------- sample / Recording


def test_load_sample():
    recs = load_sample()
    assert len(recs) == 6 and {r.subject for r in recs} == {8, 9, 12}
    assert all(r.signals.dtype == np.float32 and r.channels == HAPT_CHANNELS for r in recs)
    assert all(r.segments is not None and r.labels.max() >= 11 for r in recs)
    w = SlidingWindows().transform(recs)
    assert len(w) == 946 and set(w.class_counts()) == set(range(1, 13))
    import tsclust.data

    npz = Path(tsclust.data.__file__).parent / "datasets" / "hapt_sample.npz"
    assert npz.stat().st_size < 2_000_000
    assert (npz.parent / "README.md").is_file()


def test_sample_matches_shared_data(shared_data):
    (ref,) = read_hapt(shared_data / "hapt", experiments=[15], verbose=0)
    rec = load_sample()[0]
    assert rec.name == ref.name
    np.testing.assert_array_equal(rec.signals, ref.signals)
    np.testing.assert_array_equal(rec.labels, ref.labels)
    np.testing.assert_array_equal(rec.segments, ref.segments)


def test_recording_validation():
    with pytest.raises(ValueError, match="labels must have shape"):
        Recording(np.zeros((5, 2)), labels=np.zeros(4))
    with pytest.raises(ValueError, match="channel name"):
        Recording(np.zeros((5, 2)), channels=["a"])
    with pytest.raises(ValueError, match="sampling_rate must be positive"):
        Recording(np.zeros((5, 2)), sampling_rate=0)
    with pytest.raises(ValueError, match="NaN or inf at sample 3"):
        Recording(np.where(np.arange(5)[:, None] == 3, np.nan, 0.0), name="r")
    with pytest.raises(ValueError, match="segments must be"):
        Recording(np.zeros((5, 1)), segments=[[0, 6, 1]])
    r = Recording(np.where(np.arange(5)[:, None] == 3, np.nan, 0.0), valid=np.arange(5) != 3)
    assert r.n_samples == 5 and r.duration == 5.0
    assert TINY_LENGTHS  # fixture data importable
