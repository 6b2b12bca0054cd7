"""Clustering heads: what differs between K-means, DEC, IDEC, DCN and Song et al.'s method.

A head receives a pre-trained autoencoder and the training rows (windows, features or
vectors), runs its fine-tuning step through :func:`tsclust.training.train` with a callback
at each epoch end, and keeps its centres. The loss terms live in :mod:`tsclust.training.losses`.
Heads never touch the disk and never validate user input (the estimator does).
"""

from __future__ import annotations

import copy
import logging
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from sklearn.cluster import AgglomerativeClustering, KMeans, MiniBatchKMeans, SpectralClustering
from sklearn.metrics import silhouette_score
from torch import nn

from ..distributed import collectives as distributed
from ..training import LambdaCallback, TrainConfig, encode, train
from ..training.losses import (
    assigned_sq_distance,
    center_distance_sum,
    compactness_loss,
    kl_divergence,
    kmeans_loss,
    mse_loss,
    online_centroid_update,
    soft_assignment,
    target_distribution,
)

__all__ = ["HEADS", "AUTO_HEAD", "Head", "resolve_head", "HeadConfig", "ClusterCollapseWarning", "check_head", "silhouette",
           "SpectralAssigner", "EmbeddingAssigner", "SubsampleAssigner", "knn_affinity",
           "knn_graph_without_crumbs", "nearest", "spectral_cluster", "ward_cluster"]

logger = logging.getLogger(__name__)


class ClusterCollapseWarning(UserWarning):
    """A head emptied a cluster or concentrated most windows in few clusters."""


@dataclass
class HeadConfig:
    """Everything a head needs besides the module and the data (set by the estimator)."""

    n_clusters: int
    epochs: int
    batch_size: int
    lr: float
    seed: int
    device: torch.device
    verbose: int = 0
    alpha: float = 1.0
    tol: float = 1e-3
    update_interval: int | None = None
    cluster_weight: float | None = None
    n_init: int = 20
    collapse_entropy: float = 0.5
    silhouette_samples: int = 2000
    minibatch_kmeans_above: int = 50_000


def size_entropy(labels: np.ndarray, n_clusters: int) -> float:
    """Entropy of the cluster sizes divided by ``log(n_clusters)``: 1 for equal sizes, 0 for one cluster."""
    p = np.bincount(labels, minlength=n_clusters) / max(len(labels), 1)
    p = p[p > 0]
    return float(-(p * np.log(p)).sum() / np.log(n_clusters))


