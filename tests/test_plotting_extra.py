"""plot_timeline, plot_latent, plot_history: drawn headless, written to files."""

from __future__ import annotations

import numpy as np
import pytest

from tsclust.data import HAPT_CHANNELS, Recording
from tsclust.plotting import plot_clusters, plot_history, plot_latent, plot_timeline
from tsclust.segmentation import SegmentationResult, to_segments, vote


def _result(n: int, rate: float) -> SegmentationResult:
    starts = np.arange(0, n - 20 + 1, 10)
    wl = (starts >= n // 2).astype(int)
    labels, conf = vote(wl, starts, 20, n, 3)
    return SegmentationResult(labels, conf, to_segments(labels, conf, rate), wl, starts,
                              size=20, step=10, n_clusters=3, sampling_rate=rate)


@pytest.fixture
def hapt_like():
    rng = np.random.default_rng(0)
    n = 205
    labels = np.r_[np.zeros(5), np.ones(100), 4 * np.ones(100)].astype(int)
    return Recording(rng.normal(size=(n, 6)), labels=labels, channels=HAPT_CHANNELS,
                     sampling_rate=50.0, name="exp01_user01")


def test_plot_timeline_writes_png(tmp_path, hapt_like):
    res = _result(hapt_like.n_samples, 50.0)
    fig = plot_timeline(hapt_like, res, path=tmp_path / "t.png")
    assert (tmp_path / "t.png").stat().st_size > 1000
    axes = fig.get_axes()
    assert len(axes) == 4  # acc, gyro, cluster, truth
    assert axes[-1].get_xlabel() == "time (s)"
    texts = [t.get_text() for t in axes[-1].get_legend().get_texts()]
    assert "1 WALKING" in texts and "4 SITTING" in texts
    cluster_texts = [t.get_text() for t in axes[2].get_legend().get_texts()]
    assert cluster_texts[0].startswith("cluster 0: WALKING ")  # majority true activity
    assert any("no window" in t for t in cluster_texts)  # 205 is not reached by step 10


def test_plot_timeline_unlabelled_generic_channels(tmp_path):
    rec = Recording(np.zeros((100, 2)), sampling_rate=10.0)
    fig = plot_timeline(rec, _result(100, 10.0), path=tmp_path / "t.svg")
    assert len(fig.get_axes()) == 2 and (tmp_path / "t.svg").stat().st_size > 0
    with pytest.raises(ValueError, match="samples"):
        plot_timeline(Recording(np.zeros((50, 2))), _result(100, 10.0))
    fig = plot_timeline(rec, _result(100, 10.0), truth=np.r_[np.ones(50), 2 * np.ones(50)],
                        class_names={1: "rest", 2: "run"})
    assert "1 rest" in [t.get_text() for t in fig.get_axes()[-1].get_legend().get_texts()]


def test_plot_latent(tmp_path):
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(40, 5))
    labels = np.repeat([0, 1], 20)
    fig = plot_latent(Z, labels, truth=labels + 1, class_names={1: "a", 2: "b"},
                      path=tmp_path / "z.png")
    assert (tmp_path / "z.png").stat().st_size > 1000 and len(fig.get_axes()) == 2
    assert fig.get_axes()[0].get_xlabel().startswith("PC1")
    assert len(plot_latent(Z[:, :1], labels).get_axes()) == 1
    with pytest.raises(ValueError, match="pca"):
        plot_latent(Z, labels, method="tsne")
    with pytest.raises(ValueError, match="labels"):
        plot_latent(Z, labels[:3])


def test_plot_history(tmp_path):
    history = {
        "pretrain": [{"epoch": i, "loss": 1.0 / (i + 1)} for i in range(3)],
        "finetune": [{"epoch": 0, "label_change": 0.0}]
        + [{"epoch": i, "loss": 0.2 - 0.01 * i, "label_change": 0.1 / (i + 1)} for i in range(3)],
    }
    fig = plot_history(history, path=tmp_path / "h.png")
    assert (tmp_path / "h.png").stat().st_size > 1000
    assert len(fig.get_axes()) == 3  # pretrain, finetune, its twin axis
    fig = plot_history({"pretrain": [], "finetune": []})
    assert "no pre-training" in [t.get_text() for t in fig.get_axes()[0].texts]


