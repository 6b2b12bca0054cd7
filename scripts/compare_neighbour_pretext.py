"""Compare a panel run of a deep method with a reference run and Euclidean k-means (the cache).

For the problems of the new run: NMI with and without the change, Euclidean k-means' NMI
from ``benchmarks/panel_baselines.csv``, and the fit seconds; then the means, and how many
problems reach Euclidean k-means (within 0.005 NMI). Prints a Markdown table.

Usage::

    python scripts/compare_neighbour_pretext.py results/sel_convN/panel_runs.csv \\
        benchmarks/panel_select_conv_b32_runs_2026-12-02.csv --method conv+kmeans
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

#: NMI margin under which a method still counts as reaching Euclidean k-means.
TIE = 0.005


def compare(new: pd.DataFrame, ref: pd.DataFrame, euclid: pd.DataFrame, method: str,
            ref_method: str) -> pd.DataFrame:
    """One row per problem of ``new``: NMI and fit seconds of both runs, the baselines' NMI.

    Parameters
    ----------
    new, ref : DataFrame
        Panel runs (``panel_runs.csv``); seed 0 rows of ``method`` / ``ref_method``.
    euclid : DataFrame
        The baseline cache; its ``euclidean-kmeans``, ``rocket-kmeans`` and ``spectral`` rows.
    method, ref_method : str

    Returns
    -------
    DataFrame indexed by problem.
    """
    def pick(d: pd.DataFrame, m: str) -> pd.DataFrame:
        d = d[(d["method"] == m) & (d["seed"] == 0) & (d["status"] == "ok")]
        return d.set_index("dataset")[["nmi", "fit_time_s"]]

    a, b = pick(new, method), pick(ref, ref_method)
    e = euclid[euclid["method"] == "euclidean-kmeans"].set_index("dataset")["nmi"]
    out = pd.DataFrame({"nmi_new": a["nmi"], "nmi_ref": b["nmi"].reindex(a.index),
                        "nmi_euclid": e.reindex(a.index), "fit_s_new": a["fit_time_s"],
                        "fit_s_ref": b["fit_time_s"].reindex(a.index)})
    for m in ("rocket-kmeans", "spectral"):
        out[f"nmi_{m}"] = euclid[euclid["method"] == m].set_index("dataset")["nmi"].reindex(a.index)
    out["new_ge_euclid"] = out["nmi_new"] >= out["nmi_euclid"] - TIE
    out["ref_ge_euclid"] = out["nmi_ref"] >= out["nmi_euclid"] - TIE
    return out


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments and print the per-problem table and the summary."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("new", type=Path, help="panel_runs.csv of the run with the change")
    p.add_argument("ref", type=Path, help="panel runs CSV of the reference run")
    p.add_argument("--method", default="conv+kmeans")
    p.add_argument("--ref-method", default=None, help="default: --method")
    p.add_argument("--cache", type=Path, default=Path("benchmarks/panel_baselines.csv"))
    p.add_argument("--peer", nargs=2, action="append", default=[], metavar=("CSV", "METHOD"),
                   help="also print the mean NMI of METHOD (seed 0) in CSV on these problems")
    args = p.parse_args(argv)
    t = compare(pd.read_csv(args.new), pd.read_csv(args.ref), pd.read_csv(args.cache),
                args.method, args.ref_method or args.method)
    cols = ["nmi_new", "nmi_ref", "nmi_euclid", "nmi_rocket-kmeans", "nmi_spectral",
            "fit_s_new", "fit_s_ref"]
    print("| problem | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for name, row in t.iterrows():
        print(f"| {name} | " + " | ".join(f"{row[c]:.3f}" if c.startswith("nmi") else
                                          f"{row[c]:.1f}" for c in cols) + " |")
    n = len(t)
    print(f"\nproblems: {n}")
    print(f"mean NMI: new {t.nmi_new.mean():.3f}, ref {t.nmi_ref.mean():.3f}, "
          f"euclidean-kmeans {t.nmi_euclid.mean():.3f}, "
          f"rocket-kmeans {t['nmi_rocket-kmeans'].mean():.3f}, spectral {t.nmi_spectral.mean():.3f}")
    rk = t["nmi_rocket-kmeans"]
    print(f"new vs rocket-kmeans: {int((t.nmi_new > rk + TIE).sum())} above, "
          f"{int((t.nmi_new < rk - TIE).sum())} below (margin {TIE})")
    print(f">= euclidean-kmeans (within {TIE}): new {int(t.new_ge_euclid.sum())}/{n}, "
          f"ref {int(t.ref_ge_euclid.sum())}/{n}")
    print(f"new > ref on {int((t.nmi_new > t.nmi_ref + TIE).sum())}, "
          f"< ref on {int((t.nmi_new < t.nmi_ref - TIE).sum())}")
    print(f"fit seconds: new {t.fit_s_new.sum():.0f}, ref {t.fit_s_ref.sum():.0f}")
    for csv, m in args.peer:
        d = pd.read_csv(csv)
        d = d[(d["method"] == m) & (d["seed"].fillna(0) == 0) & d["dataset"].isin(t.index)]
        d = d.set_index("dataset")
        above = int((t.nmi_new > d["nmi"].reindex(t.index) + TIE).sum())
        below = int((t.nmi_new < d["nmi"].reindex(t.index) - TIE).sum())
        print(f"peer {m} ({Path(csv).name}): {len(d)} problems, mean NMI {d['nmi'].mean():.3f}, "
              f"fit s {d['fit_time_s'].sum():.0f}; new above on {above}, below on {below}")


if __name__ == "__main__":
    main()
