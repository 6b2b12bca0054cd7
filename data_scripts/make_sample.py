"""Build the embedded HAPT sample ``tsclust/data/datasets/hapt_sample.npz``.

Reads the raw UCI HAPT data (default ``/work/shared/data/hapt``, or any folder/zip that
:func:`tsclust.data.read_hapt` accepts) and keeps a few subjects' raw acc+gyro signals as
float32 together with their ``labels.txt`` segments, compressed with ``np.savez_compressed``.

Usage::

    python data_scripts/make_sample.py [--source PATH] [--subjects 8 9 12] [-o OUT.npz]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from tsclust.data import read_hapt

DEFAULT_SOURCE = Path("/work/shared/data/hapt")
DEFAULT_SUBJECTS = (8, 9, 12)  # the three subjects with the shortest recordings (2 each)
DEFAULT_OUT = (
    Path(__file__).resolve().parents[1] / "tsclust" / "data" / "datasets" / "hapt_sample.npz"
)


def build_sample(
    source: str | Path, subjects=DEFAULT_SUBJECTS, out: str | Path = DEFAULT_OUT
) -> Path:
    """Write the sample of ``subjects`` from ``source`` to ``out``; return ``out``."""
    recs = read_hapt(source, subjects=subjects, verbose=0)
    offsets = np.cumsum([0] + [r.n_samples for r in recs]).astype(np.int64)
    segments = np.concatenate(
        [np.column_stack([np.full(len(r.segments), i), r.segments]) for i, r in enumerate(recs)]
    ).astype(np.int64)
    out = Path(out)
    np.savez_compressed(
        out,
        signals=np.concatenate([r.signals for r in recs]).astype(np.float32),
        offsets=offsets,
        subject=np.array([r.subject for r in recs], dtype=np.int64),
        experiment=np.array([r.experiment for r in recs], dtype=np.int64),
        segments=segments,  # rows (recording index, start, stop, activity), half-open
        channels=np.array(recs[0].channels),
        sampling_rate=np.float64(recs[0].sampling_rate),
        source=np.array("UCI HAPT v2.1 RawData (Reyes-Ortiz et al.), CC BY 4.0, non-commercial"),
    )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--subjects", type=int, nargs="+", default=list(DEFAULT_SUBJECTS))
    parser.add_argument("-o", "--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    out = build_sample(args.source, args.subjects, args.out)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
