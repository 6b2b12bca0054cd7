"""``tsclust demo`` with tiny settings."""

from __future__ import annotations

from tsclust.cli import main
from tsclust.cli.demo import fresh_folder
from tsclust.segmentation import segments_from_csv


def test_demo_quick_reruns_into_fresh_folders(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("tsclust-demo", "tsclust-demo-2"):  # a rerun without -o does not fail
        assert main(["demo", "-q", "--quick"]) == 0
        text = capsys.readouterr().out
        assert "DeepClusterer" in text and "DTW k-means" in text and "ARI" in text
        assert f"wrote {name}/segments.csv" in text
        out = tmp_path / name
        assert (out / "timeline.png").stat().st_size > 1000
        assert len(segments_from_csv(out / "segments.csv")) > 0
    assert main(["demo", "-q", "--quick", "-o", "tsclust-demo"]) == 2  # named: refused
    captured = capsys.readouterr()
    assert "tsclust-demo exists; pass --overwrite" in captured.err and captured.out == ""


def test_fresh_folder(tmp_path):
    base = tmp_path / "d"
    assert fresh_folder(base) == base
    base.mkdir()
    (tmp_path / "d-2").write_text("")  # a file takes the name too
    assert fresh_folder(base) == tmp_path / "d-3"
