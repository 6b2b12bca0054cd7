"""``tsclust demo`` with tiny settings."""

from __future__ import annotations

from tsclust.cli import main
from tsclust.segmentation import segments_from_csv


def test_demo_quick(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "-q", "--quick", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "DeepClusterer" in text and "DTW k-means" in text and "ARI" in text
    assert (out / "timeline.png").stat().st_size > 1000
    assert len(segments_from_csv(out / "segments.csv")) > 0
    assert main(["demo", "-q", "--quick", "-o", str(out)]) == 2  # refuses to overwrite
    assert "--overwrite" in capsys.readouterr().err
