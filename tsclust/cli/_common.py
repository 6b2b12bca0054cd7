"""What the subcommands share: error printing, output checks, summaries and the error policy.

Imports nothing heavy: the parsers are built from these helpers on every ``tsclust`` call.

Error policy (:func:`run_command`): every error that reaches the command line is printed as
one line ``tsclust: error: ...`` on stderr and the command exits with status 2 — user errors
(:data:`USER_ERRORS`) with their message, anything else as ``internal error: TYPE: MESSAGE``
(a bug: set ``TSCLUST_DEBUG=1`` to get the traceback instead). Ctrl-C exits with 130 and
SIGTERM with 143, both after the temporary files of unfinished writes are removed.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import math
import os
import re
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from .. import _interrupts
from .._interrupts import Terminated

__all__ = [
    "USER_ERRORS",
    "DEBUG_ENV",
    "Terminated",
    "error",
    "error_message",
    "check_free",
    "check_outputs",
    "remove_stale_temps",
    "staged_outputs",
    "number",
    "JSONObject",
    "json_object",
    "run_command",
    "sigterm_interrupts",
    "format_counts",
    "print_summary",
    "print_scores",
    "cluster_sizes",
    "validate_estimator",
]

USER_ERRORS: tuple[type[BaseException], ...] = (ValueError, OSError, KeyError)
"""Exceptions reported as one line ``tsclust: error: ...`` with exit status 2.

