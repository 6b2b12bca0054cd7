"""The panel benchmark: problems, runs with limits and failures, the cache, the CLI (--quick)."""

from __future__ import annotations

import logging
import math
import os
import re
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import SHARED_DATA
from tsclust.bench import cache, panel
from tsclust.bench.panel import Limits, Problem, run_panel
from tsclust.cli import main
from tsclust.cli.bench import _read_cache

FAST = ["kmeans", "euclidean-kmeans"]


@pytest.fixture(scope="module")
def ucr_root():
    """The shared data root with ``ucr2018/INDEX.tsv``; skips the test when it is absent."""
    root = SHARED_DATA.resolve()
    if not (root / "ucr2018" / "INDEX.tsv").is_file():
        pytest.skip(f"UCR data (ucr2018/INDEX.tsv) not found under {root}")
    return root


def toy_problems(n=3):
    return [Problem(f"T{i}", "toy", "", 20 + 10 * i, 12, 2) for i in range(n)]


def toy_loader(problem):
    """Two well separated blobs; T1 has more series than T0, and so on."""
    rng = np.random.RandomState(len(problem.name))
    n = problem.n_series // 2
    X = np.concatenate([rng.randn(n, 12, 1), rng.randn(n, 12, 1) + 5]).astype(np.float32)
    return X, np.r_[np.zeros(n), np.ones(n)].astype(int)


# ------------------------------------------------------------------ problems and methods


def test_problems_of_the_shared_data(ucr_root):
    everything = panel.list_problems(ucr_root)
    names = [p.name for p in everything]
    assert names[-1] == "HAPT" and len(names) == 68 and "Coffee" in names
    quick = panel.list_problems(ucr_root, "quick")
    assert [p.name for p in quick] == list(panel.QUICK_PROBLEMS)
    assert quick[1] == Problem("Coffee", "ucr", str(ucr_root / "ucr2018" / "Coffee"), 56, 286, 2)
    with pytest.raises(ValueError, match="unknown problem"):
        panel.list_problems(ucr_root, ["Coffee", "NoSuchSet"])
    X, y = panel.load_problem(quick[1])
    assert X.shape == (56, 286, 1) and X.dtype == np.float32 and len(np.unique(y)) == 2
    assert abs(X.mean()) < 1e-5 and X.std() == pytest.approx(1.0, abs=1e-4)  # global standardization
    with pytest.raises(FileNotFoundError):
        panel.list_problems(ucr_root / "missing")


def test_methods_seeds_and_parameters(caplog):
    methods = panel.default_methods()
    assert methods[0] == "default" and {"conv+kmeans", "conv+dec", "dtw-kmeans"} <= set(methods)
    assert {"rocket-kmeans", "spectral", "rocket-spectral"} <= set(methods)
    with caplog.at_level(logging.WARNING):
        kept = panel.resolve_methods(["kmeans", "nope", "kmeans", "cached-only"], ["cached-only"])
    assert kept == ["kmeans", "cached-only"] and "'nope' is not registered" in caplog.text
    with pytest.raises(ValueError, match="unknown method 'nope'.*valid names"):
        panel.resolve_methods(["kmeans", "nope"], strict=True)
    assert panel.resolve_methods(["cached-only"], ["cached-only"], strict=True) == ["cached-only"]
    assert panel.seeds_for("default", 3) == [0, 1, 2] and panel.seeds_for("kshape", 3) == [0]
    assert panel.deep_params(["default", "conv+dec", "kmeans"], {"pretrain_epochs": 1}) == {
        "default": {"pretrain_epochs": 1}, "conv+dec": {"pretrain_epochs": 1}}
    assert panel.run_cost("dtw-kmeans", (10, 100, 2)) == 10 * 100**2 * 2
    assert panel.run_cost("kmeans", (10, 100, 2)) == 10 * 100 * 2


# ------------------------------------------------------------------ runs


