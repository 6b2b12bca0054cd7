"""Method names of :func:`tsclust.compare.compare`: one registered family per kind of estimator.

A :class:`MethodFamily` lists its names, recognises them and builds the unfitted estimator of
one. :data:`METHODS` holds one family per entry, in the order :func:`available_methods` lists
them:

- ``"baseline"``: the keys of :data:`tsclust.baselines.BASELINES` (``"dtw-kmeans"``,
  ``"kmeans"``, ...);
- ``"deep"``: ``"ARCH+HEAD"`` (``"conv+dec"``, ``"gru+idec"``), ARCH from
  :data:`tsclust.models.ARCHITECTURES` and HEAD from :data:`tsclust.clustering.HEADS`, built as
  ``DeepClusterer(n_clusters=k, architecture=ARCH, head=HEAD, random_state=seed, **params)``;
- ``"recording"``: ``"rec+HEAD"`` (``"rec+dec"``), built as ``RecordingClusterer(n_clusters=k,
  head=HEAD, random_state=seed, **params)``; it declares ``accepts_groups = True``, so the runs
  give it each window's recording;
- ``"default"``: the one name ``"default"``, ``DeepClusterer(n_clusters=k, random_state=seed,
  **params)`` with its default architecture and head (what a user gets without choosing).

A family's ``seeded`` says whether its runs differ by seed enough to be repeated over several
seeds (the deep families) or not (the baselines): :mod:`tsclust.bench` runs the others once.

The deep registries import torch, so they are read inside the functions, never at import.
Adding a family is one subclass and one line in :data:`METHODS`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from typing import Any

from ..baselines import BASELINES, make_baseline

__all__ = [
    "METHODS",
    "MethodFamily",
    "BaselineFamily",
    "HeadFamily",
    "DeepFamily",
    "DefaultFamily",
    "RecordingFamily",
    "available_methods",
    "check_methods",
    "family_of",
    "make_method",
    "warm_imports",
]


class MethodFamily(ABC):
    """A kind of compare method: the names it answers to and how one is built.

    Subclasses define :meth:`names`, :meth:`build` and :meth:`describe`; they may override
    :meth:`owns` (a cheaper test than listing every name) and :meth:`warm`.

    Attributes
    ----------
    seeded : bool
        Whether runs of the family's methods differ by seed (stochastic training), so that a
        benchmark repeats them over several seeds; False for the baselines, run once.
    """

    seeded: bool = True

    @abstractmethod
    def names(self) -> list[str]:
        """Every valid name of the family, from the live registries.

        Returns
        -------
        names : list of str
        """

    def owns(self, name: str) -> bool:
        """Whether ``name`` is a method of this family.

        Parameters
        ----------
        name : str

        Returns
        -------
        bool
        """
        return name in self.names()

    @abstractmethod
    def build(self, name: str, n_clusters: int, seed: Any, params: Mapping[str, Any]) -> Any:
        """The unfitted estimator of ``name``, as :func:`make_method` describes it.

        ``params`` is a mapping (never None here). Raises ValueError when ``name`` is not a
        method of this family.
        """

    @abstractmethod
    def describe(self) -> str:
        """The family's valid names as a phrase, for error messages."""

    def warm(self) -> None:
        """Import what the family's runs need, so the first timed run does not pay for it.

        The default imports nothing.
        """
        return None


class BaselineFamily(MethodFamily):
    """The baselines of :data:`tsclust.baselines.BASELINES`, by their registry names."""

    seeded = False

    def names(self) -> list[str]:
        return list(BASELINES)

    def build(self, name: str, n_clusters: int, seed: Any, params: Mapping[str, Any]) -> Any:
        return make_baseline(name, n_clusters, random_state=seed, **params)

    def describe(self) -> str:
        return f"the baselines {', '.join(BASELINES)}"

    def warm(self) -> None:
        try:
            import tslearn.clustering  # noqa: F401
        except ImportError:  # reported by the runs themselves
            pass


class HeadFamily(MethodFamily):
    """Names ``PREFIX+HEAD``: a prefix of the family and a head of :data:`tsclust.clustering.HEADS`.

    Subclasses give the prefixes (:meth:`prefixes`), how one pair is built (:meth:`make`), and
    ``placeholder`` (how messages name the prefix) and ``note`` (an example, a remark).
    """

    placeholder = "PREFIX"
    note = ""

    @abstractmethod
    def prefixes(self) -> list[str]:
        """The valid prefixes (the part before ``+``)."""

    @abstractmethod
    def make(self, prefix: str, head: str, n_clusters: int, seed: Any, params: Mapping[str, Any]) -> Any:
        """The unfitted estimator of ``prefix+head`` (both valid)."""

    @staticmethod
    def heads() -> list[str]:
        """The head names of :data:`tsclust.clustering.HEADS` (imports torch)."""
        from ..clustering import HEADS

        return list(HEADS)

    def parse(self, name: str) -> tuple[str, str] | None:
        """Split ``name`` into ``(prefix, head)``; None when it is not a name of the family."""
        prefix, sep, head = name.partition("+")
        if sep and prefix in self.prefixes() and head in self.heads():
            return prefix, head
        return None

    def names(self) -> list[str]:
        return [f"{prefix}+{head}" for prefix in self.prefixes() for head in self.heads()]

    def owns(self, name: str) -> bool:
        return self.parse(name) is not None

    def build(self, name: str, n_clusters: int, seed: Any, params: Mapping[str, Any]) -> Any:
        parsed = self.parse(name)
        if parsed is None:
            raise ValueError(_unknown_method_message(name))
        return self.make(*parsed, n_clusters, seed, params)

    def describe(self) -> str:
        prefixes, heads = self.prefixes(), "{" + ", ".join(self.heads()) + "}"
        if len(prefixes) == 1:
            text = f"{prefixes[0]}+HEAD with HEAD in {heads}"
        else:
            p = self.placeholder
            text = f"{p}+HEAD with {p} in {{{', '.join(prefixes)}}} and HEAD in {heads}"
        return f"{text} ({self.note})" if self.note else text

    def warm(self) -> None:
        try:
            from .. import clustering  # noqa: F401
        except ImportError:  # reported by the runs themselves
            pass


