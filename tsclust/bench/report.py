"""Panel results as arrays and strings: per-problem tables, means, wins/ties/losses, ranks.

Pure: nothing is read or written here (:func:`tsclust.bench.write_panel` writes the texts
through :mod:`tsclust.io`). Per-problem means over seeds come from
:func:`tsclust.compare.summarize`, the CSV and JSON cells from :mod:`tsclust.compare.report`.

- **scores**: a problems x methods matrix of mean NMI (or ARI, fit seconds) over the seeds that
  did not fail; NaN where a method has no successful run (failed, skipped, not run);
- **wins/ties/losses** of each method against each baseline, over the problems both have a
  score on: a tie is a difference of at most :data:`TIE_NMI` NMI;
- **average ranks** (critical-difference style): rank 1 is the best NMI on a problem, ties get
  the average rank, ranks are averaged over the problems where every ranked method has a
  score; methods scored on fewer than half the problems are left out of the ranking (named);
- **Friedman test and Nemenyi critical difference** (Demšar 2006): two methods whose average
  ranks differ by more than ``CD = q_alpha * sqrt(k (k + 1) / (6 N))`` differ at level alpha,
  ``q_alpha`` the studentized range quantile for k groups over sqrt(2).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..compare.report import csv_text, jsonable, summarize

__all__ = [
    "TIE_NMI",
    "MIN_RANK_COVERAGE",
    "SUMMARY_COLUMNS",
    "Analysis",
    "methods_of",
    "problem_summary",
    "score_matrix",
    "average_ranks",
    "friedman_nemenyi",
    "win_tie_loss",
    "analyse",
    "markdown",
    "overview",
    "summary_csv",
    "json_text",
]

TIE_NMI = 0.005
"""Two NMIs within this of each other are a tie in :func:`win_tie_loss`."""

MIN_RANK_COVERAGE = 0.5
"""A method is ranked only if it has a score on at least this fraction of the problems."""

SUMMARY_COLUMNS: tuple[str, ...] = (
    "dataset", "method", "runs", "ok", "errors", "skipped", "nmi_mean", "nmi_std", "ari_mean",
    "ari_std", "fit_time_s_mean", "fit_time_s_std", "wall_time_s_mean", "first_error",
)
"""The columns of ``panel_summary.csv`` (one line per problem and method)."""


def _in_order(rows: Sequence[Mapping[str, Any]], key: str) -> list[str]:
    return list(dict.fromkeys(str(r[key]) for r in rows))


def methods_of(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """The methods of panel rows, in order of appearance.

    Parameters
    ----------
    rows : sequence of dict

    Returns
    -------
    methods : list of str
    """
    return _in_order(rows, "method")


def problem_summary(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Mean and std over seeds per problem and method (:func:`tsclust.compare.summarize`).

    Parameters
    ----------
    rows : sequence of dict
        Panel rows (``dataset``, ``method``, ``status``, scores).

    Returns
    -------
    summary : list of dict
        Problems by name, methods in order of appearance; the keys of ``summarize`` plus
        ``dataset``, ``ok`` and ``skipped`` (counts; ``errors`` counts skipped runs too).
    """
    out = []
    methods = methods_of(rows)
    for dataset in sorted(_in_order(rows, "dataset")):
        mine = [r for r in rows if str(r["dataset"]) == dataset]
        entries = {e["method"]: e for e in summarize(mine)}
        for method in methods:
            if method not in entries:
                continue
            status = [r.get("status") for r in mine if r["method"] == method]
            out.append({"dataset": dataset, **entries[method], "ok": status.count("ok"),
                        "skipped": status.count("skipped")})
    return out


