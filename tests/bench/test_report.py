"""The report math of the panel on hand-made rows: ranks, W/T/L, Friedman/Nemenyi, tables."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tsclust.bench.report import (
    TIE_NMI,
    analyse,
    average_ranks,
    friedman_nemenyi,
    markdown,
    problem_summary,
    score_matrix,
    summary_csv,
    win_tie_loss,
)
from tsclust.compare.report import parse_csv_text


def row(dataset, method, nmi, seed=0, status="ok", ari=None, fit=1.0):
    error = None if status == "ok" else f"{status}: because"
    return {"dataset": dataset, "method": method, "seed": seed, "status": status,
            "nmi": nmi if status == "ok" else math.nan,
            "ari": (nmi if ari is None else ari) if status == "ok" else math.nan,
            "fit_time_s": fit if status == "ok" else math.nan, "wall_time_s": fit,
            "n_clusters": 2, "n_series": 10, "length": 8, "n_channels": 1, "source": "run",
            "error": error}


def test_average_ranks_average_ties_and_use_complete_rows_only():
    m = np.array([[0.9, 0.5, 0.5], [0.2, 0.8, 0.1], [0.3, np.nan, 0.0]])
    ranks, n = average_ranks(m)
    assert n == 2
    np.testing.assert_allclose(ranks, [(1 + 2) / 2, (2.5 + 1) / 2, (2.5 + 3) / 2])
    ranks, n = average_ranks(np.full((2, 3), np.nan))
    assert n == 0 and np.isnan(ranks).all()
    assert average_ranks(np.zeros((2, 0)))[1] == 0


def test_nemenyi_cd_matches_demsar_table_and_friedman_matches_scipy():
    from scipy.stats import friedmanchisquare

    rng = np.random.RandomState(0)
    m = rng.rand(12, 4)
    out = friedman_nemenyi(m)
    # Demsar (2006), table 5(a): q_0.05 = 2.569 for k = 4
    assert out["cd"] == pytest.approx(2.569 * math.sqrt(4 * 5 / (6 * 12)), abs=1e-3)
    stat, p = friedmanchisquare(*m.T)
    assert (out["statistic"], out["p_value"]) == pytest.approx((stat, p))
    assert (out["n_problems"], out["n_methods"]) == (12, 4)
    two = friedman_nemenyi(m[:, :2])  # k = 2: a CD (q = 1.960), no Friedman statistic
    assert two["cd"] == pytest.approx(1.960 * math.sqrt(2 * 3 / 72), abs=1e-3)
    assert math.isnan(two["statistic"])
    assert math.isnan(friedman_nemenyi(np.full((3, 3), np.nan))["cd"])


def test_win_tie_loss_counts_ties_within_the_threshold_on_common_problems():
    m = np.array([[0.50, 0.40, 0.1],
                  [0.50, 0.50 + TIE_NMI, 0.1],   # exactly at the threshold: a tie
                  [0.50, 0.50 + 2 * TIE_NMI, 0.1],
                  [np.nan, 0.30, 0.1]])          # a not scored: not counted
    out = win_tie_loss(m, ["a", "b", "c"], ["b", "c", "absent"])
    assert out["a"] == {"b": (1, 1, 1), "c": (3, 0, 0)}
    assert out["b"] == {"c": (4, 0, 0)}
    assert out["c"] == {"b": (0, 0, 4)}
    assert "absent" not in out["a"]


def hand_rows():
    return [
        row("P1", "deep", 0.8, seed=0), row("P1", "deep", 0.6, seed=1),
        row("P1", "deep", 0.1, seed=2, status="error"),
        row("P1", "base", 0.5), row("P1", "rare", 0.9),
        row("P2", "deep", 0.3), row("P2", "base", 0.302),
        row("P2", "rare", math.nan, status="skipped"),
        row("P3", "deep", 0.2), row("P3", "base", 0.4),
        row("P3", "rare", math.nan, status="skipped"),
    ]


def test_summary_means_over_the_seeds_that_ran():
    summary = problem_summary(hand_rows())
    p1 = {e["method"]: e for e in summary if e["dataset"] == "P1"}
    assert p1["deep"]["nmi_mean"] == pytest.approx(0.7)
    assert (p1["deep"]["runs"], p1["deep"]["ok"], p1["deep"]["errors"]) == (3, 2, 1)
    m = score_matrix(summary, ["P1", "P2", "P3"], ["deep", "base", "rare"])
    np.testing.assert_allclose(m, [[0.7, 0.5, 0.9], [0.3, 0.302, np.nan],
                                   [0.2, 0.4, np.nan]])


def test_analyse_ranks_covered_methods_and_compares_with_baselines():
    a = analyse(hand_rows(), baselines=["base"])
    assert a.ranked == ["deep", "base"] and a.unranked == ["rare"]  # rare: 1 of 3 problems
    np.testing.assert_allclose(a.ranks, [5 / 3, 4 / 3])
    assert a.wtl["deep"]["base"] == (1, 1, 1)   # P2 is a tie (0.002 apart)
    assert a.totals["rare"]["skipped"] == 2 and a.totals["rare"]["problems"] == 1
    assert a.totals["deep"]["nmi_mean"] == pytest.approx((0.7 + 0.3 + 0.2) / 3)
    assert a.totals["deep"]["fit_s_total"] == pytest.approx(4.0)
    text = markdown(hand_rows(), {"command": "x"}, a)
    assert f"tie = within {TIE_NMI}" in text and "Not ranked" in text and "rare" in text
    assert "| deep | 1/1/1 |" in text
    assert "P1 / deep (seed 2): error: because" in text
    assert "**0.900**" in text  # the best NMI of P1
    lines = parse_csv_text(summary_csv(a))
    assert {(r["dataset"], r["method"]) for r in lines} >= {("P1", "deep"), ("P3", "rare")}
