"""tsclust.io.write_file_set: several result files written into one folder, all or none."""

from __future__ import annotations

import errno
import os

import pytest

from tests.compare.conftest import fake_rows
from tsclust.compare import RESULT_FILES, write_results
from tsclust.io import write_file_set


def fail_on_rename(monkeypatch, n):
    """Make the ``n``-th ``os.replace`` onto a final (not temporary) name fail: a full disk."""
    real, calls = os.replace, []

    def replace(src, dst, *args, **kwargs):
        if not os.path.basename(dst).startswith("."):
            calls.append(dst)
            if len(calls) == n:
                raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    return calls


def test_a_failed_third_file_leaves_no_file_and_no_folder(tmp_path, monkeypatch):
    fail_on_rename(monkeypatch, 3)
    out = tmp_path / "new" / "results"
    with pytest.raises(OSError, match="No space left"):
        write_results(fake_rows(), out)
    assert not (tmp_path / "new").exists()  # the folders it made are gone, and the 2 files


def test_a_failed_overwrite_restores_the_previous_files(tmp_path, monkeypatch):
    out = tmp_path / "res"
    texts = {"a.txt": "old a", "b.txt": "old b", "c.txt": "old c"}
    write_file_set(out, texts)
    (out / "keep.txt").write_text("other")
    fail_on_rename(monkeypatch, 2)  # a.txt replaced, b.txt moved aside, then a failure
    with pytest.raises(OSError):
        write_file_set(out, {k: "new" for k in texts}, overwrite=True)
    assert {p.name: p.read_text() for p in out.iterdir()} == {**texts, "keep.txt": "other"}


def test_a_failing_figure_or_text_changes_nothing(tmp_path):
    def boom(path):
        raise RuntimeError("plot failed")

    with pytest.raises(RuntimeError, match="plot failed"):
        write_file_set(tmp_path / "o", {"a.txt": "A"}, {"f.png": boom})
    assert not (tmp_path / "o").exists()
    paths = write_file_set(tmp_path / "o", {"a.txt": "A"}, {"f.png": lambda p: p.write_bytes(b"x")})
    assert [p.name for p in paths.values()] == ["a.txt", "f.png"]
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["a.txt", "f.png"]
    with pytest.raises(FileExistsError):
        write_file_set(tmp_path / "o", {"a.txt": "A"})


def test_write_results_writes_the_four_files(tmp_path):
    paths = write_results(fake_rows(), tmp_path / "r")
    assert sorted(p.name for p in paths.values()) == sorted(RESULT_FILES)
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == sorted(RESULT_FILES)