def score_matrix(
    summary: Sequence[Mapping[str, Any]], datasets: Sequence[str], methods: Sequence[str],
    key: str = "nmi_mean",
) -> np.ndarray:
    """``summary[key]`` as a (problems, methods) array, NaN where missing.

    Parameters
    ----------
    summary : sequence of dict
        From :func:`problem_summary`.
    datasets, methods : sequence of str
        Row and column order.
    key : str, default="nmi_mean"

    Returns
    -------
    matrix : ndarray of shape (len(datasets), len(methods))
    """
    where = {(e["dataset"], e["method"]): e.get(key) for e in summary}
    out = np.full((len(datasets), len(methods)), np.nan)
    for i, d in enumerate(datasets):
        for j, m in enumerate(methods):
            value = where.get((d, m))
            if value is not None:
                out[i, j] = float(value)
    return out


def _complete(matrix: np.ndarray) -> np.ndarray:
    return np.asarray(matrix, dtype=np.float64)[np.isfinite(matrix).all(axis=1)]


def average_ranks(matrix: np.ndarray) -> tuple[np.ndarray, int]:
    """Average rank of each column over the rows where every column is finite.

    Parameters
    ----------
    matrix : ndarray of shape (n_problems, n_methods)
        Scores, higher is better.

    Returns
    -------
    ranks : ndarray of shape (n_methods,)
        1 = best; tied scores share the mean of their ranks; NaN when no row is complete.
    n_problems : int
        The complete rows used.

    Examples
    --------
    >>> average_ranks(np.array([[0.9, 0.5, 0.5], [0.2, 0.8, 0.1], [0.3, np.nan, 0.0]]))
    (array([1.5 , 1.75, 2.75]), 2)
    """
    from scipy.stats import rankdata

    rows = _complete(matrix)
    if not rows.shape[0] or not rows.shape[1]:
        return np.full(np.shape(matrix)[1], np.nan), 0
    return rankdata(-rows, axis=1).mean(axis=0), int(rows.shape[0])


def friedman_nemenyi(matrix: np.ndarray, alpha: float = 0.05) -> dict[str, float]:
    """Friedman's test over the complete rows and the Nemenyi critical difference.

    Parameters
    ----------
    matrix : ndarray of shape (n_problems, n_methods)
        Scores, higher is better (rows with a NaN are left out).
    alpha : float, default=0.05

    Returns
    -------
    result : dict
        ``n_problems``, ``n_methods``, ``alpha``, ``statistic`` and ``p_value`` of
        ``scipy.stats.friedmanchisquare`` (NaN with fewer than 3 methods or 2 problems, or when
        every row ties), ``cd``: ``q_alpha * sqrt(k (k + 1) / (6 N))`` (NaN with fewer than
        2 methods or no problem).

    Examples
    --------
    >>> r = friedman_nemenyi(np.tile([0.9, 0.5, 0.1], (10, 1)))
    >>> round(r["cd"], 3), r["p_value"] < 0.001
    (1.048, True)
    """
    from scipy.stats import friedmanchisquare, studentized_range

    rows = _complete(matrix)
    n, k = int(rows.shape[0]), int(np.shape(matrix)[1])
    out = {"n_problems": n, "n_methods": k, "alpha": alpha, "statistic": math.nan,
           "p_value": math.nan, "cd": math.nan}
    if k >= 2 and n >= 1:
        q = studentized_range.ppf(1 - alpha, k, np.inf) / math.sqrt(2)
        out["cd"] = float(q * math.sqrt(k * (k + 1) / (6 * n)))
    if k >= 3 and n >= 2:
        stat, p = friedmanchisquare(*rows.T)
        out["statistic"], out["p_value"] = float(stat), float(p)
    return out


