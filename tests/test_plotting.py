"""plot_compare: headless figures from compare rows."""

from __future__ import annotations

import math

import matplotlib
import pytest
from matplotlib.figure import Figure

from tsclust.plotting import plot_compare

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _rows(with_labels: bool = True):
    rows = []
    for method, wall, score in [
        ("a", 0.01, 0.3),
        ("a", 0.02, 0.4),
        ("b", 5.0, 0.8),
        ("b", 7.0, 0.7),
    ]:
        rows.append(
            {
                "method": method,
                "seed": len(rows),
                "ari": score if with_labels else math.nan,
                "silhouette": score / 2,
                "wall_time_s": wall,
                "error": None,
            }
        )
    rows.append({"method": "c", "seed": 0, "ari": math.nan, "wall_time_s": 1.0, "error": "E: x"})
    return rows


def test_writes_png_without_touching_the_backend(tmp_path):
    backend = matplotlib.get_backend()
    path = plot_compare(_rows(), tmp_path / "r.png")
    assert path == tmp_path / "r.png"
    assert path.read_bytes()[:8] == PNG_MAGIC
    assert matplotlib.get_backend() == backend


def test_draws_on_given_axes():
    ax = Figure().add_subplot()
    out = plot_compare(_rows(), ax)
    assert out is ax
    assert ax.get_xscale() == "log"
    assert ax.get_ylabel() == "ARI"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["a", "b"]  # the failed method has no point


def test_falls_back_to_silhouette_without_labels():
    ax = plot_compare(_rows(with_labels=False), Figure().add_subplot())
    assert ax.get_ylabel().startswith("silhouette")
    ax = plot_compare(_rows(), Figure().add_subplot(), score="nmi")
    assert ax.get_ylabel() == "NMI"


def test_no_successful_run_still_writes(tmp_path):
    rows = [{"method": "c", "seed": 0, "ari": math.nan, "wall_time_s": math.nan, "error": "E"}]
    path = plot_compare(rows, str(tmp_path / "empty.png"))
    assert path.read_bytes()[:8] == PNG_MAGIC


def test_bad_score():
    with pytest.raises(ValueError, match="score"):
        plot_compare(_rows(), Figure().add_subplot(), score="f1")
