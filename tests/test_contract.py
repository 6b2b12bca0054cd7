"""The common estimator contract, run over every registry entry.

Entries are read from the registries when the module is collected, never from hand-written
lists: :class:`~tsclust.clustering.DeepClusterer` for every architecture x head,
:class:`~tsclust.clustering.LatentClusterer` and :class:`~tsclust.clustering.RecordingClusterer`
for every head, :class:`~tsclust.autoencoder.Autoencoder` for every architecture, both with
every pretext of :data:`~tsclust.training.PRETEXTS` (conv), every
baseline of :data:`~tsclust.baselines.BASELINES` (through :func:`~tsclust.baselines.make_baseline`)
and every compare method name (through :func:`~tsclust.compare.make_method`; the fitted checks
on the first name of each family).

Checks (where they apply): clone and get_params/set_params; NotFittedError before fit; bad
input at fit time (NaN/inf with their position, wrong number of dimensions, no samples,
n_clusters < 2 or > n_samples); ``_validate_params`` and unknown registry names; declared
parameter constraints against the constructor; seeded reproducibility; ``fit_predict`` against
``fit().predict`` (ARI 1) and ``fit_transform`` against ``fit().transform``; predict-time
shape and NaN errors; save/load round trips.

Each fitted check fits tiny models (30 windows of 20 time points and 3 channels, 2 epochs). The
tslearn baselines pay a one-off numba compilation in the first fit of each worker; their
fitted checks are one test per baseline so that it is paid once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import adjusted_rand_score

from tests.conftest import SMALL_MODULES
from tsclust.autoencoder import Autoencoder
from tsclust.base import BaseDeepEstimator
from tsclust.baselines import BASELINES, make_baseline
from tsclust.clustering import HEADS, DeepClusterer, LatentClusterer, RecordingClusterer
from tsclust.compare import METHODS, available_methods, make_method
from tsclust.compare.methods import BaselineFamily, DeepFamily, HeadFamily, family_of
from tsclust.models import ARCHITECTURES
from tsclust.models.registry import AUTO, resolve_architecture
from tsclust.training import PRETEXTS

K = 3  # clusters
N_PER, T, C = 10, 20, 3  # 30 windows of 20 time points, 3 channels (the posture angle needs 3)
N_FEATURES = 6

SMALL = SMALL_MODULES
DEEP_FAST = dict(
    latent_dim=3, pretrain_epochs=2, finetune_epochs=2, batch_size=16, n_init=2, device="cpu"
)
LATENT_MODULE = {"hidden": (16,)}
REC_FAST = dict(latent_dim=3, pretrain_epochs=2, device="cpu")
AE_FAST = dict(latent_dim=3, epochs=2, batch_size=16, device="cpu")
BASELINE_FAST = {
    "dtw-kmeans": {"max_iter": 2},
    "softdtw-kmeans": {"max_iter": 2},
    "euclidean-kmeans": {"max_iter": 5},
    "kshape": {"max_iter": 2},
    "kmeans": {"n_init": 2},
    "stats-kmeans": {"n_init": 2},
    "rocket-kmeans": {"n_features": 168, "n_init": 2},
}


# --------------------------------------------------------------------------- entries


@dataclass(frozen=True)
class Entry:
    """One registry entry: ``build(random_state)`` gives a fresh unfitted estimator."""

    id: str
    build: Callable[[int], Any]

    def __str__(self) -> str:
        return self.id


def _deep(arch: str, head: str, seed: int) -> DeepClusterer:
    return DeepClusterer(K, architecture=arch, head=head, random_state=seed,
                         module_kwargs=SMALL.get(arch), **DEEP_FAST)


def _pretext(name: str, cls: type, seed: int) -> Any:
    if cls is Autoencoder:
        return Autoencoder("conv", pretext=name, random_state=seed, module_kwargs=SMALL["conv"],
                           **AE_FAST)
    return DeepClusterer(K, architecture="conv", head=CHEAP_HEAD, pretext=name, random_state=seed,
                         module_kwargs=SMALL["conv"], **DEEP_FAST)


def _latent(head: str, seed: int) -> LatentClusterer:
    return LatentClusterer(K, head=head, random_state=seed, module_kwargs=LATENT_MODULE,
                           **DEEP_FAST)


def _recording(head: str, seed: int) -> RecordingClusterer:
    return RecordingClusterer(K, head=head, random_state=seed, **REC_FAST)


def _autoencoder(arch: str, seed: int) -> Autoencoder:
    return Autoencoder(arch, random_state=seed, module_kwargs=SMALL.get(arch), **AE_FAST)


def _baseline(name: str, seed: int) -> Any:
    return make_baseline(name, K, random_state=seed, **BASELINE_FAST.get(name, {}))


def method_params(name: str) -> dict[str, Any]:
    """The fast settings of a compare method, by its family."""
    family = family_of(name)
    if isinstance(family, BaselineFamily):
        return dict(BASELINE_FAST.get(name, {}))
    if isinstance(family, DeepFamily):
        arch, _ = family.parse(name)
        return {**DEEP_FAST, "module_kwargs": SMALL.get(resolve_architecture(arch, C))}
    if isinstance(family, HeadFamily):  # rec+HEAD
        return dict(REC_FAST)
    return {}


def _method(name: str, seed: int) -> Any:
    return make_method(name, K, seed, method_params(name))


CHEAP_HEAD, CHEAP_ARCH = "kmeans", "mlp"


def _entries() -> list[Entry]:
    # the tslearn baselines first: xdist then starts their one-off numba compilations first
    out = [Entry(f"baseline-{b}", partial(_baseline, b)) for b in BASELINES]
    # every architecture with one head and every head with one architecture (the full product
    # adds minutes and no code path: heads see latents, not architectures)
    deep = {(a, CHEAP_HEAD) for a in ARCHITECTURES} | {(CHEAP_ARCH, h) for h in HEADS}
    out += [Entry(f"deep-{a}-{h}", partial(_deep, a, h)) for a, h in sorted(deep)]
    out += [Entry(f"latent-{h}", partial(_latent, h)) for h in HEADS]
    # every pretext but "none" (the default of every entry above) with the conv autoencoder
    out += [Entry(f"{cls.__name__.lower()}-pretext-{p}", partial(_pretext, p, cls))
            for p in PRETEXTS if p != "none" for cls in (DeepClusterer, Autoencoder)]
    # RecordingClusterer's inner model is the LatentClusterer above: one hard and one soft head
    out += [Entry(f"recording-{h}", partial(_recording, h)) for h in ("kmeans", "dec")]
    out += [Entry(f"autoencoder-{a}", partial(_autoencoder, a)) for a in ARCHITECTURES]
    out += [Entry(f"method-{f.names()[0]}", partial(_method, f.names()[0]))
            for f in METHODS.values()]
    return out


ENTRIES = _entries()
PROTO = {e.id: e.build(0) for e in ENTRIES}  # unfitted prototypes: what each entry has


def entries(where: Callable[[Any], bool] = lambda est: True, marks=None) -> list:
    """The entries whose prototype satisfies ``where``; ``marks(est)`` may add pytest marks."""
    chosen = [e for e in ENTRIES if where(PROTO[e.id])]
    return [pytest.param(e, id=e.id, marks=() if marks is None else marks(PROTO[e.id]))
            for e in chosen]


def is_clusterer(est: Any) -> bool:
    return hasattr(est, "fit_predict") and hasattr(est, "predict")


def is_deep(est: Any) -> bool:
    return isinstance(est, BaseDeepEstimator)


def groups_wanted(est: Any) -> bool:
    return bool(getattr(est, "accepts_groups", False))


DEEP_CLASSES = sorted({type(e) for e in PROTO.values() if is_deep(e)}, key=lambda c: c.__name__)


# --------------------------------------------------------------------------- data


def make_windows(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three kinds of 3-channel windows (n, T, C) float32, and two recordings alternating."""
    rng = np.random.RandomState(seed)
    t = np.linspace(0, 1, T)[:, None]
    kinds = [
        np.array([0.0, 0.0, 1.0]) + 0.3 * np.sin(2 * np.pi * 2 * t + np.arange(C)),
        np.tile([0.0, 0.9, 0.4], (T, 1)),
        np.tile([0.8, 0.0, 0.6], (T, 1)),
    ]
    X = np.concatenate([k[None] + 0.05 * rng.randn(N_PER, T, C) for k in kinds])
    return X.astype(np.float32), np.arange(len(X)) % 2


