"""``tsclust segment``."""

from __future__ import annotations

import numpy as np
import pytest

from tsclust.cli import main
from tsclust.segmentation import segments_from_csv


@pytest.fixture(scope="module")
def model_and_csv(tmp_path_factory):
    from tsclust.clustering import DeepClusterer

    d = tmp_path_factory.mktemp("seg")
    rng = np.random.default_rng(0)
    sig = np.r_[rng.normal(0, 0.1, (120, 2)), rng.normal(3, 0.1, (120, 2))]
    labels = np.r_[np.ones(120), 2 * np.ones(120)].astype(int)
    csv = d / "rec.csv"
    t = np.arange(240) / 10.0
    rows = [f"{a:.2f},{x:.5f},{y:.5f},{lab}" for a, (x, y), lab in zip(t, sig, labels, strict=True)]
    csv.write_text("time,x,y,label\n" + "\n".join(rows) + "\n")
    starts = np.arange(0, 240 - 20 + 1, 10)
    X = np.stack([sig[s : s + 20] for s in starts])
    est = DeepClusterer(2, architecture="mlp", head="kmeans", latent_dim=2, pretrain_epochs=2,
                        n_init=2, module_kwargs={"hidden": (16,)}, random_state=0, device="cpu")
    model = d / "model.h5"
    est.fit(X).save(model)
    return model, csv, d


def test_segment_csv_recording(model_and_csv, tmp_path, capsys):
    model, csv, _ = model_and_csv
    out, png = tmp_path / "s.csv", tmp_path / "t.png"
    rc = main(["segment", str(model), str(csv), "-o", str(out), "--plot", str(png),
               "--step", "5", "--min-duration", "1"])
    text = capsys.readouterr().out
    assert rc == 0, text
    segs = segments_from_csv(out)
    assert segs[0].start == 0 and segs[-1].end == 240
    assert {s.cluster for s in segs} - {-1} and png.stat().st_size > 1000
    assert "segments" in text and "ARI" in text and "boundaries" in text
    assert main(["segment", str(model), str(csv), "-o", str(out)]) == 2  # exists
    assert "--overwrite" in capsys.readouterr().err
    assert main(["segment", str(model), str(csv), "-o", str(out), "--overwrite"]) == 0


def test_segment_errors(model_and_csv, tmp_path, capsys):
    model, csv, d = model_and_csv
    out = str(tmp_path / "s.csv")
    short = tmp_path / "short.csv"
    short.write_text("x,y\n" + "\n".join("0,0" for _ in range(5)) + "\n")
    assert main(["segment", str(model), str(short), "-o", out]) == 2
    assert "shorter than the model's window" in capsys.readouterr().err
    three = tmp_path / "three.csv"
    three.write_text("x,y,z\n" + "\n".join("0,0,0" for _ in range(50)) + "\n")
    assert main(["segment", str(model), str(three), "-o", out]) == 2
    assert "channel" in capsys.readouterr().err
    assert main(["segment", str(tmp_path / "none.h5"), str(csv), "-o", out]) == 2
    assert main(["segment", str(model), str(csv), "-o", out, "--experiment", "1"]) == 2
    assert "HAPT" in capsys.readouterr().err


def test_segment_hapt_needs_experiment(make_hapt, tmp_path, capsys):
    from tsclust.clustering import DeepClusterer
    from tsclust.data import read_hapt

    root = make_hapt()
    rec = read_hapt(root, verbose=0)[0]
    X = np.stack([rec.signals[s : s + 32] for s in range(0, 260, 16)])
    model = tmp_path / "m.h5"
    DeepClusterer(2, architecture="mlp", head="kmeans", latent_dim=2, pretrain_epochs=1, n_init=1,
                  module_kwargs={"hidden": (8,)}, random_state=0, device="cpu").fit(X).save(model)
    out = str(tmp_path / "s.csv")
    assert main(["segment", str(model), str(root), "-o", out]) == 2
    assert "--experiment" in capsys.readouterr().err
    assert main(["segment", str(model), str(root), "-o", out, "--experiment", "2"]) == 0
    assert "exp02_user02" in capsys.readouterr().out


def test_segment_channel_mismatch_names_the_column_flags(model_and_csv, tmp_path, capsys):
    model, _, _ = model_and_csv
    src = tmp_path / "extra.csv"
    src.write_text("time,x,y,flag\n" + "".join(f"{i / 10},0,0,{i % 2}\n" for i in range(50)))
    assert main(["segment", str(model), str(src), "-o", str(tmp_path / "s.csv")]) == 2
    err = capsys.readouterr().err
    assert "has 3 channel(s) (x, y, flag) but the model was fitted on 2" in err
    assert "--label-column" in err and "--ignore-columns" in err
    assert main(["segment", str(model), str(src), "-o", str(tmp_path / "s.csv"),
                 "--ignore-columns", "flag"]) == 0


def test_segment_times_follow_a_gap_in_the_time_column(model_and_csv, tmp_path, capsys):
    model, csv, _ = model_and_csv
    lines = csv.read_text().splitlines()
    rows = []
    for line in lines[1:]:
        t, rest = line.split(",", 1)
        t = float(t)
        rows.append(f"{t + 12 if t >= 12 else t:.2f},{rest}")  # a 12 s gap after 12 s
    src = tmp_path / "gap.csv"
    src.write_text(lines[0] + "\n" + "\n".join(rows) + "\n")
    out = tmp_path / "s.csv"
    assert main(["segment", str(model), str(src), "-o", str(out), "--step", "5"]) == 0
    assert "36.0 s" in capsys.readouterr().out
    segs = segments_from_csv(out)
    assert segs[-1].end == 360 and segs[-1].end_s == 36.0
    gap = [s for s in segs if s.start <= 130 < s.end][0]
    assert gap.cluster == -1 and gap.start <= 120 and gap.end >= 240
