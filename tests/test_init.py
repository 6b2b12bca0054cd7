"""The top-level namespace: every exported name resolves, nothing else does."""

import pytest

import tsclust


def test_every_public_name_resolves():
    for name in tsclust.__all__:
        assert getattr(tsclust, name) is not None, name
    assert "DeepClusterer" in dir(tsclust)


def test_unknown_name_raises():
    with pytest.raises(AttributeError, match="no attribute"):
        tsclust.NotAThing  # noqa: B018
