"""1-D convolutional autoencoder for multichannel windows ``(N, C, L)``."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ._common import AutoencoderModule, check_int_tuple, fit_length, make_activation

__all__ = ["ConvAutoencoder"]

_DOWNSAMPLING = ("stride", "max", "avg")
_GLOBAL_POOLS = (None, "avg", "max", "avgmax")


class _PadPool1d(nn.Module):
    """Pool by ``stride`` after replicate-padding to a multiple of it: ``L -> ceil(L / s)``."""

    def __init__(self, stride: int, kind: str) -> None:
        super().__init__()
        self.stride = stride
        self.pool = nn.MaxPool1d(stride) if kind == "max" else nn.AvgPool1d(stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: (N, F, L) -> (N, F, ceil(L / stride))
        rem = (-x.shape[-1]) % self.stride
        if rem:
            x = nn.functional.pad(x, (0, rem), mode="replicate")
        return self.pool(x)


class _GlobalPool1d(nn.Module):
    """Pool over time: "avg", "max" or "avgmax" (both, concatenated)."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        # h: (N, F, L') -> (N, F) or (N, 2F) for "avgmax"
        if self.kind == "avg":
            return h.mean(dim=-1)
        if self.kind == "max":
            return h.amax(dim=-1)
        return torch.cat([h.mean(dim=-1), h.amax(dim=-1)], dim=1)


