"""``tsclust fit``, also ``--by-recording``, on a tiny HAPT-like store."""

from __future__ import annotations

import csv

import pytest

from tests.cli import FAST
from tsclust.cli import main
from tsclust.clustering import DeepClusterer
from tsclust.io import read_windows


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


def test_fit_module_kwargs_reach_the_module(tmp_path, store, capsys):
    model = tmp_path / "gru.h5"
    args = ["fit", str(store), "-k", "2", "--architecture", "gru", "--head", "kmeans",
            "--module-kwargs", '{"stride": 4, "hidden_size": 8}', "-o", str(model), *FAST]
    assert main(args) == 0
    est = DeepClusterer.load(model)
    assert est.module_kwargs == {"stride": 4, "hidden_size": 8}
    assert est.module_.stride == 4 and est.module_.hidden_size == 8
    capsys.readouterr()
    bad = ["fit", str(store), "-k", "2", "--module-kwargs", "[4]", "-o", str(tmp_path / "x.h5")]
    with pytest.raises(SystemExit):
        main(bad)
    assert "JSON object" in capsys.readouterr().err


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


def test_fit_rejects_unknown_names_before_reading(tmp_path, capsys):
    model = tmp_path / "m.h5"
    store = tmp_path / "w.h5"
    store.write_bytes(b"not an HDF5 file")
    for flag in ("--architecture", "--head", "--pretext"):
        args = ["fit", str(store), "-k", "2", flag, "nope", "-o", str(model)]
        assert main(args) == 2
        err = capsys.readouterr().err
        assert "nope" in err and "w.h5" not in err  # named before the store is opened
    assert not model.exists()


def test_fit_names_a_missing_store_first(tmp_path, capsys):
    args = ["fit", str(tmp_path / "missing.h5"), "-k", "2", "--head", "nope", "-o",
            str(tmp_path / "m.h5")]
    assert main(args) != 0
    assert "window store" in capsys.readouterr().err and "missing.h5" in args[1]


def _capture_plots(monkeypatch):
    """Record the figures of ``plot_clusters`` (still written) in a list."""
    import tsclust.plotting as plotting

    figs = []
    real = plotting.plot_clusters
    monkeypatch.setattr(plotting, "plot_clusters",
                        lambda *a, **kw: figs.append(real(*a, **kw)) or figs[-1])
    return figs


def test_fit_plot_writes_the_clusters_png(tmp_path, store, capsys, monkeypatch):
    figs = _capture_plots(monkeypatch)
    model, png = tmp_path / "m.h5", tmp_path / "clusters.png"
    args = ["fit", str(store), "-k", "2", "-o", str(model), "--plot", str(png), *FAST]
    assert main(args) == 0
    assert f"clusters drawn in {png}" in capsys.readouterr().out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    est = DeepClusterer.load(model)
    used = len(set(est.labels_.tolist()))
    axes = figs[-1].get_axes()
    assert len(axes) == used * 2 + 1  # acc and gyro columns, the time panel
    w = read_windows(store)
    titles = [ax.get_title(loc="left") for ax in axes[:-1] if ax.get_title(loc="left")]
    sizes = [int(t.split(": ")[1].split(" windows")[0]) for t in titles]
    assert sum(sizes) == len(w) and axes[-1].get_xlabel().startswith("time (s)")

    # an existing PNG is refused before any work, and neither output is written
    model.unlink()
    assert main(args) == 2
    assert "--overwrite" in capsys.readouterr().err and not model.exists()
    assert main([*args[:-len(FAST)], "--nproc", "2", "--overwrite", *FAST]) == 2
    assert "--plot is not supported with --nproc" in capsys.readouterr().err


def test_fit_plot_failure_writes_no_model(tmp_path, store, capsys, monkeypatch):
    import tsclust.plotting as plotting

    def broken(*a, **kw):
        raise ValueError("drawing failed")

    monkeypatch.setattr(plotting, "plot_clusters", broken)
    model, png = tmp_path / "m.h5", tmp_path / "c.png"
    args = ["fit", str(store), "-k", "2", "--by-recording", "--epochs", "2", "-q",
            "-o", str(model), "--plot", str(png)]
    assert main(args) == 2
    assert "drawing failed" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["w.h5"]  # nor temps
