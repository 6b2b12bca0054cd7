"""Time-series augmentations of a batch of windows ``(B, C, L)`` for the pretext losses.

Each augmentation is a function ``(x, generator) -> x'`` of the same shape that draws every
random number from ``generator`` (a ``torch.Generator`` on ``x``'s device), so a pretext
loss seeded once gives the same views run after run on the CPU. They are registered in
:data:`AUGMENTATIONS`; :func:`augment` applies a chain of them. Pure torch, no state.

- ``"crop"``: a random contiguous part of each window (50-100% of its length) stretched back
  to ``L`` steps by linear interpolation (the encoders need a fixed length).
- ``"warp"``: a smooth random monotone time warp (speeds drawn at a few knots), resampled
  to ``L`` steps.
- ``"scale"``: each series and channel multiplied by ``1 + 0.1 * N(0, 1)``.
- ``"jitter"``: Gaussian noise of 5% of each series' and channel's standard deviation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

__all__ = ["AUGMENTATIONS", "DEFAULT_AUGMENTATIONS", "augment", "resample_at", "check_augmentations"]

Augmentation = Callable[[torch.Tensor, torch.Generator], torch.Tensor]

#: Shortest crop, as a fraction of the window.
MIN_CROP = 0.5
#: Standard deviation of the scaling factor around 1.
SCALE_SD = 0.1
#: Noise standard deviation as a fraction of each series' and channel's deviation.
JITTER_FRACTION = 0.05
#: Knots of the warp's speed curve, and the standard deviation of the log-speed at each.
WARP_KNOTS = 4
WARP_SD = 0.25


def _uniform(shape: tuple[int, ...], g: torch.Generator, like: torch.Tensor) -> torch.Tensor:
    return torch.rand(shape, generator=g, device=like.device, dtype=like.dtype)


def _normal(shape: tuple[int, ...], g: torch.Generator, like: torch.Tensor) -> torch.Tensor:
    return torch.randn(shape, generator=g, device=like.device, dtype=like.dtype)


def resample_at(x: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
    """Linear interpolation of each window at fractional time positions.

    Parameters
    ----------
    x : torch.Tensor of shape (B, C, L)
    positions : torch.Tensor of shape (B, M)
        Positions in ``[0, L - 1]`` (clipped), the same for every channel of a window.

    Returns
    -------
    torch.Tensor of shape (B, C, M)
    """
    length = x.shape[-1]
    pos = positions.clamp(0, length - 1)
    lo = pos.floor().long().clamp(max=length - 2) if length > 1 else pos.long() * 0
    frac = (pos - lo.to(pos.dtype)).unsqueeze(1)  # (B, 1, M)
    idx = lo.unsqueeze(1).expand(-1, x.shape[1], -1)  # (B, C, M)
    left = x.gather(-1, idx)
    if length == 1:
        return left
    right = x.gather(-1, idx + 1)
    return left + frac * (right - left)


def crop(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """A random 50-100% part of each window, stretched back to ``L`` steps."""
    b, _, length = x.shape
    span = (MIN_CROP + (1 - MIN_CROP) * _uniform((b, 1), g, x)) * (length - 1)  # (B, 1)
    start = _uniform((b, 1), g, x) * (length - 1 - span)
    t = torch.linspace(0, 1, length, device=x.device, dtype=x.dtype)  # (L,)
    return resample_at(x, start + span * t)


def warp(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """A smooth random monotone time warp of each window (same start and end)."""
    b, _, length = x.shape
    knots = torch.exp(WARP_SD * _normal((b, 1, WARP_KNOTS), g, x))  # (B, 1, K) speeds
    speed = torch.nn.functional.interpolate(knots, size=length, mode="linear",
                                            align_corners=True)[:, 0]  # (B, L)
    cum = torch.cumsum(speed, dim=1) - speed[:, :1]  # starts at 0
    return resample_at(x, cum / cum[:, -1:].clamp_min(1e-12) * (length - 1))


def scale(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """Each series and channel times ``1 + 0.1 * N(0, 1)``."""
    return x * (1 + SCALE_SD * _normal(tuple(x.shape[:2]) + (1,), g, x))


def jitter(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """Gaussian noise of 5% of each series' and channel's standard deviation."""
    sd = x.std(dim=-1, keepdim=True) if x.shape[-1] > 1 else torch.ones_like(x[..., :1])
    return x + JITTER_FRACTION * sd * _normal(tuple(x.shape), g, x)


#: Augmentations by name, each ``(x (B, C, L), generator) -> (B, C, L)``.
AUGMENTATIONS: dict[str, Augmentation] = {
    "crop": crop,
    "warp": warp,
    "scale": scale,
    "jitter": jitter,
}

#: The chain a pretext loss applies when none is given.
DEFAULT_AUGMENTATIONS: tuple[str, ...] = ("crop", "scale", "jitter")


def check_augmentations(names: Sequence[str]) -> tuple[str, ...]:
    """The names as a tuple, each checked against :data:`AUGMENTATIONS` (ValueError)."""
    if isinstance(names, str):
        names = (names,)
    names = tuple(names)
    unknown = [n for n in names if n not in AUGMENTATIONS]
    if unknown or not names:
        raise ValueError(f"augmentations must be a non-empty sequence of {sorted(AUGMENTATIONS)}, "
                         f"got {list(names)}")
    return names


def augment(x: torch.Tensor, names: Sequence[str], generator: torch.Generator) -> torch.Tensor:
    """Apply the augmentations ``names`` in order to a batch ``(B, C, L)`` (same shape back)."""
    for name in names:
        x = AUGMENTATIONS[name](x, generator)
    return x