def test_run_panel_rows_failures_and_skips(monkeypatch):
    monkeypatch.setattr(panel, "QUADRATIC_METHODS", ("stats-kmeans",))  # no numba compile
    problems = toy_problems(2) + [Problem("Broken", "toy", "", 5, 12, 2)]

    rows = run_panel(problems, [*FAST, "stats-kmeans", "nope"], seeds=2, progress=False,
                     limits=Limits(max_cost=20 * 12**2), loader=broken_or_toy)
    by = {(r["dataset"], r["method"], r["seed"]): r for r in rows}
    assert [r["dataset"] for r in rows][:4] == ["Broken"] * 4  # smallest first
    assert by[("Broken", "kmeans", 0)]["error"] == "OSError: unreadable"
    ok = by[("T0", "kmeans", 0)]
    assert (ok["status"], ok["source"], ok["nmi"], ok["n_series"], ok["n_channels"]) == (
        "ok", "run", 1.0, 20, 1)
    assert ("T0", "kmeans", 1) not in by  # a baseline runs once
    assert by[("T0", "stats-kmeans", 0)]["status"] == "ok"  # cost 20 * 144: at the limit
    skipped = by[("T1", "stats-kmeans", 0)]
    assert skipped["status"] == "skipped" and "max_cost" in skipped["error"]
    assert math.isnan(skipped["nmi"])
    bad = by[("T0", "nope", 0)]  # an unregistered method that reaches a run: an error row
    assert bad["status"] == "error" and "unknown method" in bad["error"]
    assert list(rows[0])[: len(panel.PANEL_COLUMNS)] == list(panel.PANEL_COLUMNS)


def test_max_seconds_skips_larger_problems_after_a_slow_run():
    limits = Limits(max_cost=None, max_seconds=0.0)  # every run is "slow"
    rows = run_panel(toy_problems(3), ["kmeans"], progress=False, limits=limits,
                     loader=toy_loader)
    assert [r["status"] for r in rows] == ["ok", "skipped", "skipped"]
    assert "max_seconds" in rows[1]["error"] and "T0" in rows[1]["error"]


def test_parallel_jobs_give_the_rows_of_one_job():
    # two spawned workers: the same scores, statuses and order as one process
    problems = toy_problems(3) + [Problem("Broken", "toy", "", 5, 12, 2)]
    cached = [{"dataset": "T2", "method": "euclidean-kmeans", "seed": 0, "status": "ok",
               "nmi": 0.5}]
    kw = {"seeds": 2, "progress": False, "loader": broken_or_toy, "cached": cached}
    one = run_panel(problems, ["kmeans", "euclidean-kmeans"], **kw)
    two = run_panel(problems, ["kmeans", "euclidean-kmeans"], n_jobs=2, **kw)
    keep = ("dataset", "method", "seed", "status", "source", "nmi", "ari", "error")

    def table(rows):  # NaN -> None, so that equal rows compare equal
        return [[None if isinstance(v := r.get(k), float) and math.isnan(v) else v
                 for k in keep] for r in rows]

    assert table(two) == table(one)
    assert {r["source"] for r in one} == {"run", "cache"}
    assert [r["dataset"] for r in one][0] == "Broken" and len(one) == 4 * 2
    with pytest.raises(ValueError, match="max_seconds"):
        run_panel(problems, ["kmeans"], n_jobs=2, limits=Limits(max_seconds=1.0), **kw)
    with pytest.raises(ValueError, match="n_jobs"):
        run_panel(problems, ["kmeans"], n_jobs=0, **kw)


def test_a_dead_worker_leaves_error_rows_not_a_crash():
    problems = toy_problems(2) + [Problem("Dies", "toy", "", 25, 12, 2)]
    rows = run_panel(problems, ["kmeans"], progress=False, loader=dies_or_toy, n_jobs=2)
    assert sorted(r["dataset"] for r in rows) == ["Dies", "T0", "T1"]
    dead = next(r for r in rows if r["dataset"] == "Dies")
    assert dead["status"] == "error" and "BrokenProcessPool" in dead["error"]


def dies_or_toy(problem):
    """:func:`toy_loader`, except that loading "Dies" kills its worker process."""
    if problem.name == "Dies":
        os._exit(1)
    return toy_loader(problem)


def broken_or_toy(problem):
    """:func:`toy_loader`, except that "Broken" cannot be read (module level: picklable)."""
    if problem.name == "Broken":
        raise OSError("unreadable")
    return toy_loader(problem)


# ------------------------------------------------------------------ cache


