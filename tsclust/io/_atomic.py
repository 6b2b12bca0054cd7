"""Atomic writes: a temporary file in the destination folder, renamed into place when whole."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

import h5py

from .. import _interrupts


def _link_new(tmp: str, path: Path) -> None:
    """Rename ``tmp`` to ``path`` unless ``path`` exists (FileExistsError), atomically.

    A hard link fails if the name exists, so of two runs writing the same new file the
    second is told, instead of silently replacing the first one's output. Where the file
    system has no hard links, an exclusive check and rename is the fallback.
    """
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise FileExistsError(
            f"{path} was created by someone else while this run wrote it; nothing was "
            "replaced (pass overwrite=True, CLI: --overwrite, to replace it)") from None
    except OSError:  # no hard links here (some network or FAT file systems)
        if path.exists():
            raise FileExistsError(f"{path} exists; pass overwrite=True (CLI: --overwrite) to "
                                  "replace it") from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)


@contextlib.contextmanager
def atomic_path(
    path: str | os.PathLike, *, overwrite: bool = False, suffix: str = ""
) -> Iterator[str]:
    """Yield a temporary file name beside ``path`` that replaces ``path`` if the block succeeds.

    Parameters
    ----------
    path : path-like
        Final file name.
    overwrite : bool, default=False
        Replace an existing file. Without it an existing ``path`` raises FileExistsError
        before anything is written.
    suffix : str, default=""
        Appended to the temporary name (``.NAME.XXXXXXXX.tmp`` + ``suffix``), for writers
        that choose the format from it (matplotlib: ``".png"``).

    Yields
    ------
    str
        The temporary file (created empty); renamed to ``path`` on success, deleted on error.

    Raises
    ------
    FileExistsError
        ``path`` exists and ``overwrite`` is False.
    FileNotFoundError
        The folder of ``path`` does not exist.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True (CLI: --overwrite) to replace it")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise FileNotFoundError(f"folder {parent} does not exist (writing {path})")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp" + suffix, dir=parent)
    os.close(fd)
    try:
        yield tmp
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file the usual mode
        _interrupts.check()  # a SIGTERM whose exception was dropped still stops the commit
        if overwrite:
            os.replace(tmp, path)
        else:  # no clobbering, atomically: a file made meanwhile (another run) is kept
            _link_new(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_h5(path: str | os.PathLike, *, overwrite: bool = False) -> Iterator[h5py.File]:
    """Open a temporary HDF5 file that replaces ``path`` only if the block succeeds.

    See :func:`atomic_path` for ``overwrite`` and the errors.

    Yields
    ------
    h5py.File
        Open for writing; closed and renamed to ``path`` on success, deleted on error.
    """
    with atomic_path(path, overwrite=overwrite) as tmp, h5py.File(tmp, "w") as f:
        yield f


@contextlib.contextmanager
def atomic_text(path: str | os.PathLike, *, overwrite: bool = False) -> Iterator[TextIO]:
    """Open a temporary text file (UTF-8, ``newline=""`` for csv) that replaces ``path`` on success.

    See :func:`atomic_path` for ``overwrite`` and the errors.
    """
    with atomic_path(path, overwrite=overwrite) as tmp, open(
        tmp, "w", newline="", encoding="utf-8"
    ) as fh:
        yield fh


def write_file_set(
    outdir: str | os.PathLike,
    texts: dict[str, str],
    figures: dict[str, Callable[[Path], Any]] | None = None,
    *,
    overwrite: bool = False,
) -> dict[str, Path]:
    """Write several files into one folder, all or nothing.

    Every file goes to a temporary name first; the files are renamed into place only when
    every one of them is complete, so a failure (a plot that raises) leaves the folder as it was.

    Parameters
    ----------
    outdir : str or path
        Output folder, created with its parents.
    texts : dict of str to str
        File name -> text (UTF-8).
    figures : dict of str to callable, or None
        File name (``.png``) -> ``draw(path)`` that saves a figure to ``path``.
    overwrite : bool, default=False
        Write into an existing folder (replacing these files); otherwise it is refused.

    Returns
    -------
    paths : dict
        File name -> path written.

    Raises
    ------
    FileExistsError
        ``outdir`` exists and ``overwrite`` is False.
    """
    out = Path(outdir)
    if out.exists() and not overwrite:
        raise FileExistsError(f"{out} exists; pass overwrite=True to write into it")
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / name for name in [*texts, *(figures or {})]}
    with contextlib.ExitStack() as stack:  # the folder check is above: replace the files
        for name, text in texts.items():
            stack.enter_context(atomic_text(paths[name], overwrite=True)).write(text)
        for name, draw in (figures or {}).items():
            draw(Path(stack.enter_context(atomic_path(paths[name], overwrite=True, suffix=".png"))))
    return paths