def make_vectors(seed: int = 0) -> np.ndarray:
    """Three blobs of feature vectors (n, d) float32."""
    rng = np.random.RandomState(seed)
    centers = 4.0 * rng.randn(K, N_FEATURES)
    return np.concatenate([c + rng.randn(N_PER, N_FEATURES) for c in centers]).astype(np.float32)


@pytest.fixture(scope="module")
def datasets() -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
    X, groups = make_windows()
    return {"windows": (X, groups), "vectors": (make_vectors(), None)}


def data_for(est: Any, datasets: dict) -> tuple[np.ndarray, np.ndarray | None]:
    """The input of ``est`` (vectors or windows) and, for an estimator that takes them, groups."""
    kind = "vectors" if getattr(est, "_input", "windows") == "vectors" else "windows"
    X, groups = datasets[kind]
    return X, groups if groups_wanted(est) else None


def kw(est: Any, X: np.ndarray, groups: np.ndarray | None) -> dict[str, Any]:
    """``groups=`` of the first ``len(X)`` windows for an estimator that takes groups."""
    if not groups_wanted(est):
        return {}
    return {"groups": groups[: len(X)]}


def fitted_attributes(est: Any) -> list[str]:
    return [a for a in vars(est) if a.endswith("_") and not a.startswith("_")]


