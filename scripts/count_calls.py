"""How many times one DeepClusterer fit validates (a check of issue #24's "validated once").

    python scripts/count_calls.py

Fits a small DeepClusterer (60 windows of 32 x 3, 2 + 2 epochs) under cProfile and prints
how often the validation functions ran, the parameter counts of the public estimators, and
how many tsclust files and functions the fit walked.
"""

from __future__ import annotations

import cProfile
import inspect
import pstats

import numpy as np

import tsclust

CHECKS = ("validate_params", "collect", "check_collection", "check_architecture",
          "resolve_architecture", "resolve_device")


def main() -> None:
    X = np.random.RandomState(0).randn(60, 32, 3).astype(np.float32)
    est = tsclust.DeepClusterer(n_clusters=3, random_state=0, pretrain_epochs=2,
                                finetune_epochs=2)
    prof = cProfile.Profile()
    prof.enable()
    est.fit(X)
    prof.disable()
    stats = pstats.Stats(prof).stats
    for name in CHECKS:
        print(f"{name:22s} {sum(v[1] for k, v in stats.items() if k[2] == name)}")
    for cls in (tsclust.DeepClusterer, tsclust.clustering.LatentClusterer, tsclust.Autoencoder,
                tsclust.RecordingClusterer):
        print(f"{cls.__name__:22s} {len(inspect.signature(cls).parameters)} parameters")
    ours = [k for k in stats if "/tsclust/" in k[0]]
    print(f"one fit walked {len({k[0] for k in ours})} tsclust files, {len(ours)} functions")


if __name__ == "__main__":
    main()