OSError covers FileNotFoundError, FileExistsError, PermissionError, IsADirectoryError,
ConnectionError and the read errors of h5py on damaged files; KeyError a store or model
file that lacks a field.
"""

DEBUG_ENV = "TSCLUST_DEBUG"
"""Environment variable: set (not ``0``) to get the traceback of any error instead of one line."""

OUTPUT_OPTIONS = ("out", "plot", "write_cache")
"""Namespace attributes that name outputs; the other Path attributes are inputs."""

_STARTED = time.time()  # temporary files older than this belong to an earlier run

# the temporary names of tsclust.io.atomic_path, ".NAME.XXXXXXXX.tmp", and of
# staged_outputs, the same plus the output's suffix (".png": matplotlib reads the format there)
_TEMP = re.compile(r"^\.(?P<name>.+)\.[A-Za-z0-9_]{8}\.tmp(\.\w+)?$")




def error(msg: str) -> None:
    """Print ``tsclust: error: MSG`` to stderr, as argparse does for a usage error."""
    print(f"tsclust: error: {msg}", file=sys.stderr)


def _one_line(text: str) -> str:
    """``text`` with its lines joined by ``"; "`` (blank lines dropped)."""
    return "; ".join(line.strip() for line in str(text).splitlines() if line.strip())


def _input_files(args: argparse.Namespace | None) -> list[str]:
    """The existing files among the Path options of ``args`` that are not outputs."""
    found = []
    for name, value in sorted(vars(args).items()) if args is not None else ():
        if name not in OUTPUT_OPTIONS and isinstance(value, Path) and value.is_file():
            found.append(str(value))
    return found


def _missing_field(exc: KeyError) -> str:
    """The key a KeyError names (h5py's ``object 'X' doesn't exist`` -> ``X``)."""
    key = exc.args[0] if exc.args else ""
    found = re.search(r"object '([^']+)' doesn't exist", str(key))
    return found.group(1) if found else str(key)


def error_message(exc: BaseException, args: argparse.Namespace | None = None) -> str:
    """The one-line message that :func:`run_command` prints for ``exc``.

    Parameters
    ----------
    exc : BaseException
        The error that reached the command line.
    args : argparse.Namespace or None, default=None
        The command's options: their existing input files name the file that a KeyError
        or an OSError without a file name (e.g. a damaged HDF5 chunk) comes from.

    Returns
    -------
    msg : str
        One line, without the ``tsclust: error:`` prefix.
    """
    files = ", ".join(_input_files(args))
    reading = f" (reading {files})" if files else ""
    if isinstance(exc, KeyError):
        field = _missing_field(exc)
        if files:
            return f"missing field {field!r} in {files}: damaged or incompatible file"
        return f"damaged or incompatible file: KeyError {field!r}"
    if isinstance(exc, OSError) and (exc.errno == errno.ENOSPC or "No space left" in str(exc)):
        return ("No space left on device while writing: free space where the outputs (and "
                "their temporary files, beside them) go and rerun; an output that could not "
                "be written whole was not written")
    if isinstance(exc, OSError) and exc.filename is not None:
        where = f"{exc.filename} -> {exc.filename2}" if exc.filename2 is not None else exc.filename
        return _one_line(f"{where}: {exc.strerror or exc}")
    if type(exc) is OSError:  # h5py and other libraries: often no file name
        return _one_line(f"{exc}{reading}; the file may be damaged")
    if isinstance(exc, USER_ERRORS):
        return _one_line(str(exc))
    return _one_line(
        f"internal error: {type(exc).__name__}: {exc} (rerun with {DEBUG_ENV}=1 for the traceback)"
    )


def _debug() -> bool:
    """Whether ``TSCLUST_DEBUG`` asks for tracebacks."""
    return os.environ.get(DEBUG_ENV, "") not in ("", "0")


def _raise_terminated(signum: int, frame: Any) -> None:
    """The SIGTERM handler of :func:`sigterm_interrupts`: record the request, then raise."""
    _interrupts.request(signum)
    raise Terminated(f"signal {signum}")


def _resend_swallowed(
    previous: Callable[[Any], Any], timers: list[threading.Timer]
) -> Callable[[Any], None]:
    """A ``sys.unraisablehook`` that signals again an interrupt that Python had to drop.

    A signal handler's exception raised while a ``__del__`` or weakref callback runs is
    printed and dropped ("Exception ignored in ..."); the interrupt is then sent again a
    moment later (from a timer kept in ``timers``), so that it stops the work early. Should
    that fail too, the request recorded by :mod:`tsclust._interrupts` still keeps every output
    from being committed. Other errors go to ``previous``.
    """

    def hook(unraisable: Any) -> None:
        exc = unraisable.exc_value
        if not isinstance(exc, KeyboardInterrupt):
            previous(unraisable)
            return
        sig = signal.SIGTERM if isinstance(exc, Terminated) else signal.SIGINT
        timer = threading.Timer(0.05, os.kill, (os.getpid(), sig))
        timers.append(timer)
        timer.start()

    return hook


@contextlib.contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` (a KeyboardInterrupt) inside the block.

    The cleanup that Ctrl-C triggers (temporary files of unfinished writes, worker
    processes) then also runs on SIGTERM. An interrupt that Python drops (raised inside a
    ``__del__`` or weakref callback) is sent again; a block that ends after a SIGTERM whose
    exception was lost raises :class:`Terminated` at its end (its outputs were not committed:
    :func:`tsclust._interrupts.check`). Pending resends are cancelled when the block ends, so
    none reaches the handler restored after it. Outside the main thread nothing is changed.
    """
    try:
        previous = signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # not the main thread
        yield
        return
    _interrupts.clear()
    timers: list[threading.Timer] = []
    hook, sys.unraisablehook = sys.unraisablehook, _resend_swallowed(sys.unraisablehook, timers)
    try:
        yield
        _interrupts.check()
    finally:
        for timer in timers:
            timer.cancel()
        signal.signal(signal.SIGTERM, previous)
        sys.unraisablehook = hook
        _interrupts.clear()


@contextlib.contextmanager
def one_line_warnings() -> Iterator[None]:
    """Show each warning raised inside as one line, ``tsclust: warning: MESSAGE``, on stderr.

    A command-line user has no use for the file and line of the ``warnings.warn`` call that
    Python's default format prints, nor for the source line under it.
    """
    def show(message: Any, category: type, filename: str, lineno: int, file: Any = None,
             line: str | None = None) -> None:
        sys.stderr.write(f"tsclust: warning: {message}\n")

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield


