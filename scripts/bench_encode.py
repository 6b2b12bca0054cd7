"""Benchmark the autoencoder architectures on HAPT-sized windows (not a test).

For each architecture: seconds per training epoch, training windows/s, encoding windows/s
and the peak resident memory of the process, printed as a markdown table.

Example::

    python scripts/bench_encode.py --n 10929 --length 128 --channels 6 --threads 2
    python scripts/bench_encode.py --threads 1 --archs gru gru:stride=4 lstm:stride=8,bidirectional=1

An architecture may carry module arguments after a colon (integers, ``name=value`` pairs).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import numpy as np
import torch

from tsclust.models import build_autoencoder
from tsclust.training import encode, reconstruction_loss, train


def _peak_rss_mib() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 1024  # bytes on macOS, KiB on Linux


def _spec(text: str) -> tuple[str, dict[str, int]]:
    """``"gru:stride=4,num_layers=2"`` -> ``("gru", {"stride": 4, "num_layers": 2})``."""
    arch, _, rest = text.partition(":")
    kwargs = dict(item.split("=", 1) for item in rest.split(",") if item)
    return arch, {k: int(v) for k, v in kwargs.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_929, help="number of windows")
    parser.add_argument("--length", type=int, default=128, help="window length")
    parser.add_argument("--channels", type=int, default=6, help="channels per window")
    parser.add_argument("--latent-dim", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=1, help="timed training epochs")
    parser.add_argument("--encode-repeats", type=int, default=2)
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads")
    parser.add_argument("--archs", nargs="+", default=["conv", "gru", "lstm", "mlp"])
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)

    if args.threads is not None:
        torch.set_num_threads(args.threads)
    rng = np.random.RandomState(0)
    X = torch.from_numpy(rng.randn(args.n, args.channels, args.length).astype(np.float32))
    print(
        f"{args.n} windows x {args.length} steps x {args.channels} channels, batch "
        f"{args.batch_size}, torch {torch.__version__}, threads {torch.get_num_threads()}, "
        f"device {args.device}\n"
    )
    print(
        "| architecture | params | s / epoch | train windows/s | encode windows/s | peak RSS MiB |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for spec in args.archs:
        arch, kwargs = _spec(spec)
        module = build_autoencoder(arch, args.channels, args.length, args.latent_dim, seed=0,
                                   **kwargs)
        n_params = sum(p.numel() for p in module.parameters())
        # warm-up on a few batches (allocator, kernel selection)
        train(
            module,
            X[: 2 * args.batch_size],
            reconstruction_loss(),
            epochs=1,
            batch_size=args.batch_size,
            device=args.device,
        )
        hist = train(
            module,
            X,
            reconstruction_loss(),
            epochs=args.epochs,
            batch_size=args.batch_size,
            device=args.device,
        )
        sec_epoch = float(np.mean([r["time"] for r in hist]))
        encode(module, X[:4096], device=args.device)
        times = []
        for _ in range(args.encode_repeats):
            t0 = time.perf_counter()
            encode(module, X, device=args.device)
            times.append(time.perf_counter() - t0)
        enc_rate = args.n / min(times)
        print(
            f"| {spec} | {n_params:,} | {sec_epoch:.2f} | {args.n / sec_epoch:,.0f} | "
            f"{enc_rate:,.0f} | {_peak_rss_mib():,.0f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
