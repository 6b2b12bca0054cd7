"""The pure losses of the heads against hand-computed values."""

import numpy as np
import pytest
import torch

from tsclust.training.losses import (
    center_distance_sum,
    compactness_loss,
    kl_divergence,
    kmeans_loss,
    online_centroid_update,
    soft_assignment,
    target_distribution,
)


def test_soft_assignment_hand_computed():
    z = torch.tensor([[0.0, 0.0], [3.0, 0.0]])
    mu = torch.tensor([[0.0, 0.0], [1.0, 0.0]])
    q = soft_assignment(z, mu, alpha=1.0)
    # alpha=1: kernel 1 / (1 + d^2). Row 0: d^2 = 0, 1 -> 1, 0.5 ; row 1: d^2 = 9, 4 -> 0.1, 0.2
    expected = np.array([[1 / 1.5, 0.5 / 1.5], [0.1 / 0.3, 0.2 / 0.3]])
    np.testing.assert_allclose(q.numpy(), expected, rtol=1e-6)


def test_soft_assignment_alpha_changes_kernel():
    z = torch.tensor([[2.0]])
    mu = torch.tensor([[0.0], [1.0]])
    q = soft_assignment(z, mu, alpha=2.0)
    # (1 + d2/2)^(-3/2): d2=4 -> 3^-1.5 ; d2=1 -> 1.5^-1.5
    a, b = 3 ** -1.5, 1.5 ** -1.5
    np.testing.assert_allclose(q.numpy(), [[a / (a + b), b / (a + b)]], rtol=1e-6)
    with pytest.raises(ValueError):
        soft_assignment(z, mu, alpha=0)


def test_target_distribution_hand_computed():
    q = torch.tensor([[0.8, 0.2], [0.4, 0.6]])
    p = target_distribution(q)
    f = np.array([1.2, 0.8])
    w = np.array([[0.64, 0.04], [0.16, 0.36]]) / f
    np.testing.assert_allclose(p.numpy(), w / w.sum(1, keepdims=True), rtol=1e-6)
    assert not p.requires_grad


def test_kl_divergence_matches_numpy_and_is_zero_for_equal():
    p = torch.tensor([[0.7, 0.3], [0.0, 1.0]])
    q = torch.tensor([[0.5, 0.5], [0.2, 0.8]])
    ref = (0.7 * np.log(0.7 / 0.5) + 0.3 * np.log(0.3 / 0.5) + 1.0 * np.log(1 / 0.8)) / 2
    assert kl_divergence(p, q).item() == pytest.approx(ref, rel=1e-6)
    assert kl_divergence(q, q).item() == pytest.approx(0.0, abs=1e-7)


def test_kmeans_and_compactness_loss():
    z = torch.tensor([[1.0, 1.0], [0.0, 2.0]])
    c = torch.tensor([[0.0, 0.0], [0.0, 3.0]])
    s = torch.tensor([0, 1])
    # ||(1,1)||^2 = 2 ; ||(0,-1)||^2 = 1 -> mean 1.5
    assert kmeans_loss(z, c, s).item() == pytest.approx(1.5)
    assert compactness_loss(z, c, s).item() == pytest.approx(1.5)


