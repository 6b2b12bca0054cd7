"""bench/cache.py: cached panel rows, their sidecar, merging, refusing what is not a cache."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import tsclust
from tsclust.bench import cache
from tsclust.bench.panel import PANEL_COLUMNS, PROTOCOL, Problem, run_panel


def row(dataset, method, seed=0, status="ok", nmi=0.5, **extra):
    return {"dataset": dataset, "method": method, "seed": seed, "status": status, "nmi": nmi,
            "ari": 0.25, "fit_time_s": 1.5, "n_series": 40, "error": None, **extra}


RUN = {"command": "tsclust bench --write-cache", "methods": ["dtw-kmeans", "kshape"],
       "problems": ["Coffee", "GunPoint"]}


def test_paths():
    assert cache.sidecar_path("out/panel.csv") == Path("out/panel.json")
    default = cache.default_cache_path()
    assert default.parts[-2:] == ("benchmarks", "panel_baselines.csv")
    assert default.parent.parent == Path(tsclust.__file__).resolve().parent.parent


def test_package_versions_names_the_installed_and_the_missing():
    got = cache.package_versions(["numpy", "no-such-distribution-tsclust-test"])
    assert got == {"numpy": np.__version__, "no-such-distribution-tsclust-test": None}
    assert set(cache.package_versions()) == set(cache.VERSIONED_PACKAGES)


def test_merge_replaces_pairs_keeps_the_others_and_drops_skipped_runs():
    old = [row("Coffee", "kshape", 0, nmi=0.1), row("Coffee", "kshape", 1, nmi=0.2),
           row("GunPoint", "kshape", nmi=0.3), row("Coffee", "dtw-kmeans", nmi=0.4)]
    new = [row("Coffee", "kshape", 0, nmi=0.9),  # one seed replaces both old seeds of the pair
           row("Beef", "kshape", status="skipped", nmi=None),  # not cached
           row("Adiac", "kshape", nmi=0.7)]
    merged = cache.merge_rows(old, new)
    assert [(r["dataset"], r["method"], r["seed"], r["nmi"]) for r in merged] == [
        ("Adiac", "kshape", 0, 0.7),
        ("Coffee", "dtw-kmeans", 0, 0.4),
        ("Coffee", "kshape", 0, 0.9),
        ("GunPoint", "kshape", 0, 0.3),
    ]
    assert {r["source"] for r in merged} == {"run"}
    assert old[0]["nmi"] == 0.1 and "source" not in old[0]  # inputs untouched


def test_texts_round_trip():
    rows = cache.merge_rows([], [row("Coffee", "kshape", nmi=0.123456789, params="{'k': 2}"),
                                 row("GunPoint", "kshape", nmi=float("nan"), error="boom")])
    csv, sidecar = cache.cache_texts(rows, RUN)
    assert csv.splitlines()[0].split(",")[: len(PANEL_COLUMNS)] == list(PANEL_COLUMNS)
    assert csv.splitlines()[0].endswith(",params")  # other keys follow the panel columns
    back, meta = cache.parse_cache(csv, sidecar)
    assert len(back) == 2
    for want, got in zip(rows, back, strict=True):
        for key in ("dataset", "method", "seed", "status", "ari", "fit_time_s", "n_series",
                    "source", "error"):
            assert got[key] == want[key], key
    assert back[0]["nmi"] == 0.123456789 and np.isnan(back[1]["nmi"])
    assert back[0]["params"] == "{'k': 2}" and back[0]["acc"] is None
    assert meta["format"] == cache.CACHE_FORMAT and meta["protocol"] == PROTOCOL
    assert meta["n_rows"] == 2 and len(meta["runs"]) == 1
    entry = meta["runs"][0]
    assert {k: entry[k] for k in RUN} == RUN  # the methods and problems it ran are recorded
    assert entry["versions"]["numpy"] == np.__version__
    assert entry["date"].endswith("UTC") and "CPU" in entry["machine"]


def test_a_later_run_is_added_after_the_earlier_ones():
    _, first = cache.cache_texts([], {"command": "first", "date": "2024-01-01 00:00 UTC"})
    _, second = cache.cache_texts([], {"command": "second"}, previous=json.loads(first))
    runs = json.loads(second)["runs"]
    assert [r["command"] for r in runs] == ["first", "second"]
    assert runs[0]["date"] == "2024-01-01 00:00 UTC"  # a given date is kept


def test_write_cache_writes_both_files_and_merges_into_what_it_holds(tmp_path):
    path = tmp_path / "new" / "panel.csv"  # the folder is created
    written = cache.write_cache(path, [row("Coffee", "kshape", nmi=0.1)], RUN)
    assert written == {"panel.csv": path, "panel.json": tmp_path / "new" / "panel.json"}
    held = cache.parse_cache(path.read_text(), cache.sidecar_path(path).read_text())
    cache.write_cache(path, [row("GunPoint", "kshape", nmi=0.2)], {"command": "second"},
                      previous=held)
    rows, meta = cache.parse_cache(path.read_text(), cache.sidecar_path(path).read_text())
    assert [(r["dataset"], r["nmi"]) for r in rows] == [("Coffee", 0.1), ("GunPoint", 0.2)]
    assert meta["n_rows"] == 2
    assert [r["command"] for r in meta["runs"]] == [RUN["command"], "second"]


@pytest.mark.parametrize(
    "sidecar, match",
    [
        ("[]", "not a panel cache sidecar"),
        ('{"format": "tsclust-panel-cache/0", "protocol": null}', "not a panel cache sidecar"),
        (json.dumps({"format": cache.CACHE_FORMAT, "protocol": "per-series z"}),
         r"another protocol \('per-series z'\).*recompute it \(CLI: --recompute\)"),
        (json.dumps({"format": cache.CACHE_FORMAT}), r"another protocol \(None\)"),
    ],
)
def test_what_is_not_a_cache_is_refused(sidecar, match):
    csv, _ = cache.cache_texts([row("Coffee", "kshape")], RUN)
    with pytest.raises(ValueError, match=match):
        cache.parse_cache(csv, sidecar)


def test_a_sidecar_that_is_not_json_is_a_value_error():
    # a ValueError (json's own message, which names neither the file nor the cache)
    csv, _ = cache.cache_texts([], RUN)
    with pytest.raises(ValueError):
        cache.parse_cache(csv, "not json")


def test_text_columns_stay_text():
    csv, sidecar = cache.cache_texts([row("123", "kshape", error="42")], RUN)
    (back,), _ = cache.parse_cache(csv, sidecar)
    assert back["dataset"] == "123" and back["error"] == "42"
    assert back["seed"] == 0 and isinstance(back["seed"], int)  # numbers stay numbers


def test_numeric_looking_names_round_trip_unchanged():
    csv, sidecar = cache.cache_texts([row("007", "1e5")], RUN)
    (back,), _ = cache.parse_cache(csv, sidecar)
    assert (back["dataset"], back["method"]) == ("007", "1e5")


def test_only_the_requested_cached_pairs_are_used_and_no_problem_is_loaded():
    csv, sidecar = cache.cache_texts(cache.merge_rows([], [
        row("A", "m1", nmi=0.1), row("A", "m2", nmi=0.2), row("B", "m1", nmi=0.3),
        row("C", "m1", nmi=0.4)]), RUN)
    cached, _ = cache.parse_cache(csv, sidecar)

    def loader(problem):
        raise AssertionError(f"{problem.name} loaded although its rows are cached")

    problems = [Problem("A", "toy", "", 10, 5, 2), Problem("B", "toy", "", 20, 5, 2)]
    out = run_panel(problems, ["m1"], progress=False, cached=cached, loader=loader)
    assert [(r["dataset"], r["method"], r["nmi"], r["source"]) for r in out] == [
        ("A", "m1", 0.1, "cache"), ("B", "m1", 0.3, "cache")]


def test_a_csv_without_the_key_columns_is_not_a_cache():
    _, sidecar = cache.cache_texts([row("A", "m1")], RUN)
    with pytest.raises(ValueError, match="no dataset or method column"):
        cache.parse_cache("a,b\n1,2\n", sidecar)
