"""The errors in gunicorn's log after a load test (bench/server_log.py): grouped, and their tracebacks shortened."""

from bench.server_log import server_errors, shorten_traceback

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