class DeepFamily(HeadFamily):
    """``ARCH+HEAD``: a :class:`tsclust.clustering.DeepClusterer` with that architecture and head."""

    placeholder = "ARCH"
    note = "e.g. conv+dec"

    def prefixes(self) -> list[str]:
        from ..models import ARCHITECTURES

        return list(ARCHITECTURES)

    def make(self, prefix: str, head: str, n_clusters: int, seed: Any, params: Mapping[str, Any]) -> Any:
        from ..clustering import DeepClusterer

        return DeepClusterer(
            n_clusters=n_clusters, architecture=prefix, head=head, random_state=seed, **params
        )


class DefaultFamily(DeepFamily):
    """``"default"``: :class:`tsclust.clustering.DeepClusterer` with only ``n_clusters`` chosen.

    A :class:`DeepFamily` whose one name stands for the architecture and head that
    ``DeepClusterer`` defaults to (read from its signature, so it follows the estimator).
    """

    name = "default"
    note = ""

    def names(self) -> list[str]:
        return [self.name]

    def parse(self, name: str) -> tuple[str, str] | None:
        """``(architecture, head)`` of ``DeepClusterer``'s defaults for ``"default"``, else None."""
        if name != self.name:
            return None
        import inspect

        from ..clustering import DeepClusterer

        params = inspect.signature(DeepClusterer).parameters
        return params["architecture"].default, params["head"].default

    def owns(self, name: str) -> bool:
        return name == self.name

    def describe(self) -> str:
        return f"{self.name} (DeepClusterer(n_clusters=k) with its default architecture and head)"


class RecordingFamily(HeadFamily):
    """``rec+HEAD``: a :class:`tsclust.clustering.RecordingClusterer` with that head."""

    note = "RecordingClusterer, aligns recordings; e.g. rec+dec"

    def prefixes(self) -> list[str]:
        return ["rec"]

    def make(self, prefix: str, head: str, n_clusters: int, seed: Any, params: Mapping[str, Any]) -> Any:
        from ..clustering import RecordingClusterer

        return RecordingClusterer(n_clusters=n_clusters, head=head, random_state=seed, **params)


METHODS: dict[str, MethodFamily] = {
    "baseline": BaselineFamily(),
    "deep": DeepFamily(),
    "recording": RecordingFamily(),
    "default": DefaultFamily(),
}
"""Family name -> family, in the order :func:`available_methods` lists their names."""


def available_methods() -> list[str]:
    """All valid method names, family by family: baselines, ``ARCH+HEAD``, ``rec+HEAD``, default.

    Returns
    -------
    names : list of str

    Examples
    --------
    >>> "dtw-kmeans" in available_methods() and "conv+dec" in available_methods()
    True
    """
    return [name for family in METHODS.values() for name in family.names()]


def _valid_names_text() -> str:
    return "valid names: " + "; or ".join(family.describe() for family in METHODS.values())


def _unknown_method_message(name: Any) -> str:
    """``"unknown method NAME; valid names: ..."``, every family described."""
    return f"unknown method {name!r}; {_valid_names_text()}"


def family_of(name: Any) -> MethodFamily:
    """The first family of :data:`METHODS` that owns ``name``.

    Parameters
    ----------
    name : str

    Returns
    -------
    family : MethodFamily

    Raises
    ------
    ValueError
        No family owns ``name`` (the message lists the valid names).
    """
    if isinstance(name, str):
        for family in METHODS.values():
            if family.owns(name):
                return family
    raise ValueError(_unknown_method_message(name))


def check_methods(methods: str | Iterable[str]) -> list[str]:
    """Validate method names before anything runs.

    Parameters
    ----------
    methods : str or iterable of str
        One name or several.

    Returns
    -------
    methods : list of str

    Raises
    ------
    ValueError
        No method, a duplicate, or an unknown name (the message lists the valid ones).
    """
    names = [methods] if isinstance(methods, str) else list(methods)
    if not names:
        raise ValueError(f"methods is empty; {_valid_names_text()}")
    seen: set[str] = set()
    for name in names:
        if not isinstance(name, str):
            raise ValueError(_unknown_method_message(name))
        if name in seen:
            raise ValueError(f"method {name!r} is listed twice")
        seen.add(name)
        family_of(name)
    return names


def make_method(
    name: str, n_clusters: int, seed: Any, params: Mapping[str, Any] | None = None
) -> Any:
    """Build the unfitted estimator of one method.

    Parameters
    ----------
    name : str
        A method name (see :func:`available_methods`).
    n_clusters : int
        Number of clusters.
    seed : int, RandomState or None
        The estimator's ``random_state``.
    params : mapping or None, default=None
        Further constructor arguments.

    Returns
    -------
    estimator : object with ``fit``, ``predict`` and ``fit_predict``

    Raises
    ------
    ValueError
        Unknown name (the message lists the valid ones).
    """
    return family_of(name).build(name, n_clusters, seed, dict(params or {}))


def warm_imports(names: Iterable[str]) -> None:
    """Let each family of ``names`` import what it needs before the timed runs.

    (Numba compilation inside tslearn still lands in the first DTW / soft-DTW / KShape run.)

    Parameters
    ----------
    names : iterable of str
        Valid method names.
    """
    families = {id(family): family for family in map(family_of, names)}
    for family in families.values():
        family.warm()