def run_command(func: Callable[[argparse.Namespace], int | None], args: argparse.Namespace) -> int:
    """Run a subcommand's ``run(args)`` under the error policy of the command line.

    Every exception becomes one line on stderr (see :func:`error_message`); with
    ``TSCLUST_DEBUG=1`` in the environment it is raised instead, for its traceback.

    Parameters
    ----------
    func : callable
        The subcommand's ``run``.
    args : argparse.Namespace
        Its parsed arguments.

    Returns
    -------
    status : int
        What ``func`` returned (None counts as 0); 2 after any error, 130 after Ctrl-C,
        143 after SIGTERM.
    """
    try:
        with sigterm_interrupts(), one_line_warnings():
            return int(func(args) or 0)
    except Terminated:
        error("terminated")
        return 128 + signal.SIGTERM
    except KeyboardInterrupt:
        error("interrupted")
        return 128 + signal.SIGINT
    except Exception as exc:
        if _debug():
            raise
        error(error_message(exc, args))
        return 2


class JSONObject(dict):
    """A dict parsed from JSON that prints as the same JSON (so it can be forwarded as text)."""

    def __str__(self) -> str:
        return json.dumps(self)


def json_object(text: str) -> JSONObject:
    """An argparse ``type``: a JSON object ``{...}``, refused otherwise.

    Raises
    ------
    argparse.ArgumentTypeError
        Not valid JSON, or JSON that is not an object.
    """
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not valid JSON ({exc}): {text!r}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"a JSON object {{...}} is needed, got {text!r}")
    return JSONObject(value)


def number(
    kind: type = int, *, low: float | None = None, high: float | None = None,
    strict: bool = False,
) -> Callable[[str], Any]:
    """An argparse ``type`` that parses a number and refuses one out of range.

    Parameters
    ----------
    kind : {int, float}, default=int
        What to parse; a float must also be finite.
    low : number or None, default=None
        Smallest value accepted (None: no lower bound).
    high : number or None, default=None
        Largest value accepted (None: no upper bound).
    strict : bool, default=False
        Refuse ``low`` and ``high`` themselves (open interval).

    Returns
    -------
    parse : callable
        ``parse(text) -> kind``; raises argparse.ArgumentTypeError with a message naming the
        accepted range, which argparse prints after the option's name.

    Examples
    --------
    >>> number(int, low=1)("3"), number(float, low=0)("0.5")
    (3, 0.5)
    """
    name = "an integer" if kind is int else "a number"
    lo, hi = (">", "<") if strict else (">=", "<=")
    bounds = " and ".join(
        f"{op} {bound:g}" for op, bound in ((lo, low), (hi, high)) if bound is not None
    )
    expected = f"{name} {bounds}".strip()

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            value = None
        bad = value is None or (kind is float and not math.isfinite(value))
        if not bad and low is not None:
            bad = value <= low if strict else value < low
        if not bad and high is not None:
            bad = value >= high if strict else value > high
        if bad:
            raise argparse.ArgumentTypeError(f"takes {expected}, got {text!r}")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in some messages
    return parse


def check_free(
    paths: Sequence[Path | None], overwrite: bool, action: str = "replace it"
) -> None:
    """Refuse an existing output path unless ``--overwrite`` was given.

    Parameters
    ----------
    paths : sequence of Path or None
        Output paths; None entries (optional outputs not asked for) are skipped.
    overwrite : bool
        The value of ``--overwrite``.
    action : str, default="replace it"
        What ``--overwrite`` would do, for the message.

    Raises
    ------
    FileExistsError
        One of ``paths`` exists and ``overwrite`` is False.
    """
    for p in paths:
        if p is not None and p.exists() and not overwrite:
            raise FileExistsError(f"{p} exists; pass --overwrite to {action}")


