"""data/hapt.py: read_hapt / iter_hapt on a tiny fake HAPT (tests/conftest.py's make_hapt).

Layouts, filters and bad inputs are also in test_readers.py; this file checks the reader
against the tiny dataset's own tables (TINY_LENGTHS, TINY_LABELS, tiny_signals).
"""

from __future__ import annotations

import gzip
import io
import zipfile

import numpy as np
import pytest

from tests.conftest import TINY_LABELS, TINY_LENGTHS, tiny_hapt_files, tiny_signals
from tsclust.data.hapt import (
    HAPT_ACTIVITIES,
    HAPT_CHANNELS,
    HAPT_SAMPLING_RATE,
    iter_hapt,
    read_hapt,
)


def expected_labels(exp, user):
    """Per-sample activity of one tiny recording from TINY_LABELS (1-based, inclusive)."""
    labels = np.zeros(TINY_LENGTHS[(exp, user)], dtype=np.int64)
    for e, u, act, start, end in TINY_LABELS:
        if (e, u) == (exp, user):
            labels[start - 1 : end] = act
    return labels


def test_constants():
    assert HAPT_CHANNELS == ["acc_x", "acc_y", "acc_z", "gyro_x", "gyro_y", "gyro_z"]
    assert HAPT_SAMPLING_RATE == 50.0
    assert sorted(HAPT_ACTIVITIES) == list(range(1, 13)) and HAPT_ACTIVITIES[7] == "STAND_TO_SIT"


@pytest.mark.parametrize("layout", ["folder", "zip"])
def test_recordings_signals_and_labels_follow_the_files(make_hapt, layout):
    path = make_hapt(layout)
    recs = read_hapt(path, verbose=0)
    assert [(r.experiment, r.subject) for r in recs] == sorted(TINY_LENGTHS)
    for r in recs:
        e, u = r.experiment, r.subject
        acc, gyro = tiny_signals(e, u)
        assert r.signals.dtype == np.float32 and r.signals.shape == (TINY_LENGTHS[(e, u)], 6)
        np.testing.assert_array_equal(r.signals[:, :3], acc.astype(np.float32))
        np.testing.assert_array_equal(r.signals[:, 3:], gyro.astype(np.float32))
        assert r.channels == HAPT_CHANNELS and r.sampling_rate == 50.0
        assert r.name == f"exp{e:02d}_user{u:02d}" and r.source == str(path)
        np.testing.assert_array_equal(r.labels, expected_labels(e, u))
        want = sorted((s - 1, end, act)
                      for ee, uu, act, s, end in TINY_LABELS if (ee, uu) == (e, u))
        assert r.segments.dtype == np.int64 and r.segments.tolist() == [list(s) for s in want]
        assert r.valid is None


def test_labels_land_on_the_right_samples(make_hapt):
    # by hand: "2 2 1 1 200" and "2 2 7 201 250" are python rows 0..199 and 200..249
    r = read_hapt(make_hapt(), experiments=[2], verbose=0)[0]
    assert r.labels[[0, 199, 200, 249, 250, 259]].tolist() == [1, 1, 7, 7, 0, 0]
    assert r.segments.tolist() == [[0, 200, 1], [200, 250, 7]]


@pytest.mark.parametrize("layout", ["folder", "raw", "zip", "nested_zip"])
def test_iter_hapt_yields_what_read_hapt_returns(make_hapt, layout):
    path = make_hapt(layout, gz=layout == "raw")
    it = iter_hapt(path, verbose=0)
    assert len(it) == 2 and it.pairs == [(1, 1), (2, 2)]
    streamed = list(it)
    for a, b in zip(streamed, read_hapt(path, verbose=0), strict=True):
        assert a.name == b.name
        np.testing.assert_array_equal(a.signals, b.signals)
        np.testing.assert_array_equal(a.labels, b.labels)
    assert len(streamed) == 2
    assert [r.name for r in it] == ["exp01_user01", "exp02_user02"]  # iterable again


def test_subject_and_experiment_filters(make_hapt):
    path = make_hapt()
    (r,) = read_hapt(path, subjects=2, verbose=0)  # one id as a scalar
    assert (r.experiment, r.subject) == (2, 2)
    assert iter_hapt(path, experiments=[1], verbose=0).pairs == [(1, 1)]
    assert len(read_hapt(path, subjects=[1, 2], experiments=[1, 2], verbose=0)) == 2
    with pytest.raises(ValueError, match=r"experiment\(s\) \[3\] not found; available: \[1, 2\]"):
        read_hapt(path, experiments=[1, 3], verbose=0)
    with pytest.raises(ValueError, match=r"no recording in .* matches subjects=\[2\] "
                       r"experiments=\[1\]"):
        read_hapt(path, subjects=[2], experiments=[1], verbose=0)


