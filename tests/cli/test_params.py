"""The one mapping from command-line options to estimator parameters."""

from __future__ import annotations

import inspect

from tsclust.cli import build_parser
from tsclust.cli._params import (
    ESTIMATOR_OPTIONS,
    estimator_argv,
    estimator_params,
    unsupported_options,
)

FIT = ["fit", "s.h5", "-k", "3", "-o", "m.h5"]


def test_fit_options_map_to_deep_clusterer_parameters():
    from tsclust.clustering import DeepClusterer

    accepted = inspect.signature(DeepClusterer).parameters
    assert all(opt.param in accepted for opt in ESTIMATOR_OPTIONS)
    args = build_parser().parse_args([*FIT, "--epochs", "2", "--head", "idec", "--batch-size", "8"])
    assert estimator_params(args) == {
        "pretrain_epochs": 2, "head": "idec", "batch_size": 8, "random_state": 0, "device": "auto",
    }


def test_torchrun_entry_point_parses_what_fit_forwards():
    from tsclust.cli.torchrun import _parser

    args = build_parser().parse_args(
        [*FIT, "--architecture", "mlp", "--latent-dim", "4", "--finetune-epochs", "1",
         "--seed", "7", "--device", "cpu", "--module-kwargs", '{"hidden": [8, 4]}']
    )
    argv = estimator_argv(args)
    assert argv[:2] == ["--architecture", "mlp"] and "--epochs" not in argv
    ranks = _parser().parse_args([*FIT, *argv, "--backend", "gloo"])
    assert estimator_params(ranks) == estimator_params(args)
    assert estimator_params(ranks)["random_state"] == 7 and ranks.n_clusters == 3
    assert estimator_params(ranks)["module_kwargs"] == {"hidden": [8, 4]}  # forwarded as JSON


def test_unsupported_options_of_recording_clusterer():
    from tsclust.clustering import RecordingClusterer

    args = build_parser().parse_args([*FIT, "--architecture", "conv", "--head", "dec",
                                      "--pretext", "triplet"])
    accepted = RecordingClusterer().get_params()
    assert unsupported_options(args, accepted) == ["--architecture", "--pretext"]
