"""``tsclust fit --nproc 2`` is quiet: no OMP banner, no DDP warning, scores; Ctrl-C: one line."""

from __future__ import annotations

import os
import signal
import sys
import threading

import pytest
import torch.distributed as dist

from tests.conftest import blob_windows, write_blob_store
from tsclust.cli import main as cli_main
from tsclust.distributed import launch

pytestmark = pytest.mark.skipif(
    not (dist.is_available() and dist.is_gloo_available()),
    reason="torch.distributed with the gloo backend is not available in this torch build",
)


def test_child_environment_sets_omp_threads_unless_given():
    env = launch.child_environment(2, {"PATH": "/bin"})
    assert env["PATH"] == "/bin" and int(env["OMP_NUM_THREADS"]) == max(1, os.cpu_count() // 2)
    assert launch.child_environment(2, {"OMP_NUM_THREADS": "3"})["OMP_NUM_THREADS"] == "3"


def test_fit_nproc_2_prints_scores_and_no_banner_or_ddp_warning(tmp_path, capfd):
    path, _, _ = write_blob_store(tmp_path / "s.h5", *blob_windows(n=60, n_second=61))
    model = tmp_path / "m.h5"
    rc = cli_main(["fit", str(path), "-k", "2", "-o", str(model), "--architecture", "mlp",
                   "--head", "dec", "--latent-dim", "2", "--epochs", "2", "--finetune-epochs", "2",
                   "--device", "cpu", "--quiet", "--nproc", "2"], )
    out, err = capfd.readouterr()
    assert rc == 0, err
    assert "scores against the store's labels: ARI" in out and "model written to" in out
    assert "OMP_NUM_THREADS" not in err and "find_unused_parameters" not in err, err


FAKE_TORCHRUN = (
    "import signal, sys, time\n"
    "def stop(*a):\n"
    "    sys.stderr.write('Traceback (most recent call last):\\n  SignalException: got signal 15\\n')\n"
    "    sys.stderr.flush()\n"
    "    sys.exit(1)\n"
    "signal.signal(signal.SIGTERM, stop)\n"
    "sys.stderr.write('rank output\\n'); sys.stderr.flush()\n"
    "time.sleep(60)\n"
)


def test_ctrl_c_under_torchrun_exits_130_with_one_line(tmp_path, capfd, monkeypatch):
    timers = []

    def fake_torchrun(nproc, args):
        # the user's Ctrl-C, 2 s after the launch starts (a timer started before cli_main
        # could fire while the store is read, on a loaded machine, and test nothing), sent
        # to the main thread: in the whole suite a process-directed SIGINT went unhandled
        # for the fake torchrun's 60 s (rc 0), which no run of this file alone reproduced
        main = threading.main_thread().ident
        timers.append(threading.Timer(2.0, signal.pthread_kill, (main, signal.SIGINT)))
        timers[-1].start()
        return [sys.executable, "-c", FAKE_TORCHRUN]

    monkeypatch.setattr(launch, "torchrun_command", fake_torchrun)
    path, _, _ = write_blob_store(tmp_path / "s.h5", *blob_windows(n=20, n_second=21))
    try:
        rc = cli_main(["fit", str(path), "-k", "2", "-o", str(tmp_path / "m.h5"), "--nproc", "2",
                       "--quiet"])
    finally:
        for timer in timers:
            timer.cancel()
    err = capfd.readouterr().err
    assert len(timers) == 1
    assert rc == 130
    assert "Traceback" not in err and "SignalException" not in err, err
    assert "rank output" in err  # what the ranks print before the interrupt is relayed
    assert err.strip().splitlines()[-1] == "tsclust: error: interrupted"
    assert not (tmp_path / "m.h5").exists()