class ConvAutoencoder(AutoencoderModule):
    """Stacked ``Conv1d`` encoder to a latent vector and a mirrored transposed-conv decoder.

    Encoder block ``i``: ``Conv1d(k_i, stride s_i, padding k_i // 2)`` (or a stride-1 conv
    followed by max/avg pooling by ``s_i``), optional ``BatchNorm1d``, activation. The feature
    map ``(N, F_last, L')`` is flattened (or pooled over time, ``global_pool``) and projected
    linearly to ``latent_dim``. The decoder maps the latent back to ``(N, F_last, L')`` and
    mirrors the blocks with ``ConvTranspose1d`` (stride ``s_i``); the last block outputs
    ``n_channels`` without normalisation, and the result is cropped (or replicate-padded) to
    exactly ``length`` steps, so any ``length`` works, odd or not a multiple of the strides.

    Parameters
    ----------
    n_channels : int
        Number of input channels ``C``.
    length : int
        Window length ``L``.
    latent_dim : int, default=10
        Size of the latent vector.
    filters : sequence of int, default=(32, 32, 32)
        Output channels of each encoder block (mirrored by the decoder).
    kernel_sizes : sequence of int, default=(7, 5, 3)
        Kernel size of each block (odd sizes keep lengths exact before the final crop).
    strides : sequence of int, default=(2, 2, 2)
        Downsampling factor of each block (1: none).
    downsampling : {"stride", "max", "avg"}, default="stride"
        How blocks downsample: strided convolution, or a stride-1 convolution followed by
        max or average pooling.
    batch_norm : bool, default=True
        ``BatchNorm1d`` after every hidden convolution.
    activation : str, default="relu"
        Hidden activation (see :data:`tsclust.models._common.ACTIVATIONS`).
    global_pool : {None, "avg", "max", "avgmax"}, default=None
        If set, the encoder pools the last feature map over time before the latent
        projection, which makes the latent (nearly) invariant to small time shifts of the
        window. None flattens the feature map (keeps the position of events).
    output_activation : {None, "sigmoid", "tanh", ...}, default=None
        Applied to the reconstruction: None for standardised data, "sigmoid" for data in (0, 1).

    Attributes
    ----------
    latent_dim : int
    encoded_length : int
        Length ``L'`` of the last encoder feature map.

    Examples
    --------
    >>> import torch
    >>> ae = ConvAutoencoder(n_channels=3, length=37, latent_dim=4)
    >>> x_hat, z = ae(torch.zeros(2, 3, 37))
    >>> tuple(x_hat.shape), tuple(z.shape)
    ((2, 3, 37), (2, 4))
    """

    def __init__(
        self,
        n_channels: int,
        length: int,
        latent_dim: int = 10,
        filters: Sequence[int] = (32, 32, 32),
        kernel_sizes: Sequence[int] = (7, 5, 3),
        strides: Sequence[int] = (2, 2, 2),
        downsampling: str = "stride",
        batch_norm: bool = True,
        activation: str = "relu",
        global_pool: str | None = None,
        output_activation: str | None = None,
    ) -> None:
        super().__init__(n_channels, length, latent_dim)
        filters = check_int_tuple(filters, "filters")
        kernel_sizes = check_int_tuple(kernel_sizes, "kernel_sizes")
        strides = check_int_tuple(strides, "strides")
        if not (len(filters) == len(kernel_sizes) == len(strides)):
            raise ValueError(
                "filters, kernel_sizes and strides must have the same length; got "
                f"{len(filters)}, {len(kernel_sizes)} and {len(strides)}"
            )
        if downsampling not in _DOWNSAMPLING:
            raise ValueError(f"downsampling must be one of {_DOWNSAMPLING}, got {downsampling!r}")
        if global_pool not in _GLOBAL_POOLS:
            raise ValueError(f"global_pool must be one of {_GLOBAL_POOLS}, got {global_pool!r}")
        make_activation(activation)  # validate early
        make_activation(output_activation)

        # ----- encoder -----
        enc: list[nn.Module] = []
        cur_len, in_ch = self.length, self.n_channels
        for f, k, s in zip(filters, kernel_sizes, strides, strict=True):
            conv_stride = s if downsampling == "stride" else 1
            enc.append(nn.Conv1d(in_ch, f, k, stride=conv_stride, padding=k // 2))
            cur_len = (cur_len + 2 * (k // 2) - k) // conv_stride + 1
            if batch_norm:
                enc.append(nn.BatchNorm1d(f))
            enc.append(make_activation(activation))
            if downsampling != "stride" and s > 1:
                enc.append(_PadPool1d(s, downsampling))
                cur_len = -(-cur_len // s)
            in_ch = f
        self.encoder_conv = nn.Sequential(*enc)
        self.encoded_length = int(cur_len)
        last = filters[-1]
        if global_pool is None:
            self.encoder_pool: nn.Module = nn.Flatten()
            pooled = last * self.encoded_length
        else:
            self.encoder_pool = _GlobalPool1d(global_pool)
            pooled = last * (2 if global_pool == "avgmax" else 1)
        self.to_latent = nn.Linear(pooled, self.latent_dim)

        # ----- decoder (mirror) -----
        self.from_latent = nn.Sequential(
            nn.Linear(self.latent_dim, last * self.encoded_length), make_activation(activation)
        )
        dec: list[nn.Module] = []
        outs = (*filters[:-1][::-1], self.n_channels)
        in_ch = last
        for i, (f, k, s) in enumerate(zip(outs, kernel_sizes[::-1], strides[::-1], strict=True)):
            dec.append(
                nn.ConvTranspose1d(in_ch, f, k, stride=s, padding=k // 2, output_padding=s - 1)
            )
            if i < len(outs) - 1:
                if batch_norm:
                    dec.append(nn.BatchNorm1d(f))
                dec.append(make_activation(activation))
            in_ch = f
        self.decoder_conv = nn.Sequential(*dec)
        self.output_activation = make_activation(output_activation)
        self._last_filters = last

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Encode windows ``(N, C, L)`` to latents ``(N, latent_dim)``."""
        h = self.encoder_conv(x)  # (N, F_last, L')
        h = self.encoder_pool(h)  # (N, F_last * L') or (N, F_last[*2])
        return self.to_latent(h)  # (N, latent_dim)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Decode latents ``(N, latent_dim)`` to windows ``(N, C, L)``."""
        h = self.from_latent(z)  # (N, F_last * L')
        h = h.view(z.shape[0], self._last_filters, self.encoded_length)  # (N, F_last, L')
        x_hat = self.decoder_conv(h)  # (N, C, ~L' * prod(strides))
        x_hat = fit_length(x_hat, self.length)  # (N, C, L)
        return self.output_activation(x_hat)  # (N, C, L)
