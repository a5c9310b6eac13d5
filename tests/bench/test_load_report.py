"""The load bench's figures (bench/load_report.py): judging ratios against the targets, comparing runs."""

import pytest

from bench.load_report import compare_runs, judge


def row(mode, page="article", rps=100.0, p50=10.0, database="sqlite", errors=(0, 0)):
    return {
        "database": database,
        "page": page,
        "mode": mode,
        "rps": rps,
        "p50_ms": p50,
        "errors": {"socket": errors[0], "status": errors[1]},
    }


@pytest.mark.parametrize(
    ("mode", "page", "rps", "target", "met"),
    [
        ("cached", "tag", 80.0, 0.80, True),
        ("cached", "tag", 79.0, 0.80, False),
        ("uncached", "article", 15.0, 0.15, True),
        ("uncached", "home", 1.0, None, None),  # no target for the other uncached pages
        ("varnish", "article", 49.0, 0.50, False),
        ("reference", "article", 100.0, None, None),
    ],
)
def test_judge_compares_with_the_baseline(mode, page, rps, target, met):
    judged = judge(row(mode, page, rps), baseline_rps=100.0)
    assert (judged["ratio"], judged["target"], judged["met"]) == (rps / 100, target, met)


def test_judge_fails_a_fast_run_of_errors():
    assert judge(row("cached", rps=500.0, errors=(0, 12)), baseline_rps=100.0)["met"] is False


def test_compare_runs_divides_the_larger_runs_p50_by_the_smaller_ones():
    small = {"articles": 1000, "results": [row("uncached", p50=10.0), row("reference", p50=4.0)]}
    large = {
        "articles": 100_000,
        "results": [row("uncached", p50=13.0), row("reference", p50=4.0), row("uncached", "search", p50=9.0)],
    }
    small_n, large_n, rows = compare_runs(large, small)  # either order
    assert (small_n, large_n) == (1000, 100_000)
    assert [(r["mode"], r["growth"], r["met"]) for r in rows] == [("uncached", 1.3, False), ("reference", 1.0, None)]
