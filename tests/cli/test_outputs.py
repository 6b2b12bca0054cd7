"""Outputs are checked before any work, written all or nothing; every error is one line."""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import pytest

from tests.cli import FAST
from tsclust.cli import _common, main
from tsclust.cli._common import check_outputs, number, remove_stale_temps, run_command


@pytest.fixture()
def tiny_model(tmp_path):
    """A model file of 2 channels and 20 samples per window, and a CSV recording it fits."""
    from tsclust.clustering import DeepClusterer

    rng = np.random.default_rng(0)
    sig = np.r_[rng.normal(0, 0.1, (100, 2)), rng.normal(3, 0.1, (100, 2))]
    rec = tmp_path / "rec.csv"
    rec.write_text("x,y\n" + "\n".join(f"{a:.4f},{b:.4f}" for a, b in sig) + "\n")
    X = np.stack([sig[s : s + 20] for s in range(0, 181, 10)])
    model = tmp_path / "model.h5"
    DeepClusterer(2, architecture="mlp", head="kmeans", latent_dim=2, pretrain_epochs=1, n_init=1,
                  module_kwargs={"hidden": (8,)}, random_state=0, device="cpu").fit(X).save(model)
    return model, rec


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# ------------------------------------------------------------------ 1. outputs checked first


def test_an_output_may_not_be_an_input(tmp_path, store, tiny_model, capsys):
    model, rec = tiny_model
    before = store.read_bytes(), model.read_bytes(), rec.read_bytes()
    link = tmp_path / "link.h5"
    link.symlink_to(store)
    for argv in (
        ["fit", str(store), "-k", "2", "-o", str(store), "--overwrite", *FAST],
        ["fit", str(store), "-k", "2", "-o", str(link), "--overwrite", *FAST],  # via a symlink
        ["predict", str(model), str(store), "-o", str(model), "--overwrite"],
        ["segment", str(model), str(rec), "-o", str(rec), "--overwrite"],
        ["segment", str(model), str(rec), "-o", str(tmp_path / "s.csv"), "--plot",
         str(tmp_path / "s.csv")],  # one path for two outputs
    ):
        assert main(argv) == 2, argv
        captured = capsys.readouterr()
        assert captured.out == "" and len(captured.err.splitlines()) == 1, captured
        assert "input" in captured.err or "two outputs" in captured.err
    assert (store.read_bytes(), model.read_bytes(), rec.read_bytes()) == before