def silhouette(Z: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette of ``labels`` on rows ``Z``; NaN where it is undefined.

    The silhouette needs between 2 and ``len(Z) - 1`` distinct labels: with one cluster
    there is no other cluster to compare with, and with one row per cluster (``k = n``,
    e.g. ``n_clusters`` equal to the number of windows) every row is a singleton.
    """
    n_labels = len(np.unique(labels))
    if not 2 <= n_labels <= len(Z) - 1:
        return float("nan")
    return float(silhouette_score(Z, labels))


def nearest(Z: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Index of the nearest centre for each row of ``Z`` (n, d); memory O(n * K)."""
    Z = np.asarray(Z, dtype=np.float64)
    C = np.asarray(centers, dtype=np.float64)
    d = (C**2).sum(axis=1)[None, :] - 2.0 * Z @ C.T  # + ||z||^2, constant per row
    return d.argmin(axis=1)


def _subsample_rows(n: int, max_samples: int, seed: int) -> np.ndarray:
    """All ``n`` row indices, or a seeded sorted subsample of ``max_samples`` when ``n`` is larger."""
    if n <= max_samples:
        return np.arange(n)
    return np.sort(np.random.RandomState(seed).choice(n, max_samples, replace=False))


def ward_cluster(
    Z: np.ndarray, n_clusters: int, max_samples: int = 20_000, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Ward clustering of the rows of ``Z`` (n, d), subsampled above ``max_samples`` rows.

    Ward's merge tree gives ``n_clusters`` clusters and their means; every row is then
    labelled with its nearest cluster mean, the rule that assigns new rows, so that the
    labels of the rows clustered are what predicting them again gives. A row near the
    boundary of two Ward clusters can move to the other one (a few percent of the rows on
    overlapping clusters). Ward's memory and time grow with the square of the rows: above
    ``max_samples`` a seeded subsample is clustered.

    Returns
    -------
    labels : ndarray of shape (n,), int64
        Nearest cluster mean of each row.
    centers : ndarray of shape (n_clusters, d)
        Mean of each Ward cluster's (clustered) rows.
    """
    rows = _subsample_rows(len(Z), max_samples, seed)
    sub = AgglomerativeClustering(n_clusters, linkage="ward").fit_predict(Z[rows])
    centers = np.stack([Z[rows][sub == k].mean(axis=0) for k in range(n_clusters)])
    return nearest(Z, centers).astype(np.int64), centers


class Head:
    """Base head: k-means on the latents of the pre-trained autoencoder, no fine-tuning.

    Subclasses override :meth:`finetune` (the small step that differs) and, where the head
    has soft assignments, :meth:`proba`.

    Attributes set by :meth:`fit`: ``centers`` (K, d) float32, ``history`` list of dicts.
    """

    name = "kmeans"
    soft = False
    default_weight: float | None = None

    def __init__(self, config: HeadConfig) -> None:
        self.config = config
        self.centers: np.ndarray | None = None
        self.history: list[dict[str, Any]] = []

    # -- shared pieces ----------------------------------------------------
    @property
    def weight(self) -> float:
        w = self.config.cluster_weight
        return float(self.default_weight if w is None else w)

    def embed(self, module: nn.Module, Xt: Any) -> np.ndarray:
        """Latents ``(N, d)`` of windows ``Xt`` ``(N, C, L)`` (tensor or StoreDataset).

        In distributed mode every rank encodes its shard and receives all ``N`` rows.
        """
        return encode(module, Xt, device=self.config.device)

    def cluster(self, Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Initial clustering of latents ``Z``: k-means with ``n_init`` restarts -> (labels, centers).

        Above ``minibatch_kmeans_above`` rows, ``MiniBatchKMeans`` (batches of 4096). In
        distributed mode it runs on rank 0 and the result is broadcast.
        """
        if distributed.active():
            result = self._cluster(Z) if distributed.rank() == 0 else None
            return distributed.broadcast_object(result)
        return self._cluster(Z)

    def _cluster(self, Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        c = self.config
        if len(Z) > c.minibatch_kmeans_above:
            km = MiniBatchKMeans(c.n_clusters, n_init=min(c.n_init, 5), batch_size=4096,
                                 random_state=c.seed)
        else:
            km = KMeans(c.n_clusters, n_init=c.n_init, random_state=c.seed)
        labels = km.fit_predict(Z.astype(np.float64))
        return labels.astype(np.int64), km.cluster_centers_.astype(np.float32)

    def train(self, module: nn.Module, Xt: Any, loss_fn: Any, on_epoch_end: Any,
              params: list[nn.Parameter] | None = None) -> list[dict]:
        """Fine-tune with the one loop; ``on_epoch_end(epoch, module, record) -> stop``."""
        c = self.config
        config = TrainConfig(epochs=c.epochs, batch_size=c.batch_size, lr=c.lr, seed=c.seed,
                             device=c.device, verbose=c.verbose, desc=self.name)
        return train(module, Xt, loss_fn, config,
                     callbacks=[LambdaCallback(on_epoch_end=on_epoch_end)], params=params)

    # -- API used by the estimator ---------------------------------------
    def fit(self, module: nn.Module, Xt: torch.Tensor) -> np.ndarray:
        """Fine-tune ``module`` in place and return training labels ``(N,)``."""
        labels, self.centers = self.cluster(self.embed(module, Xt))
        if self.config.epochs > 0 and type(self).finetune is not Head.finetune:
            labels = self.finetune(module, Xt, labels)
        return labels

    def finetune(self, module: nn.Module, Xt: torch.Tensor, labels: np.ndarray) -> np.ndarray:
        return labels

    def assign(self, Z: np.ndarray) -> np.ndarray:
        """Hard labels of latents ``Z`` ``(n, d)``: nearest centre, or argmax of :meth:`proba`."""
        if self.soft:
            return self.proba(Z).argmax(axis=1)
        return nearest(Z, self.centers)

    def proba(self, Z: np.ndarray) -> np.ndarray:
        raise AttributeError(f"head {self.name!r} has no soft assignment")

    def state(self) -> dict[str, np.ndarray]:
        """Arrays the head needs to assign new rows, beyond ``centers`` (saved in model files)."""
        return {}

    def restore(self, arrays: dict[str, np.ndarray]) -> None:
        """Set what :meth:`state` returned (``arrays`` may hold other entries too)."""


class DECHead(Head):
    """DEC (Xie et al. 2016): minimise KL(P || Q) over encoder and centroids.

    ``P`` is refreshed from the whole data set once per epoch; training stops when the
    fraction of labels that changed between refreshes falls below ``tol``. The decoder is
    not used. A collapse guard keeps the best refresh by silhouette (on a fixed sample of
    windows) whenever a cluster empties or the size entropy drops below ``collapse_entropy``.
    """

    name = "dec"
    soft = True
    use_reconstruction = False

    def proba(self, Z: np.ndarray) -> np.ndarray:
        Z = np.ascontiguousarray(Z, dtype=np.float32)  # the centres' dtype, whatever Z's
        C = np.ascontiguousarray(self.centers, dtype=np.float32)
        with torch.no_grad():
            q = soft_assignment(torch.from_numpy(Z), torch.from_numpy(C), self.config.alpha)
        return q.numpy()

    def _loss(self, centers: nn.Parameter, P: dict[str, torch.Tensor]):
        alpha, recon = self.config.alpha, self.use_reconstruction
        weight = self.weight if recon else 0.0

        def loss_fn(module: nn.Module, xb: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
            if recon:
                x_hat, z = module(xb)
            else:
                z = module.encode(xb)
            q = soft_assignment(z, centers, alpha)
            loss = kl_divergence(P["p"][idx].to(q.device), q)
            if recon:
                loss = mse_loss(x_hat, module.target(xb)) + weight * loss
            return loss

        return loss_fn

    def finetune(self, module: nn.Module, Xt: torch.Tensor, labels: np.ndarray) -> np.ndarray:
        c = self.config
        module.to(c.device)
        centers = nn.Parameter(torch.from_numpy(self.centers).to(c.device))
        rng = np.random.RandomState(c.seed)
        sample = rng.choice(len(Xt), min(c.silhouette_samples, len(Xt)), replace=False)
        state: dict[str, Any] = {"labels": labels, "best": None, "collapsed": False}
        P: dict[str, torch.Tensor] = {}

        def refresh(module: nn.Module, record: dict) -> bool:
            Z = self.embed(module, Xt)
            with torch.no_grad():
                q = soft_assignment(torch.from_numpy(Z), centers.detach().cpu(), c.alpha)
            P["p"] = target_distribution(q)
            new = q.argmax(dim=1).numpy()
            changed = float((new != state["labels"]).mean())
            state["labels"] = new
            sizes = np.bincount(new, minlength=c.n_clusters)
            ent = size_entropy(new, c.n_clusters)
            degenerate = bool((sizes == 0).any() or ent < c.collapse_entropy)
            record.update(label_change=changed, sizes=sizes.tolist(), size_entropy=ent,
                          degenerate=degenerate)
            if degenerate:
                if not state["collapsed"]:
                    warnings.warn(
                        f"{self.name}: clusters collapsed (sizes {sizes.tolist()}, size entropy "
                        f"{ent:.2f}); the best non-degenerate refresh is kept",
                        ClusterCollapseWarning, stacklevel=2,
                    )
                state["collapsed"] = True
            elif np.isfinite(sil := silhouette(Z[sample], new[sample])):
                record["silhouette"] = sil
                if state["best"] is None or sil > state["best"][0]:
                    state["best"] = (sil, copy.deepcopy(module.state_dict()),
                                     centers.detach().clone(), new)
            return changed

        first: dict[str, Any] = {"epoch": 0}
        refresh(module, first)
        self.history.append(first)

        last = {"steps": 0}

        def on_epoch_end(epoch: int, module: nn.Module, record: dict) -> bool:
            # refresh P (and test tol) at the first epoch end after update_interval steps
            if c.update_interval is not None and record["steps"] - last["steps"] < c.update_interval:
                return False
            last["steps"] = record["steps"]
            changed = refresh(module, record)
            return changed < c.tol

        hist = self.train(module, Xt, self._loss(centers, P), on_epoch_end,
                          params=list(module.parameters()) + [centers])
        self.history.extend(hist)
        final = state["labels"]
        if state["collapsed"] and state["best"] is not None:
            _, best_state, best_centers, final = state["best"]
            module.load_state_dict(best_state)
            centers.data.copy_(best_centers)
            self.history.append({"restored_best": True, "silhouette": state["best"][0]})
        self.centers = centers.detach().cpu().numpy().astype(np.float32)
        module.eval()
        return np.asarray(final, dtype=np.int64)


class IDECHead(DECHead):
    """IDEC (Guo et al. 2017): DEC's KL loss weighted by ``gamma`` plus reconstruction.

    ``cluster_weight`` is ``gamma`` (default 0.1).
    """

    name = "idec"
    use_reconstruction = True
    default_weight = 0.1


class DCNHead(Head):
    """DCN (Yang et al. 2017): reconstruction + ``lambda / 2 * ||z - M s||^2``.

    Per mini-batch, with the network fixed each window is assigned to its nearest centre
    and the centres move by online averaging (step ``1 / count``); then the network takes
    a gradient step with the assignments fixed. ``cluster_weight`` is ``lambda``
    (default 1.0).
    """

    name = "dcn"
    default_weight = 1.0

    def finetune(self, module: nn.Module, Xt: torch.Tensor, labels: np.ndarray) -> np.ndarray:
        c = self.config
        module.to(c.device)
        centers = torch.from_numpy(self.centers).to(c.device)
        counts = torch.bincount(torch.from_numpy(labels), minlength=c.n_clusters).float().to(c.device)
        state = {"centers": centers, "counts": counts, "labels": labels}
        half_lambda = self.weight / 2.0

        def loss_fn(module: nn.Module, xb: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
            x_hat, z = module(xb)
            with torch.no_grad():  # assignment step, network fixed
                s = torch.cdist(z, state["centers"]).argmin(dim=1)
                reduce = distributed.all_reduce_sum if distributed.active() else None
                state["centers"], state["counts"] = online_centroid_update(
                    state["centers"], state["counts"], z, s, reduce)
            return mse_loss(x_hat, module.target(xb)) + half_lambda * kmeans_loss(z, state["centers"], s)

        def on_epoch_end(epoch: int, module: nn.Module, record: dict) -> bool:
            lab = nearest(self.embed(module, Xt), state["centers"].cpu().numpy())
            record.update(sizes=np.bincount(lab, minlength=c.n_clusters).tolist(),
                          size_entropy=size_entropy(lab, c.n_clusters))
            state["labels"] = lab  # after the last epoch: the final assignment
            return False

        self.history.extend(self.train(module, Xt, loss_fn, on_epoch_end))
        self.centers = state["centers"].cpu().numpy().astype(np.float32)
        module.eval()
        return np.asarray(state["labels"], dtype=np.int64)


class CompactHead(Head):
    """Song et al. 2013: auto-encoder with a compactness restraint in the feature layer.

    Starts from a random assignment; each epoch minimises reconstruction +
    ``lambda * ||f(x_i) - c_i*||^2`` (``c_i*`` the nearest centre of the previous epoch),
    then recomputes each centre as the mean of the current features over the previous
    partition and reassigns every window to its nearest centre. The sum of distances
    between centres is recorded per epoch (``center_distance``). ``cluster_weight`` is
    ``lambda`` (default 0.1).
    """

    name = "compact"
    default_weight = 0.1

    def fit(self, module: nn.Module, Xt: torch.Tensor) -> np.ndarray:
        c = self.config
        rng = np.random.RandomState(c.seed)
        labels = rng.randint(0, c.n_clusters, size=len(Xt)).astype(np.int64)
        Z = self.embed(module, Xt)
        self.centers = self._means(Z, labels, np.tile(Z.mean(axis=0), (c.n_clusters, 1)))
        if c.epochs <= 0:
            return nearest(Z, self.centers)
        return self.finetune(module, Xt, labels)

    def _means(self, Z: np.ndarray, labels: np.ndarray, fallback: np.ndarray) -> np.ndarray:
        """Mean of ``Z`` per label, shape (K, d); an empty cluster keeps ``fallback[k]``."""
        out = np.asarray(fallback, dtype=np.float32).copy()
        for k in range(self.config.n_clusters):
            members = Z[labels == k]
            if len(members):
                out[k] = members.mean(axis=0)
        return out

    def finetune(self, module: nn.Module, Xt: torch.Tensor, labels: np.ndarray) -> np.ndarray:
        c = self.config
        module.to(c.device)
        state = {"centers": torch.from_numpy(self.centers).to(c.device), "labels": labels}
        lam = self.weight

        def loss_fn(module: nn.Module, xb: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
            x_hat, z = module(xb)
            with torch.no_grad():
                s = torch.cdist(z, state["centers"]).argmin(dim=1)
            return mse_loss(x_hat, module.target(xb)) + lam * compactness_loss(z, state["centers"], s)

        def on_epoch_end(epoch: int, module: nn.Module, record: dict) -> bool:
            Z = self.embed(module, Xt)
            centers = self._means(Z, state["labels"], state["centers"].cpu().numpy())
            new = nearest(Z, centers)
            record.update(
                center_distance=center_distance_sum(torch.from_numpy(centers)),
                label_change=float((new != state["labels"]).mean()),
                sizes=np.bincount(new, minlength=c.n_clusters).tolist(),
                restraint=float(assigned_sq_distance(
                    torch.from_numpy(Z), torch.from_numpy(centers), torch.from_numpy(new)
                ).mean()),
            )
            state["centers"] = torch.from_numpy(centers).to(c.device)
            state["labels"] = new
            return False

        self.history.extend(self.train(module, Xt, loss_fn, on_epoch_end))
        self.centers = state["centers"].cpu().numpy().astype(np.float32)
        module.eval()
        return np.asarray(state["labels"], dtype=np.int64)


class WardHead(Head):
    """Ward agglomerative clustering of the pre-trained latents, no fine-tuning.

    Ward merges the pair of clusters that least increases the within-cluster variance, so
    it follows elongated or unequal clusters better than k-means. Its cost grows with the
    square of the number of windows: above ``ward_max_samples`` it clusters a seeded
    subsample. Every window, training windows included, goes to the nearest cluster mean
    (``cluster_centers_``, the means of the Ward clusters): ``labels_`` is that
    nearest-mean assignment, so ``predict`` on the training windows gives ``labels_``
    (see :func:`ward_cluster`).
    """

    name = "ward"
    ward_max_samples = 20_000

    def _cluster(self, Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        c = self.config
        labels, centers = ward_cluster(Z, c.n_clusters, self.ward_max_samples, c.seed)
        return labels, centers.astype(np.float32)


def knn_affinity(Z: np.ndarray, n_neighbors: int = 10) -> Any:
    """``0.5 * (A + A.T)`` of the ``n_neighbors``-nearest-neighbour connectivity ``A`` of ``Z``.

    Each row counts as its own neighbour (scikit-learn's ``affinity="nearest_neighbors"``);
    ``n_neighbors`` is capped at ``n - 1``. Returns a ``scipy.sparse`` CSR matrix (n, n).
    """
    from sklearn.neighbors import kneighbors_graph

    k = max(1, min(int(n_neighbors), len(Z) - 1))
    A = kneighbors_graph(np.asarray(Z, dtype=np.float64), k, include_self=True)
    return (0.5 * (A + A.T)).tocsr()


def knn_graph_without_crumbs(Z: np.ndarray, n_clusters: int,
                             n_neighbors: int = 10) -> tuple[Any, int]:
    """:func:`knn_affinity` with neighbours doubled until no component is a crumb.

    A crumb is a connected component of fewer than ``n / (10 n_clusters)`` rows (a tenth of
    the mean cluster size). Spectral clustering returns graph components as clusters, however
    small: many overlapping windows can make a 10-NN graph of one large component and a few
    crumbs, and spectral clustering then returns one cluster and crumbs (seen on HAPT:
    docs/results_panel.md).
    Components of a reasonable size (well separated clusters) are kept apart. The rule needs
    no labels; ``k`` grows as ``n_neighbors, 2 n_neighbors, ...`` up to ``n - 1``.

    Returns
    -------
    affinity : scipy.sparse.csr_matrix of shape (n, n)
    k : int
        The neighbours used.
    """
    from scipy.sparse.csgraph import connected_components

    n = len(Z)
    smallest = n / (10.0 * n_clusters)
    k = max(1, min(int(n_neighbors), n - 1))
    while True:
        A = knn_affinity(Z, k)
        _, component = connected_components(A, directed=False)
        if k >= n - 1 or np.bincount(component).min() >= smallest:
            return A, k
        k = min(2 * k, n - 1)


def spectral_cluster(
    Z: np.ndarray, n_clusters: int, n_neighbors: int = 10, max_samples: int = 20_000,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Spectral clustering of the nearest-neighbour graph of ``Z`` (n, d).

    The graph is :func:`knn_graph_without_crumbs` (``n_neighbors`` neighbours, more where
    they leave crumbs), its spectral embedding discretised by scikit-learn's ``cluster_qr``
    (no random restarts). Above ``max_samples`` rows a seeded subsample is clustered.

    Returns
    -------
    rows : ndarray of shape (m,), int64
        The rows clustered (all of them, or the subsample), sorted.
    labels : ndarray of shape (m,), int64
        Their clusters.
    """
    rows = _subsample_rows(len(Z), max_samples, seed)
    if len(rows) <= n_clusters:  # as many rows as clusters: each row is one (no eigenproblem)
        return rows.astype(np.int64), np.arange(len(rows), dtype=np.int64)
    A, k = knn_graph_without_crumbs(np.asarray(Z[rows], dtype=np.float64), n_clusters,
                                    n_neighbors)
    if k > n_neighbors:
        logger.info("spectral: %d neighbours leave no crumb in the graph (asked %d)", k,
                    n_neighbors)
    sc = SpectralClustering(n_clusters, affinity="precomputed", assign_labels="cluster_qr",
                            random_state=seed)
    with warnings.catch_warnings():  # "graph is not fully connected": components are kept
        warnings.simplefilter("ignore", UserWarning)
        labels = sc.fit_predict(A)
    return rows.astype(np.int64), labels.astype(np.int64)


class SubsampleAssigner:
    """Cluster rows (a seeded subsample above ``max_samples``); any row then takes its nearest
    clustered row's cluster.

    The estimator interface of the graph steps (spectral, neighbour embedding), which the heads
    and the baselines share: ``fit`` sets ``labels_`` (every row: a clustered row keeps its own
    cluster, a row left out of the subsample joins its nearest clustered one),
    ``cluster_centers_`` (cluster means; the mean of all rows for an empty cluster),
    ``inertia_`` (squared distances to them) and ``reference`` / ``reference_labels`` (the
    clustered rows, float32, and their clusters); ``predict`` labels rows by their nearest
    reference row, so that predicting the training rows gives ``labels_``. Subclasses define
    :meth:`_cluster_rows`.

    Parameters
    ----------
    n_clusters : int
    max_samples : int, default=20000
        Most rows clustered.
    seed : int, default=0
        Seeds the subsample and the clustering.
    """

    def __init__(self, n_clusters: int, max_samples: int = 20_000, seed: int = 0) -> None:
        self.n_clusters, self.max_samples, self.seed = n_clusters, max_samples, seed

    def _cluster_rows(self, Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover
        """(rows clustered, sorted; their labels), both int64, for rows ``Z`` (n, d)."""
        raise NotImplementedError

    def fit(self, Z: np.ndarray) -> SubsampleAssigner:
        """Cluster the rows of ``Z`` (n, d).

        Fewer distinct rows than ``n_clusters``: every distinct row is a cluster of its own
        (identical rows are never split), with a :class:`ClusterCollapseWarning`, as
        scikit-learn's k-means warns and does.
        """
        _, first, inverse = np.unique(np.asarray(Z), axis=0, return_index=True,
                                      return_inverse=True)
        if len(first) < self.n_clusters:
            warnings.warn(
                f"only {len(first)} distinct rows for n_clusters={self.n_clusters}: each "
                f"distinct row is one cluster, {self.n_clusters - len(first)} cluster(s) stay "
                "empty", ClusterCollapseWarning, stacklevel=2)
            order = np.argsort(first)  # clusters numbered by first appearance
            rank = np.empty_like(order)
            rank[order] = np.arange(len(order))
            rows, sub = np.sort(first), rank[np.asarray(inverse).reshape(-1)][np.sort(first)]
        else:
            rows, sub = self._cluster_rows(Z)
        self.reference = np.asarray(Z[rows], dtype=np.float32)
        self.reference_labels = sub
        labels = np.empty(len(Z), dtype=np.int64)
        labels[rows] = sub  # a clustered row (a duplicate too) keeps its own cluster
        rest = np.setdiff1d(np.arange(len(Z)), rows)
        if rest.size:  # rows left out of the subsample join their nearest clustered row
            labels[rest] = self.predict(Z[rest])
        Z64 = np.asarray(Z, dtype=np.float64)
        means = [Z64[labels == k].mean(axis=0) if (labels == k).any() else Z64.mean(axis=0)
                 for k in range(self.n_clusters)]
        self.labels_ = labels.astype(np.int64)
        self.cluster_centers_ = np.stack(means)
        self.inertia_ = float(((Z64 - self.cluster_centers_[self.labels_]) ** 2).sum())
        self.n_iter_ = 1  # one graph step
        return self

    def predict(self, Z: np.ndarray) -> np.ndarray:
        """The cluster of each row's nearest reference row, shape (n,)."""
        from sklearn.neighbors import NearestNeighbors

        nn_index = NearestNeighbors(n_neighbors=1).fit(self.reference)
        return self.reference_labels[nn_index.kneighbors(np.asarray(Z, dtype=np.float32),
                                                         return_distance=False)[:, 0]]


class SpectralAssigner(SubsampleAssigner):
    """:func:`spectral_cluster` of rows, as a :class:`SubsampleAssigner`.

    Parameters
    ----------
    n_clusters : int
    n_neighbors : int, default=10
    max_samples : int, default=20000
    seed : int, default=0
        See :func:`spectral_cluster`.
    """

    def __init__(self, n_clusters: int, n_neighbors: int = 10, max_samples: int = 20_000,
                 seed: int = 0) -> None:
        super().__init__(n_clusters, max_samples, seed)
        self.n_neighbors = n_neighbors

    def _cluster_rows(self, Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return spectral_cluster(Z, self.n_clusters, self.n_neighbors, self.max_samples,
                                self.seed)


class EmbeddingAssigner(SubsampleAssigner):
    """Neighbour embedding of the rows, then k-means on it.

    The rows (a seeded subsample above ``max_samples``) are embedded by
    :func:`tsclust.clustering._embedding.embed` (UMAP's fuzzy neighbour graph and
    cross-entropy, in torch) in ``n_components`` dimensions, and k-means (10 restarts)
    clusters the embedding. New rows take the cluster of their nearest embedded training row.

    Parameters
    ----------
    n_clusters : int
    n_neighbors : int or None, default=None
        Graph neighbours (the row itself counted); None follows the rows:
        :func:`tsclust.clustering._embedding.default_n_neighbors`.
    n_components : int, default=10
        Dimensions of the embedding.
    max_samples : int, default=20000
    seed : int, default=0
    """

    def __init__(self, n_clusters: int, n_neighbors: int | None = None, n_components: int = 10,
                 max_samples: int = 20_000, seed: int = 0) -> None:
        super().__init__(n_clusters, max_samples, seed)
        self.n_neighbors, self.n_components = n_neighbors, n_components

    def _cluster_rows(self, Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        from ._embedding import embed

        rows = _subsample_rows(len(Z), self.max_samples, self.seed)
        Y = embed(np.asarray(Z[rows], dtype=np.float64), self.n_components, self.n_neighbors,
                  seed=self.seed)
        self.embedding_ = Y
        labels = KMeans(self.n_clusters, n_init=10, random_state=self.seed).fit_predict(
            Y.astype(np.float64))
        return rows.astype(np.int64), np.asarray(labels, dtype=np.int64)


class _AssignerHead(Head):
    """A head whose clustering is a :class:`SubsampleAssigner`, no fine-tuning.

    Every row, new or not, takes the cluster of its nearest clustered training latent (kept
    as ``reference``, saved in model files), so ``predict`` on the training windows gives
    ``labels_``. Above ``max_samples`` training rows a seeded subsample is clustered and the
    other rows join their nearest one. ``cluster_centers_`` are the cluster means (``score``
    and the latent plots use them). Subclasses define :meth:`_assigner`.
    """

    max_samples = 20_000

    def _assigner(self) -> SubsampleAssigner:  # pragma: no cover
        raise NotImplementedError

    def _cluster(self, Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        self.assigner = self._assigner().fit(Z)
        return self.assigner.labels_, self.assigner.cluster_centers_.astype(np.float32)

    def assign(self, Z: np.ndarray) -> np.ndarray:
        return self.assigner.predict(Z)

    def state(self) -> dict[str, np.ndarray]:
        return {"reference": self.assigner.reference,
                "reference_labels": self.assigner.reference_labels}

    def restore(self, arrays: dict[str, np.ndarray]) -> None:
        self.assigner = self._assigner()
        self.assigner.reference = np.asarray(arrays["reference"], dtype=np.float32)
        self.assigner.reference_labels = np.asarray(arrays["reference_labels"], dtype=np.int64)


class SpectralHead(_AssignerHead):
    """Spectral clustering of the latents' nearest-neighbour graph, no fine-tuning.

    A neighbour graph follows clusters of any shape where k-means cuts along straight
    borders (measured on the conv autoencoder's latents and against the raw series' graph,
    the ``"spectral"`` baseline: docs/results_panel.md).
    New rows and the rows left out of the subsample join their nearest clustered latent
    (:class:`SpectralAssigner`, :class:`_AssignerHead`).
    """

    name = "spectral"
    n_neighbors = 10

    def _assigner(self) -> SpectralAssigner:
        c = self.config
        return SpectralAssigner(c.n_clusters, self.n_neighbors, self.max_samples, c.seed)


class EmbeddingHead(_AssignerHead):
    """A neighbour embedding of the latents (UMAP's objective), then k-means on it.

    The latents' fuzzy nearest-neighbour graph is embedded in 10 dimensions
    (:class:`EmbeddingAssigner`; neighbours follow the number of rows:
    :func:`tsclust.clustering._embedding.default_n_neighbors`) and k-means clusters the
    embedding, as N2D (McConville et al. 2020) does on autoencoder latents. No fine-tuning.
    New rows and the rows left out of the subsample join their nearest embedded latent
    (:class:`_AssignerHead`).
    """

    name = "umap"

    def _assigner(self) -> EmbeddingAssigner:
        c = self.config
        return EmbeddingAssigner(c.n_clusters, None, 10, self.max_samples, c.seed)


HEADS: dict[str, type[Head]] = {
    "kmeans": Head,
    "dec": DECHead,
    "idec": IDECHead,
    "dcn": DCNHead,
    "compact": CompactHead,
    "ward": WardHead,
    "spectral": SpectralHead,
    "umap": EmbeddingHead,
}


#: The head ``"auto"`` stands for: by architecture, else :data:`DEFAULT_HEAD`.
HEAD_BY_ARCHITECTURE: dict[str, str] = {"cov": "dec"}
DEFAULT_HEAD = "umap"
AUTO_HEAD = "auto"


def check_head(name: Any, *, auto: bool = False) -> type[Head]:
    """Return the head class registered as ``name``; ValueError listing valid names otherwise.

    ``auto``: the caller also takes :data:`AUTO_HEAD`, and the message says so.
    """
    if name not in HEADS:
        also = f" or {AUTO_HEAD!r}" if auto else ""
        raise ValueError(f"unknown head {name!r}; valid names are {sorted(HEADS)}{also}")
    return HEADS[name]


def resolve_head(name: Any, architecture: str | None = None) -> str:
    """The registered head ``name`` stands for under ``architecture``.

    ``"auto"`` is ``"dec"`` on the ``"cov"`` autoencoder (multichannel windows, chosen on HAPT)
    and ``"umap"`` otherwise (chosen on the selection half of the UCR panel: docs/results_panel.md).
    Other names are returned unchanged after :func:`check_head`.
    """
    if name == AUTO_HEAD:
        return HEAD_BY_ARCHITECTURE.get(architecture or "", DEFAULT_HEAD)
    check_head(name, auto=True)
    return name
