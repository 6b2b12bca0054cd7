"""A real unequal-length clustering problem made from UCR data (not a test).

Each UCR problem (TRAIN and TEST merged, globally standardized per channel as in the panel
benchmark's protocol, k = number of classes) has every series given its own random length
(uniform between ``--low`` and ``--high`` of the length, seeded:
:func:`tsclust.preprocessing.lengths.random_lengths`): ``--modes stretch`` resamples each whole
series to its length (the same event at another speed, as gestures and words come);
``crop`` keeps a window of that length at a random start (alignment lost: a stress test).
The list of series goes to
:func:`tsclust.compare.compare` as it is: the default ``DeepClusterer``, ``euclidean-kmeans``
and ``rocket-kmeans`` resample every series to the longest length, ``dtw-kmeans`` compares the
unpadded series. ``--reference`` adds the same methods on the uncropped series. Printed as a
Markdown table of NMI / ARI / seconds (fit + predict). Example::

    python scripts/unequal_panel.py --ucr ../shared/data/ucr2018 \\
        --problems GunPoint ECG200 Coffee Chinatown --seed 0
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from tsclust.compare import compare
from tsclust.data import read_ucr
from tsclust.preprocessing import ChannelStandardScaler
from tsclust.preprocessing.lengths import random_lengths

METHODS = ["default", "euclidean-kmeans", "dtw-kmeans", "rocket-kmeans"]


def load(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """TRAIN+TEST of a UCR problem, each channel standardized over all series and time points."""
    X, y = read_ucr(folder, "both")
    return ChannelStandardScaler().fit_transform(X).astype(np.float32), np.asarray(y)


def run(args: argparse.Namespace) -> list[dict]:
    """One row per problem, data (the mode, or "full") and method."""
    out = []
    for name in args.problems:
        X, y = load(Path(args.ucr) / name)
        k = len(np.unique(y))
        sets = []
        for mode in args.modes:
            series = random_lengths(X, args.low, args.high, mode=mode, random_state=args.seed)
            lengths = [len(s) for s in series]
            sets.append((mode, series, f"{min(lengths)}-{max(lengths)}"))
        if args.reference:
            sets.append(("full", X, str(X.shape[1])))
        for data, collection, length in sets:
            rows = compare(collection, y, n_clusters=k, methods=args.methods, seeds=[args.seed],
                           progress=False)
            for r in rows:
                out.append({"problem": name, "n": len(y), "k": k, "length": length, "data": data,
                            **r})
            print(f"{name} {data}: done", file=sys.stderr)
    return out


def table(rows: list[dict]) -> str:
    """The Markdown table of the rows."""
    lines = ["| problem | n | k | lengths | data | method | NMI | ARI | seconds |",
             "| --- | ---: | ---: | --- | --- | --- | ---: | ---: | ---: |"]
    for r in rows:
        score = (f"{r['nmi']:.3f} | {r['ari']:.3f}" if r["error"] is None
                 else f"error: {r['error']} | ")
        lines.append(f"| {r['problem']} | {r['n']} | {r['k']} | {r['length']} | {r['data']} | "
                     f"{r['method']} | {score} | {r['fit_time_s'] + r['predict_time_s']:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ucr", default="../shared/data/ucr2018", help="UCR archive folder")
    parser.add_argument("--problems", nargs="+",
                        default=["GunPoint", "ECG200", "Coffee", "Chinatown"])
    parser.add_argument("--methods", nargs="+", default=METHODS)
    parser.add_argument("--modes", nargs="+", choices=("stretch", "crop"),
                        default=["stretch", "crop"], help="how the lengths are made")
    parser.add_argument("--low", type=float, default=0.5, help="shortest kept fraction")
    parser.add_argument("--high", type=float, default=1.0, help="longest kept fraction")
    parser.add_argument("--seed", type=int, default=0, help="crops and methods")
    parser.add_argument("--reference", action="store_true",
                        help="also run the methods on the uncropped series")
    args = parser.parse_args(argv)
    print(table(run(args)))


if __name__ == "__main__":
    main()
