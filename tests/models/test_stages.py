"""Feature stages: the contract, and that one registry line makes a stage an architecture."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tsclust.clustering import DeepClusterer
from tsclust.compare import available_methods
from tsclust.models import ARCHITECTURES, STAGES, FeatureStage, StagedAutoencoder, build_stage


class MeanStdStage(FeatureStage):
    """The example of docs/architecture.md: per-channel mean and std."""

    name = "meanstd"

    def __init__(self, n_channels: int, length: int) -> None:
        super().__init__(n_channels, length)
        self._init_scaling(2 * n_channels)

    def raw(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([x.mean(-1), x.std(-1)], dim=1)


def test_fit_sets_the_standardisation_and_checks_its_input():
    stage = MeanStdStage(2, 8)
    x = torch.randn(30, 2, 8) * 3 + 1
    assert torch.allclose(stage(x), stage.raw(x))  # the identity before fit
    stage.fit(stage.raw(x))
    f = stage(x)
    assert f.shape == (30, 4)
    assert torch.allclose(f.mean(0), torch.zeros(4), atol=1e-5)
    assert torch.allclose(f.std(0, correction=0), torch.ones(4), atol=1e-4)
    with pytest.raises(ValueError, match="statistics of shape"):
        stage.fit(torch.zeros(3, 5))


def test_unknown_stage_lists_the_registered_ones():
    with pytest.raises(ValueError, match="cov"):
        build_stage("nope", 2, 8)


def test_one_registry_line_makes_a_stage_an_architecture_everywhere(monkeypatch, tmp_path):
    monkeypatch.setitem(STAGES, "meanstd", MeanStdStage)
    assert "meanstd" in ARCHITECTURES and "meanstd+kmeans" in available_methods()
    module = ARCHITECTURES["meanstd"](3, 16, 2)
    assert isinstance(module, StagedAutoencoder) and isinstance(module.stage, MeanStdStage)
    rng = np.random.RandomState(0)
    X = np.concatenate([rng.randn(20, 16, 3), rng.randn(20, 16, 3) * 4 + 2]).astype(np.float32)
    est = DeepClusterer(2, architecture="meanstd", head="kmeans", latent_dim=2,
                        pretrain_epochs=2, batch_size=8, random_state=0, device="cpu",
                        module_kwargs={"hidden": (8,)}).fit(X)
    assert est.architecture_ == "meanstd" and isinstance(est.module_.stage, MeanStdStage)
    raw = est.module_.stage.raw(torch.from_numpy(est.scaler_.transform(X).transpose(0, 2, 1)))
    assert torch.allclose(est.module_.stage.feature_mean_, raw.mean(0), atol=1e-5)  # fitted
    path = tmp_path / "m.h5"
    est.save(path)
    back = DeepClusterer.load(path)
    np.testing.assert_array_equal(back.predict(X), est.predict(X))
    monkeypatch.delitem(STAGES, "meanstd")
    assert "meanstd" not in ARCHITECTURES
