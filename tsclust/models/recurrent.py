"""Recurrent (GRU / LSTM) sequence autoencoders for windows ``(N, C, L)``."""

from __future__ import annotations

import torch
from torch import nn

from ._common import AutoencoderModule, check_positive_int, fit_length, make_activation

__all__ = ["RecurrentAutoencoder", "GRUAutoencoder", "LSTMAutoencoder"]

_CELLS: dict[str, type[nn.RNNBase]] = {"gru": nn.GRU, "lstm": nn.LSTM}
_POOLS = ("last", "mean", "lastmean")


class RecurrentAutoencoder(AutoencoderModule):
    """Sequence-to-sequence autoencoder with a GRU or LSTM encoder and decoder.

    With ``stride`` s > 1, a strided convolution front end (kernel ``2s - 1``, stride s, ReLU)
    first turns the ``L`` steps into ``ceil(L / s)`` feature vectors of ``hidden_size``, and
    the decoder runs ``ceil(L / s)`` steps, each emitting ``s`` samples of every channel
    (cropped to ``L``): both recurrences are s times shorter, which is what makes the
    recurrent path usable on 128-sample windows (seconds per epoch in the README).
    The encoder reads the (front-end) sequence step by step; the final hidden state of its last layer
    (both directions concatenated when ``bidirectional``) is projected linearly to the latent.
    The decoder is a unidirectional recurrent net of the same cell type whose initial hidden
    state is ``tanh(Linear(z))`` (LSTM cell state starts at zero) and whose input at every one
    of the ``L`` steps is the latent itself; a linear layer maps each step's hidden state to
    the ``C`` channels. Inputs and outputs are channels-first; the permutation to
    ``(N, L, C)`` happens inside.

    Parameters
    ----------
    n_channels : int
        Number of input channels ``C``.
    length : int
        Window length ``L`` (the number of decoder steps).
    latent_dim : int, default=10
        Size of the latent vector.
    cell : {"gru", "lstm"}, default="gru"
        Recurrent cell.
    hidden_size : int, default=64
        Hidden units per layer and direction.
    num_layers : int, default=1
        Stacked recurrent layers (encoder and decoder).
    bidirectional : bool, default=False
        Bidirectional encoder (the decoder stays unidirectional).
    stride : int, default=1
        Downsampling of the strided convolution front end (1: none, the recurrence reads
        every sample, as before the front end existed).
    positional : int, default=0
        Give every decoder step, besides the latent, ``2 * positional`` features of its
        position (sines and cosines of ``pi * f * step / n_steps`` for ``f = 1..positional``).
        With the latent alone as a constant input, the decoder must make the whole
        time course out of its recurrence, which it learns slowly; sin/cos step features
        lower the reconstruction error (measured in docs/results_panel.md, where the
        clusters were no better). 0 keeps the former decoder.
    pool : {"last", "mean", "lastmean"}, default="last"
        What the latent is projected from: the final hidden state of the last layer, the
        mean of its outputs over all steps (every step counts, not mostly the end of the
        window), or both concatenated.
    output_activation : {None, "sigmoid", "tanh", ...}, default=None
        Applied to the reconstruction.

    Attributes
    ----------
    latent_dim : int
    n_steps : int
        Recurrent steps of the encoder and of the decoder, ``ceil(L / stride)``.

    Examples
    --------
    >>> import torch
    >>> ae = RecurrentAutoencoder(2, 9, latent_dim=3, cell="lstm", bidirectional=True)
    >>> x_hat, z = ae(torch.zeros(4, 2, 9))
    >>> tuple(x_hat.shape), tuple(z.shape)
    ((4, 2, 9), (4, 3))
    >>> RecurrentAutoencoder(2, 9, latent_dim=3, stride=4).n_steps
    3
    """

    def __init__(
        self,
        n_channels: int,
        length: int,
        latent_dim: int = 10,
        cell: str = "gru",
        hidden_size: int = 64,
        num_layers: int = 1,
        bidirectional: bool = False,
        stride: int = 1,
        positional: int = 0,
        pool: str = "last",
        output_activation: str | None = None,
    ) -> None:
        super().__init__(n_channels, length, latent_dim)
        self.hidden_size = check_positive_int(hidden_size, "hidden_size")
        self.num_layers = check_positive_int(num_layers, "num_layers")
        self.stride = check_positive_int(stride, "stride")
        self.n_steps = -(-self.length // self.stride)
        if isinstance(positional, bool) or not isinstance(positional, int) or positional < 0:
            raise ValueError(f"positional must be an integer >= 0, got {positional!r}")
        self.positional = positional
        freqs = torch.arange(1, positional + 1, dtype=torch.float32)
        phase = torch.pi * torch.arange(self.n_steps, dtype=torch.float32)[:, None] * freqs
        phase = phase / self.n_steps
        # (n_steps, 2 * positional): not a parameter, rebuilt from the arguments
        self.register_buffer("step_features", torch.cat([phase.sin(), phase.cos()], dim=1),
                             persistent=False)
        if cell not in _CELLS:
            raise ValueError(f"cell must be one of {sorted(_CELLS)}, got {cell!r}")
        self.cell = cell
        if pool not in _POOLS:
            raise ValueError(f"pool must be one of {_POOLS}, got {pool!r}")
        self.pool = pool
        self.bidirectional = bool(bidirectional)
        n_dir = 2 if self.bidirectional else 1
        rnn = _CELLS[cell]
        if self.stride > 1:
            k = 2 * self.stride - 1  # ceil(L / s) outputs with padding s - 1
            self.front: nn.Module = nn.Sequential(
                nn.Conv1d(self.n_channels, self.hidden_size, k, stride=self.stride,
                          padding=self.stride - 1),
                nn.ReLU(),
            )
            rnn_in = self.hidden_size
        else:
            self.front = nn.Identity()
            rnn_in = self.n_channels
        self.encoder_rnn = rnn(
            rnn_in,
            self.hidden_size,
            num_layers=self.num_layers,
            batch_first=True,
            bidirectional=self.bidirectional,
        )
        pooled = n_dir * self.hidden_size * (2 if pool == "lastmean" else 1)
        self.to_latent = nn.Linear(pooled, self.latent_dim)
        self.init_hidden = nn.Linear(self.latent_dim, self.num_layers * self.hidden_size)
        self.decoder_rnn = rnn(
            self.latent_dim + 2 * positional, self.hidden_size, num_layers=self.num_layers,
            batch_first=True,
        )
        self.to_output = nn.Linear(self.hidden_size, self.n_channels * self.stride)
        self.output_activation = make_activation(output_activation)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Encode windows ``(N, C, L)`` to latents ``(N, latent_dim)``."""
        n = x.shape[0]
        seq = self.front(x).transpose(1, 2)  # (N, n_steps, C or hidden_size)
        out, state = self.encoder_rnn(seq)  # out: (N, S, D * H)
        parts = []
        if self.pool in ("last", "lastmean"):
            h_n = state[0] if self.cell == "lstm" else state  # (num_layers * D, N, H)
            n_dir = 2 if self.bidirectional else 1
            last = h_n.view(self.num_layers, n_dir, n, self.hidden_size)[-1]  # (D, N, H)
            parts.append(last.transpose(0, 1).reshape(n, n_dir * self.hidden_size))  # (N, D*H)
        if self.pool in ("mean", "lastmean"):
            parts.append(out.mean(dim=1))  # (N, D * H)
        return self.to_latent(torch.cat(parts, dim=1))  # (N, latent_dim)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Decode latents ``(N, latent_dim)`` to windows ``(N, C, L)``."""
        n = z.shape[0]
        h0 = torch.tanh(self.init_hidden(z))  # (N, num_layers * H)
        h0 = h0.view(n, self.num_layers, self.hidden_size).transpose(0, 1).contiguous()
        # h0: (num_layers, N, H)
        state = (h0, torch.zeros_like(h0)) if self.cell == "lstm" else h0
        inputs = z.unsqueeze(1).expand(n, self.n_steps, self.latent_dim)  # (N, S, latent_dim)
        if self.positional:
            steps = self.step_features.unsqueeze(0).expand(n, -1, -1)  # (N, S, 2 * positional)
            inputs = torch.cat([inputs, steps.to(z.dtype)], dim=2)
        out, _ = self.decoder_rnn(inputs, state)  # (N, S, H)
        x_hat = self.to_output(out)  # (N, S, stride * C): s samples of C channels per step
        x_hat = x_hat.reshape(n, self.n_steps * self.stride, self.n_channels)  # (N, S * s, C)
        x_hat = fit_length(x_hat.transpose(1, 2), self.length)  # (N, C, L)
        return self.output_activation(x_hat)  # (N, C, L)


class GRUAutoencoder(RecurrentAutoencoder):
    """:class:`RecurrentAutoencoder` with ``cell="gru"`` (registry name ``"gru"``)."""

    def __init__(self, n_channels: int, length: int, latent_dim: int = 10, **kwargs) -> None:
        super().__init__(n_channels, length, latent_dim, cell="gru", **kwargs)


class LSTMAutoencoder(RecurrentAutoencoder):
    """:class:`RecurrentAutoencoder` with ``cell="lstm"`` (registry name ``"lstm"``)."""

    def __init__(self, n_channels: int, length: int, latent_dim: int = 10, **kwargs) -> None:
        super().__init__(n_channels, length, latent_dim, cell="lstm", **kwargs)