# --------------------------------------------------------------------------- unfitted checks


@pytest.mark.parametrize("entry", entries())
def test_clone_and_params_round_trip(entry):
    est = entry.build(0)
    assert fitted_attributes(est) == []  # __init__ stores the arguments only
    params = est.get_params()
    for name, value in est.get_params(deep=False).items():
        assert getattr(est, name) is value
    if "n_clusters" in params:
        assert params["n_clusters"] == K
    assert params["random_state"] == 0
    c = clone(est)
    assert type(c) is type(est) and c is not est
    assert c.get_params() == params
    assert c.set_params(**params) is c and c.get_params() == params
    c.set_params(random_state=1)
    assert c.random_state == 1 and est.random_state == 0
    with pytest.raises(ValueError, match="Invalid parameter"):
        c.set_params(no_such_parameter=1)


NOT_FITTED_CALLS: dict[str, Callable[[Any, np.ndarray, dict, Any], Any]] = {
    "predict": lambda est, X, g, path: est.predict(X, **g),
    "predict_proba": lambda est, X, g, path: est.predict_proba(X, **g),
    "transform": lambda est, X, g, path: est.transform(X, **g),
    "inverse_transform": lambda est, X, g, path: est.inverse_transform(np.zeros((2, 3), "f4")),
    "score": lambda est, X, g, path: est.score(X),
    "reconstruction_error": lambda est, X, g, path: est.reconstruction_error(X),
    "save": lambda est, X, g, path: est.save(path),
}


NOT_FITTED = [
    pytest.param(e.values[0], method, id=f"{e.id}-{method}")
    for e in entries()
    for method in NOT_FITTED_CALLS
    if hasattr(PROTO[e.id], method)
]


@pytest.mark.parametrize("entry", entries())
def test_predicts_or_transforms(entry):
    est = PROTO[entry.id]
    assert hasattr(est, "fit") and (hasattr(est, "predict") or hasattr(est, "transform"))


@pytest.mark.parametrize("entry, method", NOT_FITTED)
def test_not_fitted(entry, method, datasets, tmp_path):
    est = entry.build(0)
    X, groups = data_for(est, datasets)
    path = tmp_path / "never.h5"
    with pytest.raises(NotFittedError):
        NOT_FITTED_CALLS[method](est, X, kw(est, X, groups), path)
    assert not path.exists()


def _bad_fit_cases(est: Any) -> list[str]:
    cases = ["nan", "inf", "one_dimension", "too_many_dimensions", "empty"]
    if "n_clusters" in est.get_params():
        cases += ["one_cluster", "more_clusters_than_samples"]
    return cases


BAD_FIT = [
    pytest.param(e.values[0], case, id=f"{e.id}-{case}")
    for e in entries()
    for case in _bad_fit_cases(PROTO[e.id])
]


@pytest.mark.parametrize("entry, case", BAD_FIT)
def test_bad_input_at_fit(entry, case, datasets):
    est = entry.build(0)
    X, groups = data_for(est, datasets)
    X = X.copy()
    vectors = X.ndim == 2
    pos = (1, 2) if vectors else (1, 2, 0)
    if case == "nan":
        X[pos] = np.nan
        match = r"NaN[\s\S]*" + re.escape(str(pos))  # names NaN and where
    elif case == "inf":
        X[pos] = np.inf
        match = r"NaN or inf[\s\S]*" + re.escape(str(pos))
    elif case == "one_dimension":
        X = X[0] if vectors else X[0, 0]
        match = "1 dimension"
    elif case == "too_many_dimensions":
        X = X[None]
        match = f"{X.ndim} dimension"
    elif case == "empty":
        X = X[:0]
        match = "0 sample"
    elif case == "one_cluster":
        est.set_params(n_clusters=1)
        match = "n_clusters"
    else:
        est.set_params(n_clusters=len(X) + 1)
        match = "larger than the number of samples"
    with pytest.raises(ValueError, match=match):
        est.fit(X, **kw(est, X, groups))


