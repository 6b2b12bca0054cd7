"""Benchmark fitting from a window store 10x the size of HAPT, in 1 and 2 processes (not a test).

Builds (once) a store of ``--copies`` concatenated copies of the HAPT windows
(``SlidingWindows(128, 64, "pure")`` -> 10,929 windows per copy) with
``WindowStoreWriter.append``, then fits ``DeepClusterer(conv, kmeans)`` from the store path
(streamed: nothing is loaded whole) in a fresh process, and again with 2 processes (gloo,
one torch thread each) through torchrun. Reports the peak RSS of each process
(``resource.getrusage``) against the store's uncompressed size, and training windows/s.

Example::

    python scripts/bench_scale.py --store /tmp/hapt10.h5 --epochs 1 --nproc 1 2
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HAPT = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "hapt"


def _peak_rss_mib() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 1024


def build_store(path: Path, copies: int, hapt: Path) -> dict:
    from tsclust.data import read_hapt
    from tsclust.io import WindowStoreWriter, store_info
    from tsclust.preprocessing import SlidingWindows

    w = SlidingWindows(128, 64, "pure").transform(read_hapt(hapt, verbose=0))
    t0 = time.perf_counter()
    with WindowStoreWriter(path, overwrite=True) as out:
        for _ in range(copies):
            out.append(w)
    info = store_info(path)
    print(f"built {path}: {info['n_windows']} windows {info['shape'][1:]} "
          f"({copies} x {len(w)}) in {time.perf_counter() - t0:.1f} s, "
          f"{path.stat().st_size / 2**20:.0f} MiB on disk", flush=True)
    return info


def fit_once(args: argparse.Namespace) -> None:
    """Run by each benchmark process (plain, or one rank under torchrun)."""
    import torch

    torch.set_num_threads(args.threads)
    from tsclust import distributed
    from tsclust.distributed import launch

    if "RANK" in os.environ:
        distributed.init_process_group("gloo")
    t0 = time.perf_counter()
    est = launch.fit(
        args.store, None, n_clusters=12, architecture="conv", head="kmeans",
        pretrain_epochs=args.epochs, batch_size=256, random_state=0, device="cpu",
    )
    total = time.perf_counter() - t0
    pre = sum(r["time"] for r in est.history_["pretrain"])
    n = len(est.labels_)
    rss = [_peak_rss_mib()]
    if distributed.world_size() > 1:
        import torch.distributed as dist

        rss = [None] * distributed.world_size()
        dist.all_gather_object(rss, _peak_rss_mib())
    if distributed.rank() == 0:
        print("RESULT " + json.dumps({
            "processes": distributed.world_size(), "threads": args.threads, "windows": n,
            "epochs": args.epochs, "pretrain_s": pre, "fit_s": total,
            "train_windows_per_s": n * args.epochs / pre, "peak_rss_mib": rss,
        }), flush=True)
    if distributed.world_size() > 1:
        import torch.distributed as dist

        dist.destroy_process_group()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--store", type=Path, default=Path("/tmp/tsclust_hapt10.h5"))
    p.add_argument("--hapt", type=Path, default=HAPT)
    p.add_argument("--copies", type=int, default=10)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--threads", type=int, default=1, help="torch threads per process")
    p.add_argument("--nproc", type=int, nargs="+", default=[1, 2])
    p.add_argument("--rebuild", action="store_true")
    p.add_argument("--fit-once", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.fit_once:
        fit_once(args)
        return 0
    if args.rebuild or not args.store.exists():
        build_store(args.store, args.copies, args.hapt)
    from tsclust.io import store_info

    info = store_info(args.store)
    n, t, c = info["shape"]
    print(f"store: {n} windows, uncompressed {n * t * c * 4 / 2**20:.0f} MiB, "
          f"{args.store.stat().st_size / 2**20:.0f} MiB on disk", flush=True)
    rows = []
    base = [str(Path(__file__).resolve()), "--fit-once", "--store", str(args.store),
            "--epochs", str(args.epochs), "--threads", str(args.threads)]
    for k in args.nproc:
        if k == 1:
            cmd = [sys.executable, *base]
        else:
            cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone",
                   "--nproc-per-node", str(k), *base]
        out = subprocess.run(cmd, capture_output=True, text=True, check=False)
        lines = [ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")]
        if out.returncode != 0 or not lines:
            print(out.stdout[-2000:], out.stderr[-4000:], file=sys.stderr)
            return 1
        rows.append(json.loads(lines[-1][7:]))
    print("| processes | threads each | epochs | pre-training s | train windows/s | fit s | peak RSS per process (MiB) |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['processes']} | {r['threads']} | {r['epochs']} | {r['pretrain_s']:.1f} | "
              f"{r['train_windows_per_s']:.0f} | {r['fit_s']:.1f} | "
              f"{', '.join(f'{v:.0f}' for v in r['peak_rss_mib'])} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
