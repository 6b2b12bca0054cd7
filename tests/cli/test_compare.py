"""``tsclust compare`` on a tiny HAPT-like store."""

from __future__ import annotations

import csv

import numpy as np

from tsclust.cli import main
from tsclust.io import read_windows


def test_compare_writes_tables_and_refuses_unknown_methods(tmp_path, store, capsys):
    out_dir = tmp_path / "cmp"
    args = ["compare", str(store), "-k", "2", "--methods", "stats-kmeans,kmeans,mlp+kmeans",
            "--seeds", "2", "--epochs", "1", "-o", str(out_dir), "-q"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "| stats-kmeans |" in printed and "| mlp+kmeans |" in printed
    for name in ("results.csv", "results.md", "results.json", "results.png"):
        assert (out_dir / name).stat().st_size > 0
    rows = list(csv.DictReader((out_dir / "results.csv").open()))
    assert sorted({r["method"] for r in rows}) == ["kmeans", "mlp+kmeans", "stats-kmeans"]
    assert len(rows) == 6 and np.all([r["error"] == "" for r in rows])
    assert main(args) == 2  # the output folder exists
    assert main([*args, "--overwrite"]) == 0
    capsys.readouterr()
    bad = ["compare", str(store), "-k", "2", "--methods", "nope", "-o", str(tmp_path / "c2")]
    assert main(bad) == 2
    assert "dtw-kmeans" in capsys.readouterr().err


def test_compare_inductive_by_subject(tmp_path, store, capsys):
    out_dir = tmp_path / "ind"
    args = ["compare", str(store), "-k", "2", "--methods", "stats-kmeans", "--seeds", "1",
            "--protocol", "inductive", "--test-fraction", "0.5", "-o", str(out_dir), "-q"]
    assert main(args) == 0
    rows = list(csv.DictReader((out_dir / "results.csv").open()))
    n = len(read_windows(store))
    assert rows[0]["protocol"] == "inductive"
    assert int(rows[0]["n_train"]) + int(rows[0]["n_test"]) == n


def test_compare_scaling(tmp_path, store, capsys):
    base = ["compare", str(store), "-k", "2", "--methods", "kmeans", "--seeds", "1", "-q"]
    assert main([*base, "--scaling", "standard", "-o", str(tmp_path / "s")]) == 0
    assert "scaling: standard" in (tmp_path / "s" / "results.md").read_text()
    bad = [*base, "--scaling", "standard", "--protocol", "inductive", "-o", str(tmp_path / "i")]
    assert main(bad) == 2
    assert "transductive" in capsys.readouterr().err


def test_compare_with_room_for_two_files_leaves_none(tmp_path, store, capsys, monkeypatch):
    from tests.test_io_file_set import fail_on_rename

    fail_on_rename(monkeypatch, 3)
    out_dir = tmp_path / "full"
    args = ["compare", str(store), "-k", "2", "--methods", "kmeans", "--seeds", "1",
            "-o", str(out_dir), "-q"]
    assert main(args) == 2
    assert "No space left" in capsys.readouterr().err
    assert not out_dir.exists()
