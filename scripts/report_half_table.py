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
    nmi = pd.DataFrame(a.nmi, index=a.datasets, columns=a.methods)  # mean over seeds
    peers = [m for m in ("dtw-kmeans", "euclidean-kmeans") if m in nmi]
    best_peer = nmi[peers].max(axis=1).fillna(-1) if peers else None
    out = []
    for m in a.methods:
        mine, totals = d[d.method == m], a.totals[m]
        row = {"method": m, "problems": totals["problems"], "fits": totals["runs"],
               "nmi": totals["nmi_mean"], "ari": totals["ari_mean"],
               "rank": rank.get(m, np.nan),
               # ddof 0, as every spread the docs report (the summary's std has ddof 1)
               "spread": mine.groupby("dataset").nmi.std(ddof=0).mean()
               if mine.seed.nunique() > 1 else np.nan,
               "fit_s": totals["fit_s_total"]}
        if best_peer is not None:
            row[">= DTW/Euclid"] = int((nmi[m] >= best_peer - 0.005).sum())
        out.append(row)
    ranked = len(a.ranked)
    print(f"{len(problems)} problems; ranks over the problems every one of {ranked} ranked "
          f"methods has; Friedman p = {a.test.get('p_value', float('nan')):.3g}")
    print(pd.DataFrame(out).sort_values("nmi", ascending=False).round(4).to_string(index=False))


if __name__ == "__main__":
    main()