REGISTRY_PARAMS = {"head": sorted(HEADS), "architecture": sorted([*ARCHITECTURES, AUTO]),
                   "pretext": sorted(PRETEXTS)}


@pytest.mark.parametrize("entry", entries(is_deep))
def test_validate_params_rejects_unknown_names(entry, datasets):
    est = entry.build(0)
    assert est._validate_params() is None  # the entry itself is valid
    X, groups = data_for(est, datasets)
    checked = [p for p in REGISTRY_PARAMS if p in est.get_params()]
    assert checked, "a deep estimator takes a head or an architecture"
    for param in checked:
        bad = clone(est).set_params(**{param: "nope"})
        with pytest.raises(ValueError, match=f"unknown {param} 'nope'") as info:
            bad._validate_params()
        msg = str(info.value)
        assert "valid names" in msg
        missing = [name for name in REGISTRY_PARAMS[param] if repr(name) not in msg]
        assert not missing, f"{msg!r} does not list {missing}"
        with pytest.raises(ValueError, match=re.escape(msg)):  # fit validates the same way
            bad.fit(X, **kw(bad, X, groups))


@pytest.mark.parametrize("cls", DEEP_CLASSES, ids=lambda c: c.__name__)
def test_parameter_constraints_match_the_constructor(cls):
    declared = set(cls._parameter_constraints)
    params = set(cls._get_param_names())
    assert declared - params == set(), "constraints of parameters the constructor lacks"
    assert params - declared == set(), "constructor parameters without constraints"


@pytest.mark.parametrize("name", available_methods())
def test_every_method_name_builds_an_unfitted_estimator(name, datasets):
    est = make_method(name, K, 0, method_params(name))
    assert all(hasattr(est, m) for m in ("fit", "predict", "fit_predict"))
    params = est.get_params()
    assert params["n_clusters"] == K and params["random_state"] == 0
    assert clone(est).get_params() == params
    assert fitted_attributes(est) == []
    X, groups = data_for(est, datasets)
    with pytest.raises(NotFittedError):
        est.predict(X, **kw(est, X, groups))


# --------------------------------------------------------------------------- fitted checks


def check_predict_time_input(est: Any, method: str, X: np.ndarray, groups: Any) -> None:
    """Wrong channel count / length / feature count and NaN raise clear ValueErrors."""
    call = getattr(est, method)
    g = kw(est, X, groups)
    if X.ndim == 2:  # vectors
        with pytest.raises(ValueError, match="feature"):
            call(X[:, :-1], **g)
        bad, pos = X.copy(), (1, 2)
    else:
        with pytest.raises(ValueError, match=f"{C - 1} channel"):
            call(X[:, :, :-1], **g)
        with pytest.raises(ValueError, match="time points but the estimator was fitted on"):
            call(X[:, :-1], **g)
        bad, pos = X.copy(), (1, 2, 0)
    bad[pos] = np.nan
    with pytest.raises(ValueError, match=r"NaN[\s\S]*" + re.escape(str(pos))):
        call(bad, **g)


@pytest.fixture(scope="module")
def seeded_fits(datasets) -> Callable[[Entry], tuple[Any, np.ndarray, Any]]:
    """``fits(entry) -> (first, labels, second)``: ``first.fit_predict`` (or ``fit``: labels
    None), ``second.fit``, both with ``random_state=0``; read only.

    Cached per worker, so that the checks below fit each entry twice in all.
    """
    cache: dict[str, tuple[Any, np.ndarray, Any]] = {}

    def fits(entry: Entry) -> tuple[Any, np.ndarray, Any]:
        if entry.id not in cache:
            X, groups = data_for(PROTO[entry.id], datasets)
            first, second = entry.build(0), entry.build(0)
            if is_clusterer(first):
                labels = first.fit_predict(X, **kw(first, X, groups))
            else:
                labels = None
                assert first.fit(X) is first
            assert second.fit(X, **kw(second, X, groups)) is second
            cache[entry.id] = first, labels, second
        return cache[entry.id]

    return fits


class FitPredictMismatch(AssertionError):
    """``fit_predict(X)`` and ``fit(X).predict(X)`` are not the same partition."""


