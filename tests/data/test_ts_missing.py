"""``.ts`` files: ``?`` is a missing value, never padding (issue #23)."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from tsclust.data import load_ts, read_ts

TRAILING = """@problemName Gaps
@univariate true
@equalLength true
@seriesLength 6
@classLabel true 1 2
@data
1,2,3,4,5,6:1
1,2,3,?,?,?:2
?,2,?,4,5,6:1
"""


def test_trailing_missing_values_keep_the_length(tmp_path, caplog):
    p = tmp_path / "gaps.ts"
    p.write_text(TRAILING)
    with caplog.at_level(logging.WARNING, logger="tsclust.data.ts"):
        coll = load_ts(p)
    assert coll.lengths.tolist() == [6, 6, 6]
    assert np.isnan(coll.series[1][3:, 0]).all()
    assert "1 series end with missing values ('?'), first on line 8" in caplog.text
    assert "nan_policy='interpolate'" in caplog.text


def test_missing_values_interpolated_or_refused(tmp_path):
    p = tmp_path / "gaps.ts"
    p.write_text(TRAILING)
    X, y = read_ts(p, nan_policy="interpolate")
    assert X.shape == (3, 6, 1) and not np.isnan(X).any()
    np.testing.assert_allclose(X[1, :, 0], [1, 2, 3, 3, 3, 3])
    np.testing.assert_allclose(X[2, :, 0], [2, 2, 3, 4, 5, 6])
    with pytest.raises(ValueError, match=r"line 8, dimension 0: missing value \('\?'\) at point 3"):
        load_ts(p, nan_policy="raise")
    with pytest.raises(ValueError, match="nan_policy must be one of"):
        load_ts(p, nan_policy="drop")
    from tsclust._validation import check_collection

    _, lengths = check_collection(X, allow_ragged=True)
    assert lengths.tolist() == [6, 6, 6]
