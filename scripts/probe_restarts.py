"""Probe: does an ensemble of pre-training restarts lower the default's seed spread? (not a test)

For each panel problem and seed, ``--members`` autoencoders of the default univariate
architecture are pre-trained (``DeepClusterer(k, head="kmeans", random_state=1000 * seed + r)``,
each with its own random kernels), of the kinds ``--fit-kinds`` names: the full 9,996
features (``full``), a quarter of them each (``quarter``: ``module_kwargs={"n_features":
2496}``, so that four members cost about what one full member costs), 12 or 25
pre-training epochs (``e12``, ``e25``). The latents are kept in
``<out>/latents/<problem>_<seed>_<kinds>.npz``; ``--summarise`` then scores label-free variants:

- ``single``: the first full member's latents embedded (UMAP objective) and clustered by
  k-means (what the default's ``umap`` head does);
- ``concat<R>`` / ``<kind><R>``: the first R members' latents, each standardised, side by
  side, embedded once and clustered;
- ``coassoc<R>``: k-means on the one-hot labels of R single embeddings (co-association);
- ``medoid<R>``: the one of those R labelings that agrees best (mean ARI) with the others;
- ``embcat<R>``: k-means on the R single embeddings side by side.

    OMP_NUM_THREADS=1 python scripts/probe_restarts.py --problems $(cat benchmarks/panel_select.txt) --seeds 3 -o results/restarts
    python scripts/probe_restarts.py --summarise results/restarts
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler

from tsclust import DeepClusterer
from tsclust.bench import panel
from tsclust.clustering._embedding import embed
from tsclust.io import atomic_path
from tsclust.metrics import ari, nmi
from tsclust.training.inference import RocketFeatures
from tsclust.training.neighbours import pca_to_variance

KINDS = {"full": {}, "quarter": {"module_kwargs": {"n_features": 2496}},
         "e12": {"pretrain_epochs": 12}, "e25": {"pretrain_epochs": 25}}


def fit_members(problem: panel.Problem, seed: int, members: int, out: Path,
                kinds: list[str]) -> None:
    path = out / "latents" / f"{problem.name}_{seed}_{'+'.join(kinds)}.npz"
    if path.exists():
        return
    X, y = panel.load_problem(problem)
    k = len(np.unique(y))
    arrays, seconds = {"y": y}, {}
    for kind in kinds:
        params = KINDS[kind]
        for r in range(members):
            t = time.perf_counter()
            est = DeepClusterer(k, head="kmeans", random_state=1000 * seed + r, **params)
            arrays[f"{kind}_{r}"] = est.fit(X).transform(X)
            seconds[f"{kind}_{r}"] = time.perf_counter() - t
    for key, value in seconds.items():
        arrays[f"seconds_{key}"] = np.float64(value)
    save_npz(path, **arrays)
    print(f"{problem.name} seed {seed}: {sum(seconds.values()):.1f} s", flush=True)


def save_npz(path: Path, **arrays: np.ndarray) -> None:
    """``np.savez`` to ``path`` (its folder made), whole or not at all (:func:`tsclust.io.atomic_path`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path, overwrite=True, suffix=".npz") as tmp:
        np.savez(tmp, **arrays)


def probe_parser(doc: str) -> argparse.ArgumentParser:
    """The arguments of a probe that loops over panel problems: ``--problems``, ``--seeds``, ``-o``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--problems", required=True, help="panel problem names, comma-separated")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("-o", "--out", type=Path, required=True)
    return parser


def panel_problems(names: str) -> Iterator[tuple[panel.Problem, np.ndarray, np.ndarray, int]]:
    """``(problem, X, y, k)`` for each of the comma-separated panel ``names``, under the panel's protocol."""
    problems = {p.name: p for p in panel.list_problems()}
    for name in names.split(","):
        X, y = panel.load_problem(problems[name])
        yield problems[name], X, y, len(np.unique(y))


def pca_rows(F: np.ndarray, seed: int, variance: float = 0.8) -> np.ndarray:
    """The leading principal components of the rows of ``F`` that keep ``variance`` of it."""
    pca, keep = pca_to_variance(F, variance, seed)
    return pca.transform(F)[:, :keep]


def rocket_view(X: np.ndarray, seed: int) -> np.ndarray:
    """What ``rocket-umap`` embeds: standardised random-kernel features of ``X``, PCA to 80%."""
    return pca_rows(StandardScaler().fit_transform(RocketFeatures(seed=seed).fit_transform(X)), seed)


def unit_scale(Z: np.ndarray) -> np.ndarray:
    """``Z`` centred and divided by its overall standard deviation (one number), float64."""
    Z = np.asarray(Z, dtype=np.float64)
    return (Z - Z.mean(0)) / max(float(Z.std()), 1e-12)


