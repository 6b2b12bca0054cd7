"""read_ucr_index: the problems of a UCR archive folder, from INDEX.tsv or its subfolders."""

from __future__ import annotations

import pytest

from tsclust.data import read_ucr_index


def make_archive(root, names=("B", "A")):
    for name in names:
        (root / name).mkdir(parents=True)
        (root / name / f"{name}_TRAIN.tsv").write_text("1\t0.5\t0.25\n")
    (root / "notes").mkdir()  # no TRAIN file: not a problem
    return root


def test_index_file_gives_sizes(tmp_path):
    root = make_archive(tmp_path)
    (root / "INDEX.tsv").write_text(
        "dataset\tn_train\tn_test\tlength(padded)\tn_classes\thas_NaN\n"
        "B\t3\t4\t2\t2\tno\nA\t1\t2\t2\t3\tno\n")
    got = read_ucr_index(root)
    assert [e["name"] for e in got] == ["A", "B"]
    assert got[1] == {"name": "B", "path": str(root / "B"), "n_train": 3, "n_test": 4,
                      "length": 2, "n_classes": 2}


def test_without_index_the_subfolders_are_listed(tmp_path):
    got = read_ucr_index(make_archive(tmp_path))
    assert [(e["name"], e["n_train"]) for e in got] == [("A", None), ("B", None)]


def test_bad_index_and_missing_folders(tmp_path):
    root = make_archive(tmp_path)
    (root / "INDEX.tsv").write_text("dataset\tn_train\nA\tmany\n")
    with pytest.raises(ValueError, match="line 2"):
        read_ucr_index(root)
    (root / "INDEX.tsv").write_text("dataset\tn_train\nC\t1\n")
    with pytest.raises(FileNotFoundError, match="lists C"):
        read_ucr_index(root)
    with pytest.raises(FileNotFoundError):
        read_ucr_index(tmp_path / "absent")