def _legend(ax):
    """``{text: facecolor}`` of the legend of ``ax``."""
    leg = ax.get_legend()
    return {t.get_text(): tuple(h.get_facecolor()) for t, h in
            zip(leg.get_texts(), leg.legend_handles, strict=True)}


def test_timeline_cluster_and_truth_colours_agree(hapt_like):
    res = _result(hapt_like.n_samples, 50.0)  # cluster 0 ~ WALKING, cluster 1 ~ SITTING
    axes = plot_timeline(hapt_like, res).get_axes()
    clusters, truth = _legend(axes[2]), _legend(axes[3])
    c0 = next(v for k, v in clusters.items() if k.startswith("cluster 0: WALKING"))
    c1 = next(v for k, v in clusters.items() if k.startswith("cluster 1: SITTING"))
    assert c0 == truth["1 WALKING"] and c1 == truth["4 SITTING"] and c0 != c1


def test_timeline_unmatched_cluster_gets_a_colour_of_its_own(hapt_like):
    res = _result(hapt_like.n_samples, 50.0)
    labels = res.sample_labels.copy()
    labels[180:] = 2  # a second SITTING cluster, smaller than cluster 1
    res = SegmentationResult(labels, res.confidence, res.segments, res.window_labels,
                             res.starts, size=20, step=10, n_clusters=3, sampling_rate=50.0)
    axes = plot_timeline(hapt_like, res).get_axes()
    clusters, truth = _legend(axes[2]), _legend(axes[3])
    c2 = next(v for k, v in clusters.items() if k.startswith("cluster 2: SITTING"))
    assert c2 not in truth.values() and c2 not in [v for k, v in clusters.items()
                                                   if not k.startswith("cluster 2")]


def test_timeline_title_counts_used_clusters(hapt_like):
    res = _result(hapt_like.n_samples, 50.0)  # n_clusters=3, two of them occur
    assert res.n_clusters == 3
    assert ", 2 clusters " in plot_timeline(hapt_like, res).get_suptitle()


def test_timeline_of_unlabelled_recording_has_no_truth_strip(hapt_like):
    rec = Recording(hapt_like.signals, labels=np.zeros(hapt_like.n_samples, dtype=int),
                    channels=HAPT_CHANNELS, sampling_rate=50.0)
    axes = plot_timeline(rec, _result(rec.n_samples, 50.0)).get_axes()
    assert len(axes) == 3  # acc, gyro, cluster
    assert axes[-1].get_ylabel() == "cluster" and axes[-1].get_xlabel() == "time (s)"


# --------------------------------------------------------------------------- plot_clusters