def embed_rows(Z: np.ndarray, seed: int) -> np.ndarray:
    """The ``umap`` head's embedding of ``Z`` (10 dimensions, default neighbours), float64."""
    return np.asarray(embed(np.asarray(Z, dtype=np.float64), 10, seed=seed), dtype=np.float64)


def kmeans_labels(E: np.ndarray, k: int, seed: int, n_init: int = 10) -> np.ndarray:
    return KMeans(k, n_init=n_init, random_state=seed).fit_predict(np.asarray(E, dtype=np.float64))


def coassoc_labels(labelings: list[np.ndarray], k: int, seed: int) -> np.ndarray:
    """Co-association consensus: k-means (20 restarts) on the labelings' one-hot codes side by side."""
    return kmeans_labels(np.hstack([np.eye(k)[lab] for lab in labelings]), k, seed, n_init=20)


def _cluster(Z: np.ndarray, k: int, seed: int) -> np.ndarray:
    return kmeans_labels(embed_rows(Z, seed), k, seed)


def load_latents(out: Path) -> dict[tuple[str, int], dict[str, np.ndarray]]:
    """``(problem, seed)`` -> every array kept in ``<out>/latents`` for it (all kinds merged)."""
    files: dict[tuple[str, int], dict[str, np.ndarray]] = {}
    for path in sorted((out / "latents").glob("*.npz")):
        parts = path.stem.split("_")
        at = max(i for i, p in enumerate(parts) if p.isdigit())
        files.setdefault(("_".join(parts[:at]), int(parts[at])), {}).update(dict(np.load(path)))
    return dict(sorted(files.items()))


def score_table(d: pd.DataFrame, by: str) -> pd.DataFrame:
    """Mean NMI and ARI per ``by``, and the seed spread (mean per-problem std of NMI)."""
    table = d.groupby(by).agg(nmi=("nmi", "mean"), ari=("ari", "mean"))
    table["spread"] = d.groupby([by, "dataset"]).nmi.std(ddof=0).groupby(by).mean()
    return table


def medoid_partition(runs: list[np.ndarray]) -> np.ndarray:
    """The partition of ``runs`` with the highest mean ARI to the others."""
    agree = [np.mean([ari(a, b) for j, b in enumerate(runs) if j != i]) for i, a in enumerate(runs)]
    return runs[int(np.argmax(agree))]


def summarise(out: Path, members: int, kinds: list[str]) -> pd.DataFrame:
    rows = []
    for (name, seed), a in load_latents(out).items():
        if not all(f"{kind}_{r}" in a for kind in kinds for r in range(members)):
            continue
        y = a["y"]
        k = len(np.unique(y))
        embeddings = [embed_rows(a[f"full_{r}"], 1000 * seed + r) for r in range(members)]
        single = [kmeans_labels(E, k, 1000 * seed + r) for r, E in enumerate(embeddings)]

        def add(variant: str, labels: np.ndarray, name=name, seed=seed, y=y) -> None:
            rows.append({"dataset": name, "seed": seed, "variant": variant,
                         "nmi": nmi(y, labels), "ari": ari(y, labels)})

        add("single", single[0])
        for R in range(2, members + 1):
            for kind in kinds:
                Z = np.hstack([unit_scale(a[f"{kind}_{r}"]) for r in range(R)])
                add(("concat" if kind == "full" else kind) + str(R), _cluster(Z, k, seed))
            add(f"coassoc{R}", coassoc_labels(single[:R], k, seed))
            add(f"medoid{R}", medoid_partition(single[:R]))
            E = np.hstack([e / e.std() for e in embeddings[:R]])
            add(f"embcat{R}", kmeans_labels(E, k, seed))
        for kind in kinds[1:]:
            add(f"{kind}1", _cluster(a[f"{kind}_0"], k, seed))
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", default="")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--members", type=int, default=4)
    parser.add_argument("-o", "--out", type=Path, default=Path("results/restarts"))
    parser.add_argument("--kinds", default="quarter", help="member kinds besides full")
    parser.add_argument("--fit-kinds", default="full,quarter", help="member kinds to fit")
    parser.add_argument("--summarise", type=Path)
    args = parser.parse_args()
    if args.summarise:
        d = summarise(args.summarise, args.members, ["full", *args.kinds.split(",")])
        d.to_csv(args.summarise / "variants.csv", index=False)
        print(f"{d.dataset.nunique()} problems")
        print(score_table(d, "variant").round(4).to_string())
        return
    probs = {p.name: p for p in panel.list_problems()}
    for name in args.problems.split(","):
        for seed in range(args.seeds):
            fit_members(probs[name], seed, args.members, args.out, args.fit_kinds.split(","))


if __name__ == "__main__":
    main()
