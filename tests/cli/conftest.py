"""Fixtures of the command-line tests: a tiny HAPT-like window store."""

from __future__ import annotations

import pytest

from tsclust.cli import main


@pytest.fixture()
def store(tmp_path, make_hapt, capsys):
    path = tmp_path / "w.h5"
    assert main(["windows", str(make_hapt()), "-o", str(path), "--size", "32", "--step", "8", "-q"]) == 0
    capsys.readouterr()
    return path
