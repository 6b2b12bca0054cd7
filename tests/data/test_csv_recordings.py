"""CSV/TSV recordings as users bring them: date-time stamps, label and ignored columns."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from tsclust.data import Recording, infer_rate, read_csv_recording, sample_time, step_decimals

FOG_CHANNELS = [f"{part}_{axis}" for part in ("ankle", "thigh", "trunk") for axis in "xyz"]


def fog_csv(path, n=640, rate=64, extra=None, delimiter=","):
    """A freezing-of-gait-like export: ms-rounded date-time stamps, 9 channels, is_anomaly."""
    rng = np.random.default_rng(0)
    ms = np.round((280 + np.arange(n) / rate) * 1000).astype(np.int64)
    stamps = [str(np.datetime64(int(v), "ms")).replace("T", " ") for v in ms]
    names = ["timestamp", *FOG_CHANNELS, "is_anomaly"] + ([extra] if extra else [])
    lines = [delimiter.join(names)]
    for i, stamp in enumerate(stamps):
        cells = [stamp, *(f"{v:.4f}" for v in rng.normal(size=9)), str(int(200 <= i < 400))]
        lines.append(delimiter.join(cells + (["walk"] if extra else [])))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_datetime_stamps_give_the_exact_rate(tmp_path, caplog):
    p = fog_csv(tmp_path / "fog.csv", extra="note")
    assert "1970-01-01 00:04:40.000" in p.read_text()
    with caplog.at_level(logging.INFO, logger="tsclust.data.files"):
        r = read_csv_recording(
            p, time_column="timestamp", label_column="is_anomaly", ignore_columns=["note"]
        )
    assert r.sampling_rate == 64.0  # the median ms step (16 ms) would give 62.5
    assert r.channels == FOG_CHANNELS and r.signals.shape == (640, 9)
    assert r.labels.tolist() == [int(200 <= i < 400) for i in range(640)]
    assert "64 Hz inferred from the time column 'timestamp'" in caplog.text
    # the rate argument overrides the time column
    r2 = read_csv_recording(
        p, time_column="auto", sampling_rate=50, label_column="is_anomaly", ignore_columns="note"
    )
    assert r2.sampling_rate == 50.0 and r2.channels == FOG_CHANNELS


def test_tab_separated_sniffed_or_given(tmp_path):
    p = fog_csv(tmp_path / "fog.txt", delimiter="\t")
    for delimiter in (None, "\t"):
        r = read_csv_recording(p, "auto", label_column="is_anomaly", delimiter=delimiter)
        assert r.channels == FOG_CHANNELS and r.sampling_rate == 64.0


def test_infer_rate_rounding_rule():
    # ms-rounded 64 Hz stamps over 10 s
    assert infer_rate(np.round(280 + np.arange(640) / 64, 3)) == 64.0
    # exact stamps keep a rate that is not round
    assert infer_rate(np.arange(1000) / 50.2) == pytest.approx(50.2, abs=1e-9)
    assert infer_rate(np.arange(100) * 0.02) == 50.0


def test_infer_rate_skips_gaps(caplog):
    t = np.r_[np.arange(100), np.arange(200, 300)] / 100.0
    with caplog.at_level(logging.WARNING):
        assert infer_rate(t) == 100.0
    assert "1 irregular time step" in caplog.text


def test_duplicate_names_refused(tmp_path):
    p = tmp_path / "dup.csv"
    p.write_text("t,x,y,x\n0,1,2,3\n1,4,5,6\n")
    with pytest.raises(ValueError, match=r"duplicate column name\(s\) \['x'\]"):
        read_csv_recording(p)


def test_non_numeric_column_named_with_a_hint(tmp_path):
    p = fog_csv(tmp_path / "fog.csv", n=20)
    with pytest.raises(ValueError) as info:
        read_csv_recording(p, label_column="is_anomaly")  # time column not named
    msg = str(info.value)
    assert "column 'timestamp' is not numeric (line 2: '1970-01-01 00:04:40.000')" in msg
    assert "--time-column" in msg and "--ignore-columns" in msg
    q = fog_csv(tmp_path / "note.csv", n=20, extra="note")
    with pytest.raises(ValueError, match="column 'note' is not numeric"):
        read_csv_recording(q, "auto", label_column="is_anomaly")
    with pytest.raises(ValueError, match="ignored column 'nope' not among the columns"):
        read_csv_recording(q, "auto", ignore_columns=["note", "nope"])


def test_bad_time_stamps(tmp_path):
    p = tmp_path / "rec.csv"
    p.write_text("time,x\n2024-01-01 00:00:00,1\nyesterday,2\n")
    with pytest.raises(ValueError, match="time column 'time' holds neither numbers"):
        read_csv_recording(p, "auto")
    p.write_text("time,x\n2024-01-01 00:00:01,1\n2024-01-01 00:00:00,2\n")
    with pytest.raises(ValueError, match="not strictly increasing"):
        read_csv_recording(p, "auto")


def test_times_rounded_to_the_step():
    assert step_decimals(50.0) == 2 and step_decimals(64.0) == 6
    assert sample_time(160, 62.50000000000133) == 2.56  # 160 / rate = 2.5599999999999454
    np.testing.assert_array_equal(sample_time(np.array([0, 128]), 50.0), [0.0, 2.56])
    assert Recording(np.zeros((160, 1)), sampling_rate=62.50000000000133).duration == 2.56


def test_recording_from_frame_reads_like_a_csv(tmp_path):
    pd = pytest.importorskip("pandas", reason="pandas is not installed")
    from tsclust.data import recording_from_frame

    n = 640  # 10 s at 64 Hz, stamps as datetime64 (microsecond steps of 15625)
    stamps = pd.date_range("2024-01-01", periods=n, freq=pd.Timedelta(microseconds=15625))
    df = pd.DataFrame({
        "timestamp": stamps, "a": np.arange(n, dtype=float), "b": np.sin(np.arange(n)),
        "is_anomaly": np.repeat([0, 1], n // 2), "note": ["x"] * n,
    })
    rec = recording_from_frame(df, time_column="timestamp", label_column="is_anomaly",
                               ignore_columns=["note"], name="fog")
    assert rec.sampling_rate == 64.0 and rec.channels == ["a", "b"] and rec.name == "fog"
    np.testing.assert_allclose(rec.signals[:, 1], np.sin(np.arange(n)), atol=1e-6)
    assert rec.labels.tolist() == df["is_anomaly"].tolist()
    # the same frame written to a CSV file gives the same recording
    path = tmp_path / "fog.csv"
    df.to_csv(path, index=False)
    same = read_csv_recording(path, time_column="timestamp", label_column="is_anomaly",
                              ignore_columns=["note"])
    np.testing.assert_array_equal(same.signals, rec.signals)
    with pytest.raises(ValueError, match="column 'note' is not numeric"):
        recording_from_frame(df, time_column="timestamp")
    with pytest.raises(TypeError, match="pandas DataFrame"):
        recording_from_frame(np.zeros((3, 2)))
