"""The ``"rocket"`` stage: MiniRocket-style random-kernel features (PPV of dilated convolutions).

A re-implementation in torch of the transform of Dempster, Schmidt and Webb (2021),
"MINIROCKET: A Very Fast (Almost) Deterministic Transform for Time Series Classification":

- 84 fixed kernels of length 9, weight -1 everywhere except 2 at three of the nine
  positions (every choice of three; the weights sum to zero, so a constant offset of the
  input does not change the output);
- dilations ``floor(2 ** e)`` for ``e`` evenly spaced in ``[0, log2((L - 1) / 8)]``
  (at most ``max_dilations`` values, duplicates merged), the features of each kernel
  shared between the dilations in proportion to how often each came up;
- one convolution output per (dilation, kernel) pair: on multichannel windows the kernel is
  applied to a random subset of ``1..min(C, 9)`` channels and the outputs are summed (the
  subset size is ``floor(2 ** u)``, ``u`` uniform in ``[0, log2(min(C, 9) + 1))``);
- "same" zero padding on alternate pairs (``(dilation index + kernel index)`` even), the
  other pairs pool only the ``L - 8 d`` outputs that need no padding;
- biases from quantiles of the padded convolution output of one randomly chosen training
  window per pair (:meth:`RocketStage.fit_windows`), at the low-discrepancy quantiles
  ``(j * golden ratio) mod 1``, ``j = 1..F``, taken in feature order;
- each feature is the proportion of positive values (PPV) of output minus bias.

Features are ordered dilation by dilation, kernel by kernel, bias by bias. Windows shorter
than 9 samples are accepted: the only dilation is 1 and every pair is padded.
"""

from __future__ import annotations

import math
import numbers
from itertools import combinations

import numpy as np
import torch
import torch.nn.functional as F

from ..._validation import torch_generator
from .._common import check_positive_int
from ._base import FeatureStage

__all__ = ["RocketStage", "rocket_kernels", "rocket_dilations", "low_discrepancy_quantiles"]

KERNEL_LENGTH = 9
N_KERNELS = 84  # 9 choose 3
_GOLDEN = (math.sqrt(5.0) + 1.0) / 2.0
_BLOCK = 2**23  # elements of one comparison block in raw() (32 MiB of float32)
_BIASES_PER_PASS = 8


def rocket_kernels() -> torch.Tensor:
    """The 84 MiniRocket kernels: weights ``(84, 9)``, -1 with a 2 at three positions.

    Kernel ``k`` has its 2s at the ``k``-th triple of ``itertools.combinations(range(9), 3)``.
    """
    w = -torch.ones(N_KERNELS, KERNEL_LENGTH)
    for k, pos in enumerate(combinations(range(KERNEL_LENGTH), 3)):
        w[k, list(pos)] = 2.0
    return w


