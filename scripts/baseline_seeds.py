"""Run a seeded baseline over several seeds on panel problems (not a test).

``tsclust bench panel`` runs every baseline once (seed 0: they are cached once); the
random-feature baselines (``rocket-*``, ``umap``) move with ``random_state`` too. This runs
``make_baseline(name, k, random_state=seed)`` for seeds ``0 .. --seeds - 1`` and writes
rows in the panel's columns (dataset, method, seed, status, nmi, ari, fit_time_s).

    OMP_NUM_THREADS=1 python scripts/baseline_seeds.py rocket-umap --problems $(cat benchmarks/panel_report.txt) --seeds 3 -o results/rep_rumap_seeds.csv
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from tsclust.baselines import make_baseline
from tsclust.bench import panel
from tsclust.metrics import ari, nmi


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("method")
    parser.add_argument("--problems", required=True)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("-o", "--out", required=True)
    args = parser.parse_args()
    rows = []
    for problem in panel.list_problems(names=args.problems.split(",")):
        X, y = panel.load_problem(problem)
        k = len(np.unique(y))
        for seed in range(args.seeds):
            t = time.perf_counter()
            labels = make_baseline(args.method, k, random_state=seed).fit_predict(X)
            rows.append({"dataset": problem.name, "method": args.method, "seed": seed,
                         "status": "ok", "nmi": nmi(y, labels), "ari": ari(y, labels),
                         "fit_time_s": time.perf_counter() - t})
            print(problem.name, seed, round(rows[-1]["nmi"], 3), flush=True)
    d = pd.DataFrame(rows)
    d.to_csv(args.out, index=False)
    spread = d.groupby("dataset").nmi.std(ddof=0).mean()
    print(f"{d.dataset.nunique()} problems x {args.seeds} seeds: NMI {d.nmi.mean():.4f}, "
          f"ARI {d.ari.mean():.4f}, seed spread {spread:.4f}, fit {d.fit_time_s.sum():.0f} s")


if __name__ == "__main__":
    main()
