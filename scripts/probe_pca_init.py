"""Probe: the default's autoencoder started from its features' principal components (not a test)

The seed spread of the univariate default comes from the autoencoder's random start and from
which rows share a mini-batch (docs/tried.md). This probe removes both: the MLP of the
``rocket`` stage starts from a start computed from the data, layer by layer, and trains on
all rows at once (``batch_size`` larger than the collection):

- encoder layer ``l`` (ReLU after it): the top principal directions of its input (the
  standardised features, then the previous layer's activations), each as the pair ``+v, -v``
  so that the ReLU keeps both signs, scaled to unit mean variance (not whitened: the
  directions keep their relative variances), centred by the bias; rows
  left over where the collection has fewer directions than units start at zero;
- the linear latent layer: the top ``latent_dim`` directions of the last activations, scaled alike;
- the decoder (tanh, tanh, linear): least squares from each layer's output back to the
  encoder's matching (centred, scaled into tanh's linear range) activations, and the last
  layer to the features.

Signs of principal directions are fixed (largest loading positive). ``random_state`` then
moves only the random kernels and the head. Rows: dataset, seed, nmi, ari, fit_time_s.

    OMP_NUM_THREADS=1 python scripts/probe_pca_init.py --problems P1,P2 --seeds 3 --epochs 150 -o results/pcainit.csv
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import torch
from probe_restarts import panel_problems, probe_parser
from torch import nn

import tsclust.base as base
from tsclust import DeepClusterer
from tsclust.metrics import ari, nmi

TANH_SCALE = 0.5  # decoder targets scaled to this standard deviation, in tanh's near-linear range


def directions(H: np.ndarray, r: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, top-``r`` principal directions (r, d) and their standard deviations of rows ``H``."""
    mu = H.mean(0)
    _, s, vt = np.linalg.svd(H - mu, full_matrices=False)
    r = min(r, int((s > 1e-6 * max(s[0], 1e-12)).sum()))
    vt = vt[:r]
    vt *= np.sign(vt[np.arange(r), np.abs(vt).argmax(1)])[:, None]
    return mu, vt, s[:r] / np.sqrt(max(len(H) - 1, 1))


def set_linear(layer: nn.Linear, W: np.ndarray, b: np.ndarray) -> None:
    with torch.no_grad():
        layer.weight.zero_()
        layer.bias.zero_()
        layer.weight[: len(W)] = torch.as_tensor(W, dtype=layer.weight.dtype)
        layer.bias[: len(b)] = torch.as_tensor(b, dtype=layer.bias.dtype)


def lstsq_linear(layer: nn.Linear, A: np.ndarray, T: np.ndarray, ridge: float = 1e-3) -> None:
    """``layer`` set to the ridge least squares map from rows ``A`` to rows ``T``."""
    mu_a, mu_t = A.mean(0), T.mean(0)
    Ac = A - mu_a
    G = Ac.T @ Ac + ridge * len(A) * np.eye(A.shape[1])
    W = np.linalg.solve(G, Ac.T @ (T - mu_t)).T  # (out, in)
    set_linear(layer, W, mu_t - W @ mu_a)


def pca_start(module: nn.Module, F: np.ndarray) -> None:
    """Set the encoder and decoder of a staged MLP autoencoder from features ``F`` (n, F)."""
    enc = [m for m in module.encoder if isinstance(m, nn.Linear)]
    dec = [m for m in module.decoder if isinstance(m, nn.Linear)]
    H, acts = np.asarray(F, dtype=np.float64), []
    for i, layer in enumerate(enc):
        last = i == len(enc) - 1
        mu, vt, sd = directions(H, layer.out_features if last else layer.out_features // 2)
        W = vt / np.sqrt(np.mean(sd ** 2))  # the directions keep their relative variances
        if not last:
            W = np.vstack([np.stack([w, -w]) for w in W])  # +v, -v pairs
        b = -W @ mu
        set_linear(layer, W, b)
        H = H @ np.vstack([W, np.zeros((layer.out_features - len(W), H.shape[1]))]).T + np.r_[
            b, np.zeros(layer.out_features - len(b))]
        if not last:
            H = np.maximum(H, 0.0)
        acts.append(H)
    # decoder: latent -> acts[-2] -> ... -> features, tanh between
    inputs = acts[-1]
    targets = [*acts[-2::-1], np.asarray(F, dtype=np.float64)]
    for j, (layer, T) in enumerate(zip(dec, targets, strict=True)):
        if j < len(dec) - 1:
            T = (T - T.mean(0)) * (TANH_SCALE / max(float(T.std()), 1e-12))
            lstsq_linear(layer, inputs, T)
            inputs = np.tanh(inputs @ layer.weight.detach().double().numpy().T
                             + layer.bias.detach().double().numpy())
        else:
            lstsq_linear(layer, inputs, T)


_feature_view = base.feature_view


def feature_view_with_start(module, data, device=None):
    net, features = _feature_view(module, data, device=device)
    if net is not module:  # a staged module trained on its features
        pca_start(module, features.numpy())
    return net, features


def main() -> None:
    parser = probe_parser(__doc__)
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--batch-size", type=int, default=4096)
    args = parser.parse_args()
    base.feature_view = feature_view_with_start
    rows = []
    for problem, X, y, k in panel_problems(args.problems):
        name = problem.name
        for seed in range(args.seeds):
            t = time.perf_counter()
            labels = DeepClusterer(k, random_state=seed, batch_size=args.batch_size,
                                   pretrain_epochs=args.epochs).fit_predict(X)
            rows.append({"dataset": name, "seed": seed, "nmi": nmi(y, labels),
                         "ari": ari(y, labels), "fit_time_s": time.perf_counter() - t,
                         "status": "ok"})
            print(rows[-1], flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
