"""Probe: how much of the default's seed spread comes from the random kernels, or from the start? (not a test)

Fits the default ``DeepClusterer(k, random_state=seed)`` on panel problems with the
univariate ``rocket`` stage's seed fixed (12345), so that ``random_state`` moves only the
autoencoder's start, its batches and the head. With ``init`` as third argument the
autoencoder's initial weights are fixed too (built from seed 12345 whatever
``random_state``), so that it moves only the batches and the head; with ``head`` the
batches are fixed too, so that it moves only the head (the embedding and its k-means).
Compare with ``tsclust bench panel --methods default`` on the same problems and seeds.

    OMP_NUM_THREADS=1 python scripts/probe_fixed_kernels.py Coffee,BeetleFly,... results/fixed_kernels.csv [init|head]
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from tsclust import DeepClusterer
from tsclust.bench import panel
from tsclust.clustering import _estimator
from tsclust.metrics import ari, nmi


class FixedKernels(DeepClusterer):
    """The default with the stage's bias windows drawn from one fixed seed."""

    def _build_module(self, input_shape, seed):
        module = super()._build_module(input_shape, seed)
        module.stage.seed = 12345  # fit_windows draws the bias windows from this seed
        return module


class FixedStart(DeepClusterer):
    """The default with the autoencoder's initial weights and its kernels from one fixed seed."""

    def _build_module(self, input_shape, seed):
        return super()._build_module(input_shape, 12345)


def main() -> None:
    names, out = sys.argv[1].split(","), sys.argv[2]
    mode = sys.argv[3] if len(sys.argv) > 3 else "kernels"
    cls = FixedKernels if mode == "kernels" else FixedStart
    if mode == "head":  # every seed but the head's from random_state 12345
        def split(random_state, n, _split=_estimator.split_seeds):
            return [*_split(12345, n)[:-1], _split(random_state, n)[-1]]
        _estimator.split_seeds = split
    probs = {p.name: p for p in panel.list_problems()}
    rows = []
    for name in names:
        X, y = panel.load_problem(probs[name])
        k = len(np.unique(y))
        for seed in range(3):
            t = time.perf_counter()
            labels = cls(k, random_state=seed).fit_predict(X)
            rows.append({"dataset": name, "seed": seed, "nmi": nmi(y, labels),
                         "ari": ari(y, labels), "fit_time_s": time.perf_counter() - t})
            print(rows[-1], flush=True)
    pd.DataFrame(rows).to_csv(out, index=False)


if __name__ == "__main__":
    main()
