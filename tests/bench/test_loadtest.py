"""The load test's pure logic (bench/loadtest.py): forms, statuses, figures, the checks, the server log.

No server and no locust here (importing locust patches the standard library): `make loadtest` runs it.
"""

import pytest

from bench.loadtest import (
    build_report,
    check_posts,
    client_address,
    find_form,
    judge_status,
    parse_forms,
    percentile,
    post_scope,
    refusal_reason,
    server_errors,
    shorten_traceback,
    summarise,
)

ARTICLE_PAGE = """\
<form role="search" action="/search/"><input type="search" name="q"></form>
<form method="post" action="/comments/post/" class="comment-form stacked-form" novalidate>
  <input type="hidden" name="content_type" value="blog.article" id="id_content_type">
  <input type="hidden" name="object_pk" value="42" id="id_object_pk">
  <input type="hidden" name="timestamp" value="1790000000" id="id_timestamp">
  <input type="hidden" name="security_hash" value="0a1b2c" id="id_security_hash">
  <input type="hidden" name="parent" value="" id="id_parent">
  <textarea name="comment" rows="6">A &amp; B</textarea>
  <input type="text" name="name" maxlength="50" required>
  <input type="email" name="email" required>
  <input type="checkbox" name="notify_on_approval" id="id_notify_on_approval">
  <div class="hp" aria-hidden="true"><input type="text" name="honeypot" tabindex="-1" value=""></div>
  <button type="submit" class="button">Post Comment</button>
</form>
"""

CONTRIBUTE_PAGE = """\
<form class="stacked-form" method="post" enctype="multipart/form-data" action="/contribute/" novalidate>
  <input type="hidden" name="csrfmiddlewaretoken" value="tok3n">
  <input type="file" name="document" accept=".docx"><input type="file" name="images" multiple>
  <input type="checkbox" name="consent" checked>
  <select name="kind"><option value="a">A</option><option value="b" selected>B</option></select>
</form>
"""

LOG = """\
[2026-11-27 02:40:00 +0000] [100] [INFO] Booting worker with pid: 100
127.1.0.7 - - [27/Nov/2026:02:40:01 +0000] "GET / HTTP/1.1" 200 5123 "-" "python-requests/2.34.2"
2026-11-27 02:40:03,478 ERROR django.security.DisallowedHost Invalid HTTP_HOST header: 'evil.example'.
Traceback (most recent call last):
  File "/srv/.venv/lib/python3.11/site-packages/django/http/request.py", line 203, in get_host
django.core.exceptions.DisallowedHost: Invalid HTTP_HOST header: 'evil.example'.
2026-11-27 02:40:04,001 ERROR django.request Internal Server Error: /comments/post/
Traceback (most recent call last):
  File "/srv/.venv/lib/python3.11/site-packages/django/db/models/fields/__init__.py", line 2128, in get_prep_value
    return int(value)
ValueError: invalid literal for int() with base 10: '²'

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/srv/.venv/lib/python3.11/site-packages/django/core/handlers/exception.py", line 55, in inner
    response = get_response(request)
  File "/srv/app/discussion/views.py", line 53, in post_comment
    article = Article.objects.live().filter(pk=request.POST["object_pk"]).first()
  File "/srv/.venv/lib/python3.11/site-packages/django/db/models/query.py", line 1491, in filter
    return self._filter_or_exclude(False, args, kwargs)
  File "/srv/.venv/lib/python3.11/site-packages/django/db/models/lookups.py", line 96, in get_prep_lookup
    return self.lhs.output_field.get_prep_value(self.rhs)
  File "/srv/.venv/lib/python3.11/site-packages/django/db/models/fields/__init__.py", line 2130, in get_prep_value
    raise e.__class__(
ValueError: Field 'id' expected a number but got '²'.
127.1.0.9 - - [27/Nov/2026:02:40:04 +0000] "POST /comments/post/ HTTP/1.1" 500 145 "-" "python-requests/2.34.2"
2026-11-27 02:40:05,117 ERROR django.request Internal Server Error: /comments/post/
Traceback (most recent call last):
  File "/srv/app/discussion/views.py", line 53, in post_comment
ValueError: Field 'id' expected a number but got '²'.
[2026-11-27 02:40:09 +0000] [99] [CRITICAL] WORKER TIMEOUT (pid:100)
"""


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


