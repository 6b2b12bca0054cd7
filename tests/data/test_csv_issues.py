"""CSV recordings: the cases of issue #23 (label-like channels, gaps, epoch stamps, cells)."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from tsclust.data import read_csv_recording


def write(path, header, rows):
    path.write_text(header + "\n" + "\n".join(",".join(map(str, r)) for r in rows) + "\n")
    return path


# ------------------------------------------------------------------ 1: label-like channels


def test_label_like_channel_is_warned(tmp_path, caplog):
    p = write(tmp_path / "r.csv", "time,x,is_anomaly", [(i / 10, i, int(i > 5)) for i in range(20)])
    with caplog.at_level(logging.WARNING, logger="tsclust.data.files"):
        rec = read_csv_recording(p, "auto", label_column="auto")
    assert rec.channels == ["x", "is_anomaly"]
    assert "'is_anomaly' are read as sensor channels" in caplog.text
    assert "--label-column is_anomaly" in caplog.text and "--ignore-columns" in caplog.text
    for name in ("target", "y", "Label", "class_id"):
        caplog.clear()
        q = write(tmp_path / "q.csv", f"value,{name}", [(i, 1) for i in range(5)])
        with caplog.at_level(logging.WARNING, logger="tsclust.data.files"):
            read_csv_recording(q, sampling_rate=1, label_column=None)
        assert "look like a label column" in caplog.text, name
    caplog.clear()  # no warning for sensor names, x/y axes or real-valued readings
    q = write(tmp_path / "ok.csv", "acc_x,axis_y,this_z,x,y,target", [(1, 2, 3, 4, 5, 0.5)] * 5)
    with caplog.at_level(logging.WARNING, logger="tsclust.data.files"):
        read_csv_recording(q, sampling_rate=1)
    assert "label column" not in caplog.text


def test_label_zero_is_class(tmp_path):
    p = write(tmp_path / "r.csv", "time,x,is_anomaly", [(i / 10, i, int(i > 5)) for i in range(20)])
    rec = read_csv_recording(p, "auto", label_column="is_anomaly")
    assert rec.labels.tolist() == [int(i > 5) for i in range(20)]  # default: 0 = unlabelled
    rec = read_csv_recording(p, "auto", label_column="is_anomaly", label_zero_is_class=True)
    assert rec.labels.tolist() == [int(i > 5) + 1 for i in range(20)]
    with pytest.raises(ValueError, match="needs a label column"):
        read_csv_recording(p, "auto", label_column=None, label_zero_is_class=True)
    q = write(tmp_path / "neg.csv", "x,label", [(1, 0), (2, -1)])
    with pytest.raises(ValueError, match=r"labels must lie in 0 \.\. 2\*\*63-2 \(line 3: -1\)"):
        read_csv_recording(q, sampling_rate=1, label_column="label", label_zero_is_class=True)


# ------------------------------------------------------------------ 3: gaps in the time column


def test_gap_in_time_column_is_kept_as_missing_samples(tmp_path, caplog):
    t = np.r_[np.arange(300) / 10, 42 + np.arange(300) / 10]  # 30 s, a 12 s gap, 30 s
    rows = [(f"{a:.1f}", np.sin(a), 1 if a < 30 else 2) for a in t]
    p = write(tmp_path / "gap.csv", "time,x,label", rows)
    with caplog.at_level(logging.WARNING, logger="tsclust.data.files"):
        rec = read_csv_recording(p, "auto", label_column="auto")
    assert "gap of 12.1 s in the time column 'time' between lines 301 and 302" in caplog.text
    assert "(120 missing sample(s))" in caplog.text
    assert rec.sampling_rate == 10.0 and rec.n_samples == 720 and rec.duration == 72.0
    assert not rec.valid[300:420].any() and rec.valid[:300].all() and rec.valid[420:].all()
    assert (rec.labels[300:420] == 0).all() and rec.labels[420] == 2
    np.testing.assert_allclose(rec.signals[420, 0], np.sin(42.0), atol=1e-6)
    from tsclust.preprocessing import SlidingWindows

    w = SlidingWindows(size=50, step=10, labels="none").transform([rec])
    starts = w.origins[:, 1]
    assert not ((starts < 420) & (starts + 50 > 300)).any()  # no window straddles the gap
    # a given rate: the gap is found from the median step
    rec = read_csv_recording(p, "auto", sampling_rate=10, label_column="auto")
    assert rec.n_samples == 720
    # interpolate fills short gaps only
    rows = [(i / 10, i) for i in range(50) if i != 20]
    q = write(tmp_path / "short.csv", "time,x", rows)
    rec = read_csv_recording(q, "auto", nan_policy="interpolate")
    assert rec.n_samples == 50 and rec.valid is None and rec.signals[20, 0] == 20


def test_gap_too_large_to_fill(tmp_path):
    p = write(tmp_path / "g.csv", "time,x", [(0, 1), (1, 2), (2, 3), (1e9, 4)])
    with pytest.raises(ValueError, match="too many to hold as missing samples"):
        read_csv_recording(p, "auto")


# ------------------------------------------------------------------ 4: epoch time stamps


@pytest.mark.parametrize("unit,scale", [("ms", 10**3), ("us", 10**6), ("ns", 10**9)])
def test_epoch_time_columns_are_converted(tmp_path, caplog, unit, scale):
    start = 1_700_000_000 * scale
    rows = [(start + i * scale // 50, i) for i in range(200)]
    p = write(tmp_path / "e.csv", "timestamp,x", rows)
    with caplog.at_level(logging.WARNING, logger="tsclust.data.files"):
        rec = read_csv_recording(p, "auto")
    assert rec.sampling_rate == 50.0
    assert f"read as an epoch in {unit}" in caplog.text and "--time-unit" in caplog.text
    assert read_csv_recording(p, "auto", time_unit=unit).sampling_rate == 50.0


def test_millisecond_counter_warned_and_unit_given(tmp_path, caplog):
    p = write(tmp_path / "ms.csv", "t,x", [(i * 20, i) for i in range(100)])
    with caplog.at_level(logging.WARNING, logger="tsclust.data.files"):
        assert read_csv_recording(p, "auto").sampling_rate == 0.05
    assert "gives a sampling rate of 0.05 Hz" in caplog.text and "--time-unit ms" in caplog.text
    assert read_csv_recording(p, "auto", time_unit="ms").sampling_rate == 50.0
    with pytest.raises(ValueError, match="time_unit must be"):
        read_csv_recording(p, "auto", time_unit="min")


# ------------------------------------------------------------------ 5: labels beyond int64


def test_label_outside_int64_refused(tmp_path):
    p = write(tmp_path / "big.csv", "x,label", [(1, 1), (2, 2**63 + 5)])
    with pytest.raises(ValueError, match=r"outside the int64 range.*\(line 3"):
        read_csv_recording(p, sampling_rate=1, label_column="label")
    q = write(tmp_path / "max.csv", "x,label", [(1, 1), (2, 2**63 - 1)])
    rec = read_csv_recording(q, sampling_rate=1, label_column="label")
    assert rec.labels.tolist() == [1, 2**63 - 1]
    q = write(tmp_path / "frac.csv", "x,label", [(1, 1), (2, 1.5)])
    with pytest.raises(ValueError, match=r"must hold integers \(line 3: 1.5\)"):
        read_csv_recording(q, sampling_rate=1, label_column="label")


# ------------------------------------------------------------------ 9: empty and huge cells


def test_empty_cell_is_missing(tmp_path):
    p = tmp_path / "e.csv"
    p.write_text("time,a,b\n0,1,2\n0.1,,3\n0.2,3,\"\"\n0.3,4,5\n")
    with pytest.raises(ValueError, match=r"NaN or inf at line 3 \(sample 1\), column 'a'"):
        read_csv_recording(p, "auto")
    rec = read_csv_recording(p, "auto", nan_policy="interpolate")
    np.testing.assert_allclose(rec.signals, [[1, 2], [2, 3], [3, 4], [4, 5]])
    rec = read_csv_recording(p, "auto", nan_policy="drop")
    assert rec.valid.tolist() == [True, False, False, True]
    q = tmp_path / "lab.csv"
    q.write_text("a,label\n1,1\n2,\n")
    with pytest.raises(ValueError, match=r"label column 'label' must hold integers \(line 3: empty"):
        read_csv_recording(q, sampling_rate=1, label_column="label")


def test_float32_overflow_names_line_and_column(tmp_path):
    p = tmp_path / "big.csv"
    p.write_text("a,b\n" + "1,2\n" * 500 + "3,1e39\n")
    with pytest.raises(ValueError, match=r"value 1e\+39 at line 502, column 'b' is too large"):
        read_csv_recording(p, sampling_rate=1)