def test_outputs_in_missing_read_only_or_folder_paths_fail_before_work(
    tmp_path, store, monkeypatch, capsys
):
    import tsclust.clustering._estimator as est

    monkeypatch.setattr(est.DeepClusterer, "fit", lambda *a, **k: pytest.fail("fit ran"))
    fit = ["fit", str(store), "-k", "2", *FAST, "-o"]
    assert main([*fit, str(tmp_path / "no_such_dir" / "m.h5")]) == 2
    err = capsys.readouterr().err
    assert "no_such_dir does not exist" in err and "create it" in err
    (tmp_path / "adir").mkdir()
    assert main([*fit, str(tmp_path / "adir"), "--overwrite"]) == 2
    assert "is a folder" in capsys.readouterr().err
    ro = tmp_path / "ro"
    ro.mkdir()
    real = os.access  # root may write anywhere: say that ro/ is read-only as chmod would
    monkeypatch.setattr(_common.os, "access", lambda p, m: Path(p) != ro and real(p, m))
    assert main([*fit, str(ro / "m.h5")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tsclust: error: folder") and "not writable" in err
    assert _listing(ro) == []


def test_check_outputs_for_folders(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(NotADirectoryError, match="not a folder"):
        check_outputs([tmp_path / "file"], folders=True, overwrite=True)
    (tmp_path / "out").mkdir()
    with pytest.raises(FileExistsError, match="--overwrite to write into it"):
        check_outputs([tmp_path / "out"], folders=True)
    check_outputs([tmp_path / "out", tmp_path / "new" / "deeper"], folders=True, overwrite=True)
    check_outputs([None, tmp_path / "x.csv"], [tmp_path / "file"])


def test_stale_temporary_files_of_a_killed_run_are_removed(tmp_path, capsys):
    out = tmp_path / "m.h5"
    old = tmp_path / ".m.h5.abcd1234.tmp"
    staged = tmp_path / ".m.h5.wxyz_789.tmp.h5"
    fresh, other = tmp_path / ".m.h5.fresh123.tmp", tmp_path / ".n.h5.abcd1234.tmp"
    for p in (old, staged, fresh, other):
        p.write_bytes(b"half")
    for p in (old, staged, other):
        os.utime(p, (time.time() - 3600,) * 2)
    os.utime(fresh, (time.time() + 3600,) * 2)  # newer than this process: a live writer's
    check_outputs([out])
    assert _listing(tmp_path) == [".m.h5.fresh123.tmp", ".n.h5.abcd1234.tmp"]
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "removed 2 stale temporary file(s)" in err
    assert remove_stale_temps(tmp_path, folder=True) == [other]


# ------------------------------------------------------------------ 2. all or nothing


def test_segment_writes_both_outputs_or_neither(tmp_path, tiny_model, monkeypatch, capsys):
    import tsclust.plotting

    model, rec = tiny_model
    out, png = tmp_path / "out" / "s.csv", tmp_path / "out" / "t.png"
    out.parent.mkdir()
    base = ["segment", str(model), str(rec), "--step", "10", "-o", str(out)]
    assert main([*base, "--plot", str(tmp_path / "nodir" / "t.png")]) == 2
    assert "nodir" in capsys.readouterr().err and _listing(out.parent) == []

    def broken(*args, path=None, **kwargs):
        Path(path).write_bytes(b"half a png")
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(tsclust.plotting, "plot_timeline", broken)
    assert main([*base, "--plot", str(png)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "No space left on device" in err
    assert _listing(out.parent) == []  # no CSV, no temporary file
    monkeypatch.undo()
    assert main([*base, "--plot", str(png)]) == 0
    assert _listing(out.parent) == ["s.csv", "t.png"] and png.stat().st_size > 1000
    csv_before = out.read_bytes()
    monkeypatch.setattr(tsclust.plotting, "plot_timeline", broken)
    assert main([*base, "--plot", str(png), "--overwrite", "--min-duration", "5"]) == 2
    assert out.read_bytes() == csv_before and _listing(out.parent) == ["s.csv", "t.png"]


# ------------------------------------------------------------------ 3. error policy


def _raises(exc: BaseException):
    def run(args):
        raise exc

    return run


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (OSError("Can't synchronously read data (filter returned failure during read)"),
         "Can't synchronously read data (filter returned failure during read) (reading "),
        (KeyError("Unable to synchronously open object (object 'origins' doesn't exist)"),
         "missing field 'origins' in "),
        (PermissionError(13, "Permission denied", "/x/m.h5"), "/x/m.h5: Permission denied"),
        (IsADirectoryError(21, "Is a directory", "/x/out"), "/x/out: Is a directory"),
        (ValueError("two\nlines"), "two; lines"),
        (RuntimeError("bug"), "internal error: RuntimeError: bug (rerun with TSCLUST_DEBUG=1 "),
    ],
)
def test_every_error_is_one_line_with_status_2(tmp_path, capsys, monkeypatch, exc, expected):
    monkeypatch.delenv("TSCLUST_DEBUG", raising=False)
    store = tmp_path / "w.h5"
    store.write_bytes(b"")
    args = argparse.Namespace(store=store, out=tmp_path / "o.csv")
    assert run_command(_raises(exc), args) == 2
    err = capsys.readouterr().err
    assert err.startswith("tsclust: error: " + expected) and err.count("\n") == 1, err
    if "reading" in expected or "missing field" in expected:
        assert str(store) in err and "o.csv" not in err


def test_missing_field_without_a_known_file_and_debug(monkeypatch, capsys):
    assert run_command(_raises(KeyError("n_clusters")), argparse.Namespace()) == 2
    assert capsys.readouterr().err == (
        "tsclust: error: damaged or incompatible file: KeyError 'n_clusters'\n")
    monkeypatch.setenv("TSCLUST_DEBUG", "1")
    with pytest.raises(RuntimeError, match="bug"):
        run_command(_raises(RuntimeError("bug")), argparse.Namespace())


def test_a_store_without_a_field_is_one_line(tmp_path, store, capsys):
    import h5py

    with h5py.File(store, "a") as f:
        del f["origins"]
    assert main(["compare", str(store), "-k", "2", "--methods", "kmeans", "--seeds", "1", "-q",
                 "-o", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "origins" in err and str(store) in err
    assert not (tmp_path / "c").exists()


# ------------------------------------------------------------------ 8. numbers in range


def test_number_type():
    assert number(int, low=1)("2") == 2 and number(float, low=0)("0") == 0.0
    for parse, text in ((number(int, low=1), "0"), (number(int), "1.5"),
                        (number(float, low=0), "-3"), (number(float, low=0), "nan"),
                        (number(float, low=0, high=1, strict=True), "1")):
        with pytest.raises(argparse.ArgumentTypeError, match=f"got '{text}'"):
            parse(text)


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["segment", "m.h5", "r.csv", "-o", "s.csv", "--min-duration", "-3"], "--min-duration"),
        (["segment", "m.h5", "r.csv", "-o", "s.csv", "--step", "0"], "--step"),
        (["fit", "s.h5", "-k", "2", "-o", "m.h5", "--nproc", "0"], "--nproc"),
        (["fit", "s.h5", "-k", "0", "-o", "m.h5"], "-k"),
        (["fit", "s.h5", "-k", "auto", "--k-range", "5-2", "-o", "m.h5"], "--k-range"),
        (["compare", "s.h5", "-k", "2", "--methods", "kmeans", "-o", "c", "--seeds", "0"],
         "--seeds"),
        (["compare", "s.h5", "-k", "2", "--methods", "kmeans", "-o", "c", "--epochs", "-1"],
         "--epochs"),
        (["bench", "panel", "--seeds", "0"], "--seeds"),
    ],
)
def test_nonsense_numbers_are_refused_at_parse_time(argv, option, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}" in err and "takes" in err