def win_tie_loss(
    matrix: np.ndarray, methods: Sequence[str], baselines: Sequence[str], tie: float = TIE_NMI
) -> dict[str, dict[str, tuple[int, int, int]]]:
    """Wins, ties and losses of every method against every baseline (problems both scored).

    Parameters
    ----------
    matrix : ndarray of shape (n_problems, n_methods)
        NMI, columns in ``methods`` order.
    methods : sequence of str
    baselines : sequence of str
        Columns to compare against (those not in ``methods`` are left out).
    tie : float, default=TIE_NMI
        ``|difference| <= tie`` is a tie.

    Returns
    -------
    table : dict
        ``table[method][baseline] = (wins, ties, losses)`` of ``method``; a method is not
        compared with itself.

    Examples
    --------
    >>> m = np.array([[0.50, 0.40], [0.50, 0.503], [0.1, 0.2], [np.nan, 0.3]])
    >>> win_tie_loss(m, ["a", "b"], ["b"])
    {'a': {'b': (1, 1, 1)}}
    """
    col = {m: j for j, m in enumerate(methods)}
    out: dict[str, dict[str, tuple[int, int, int]]] = {}
    for method in methods:
        for base in baselines:
            if base == method or base not in col:
                continue
            both = matrix[:, [col[method], col[base]]]
            both = both[np.isfinite(both).all(axis=1)]
            diff = both[:, 0] - both[:, 1]
            margin = tie + 1e-9  # a difference of exactly ``tie`` is a tie despite rounding
            wins, losses = int((diff > margin).sum()), int((diff < -margin).sum())
            out.setdefault(method, {})[base] = (wins, int(diff.size) - wins - losses, losses)
    return out


# ------------------------------------------------------------------ the analysis


@dataclass
class Analysis:
    """Everything the report states about a set of panel rows (see :func:`analyse`)."""

    datasets: list[str]
    methods: list[str]
    baselines: list[str]
    summary: list[dict[str, Any]]
    nmi: np.ndarray
    ari: np.ndarray
    seconds: np.ndarray
    totals: dict[str, dict[str, float]]
    wtl: dict[str, dict[str, tuple[int, int, int]]]
    ranked: list[str]
    unranked: list[str]
    ranks: np.ndarray
    test: dict[str, float]
    shapes: dict[str, str] = field(default_factory=dict)

    def rank_map(self) -> dict[str, float]:
        """Ranked method -> average rank."""
        return dict(zip(self.ranked, self.ranks.tolist(), strict=True))

    def as_dict(self) -> dict[str, Any]:
        """The scalars and tables as plain Python (for JSON)."""
        means = {m: self.totals[m] for m in self.methods}
        return {
            "methods": self.methods, "baselines": self.baselines, "means": means,
            "wins_ties_losses": {m: {b: list(v) for b, v in d.items()} for m, d in self.wtl.items()},
            "tie_nmi": TIE_NMI,
            "average_ranks": self.rank_map(),
            "unranked": self.unranked, "friedman_nemenyi": self.test,
        }


def _totals(rows: Sequence[Mapping[str, Any]], nmi: np.ndarray, ari: np.ndarray,
            methods: Sequence[str]) -> dict[str, dict[str, float]]:
    out = {}
    for j, m in enumerate(methods):
        mine = [r for r in rows if r["method"] == m]
        fit = [float(r["fit_time_s"]) for r in mine if r.get("status") == "ok"]
        scored = np.isfinite(nmi[:, j])
        out[m] = {
            "problems": int(scored.sum()),
            "nmi_mean": float(nmi[scored, j].mean()) if scored.any() else math.nan,
            "ari_mean": float(ari[scored, j].mean()) if scored.any() else math.nan,
            "fit_s_total": float(sum(fit)),
            "runs": len(mine),
            "errors": sum(r.get("status") == "error" for r in mine),
            "skipped": sum(r.get("status") == "skipped" for r in mine),
        }
    return out


