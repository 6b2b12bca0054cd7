"""Probe: give the default's embedding the series' level and scale where the series carry them (not a test)

MiniRocket's kernels sum to zero, so the random-kernel features cannot see a constant
offset of a series, and their proportion-of-positive-values pooling hardly sees its scale.
Most UCR problems are z-normalised series by series, so nothing is lost there; but 16 of
the 67 panel problems (and raw sensor series in general) are not, and the default loses
to the better of DTW and Euclidean k-means on 7 of them. This probe, label-free:

- detects collections not normalised one by one: the share of the (globally standardised)
  variance that lies in the series' means, or the coefficient of variation of their
  standard deviations, above ``--threshold`` (exactly 0 on the per-series z-normalised
  problems of the panel);
- pre-trains the default univariate autoencoder (``DeepClusterer(k, head="kmeans",
  random_state=1000 * seed)``, the latents the ``umap`` head embeds) and scores:

  - ``ae``: the latents embedded and clustered (what the default's ``umap`` head does);
  - ``lev<s>``: the latents and the series' [mean, std] per channel side by side (each
    block centred; the level block standardised per column and scaled so that it holds a
    share ``s`` of the total variance), embedded once and clustered;
  - ``levonly``: the level block alone embedded and clustered (what the level says alone).

Latents are kept in ``<out>/latents/<problem>_<seed>.npz`` so a second run only scores.

    OMP_NUM_THREADS=1 python scripts/probe_level.py --problems P1,P2 --seeds 3 -o results/level/sel.csv
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
from probe_restarts import (
    embed_rows,
    kmeans_labels,
    panel_problems,
    probe_parser,
    save_npz,
    score_table,
)

from tsclust import DeepClusterer
from tsclust.metrics import ari, nmi

SHARES = (0.25, 0.5)


def level_block(X: np.ndarray) -> np.ndarray:
    """Each series' mean and standard deviation per channel, (n, 2 * channels), float64."""
    X = np.asarray(X, dtype=np.float64)
    return np.hstack([np.nanmean(X, axis=1), np.nanstd(X, axis=1)])


def level_stats(X: np.ndarray) -> tuple[float, float]:
    """(share of variance in the series' means, cv of the series' stds), averaged over channels."""
    X = np.asarray(X, dtype=np.float64)
    means, stds = np.nanmean(X, axis=1), np.nanstd(X, axis=1)
    total = np.nanvar(X.transpose(2, 0, 1).reshape(X.shape[2], -1), axis=1)
    share = float(np.mean(np.var(means, axis=0) / np.maximum(total, 1e-12)))
    cv = float(np.mean(np.std(stds, axis=0) / np.maximum(np.mean(stds, axis=0), 1e-12)))
    return share, cv


def side_by_side(Z: np.ndarray, L: np.ndarray, share: float) -> np.ndarray:
    """``Z`` centred beside ``L`` standardised per column, ``L`` holding ``share`` of the variance."""
    Z = np.asarray(Z, dtype=np.float64) - Z.mean(0)
    L = (L - L.mean(0)) / np.maximum(L.std(0), 1e-12)
    wanted = share / (1.0 - share) * float((Z ** 2).sum(1).mean())
    L = L * np.sqrt(wanted / max(float((L ** 2).sum(1).mean()), 1e-12))
    return np.hstack([Z, L])


def latents(name: str, X: np.ndarray, k: int, seed: int, out: Path) -> dict[str, np.ndarray]:
    """The default's pre-trained latents of ``X``, fitted once and kept in ``<out>/latents``."""
    path = out / "latents" / f"{name}_{seed}.npz"
    if not path.exists():
        t = time.perf_counter()
        Z = DeepClusterer(k, head="kmeans", random_state=1000 * seed).fit(X).transform(X)
        save_npz(path, Z=Z, seconds=np.float64(time.perf_counter() - t))
        print(f"{name} seed {seed}: {time.perf_counter() - t:.1f} s", flush=True)
    return dict(np.load(path))


def main() -> None:
    parser = probe_parser(__doc__)
    parser.add_argument("--threshold", type=float, default=0.01)
    parser.add_argument("--stats-only", action="store_true", help="print the detection and stop")
    args = parser.parse_args()
    rows = []
    for problem, X, y, k in panel_problems(args.problems):
        name = problem.name
        share, cv = level_stats(X)
        flagged = share > args.threshold or cv > args.threshold
        print(f"{name}: mean share {share:.3f}, std cv {cv:.3f} -> {'level' if flagged else 'normalised'}",
              flush=True)
        if args.stats_only or not flagged:
            continue
        L = level_block(X)
        for seed in range(args.seeds):
            a, s = latents(name, X, k, seed, args.out.parent), 1000 * seed
            Z = a["Z"]
            out = {"ae": kmeans_labels(embed_rows(Z, s), k, s),
                   "levonly": kmeans_labels(embed_rows(L, s), k, s)}
            for share_ in SHARES:
                out[f"lev{share_:g}"] = kmeans_labels(embed_rows(side_by_side(Z, L, share_), s), k, s)
            for variant, labels in out.items():
                rows.append({"dataset": name, "seed": seed, "variant": variant,
                             "nmi": nmi(y, labels), "ari": ari(y, labels)})
    if not rows:
        return
    d = pd.DataFrame(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    d.to_csv(args.out, index=False)
    print(f"{d.dataset.nunique()} problems x {d.seed.nunique()} seeds")
    print(score_table(d, "variant").round(4).to_string())
    print(d.groupby(["dataset", "variant"]).nmi.mean().unstack().round(3).to_string())


if __name__ == "__main__":
    main()
