"""scripts/select_k_panel.py: chosen k vs true k per problem, a failing problem is a row."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import numpy as np

from tsclust.bench import panel
from tsclust.bench.panel import Problem

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "select_k_panel.py"


def _script():
    spec = importlib.util.spec_from_file_location("select_k_panel", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_table_of_chosen_and_true_k(tmp_path, monkeypatch, capsys):
    problems = [Problem("Blobs", "toy", "", 30, 16, 3), Problem("Same", "toy", "", 30, 16, 2)]
    monkeypatch.setattr(panel, "list_problems", lambda root, names: problems)

    def load(problem):
        rng = np.random.RandomState(0)
        y = np.repeat([0, 1, 2], 10)
        if problem.name == "Same":
            return np.ones((30, 16, 1), np.float32), y
        return (rng.randn(30, 16, 1) * 0.1 + 4 * y[:, None, None]).astype(np.float32), y

    monkeypatch.setattr(panel, "load_problem", load)
    out = tmp_path / "k.csv"
    assert _script().main(["--problems", "Blobs,Same", "--k-max", "4", "--epochs", "1",
                           "-o", str(out)]) == 0
    rows = {r["problem"]: r for r in csv.DictReader(out.open())}
    assert rows["Blobs"]["true_k"] == "3" and rows["Blobs"]["k_range"] == "2-4"
    assert rows["Blobs"]["best_k"] in {"2", "3", "4"} and rows["Blobs"]["error"] == ""
    assert "identical" in rows["Same"]["error"]
    assert "picks the true k on" in capsys.readouterr().out
