"""Atomic writes: a temporary file in the destination folder, renamed into place when whole."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

import h5py

from .. import _interrupts


def _temp_beside(path: Path, suffix: str = "") -> Path:
    """A new empty file ``.NAME.XXXXXXXX.tmp`` + ``suffix`` in the folder of ``path``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp" + suffix, dir=path.parent)
    os.close(fd)
    return Path(tmp)


def _usual_mode(path: Path) -> None:
    """Give a file from :func:`tempfile.mkstemp` (mode 0600) the mode the umask gives."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def _created_folders(out: Path) -> list[Path]:
    """The folders that creating ``out`` with its parents creates, deepest first."""
    missing = []
    folder = out
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


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
    tmp = str(_temp_beside(parent / path.name, suffix))
    try:
        yield tmp
        _usual_mode(Path(tmp))
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
    texts: Mapping[str, str],
    figures: Mapping[str, Callable[[Path], Any]] | None = None,
    *,
    overwrite: bool = False,
) -> dict[str, Path]:
    """Write text files and figures into ``outdir``: every one of them, or none.

    Every file is first written completely under a temporary name beside it (closed, so a
    full disk or a failing plot shows here), then the files are renamed into place one by
    one; if a rename fails, the files already renamed are taken back (the previous versions
    restored, new ones removed) and a folder this call created is removed. The temporary
    names are those of :func:`atomic_path`, so the leftovers of a killed run are found and
    removed by the command line's output check.

    Parameters
    ----------
    outdir : str or path
        Output folder, created with its parents (and removed again if the write fails).
    texts : mapping of str to str
        File name -> text (UTF-8, written as it is).
    figures : mapping of str to callable, or None
        File name -> ``draw(path)`` that saves a figure to ``path`` (the temporary name keeps
        the file's suffix, for writers that choose the format from it).
    overwrite : bool, default=False
        Write into an existing folder, replacing these files; otherwise it is refused.

    Returns
    -------
    paths : dict
        File name -> path written, in the order of ``texts`` then ``figures``.

    Raises
    ------
    FileExistsError
        ``outdir`` exists and ``overwrite`` is False.
    OSError, Exception
        Whatever failed (a full disk, a plot); then no file of the set has changed, and a
        folder made by this call is gone.
    """
    out = Path(outdir)
    if out.exists() and not overwrite:
        raise FileExistsError(f"{out} exists; pass overwrite=True to write into it")
    figures = dict(figures or {})
    paths = {name: out / name for name in [*texts, *figures]}
    created = _created_folders(out)
    staged: dict[str, Path] = {}
    committed: list[tuple[Path, Path | None]] = []  # (final path, backup of what it replaced)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, text in texts.items():
            staged[name] = _temp_beside(paths[name])
            with open(staged[name], "w", newline="", encoding="utf-8") as fh:
                fh.write(text)
        for name, draw in figures.items():
            staged[name] = _temp_beside(paths[name], Path(name).suffix)
            draw(staged[name])
        for tmp in staged.values():
            _usual_mode(tmp)
        _interrupts.check()  # a SIGTERM whose exception was dropped still stops the commit
        for name, tmp in staged.items():
            final = paths[name]
            backup = _temp_beside(final) if final.exists() else None
            if backup is not None:
                try:
                    os.replace(final, backup)
                except BaseException:
                    _unlink(backup)
                    raise
            committed.append((final, backup))
            os.replace(tmp, final)
    except BaseException:
        for final, backup in reversed(committed):
            with contextlib.suppress(OSError):
                if backup is not None:
                    os.replace(backup, final)
                elif final.exists():
                    final.unlink()
        for tmp in staged.values():
            _unlink(tmp)
        for folder in created:  # deepest first; only empty folders go
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    for _, backup in committed:
        if backup is not None:
            _unlink(backup)
    return paths
