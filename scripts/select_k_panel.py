"""How well does ``select_k`` (``tsclust fit -k auto``) choose k? Chosen k vs true k on panel problems.

Each problem of the panel (``tsclust.bench.panel``: UCR problems of ``<root>/ucr2018`` and
HAPT, TRAIN+TEST merged, global per-channel standardization) is given to
:func:`tsclust.clustering.select_k` with ``k_range = 2 .. min(K_MAX, n - 1)``; the table holds
the true k (number of classes), the k of the best silhouette (what ``-k auto`` picks), the
elbow of the inertia, the NMI of the default's clusters with the chosen k and with the true k
(what ``tsclust fit -k auto`` gives: the final fit reuses select_k's pre-training, as with
``warm_start=True``), and the time. Problems run one after the other; a problem that fails is a
row with its error.

Example (three small problems; the whole panel takes hours)::

    python scripts/select_k_panel.py --problems Chinatown,Coffee,ECG200 -o select_k.csv
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
import warnings
from pathlib import Path
from typing import Any

COLUMNS = ("problem", "n_series", "length", "n_channels", "true_k", "best_k", "elbow_k",
           "k_range", "nmi_best_k", "nmi_true_k", "seconds", "error")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line of the script."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--problems", default="quick",
                   help="'quick' (Chinatown, Coffee, ECG200), 'all', or comma-separated names")
    p.add_argument("--data-root", type=Path, default=None,
                   help="folder with ucr2018/ and hapt/ (default: ../shared/data)")
    p.add_argument("--k-max", type=int, default=12, help="largest candidate k (default 12)")
    p.add_argument("--epochs", type=int, default=None,
                   help="pre-training epochs of the DeepClusterer (default: its own)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("-o", "--out", type=Path, help="CSV table to write")
    p.add_argument("--summarise", type=Path, default=None,
                   help="print the Markdown summary of a table this script wrote, and stop")
    args = p.parse_args(argv)
    if args.out is None and args.summarise is None:
        p.error("-o is required (or --summarise CSV)")
    return args


def summarise(path: Path) -> str:
    """The Markdown summary of a table: how often the chosen k is the true k, and NMI."""
    import numpy as np

    with path.open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if not r["error"]]
    true, best, elbow = (np.array([int(r[c]) for r in rows]) for c in ("true_k", "best_k",
                                                                         "elbow_k"))
    top = np.array([int(r["k_range"].split("-")[1]) for r in rows])
    reachable = true <= top
    nmi_b = np.array([float(r["nmi_best_k"]) for r in rows])
    nmi_t = np.array([float(r["nmi_true_k"]) for r in rows])
    n, m = len(rows), int(reachable.sum())
    lines = [
        "| rule | = true k | within 1 | chosen k at the top of the range |",
        "|---|---|---|---|",
        f"| best silhouette (`-k auto`) | {(best == true).sum()} / {n} ({(best == true)[reachable].sum()} / {m} where the true k is in the range) "
        f"| {(abs(best - true) <= 1).sum()} / {n} | {(best == top).sum()} |",
        f"| elbow of the inertia | {(elbow == true).sum()} / {n} | {(abs(elbow - true) <= 1).sum()} / {n} | {(elbow == top).sum()} |",
        "",
        f"Mean NMI of the default's clusters: {nmi_b.mean():.3f} with the chosen k, "
        f"{nmi_t.mean():.3f} with the true k ({n} problems; chosen k < true k on "
        f"{(best < true).sum()}, > on {(best > true).sum()}).",
    ]
    return "\n".join(lines)


def one_problem(problem: Any, k_max: int, epochs: int | None, seed: int) -> dict[str, Any]:
    """select_k on one panel problem: a row of :data:`COLUMNS`."""
    import numpy as np

    from tsclust.bench.panel import load_problem
    from tsclust.clustering import DeepClusterer, select_k
    from tsclust.metrics import nmi

    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row["problem"] = problem.name
    start = time.perf_counter()
    try:
        X, y = load_problem(problem)
        row.update(n_series=X.shape[0], length=X.shape[1], n_channels=X.shape[2],
                   true_k=len(np.unique(y)))
        ks = range(2, min(k_max, X.shape[0] - 1) + 1)
        row["k_range"] = f"{ks.start}-{ks.stop - 1}"
        est = DeepClusterer(2, warm_start=True,
                            **({} if epochs is None else {"pretrain_epochs": epochs}))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "best at the top of k_range": in the table
            sel = select_k(X, ks, estimator=est, random_state=seed)
        row.update(best_k=sel.best_k, elbow_k=sel.elbow_k)
        final = sel.extra["estimator"].set_params(head=est.head)  # as tsclust fit -k auto
        for key, k in (("nmi_best_k", sel.best_k), ("nmi_true_k", row["true_k"])):
            labels = final.set_params(n_clusters=int(k)).fit(X).labels_
            row[key] = round(nmi(y, labels), 4)
    except Exception as exc:  # noqa: BLE001 - a failing problem is a row
        row["error"] = f"{type(exc).__name__}: {exc}"
    row["seconds"] = round(time.perf_counter() - start, 1)
    return row


def main(argv: list[str] | None = None) -> int:
    """Run select_k over the chosen problems and write the table; print it too."""
    import numpy as np

    from tsclust.bench.panel import list_problems

    args = parse_args(argv)
    if args.summarise is not None:
        print(summarise(args.summarise))
        return 0
    names = [n.strip() for n in args.problems.split(",") if n.strip()]
    if not names:
        raise SystemExit("--problems names nothing")
    chosen = names[0] if names in (["quick"], ["all"]) else names
    rows = []
    for problem in list_problems(args.data_root, chosen):
        row = one_problem(problem, args.k_max, args.epochs, args.seed)
        rows.append(row)
        print(" ".join(f"{k}={row[k]}" for k in COLUMNS if row[k] is not None), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    ok = [r for r in rows if r["error"] is None]
    hits = sum(r["best_k"] == r["true_k"] for r in ok)
    near = sum(abs(r["best_k"] - r["true_k"]) <= 1 for r in ok)
    print(f"best silhouette picks the true k on {hits} of {len(ok)} problems ({near} within 1); "
          f"elbow on {sum(r['elbow_k'] == r['true_k'] for r in ok)}; mean NMI with the chosen k "
          f"{np.mean([r['nmi_best_k'] for r in ok]):.3f}, with the true k "
          f"{np.mean([r['nmi_true_k'] for r in ok]):.3f}; table in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