def _windows(n_per=(12, 0, 8, 5), T=16, C=6, seed=0):
    """Windows of clusters 0, 2, 3 (cluster 1 empty): cluster c is a constant c plus noise."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(len(n_per)), n_per)
    X = labels[:, None, None] + 0.1 * rng.normal(size=(len(labels), T, C))
    return X, labels


def test_plot_clusters_writes_png_with_one_row_per_used_cluster(tmp_path):
    X, labels = _windows()
    fig = plot_clusters(X, labels, channels=HAPT_CHANNELS, path=tmp_path / "c.png")
    png = (tmp_path / "c.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    axes = fig.get_axes()
    assert len(axes) == 3 * 2  # clusters 0, 2, 3 x channel groups acc, gyro
    titles = [ax.get_title(loc="left") for ax in axes if ax.get_title(loc="left")]
    assert titles == ["cluster 0: 12 windows (48%)", "cluster 2: 8 windows (32%)",
                      "cluster 3: 5 windows (20%)"]
    assert [ax.get_ylabel() for ax in axes[:2]] == ["acc", "gyro"]
    assert "3 clusters of 25 windows" in fig.get_suptitle()


def test_plot_clusters_medoid_mean_and_band():
    X, labels = _windows(n_per=(5,), C=1)
    X[2] += 0.001  # make the medoid unique
    fig = plot_clusters(X[:, :, 0], labels, band=(0, 100))  # 2-D: one channel
    (ax,) = fig.get_axes()
    medoid, mean = ax.lines[-1], ax.lines[-2]
    d = ((X - X.mean(axis=0)) ** 2).sum(axis=(1, 2))
    np.testing.assert_allclose(medoid.get_ydata(), X[np.argmin(d), :, 0])
    np.testing.assert_allclose(mean.get_ydata(), X.mean(axis=0)[:, 0])
    assert medoid.get_linestyle() == "-" and mean.get_linestyle() == "--"
    band = ax.collections[0].get_paths()[0].vertices[:, 1]  # the 0-100% band: min to max
    assert band.min() == pytest.approx(X.min()) and band.max() == pytest.approx(X.max())
    assert ax.get_ylabel() == "signal" and ax.get_xlabel() == "time in window (samples)"


def test_plot_clusters_time_panel_and_colours(tmp_path):
    X, labels = _windows(n_per=(6, 0, 4))
    positions = np.r_[np.arange(5) * 8, np.arange(5) * 8]
    recordings = np.repeat([3, 7], 5)
    fig = plot_clusters(X, labels, positions=positions, recordings=recordings, rate=8.0,
                        max_members=3, path=tmp_path / "c.png")
    axes = fig.get_axes()
    assert len(axes) == 2 * 1 + 1  # clusters 0, 2 x one channel group + time panel
    time_ax = axes[-1]
    assert [t.get_text() for t in time_ax.get_yticklabels()] == ["cluster 0", "cluster 2"]
    assert time_ax.get_xlabel() == "time (s), 2 recordings end to end"
    bars = time_ax.collections
    assert [len(b.get_paths()) for b in bars] == [6, 4]
    # recording 7 starts after recording 3 ends: (32 + 16) samples at 8 Hz = 6 s
    starts = sorted(p.vertices[:, 0].min() for b in bars for p in b.get_paths())
    assert starts == pytest.approx([0, 1, 2, 3, 4, 6, 7, 8, 9, 10])
    assert time_ax.get_xlim() == pytest.approx((0, 12))
    # cluster c has the colour it has in plot_timeline: _distinct_colors(...)[c]
    from tsclust.plotting import _distinct_colors

    assert tuple(bars[1].get_facecolor()[0]) == pytest.approx(_distinct_colors(3)[2])
    assert axes[0].get_xlabel() == "" and axes[1].get_xlabel() == "time in window (s)"
    assert len(axes[0].lines) == 6 * (3 + 2)  # per channel: 3 members, mean, medoid


def test_plot_clusters_names_majority_class():
    X, labels = _windows(n_per=(4, 4))
    truth = np.r_[1, 1, 1, 4, 0, 0, 0, 0]
    fig = plot_clusters(X, labels, channels=HAPT_CHANNELS, truth=truth)
    titles = [ax.get_title(loc="left") for ax in fig.get_axes() if ax.get_title(loc="left")]
    assert titles == ["cluster 0: 4 windows (50%), WALKING 75%",
                      "cluster 1: 4 windows (50%), no labelled window"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"X": np.zeros((0, 8, 2)), "labels": np.zeros(0)}, "empty"),
        ({"X": np.zeros((3, 0, 2))}, "empty"),
        ({"X": np.zeros(3)}, "shape"),
        ({"X": np.r_[np.zeros(23), np.nan].reshape(3, 4, 2)}, "NaN"),
        ({"labels": np.zeros(4)}, "labels has shape"),
        ({"labels": np.array([0.5, 1, 1])}, "integers"),
        ({"labels": -np.ones(3)}, "no window is in a cluster"),
        ({"channels": ["a"]}, "channel names"),
        ({"positions": np.arange(2)}, "positions"),
        ({"positions": np.arange(3), "recordings": np.zeros(4)}, "recordings"),
        ({"truth": np.ones(2)}, "truth"),
        ({"rate": 0.0}, "rate"),
        ({"band": (90, 10)}, "band"),
        ({"max_members": -1}, "max_members"),
    ],
)
def test_plot_clusters_rejects_bad_input(kwargs, match):
    args = {"X": np.zeros((3, 4, 2)), "labels": np.array([0, 1, 1]), **kwargs}
    with pytest.raises(ValueError, match=match):
        plot_clusters(args.pop("X"), args.pop("labels"), **args)
