"""The report half's headline table from several runs files (not a test).

Each ``FILE:METHOD[=NAME]`` takes the rows of ``METHOD`` from a runs CSV (``panel_runs.csv``
or a file in ``benchmarks/``), renamed ``NAME``; a file may be given several times, and a
``NAME`` given twice takes the rows of its first file first (a (problem, seed) already
there is not taken again). Rows are kept for the problems of ``--problems`` only. Prints, per method: mean NMI and ARI (the
mean over seeds of each problem, then over problems), the average rank over the problems
where every ranked method has a score (:func:`tsclust.bench.report.analyse`), the problems
where it is >= the better of DTW and Euclidean k-means (within 0.005), the seed spread
(mean per-problem standard deviation of NMI, ddof 0) and the summed fit seconds.

    python scripts/report_half_table.py --problems $(cat benchmarks/panel_report.txt) \\
        results/rep/panel_runs.csv:default=new-default benchmarks/panel_baselines.csv:euclidean-kmeans
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from tsclust.bench.report import analyse


def read(spec: str) -> pd.DataFrame:
    path, _, method = spec.rpartition(":")
    method, _, name = method.partition("=")
    d = pd.read_csv(path)
    d = d[(d.method == method) & (d.status == "ok")].copy()
    d["method"] = name or method
    return d


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", required=True, help="comma-separated problem names")
    parser.add_argument("runs", nargs="+", help="FILE:METHOD[=NAME]")
    args = parser.parse_args()
    problems = args.problems.split(",")
    d = pd.concat([read(s) for s in args.runs], ignore_index=True)
    d = d[d.dataset.isin(problems)].drop_duplicates(["dataset", "method", "seed"])
    rows = d.astype(object).where(d.notna(), None).to_dict("records")
    a = analyse(rows, baselines=[])
    rank = a.rank_map()
    means = d.groupby(["method", "dataset"]).nmi.mean().unstack(0)
    peers = [m for m in ("dtw-kmeans", "euclidean-kmeans") if m in means]
    best_peer = means[peers].max(axis=1) if peers else None
    out = []
    for m in a.methods:
        mine = d[d.method == m]
        row = {"method": m, "problems": mine.dataset.nunique(), "fits": len(mine),
               "nmi": means[m].mean(), "ari": mine.groupby("dataset").ari.mean().mean(),
               "rank": rank.get(m, np.nan),
               "spread": mine.groupby("dataset").nmi.std(ddof=0).mean()
               if mine.seed.nunique() > 1 else np.nan,
               "fit_s": mine.fit_time_s.sum()}
        if best_peer is not None:
            row[">= DTW/Euclid"] = int((means[m] >= best_peer.fillna(-1) - 0.005).sum())
        out.append(row)
    ranked = len(a.ranked)
    print(f"{len(problems)} problems; ranks over the problems every one of {ranked} ranked "
          f"methods has; Friedman p = {a.test.get('p_value', float('nan')):.3g}")
    print(pd.DataFrame(out).sort_values("nmi", ascending=False).round(4).to_string(index=False))


if __name__ == "__main__":
    main()
