"""The documentation site builds from one command without a warning."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_docs_build_without_warnings(tmp_path: Path) -> None:
    pytest.importorskip("sphinx", reason="sphinx is in the dev extra: pip install -e '.[dev]'")
    pytest.importorskip("numpydoc", reason="numpydoc is in the dev extra")
    pytest.importorskip("myst_parser", reason="myst-parser is in the dev extra")
    out = tmp_path / "html"
    cmd = [sys.executable, "-m", "sphinx", "-E", "-W", "--keep-going", "-q", "-b", "html",
           "-d", str(tmp_path / "doctrees"), str(DOCS), str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    for page in ("index", "quickstart", "data", "cli", "results_panel", "api"):
        assert (out / f"{page}.html").is_file(), page
    api = (out / "api.html").read_text(encoding="utf-8")
    assert "DeepClusterer" in api and "select_k" in api
