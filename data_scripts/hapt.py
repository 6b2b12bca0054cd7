"""Download UCI HAPT and convert it into an HDF5 window store.

Usage::

    python data_scripts/hapt.py -o hapt_windows.h5                 # download, then convert
    python data_scripts/hapt.py -o hapt_windows.h5 --zip HAPT.zip  # a zip downloaded by hand
    python data_scripts/hapt.py -o hapt_windows.h5 --source /path/to/hapt  # unpacked folder

Dataset: J.-L. Reyes-Ortiz, L. Oneto, A. Samà, X. Parra, D. Anguita, "Transition-Aware Human
Activity Recognition Using Smartphones", Neurocomputing, 2015. UCI ML Repository, CC BY 4.0;
the dataset's README prohibits commercial use.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from tsclust.data import iter_hapt
from tsclust.io import write_windows_from_recordings
from tsclust.preprocessing import SlidingWindows

HAPT_URL = (
    "https://archive.ics.uci.edu/static/public/341/"
    "smartphone+based+recognition+of+human+activities+and+postural+transitions.zip"
)
# Not known offline; set them (or pass --sha256 / --size) to have the download verified.
HAPT_ZIP_SHA256: str | None = None
HAPT_ZIP_SIZE: int | None = None


def download(
    url: str = HAPT_URL,
    dest: str | os.PathLike | None = None,
    *,
    sha256: str | None = HAPT_ZIP_SHA256,
    size: int | None = HAPT_ZIP_SIZE,
    timeout: float = 60.0,
    verbose: int = 1,
) -> Path:
    """Download ``url`` to ``dest`` (default: a new temporary file) and verify it.

    The data go to a temporary file next to ``dest`` first and are renamed when complete
    and verified, so an interrupted download leaves nothing under ``dest``.

    Raises
    ------
    ConnectionError
        The server cannot be reached (offline): download by hand and pass ``--zip``.
    ValueError
        Size or sha256 differ from the expected ones.
    """
    if dest is None:
        dest = Path(tempfile.mkdtemp(prefix="tsclust-hapt-")) / "hapt.zip"
    dest = Path(dest)
    try:
        response = urllib.request.urlopen(url, timeout=timeout)
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ConnectionError(
            f"cannot reach {url} ({reason}); download it by hand and pass --zip PATH"
        ) from None
    digest = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    n = 0
    try:
        total = response.headers.get("Content-Length") if hasattr(response, "headers") else None
        bar = tqdm(
            total=int(total) if total else None,
            unit="B",
            unit_scale=True,
            desc="downloading HAPT",
            disable=not verbose,
            leave=False,
        )
        with response, os.fdopen(fd, "wb") as out, bar:
            while chunk := response.read(1 << 20):
                out.write(chunk)
                digest.update(chunk)
                n += len(chunk)
                bar.update(len(chunk))
        if size is not None and n != size:
            raise ValueError(f"downloaded {n} bytes from {url}, expected {size}")
        if sha256 is not None and digest.hexdigest() != sha256.lower():
            raise ValueError(
                f"sha256 of the download is {digest.hexdigest()}, expected {sha256.lower()}"
            )
        os.replace(tmp, dest)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return dest


def convert(
    source: str | os.PathLike,
    out: str | os.PathLike,
    *,
    size: int = 128,
    step: int = 64,
    labels: str | None = "pure",
    overwrite: bool = False,
    verbose: int = 1,
) -> dict[str, Any]:
    """Convert a HAPT folder or zip into a window store; returns its :func:`store_info`."""
    windower = SlidingWindows(size=size, step=step, labels=labels).fit()
    recs = iter_hapt(source, verbose=verbose)
    attrs = {"dataset": "UCI HAPT v2.1", "licence": "CC BY 4.0, non-commercial"}
    return write_windows_from_recordings(out, recs, windower, attrs=attrs, overwrite=overwrite)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Download UCI HAPT and write a window store.")
    parser.add_argument("-o", "--out", type=Path, required=True, help="window store (.h5)")
    src = parser.add_mutually_exclusive_group()
    src.add_argument("--zip", type=Path, help="the HAPT zip, already downloaded")
    src.add_argument("--source", type=Path, help="an unpacked HAPT folder")
    parser.add_argument("--url", default=HAPT_URL, help="download URL")
    parser.add_argument("--keep-zip", type=Path, default=None, help="save the download here")
    parser.add_argument("--sha256", default=HAPT_ZIP_SHA256, help="expected sha256 of the zip")
    parser.add_argument("--size", type=int, default=128, help="window length (default 128)")
    parser.add_argument("--step", type=int, default=64, help="hop (default 64)")
    parser.add_argument("--labels", choices=("pure", "majority", "center", "none"), default="pure")
    parser.add_argument("--overwrite", action="store_true")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    verbose = 0 if args.quiet else 1
    try:
        if args.out.exists() and not args.overwrite:
            raise FileExistsError(f"{args.out} exists; pass --overwrite to replace it")
        tmpdir = None
        source = args.zip or args.source
        if source is None:
            if args.keep_zip is None:
                tmpdir = tempfile.mkdtemp(prefix="tsclust-hapt-")
            dest = args.keep_zip or Path(tmpdir) / "hapt.zip"
            source = download(args.url, dest, sha256=args.sha256, verbose=verbose)
        try:
            labels = None if args.labels == "none" else args.labels
            info = convert(
                source,
                args.out,
                size=args.size,
                step=args.step,
                labels=labels,
                overwrite=args.overwrite,
                verbose=verbose,
            )
        finally:
            if tmpdir is not None:
                shutil.rmtree(tmpdir, ignore_errors=True)
    except (ValueError, FileNotFoundError, FileExistsError, ConnectionError) as exc:
        print(f"hapt.py: error: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        counts = " ".join(f"{k}:{v}" for k, v in sorted(info["class_counts"].items()))
        print(f"wrote {args.out}: {info['n_windows']} windows {info['shape']}; classes {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
