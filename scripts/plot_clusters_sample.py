"""Draw ``docs/clusters_sample.png``: :func:`tsclust.plotting.plot_clusters` on the HAPT sample.

The windows of the embedded sample (128 samples = 2.56 s, step 64, each inside one activity)
are clustered by the default :class:`tsclust.DeepClusterer` (``cov`` autoencoder and DEC for
six channels; seconds on one core) with six clusters, one per basic activity; the true
activities only name each cluster's majority in the titles.

Run: ``python scripts/plot_clusters_sample.py [OUT.png]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

from tsclust import DeepClusterer
from tsclust.data import load_sample
from tsclust.plotting import plot_clusters
from tsclust.preprocessing import SlidingWindows

N_CLUSTERS = 6
"""As many clusters as basic activities (the six postural transitions are rare)."""


def main(out: Path) -> None:
    """Window the sample, cluster it and write the figure to ``out`` (80 dpi, 256 colours)."""
    w = SlidingWindows(size=128, step=64, labels="pure").transform(load_sample())
    labels = DeepClusterer(n_clusters=N_CLUSTERS, random_state=0).fit_predict(w.X)
    fig = plot_clusters(w.X, labels, channels=w.channels, positions=w.origins[:, 1],
                        recordings=w.origins[:, 0], rate=w.sampling_rate, truth=w.y)
    fig.savefig(out, dpi=80)
    with Image.open(out) as img:  # 256 colours: a third of the size, no visible change
        small = img.convert("RGB").quantize(colors=256)
    small.save(out, optimize=True)
    print(f"{len(w)} windows, {N_CLUSTERS} clusters -> {out} ({out.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/clusters_sample.png"))
