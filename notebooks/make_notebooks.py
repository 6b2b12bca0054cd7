"""Write the tutorial notebooks (unexecuted) from the cells below: ``python make_notebooks.py``.

Edit the notebooks here, not in Jupyter, so that changes stay reviewable; the tests
(``tests/test_notebooks.py``) execute each notebook top to bottom.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent


def _nb(cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [new_markdown_cell(src) if kind == "md" else new_code_cell(src) for kind, src in cells]
    for i, cell in enumerate(nb.cells):  # stable ids keep the JSON diff-friendly
        cell["id"] = f"cell-{i:02d}"
    return nb


QUICKSTART = [
    ("md", """# tsclust quickstart

Cluster unlabelled windows of a multichannel recording with a deep autoencoder, then check the
clusters against the activities (which the model never sees). Data: the small sample of UCI
HAPT shipped with tsclust (six smartphone recordings, accelerometer + gyroscope at 50 Hz)."""),
    ("code", """import numpy as np

from tsclust.clustering import DeepClusterer
from tsclust.data import HAPT_ACTIVITIES, load_sample
from tsclust.metrics import evaluate
from tsclust.plotting import plot_history, plot_latent
from tsclust.preprocessing import SlidingWindows

recordings = load_sample()
recordings[0]"""),
    ("md", """## Windows
2.56 s windows (128 samples) every 64 samples; `labels="pure"` keeps windows lying inside one
labelled activity so that they can be scored. The labels are not used for fitting."""),
    ("code", """windows = SlidingWindows(size=128, step=64, labels="pure").transform(recordings)
print(windows)
print({HAPT_ACTIVITIES[k]: v for k, v in windows.class_counts().items()})"""),
    ("md", """## Fit
`DeepClusterer` scales each channel (fitted on the windows), pre-trains an autoencoder and
then refines the clusters with DEC. With six channels its default architecture ("auto") is
`cov`: each window is summarised by its channel means and the log-covariance of its
delay-embedded channels, and the autoencoder learns a 32-dimensional code of those. Few epochs
here to stay fast."""),
    ("code", """n_clusters = len(np.unique(windows.y))
est = DeepClusterer(n_clusters, head="dec", pretrain_epochs=5, finetune_epochs=3, n_init=3,
                    random_state=0)
print(est.fit(windows.X).architecture_)
labels = est.labels_
evaluate(windows.y, labels)"""),
    ("code", """Z = est.transform(windows.X)  # latent vectors, (n_windows, latent_dim)
names = {k: v for k, v in HAPT_ACTIVITIES.items()}
plot_latent(Z, labels, truth=windows.y, class_names=names)"""),
    ("code", """plot_history(est.history_)"""),
]

HAPT_VS_DTW = [
    ("md", """# HAPT: deep clustering vs DTW k-means

End to end on the raw HAPT recordings: read, window, fit a `DeepClusterer` and a DTW k-means
baseline on the same windows, compare ARI / NMI / accuracy and time. The full dataset (
`/work/shared/data/hapt`, or `../../shared/data/hapt` from this folder) is used when present,
otherwise the embedded sample; either way only a small random subsample of windows is used so
that the notebook runs in about a minute."""),
    ("code", """import time
from pathlib import Path

import numpy as np

from tsclust.baselines import DTWKMeans
from tsclust.clustering import DeepClusterer
from tsclust.data import load_sample, read_hapt
from tsclust.metrics import evaluate
from tsclust.plotting import plot_compare
from tsclust.preprocessing import SlidingWindows

candidates = [Path("/work/shared/data/hapt"), Path("../../shared/data/hapt")]
hapt = next((p for p in candidates if (p / "RawData").is_dir()), None)
if hapt is not None:
    recordings = read_hapt(hapt, experiments=[1, 2, 3, 4], verbose=0)
    print(f"HAPT from {hapt}: {len(recordings)} recordings")
