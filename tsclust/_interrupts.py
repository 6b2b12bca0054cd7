"""A stop request that a dropped signal cannot lose: commit points check it.

The command line turns SIGTERM into :class:`Terminated`, raised by the signal handler. Python
drops an exception raised inside a ``__del__`` or weakref callback (h5py runs many), so the
handler also records the request here, and every point that would make an output final
(:func:`tsclust.io.atomic_path` before its rename) calls :func:`check` first: a terminated
command never leaves an output, even when the exception itself was lost. Imports nothing.
"""

from __future__ import annotations

__all__ = ["Terminated", "request", "clear", "check", "pending"]

_requested: list[int] = []


class Terminated(KeyboardInterrupt):
    """Raised in the main thread on SIGTERM, so that the cleanup of Ctrl-C runs (exit 143)."""


def request(signum: int) -> None:
    """Record that signal ``signum`` asked the command to stop."""
    _requested.append(int(signum))


def clear() -> None:
    """Forget earlier requests (a new command starts)."""
    _requested.clear()


def pending() -> bool:
    """Whether a stop was requested since the last :func:`clear`."""
    return bool(_requested)


def check() -> None:
    """Raise :class:`Terminated` if a stop was requested.

    Raises
    ------
    Terminated
        A request is pending.
    """
    if _requested:
        raise Terminated(f"signal {_requested[0]}")
