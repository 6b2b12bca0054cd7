"""``tsclust predict`` on a model that ``tsclust fit`` wrote."""

from __future__ import annotations

import csv

from tests.cli import FAST
from tsclust.cli import main
from tsclust.clustering import DeepClusterer
from tsclust.clustering._heads import resolve_head
from tsclust.io import read_windows
from tsclust.models import resolve_architecture


def test_fit_uses_estimator_defaults_and_predict_writes_csv(tmp_path, store, capsys):
    model = tmp_path / "m.h5"
    assert main(["fit", str(store), "-k", "2", "-o", str(model), *FAST]) == 0
    out = capsys.readouterr().out
    default = DeepClusterer()
    arch = resolve_architecture(default.architecture, 6)  # the HAPT store has 6 channels
    assert f"fitted {arch}+{resolve_head(default.head, arch)}" in out
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


def test_prediction_rows_and_groups_for_recording_estimators():
    import numpy as np

    from tsclust.cli.predict import PREDICTION_COLUMNS, assign, prediction_rows

    origins = np.array([[0, 0], [0, 8], [1, 0]])
    rows = prediction_rows(origins, np.array([1, 0, 1]), np.array([0.5, 1.0, 0.25]), [3, 3, 4])
    assert rows[0] == PREDICTION_COLUMNS
    assert rows[1:] == [[0, 0, 0, 1, "0.5000", 3], [1, 0, 8, 0, "1.0000", 3],
                        [2, 1, 0, 1, "0.2500", 4]]
    assert prediction_rows(origins[:1], [2])[1] == [0, 0, 0, 2, "", ""]

    class Hard:
        def predict(self, X, **kw):
            self.kw = kw
            return np.zeros(len(X), dtype=int)

    class ByRecording(Hard):
        accepts_groups = True

    X = np.zeros((3, 4, 1))
    for cls, expected in ((Hard, {}), (ByRecording, {"groups": [0, 0, 1]})):
        est = cls()
        labels, conf = assign(est, X, origins)
        assert conf is None and labels.tolist() == [0, 0, 0]
        assert {k: v.tolist() for k, v in est.kw.items()} == expected


def test_predict_plot_writes_the_clusters_png(tmp_path, store, capsys, monkeypatch):
    import tsclust.plotting as plotting

    model = tmp_path / "rec.h5"
    assert main(["fit", str(store), "-k", "2", "--by-recording", "--epochs", "2", "-q",
                 "-o", str(model)]) == 0
    figs = []
    real = plotting.plot_clusters
    monkeypatch.setattr(plotting, "plot_clusters",
                        lambda *a, **kw: figs.append(real(*a, **kw)) or figs[-1])
    labels_csv, png = tmp_path / "labels.csv", tmp_path / "pred.png"
    args = ["predict", str(model), str(store), "-o", str(labels_csv), "--plot", str(png)]
    assert main(args) == 0
    assert f"clusters drawn in {png}" in capsys.readouterr().out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    clusters = [int(r["cluster"]) for r in csv.DictReader(labels_csv.open())]
    axes = figs[-1].get_axes()
    assert len(axes) == 2 * len(set(clusters)) + 1  # acc, gyro per cluster; time panel
    titles = [ax.get_title(loc="left") for ax in axes if ax.get_title(loc="left")]
    assert titles[0].startswith(f"cluster {min(clusters)}: {clusters.count(min(clusters))} "
                                "windows (")

    # an existing PNG is refused (status 2) and the CSV is not replaced
    labels_csv.write_text("old")
    assert main(args) == 2
    assert "--overwrite" in capsys.readouterr().err and labels_csv.read_text() == "old"

    # a failed drawing leaves both outputs as they were
    def broken(*a, **kw):
        raise ValueError("drawing failed")

    monkeypatch.setattr(plotting, "plot_clusters", broken)
    before = png.read_bytes()
    assert main([*args, "--overwrite"]) == 2
    assert labels_csv.read_text() == "old" and png.read_bytes() == before
