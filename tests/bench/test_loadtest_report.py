"""The load test's report (bench/loadtest_report.py): percentiles, the tally summarised, the checks."""

from bench.loadtest_report import build_report, check_posts, percentile, summarise


def tally(**overrides):
    data = {
        "names": {
            "home": {"methods": ["GET"], "times_ms": [10.0, 20.0, 30.0, 40.0], "statuses": {"200": 4}, "failures": 0},
            "comment: post": {"methods": ["POST"], "times_ms": [50.0, 70.0], "statuses": {"302": 2}, "failures": 0},
            "flood: comments": {"methods": ["POST"], "times_ms": [5.0], "statuses": {"429": 1}, "failures": 0},
            "flood: submissions": {"methods": ["POST"], "times_ms": [5.0], "statuses": {"429": 1}, "failures": 0},
            "flood: complaints": {"methods": ["POST"], "times_ms": [5.0], "statuses": {"429": 1}, "failures": 0},
        },
        "accepted": {"comments": 2},
        "unexpected": 0,
        "exceptions": [],
        "first_start": 1000.0,
        "last_end": 1004.5,
    }
    data.update(overrides)
    return data


POSTS_OK = {"comments": {"accepted": 2, "stored": 2, "ok": True}}


def failed_checks(report):
    return [check["check"] for check in report["checks"] if not check["ok"]]


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert [percentile(values, p) for p in (50, 95, 99, 100)] == [50, 95, 99, 100]
    assert percentile([7.5], 99) == 7.5
    assert percentile([], 50) is None


def test_summarise_rows_and_total():
    rows, total = summarise(tally())
    home = next(row for row in rows if row["name"] == "home")
    assert (home["requests"], home["p50_ms"], home["p95_ms"], home["max_ms"]) == (4, 20.0, 40.0, 40.0)
    assert total["requests"] == 9
    assert total["statuses"] == {"200": 4, "302": 2, "429": 3}
    assert (total["seconds"], total["rps"]) == (4.5, 2.0)


def test_a_clean_run_passes():
    report = build_report(tally(), POSTS_OK, flood_checked=True)
    assert report["passed"], failed_checks(report)
    assert (report["server_errors"], report["connection_errors"]) == (0, 0)


def test_5xx_connection_errors_and_accepted_bad_input_fail():
    names = tally()["names"]
    names["article"] = {"methods": ["GET"], "times_ms": [1.0, 2.0, 3.0], "statuses": {"500": 1, "0": 2}, "failures": 3}
    report = build_report(tally(names=names, unexpected=1), POSTS_OK, flood_checked=True)
    assert failed_checks(report) == ["no 5xx response", "no connection error", "bad input refused with a 4xx"]
    assert (report["server_errors"], report["connection_errors"]) == (1, 2)


def test_a_lost_post_a_limit_without_429_and_a_locustfile_exception_fail():
    names = tally()["names"]
    names["flood: complaints"]["statuses"] = {"302": 1}
    posts = {"comments": {"accepted": 3, "stored": 2, "ok": False}}
    exceptions = [{"message": "KeyError('x')", "traceback": "...", "count": 2}]
    report = build_report(tally(names=names, exceptions=exceptions), posts, flood_checked=True)
    assert failed_checks(report) == [
        "every accepted comment stored",
        "complaints rate limit answers 429",
        "no exception in the locustfile",
    ]


def test_without_per_client_addresses_the_429_checks_are_skipped():
    names = {"home": tally()["names"]["home"]}
    report = build_report(tally(names=names), POSTS_OK, flood_checked=False)
    assert report["passed"]
    assert not [check for check in report["checks"] if "rate limit" in check["check"]]


def test_check_posts_compares_accepted_with_stored():
    before = {"comments": 10, "submissions": 3, "complaints": 0}
    after = {"comments": 15, "submissions": 3, "complaints": 1}
    posts = check_posts({"comments": 5, "complaints": 2}, before, after)
    assert posts == {
        "comments": {"accepted": 5, "stored": 5, "ok": True},
        "complaints": {"accepted": 2, "stored": 1, "ok": False},
        "submissions": {"accepted": 0, "stored": 0, "ok": True},
    }