def test_cache_round_trip_merge_and_use(tmp_path):
    path = tmp_path / "bench" / "cache.csv"
    rows = run_panel(toy_problems(2), FAST, progress=False, loader=toy_loader)
    rows[0] = {**rows[0], "status": "skipped", "error": "skipped: test"}  # not cached
    written = cache.write_cache(path, rows, {"command": "test", "methods": FAST})
    assert set(written) == {"cache.csv", "cache.json"}
    back, meta = _read_cache(path)
    assert len(back) == 3 and meta["protocol"] == panel.PROTOCOL and meta["n_rows"] == 3
    assert meta["runs"][0]["command"] == "test" and "numpy" in meta["runs"][0]["versions"]
    original = {(r["dataset"], r["method"]): r for r in rows[1:]}
    for r in back:
        want = original[(r["dataset"], r["method"])]
        for key in ("seed", "status", "nmi", "ari", "fit_time_s", "n_series", "error"):
            assert r[key] == want[key], key
    # writing again merges: the new rows of a pair replace the old ones, the others stay
    again = [dict(r, nmi=0.5) for r in rows if r["dataset"] == "T1" and r["method"] == "kmeans"]
    cache.write_cache(path, again, {"command": "second"}, previous=(back, meta))
    merged, meta2 = _read_cache(path)
    assert len(merged) == 3 and [r["command"] for r in meta2["runs"]] == ["test", "second"]
    assert {(r["dataset"], r["method"]): r["nmi"] for r in merged}[("T1", "kmeans")] == 0.5

    # a run with the cache: cached pairs are not run (nor their problems loaded)
    loaded = []

    def spy(problem):
        loaded.append(problem.name)
        return toy_loader(problem)

    out = run_panel(toy_problems(2), FAST, progress=False, cached=merged, loader=spy)
    assert loaded == ["T0"]  # T0 kmeans was skipped when cached, so T0 runs again
    sources = {(r["dataset"], r["method"]): r["source"] for r in out}
    assert sources == {("T0", "kmeans"): "run", ("T0", "euclidean-kmeans"): "cache",
                       ("T1", "kmeans"): "cache", ("T1", "euclidean-kmeans"): "cache"}


def test_a_cache_of_another_protocol_is_refused(tmp_path):
    path = tmp_path / "c.csv"
    cache.write_cache(path, [], {"command": "x"})
    side = cache.sidecar_path(path)
    side.write_text(side.read_text().replace("global per-channel", "per-series z"))
    with pytest.raises(ValueError, match="another protocol"):
        _read_cache(path)
    with pytest.raises(ValueError, match="not a panel cache"):
        cache.parse_cache("", "{}")


def test_write_panel_files(tmp_path):
    rows = run_panel(toy_problems(3), FAST, progress=False, loader=toy_loader)
    paths = panel.write_panel(rows, tmp_path / "out", meta={"command": "test"})
    assert sorted(paths) == sorted(panel.PANEL_FILES)
    assert all(p.stat().st_size > 0 for p in paths.values())
    text = (tmp_path / "out" / "panel.md").read_text()
    assert "- command: test" in text and "Nemenyi critical difference" in text
    with pytest.raises(FileExistsError):
        panel.write_panel(rows, tmp_path / "out")


# ------------------------------------------------------------------ CLI, --quick


