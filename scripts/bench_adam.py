"""Time one optimiser step of the random-kernel MLP (9,996 features in and out): plain Adam
against the fused Adam that :func:`tsclust.training.loop.make_adam` builds on the CPU.

    OMP_NUM_THREADS=1 python scripts/bench_adam.py [--batch 32] [--steps 100]

Prints, per implementation, the milliseconds of a whole training step (forward, backward,
update) and of the update alone. One thread, so that the numbers compare with a panel run.
"""

from __future__ import annotations

import argparse
import time

import torch

from tsclust.models.dense import VectorAutoencoder
from tsclust.training.loop import make_adam


def _time(step, n: int) -> float:
    for _ in range(3):
        step()
    t = time.perf_counter()
    for _ in range(n):
        step()
    return (time.perf_counter() - t) / n * 1e3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--features", type=int, default=9996)
    args = ap.parse_args()
    torch.set_num_threads(1)
    x = torch.randn(args.batch, args.features)
    for name in ("plain", "fused"):
        torch.manual_seed(0)
        ae = VectorAutoencoder(args.features, latent_dim=10)
        params = list(ae.parameters())
        opt = (torch.optim.Adam(params, lr=1e-3) if name == "plain"
               else make_adam(params, 1e-3, 0.0))

        def step(ae=ae, opt=opt) -> None:
            opt.zero_grad()
            f_hat, _ = ae(x)
            (f_hat - x).pow(2).mean().backward()
            opt.step()

        whole = _time(step, args.steps)
        update = _time(opt.step, args.steps)
        n = sum(p.numel() for p in params)
        print(f"{name}: {whole:.1f} ms a step, {update:.1f} ms the update ({n:,} parameters, "
              f"batch {args.batch})")


if __name__ == "__main__":
    main()
