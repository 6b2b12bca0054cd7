"""Exploratory sweep: DeepClusterer settings on a window store, one line of scores each.

Not a test and not the comparison table (use ``tsclust compare`` for that, with seeds and
baselines): a quick way to see which architecture/head/hyper-parameters move ARI/NMI.

Usage::

    python scripts/sweep_heads.py hapt.h5 -k 12 --threads 2 \
        '{"architecture": "conv", "head": "kmeans", "pretrain_epochs": 20}' \
        '{"architecture": "mlp", "head": "dec"}'

Each JSON argument holds DeepClusterer keyword arguments (``random_state`` defaults to 0).
"""

from __future__ import annotations

import argparse
import json
import time
import warnings

import torch

from tsclust.clustering import DeepClusterer
from tsclust.io import read_windows
from tsclust.metrics import evaluate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("store", help="HDF5 window store with labels")
    parser.add_argument("-k", "--n-clusters", type=int, required=True)
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads")
    parser.add_argument("configs", nargs="+", help="JSON dicts of DeepClusterer arguments")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    w = read_windows(args.store)
    if w.y is None:
        parser.error(f"{args.store} has no labels to score against")
    print("| settings | ARI | NMI | ACC | seconds | fine-tuning epochs | collapse warnings |")
    print("|---|---|---|---|---|---|---|")
    for text in args.configs:
        params = {"random_state": 0, "device": "cpu", **json.loads(text)}
        t0 = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            est = DeepClusterer(args.n_clusters, **params).fit(w.X)
        s = evaluate(w.y, est.labels_)
        print(
            f"| `{json.dumps(params)}` | {s['ari']:.3f} | {s['nmi']:.3f} | {s['acc']:.3f} "
            f"| {time.perf_counter() - t0:.0f} | {est.n_iter_} | {len(caught)} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
