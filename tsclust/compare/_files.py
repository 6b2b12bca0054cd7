"""Several result files written into one folder, all of them or none.

:func:`write_all_or_nothing` first writes every file completely under a temporary name
beside it (closed, so a full disk or a failing plot shows here), then renames them into
place one by one; if any rename fails, the files already renamed are taken back (the
previous versions restored, new ones removed) and a folder this call created is removed.
The temporary names are those of :func:`tsclust.io.atomic_path` (``.NAME.XXXXXXXX.tmp``), so
the leftovers of a killed run are found and removed by the command line's output check.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .. import _interrupts

__all__ = ["write_all_or_nothing"]


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


def write_all_or_nothing(
    outdir: str | os.PathLike,
    texts: Mapping[str, str],
    figures: Mapping[str, Callable[[Path], Any]] | None = None,
    *,
    overwrite: bool = False,
) -> dict[str, Path]:
    """Write text files and figures into ``outdir``: every one of them, or none.

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

    Examples
    --------
    >>> d = Path(tempfile.mkdtemp()) / "out"
    >>> paths = write_all_or_nothing(d, {"a.txt": "A", "b.txt": "B"})
    >>> sorted(p.name for p in d.iterdir())
    ['a.txt', 'b.txt']
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