def test_client_addresses_are_loopback_and_clear_of_127_0_0_1():
    assert [client_address(n) for n in (0, 1, 254, 255)] == ["127.1.0.1", "127.1.0.2", "127.1.0.255", "127.1.1.0"]
    with pytest.raises(ValueError):
        client_address(1 << 24)


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("POST", "/comments/post/", "comments"),
        ("post", "/contribute/?from=nav", "submissions"),
        ("POST", "/copyright/complaint/", "complaints"),
        ("GET", "/contribute/", None),
        ("POST", "/contribute/thanks/", None),
        ("POST", "/admin/login/", None),
    ],
)
def test_post_scope(method, path, scope):
    assert post_scope(method, path) == scope


@pytest.mark.parametrize(
    ("status", "expect", "verdict"),
    [
        (200, None, None),
        (404, None, None),  # an expected 4xx is a success, counted under its status
        (429, None, None),
        (0, None, "connection error"),
        (500, None, "HTTP 500"),
        (503, {503}, "HTTP 503"),  # a 5xx always fails
        (400, {400, 404}, None),
        (302, {400}, "HTTP 302, expected 400"),  # bad input accepted
        (200, {404, 400}, "HTTP 200, expected 400/404"),
    ],
)
def test_judge_status(status, expect, verdict):
    assert judge_status(status, expect) == verdict


def test_parse_forms_reads_what_a_browser_would_send():
    forms = parse_forms(ARTICLE_PAGE)
    assert [form["action"] for form in forms] == ["/search/", "/comments/post/"]
    comment = forms[1]
    assert (comment["method"], comment["class"]) == ("post", "comment-form stacked-form")
    assert comment["fields"] == {
        "content_type": "blog.article",
        "object_pk": "42",
        "timestamp": "1790000000",
        "security_hash": "0a1b2c",
        "parent": "",
        "comment": "A & B",
        "name": "",
        "email": "",
        "honeypot": "",
    }  # no unchecked box, no button


def test_find_form_by_action_with_files_checkboxes_and_selects():
    form = find_form(CONTRIBUTE_PAGE, "/contribute/")
    assert form["enctype"] == "multipart/form-data"
    assert form["fields"] == {"csrfmiddlewaretoken": "tok3n", "consent": "on", "kind": "b"}
    assert form["files"] == ["document", "images"]
    assert find_form(CONTRIBUTE_PAGE, "/copyright/complaint/") is None


def test_refusal_reason_is_one_line_per_kind_of_refusal():
    html = """<form><div class="form-errors" role="alert">
      <p>Your complaint was not sent.</p><ul><li>Your signature must be “Ana Smith” &amp; not 12 other names.</li></ul>
    </div><input name="x"></form>"""
    assert refusal_reason(html) == "Your complaint was not sent. Your signature must be “…” & not N other names."
    assert refusal_reason("<p>Thanks</p>") == ""


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


def test_server_errors_groups_tracebacks_and_skips_handled_bad_input():
    errors = server_errors(LOG)
    assert [entry["count"] for entry in errors] == [2, 1]  # DisallowedHost (a 400) is not one
    first = errors[0]["first"]
    assert first.startswith("2026-11-27 02:40:04,001 ERROR django.request Internal Server Error: /comments/post/")
    assert "The above exception was the direct cause" in first  # chained tracebacks stay whole
    assert first.endswith("ValueError: Field 'id' expected a number but got '²'.")
    assert "WORKER TIMEOUT" in errors[1]["first"]


def test_shorten_traceback_keeps_our_frames_and_the_innermost():
    short = shorten_traceback(server_errors(LOG)[0]["first"], innermost=1, project="/srv/app")
    lines = short.splitlines()
    assert '  File "/srv/app/discussion/views.py", line 53, in post_comment' in lines
    assert "  ... 1 frames ..." in lines and "  ... 2 frames ..." in lines
    assert 'exception.py", line 55' not in short and "query.py" not in short
    assert lines[-3].endswith("line 2130, in get_prep_value")  # the innermost frame, with its code
    assert lines[-1] == "ValueError: Field 'id' expected a number but got '²'."
