"""The embedded default dataset: a small real sample of UCI HAPT shipped with the package."""

from __future__ import annotations

from importlib import resources

import numpy as np

from .recording import Recording

__all__ = ["load_sample", "SAMPLE_FILE", "SAMPLE_NAME"]

SAMPLE_FILE = "hapt_sample.npz"

SAMPLE_NAME = "sample"
"""The source name that stands for this sample on the command line (``tsclust windows sample``)
when no file or folder of that name exists."""


def load_sample() -> list[Recording]:
    """Load the HAPT sample shipped in ``tsclust/data/datasets`` (no network).

    Six raw recordings (two experiments each of three subjects) of UCI HAPT: acc_x..z (g)
    and gyro_x..z (rad/s) at 50 Hz as float32, with the activity segments of
    ``labels.txt``. See ``tsclust/data/datasets/README.md`` for attribution and licence
    (CC BY 4.0; the dataset's README prohibits commercial use). On the command line the
    source name ``sample`` stands for it: ``tsclust windows sample -o store.h5``.

    Returns
    -------
    list of Recording
        Same layout as :func:`tsclust.data.read_hapt` returns.

    Examples
    --------
    >>> recs = load_sample()
    >>> len(recs), recs[0].channels[:3], recs[0].sampling_rate
    (6, ['acc_x', 'acc_y', 'acc_z'], 50.0)
    """
    ref = resources.files("tsclust.data.datasets").joinpath(SAMPLE_FILE)
    with resources.as_file(ref) as path, np.load(path, allow_pickle=False) as z:
        signals = z["signals"]
        offsets = z["offsets"]
        subjects = z["subject"]
        experiments = z["experiment"]
        segments = z["segments"]
        channels = [str(c) for c in z["channels"]]
        rate = float(z["sampling_rate"])
        source = str(z["source"])
    recs = []
    for i in range(len(offsets) - 1):
        sig = signals[offsets[i] : offsets[i + 1]]
        seg = segments[segments[:, 0] == i, 1:]
        labels = np.zeros(len(sig), dtype=np.int64)
        for start, stop, act in seg:
            labels[start:stop] = act
        e, u = int(experiments[i]), int(subjects[i])
        recs.append(
            Recording(
                signals=sig,
                labels=labels,
                channels=channels,
                sampling_rate=rate,
                subject=u,
                experiment=e,
                name=f"exp{e:02d}_user{u:02d}",
                source=source,
                segments=seg,
            )
        )
    return recs
