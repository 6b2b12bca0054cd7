"""How the embedding step's cost grows with the number of rows (not a test).

    OMP_NUM_THREADS=1 python scripts/bench_embedding.py --sizes 1000,10000,100000

Rows: a mixture of 12 Gaussians in 32 dimensions (the size of the ``cov`` latents). Prints,
per size, the seconds of the graph, the spectral start and the SGD, and of the whole
:class:`~tsclust.clustering._heads.EmbeddingAssigner` fit (which embeds at most 20,000 rows
and gives the others their nearest embedded row's cluster).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from tsclust.clustering import _embedding as E
from tsclust.clustering._heads import EmbeddingAssigner


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1000,10000,100000")
    args = p.parse_args()
    rng = np.random.RandomState(0)
    centres = 3.0 * rng.randn(12, 32)
    for n in (int(s) for s in args.sizes.split(",")):
        Z = centres[rng.randint(0, 12, n)] + rng.randn(n, 32)
        m = min(n, 20_000)
        t0 = time.perf_counter()
        graph = E.fuzzy_knn_graph(Z[:m], E.default_n_neighbors(m))
        t1 = time.perf_counter()
        init = E._spectral_init(graph, 10, 0)
        t2 = time.perf_counter()
        E.optimize_layout(graph, init, 500 if m <= 10_000 else 200, *E.umap_ab(0.0))
        t3 = time.perf_counter()
        EmbeddingAssigner(12, seed=0).fit(Z)
        t4 = time.perf_counter()
        print(f"n={n:>7}: embedded {m} rows, {E.default_n_neighbors(m)} neighbours; graph "
              f"{t1 - t0:.1f} s, start {t2 - t1:.1f} s, SGD {t3 - t2:.1f} s; whole fit "
              f"{t4 - t3:.1f} s", flush=True)


if __name__ == "__main__":
    main()
