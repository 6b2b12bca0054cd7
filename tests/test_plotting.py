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


def _bar_ends(ax):
    """The lower and upper ends of every error bar drawn on ``ax``."""
    from matplotlib.container import ErrorbarContainer

    ends = []
    for cont in ax.containers:
        if isinstance(cont, ErrorbarContainer):
            for coll in cont.lines[2]:
                for seg in coll.get_segments():
                    ends.append((float(seg[:, 1].min()), float(seg[:, 1].max())))
    return ends


def test_error_bars_stay_inside_the_score_range():
    rows = [
        {"method": m, "seed": s, "ari": v, "nmi": v, "wall_time_s": 1.0, "error": None}
        for m, vals in (("high", (1.0, 1.0, 0.5)), ("low", (0.0, 0.0, 0.6)))
        for s, v in enumerate(vals)
    ]
    for score in ("ari", "nmi"):
        ends = _bar_ends(plot_compare(rows, Figure().add_subplot(), score=score))
        assert len(ends) == 2
        assert all(0.0 <= lo <= hi <= 1.0 for lo, hi in ends)
        assert max(hi for _, hi in ends) == 1.0 and min(lo for lo, _ in ends) == 0.0


def test_negative_mean_ari_bar_starts_at_the_mean():
    rows = [{"method": "m", "seed": s, "ari": v, "wall_time_s": 1.0, "error": None}
            for s, v in enumerate((-0.1, -0.05, 0.0))]
    (lo, hi), = _bar_ends(plot_compare(rows, Figure().add_subplot(), score="ari"))
    assert lo == pytest.approx(-0.05) and hi == pytest.approx(0.0)


def test_file_has_ari_and_nmi_panels(tmp_path, monkeypatch):
    import tsclust.plotting as mod

    figs = []
    real = mod._new_figure
    monkeypatch.setattr(mod, "_new_figure", lambda size: figs.append(real(size)) or figs[-1])
    rows = [dict(r, nmi=r["ari"] + 0.05) for r in _rows()]
    plot_compare(rows, tmp_path / "r.png")
    assert [ax.get_ylabel() for ax in figs[-1].get_axes()] == ["ARI", "NMI"]
    plot_compare(rows, tmp_path / "s.png", score="nmi")
    assert [ax.get_ylabel() for ax in figs[-1].get_axes()] == ["NMI"]
    plot_compare(_rows(with_labels=False), tmp_path / "u.png")
    assert [ax.get_ylabel() for ax in figs[-1].get_axes()] == [
        "silhouette (flattened windows)"]
