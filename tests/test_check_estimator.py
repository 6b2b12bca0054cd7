"""scikit-learn's ``check_estimator`` checks on :class:`~tsclust.clustering.DeepClusterer`.

Every check of the installed scikit-learn runs as its own test. The checks that cannot pass
by design are listed in :data:`EXPECTED_FAILURES` with their reason and run as strict
xfails: such a check that starts passing fails here, so that the list stays true. Input
validation (complex data, object dtype, sparse input, NaN/inf) is expected to pass.
"""

from __future__ import annotations

from typing import Any

from sklearn.utils.estimator_checks import parametrize_with_checks

from tsclust.clustering import DeepClusterer

_K_IS_AT_LEAST_2 = (
    "the check sets n_clusters=1, which DeepClusterer refuses: a clustering needs at least "
    "two clusters (n_clusters >= 2)"
)
_2D_IS_UNIVARIATE = (
    "2-D input (n, T) is n univariate series of T time points, so n_features_in_ is the "
    "number of channels (1), not X.shape[1]; windows are (n, T, C)"
)

EXPECTED_FAILURES: dict[str, str] = {
    "check_dont_overwrite_parameters": _K_IS_AT_LEAST_2,
    "check_methods_subset_invariance": _K_IS_AT_LEAST_2,
    "check_fit2d_1sample": _K_IS_AT_LEAST_2,
    "check_fit2d_1feature": _K_IS_AT_LEAST_2,
    "check_fit2d_predict1d": _K_IS_AT_LEAST_2,
    "check_n_features_in": _2D_IS_UNIVARIATE,
    "check_n_features_in_after_fitting": _2D_IS_UNIVARIATE,
    "check_estimators_empty_data_messages": (
        "X of shape (n, 0) is n series of 0 time points: the error says 'time point(s)', "
        "not scikit-learn's '0 feature(s)'"
    ),
}
"""Check name -> why DeepClusterer fails it by design (k >= 2 and the (n, T, C) layout)."""


def _expected_failures(estimator: Any) -> dict[str, str]:
    return EXPECTED_FAILURES


def _small() -> DeepClusterer:
    """A DeepClusterer that fits scikit-learn's small test arrays in milliseconds."""
    return DeepClusterer(
        n_clusters=2, architecture="mlp", head="kmeans", latent_dim=2, pretrain_epochs=1,
        finetune_epochs=1, batch_size=32, n_init=1, module_kwargs={"hidden": (8,)},
        device="cpu", random_state=0,
    )


@parametrize_with_checks([_small()], expected_failed_checks=_expected_failures,
                         xfail_strict=True)
def test_sklearn_check(estimator, check):
    check(estimator)