@pytest.mark.parametrize("entry", entries(is_clusterer))
def test_clusterer_when_fitted(entry, datasets, seeded_fits):
    """Seeded reproducibility, predict-time input, fit_predict == fit().predict (ARI 1).

    One test per entry, so that a tslearn baseline is compiled by one worker only.
    """
    X, groups = data_for(PROTO[entry.id], datasets)
    g = kw(PROTO[entry.id], X, groups)
    first, labels, second = seeded_fits(entry)
    assert labels.shape == (len(X),) and labels.dtype == np.int64
    assert labels.min() >= 0 and labels.max() < K
    np.testing.assert_array_equal(first.labels_, labels)
    np.testing.assert_array_equal(second.labels_, labels)  # same int seed: same labels
    pred = second.predict(X, **g)
    assert pred.shape == (len(X),) and pred.dtype == np.int64
    if hasattr(first, "cluster_centers_"):
        assert len(first.cluster_centers_) == K
        np.testing.assert_array_equal(second.cluster_centers_, first.cluster_centers_)
    if hasattr(first, "transform"):
        Z = first.transform(X, **g)
        assert Z.ndim == 2 and len(Z) == len(X) and Z.dtype == np.float32
        np.testing.assert_array_equal(second.transform(X, **g), Z)
    if hasattr(first, "predict_proba"):
        proba = second.predict_proba(X, **g)
        assert proba.shape == (len(X), K)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
        np.testing.assert_array_equal(proba.argmax(axis=1), pred)
    fresh = clone(second)  # a clone of a fitted estimator is unfitted, with the same params
    assert fitted_attributes(fresh) == [] and fresh.get_params() == second.get_params()
    for method in ("predict", "transform"):
        if hasattr(second, method):
            check_predict_time_input(second, method, X, groups)
    ari = adjusted_rand_score(labels, pred)
    if ari != pytest.approx(1.0):
        raise FitPredictMismatch(f"fit_predict(X) vs fit(X).predict(X): ARI {ari}, not 1")


@pytest.mark.parametrize("entry", entries(lambda est: not is_clusterer(est)))
def test_transformer_seeded_fit_and_transform_time_input(entry, datasets, seeded_fits):
    X, groups = data_for(PROTO[entry.id], datasets)
    first, _, second = seeded_fits(entry)
    Z = first.transform(X)
    assert Z.shape == (len(X), first.latent_dim) and Z.dtype == np.float32
    np.testing.assert_array_equal(second.transform(X), Z)  # same int seed: same latents
    assert len(first.inverse_transform(Z)) == len(X)
    fresh = clone(first)
    assert fitted_attributes(fresh) == [] and fresh.get_params() == first.get_params()
    check_predict_time_input(first, "transform", X, groups)


@pytest.mark.parametrize("entry", entries(lambda est: hasattr(est, "transform")))
def test_fit_transform_equals_fit_then_transform(entry, datasets, seeded_fits):
    X, groups = data_for(PROTO[entry.id], datasets)
    est = entry.build(0)
    g = kw(est, X, groups)
    Z = est.fit_transform(X, **g)
    np.testing.assert_array_equal(Z, seeded_fits(entry)[2].transform(X, **g))


def _outputs(est: Any, X: np.ndarray, g: dict) -> dict[str, np.ndarray]:
    out = {}
    for method in ("predict", "predict_proba", "transform"):
        if hasattr(est, method):
            out[method] = getattr(est, method)(X, **g)
    if hasattr(est, "inverse_transform"):
        out["inverse_transform"] = est.inverse_transform(out["transform"])
    for attr in ("labels_", "cluster_centers_"):
        if hasattr(est, attr):
            out[attr] = getattr(est, attr)
    return out


SAVABLE = [c for c in DEEP_CLASSES if hasattr(c, "save") and hasattr(c, "load")]


@pytest.mark.parametrize("entry", entries(lambda est: hasattr(est, "save")))
def test_save_load_round_trip(entry, datasets, seeded_fits, tmp_path):
    X, groups = data_for(PROTO[entry.id], datasets)
    est = seeded_fits(entry)[2]
    g = kw(est, X, groups)
    path = tmp_path / "model.h5"
    est.save(path)
    with pytest.raises(FileExistsError):
        est.save(path)
    est.save(path, overwrite=True)
    back = type(est).load(path)
    assert type(back) is type(est)
    before, after = _outputs(est, X, g), _outputs(back, X, g)
    assert set(after) == set(before)
    for name, value in before.items():
        np.testing.assert_array_equal(after[name], value, err_msg=name)
    for other in SAVABLE:
        if other is not type(est):
            with pytest.raises(ValueError, match=f"not a {other.__name__}"):
                other.load(path)


@pytest.mark.parametrize("entry", entries(lambda est: hasattr(est, "save")))
def test_load_restores_params(entry, seeded_fits, tmp_path):
    est = seeded_fits(entry)[2]
    est.save(tmp_path / "model.h5")
    assert type(est).load(tmp_path / "model.h5").get_params() == est.get_params()
