"""UEA/sktime ``.ts`` files: equal and unequal length, uni- and multivariate."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from tsclust.data import detect_format, load_ts, read_ts

EQUAL = """# a comment
@problemName Toy
@timeStamps false
@missing false
@univariate false
@dimensions 2
@equalLength true
@seriesLength 4
@classLabel true walk run
@data
1,2,3,4:5,6,7,8:walk
0.5,0,0,1:1,1,1,1:run
2,2,2,2:3,3,3,3:walk
"""

UNEQUAL = """@problemName Ragged
@timeStamps false
@missing true
@univariate true
@equalLength false
@classLabel true 1 2
@data
1,2,3:1
4,?,6,7,8:2
9,10:1
"""


def test_read_ts_equal_length_multivariate(tmp_path):
    p = tmp_path / "Toy_TRAIN.ts"
    p.write_text(EQUAL)
    X, y = read_ts(p)
    assert X.shape == (3, 4, 2) and X.dtype == np.float32
    np.testing.assert_array_equal(X[0], [[1, 5], [2, 6], [3, 7], [4, 8]])
    assert y.tolist() == [0, 1, 0]
    c = load_ts(p)
    assert c.problem_name == "Toy" and c.class_names == ["walk", "run"]
    assert c.classes == {0: "walk", 1: "run"} and c.equal_length
    gz = tmp_path / "Toy.ts.gz"
    gz.write_bytes(gzip.compress(EQUAL.encode()))
    np.testing.assert_array_equal(read_ts(gz)[0], X)
    assert detect_format(p) == "ts" and detect_format(gz) == "ts"


def test_read_ts_unequal_length_padded_and_listed(tmp_path):
    p = tmp_path / "Ragged.ts"
    p.write_text(UNEQUAL)
    X, y = read_ts(p)
    assert X.shape == (3, 5, 1)
    assert y.tolist() == [1, 2, 1]  # integer class names keep their values, as in read_ucr
    assert np.isnan(X[0, 3:]).all() and np.isnan(X[1, 1, 0]) and X[1, 4, 0] == 8
    c = load_ts(p)
    assert c.lengths.tolist() == [3, 5, 2] and not c.equal_length
    assert [s.shape for s in c.series] == [(3, 1), (5, 1), (2, 1)]
    np.testing.assert_array_equal(c.series[2][:, 0], [9, 10])


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda s: s.replace("@timeStamps false", "@timeStamps true"), "time-stamped"),
        (lambda s: s.replace("@data\n", ""), "line 10 comes before @data"),
        (lambda s: s.split("@data")[0], "has no @data line"),
        (lambda s: s.replace(":run", ":swim"), r"line 12: class 'swim' is not among"),
        (lambda s: s.replace("0.5,0", "0.5,x"), r"line 12, dimension 0"),
        (lambda s: s.replace("@seriesLength 4", "@seriesLength 5"), "@seriesLength 5"),
        (lambda s: s.replace("@dimensions 2", "@dimensions 3"), r"declares 3 dimension"),
        (lambda s: s.replace(":3,3,3,3:walk", ":walk"), r"line 13 has 1 dimension"),
    ],
)
def test_read_ts_errors(tmp_path, edit, match):
    p = tmp_path / "bad.ts"
    p.write_text(edit(EQUAL))
    with pytest.raises(ValueError, match=match):
        load_ts(p)


def test_read_ts_unlabelled_and_missing_file(tmp_path):
    p = tmp_path / "u.ts"
    p.write_text("@univariate true\n@classLabel false\n@data\n1,2\n3,4\n")
    X, y = read_ts(p)
    assert y is None and X.shape == (2, 2, 1)
    with pytest.raises(FileNotFoundError):
        read_ts(tmp_path / "none.ts")