def rocket_dilations(
    length: int, n_features: int, max_dilations: int = 32
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Dilations for windows of ``length`` and the number of features each gets per kernel.

    Parameters
    ----------
    length : int
        Window length ``L`` (>= 1).
    n_features : int
        Requested number of features (>= 84); ``84 * (n_features // 84)`` are made.
    max_dilations : int, default=32
        Most dilations per kernel before duplicates are merged.

    Returns
    -------
    dilations : tuple of int
        Increasing, from 1 to at most ``max(1, (L - 1) // 8)``.
    per_kernel : tuple of int
        Features per kernel at each dilation (sums to ``n_features // 84``).

    Examples
    --------
    >>> rocket_dilations(128, 84 * 10, max_dilations=4)
    ((1, 2, 6, 15), (3, 3, 2, 2))
    """
    per_kernel = n_features // N_KERNELS
    if per_kernel < 1:
        raise ValueError(f"n_features must be at least {N_KERNELS}, got {n_features!r}")
    n_dil = min(per_kernel, max_dilations)
    top = math.log2((length - 1) / (KERNEL_LENGTH - 1)) if length > KERNEL_LENGTH else 0.0
    raw = np.floor(2.0 ** np.linspace(0.0, top, n_dil)).astype(np.int64)
    dilations, counts = np.unique(raw, return_counts=True)
    share = (counts * (per_kernel / n_dil)).astype(np.int64)
    for i in range(per_kernel - int(share.sum())):  # the remainder, round robin from the start
        share[i % len(share)] += 1
    return tuple(int(d) for d in dilations), tuple(int(s) for s in share)


def low_discrepancy_quantiles(n: int) -> torch.Tensor:
    """``(j * golden ratio) mod 1`` for ``j = 1..n``: quantiles ``(n,)`` in (0, 1), float64."""
    j = torch.arange(1, n + 1, dtype=torch.float64)
    return torch.remainder(j * _GOLDEN, 1.0)


def row_quantiles(values: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """Quantiles of each row with linear interpolation (numpy's default method).

    Parameters
    ----------
    values : torch.Tensor of shape (R, M)
    q : torch.Tensor of shape (R, Q)
        Quantiles in [0, 1], a different set for every row.

    Returns
    -------
    torch.Tensor of shape (R, Q), dtype of ``values``
    """
    s = values.double().sort(dim=1).values  # (R, M)
    pos = q.double().to(s.device) * (s.shape[1] - 1)
    lo = pos.floor().long().clamp_(0, s.shape[1] - 1)
    hi = (lo + 1).clamp_(max=s.shape[1] - 1)
    a, b = s.gather(1, lo), s.gather(1, hi)
    return (a + (b - a) * (pos - lo)).to(values.dtype)


class RocketStage(FeatureStage):
    """MiniRocket-style features: PPV of 84 fixed kernels at several dilations (see the module).

    The random choices (channel subsets at construction, bias windows in :meth:`fit_windows`)
    come from private ``torch.Generator`` s seeded from ``seed``; with ``seed=None`` one seed
    is drawn from torch's global generator at construction, so a stage built through
    :func:`tsclust.models.build_autoencoder` with ``seed=`` (inside
    :func:`tsclust.models._common.seeded`) depends only on that seed. Channel subsets
    (``channels_``) and biases (``biases_``) are buffers, saved with the weights. Before
    :meth:`fit_windows` every bias is 0.

    Parameters
    ----------
    n_channels : int
        Channels ``C`` of the windows.
    length : int
        Window length ``L`` (any ``L >= 1``; below 9 every pair is padded).
    n_features : int, default=9996
        Requested number of features, rounded down to a multiple of 84 (9996 = 84 * 119,
        MiniRocket's default). Fewer (e.g. 2016) make an MLP on top cheaper at a small cost
        in resolution.
    max_dilations : int, default=32
        Most dilations per kernel.
    seed : int or None, default=None
        Seeds the channel subsets and the bias windows; None draws it (see above).

    Attributes
    ----------
    dilations : tuple of int
    per_kernel : tuple of int
        Features per kernel at each dilation.
    padded : torch.Tensor of shape (n_dilations, 84), bool
        Which pairs use zero padding.
    channels_ : torch.Tensor of shape (n_dilations, 84, C), float32 buffer
        1 for the channels each pair sums, else 0.
    biases_ : torch.Tensor of shape (n_features,), float32 buffer
        In feature order.
    n_fit_windows : int
        Training windows :func:`tsclust.training.prepare_module` hands to
        :meth:`fit_windows` (an evenly spaced subsample when there are more).

    Examples
    --------
    >>> stage = RocketStage(3, 40, n_features=168, seed=0)
    >>> x = torch.randn(10, 3, 40)
    >>> stage.fit_windows(x)
    >>> f = stage.raw(x)
    >>> tuple(f.shape), bool(((f >= 0) & (f <= 1)).all())
    ((10, 168), True)
    """

    name = "rocket"
    n_fit_windows = 4096

    def __init__(
        self,
        n_channels: int,
        length: int,
        n_features: int = 9996,
        max_dilations: int = 32,
        seed: int | None = None,
    ) -> None:
        super().__init__(n_channels, length)
        check_positive_int(n_features, "n_features")
        self.max_dilations = check_positive_int(max_dilations, "max_dilations")
        self.dilations, self.per_kernel = rocket_dilations(self.length, n_features,
                                                           self.max_dilations)
        self._init_scaling(N_KERNELS * sum(self.per_kernel))
        if seed is None:
            seed = int(torch.randint(0, 2**31 - 1, (1,)).item())
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise ValueError(f"seed must be an integer >= 0 or None, got {seed!r}")
        self.seed = int(seed)
        n_dil = len(self.dilations)
        k = torch.arange(N_KERNELS)
        parity = (torch.arange(n_dil)[:, None] + k[None, :]) % 2 == 0
        short = torch.tensor([self.length <= (KERNEL_LENGTH - 1) * d for d in self.dilations])
        self.padded = parity | short[:, None]  # (n_dil, 84): no unpadded output to pool
        self.register_buffer("kernels", rocket_kernels(), persistent=False)
        self.register_buffer("channels_", self._draw_channels(n_dil))
        self.register_buffer("biases_", torch.zeros(self.n_features))
        self.bias_windows_: torch.Tensor | None = None  # (n_dil, 84) rows of the fit sample

    def _draw_channels(self, n_dil: int) -> torch.Tensor:
        """Random channel subsets ``(n_dil, 84, C)`` (0/1), one per pair, in feature order."""
        g = torch_generator(2 * self.seed)
        c = self.n_channels
        top = math.log2(min(c, KERNEL_LENGTH) + 1)
        mask = torch.zeros(n_dil, N_KERNELS, c)
        for i in range(n_dil):
            for k in range(N_KERNELS):
                size = int(2.0 ** (torch.rand(1, generator=g, dtype=torch.float64).item() * top))
                mask[i, k, torch.randperm(c, generator=g)[:size]] = 1.0
        return mask

    def _weights(self, i: int, x: torch.Tensor) -> torch.Tensor:
        """Convolution weights ``(84, C, 9)`` of dilation ``i``: kernel times channel subset."""
        w = self.channels_[i, :, :, None] * self.kernels[:, None, :]
        return w.to(device=x.device, dtype=x.dtype)

    def _bounds(self) -> list[tuple[int, int]]:
        """Slices of the feature vector of each dilation."""
        edges = np.cumsum([0, *(N_KERNELS * p for p in self.per_kernel)])
        return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:], strict=True)]

    def _check(self, x: torch.Tensor) -> None:
        if x.ndim != 3 or x.shape[1] != self.n_channels or x.shape[2] != self.length:
            raise ValueError(
                f"expected windows of shape (N, {self.n_channels}, {self.length}), "
                f"got {tuple(x.shape)}"
            )

    @torch.no_grad()
    def fit_windows(self, x: torch.Tensor) -> None:
        """Set the biases from quantiles of the convolutions of random windows of ``x``.

        For every (dilation, kernel) pair one window of ``x`` ``(n, C, L)`` is drawn (with
        replacement, from the stage's seeded generator); the biases of the pair are
        quantiles of that window's padded convolution output, at the pair's slice of
        :func:`low_discrepancy_quantiles`. The drawn rows are kept in ``bias_windows_``.
        """
        self._check(x)
        if not len(x):
            raise ValueError("fit_windows needs at least one window")
        x = x.to(self.biases_.device, torch.float32)
        g = torch_generator(2 * self.seed + 1)
        q = low_discrepancy_quantiles(self.n_features)
        rows, biases = [], []
        for i, ((lo, hi), d, nf) in enumerate(
            zip(self._bounds(), self.dilations, self.per_kernel, strict=True)
        ):
            idx = torch.randint(0, len(x), (N_KERNELS,), generator=g)
            xs = x[idx.to(x.device)].reshape(1, N_KERNELS * self.n_channels, self.length)
            out = F.conv1d(xs, self._weights(i, xs), padding=4 * d, dilation=d,
                           groups=N_KERNELS)[0]  # (84, L): kernel k on window idx[k]
            biases.append(row_quantiles(out, q[lo:hi].view(N_KERNELS, nf)).flatten())
            rows.append(idx)
        self.biases_.copy_(torch.cat(biases))
        self.bias_windows_ = torch.stack(rows)

    def raw(self, x: torch.Tensor) -> torch.Tensor:
        """PPV features ``(N, n_features)`` in [0, 1] of windows ``(N, C, L)``.

        Computed in blocks of rows and biases, so the memory beyond the output stays below
        about 64 MiB whatever ``N``.
        """
        self._check(x)
        rows = max(1, _BLOCK // (N_KERNELS * _BIASES_PER_PASS * self.length))
        return torch.cat([self._ppv(x[s:s + rows]) for s in range(0, len(x), rows)]) \
            if len(x) else x.new_zeros(0, self.n_features)

    def _ppv(self, x: torch.Tensor) -> torch.Tensor:
        n, length = len(x), self.length
        out = x.new_empty(n, self.n_features)
        biases = self.biases_.to(device=x.device, dtype=x.dtype)
        for i, ((lo, hi), d, nf) in enumerate(
            zip(self._bounds(), self.dilations, self.per_kernel, strict=True)
        ):
            # padded kernels first, so each group of the output is a view, not a copy
            order = torch.argsort((~self.padded[i]).to(torch.int8), stable=True).to(x.device)
            n_pad = int(self.padded[i].sum())
            conv = F.conv1d(x, self._weights(i, x)[order], padding=4 * d, dilation=d)
            b = biases[lo:hi].view(N_KERNELS, nf)[order]  # (84, nf)
            feats = x.new_empty(n, N_KERNELS, nf)
            for ks, c in ((slice(0, n_pad), conv[:, :n_pad]),  # (n, K, L)
                          (slice(n_pad, N_KERNELS), conv[:, n_pad:, 4 * d:length - 4 * d])):
                for j in range(0, nf, _BIASES_PER_PASS):
                    bj = b[ks, j:j + _BIASES_PER_PASS]  # (K, m)
                    hit = x.new_empty(*c.shape[:2], bj.shape[1], c.shape[-1])
                    torch.gt(c.unsqueeze(2), bj.unsqueeze(-1), out=hit)  # 1.0 where c > b
                    feats[:, ks, j:j + bj.shape[1]] = hit.mean(-1)
            out[:, lo:hi].view(n, N_KERNELS, nf)[:, order] = feats
        return out
