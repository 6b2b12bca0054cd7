"""Pure torch functions behind the clustering heads (no state, no I/O).

Shapes: ``z`` latents ``(N, d)``, ``centers`` ``(K, d)``, ``q``/``p`` ``(N, K)``,
``assignments`` ``(N,)`` int64 cluster indices.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

__all__ = [
    "soft_assignment",
    "target_distribution",
    "kl_divergence",
    "assigned_sq_distance",
    "kmeans_loss",
    "compactness_loss",
    "online_centroid_update",
    "center_distance_sum",
]


def soft_assignment(z: torch.Tensor, centers: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    """Student-t soft assignment of DEC (Xie et al. 2016, eq. 1).

    ``q_ij = (1 + ||z_i - mu_j||^2 / alpha)^(-(alpha + 1) / 2)``, normalised over ``j``.

    Parameters
    ----------
    z : Tensor of shape (N, d)
    centers : Tensor of shape (K, d)
    alpha : float, default=1.0
        Degrees of freedom of the Student t kernel.

    Returns
    -------
    q : Tensor of shape (N, K)
        Rows sum to one.
    """
    if alpha <= 0:
        raise ValueError(f"alpha must be > 0, got {alpha}")
    sq = torch.cdist(z, centers).pow(2)  # (N, K)
    # log-domain for stability: log q = -(alpha+1)/2 * log1p(sq/alpha), then softmax
    logits = -(alpha + 1.0) / 2.0 * torch.log1p(sq / alpha)
    return torch.softmax(logits, dim=1)


def target_distribution(q: torch.Tensor) -> torch.Tensor:
    """DEC's sharpened target (eq. 3): ``p_ij = (q_ij^2 / f_j) / sum_j' (q_ij'^2 / f_j')``.

    ``f_j = sum_i q_ij`` is the soft cluster frequency.

    Parameters
    ----------
    q : Tensor of shape (N, K)

    Returns
    -------
    p : Tensor of shape (N, K)
        Rows sum to one; no gradient flows through it.
    """
    q = q.detach()
    weight = q.pow(2) / q.sum(dim=0).clamp_min(1e-12)
    return weight / weight.sum(dim=1, keepdim=True)


def kl_divergence(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """``KL(P || Q)`` averaged over samples (DEC's clustering loss, eq. 2).

    Terms with ``p_ij = 0`` contribute zero.
    """
    eps = 1e-12
    terms = torch.where(p > 0, p * (torch.log(p.clamp_min(eps)) - torch.log(q.clamp_min(eps))), 0.0)
    return terms.sum(dim=1).mean()


def assigned_sq_distance(
    z: torch.Tensor, centers: torch.Tensor, assignments: torch.Tensor
) -> torch.Tensor:
    """Squared distance of each latent to its assigned centre, ``||z_i - c_{s_i}||^2``, shape (N,)."""
    return (z - centers[assignments]).pow(2).sum(dim=1)


def kmeans_loss(z: torch.Tensor, centers: torch.Tensor, assignments: torch.Tensor) -> torch.Tensor:
    """DCN's k-means term, mean over the batch of ``||z_i - M s_i||^2`` (Yang et al. 2017).

    The head weights it by ``lambda / 2`` and adds the reconstruction loss.
    """
    return assigned_sq_distance(z, centers, assignments).mean()


def compactness_loss(
    z: torch.Tensor, centers: torch.Tensor, assignments: torch.Tensor
) -> torch.Tensor:
    """Song et al. 2013's restraint, mean of ``||f(x_i) - c_i*||^2`` over the batch.

    Same distance as :func:`kmeans_loss`; it differs in how the head chooses the
    assignment (nearest centre of the previous epoch) and the centres (batch means).
    """
    return assigned_sq_distance(z, centers, assignments).mean()


def online_centroid_update(
    centers: torch.Tensor,
    counts: torch.Tensor,
    z: torch.Tensor,
    assignments: torch.Tensor,
    reduce: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """DCN's online centroid averaging with per-cluster step ``1 / count``.

    Sequentially applying ``c_k <- c_k - (1 / n_k) (c_k - z_i)`` with ``n_k`` incremented
    before each step equals the running mean below, computed for a whole batch at once:
    ``c_k <- (n_k c_k + S_k) / (n_k + m_k)`` with ``S_k`` and ``m_k`` the sum and number of
    the batch's latents assigned to ``k``.

    Parameters
    ----------
    centers : Tensor of shape (K, d)
    counts : Tensor of shape (K,)
        Samples assigned to each centre so far (DCN starts it from the k-means sizes).
    z : Tensor of shape (N, d)
    assignments : Tensor of shape (N,)
    reduce : callable or None, default=None
        Applied to the packed ``(K, d + 1)`` batch sums and counts before the update; a
        data-parallel run passes a sum over ranks, so the update sees the global batch.

    Returns
    -------
    centers, counts : new tensors (inputs are not modified)
    """
    k = centers.shape[0]
    z = z.detach().to(centers.dtype)
    added = torch.bincount(assignments, minlength=k).to(counts.dtype)
    sums = torch.zeros_like(centers).index_add_(0, assignments, z)
    if reduce is not None:
        packed = reduce(torch.cat([sums, added.unsqueeze(1)], dim=1))
        sums, added = packed[:, :-1], packed[:, -1]
    new_counts = counts + added
    denom = new_counts.clamp_min(1).unsqueeze(1)
    new_centers = torch.where(
        added.unsqueeze(1) > 0, (centers * counts.unsqueeze(1) + sums) / denom, centers
    )
    return new_centers, new_counts


def center_distance_sum(centers: torch.Tensor) -> float:
    """Sum of Euclidean distances between all pairs of centres (Song et al.'s per-epoch record)."""
    d = torch.pdist(centers.detach())
    return float(d.sum())
