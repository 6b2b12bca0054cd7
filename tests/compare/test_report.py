"""summarize() and the result texts; write_results(): the four outputs."""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np
import pytest

import tsclust.compare as compare_mod
from tests.compare.conftest import FAST_METHODS, fake_rows
from tsclust.compare import RESULT_COLUMNS, compare, summarize, write_results
from tsclust.compare.report import csv_text, json_text, jsonable, markdown


def test_without_labels_reports_label_free_scores(data, tmp_path):
    X, _, _ = data
    rows = compare(X, None, n_clusters=2, methods=FAST_METHODS, seeds=[0, 1], progress=False)
    for r in rows:
        assert r["error"] is None
        assert math.isnan(r["ari"]) and math.isnan(r["nmi"]) and math.isnan(r["acc"])
        assert math.isfinite(r["silhouette"])
    paths = write_results(rows, tmp_path / "out")
    md = paths["md"].read_text()
    assert "sorted by mean silhouette" in md
    assert paths["png"].stat().st_size > 0


def test_summarize_sorts_by_mean_ari():
    summary = summarize(fake_rows())
    assert [s["method"] for s in summary] == ["b", "a", "c"]
    b = summary[0]
    assert b["runs"] == 2 and b["errors"] == 0
    assert b["ari_mean"] == pytest.approx(0.8)
    assert b["ari_std"] == pytest.approx(np.std([0.9, 0.7], ddof=1))
    assert summary[1]["ari_std"] == 0.0
    assert summary[2]["first_error"] == "E: x"


def test_texts_are_pure_strings():
    rows = fake_rows()
    rows[0]["extra"] = np.float32(0.5)
    table = list(csv.reader(io.StringIO(csv_text(rows))))
    assert table[0] == [*RESULT_COLUMNS, "extra"]
    assert table[1][-1] == "0.5" and table[2][-1] == ""
    assert dict(zip(table[0], table[4], strict=True))["ari"] == "nan"
    payload = json.loads(json_text(rows, {"k": np.int64(3)}))
    assert payload["meta"] == {"k": 3} and payload["rows"][3]["ari"] is None
    assert jsonable({1: (np.arange(2), math.inf, object)}) == {"1": [[0, 1], None, str(object)]}
    md = markdown(rows, {"data": "toy"})
    assert md.startswith("# tsclust compare\n\n- data: toy\n- protocol: transductive; seeds: ")
    assert "| b | 2 | 0.800 ± 0.141 | 0.500 ± 0.000 |" in md


def test_write_results_outputs(data, tmp_path, spies):
    X, y, _ = data
    rows = compare(X, y, n_clusters=2, methods=["kmeans", "boom"], seeds=[0, 1], progress=False)
    meta = {"data": "toy windows 16x2", "command": "pytest"}
    paths = write_results(rows, tmp_path / "nested" / "out", meta=meta)
    assert sorted(p.name for p in paths.values()) == sorted(compare_mod.RESULT_FILES)

    with open(paths["csv"], newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0] == list(RESULT_COLUMNS)
    assert len(table) == 1 + len(rows)
    record = dict(zip(table[0], table[1], strict=True))
    assert record["method"] == "kmeans" and float(record["ari"]) == 1.0
    boom = dict(zip(table[0], table[-1], strict=True))
    assert boom["error"] == "RuntimeError: kaboom" and boom["ari"] == "nan"

    payload = json.loads(paths["json"].read_text())  # strict JSON: NaN written as null
    assert payload["meta"]["data"] == "toy windows 16x2"
    assert "machine" in payload["meta"] and "date" in payload["meta"]
    assert len(payload["rows"]) == len(rows) and payload["rows"][-1]["ari"] is None

    md = paths["md"].read_text()
    lines = md.splitlines()
    assert "- data: toy windows 16x2" in lines and "- command: pytest" in lines
    assert any(line.startswith("- machine: ") for line in lines)
    assert "subsample: all" in md and "protocol: transductive" in md
    table_rows = [line for line in lines if line.startswith("| ") and "---" not in line]
    assert table_rows[1].startswith("| kmeans | 2 | 1.000 ± 0.000")
    assert table_rows[2].startswith("| boom | 2 | n/a") and "RuntimeError: kaboom" in md

    assert paths["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_write_results_refuses_existing_dir(tmp_path):
    rows = fake_rows()
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(FileExistsError, match="overwrite"):
        write_results(rows, out)
    assert list(out.iterdir()) == []
    paths = write_results(rows, out, overwrite=True)
    assert all(p.exists() for p in paths.values())
    with pytest.raises(FileExistsError):
        write_results(rows, out)
    with pytest.raises(ValueError, match="no rows"):
        write_results([], tmp_path / "empty")


def test_write_results_is_all_or_nothing(tmp_path, monkeypatch):
    import tsclust.plotting

    def broken(rows, path):
        path.write_bytes(b"half a figure")
        raise RuntimeError("no figure")

    out = tmp_path / "out"
    first = write_results(fake_rows(), out)
    before = {p.name: p.read_bytes() for p in first.values()}
    monkeypatch.setattr(tsclust.plotting, "plot_compare", broken)
    rows = fake_rows()[:1]
    with pytest.raises(RuntimeError, match="no figure"):
        write_results(rows, out, overwrite=True)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # old files, no temporaries
