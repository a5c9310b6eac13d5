"""The load bench's pure logic (bench/load.py): reading wrk, judging ratios, comparing runs.

No timing here: the bench itself runs with `make bench`.
"""

import pytest

from bench.load import BenchError, compare_runs, judge, parse_wrk, point_backend

WRK_OUTPUT = """\
Running 1s test @ http://127.0.0.1:18765/nothing
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.46ms    2.37ms  16.09ms   83.70%
  965 requests in 1.00s, 490.04KB read
  Non-2xx or 3xx responses: 965
Requests/sec:    963.99
BENCH_JSON {"requests": 965, "duration_us": 1001050, "bytes": 501800, "connect_errors": 0, "read_errors": 1, \
"write_errors": 0, "status_errors": 965, "timeouts": 2, "p50_us": 1258, "p90_us": 5908, "p99_us": 8756, \
"max_us": 16092, "mean_us": 2462.3}
"""


def row(mode, page="article", rps=100.0, p50=10.0, database="sqlite", errors=(0, 0)):
    return {
        "database": database,
        "page": page,
        "mode": mode,
        "rps": rps,
        "p50_ms": p50,
        "errors": {"socket": errors[0], "status": errors[1]},
    }


def test_parse_wrk_reads_the_summary_line():
    figures = parse_wrk(WRK_OUTPUT)
    assert figures["requests"] == 965
    assert figures["rps"] == pytest.approx(964.0, abs=0.1)
    assert (figures["p50_ms"], figures["p99_ms"], figures["max_ms"]) == (1.26, 8.76, 16.09)
    assert figures["errors"] == {"socket": 3, "status": 965}


def test_parse_wrk_without_summary_says_what_wrk_printed():
    with pytest.raises(BenchError, match="unable to connect"):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")


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


def test_point_backend_rewrites_host_and_port():
    vcl = 'backend default {\n  .host = "app.internal";\n  .port = "8000";\n}\n'
    assert (
        point_backend(vcl, "127.0.0.1", 41234) == 'backend default {\n  .host = "127.0.0.1";\n  .port = "41234";\n}\n'
    )
