"""Launching a data-parallel fit: the ``torchrun`` command line and the per-rank ``fit``.

``tsclust fit STORE -k K -o MODEL --nproc N`` runs :func:`torchrun_command`, which starts
``python -m tsclust.cli.torchrun fit ...`` on every rank; that entry point
(:mod:`tsclust.cli.torchrun`) parses the options and calls :func:`fit`.

No rank outlives an interrupted launch: :func:`launch` runs torchrun in a process group of
its own and, on Ctrl-C or SIGTERM, sends it SIGTERM (torchrun then stops the ranks) and
SIGKILL after a grace period; on Linux torchrun also gets SIGTERM if the launching process is
killed. Each rank calls :func:`watch_parent`, which ends the rank when torchrun is gone, and
rank 0 writes the model only while torchrun is alive.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .collectives import barrier, collective, rank

__all__ = ["fit", "torchrun_command", "child_environment", "launch", "watch_parent", "orphaned",
           "GRACE_SECONDS"]

logger = logging.getLogger(__name__)

GRACE_SECONDS = 10.0
"""How long :func:`launch` waits for interrupted ranks to stop before killing them."""

_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_parent: list[int] = []  # the parent pid that watch_parent watches (empty: not watching)


def orphaned() -> bool:
    """Whether the parent that :func:`watch_parent` watches (torchrun) is gone."""
    return bool(_parent) and os.getppid() != _parent[0]


def watch_parent(interval: float = 0.5) -> None:
    """End this process (status 143) as soon as its parent process is gone.

    A rank started by torchrun calls this first, so that it never outlives torchrun (killed,
    or stopped before it could stop the ranks): a daemon thread checks the parent every
    ``interval`` seconds. See also :func:`orphaned`.

    Parameters
    ----------
    interval : float, default=0.5
        Seconds between two checks.
    """
    if _parent:
        return
    _parent.append(os.getppid())

    def watch() -> None:
        while not orphaned():
            time.sleep(interval)
        logger.warning("rank %d: the launching process is gone; stopping", os.getpid())
        os._exit(128 + signal.SIGTERM)

    threading.Thread(target=watch, name="tsclust-watch-parent", daemon=True).start()


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, between fork and exec
    """Linux: get SIGTERM when the launching process dies (``prctl(PR_SET_PDEATHSIG)``)."""
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before prctl
        os._exit(128 + signal.SIGTERM)


def fit(
    est: Any,
    store: str | os.PathLike,
    out: str | os.PathLike | None,
    *,
    overwrite: bool = False,
) -> Any:
    """Fit ``est`` on ``store`` on every rank of the process group; rank 0 saves the model.

    Must be called by every rank of an initialised process group (or with none, as a
    plain single-process fit). The estimator is built by the caller
    (:mod:`tsclust.cli.torchrun` builds a :class:`~tsclust.clustering.DeepClusterer`), so this
    package imports nothing above it.

    Parameters
    ----------
    est : estimator
        Unfitted, with ``fit(store)`` and ``save(path, overwrite=...)``.
    store : path-like
        Window store.
    out : path-like or None
        Model file written by rank 0 (None: not written).
    overwrite : bool, default=False

    Returns
    -------
    estimator
        ``est``, fitted (identical on every rank).
    """
    if out is not None and rank() == 0 and Path(out).exists() and not overwrite:
        raise FileExistsError(f"{out} exists; pass --overwrite to replace it")
    with collective():
        est.fit(store)
    if out is not None and rank() == 0:
        if orphaned():  # interrupted: the user no longer wants this model
            raise RuntimeError(f"the launching process is gone: {out} is not written")
        est.save(out, overwrite=overwrite)
    barrier()
    return est


def torchrun_command(nproc: int, args: Sequence[str]) -> list[str]:
    """The torchrun command line running ``tsclust.cli.torchrun`` with ``args`` on ``nproc`` ranks.

    Uses ``--standalone`` (a free local rendezvous port). Example result::

        [python, -m, torch.distributed.run, --standalone, --nproc-per-node, 2,
         -m, tsclust.cli.torchrun, fit, STORE, -k, 12, -o, model.h5]
    """
    exe = shutil.which("torchrun")
    head = [exe] if exe and Path(exe).parent == Path(sys.executable).parent else [
        sys.executable, "-m", "torch.distributed.run"]
    return [*head, "--standalone", "--nproc-per-node", str(int(nproc)), "-m",
            "tsclust.cli.torchrun", *[str(a) for a in args]]


def _stop(proc: subprocess.Popen, grace: float) -> None:
    """SIGTERM to the process group of ``proc``, SIGKILL after ``grace`` seconds; wait."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, None)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            logger.warning("torchrun did not stop within %g s; killing it", grace)


