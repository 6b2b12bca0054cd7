"""SIGTERM: temporary files are removed and no worker rank outlives ``tsclust fit --nproc``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc and sends POSIX signals"
)

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, **kwargs) -> subprocess.Popen:
    """``python -m tsclust.cli ARGS`` in a subprocess (stderr captured)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "tsclust.cli", *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            **kwargs)


def _wait_for(predicate, timeout: float, what: str):
    """Poll ``predicate()`` every 0.05 s until it is truthy; its value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def _children(pid: int) -> dict[int, str]:
    """The running children of ``pid``: pid -> command line."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found[int(entry.name)] = cmd
    return found


def _temps(folder: Path, name: str) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(f".{name}.")]


def test_sigterm_removes_the_temporary_file(tmp_path):
    rng = np.random.default_rng(0)  # ~1 M samples x 6 channels: seconds of windowing
    np.save(tmp_path / "rec.npy", rng.standard_normal((1_000_000, 6)).astype(np.float32))
    out = tmp_path / "out.h5"
    proc = _cli("windows", str(tmp_path / "rec.npy"), "-o", str(out), "--size", "64",
                "--step", "4", "--sampling-rate", "50", "-q")
    try:
        _wait_for(lambda: _temps(tmp_path, "out.h5") or proc.poll() is not None, 120,
                  "the temporary file of out.h5")
        assert proc.poll() is None, f"finished before the signal: {proc.stderr.read()}"
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=60)
    finally:
        proc.kill()
    assert rc == 143, proc.stderr.read()
    assert proc.stderr.read().strip() == "tsclust: error: terminated"
    assert _temps(tmp_path, "out.h5") == [] and not out.exists()


def test_sigterm_to_fit_nproc_stops_every_rank(tmp_path):
    import torch.distributed as dist

    from tests.conftest import blob_windows, write_blob_store

    if not (dist.is_available() and dist.is_gloo_available()):
        pytest.skip("torch.distributed with gloo is not available")
    store, _, _ = write_blob_store(tmp_path / "s.h5", *blob_windows(n=60, n_second=61))
    model = tmp_path / "m.h5"
    proc = _cli("fit", str(store), "-k", "2", "-o", str(model), "--architecture", "mlp",
                "--latent-dim", "2", "--epochs", "100000", "--device", "cpu", "--quiet",
                "--nproc", "2")
    ranks: dict[int, str] = {}
    try:
        def two_ranks():
            if proc.poll() is not None:
                raise AssertionError(f"fit ended early: {proc.stderr.read()}")
            for launcher in _children(proc.pid):
                ranks.update((pid, cmd) for pid, cmd in _children(launcher).items()
                             if "tsclust.cli.torchrun" in cmd)
            return len(ranks) >= 2

        _wait_for(two_ranks, 240, "two worker ranks")
        time.sleep(1.0)  # the ranks are past their start-up
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=60)
        _wait_for(lambda: not any(_alive(pid) for pid in ranks), 30, "the ranks to stop")
    finally:
        proc.kill()
        for pid in ranks:  # the old behaviour: ranks run on; do not leave them
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
    assert rc == 143, proc.stderr.read()
    assert not model.exists() and _temps(tmp_path, "m.h5") == []
