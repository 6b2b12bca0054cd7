"""`tsclust fit`, `predict` and `compare` on a tiny HAPT-like store."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from tsclust.cli import main
from tsclust.clustering import DeepClusterer
from tsclust.io import read_windows
from tsclust.models import resolve_architecture

FAST = ["--epochs", "2", "--finetune-epochs", "1", "-q"]


@pytest.fixture()
def store(tmp_path, make_hapt, capsys):
    path = tmp_path / "w.h5"
    assert main(["windows", str(make_hapt()), "-o", str(path), "--size", "32", "--step", "8", "-q"]) == 0
    capsys.readouterr()
    return path


def test_fit_uses_estimator_defaults_and_predict_writes_csv(tmp_path, store, capsys):
    model = tmp_path / "m.h5"
    assert main(["fit", str(store), "-k", "2", "-o", str(model), *FAST]) == 0
    out = capsys.readouterr().out
    default = DeepClusterer()
    arch = resolve_architecture(default.architecture, 6)  # the HAPT store has 6 channels
    assert f"fitted {arch}+{default.head}" in out
    assert "ARI" in out and model.exists()
    est = DeepClusterer.load(model)
    assert est.architecture == default.architecture and est.architecture_ == arch
    assert est.pretrain_epochs == 2 and est.finetune_epochs == 1 and est.n_clusters == 2

    labels_csv = tmp_path / "labels.csv"
    assert main(["predict", str(model), str(store), "-o", str(labels_csv)]) == 0
    rows = list(csv.DictReader(labels_csv.open()))
    w = read_windows(store)
    assert len(rows) == len(w)
    assert [int(r["cluster"]) for r in rows] == est.predict(w.X).tolist()
    assert [int(r["label"]) for r in rows] == w.y.tolist()
    assert all(0 < float(r["confidence"]) <= 1 for r in rows)  # DEC is soft

    # existing outputs are refused without --overwrite, with exit status 2
    assert main(["fit", str(store), "-k", "2", "-o", str(model), *FAST]) == 2
    assert main(["predict", str(model), str(store), "-o", str(labels_csv)]) == 2
    assert "--overwrite" in capsys.readouterr().err


def test_fit_choices_and_k_auto(tmp_path, store, capsys, monkeypatch):
    import tsclust.clustering._estimator as mod

    calls = []
    real = mod.pretrain
    monkeypatch.setattr(mod, "pretrain", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    model = tmp_path / "m.h5"
    args = ["fit", str(store), "-k", "auto", "--k-range", "2-4", "--architecture", "conv",
            "--head", "dec", "--latent-dim", "3", "-o", str(model), *FAST]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "chosen k =" in out and "fitted conv+dec" in out
    assert len(calls) == 1  # select_k's pre-training is reused by the final fit
    est = DeepClusterer.load(model)
    assert est.n_clusters in (2, 3, 4) and est.latent_dim == 3
    with pytest.raises(SystemExit):
        main(["fit", str(store), "-k", "two", "-o", str(tmp_path / "x.h5")])


def test_compare_writes_tables_and_refuses_unknown_methods(tmp_path, store, capsys):
    out_dir = tmp_path / "cmp"
    args = ["compare", str(store), "-k", "2", "--methods", "stats-kmeans,kmeans,mlp+kmeans",
            "--seeds", "2", "--epochs", "1", "-o", str(out_dir), "-q"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "| stats-kmeans |" in printed and "| mlp+kmeans |" in printed
    for name in ("results.csv", "results.md", "results.json", "results.png"):
        assert (out_dir / name).stat().st_size > 0
    rows = list(csv.DictReader((out_dir / "results.csv").open()))
    assert sorted({r["method"] for r in rows}) == ["kmeans", "mlp+kmeans", "stats-kmeans"]
    assert len(rows) == 6 and np.all([r["error"] == "" for r in rows])
    assert main(args) == 2  # the output folder exists
    assert main([*args, "--overwrite"]) == 0
    capsys.readouterr()
    bad = ["compare", str(store), "-k", "2", "--methods", "nope", "-o", str(tmp_path / "c2")]
    assert main(bad) == 2
    assert "dtw-kmeans" in capsys.readouterr().err


def test_compare_inductive_by_subject(tmp_path, store, capsys):
    out_dir = tmp_path / "ind"
    args = ["compare", str(store), "-k", "2", "--methods", "stats-kmeans", "--seeds", "1",
            "--protocol", "inductive", "--test-fraction", "0.5", "-o", str(out_dir), "-q"]
    assert main(args) == 0
    rows = list(csv.DictReader((out_dir / "results.csv").open()))
    n = len(read_windows(store))
    assert rows[0]["protocol"] == "inductive"
    assert int(rows[0]["n_train"]) + int(rows[0]["n_test"]) == n


def test_compare_scaling(tmp_path, store, capsys):
    base = ["compare", str(store), "-k", "2", "--methods", "kmeans", "--seeds", "1", "-q"]
    assert main([*base, "--scaling", "standard", "-o", str(tmp_path / "s")]) == 0
    assert "scaling: standard" in (tmp_path / "s" / "results.md").read_text()
    bad = [*base, "--scaling", "standard", "--protocol", "inductive", "-o", str(tmp_path / "i")]
    assert main(bad) == 2
    assert "transductive" in capsys.readouterr().err


def test_fit_by_recording_predict_and_segment(tmp_path, store, make_hapt, capsys):
    from tsclust.clustering import RecordingClusterer

    model = tmp_path / "rec.h5"
    assert main(["fit", str(store), "-k", "2", "--by-recording", "--epochs", "2", "-q",
                 "-o", str(model)]) == 0
    out = capsys.readouterr().out
    assert "fitted rec+dec" in out and "of 2 recordings" in out
    est = RecordingClusterer.load(model)
    assert est.pretrain_epochs == 2 and est.n_clusters == 2

    labels_csv = tmp_path / "labels.csv"
    assert main(["predict", str(model), str(store), "-o", str(labels_csv)]) == 0
    w = read_windows(store)
    rows = list(csv.DictReader(labels_csv.open()))
    assert [int(r["cluster"]) for r in rows] == est.predict(w.X, groups=w.origins[:, 0]).tolist()
    assert all(0 < float(r["confidence"]) <= 1 for r in rows)  # DEC is soft

    seg = tmp_path / "seg.csv"
    assert main(["segment", str(model), str(make_hapt()), "--experiment", "1",
                 "-o", str(seg), "--min-duration", "0"]) == 0
    assert seg.stat().st_size > 0
    capsys.readouterr()
    for extra in (["-k", "auto"], ["--architecture", "conv"], ["--nproc", "2"]):
        args = ["fit", str(store), "-k", "2", "--by-recording", "-o", str(tmp_path / "x.h5")]
        if extra[0] == "-k":
            args[3] = "auto"
        else:
            args += extra
        assert main(args) == 2
        assert "--by-recording does not take" in capsys.readouterr().err
