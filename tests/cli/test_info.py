"""``tsclust info``."""

from __future__ import annotations

from tsclust.cli import main


def test_info(tmp_path, capsys, make_hapt):
    out = tmp_path / "w.h5"
    assert main(["windows", str(make_hapt()), "-o", str(out), "--size", "32", "--step", "16", "-q"]) == 0
    capsys.readouterr()
    assert main(["info", str(out)]) == 0
    text = capsys.readouterr().out
    n = int(text.split("windows:")[1].split()[0])
    assert n > 0
    assert main(["info", str(tmp_path / "none.h5")]) == 2
