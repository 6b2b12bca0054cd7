"""The command-line options that set estimator parameters, declared once.

``tsclust fit``, ``tsclust fit --by-recording`` and the per-rank entry point
``python -m tsclust.cli.torchrun fit`` (:mod:`tsclust.cli.torchrun`) all add these
options with :func:`add_estimator_options` and turn them into keyword arguments with
:func:`estimator_params`; ``tsclust fit --nproc N`` forwards them to the ranks with
:func:`estimator_argv`. To expose one more DeepClusterer parameter, add one
:class:`EstimatorOption` to :data:`ESTIMATOR_OPTIONS`.

Imports no torch: valid names are checked by the estimators, whose errors list them.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ._common import json_object, number

__all__ = [
    "EstimatorOption",
    "ESTIMATOR_OPTIONS",
    "add_estimator_options",
    "estimator_params",
    "estimator_argv",
    "unsupported_options",
]


@dataclass(frozen=True)
class EstimatorOption:
    """One command-line option that sets one estimator parameter.

    Parameters
    ----------
    flag : str
        The long option, e.g. ``"--latent-dim"``.
    param : str
        The estimator parameter it sets, e.g. ``"latent_dim"``.
    type : callable, default=str
        Converts the command-line string.
    default : object, default=None
        None leaves the parameter at the estimator's default.
    help : str, default=""
        The ``--help`` text.
    """

    flag: str
    param: str
    type: Callable[[str], Any] = str
    default: Any = None
    help: str = ""

    @property
    def dest(self) -> str:
        """The attribute of the parsed namespace (``--latent-dim`` -> ``latent_dim``)."""
        return self.flag.lstrip("-").replace("-", "_")


ESTIMATOR_OPTIONS: tuple[EstimatorOption, ...] = (
    EstimatorOption(
        "--architecture", "architecture",
        help="autoencoder (default: DeepClusterer's, auto: cov for several channels, rocket "
        "for one); the names are the keys of tsclust.models.ARCHITECTURES",
    ),
    EstimatorOption(
        "--module-kwargs", "module_kwargs", json_object,
        help='arguments of the autoencoder module as a JSON object, e.g. \'{"stride": 4}\' '
        "for gru/lstm or '{\"filters\": [64, 64, 64]}' for conv",
    ),
    EstimatorOption(
        "--head", "head",
        help="clustering head (default: the estimator's, auto: dec under cov, umap otherwise); "
        "the names are the keys of "
        "tsclust.clustering.HEADS",
    ),
    EstimatorOption(
        "--pretext", "pretext",
        help="pre-training term: none (default), neighbours (the neighbour graph of "
        "random-kernel features, or cov statistics for several channels), contrastive or "
        "triplet (augmented views); the names are the keys of tsclust.training.PRETEXTS",
    ),
    EstimatorOption("--latent-dim", "latent_dim", number(int, low=1), help="latent dimension"),
    EstimatorOption(
        "--epochs", "pretrain_epochs", number(int, low=0),
        help="pre-training epochs (default: estimator's)",
    ),
    EstimatorOption(
        "--finetune-epochs", "finetune_epochs", number(int, low=0), help="fine-tuning epochs"
    ),
    EstimatorOption(
        "--batch-size", "batch_size", number(int, low=1),
        help="batch size (the global one with several processes; default: estimator's)",
    ),
    EstimatorOption("--seed", "random_state", int, 0, help="random seed (default 0)"),
    EstimatorOption("--device", "device", str, "auto", help="auto, cpu or cuda (default auto)"),
)
"""The estimator options of ``tsclust fit`` and ``python -m tsclust.cli.torchrun fit``."""


def add_estimator_options(
    parser: argparse.ArgumentParser, options: Sequence[EstimatorOption] = ESTIMATOR_OPTIONS
) -> None:
    """Add ``options`` to ``parser`` (no ``choices``: the estimator checks the names).

    Parameters
    ----------
    parser : argparse.ArgumentParser
    options : sequence of EstimatorOption, default=ESTIMATOR_OPTIONS
    """
    for opt in options:
        parser.add_argument(opt.flag, type=opt.type, default=opt.default, help=opt.help)


def _given(
    args: argparse.Namespace, options: Sequence[EstimatorOption]
) -> Iterable[tuple[EstimatorOption, Any]]:
    """The options of ``options`` with a value (not None) in ``args``."""
    for opt in options:
        value = getattr(args, opt.dest)
        if value is not None:
            yield opt, value


def estimator_params(
    args: argparse.Namespace, options: Sequence[EstimatorOption] = ESTIMATOR_OPTIONS
) -> dict[str, Any]:
    """Estimator keyword arguments from the parsed options; unset ones are left out.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed by a parser that :func:`add_estimator_options` built.
    options : sequence of EstimatorOption, default=ESTIMATOR_OPTIONS

    Returns
    -------
    params : dict
        ``{param: value}``, e.g. ``{"pretrain_epochs": 2, "random_state": 0, ...}``.
    """
    return {opt.param: value for opt, value in _given(args, options)}


def estimator_argv(
    args: argparse.Namespace, options: Sequence[EstimatorOption] = ESTIMATOR_OPTIONS
) -> list[str]:
    """The command-line tokens that give another parser the same estimator options.

    Parameters
    ----------
    args : argparse.Namespace
    options : sequence of EstimatorOption, default=ESTIMATOR_OPTIONS

    Returns
    -------
    argv : list of str
        E.g. ``["--epochs", "2", "--seed", "0", "--device", "auto"]``.
    """
    return [token for opt, value in _given(args, options) for token in (opt.flag, str(value))]


def unsupported_options(
    args: argparse.Namespace,
    accepted: Collection[str],
    options: Sequence[EstimatorOption] = ESTIMATOR_OPTIONS,
) -> list[str]:
    """The flags given a value in ``args`` whose parameter is not in ``accepted``.

    Parameters
    ----------
    args : argparse.Namespace
    accepted : collection of str
        The parameter names of the estimator to build (``get_params()``).
    options : sequence of EstimatorOption, default=ESTIMATOR_OPTIONS

    Returns
    -------
    flags : list of str
        E.g. ``["--architecture"]``, in declaration order.
    """
    return [opt.flag for opt, _ in _given(args, options) if opt.param not in accepted]