def _shapes(rows: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    out = {}
    for r in rows:
        if str(r["dataset"]) not in out and r.get("n_channels") not in (None, ""):
            out[str(r["dataset"])] = (f"{r['n_series']} x {r['length']} x {r['n_channels']}, "
                                      f"k={r['n_clusters']}")
    return out


def analyse(
    rows: Sequence[Mapping[str, Any]], baselines: Sequence[str], alpha: float = 0.05
) -> Analysis:
    """Summaries, score matrices, wins/ties/losses, ranks and the test of panel rows.

    Parameters
    ----------
    rows : sequence of dict
        Panel rows.
    baselines : sequence of str
        The methods every method is compared with in wins/ties/losses.
    alpha : float, default=0.05
        Level of the Nemenyi critical difference.

    Returns
    -------
    Analysis
    """
    summary = problem_summary(rows)
    datasets = sorted(_in_order(rows, "dataset"))
    methods = methods_of(rows)
    nmi, ari, seconds = (score_matrix(summary, datasets, methods, key)
                         for key in ("nmi_mean", "ari_mean", "fit_time_s_mean"))
    coverage = np.isfinite(nmi).mean(axis=0) if datasets else np.zeros(len(methods))
    keep = [j for j in range(len(methods)) if coverage[j] >= MIN_RANK_COVERAGE]
    ranks, _ = average_ranks(nmi[:, keep])
    return Analysis(
        datasets=datasets, methods=methods, baselines=[b for b in baselines if b in methods],
        summary=summary, nmi=nmi, ari=ari, seconds=seconds,
        totals=_totals(rows, nmi, ari, methods),
        wtl=win_tie_loss(nmi, methods, baselines),
        ranked=[methods[j] for j in keep],
        unranked=[m for j, m in enumerate(methods) if j not in keep],
        ranks=ranks, test=friedman_nemenyi(nmi[:, keep], alpha), shapes=_shapes(rows),
    )


# ------------------------------------------------------------------ texts


def _cell(value: float, digits: int, best: bool = False) -> str:
    if not math.isfinite(value):
        return "-"
    text = f"{value:.{digits}f}"
    return f"**{text}**" if best else text


def _wide_table(a: Analysis, matrix: np.ndarray, digits: int, bold_max: bool) -> list[str]:
    lines = ["| problem | n x length x channels, k | " + " | ".join(a.methods) + " |",
             "|---|---|" + "---|" * len(a.methods)]
    for i, d in enumerate(a.datasets):
        row = matrix[i]
        top = np.nanmax(row) if bold_max and np.isfinite(row).any() else math.nan
        cells = [_cell(v, digits, bool(bold_max and v == top)) for v in row]
        lines.append(f"| {d} | {a.shapes.get(d, '')} | " + " | ".join(cells) + " |")
    return lines


def _means_table(a: Analysis) -> list[str]:
    lines = ["| method | problems scored | mean NMI | mean ARI | total fit s | runs | errors | "
             "skipped |", "|---|---|---|---|---|---|---|---|"]
    def best_first(method: str) -> tuple[bool, float]:
        value = a.totals[method]["nmi_mean"]
        return math.isnan(value), 0.0 if math.isnan(value) else -value

    for m in sorted(a.methods, key=best_first):
        t = a.totals[m]
        lines.append(f"| {m} | {t['problems']} | {_cell(t['nmi_mean'], 3)} | "
                     f"{_cell(t['ari_mean'], 3)} | {t['fit_s_total']:.0f} | {t['runs']} | "
                     f"{t['errors']} | {t['skipped']} |")
    return lines


def _wtl_table(a: Analysis) -> list[str]:
    if not a.baselines:
        return ["(no baseline among the methods)"]
    lines = ["| method | " + " | ".join(f"vs {b}" for b in a.baselines) + " |",
             "|---|" + "---|" * len(a.baselines)]
    for m in a.methods:
        cells = ["/".join(map(str, a.wtl[m][b])) if b in a.wtl.get(m, {}) else "" for b in
                 a.baselines]
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    return lines


def _ranks_lines(a: Analysis) -> list[str]:
    t = a.test
    lines = ["| method | average rank |", "|---|---|"]
    order = np.argsort(a.ranks) if a.ranks.size else []
    lines += [f"| {a.ranked[j]} | {_cell(a.ranks[j], 2)} |" for j in order]
    lines += ["", f"Ranks over the {t['n_problems']} problems where all {t['n_methods']} ranked "
              f"methods have a score (1 = best NMI, ties averaged)."]
    if a.unranked:
        lines.append(f"Not ranked (a score on fewer than {MIN_RANK_COVERAGE:.0%} of the "
                     f"problems): {', '.join(a.unranked)}.")
    if math.isfinite(t["cd"]):
        friedman = (f"Friedman chi2 = {t['statistic']:.2f}, p = {t['p_value']:.2g}; "
                    if math.isfinite(t["statistic"]) else "")
        lines.append(f"{friedman}Nemenyi critical difference (alpha = {t['alpha']}) = "
                     f"{t['cd']:.2f}: average ranks further apart than this differ significantly.")
    return lines


def _failures(rows: Sequence[Mapping[str, Any]], limit: int = 40) -> list[str]:
    bad = [r for r in rows if r.get("status") == "error"]
    lines = [f"- {r['dataset']} / {r['method']} (seed {r['seed']}): "
             f"{str(r['error']).replace('|', '/')[:200]}" for r in bad[:limit]]
    if len(bad) > limit:
        lines.append(f"- ... and {len(bad) - limit} more (panel_runs.csv)")
    return lines or ["none"]


def overview(a: Analysis) -> str:
    """The means per method, wins/ties/losses and average ranks (Markdown sections).

    Parameters
    ----------
    a : Analysis

    Returns
    -------
    text : str
    """
    lines = [
        "## Mean per method", "", *_means_table(a),
        "", f"## Wins / ties / losses against each baseline (NMI; tie = within {TIE_NMI})", "",
        "Each cell: the row method's wins/ties/losses over the problems both have a score on.",
        "", *_wtl_table(a),
        "", "## Average ranks (NMI)", "", *_ranks_lines(a),
    ]
    return "\n".join(lines) + "\n"


def markdown(rows: Sequence[Mapping[str, Any]], meta: Mapping[str, Any], a: Analysis) -> str:
    """``panel.md``: the setup, the per-problem tables, the means, W/T/L, ranks and failures.

    Parameters
    ----------
    rows : sequence of dict
        Panel rows.
    meta : mapping
        ``- key: value`` lines at the top.
    a : Analysis
        :func:`analyse` of ``rows``.

    Returns
    -------
    text : str
    """
    lines = ["# tsclust panel benchmark", ""]
    lines += [f"- {k}: {v}" for k, v in meta.items()]
    lines += [
        "", "Cells are means over the seeds that ran without error; '-' = no successful run "
        "(failed, skipped or not run; see the counts below). Cached rows are marked "
        "`source=cache` in panel_runs.csv.",
        "", overview(a).rstrip("\n"),
        "", "## NMI per problem (best in bold)", "", *_wide_table(a, a.nmi, 3, True),
        "", "## ARI per problem", "", *_wide_table(a, a.ari, 3, False),
        "", "## Fit seconds per problem (mean over seeds)", "",
        *_wide_table(a, a.seconds, 1, False),
        "", "## Failed runs", "", *_failures(rows),
    ]
    return "\n".join(lines) + "\n"


def summary_csv(a: Analysis) -> str:
    """``panel_summary.csv``: one line per problem and method (:data:`SUMMARY_COLUMNS` first).

    Parameters
    ----------
    a : Analysis

    Returns
    -------
    text : str
    """
    return csv_text(a.summary, first=SUMMARY_COLUMNS)


def json_text(rows: Sequence[Mapping[str, Any]], meta: Mapping[str, Any], a: Analysis) -> str:
    """``panel.json``: ``{"meta", "analysis", "rows"}`` as strict JSON (NaN as null).

    Parameters
    ----------
    rows : sequence of dict
    meta : mapping
    a : Analysis

    Returns
    -------
    text : str
    """
    payload = {"meta": meta, "analysis": a.as_dict(), "rows": [dict(r) for r in rows]}
    return json.dumps(jsonable(payload), indent=2, allow_nan=False)
