"""Probes of encoder levers that did not hold on the panel (not a test, not a feature).

Each probe runs its variants against the plain setting on UCR problems of the panel
(``tsclust.bench.panel.load_problem``: TRAIN+TEST merged, global standardization, k =
classes, seed 0), writes one CSV row per (problem, variant) and prints the mean NMI of each
variant. The README section "Levers that did not hold" reports what they gave.

- ``neighbours``: the conv autoencoder (batch 32, 50 epochs, cosine lr, as ``DeepClusterer``)
  pre-trained by reconstruction plus NT-Xent whose positive pair is a window and one of its
  ``--k`` nearest neighbours in the raw series (resampled every batch), against
  reconstruction alone; k-means (20 restarts) on the latents.
- ``gru-conv-decoder``: a GRU encoder (strided front end) under the conv autoencoder's decoder,
  registered for the run as ``gru-convdec``, against ``conv`` and ``gru`` (``stride=8``);
  k-means heads, batch 32; the rows also hold the last pre-training loss and the mean
  standard deviation of the latents.
- ``pointwise``: ``conv`` and ``gru`` on series standardized at every time step across the
  series (the mean series removed) instead of per channel, with Euclidean k-means on both.
- ``raw-fusion``: rocket-kmeans' features (standardized, PCA 80%) next to the raw series,
  each block scaled to unit mean squared norm, under k-means and the spectral step.

Example::

    OMP_NUM_THREADS=1 python scripts/probe_levers.py neighbours --problems Coffee,ECG200 -o n.csv
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd
import torch

from tsclust import DeepClusterer
from tsclust.bench import panel
from tsclust.metrics import nmi

SMALL = ("Coffee,BeetleFly,ECG200,FaceFour,Meat,OliveOil,Plane,ToeSegmentation1,MoteStrain,"
         "ArrowHead,Lightning2,GunPointAgeSpan")

# (X (n, L, C), k) -> labels (n,), or (labels, {column: value}) for more columns
Variant = Callable[[np.ndarray, int], np.ndarray | tuple[np.ndarray, dict]]


def _kmeans(Z: np.ndarray, k: int) -> np.ndarray:
    from sklearn.cluster import KMeans

    return KMeans(k, n_init=20, random_state=0).fit_predict(Z.reshape(len(Z), -1))


def _deep(**params) -> Variant:
    def run(X: np.ndarray, k: int) -> tuple[np.ndarray, dict]:
        est = DeepClusterer(k, head="kmeans", batch_size=32, random_state=0, **params).fit(X)
        extra = {"pretrain_loss": est.history_["pretrain"][-1]["loss"],
                 "latent_sd": float(est.transform(X).std(0).mean())}
        return est.labels_, extra
    return run


def _neighbour_variants(n_neighbors: int) -> dict[str, Variant]:
    from sklearn.neighbors import NearestNeighbors

    from tsclust._validation import to_channels_first
    from tsclust.models import build_autoencoder
    from tsclust.training import TrainConfig, encode, train
    from tsclust.training.losses import nt_xent, reconstruction_term

    def run(X: np.ndarray, k: int, with_neighbours: bool) -> np.ndarray:
        data = to_channels_first(X)  # (n, C, L)
        if with_neighbours:  # each row's nearest raw series, itself left out
            flat = data.reshape(len(data), -1).numpy()
            nbr = NearestNeighbors(n_neighbors=n_neighbors + 1).fit(flat)
            table = torch.as_tensor(nbr.kneighbors(flat, return_distance=False)[:, 1:])
        module = build_autoencoder("conv", data.shape[1], data.shape[2], seed=0)
        recon, g = reconstruction_term(None), torch.Generator().manual_seed(0)

        def loss(net, xb, idx):
            b = xb.shape[0]
            if not with_neighbours or b < 2:
                x_hat, _ = net(xb)
                return recon(net, xb, x_hat)
            pick = table[idx.cpu(), torch.randint(0, n_neighbors, (b,), generator=g)]
            x_hat, z = net(torch.cat([xb, data[pick].to(xb.device)]))
            return recon(net, xb, x_hat[:b]) + nt_xent(z[:b], z[b:])

        config = TrainConfig(epochs=50, batch_size=32, lr_schedule="cosine", seed=0)
        train(module, data, loss, config)
        return _kmeans(encode(module, data), k)

    return {"reconstruction": lambda X, k: run(X, k, False),
            f"reconstruction+neighbours(k={n_neighbors})": lambda X, k: run(X, k, True)}


def _register_gru_conv_decoder() -> None:
    from tsclust.models import ARCHITECTURES, ConvAutoencoder
    from tsclust.models.recurrent import RecurrentAutoencoder

    class GRUConvDecoder(RecurrentAutoencoder):
        def __init__(self, n_channels: int, length: int, latent_dim: int = 10, **kw) -> None:
            super().__init__(n_channels, length, latent_dim, cell="gru", **kw)
            del self.decoder_rnn, self.to_output, self.init_hidden
            self.conv = ConvAutoencoder(n_channels, length, latent_dim)
            del self.conv.encoder_conv, self.conv.to_latent

        def decode(self, z: torch.Tensor) -> torch.Tensor:
            return self.conv.decode(z)

    ARCHITECTURES["gru-convdec"] = GRUConvDecoder


def _pointwise(X: np.ndarray) -> np.ndarray:
    return (X - X.mean(0)) / (X.std(0) + 1e-3 * X.std())


def _raw_fusion_variants() -> dict[str, Variant]:
    from tsclust.baselines import FlatSpectral, RocketKMeans

    last: dict[str, object] = {}

    def rocket(X: np.ndarray, k: int) -> np.ndarray:  # the features of the current problem
        if last.get("X") is not X:
            last.update(X=X, F=RocketKMeans(k, random_state=0)._fit_features(X))
        return last["F"]

    def unit(A: np.ndarray) -> np.ndarray:
        A = A - A.mean(0)
        return A / np.sqrt((A ** 2).sum(1).mean())

    def fused(share: float) -> Callable[[np.ndarray, int], np.ndarray]:
        return lambda X, k: np.hstack([np.sqrt(share) * unit(rocket(X, k)),
                                       unit(X.reshape(len(X), -1))])

    def spectral(Z: np.ndarray, k: int) -> np.ndarray:
        return FlatSpectral(k, random_state=0).fit_predict(Z[:, :, None].astype(np.float32))

    out: dict[str, Variant] = {}
    for tag, feats in (("rocket", rocket), ("rocket+raw 1:1", fused(1.0)),
                       ("rocket+raw 2:1", fused(2.0))):
        out[f"{tag}, k-means"] = lambda X, k, f=feats: _kmeans(f(X, k), k)
        out[f"{tag}, spectral"] = lambda X, k, f=feats: spectral(f(X, k), k)
    return out


def _variants(probe: str, n_neighbors: int) -> dict[str, Variant]:
    if probe == "neighbours":
        return _neighbour_variants(n_neighbors)
    if probe == "gru-conv-decoder":
        _register_gru_conv_decoder()
        return {"conv": _deep(architecture="conv"),
                "gru stride 8": _deep(architecture="gru", module_kwargs={"stride": 8}),
                "gru stride 8 + conv decoder": _deep(architecture="gru-convdec",
                                                     module_kwargs={"stride": 8})}
    if probe == "pointwise":
        return {"euclidean-kmeans": lambda X, k: _kmeans(_pointwise(X), k),
                "conv": lambda X, k: _deep(architecture="conv", scaling=None)(_pointwise(X), k),
                "gru stride 8": lambda X, k: _deep(architecture="gru", scaling=None,
                                                   module_kwargs={"stride": 8})(_pointwise(X), k)}
    return _raw_fusion_variants()


PROBES = ("neighbours", "gru-conv-decoder", "pointwise", "raw-fusion")


def _rows(problems: list[str], variants: dict[str, Variant]) -> Iterator[dict]:
    for problem in panel.list_problems(names=problems):
        X, y = panel.load_problem(problem)
        k = len(np.unique(y))
        for name, run in variants.items():
            t = time.perf_counter()
            out = run(X, k)
            labels, extra = out if isinstance(out, tuple) else (out, {})
            yield {"dataset": problem.name, "variant": name, "nmi": nmi(y, labels),
                   "seconds": time.perf_counter() - t, **extra}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("probe", choices=PROBES)
    ap.add_argument("--problems", default=SMALL, help="comma-separated panel problems")
    ap.add_argument("--k", type=int, default=5, help="neighbours of the neighbours probe")
    ap.add_argument("-o", "--out", default=None, help="CSV of the rows")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    rows = []
    for row in _rows(args.problems.split(","), _variants(args.probe, args.k)):
        rows.append(row)
        print(f"{row['dataset']:>28} {row['variant']:>36} NMI {row['nmi']:.3f}", flush=True)
        if args.out:
            pd.DataFrame(rows).to_csv(args.out, index=False)
    table = pd.DataFrame(rows).groupby("variant", sort=False).nmi.agg(["mean", "count"])
    print(table.round(3).to_string())


if __name__ == "__main__":
    main()