def test_cli_quick_on_the_real_problems(ucr_root, tmp_path, capsys):
    out, cache_csv = tmp_path / "quick", tmp_path / "cache.csv"
    argv = ["bench", "panel", "--quick", "--methods", "default,euclidean-kmeans",
            "--epochs", "1", "--data-root", str(ucr_root), "--recompute", "--quiet",
            "--write-cache", str(cache_csv), "-o", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "## Average ranks" in printed and "vs euclidean-kmeans" in printed
    rows, _ = _read_cache(cache_csv)
    assert {r["dataset"] for r in rows} == set(panel.QUICK_PROBLEMS)
    assert {r["method"] for r in rows} == {"default", "euclidean-kmeans"}
    assert all(r["status"] == "ok" and r["seed"] == 0 for r in rows)
    assert sorted(p.name for p in out.iterdir()) == sorted(panel.PANEL_FILES)
    # the cached rows are read back instead of run: nothing is fitted, the numbers are the same
    argv2 = ["bench", "panel", "--quick", "--methods", "euclidean-kmeans", "--data-root",
             str(ucr_root), "--cache", str(cache_csv), "--quiet", "-o", str(out)]
    assert main(argv2) == 2  # OUTDIR exists without --overwrite
    assert main([*argv2, "--overwrite"]) == 0
    runs = (out / "panel_runs.csv").read_text()
    assert runs.count(",cache,") == 3


@pytest.mark.parametrize(("option", "value", "match"), [
    ("--problems", "", "--problems '' names nothing"),
    ("--problems", " , ", "--problems ' , ' names nothing"),
    ("--methods", "", "--methods '' names nothing"),
    ("--methods", "kmeans,k-means", "unknown method 'k-means'.*valid names"),
])
def test_cli_empty_lists_and_unknown_methods_are_errors(ucr_root, tmp_path, monkeypatch, capsys,
                                                        option, value, match):
    def no_run(*args, **kwargs):
        raise AssertionError("nothing may run")

    monkeypatch.setattr(panel, "run_panel", no_run)
    argv = ["bench", "panel", "--quick", "--data-root", str(ucr_root), "--recompute", "-q",
            "--methods", "kmeans", option, value, "-o", str(tmp_path / "o")]
    assert main(argv) == 2
    assert re.search(match, capsys.readouterr().err)
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("case", ["not a cache", "inside -o", "read-only", "not .csv"])
def test_cli_write_cache_is_checked_before_the_run(ucr_root, tmp_path, monkeypatch, capsys, case):
    def no_run(*args, **kwargs):
        raise AssertionError("nothing may run")

    monkeypatch.setattr(panel, "run_panel", no_run)
    out, target = tmp_path / "o", tmp_path / "cache.csv"
    if case == "not a cache":
        target.write_text("a,b\n1,2\n")
    elif case == "inside -o":
        target = out / "cache.csv"
    elif case == "read-only":
        target = tmp_path / "ro" / "sub" / "cache.csv"
        (tmp_path / "ro").mkdir()
        real = os.access
        monkeypatch.setattr(os, "access", lambda p, mode, **kw: Path(p) != tmp_path / "ro"
                            and real(p, mode, **kw))  # root may write anywhere: pretend
    else:
        target = tmp_path / "cache.json"
    argv = ["bench", "panel", "--quick", "--data-root", str(ucr_root), "--recompute", "-q",
            "--methods", "kmeans", "--write-cache", str(target), "-o", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert {"not a cache": "is not a panel cache", "inside -o": "inside the -o folder",
            "read-only": "is not writable", "not .csv": "name a .csv file"}[case] in err
    assert not out.exists()


def test_cli_writes_the_results_before_the_cache(ucr_root, tmp_path, monkeypatch, capsys):
    rows = run_panel(toy_problems(2), FAST, progress=False, loader=toy_loader)
    monkeypatch.setattr(panel, "run_panel", lambda *args, **kwargs: rows)

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache, "write_cache", full_disk)
    out = tmp_path / "o"
    argv = ["bench", "panel", "--quick", "--data-root", str(ucr_root), "--recompute", "-q",
            "--methods", ",".join(FAST), "--write-cache", str(tmp_path / "c.csv"), "-o", str(out)]
    assert main(argv) == 2
    assert "No space left" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == sorted(panel.PANEL_FILES)


def test_cli_params_reach_the_deep_methods(ucr_root, tmp_path, monkeypatch):
    seen = {}

    def fake_run_panel(problems, methods, *, method_params, n_jobs, **kw):
        seen.update(method_params, n_jobs=n_jobs)
        return []

    monkeypatch.setattr(panel, "run_panel", fake_run_panel)
    argv = ["bench", "panel", "--quick", "--methods", "rocket+dec,euclidean-kmeans",
            "--params", '{"module_kwargs": {"n_features": 168}}', "--epochs", "2",
            "--data-root", str(ucr_root), "--recompute", "--quiet", "-o", str(tmp_path / "o"),
            "--jobs", "2"]
    main(argv)
    assert seen == {"rocket+dec": {"module_kwargs": {"n_features": 168},
                                   "pretrain_epochs": 2, "finetune_epochs": 2}, "n_jobs": 2}
    for bad in ("[1, 2]", "{not json"):
        with pytest.raises(SystemExit):
            main([*argv[:6], bad, "--quiet"])


def test_quick_problems_are_shipped_when_the_data_root_has_none(tmp_path):
    problems = panel.list_problems(tmp_path, "quick")
    assert [p.name for p in problems] == list(panel.QUICK_PROBLEMS)
    assert all(Path(p.path).is_relative_to(panel.SHIPPED_ROOT) for p in problems)
    X, y = panel.load_problem(problems[1])  # Coffee: 28 + 28 series of 286 points
    assert X.shape == (56, 286, 1) and len(np.unique(y)) == 2


def test_missing_panel_data_says_where_to_get_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="UCR archive 2018.*--data-root"):
        panel.list_problems(tmp_path, "all")
