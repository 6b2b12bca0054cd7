"""The augmentations of the pretext views: shapes, seeds, and what each one keeps."""

import numpy as np
import pytest
import torch

from tsclust.training import augment as aug


def _x(b=4, c=2, length=30, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(b, c, length, generator=g)


def _g(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("name", sorted(aug.AUGMENTATIONS))
def test_every_augmentation_keeps_the_shape_and_is_seeded(name):
    x = _x()
    a = aug.AUGMENTATIONS[name](x, _g(1))
    assert a.shape == x.shape and a.dtype == x.dtype and torch.isfinite(a).all()
    torch.testing.assert_close(a, aug.AUGMENTATIONS[name](x, _g(1)))
    assert not torch.equal(a, aug.AUGMENTATIONS[name](x, _g(2)))
    assert not torch.equal(a, x)


def test_resample_at_integer_positions_is_indexing_and_halfway_is_the_mean():
    x = _x(b=2, c=3, length=6)
    pos = torch.tensor([[0.0, 2.0, 5.0], [1.0, 1.0, 4.0]])
    out = aug.resample_at(x, pos)
    assert out.shape == (2, 3, 3)
    torch.testing.assert_close(out[0], x[0][:, [0, 2, 5]])
    torch.testing.assert_close(out[1], x[1][:, [1, 1, 4]])
    half = aug.resample_at(x, torch.tensor([[2.5], [0.5]]))
    torch.testing.assert_close(half[0, :, 0], (x[0, :, 2] + x[0, :, 3]) / 2)
    torch.testing.assert_close(half[1, :, 0], (x[1, :, 0] + x[1, :, 1]) / 2)


def test_crop_of_a_ramp_is_a_ramp_inside_the_window():
    length = 40
    x = torch.arange(length, dtype=torch.float32).expand(5, 1, length).clone()
    a = aug.crop(x, _g())
    steps = a[:, 0, 1:] - a[:, 0, :-1]
    span = a[:, 0, -1] - a[:, 0, 0]
    assert torch.allclose(steps, steps[:, :1].expand_as(steps), atol=1e-4)  # a linear stretch
    assert ((span >= aug.MIN_CROP * (length - 1) - 1e-4) & (span <= length - 1 + 1e-4)).all()
    assert (a >= 0).all() and (a <= length - 1).all()


def test_warp_is_monotone_and_keeps_both_ends():
    length = 50
    x = torch.arange(length, dtype=torch.float32).expand(6, 2, length).clone()
    a = aug.warp(x, _g(3))
    assert (a[..., 1:] - a[..., :-1] >= -1e-5).all()
    torch.testing.assert_close(a[..., 0], x[..., 0])
    torch.testing.assert_close(a[..., -1], x[..., -1])
    assert not torch.allclose(a, x)


def test_scale_multiplies_each_series_and_channel_by_one_factor():
    x = _x().abs() + 1
    ratio = aug.scale(x, _g()) / x
    torch.testing.assert_close(ratio, ratio[..., :1].expand_as(ratio))


def test_jitter_noise_follows_each_series_deviation():
    x = _x(b=2, c=1, length=4000)
    x[1] *= 100
    noise = aug.jitter(x, _g()) - x
    sd = noise.std(dim=-1)[:, 0].numpy() / x.std(dim=-1)[:, 0].numpy()
    np.testing.assert_allclose(sd, aug.JITTER_FRACTION, rtol=0.1)


def test_augment_chains_in_order_and_checks_names():
    x = _x()
    chained = aug.augment(x, ("scale", "jitter"), _g(5))
    g = _g(5)
    torch.testing.assert_close(chained, aug.jitter(aug.scale(x, g), g))
    assert aug.check_augmentations("crop") == ("crop",)
    with pytest.raises(ValueError, match="augmentations must be"):
        aug.check_augmentations(["crop", "flip"])
    with pytest.raises(ValueError, match="augmentations must be"):
        aug.check_augmentations([])


def test_one_step_windows_survive_every_augmentation():
    x = _x(length=1)
    for name in aug.AUGMENTATIONS:
        assert torch.isfinite(aug.AUGMENTATIONS[name](x, _g())).all()