def _same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` are one file (through symlinks and hard links)."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist
        return False


def _check_writable_folder(folder: Path, output: Path) -> None:
    """Refuse ``folder`` (where ``output`` goes) if it is missing, not a folder or read-only."""
    if not folder.exists():
        raise FileNotFoundError(
            f"folder {folder} does not exist (for {output}); create it or choose another path"
        )
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is not a folder (for {output}); choose another path")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(
            f"folder {folder} is not writable (for {output}); choose another path"
        )


def check_outputs(
    outputs: Sequence[Path | None],
    inputs: Sequence[Path | None] = (),
    overwrite: bool = False,
    *,
    folders: bool = False,
    action: str | None = None,
) -> None:
    """Check every output of a command before any work, then remove stale temporary files.

    Each refusal is one error whose message names the path and the fix:

    - an output that is one of ``inputs`` (the same file, also through a symlink or a hard
      link), or an output given twice;
    - an output file that is an existing folder (with ``folders``: an output folder that is
      an existing file);
    - an existing output without ``overwrite`` (:func:`check_free`);
    - an output file whose folder does not exist or is not writable (with ``folders``: the
      nearest existing folder above the output folder, which is created with its parents).

    When every output passes, the temporary files that an earlier, killed run left beside
    them are removed (:func:`remove_stale_temps`).

    Parameters
    ----------
    outputs : sequence of Path or None
        Output files (or folders, with ``folders``); None entries are skipped.
    inputs : sequence of Path or None, default=()
        The files and folders the command reads.
    overwrite : bool, default=False
        The value of ``--overwrite``.
    folders : bool, default=False
        The outputs are folders that the command writes files into.
    action : str or None, default=None
        What ``--overwrite`` would do, for the message (default "replace it", or
        "write into it" with ``folders``).

    Raises
    ------
    ValueError
        An output is an input, or is given twice.
    IsADirectoryError, NotADirectoryError, FileExistsError, FileNotFoundError, PermissionError
        As listed above.
    """
    outs = [Path(p) for p in outputs if p is not None]
    ins = [Path(p) for p in inputs if p is not None]
    action = action or ("write into it" if folders else "replace it")
    seen: dict[Path, Path] = {}
    for out in outs:
        key = Path(os.path.realpath(out))
        if key in seen:
            raise ValueError(f"{out} is given as two outputs ({seen[key]}); name two paths")
        seen[key] = out
        for src in ins:
            if _same_file(out, src) or Path(os.path.realpath(src)) == key:
                raise ValueError(
                    f"output {out} is also an input ({src}); write to another path"
                )
        if folders:
            if out.exists() and not out.is_dir():
                raise NotADirectoryError(f"{out} exists and is not a folder; name a folder")
        elif out.is_dir():
            raise IsADirectoryError(f"output {out} is a folder; name a file, e.g. {out / 'out'}")
        check_free([out], overwrite, action)
        if folders:
            parent = out
            while not parent.exists() and parent != parent.parent:
                parent = parent.parent
            _check_writable_folder(parent, out)
        else:
            _check_writable_folder(out.parent, out)
    for out in outs:
        remove_stale_temps(out, folder=folders)


def remove_stale_temps(output: Path, *, folder: bool = False) -> list[Path]:
    """Remove the temporary files that a killed earlier run left for ``output``.

    :func:`tsclust.io.atomic_path` writes ``.NAME.XXXXXXXX.tmp`` beside ``NAME`` and removes
    it on any error, Ctrl-C and SIGTERM included; only a killed process (SIGKILL, power
    loss) leaves it. Those older than this process are removed, and one line says so.

    Parameters
    ----------
    output : Path
        An output file (its folder is searched for ``.NAME.*.tmp``), or with ``folder`` an
        output folder (every such temporary file in it).
    folder : bool, default=False

    Returns
    -------
    removed : list of Path
    """
    where = output if folder else output.parent
    if not where.is_dir():
        return []
    removed = []
    for entry in where.iterdir():
        found = _TEMP.match(entry.name)
        if not found or not (folder or found.group("name") == output.name):
            continue
        with contextlib.suppress(OSError):  # gone meanwhile, or not ours to remove
            if entry.is_file() and entry.stat().st_mtime < _STARTED:
                entry.unlink()
                removed.append(entry)
    if removed:
        print(
            f"tsclust: removed {len(removed)} stale temporary file(s) of an interrupted run: "
            + ", ".join(str(p) for p in removed),
            file=sys.stderr,
        )
    return removed


@contextlib.contextmanager
def staged_outputs(*paths: Path | None) -> Iterator[list[Path | None]]:
    """Temporary names for several output files, renamed into place only if the block succeeds.

    Write each output to its temporary name inside the block; when the block raises (an
    error, Ctrl-C, SIGTERM) every temporary file is removed and no output is changed, so a
    command with several outputs writes all of them or none. The temporary files lie beside
    their outputs (possibly in different folders) and keep their suffix, so writers that
    choose the format from it (matplotlib) work. Existing outputs are replaced: check them
    first with :func:`check_outputs`.

    Parameters
    ----------
    *paths : Path or None
        Output files; None (an optional output not asked for) yields None.

    Yields
    ------
    staged : list of Path or None
        The temporary name of each of ``paths``, in order.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> with staged_outputs(d / "a.txt", None, d / "b.txt") as (a, none, b):
    ...     _ = a.write_text("A"), b.write_text("B")
    >>> sorted(p.name for p in d.iterdir()), none
    (['a.txt', 'b.txt'], None)
    """
    from ..io import atomic_path

    with contextlib.ExitStack() as stack:  # check_outputs checked --overwrite
        yield [None if p is None else Path(stack.enter_context(
            atomic_path(p, overwrite=True, suffix=Path(p).suffix))) for p in paths]


def validate_estimator(est: Any) -> Any:
    """Check the parameters of an unfitted estimator before any data is read or written.

    Unknown architecture, head or other names raise the estimator's ValueError, which lists
    the valid ones.

    Parameters
    ----------
    est : estimator
        Constructed, not fitted.

    Returns
    -------
    est : estimator
        The same object.
    """
    est._validate_params()
    return est


def format_counts(counts: Mapping[Any, int]) -> str:
    """``{1: 11, 5: 14}`` -> ``"1:11 5:14"`` (sorted by key)."""
    return " ".join(f"{k}:{v}" for k, v in sorted(counts.items()))


def print_summary(info: Mapping[str, Any], out: Path | None) -> None:
    """Print what a window store holds.

    Parameters
    ----------
    info : mapping
        :func:`tsclust.io.store_info` fields: shape, step, sampling_rate, labels_mode,
        labelled, channels, n_recordings, class_counts.
    out : Path or None
        The store just written (printed first), or None.
    """
    n, T, C = info["shape"]
    if out is not None:
        print(f"wrote {out}")
    mode = info["labels_mode"] or ("given" if info["labelled"] else "none")
    print(
        f"windows: {n}  shape: ({n}, {T}, {C})  step: {info['step']}  "
        f"rate: {info['sampling_rate']:g} Hz  labels: {mode}"
    )
    print(f"channels: {', '.join(info['channels'])}")
    print(f"recordings: {info['n_recordings']}")
    if info["class_counts"]:
        print(f"classes (label:windows): {format_counts(info['class_counts'])}")


def print_scores(y: Any, labels: Any) -> None:
    """Print ARI, NMI and ACC of ``labels`` against the store's labels ``y`` (if any)."""
    if y is None:
        return
    from ..metrics import evaluate

    scores = evaluate(y, labels)
    print(
        "scores against the store's labels: "
        + "  ".join(f"{k.upper()} {v:.3f}" for k, v in scores.items())
    )


def cluster_sizes(labels: Any, n_clusters: int | None = None) -> str:
    """Space-separated window counts per cluster, e.g. ``"12 30 7"``."""
    import numpy as np

    return " ".join(str(s) for s in np.bincount(labels, minlength=n_clusters or 0))