def child_environment(nproc: int, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of torchrun and its ranks: ``env`` (default: this process's) with
    ``OMP_NUM_THREADS`` set to ``max(1, cpu_count // nproc)`` when it is not set.

    torchrun sets ``OMP_NUM_THREADS=1`` itself when it is missing, and prints a banner that
    says so; setting it here splits the cores among the ranks and keeps the output quiet.

    Parameters
    ----------
    nproc : int
        Ranks.
    env : mapping or None, default=None

    Returns
    -------
    env : dict
    """
    out = dict(os.environ if env is None else env)
    out.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // max(1, int(nproc)))))
    return out


class _StderrRelay:
    """Copy a child's stderr to ``sys.stderr`` until muted (after an interrupt, torchrun's
    SignalException traceback and the ranks' last words are dropped)."""

    def __init__(self, pipe: Any) -> None:
        self._pipe = pipe
        self.muted = threading.Event()
        self._thread = threading.Thread(target=self._copy, name="tsclust-torchrun-stderr",
                                        daemon=True)
        self._thread.start()

    def _copy(self) -> None:
        fd = self._pipe.fileno()
        while True:
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            if not self.muted.is_set():
                with contextlib.suppress(Exception):  # a closed stderr: drop the text
                    sys.stderr.write(data.decode("utf-8", errors="replace"))
                    sys.stderr.flush()

    def close(self, timeout: float = 5.0) -> None:
        """Wait for the child's stderr to end (all writers gone), at most ``timeout`` s."""
        self._thread.join(timeout)


def _wait(proc: subprocess.Popen, poll: float = 0.2) -> int:
    """``proc.wait()`` in short slices, so that a signal is handled while torchrun runs.

    A process-directed SIGINT may be delivered to another thread (torch's, a timer's): the
    main thread's ``waitpid`` is then not interrupted and Python would run the handler only
    once torchrun exits. Returning to the interpreter every ``poll`` seconds runs it at once.
    """
    while True:
        try:
            return proc.wait(timeout=poll)
        except subprocess.TimeoutExpired:
            continue


def launch(
    nproc: int, args: Sequence[str], *, grace: float = GRACE_SECONDS, **kwargs: Any
) -> int:
    """Run :func:`torchrun_command` as a subprocess; returns its exit status.

    torchrun runs in a new session (process group), so a Ctrl-C in the terminal reaches only
    this process, which forwards it: on KeyboardInterrupt (and SIGTERM, which the command
    line turns into one) torchrun gets SIGTERM and stops its ranks; after ``grace`` seconds
    the group gets SIGKILL (the ranks then stop themselves: :func:`watch_parent`). The
    interrupt is raised again once torchrun is gone. Unless ``stderr`` is given, the
    children's stderr is relayed to this process's, and from the interrupt on it is dropped,
    so an interrupted command ends with its own one line, not torchrun's traceback. The
    children get :func:`child_environment` (``OMP_NUM_THREADS`` set: no banner).

    Parameters
    ----------
    nproc : int
        Ranks.
    args : sequence of str
        The arguments of ``python -m tsclust.cli.torchrun``.
    grace : float, default=GRACE_SECONDS
        Seconds the ranks get to stop after an interrupt.
    **kwargs
        Passed to :class:`subprocess.Popen` (e.g. ``stdout``).

    Returns
    -------
    status : int
        torchrun's exit status.
    """
    cmd = torchrun_command(nproc, args)
    logger.info("running %s", " ".join(cmd))
    kwargs["env"] = child_environment(nproc, kwargs.get("env"))
    relay = "stderr" not in kwargs
    if relay:
        kwargs["stderr"] = subprocess.PIPE
    if os.name == "posix":
        kwargs = {"start_new_session": True, **kwargs}
        if sys.platform.startswith("linux"):
            kwargs.setdefault("preexec_fn", _die_with_parent)
    with subprocess.Popen(cmd, **kwargs) as proc:
        relayed = _StderrRelay(proc.stderr) if relay else None
        try:
            status = _wait(proc)
        except BaseException:
            if relayed is not None:
                relayed.muted.set()
            if os.name == "posix":
                _stop(proc, grace)
            else:  # pragma: no cover
                proc.kill()
            if relayed is not None:
                relayed.close()
            raise
        if relayed is not None:
            relayed.close()
        return status
