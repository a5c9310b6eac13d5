"""Reading what wrk printed (bench/wrk.py).

No timing here: the bench itself runs with `make bench`.
"""

import pytest

from bench.processes import BenchError
from bench.wrk import parse_wrk

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


def test_parse_wrk_reads_the_summary_line():
    figures = parse_wrk(WRK_OUTPUT)
    assert figures["requests"] == 965
    assert figures["rps"] == pytest.approx(964.0, abs=0.1)
    assert (figures["p50_ms"], figures["p99_ms"], figures["max_ms"]) == (1.26, 8.76, 16.09)
    assert figures["errors"] == {"socket": 3, "status": 965}


def test_parse_wrk_without_summary_says_what_wrk_printed():
    with pytest.raises(BenchError, match="unable to connect"):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")
