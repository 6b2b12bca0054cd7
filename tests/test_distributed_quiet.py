"""``tsclust fit --nproc 2`` is quiet: no OMP banner, no DDP warning, scores; Ctrl-C: one line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

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


CTRL_C_RUN = (
    # a background job of a non-interactive shell starts with SIGINT ignored (and so does
    # a pytest run started that way, whose children inherit it); a user's Ctrl-C reaches a
    # foreground command, where Python's default handler is installed
    "import signal, sys\n"
    "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
    "from tsclust.distributed import launch\n"
    "launch.torchrun_command = lambda nproc, args: [sys.executable, '-c', sys.argv[1]]\n"
    "from tsclust.cli import main\n"
    "sys.exit(main(['fit', sys.argv[2], '-k', '2', '-o', sys.argv[3], '--nproc', '2', '--quiet']))\n"
)


def test_ctrl_c_under_torchrun_exits_130_with_one_line(tmp_path):
    # a real Ctrl-C reaches a whole process: the command runs in its own process, gets
    # SIGINT once its ranks have printed, and must stop at once
    path, _, _ = write_blob_store(tmp_path / "s.h5", *blob_windows(n=20, n_second=21))
    model = tmp_path / "m.h5"
    proc = subprocess.Popen([sys.executable, "-c", CTRL_C_RUN, FAKE_TORCHRUN, str(path), str(model)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    try:
        for line in proc.stderr:  # the ranks' output is relayed before the interrupt
            lines.append(line)
            if "rank output" in line:
                break
        proc.send_signal(signal.SIGINT)
        _, rest = proc.communicate(timeout=30)
        rc = proc.returncode
    finally:
        if proc.poll() is None:
            proc.kill()
    err = "".join(lines) + rest
    assert rc == 130, err
    assert "Traceback" not in err and "SignalException" not in err, err
    assert "rank output" in err
    assert err.strip().splitlines()[-1] == "tsclust: error: interrupted"
    assert not model.exists()