def test_online_centroid_update_equals_sequential_steps():
    rng = np.random.RandomState(0)
    centers = rng.randn(3, 2).astype(np.float32)
    counts = np.array([2.0, 1.0, 5.0], dtype=np.float32)
    z = rng.randn(7, 2).astype(np.float32)
    s = np.array([0, 0, 2, 0, 2, 0, 0])
    # the DCN rule, one sample at a time: n_k += 1; c_k -= (c_k - z_i) / n_k
    c_ref, n_ref = centers.astype(np.float64).copy(), counts.astype(np.float64).copy()
    for zi, k in zip(z, s, strict=True):
        n_ref[k] += 1
        c_ref[k] -= (c_ref[k] - zi) / n_ref[k]
    c_new, n_new = online_centroid_update(
        torch.from_numpy(centers), torch.from_numpy(counts), torch.from_numpy(z), torch.from_numpy(s)
    )
    np.testing.assert_allclose(c_new.numpy(), c_ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(n_new.numpy(), n_ref)
    np.testing.assert_array_equal(c_new.numpy()[1], centers[1])  # untouched cluster


def test_center_distance_sum():
    c = torch.tensor([[0.0, 0.0], [3.0, 4.0], [0.0, 4.0]])
    assert center_distance_sum(c) == pytest.approx(5 + 4 + 3)


# --------------------------------------------------------------------------- pretext


def test_nt_xent_is_log_2b_minus_1_for_identical_embeddings_and_small_for_separated_views():
    from tsclust.training.losses import nt_xent

    b = 4
    same = torch.ones(b, 3)
    np.testing.assert_allclose(float(nt_xent(same, same)), np.log(2 * b - 1), rtol=1e-6)
    z = torch.eye(b) * 5  # every row its own direction, both views equal
    assert float(nt_xent(z, z, temperature=0.05)) < 1e-3
    assert float(nt_xent(z, z.roll(1, 0), temperature=0.05)) > 10  # views matched wrongly


def test_triplet_term_is_zero_for_far_negatives_and_the_margin_when_all_agree():
    from tsclust.training.losses import triplet_term

    z = torch.eye(3)
    assert float(triplet_term(z, z)) == 0.0  # positives equal, negatives at distance^2 2
    same = torch.ones(3, 2)
    np.testing.assert_allclose(float(triplet_term(same, same, margin=0.3)), 0.3, rtol=1e-6)


def _tiny_ae():
    from tsclust.models import ConvAutoencoder

    torch.manual_seed(0)
    return ConvAutoencoder(2, 16, latent_dim=3, filters=(4, 4), kernel_sizes=(3, 3),
                           strides=(2, 2))


def test_pretext_none_is_the_reconstruction_loss_and_names_are_checked():
    from tsclust.training.losses import pretext_loss, reconstruction_loss

    ae, x = _tiny_ae().eval(), torch.randn(8, 2, 16)
    idx = torch.arange(8)
    torch.testing.assert_close(pretext_loss("none")(ae, x, idx), reconstruction_loss()(ae, x, idx))
    with pytest.raises(ValueError, match="pretext must be one of"):
        pretext_loss("jigsaw")
    with pytest.raises(ValueError, match="augmentations must be"):
        pretext_loss("contrastive", augmentations=("flip",))


@pytest.mark.parametrize("name", ["contrastive", "triplet"])
def test_pretext_loss_adds_a_seeded_term_whose_gradient_reaches_the_encoder(name):
    from tsclust.training.losses import PRETEXTS, pretext_loss, reconstruction_loss

    ae, x = _tiny_ae().eval(), torch.randn(8, 2, 16)
    idx = torch.arange(8)
    full = pretext_loss(name, seed=3)(ae, x, idx)
    again = pretext_loss(name, seed=3)(ae, x, idx)
    torch.testing.assert_close(full, again)
    recon = reconstruction_loss()(ae, x, idx)
    # eval mode: the reconstruction part is that of x alone; the rest is the weighted term
    extra = float((full - recon).detach())
    half = float((pretext_loss(name, seed=3, weight=0.5)(ae, x, idx) - recon).detach())
    np.testing.assert_allclose(half, extra / 2, rtol=1e-4)
    assert extra > 0
    loss = pretext_loss(name, seed=3)
    loss(ae, x, idx)
    one = loss(ae, x[:1], idx[:1])  # a last batch of one window: nothing to contrast
    assert float(one.detach()) == pytest.approx(float(reconstruction_loss()(ae, x[:1], idx[:1]).detach()))
    ae.zero_grad()
    (full - recon).backward()
    enc_grad = sum(float(p.grad.abs().sum()) for n, p in ae.named_parameters()
                   if p.grad is not None and n.startswith("enc"))
    assert enc_grad > 0
    assert name in PRETEXTS


@pytest.mark.parametrize("name", ["contrastive", "triplet"])
def test_pretext_refuses_batches_of_one_window(name):
    from tsclust.training.losses import pretext_loss

    ae, x = _tiny_ae().eval(), torch.randn(8, 2, 16)
    with pytest.raises(ValueError, match="batch_size >= 2"):
        pretext_loss(name, batch_size=1)
    with pytest.raises(ValueError, match="batch_size >= 2"):  # the first batch tells
        pretext_loss(name)(ae, x[:1], torch.arange(1))
    assert pretext_loss("none", batch_size=1) is not None  # reconstruction alone: fine


def test_contrastive_fit_with_batch_size_1_is_refused():
    from tsclust.clustering import DeepClusterer

    X = np.random.RandomState(0).randn(12, 16, 2).astype(np.float32)
    est = DeepClusterer(2, architecture="mlp", module_kwargs={"hidden": (8,)}, latent_dim=2,
                        pretrain_epochs=1, finetune_epochs=0, batch_size=1, n_init=1,
                        pretext="contrastive", device="cpu", random_state=0)
    with pytest.raises(ValueError, match="pretext='contrastive'.*batch_size >= 2"):
        est.fit(X)
