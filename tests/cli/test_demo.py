"""``tsclust demo`` with tiny settings."""

from __future__ import annotations

import re

from tsclust.cli import main
from tsclust.cli.demo import SETTINGS, fresh_folder, score_table
from tsclust.segmentation import segments_from_csv


def test_demo_quick_reruns_into_fresh_folders(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("tsclust-demo", "tsclust-demo-2"):  # a rerun without -o does not fail
        assert main(["demo", "-q", "--quick"]) == 0
        text = capsys.readouterr().out
        assert "DeepClusterer" in text and "DTW k-means" in text and "ARI" in text
        assert "stats-kmeans (baseline)" in text and "fit s" in text
        # the quick settings handicap DTW k-means: its row and the table say so
        assert "DTW k-means (fit on 60 of 775 windows" in text
        assert "every method fits on the same windows except: DTW k-means" in text
        assert re.search(r"the fits took \d+\.\d s in all", text)
        assert re.search(r"the demo took \d+ s", text)
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


def test_score_table_says_what_each_method_fit_on():
    scores = {"ari": 0.5, "nmi": 0.6, "acc": 0.7}
    same = score_table([("a", scores, 1.0, 10), ("b", scores, 2.5, 10)], 10)
    assert same[-1] == "every method fits on the same windows; the fits took 3.5 s in all\n"
    assert same[1].split() == ["method", "fit", "on", "ARI", "NMI", "ACC", "fit", "s"]
    assert same[2].split() == ["a", "10", "0.500", "0.600", "0.700", "1.0"]
    fewer = score_table([("a", scores, 1.0, 10), ("b (fit on 4)", scores, 2.0, 4)], 10)
    assert "except: b (fit on 4)" in fewer[-1]


def test_the_full_demo_fits_every_method_on_all_windows():
    full = SETTINGS["full"]
    assert full.dtw_windows is None and full.dtw_iter >= 10 and full.baseline == "stats-kmeans"
    from tsclust.cli import build_parser

    helps = build_parser()._subparsers._group_actions[0].choices["demo"].description
    assert "< 1 min" not in helps and "same windows" in helps
