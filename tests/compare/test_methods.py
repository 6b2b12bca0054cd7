"""Method names: the METHODS registry of families, check_methods, make_method."""

from __future__ import annotations

import pytest

from tsclust.baselines import BASELINES, FlatKMeans
from tsclust.compare import (
    METHODS,
    MethodFamily,
    available_methods,
    check_methods,
    compare,
    make_method,
)
from tsclust.compare.methods import family_of


def test_unknown_method_lists_valid_names_before_any_run(data, spies):
    X, y, _ = data
    with pytest.raises(ValueError) as info:
        compare(X, y, n_clusters=2, methods=["spy", "dtw"], progress=False)
    msg = str(info.value)
    assert "'dtw'" in msg
    for name in ("dtw-kmeans", "kshape", "stats-kmeans", "conv", "gru", "idec", "compact"):
        assert name in msg
    assert spies == []  # nothing ran
    for bad in (["conv+nope"], ["transformer+dec"], ["conv"], [], ["kmeans", "kmeans"], [3]):
        with pytest.raises(ValueError):
            check_methods(bad)


def test_available_methods():
    names = available_methods()
    assert names[: len(BASELINES)] == list(BASELINES)
    assert {"conv+dec", "gru+idec", "mlp+kmeans", "lstm+compact"} <= set(names)
    assert check_methods("conv+dec") == ["conv+dec"]


def test_make_method_builds_baselines_and_deep_estimators():
    est = make_method("dtw-kmeans", 4, 7, {"sakoe_chiba_radius": 3})
    assert (est.n_clusters, est.random_state, est.sakoe_chiba_radius) == (4, 7, 3)
    clustering = pytest.importorskip("tsclust.clustering")
    if not hasattr(clustering, "DeepClusterer"):
        pytest.skip("DeepClusterer not written yet")
    deep = make_method("gru+idec", 5, 2, {"latent_dim": 4})
    params = deep.get_params()
    assert (params["n_clusters"], params["architecture"], params["head"]) == (5, "gru", "idec")
    assert (params["random_state"], params["latent_dim"]) == (2, 4)


# ------------------------------------------------------------------ the registry


def test_every_family_is_listed_from_the_live_registries():
    from tsclust.clustering import HEADS
    from tsclust.models import ARCHITECTURES

    assert list(METHODS) == ["baseline", "deep", "recording", "default"]
    expected = (
        list(BASELINES)
        + [f"{a}+{h}" for a in ARCHITECTURES for h in HEADS]
        + [f"rec+{h}" for h in HEADS]
        + ["default"]
    )
    assert available_methods() == expected
    assert len(set(expected)) == len(expected)  # no name is owned by two families
    for key, family in METHODS.items():
        assert isinstance(family, MethodFamily)
        for name in family.names():
            assert family_of(name) is family, (key, name)


def test_registries_are_read_when_asked(monkeypatch):
    from tsclust.clustering import HEADS
    from tsclust.models import ARCHITECTURES

    monkeypatch.setitem(BASELINES, "flat2", FlatKMeans)
    monkeypatch.setitem(ARCHITECTURES, "conv2", ARCHITECTURES["conv"])
    monkeypatch.setitem(HEADS, "kmeans2", HEADS["kmeans"])
    assert {"flat2", "conv2+kmeans2", "rec+kmeans2"} <= set(available_methods())
    assert check_methods(["flat2", "conv2+dec", "rec+kmeans2"]) == ["flat2", "conv2+dec", "rec+kmeans2"]


def test_unknown_family_lists_every_family():
    for bad in ("transformer+dec", "rec+nope", "rec", "+dec", "kmeans+"):
        with pytest.raises(ValueError, match="unknown method") as info:
            make_method(bad, 2, 0)
        msg = str(info.value)
        for family in METHODS.values():
            assert family.describe() in msg
    with pytest.raises(ValueError, match="unknown method"):
        family_of(None)
    with pytest.raises(ValueError, match="unknown method"):  # a family refuses foreign names
        METHODS["deep"].build("kmeans", 2, 0, {})


def test_make_method_builds_recording_clusterers():
    est = make_method("rec+dec", 3, 1, {"pretrain_epochs": 5})
    assert type(est).__name__ == "RecordingClusterer"
    assert (est.n_clusters, est.head, est.random_state, est.pretrain_epochs) == (3, "dec", 1, 5)
    assert est.accepts_groups is True


def test_default_is_the_default_deep_clusterer():
    from tsclust.clustering import DeepClusterer

    est = make_method("default", 4, 3, {"pretrain_epochs": 2})
    expected = DeepClusterer(n_clusters=4, random_state=3, pretrain_epochs=2).get_params()
    assert type(est) is DeepClusterer and est.get_params() == expected
    assert METHODS["default"].seeded and not METHODS["baseline"].seeded
    assert family_of("default") is METHODS["default"]
    assert METHODS["default"].parse("conv+dec") is None


class ToyFamily(MethodFamily):
    """``toy-K``: a FlatKMeans with ``n_init=K``."""

    def names(self):
        return ["toy-1", "toy-2"]

    def build(self, name, n_clusters, seed, params):
        if not self.owns(name):
            raise ValueError(f"not a toy: {name!r}")
        return FlatKMeans(n_clusters=n_clusters, random_state=seed, n_init=int(name[-1]), **params)

    def describe(self):
        return "toy-1 or toy-2"


def test_a_registered_family_is_picked_up(monkeypatch, data):
    monkeypatch.setitem(METHODS, "toy", ToyFamily())
    assert available_methods()[-2:] == ["toy-1", "toy-2"]
    assert check_methods(["toy-2", "kmeans"]) == ["toy-2", "kmeans"]
    est = make_method("toy-2", 3, 5, {"max_iter": 7})
    assert (type(est), est.n_clusters, est.random_state, est.n_init, est.max_iter) == (
        FlatKMeans, 3, 5, 2, 7,
    )  # fmt: skip
    with pytest.raises(ValueError, match="toy-1 or toy-2"):
        check_methods(["toy-3"])
    X, y, _ = data
    (row,) = compare(X, y, n_clusters=2, methods=["toy-1"], seeds=[0], progress=False)
    assert row["method"] == "toy-1" and row["error"] is None and row["ari"] == 1.0
