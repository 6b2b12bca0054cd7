"""The ``tsclust`` entry point: no command, a light parser."""

from __future__ import annotations

import pytest

from tsclust.cli import main


def test_no_command(capsys):
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err


HEAVY = ("torch", "sklearn", "tslearn", "h5py", "matplotlib")

LIGHT_PARSER = f"""
import sys
import tsclust.cli
parser = tsclust.cli.build_parser()
for argv in (["--help"], ["fit", "--help"], ["fit", "s.h5", "-k", "two", "-o", "m.h5"],
             ["bench", "panel", "--help"], ["fit", "s.h5", "-k", "2", "-o", "m.h5", "--nproc", "0"],
             ["segment", "m.h5", "r.csv", "-o", "s.csv", "--min-duration", "-3"]):
    try:
        parser.parse_args(argv)
    except SystemExit:
        pass
loaded = [m for m in {HEAVY!r} if m in sys.modules]
assert not loaded, loaded
"""


def test_parser_imports_no_torch():
    # a subprocess: the test session itself has torch loaded
    import subprocess
    import sys

    cmd = "import tsclust.cli, sys; tsclust.cli.build_parser(); assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", cmd], check=True)
    done = subprocess.run([sys.executable, "-c", LIGHT_PARSER], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_subcommand_registry():
    from tsclust.cli import SUBCOMMANDS, build_parser

    names = [m.__name__.rsplit(".", 1)[1] for m in SUBCOMMANDS]
    assert names == ["windows", "info", "fit", "predict", "compare", "segment", "demo", "bench"]
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert list(sub.choices) == names
    for module in SUBCOMMANDS:
        assert sub.choices[module.__name__.rsplit(".", 1)[1]].get_default("func") is module.run


def test_user_errors_exit_2_without_traceback(capsys):
    from tsclust.cli._common import run_command

    def fails(args):
        raise ValueError("bad input")

    assert run_command(fails, None) == 2
    assert capsys.readouterr().err == "tsclust: error: bad input\n"
    assert run_command(lambda args: None, None) == 0


def test_sigterm_handler_is_installed_only_while_a_command_runs():
    import signal

    from tsclust.cli._common import Terminated, run_command

    before = signal.getsignal(signal.SIGTERM)

    def terminated(args):
        assert signal.getsignal(signal.SIGTERM) is not before
        signal.raise_signal(signal.SIGTERM)
        raise AssertionError("SIGTERM did not interrupt")

    assert run_command(terminated, None) == 143
    assert signal.getsignal(signal.SIGTERM) is before
    assert issubclass(Terminated, KeyboardInterrupt)  # the cleanup of Ctrl-C runs


def test_info_loads_no_torch_or_sklearn(tmp_path):
    # `tsclust info` (and --verify) reads a store with h5py and numpy alone
    import subprocess
    import sys

    import numpy as np

    from tsclust.io import write_windows
    from tsclust.preprocessing import Windows

    store = tmp_path / "s.h5"
    write_windows(store, Windows(np.zeros((4, 8, 2), np.float32), y=[1, 1, 2, 2]))
    cmd = (
        "import sys; from tsclust.cli import main; "
        f"assert main(['info', {str(store)!r}, '--verify']) == 0; "
        "loaded = [m for m in ('torch', 'sklearn', 'tslearn', 'matplotlib') if m in sys.modules]; "
        "assert not loaded, loaded"
    )
    done = subprocess.run([sys.executable, "-c", cmd], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "OK" in done.stdout


@pytest.mark.parametrize("argv", [
    ["fit", "{missing}", "-k", "3", "-o", "{tmp}/m.h5"],
    ["predict", "{missing}", "{missing}", "-o", "{tmp}/l.csv"],
    ["segment", "{missing}", "{missing}", "-o", "{tmp}/s.csv"],
    ["segment", "{model}", "{missing}", "-o", "{tmp}/s.csv"],
])
def test_missing_inputs_are_refused_before_torch_is_imported(tmp_path, argv):
    import subprocess
    import sys

    model = tmp_path / "model.h5"
    model.write_bytes(b"")
    args = [a.format(missing=tmp_path / "nope.h5", tmp=tmp_path, model=model) for a in argv]
    cmd = (
        "import sys; from tsclust.cli import main; "
        f"assert main({args!r}) == 2; "
        "assert 'torch' not in sys.modules, 'torch imported before the check'"
    )
    done = subprocess.run([sys.executable, "-c", cmd], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "not found" in done.stderr


def test_a_warning_is_one_line_on_stderr(capsys):
    import argparse
    import warnings

    from tsclust.cli._common import run_command

    def warns(args):
        warnings.warn("the silhouette is highest at the top of k_range", UserWarning, stacklevel=1)
        return 0

    assert run_command(warns, argparse.Namespace()) == 0
    err = capsys.readouterr().err
    assert err == "tsclust: warning: the silhouette is highest at the top of k_range\n"


@pytest.mark.parametrize("exc", [
    OSError(28, "No space left on device"),
    OSError("Can't write data (file write failed: ..., No space left on device)"),  # h5py
])
def test_a_full_disk_is_not_blamed_on_the_input(tmp_path, exc):
    import argparse

    from tsclust.cli._common import error_message

    store = tmp_path / "s.h5"
    store.write_bytes(b"x")
    msg = error_message(exc, argparse.Namespace(store=store))
    assert msg.startswith("No space left on device while writing")
    assert str(store) not in msg and "damaged" not in msg