else:
    recordings = load_sample()
    print(f"HAPT not found; using the embedded sample ({len(recordings)} recordings)")"""),
    ("code", """windows = SlidingWindows(size=128, step=64, labels="pure").transform(recordings)
rng = np.random.default_rng(0)
subset = np.sort(rng.choice(len(windows), size=min(300, len(windows)), replace=False))
X, y = windows.X[subset], windows.y[subset]
n_clusters = len(np.unique(y))
print(X.shape, "windows,", n_clusters, "activities")"""),
    ("code", """rows = []

t0 = time.perf_counter()
deep = DeepClusterer(n_clusters, pretrain_epochs=8, finetune_epochs=3, n_init=3, random_state=0)
labels = deep.fit_predict(X)
rows.append({"method": f"DeepClusterer ({deep.architecture_}+{deep.head})", "seed": 0, "error": None,
             "wall_time_s": time.perf_counter() - t0, **evaluate(y, labels)})

t0 = time.perf_counter()
dtw = DTWKMeans(n_clusters, max_iter=3, sakoe_chiba_radius=8, random_state=0)
fit_on = rng.choice(len(X), size=min(100, len(X)), replace=False)  # DBA is slow: fit on 100
labels = dtw.fit(X[fit_on]).predict(X)
rows.append({"method": "DTW k-means", "seed": 0, "error": None,
             "wall_time_s": time.perf_counter() - t0, **evaluate(y, labels)})

for r in rows:
    print(f"{r['method']:<26} ARI {r['ari']:.3f}  NMI {r['nmi']:.3f}  ACC {r['acc']:.3f}  "
          f"{r['wall_time_s']:.1f} s")"""),
    ("code", """import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6, 4))
plot_compare(rows, ax)"""),
]

SEGMENT = [
    ("md", """# Segmenting a recording

A window clusterer labels windows; `segment_recording` puts those labels back on the
timeline: it slides windows over the whole recording (here every 16 samples = 0.32 s), lets
every window vote for the samples it covers, and merges segments shorter than `min_duration`
seconds into a neighbour. We fit on five recordings of the embedded HAPT sample and segment the
sixth, which the model has not seen."""),
    ("code", """import numpy as np

from tsclust.clustering import DeepClusterer
from tsclust.data import load_sample
from tsclust.plotting import plot_timeline
from tsclust.preprocessing import SlidingWindows
from tsclust.segmentation import evaluate_segmentation, segment_recording

recordings = load_sample()
train, held_out = recordings[:-1], recordings[-1]
windows = SlidingWindows(size=128, step=64, labels="pure").transform(train)
est = DeepClusterer(len(np.unique(windows.y)), pretrain_epochs=5, finetune_epochs=3, n_init=3,
                    random_state=0).fit(windows.X)"""),
    ("code", """result = segment_recording(est, held_out, step=16, min_duration=2.0)
print(len(result.segments), "segments")
for seg in result.segments[:8]:
    print(f"{seg.start_s:7.2f}-{seg.end_s:7.2f} s  cluster {seg.cluster:2d}  "
          f"confidence {seg.confidence:.2f}")"""),
    ("md", """Per-sample scores against the true activities (unlabelled samples are skipped) and how
many true activity changes have a predicted boundary within 1.28 s (64 samples):"""),
    ("code", """evaluate_segmentation(result.sample_labels, held_out.labels, tolerance=64)"""),
    ("code", """plot_timeline(held_out, result)"""),
]

NOTEBOOKS = {
    "01_quickstart.ipynb": QUICKSTART,
    "02_hapt_vs_dtw.ipynb": HAPT_VS_DTW,
    "03_segment_recording.ipynb": SEGMENT,
}


def main() -> None:
    for name, cells in NOTEBOOKS.items():
        nbformat.write(_nb(cells), HERE / name)
        print(f"wrote {HERE / name}")


if __name__ == "__main__":
    main()