def test_missing_sources_raise_clear_errors(make_hapt, tmp_path):
    with pytest.raises(FileNotFoundError, match=r"HAPT source .*no_such_folder not found"):
        read_hapt(tmp_path / "no_such_folder", verbose=0)
    with pytest.raises(FileNotFoundError, match="labels.txt not found in"):
        iter_hapt(make_hapt(edit=lambda f: f.pop("labels.txt")), verbose=0)
    with pytest.raises(ValueError, match=r"gyro_exp02_user02\.txt\[\.gz\] is missing .* "
                       r"\(found acc_exp02_user02\)"):
        iter_hapt(make_hapt(edit=lambda f: f.pop("gyro_exp02_user02.txt")), verbose=0)
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as zf:
        zf.writestr("readme.txt", "no HAPT here")
    with pytest.raises(ValueError, match="no HAPT recordings .* found in .*other.zip"):
        read_hapt(tmp_path / "other.zip", verbose=0)


def test_signal_files_are_read_lazily_but_listing_errors_come_first(make_hapt):
    def shorter_gyro(files):  # experiment 2's gyro loses its last row
        lines = files["gyro_exp02_user02.txt"].splitlines(keepends=True)
        files["gyro_exp02_user02.txt"] = b"".join(lines[:-1])

    it = iter_hapt(make_hapt(edit=shorter_gyro), verbose=0)  # listing is fine
    first = next(iter(it))
    assert first.name == "exp01_user01"  # the first recording is read before the bad one
    with pytest.raises(ValueError, match=r"has 260 rows but .*gyro_exp02_user02\.txt has 259"):
        list(it)


def test_a_segment_past_the_end_of_its_recording_is_refused(make_hapt):
    def long_segment(files):
        files["labels.txt"] += b"2 2 4 251 261\n"  # experiment 2 has 260 samples

    with pytest.raises(ValueError, match=r"segment 251-261 of experiment 2 \(user 2\) ends after "
                       r"the last sample \(260\)"):
        read_hapt(make_hapt(edit=long_segment), verbose=0)


def test_plain_text_wins_over_gz_and_segments_are_sorted(make_hapt):
    def both(files):
        # a .gz twin with other values must be ignored; labels listed out of order
        other = np.zeros((TINY_LENGTHS[(1, 1)], 3))
        text = "".join("0 0 0\n" for _ in other).encode()
        files["acc_exp01_user01.txt.gz"] = gzip.compress(text)
        files["labels.txt"] = b"".join(reversed(files["labels.txt"].splitlines(keepends=True)))

    r = read_hapt(make_hapt(edit=both), experiments=[1], verbose=0)[0]
    np.testing.assert_array_equal(r.signals[:, :3], tiny_signals(1, 1)[0].astype(np.float32))
    assert r.segments[:, 0].tolist() == [10, 150]
    np.testing.assert_array_equal(r.labels, expected_labels(1, 1))


def test_macos_resource_files_in_a_zip_are_ignored(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in tiny_hapt_files().items():
            zf.writestr(f"HAPT/RawData/{name}", data)
        # a name the reader would take for a recording (without its gyro file) if read
        zf.writestr("__MACOSX/HAPT/RawData/acc_exp03_user03.txt", b"\x00\x05binary")
    (tmp_path / "mac.zip").write_bytes(buf.getvalue())
    recs = read_hapt(tmp_path / "mac.zip", verbose=0)
    assert [r.name for r in recs] == ["exp01_user01", "exp02_user02"]
    assert recs[1].segments.tolist() == [[0, 200, 1], [200, 250, 7]]


def test_the_shared_hapt_when_present(shared_data):
    (r,) = read_hapt(shared_data / "hapt", experiments=[1], verbose=0)
    assert r.subject == 1 and r.signals.shape[1] == 6 and r.sampling_rate == 50.0
    assert r.signals.shape[0] == len(r.labels) > 10_000  # minutes at 50 Hz
    assert set(np.unique(r.labels)) <= {0, *HAPT_ACTIVITIES}
    assert np.all(r.labels[r.segments[:, 0]] == r.segments[:, 2])
