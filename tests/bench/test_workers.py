"""``bench panel --jobs 2``: the worker processes die with the parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from tsclust.bench.panel import Problem, run_panel

ROOT = Path(__file__).resolve().parents[2]


def sleepy_loader(problem: Problem):
    """Write this worker's pid to ``$PIDS_DIR/<problem>.pid``, then load for a long time."""
    Path(os.environ["PIDS_DIR"], problem.name + ".pid").write_text(str(os.getpid()))
    time.sleep(120)
    return np.zeros((4, 8, 1), np.float32), np.array([0, 0, 1, 1])


def parent_main() -> None:
    problems = [Problem(f"P{i}", "toy", "", 4, 8, 2) for i in range(2)]
    run_panel(problems, ["kmeans"], progress=False, loader=sleepy_loader, n_jobs=2)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (dead, not yet reaped) counts as gone
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_workers_die_when_the_parent_is_killed(tmp_path):
    env = {**os.environ, "PIDS_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen([sys.executable, "-c",
                               "from tests.bench.test_workers import parent_main; parent_main()"],
                              cwd=ROOT, env=env, start_new_session=True)
    pids: list[int] = []
    try:
        deadline = time.monotonic() + 90
        while len(pids) < 2 and time.monotonic() < deadline:  # both workers are loading
            time.sleep(0.2)
            pids = [int(p.read_text()) for p in tmp_path.glob("*.pid") if p.read_text()]
        assert len(pids) == 2, "the workers did not start"
        parent.kill()  # SIGKILL: no cleanup code of the parent runs
        parent.wait()
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(p) for p in pids), "a worker outlived its parent"
    finally:
        for pid in pids:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        if parent.poll() is None:
            parent.kill()
