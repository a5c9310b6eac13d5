"""What the load test's locust run counts, written for bench/loadtest.py when locust quits: per
request name the methods, response times, statuses and failures, the posts accepted and refused,
bad input not refused, and the exceptions raised in the visitors. Importing it adds the listeners."""

import json
import os
import traceback
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from locust import events

from bench.html_forms import refusal_reason
from bench.traffic import is_accepted, post_scope

# What bench/loadtest.py reads back (bench/loadtest_report.py's summarise()): per request name
# the methods, response times, statuses and failures; posts answered 2xx/3xx by scope; bad input
# not refused; the failed requests, one entry per name and error; exceptions raised in the
# visitors; the run's span.
NAMES = defaultdict(lambda: {"methods": set(), "times_ms": [], "statuses": Counter(), "failures": 0})
TALLY = {"accepted": Counter(), "refused": defaultdict(Counter), "unexpected": 0, "first_start": None, "last_end": None}
FAILED, EXCEPTIONS = {}, {}


@events.request.add_listener
def tally(request_type, name, response_time, response, exception, start_time=None, url=None, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    entry = NAMES[name]
    entry["methods"].add(request_type)
    entry["times_ms"].append(round(response_time, 1))
    entry["statuses"][str(status)] += 1
    if start_time is not None:
        end = start_time + response_time / 1000
        TALLY["first_start"] = min(TALLY["first_start"] or start_time, start_time)
        TALLY["last_end"] = max(TALLY["last_end"] or end, end)
    scope = post_scope(request_type, urlsplit(url or "").path)
    if scope and status and is_accepted(status):
        TALLY["accepted"][scope] += 1
    elif scope and 400 <= status < 500 and not name.startswith("bad: "):
        # Why a real visitor's post was refused (a 429 says it with its status).
        reason = refusal_reason(getattr(response, "text", "")) if status != 429 else ""
        TALLY["refused"][name][f"{status} {reason}".strip()] += 1
    if exception is not None:
        entry["failures"] += 1
        error = str(exception)[:300]
        failed = FAILED.setdefault(
            (name, error),
            {"name": name, "error": error, "method": request_type, "url": url, "count": 0, "body": ""},
        )
        failed["count"] += 1
        if not failed["body"] and status:
            failed["body"] = (getattr(response, "text", "") or "")[:500]


@events.user_error.add_listener
def user_error(user_instance, exception, tb, **kwargs):
    trace = "".join(traceback.format_exception(type(exception), exception, tb))
    entry = EXCEPTIONS.setdefault(trace, {"message": repr(exception), "traceback": trace, "count": 0})
    entry["count"] += 1


@events.quitting.add_listener
def write_tally(environment, **kwargs):
    data = {
        **TALLY,
        "names": {name: {**entry, "methods": sorted(entry["methods"])} for name, entry in NAMES.items()},
        "failed": sorted(FAILED.values(), key=lambda entry: -entry["count"]),
        "exceptions": sorted(EXCEPTIONS.values(), key=lambda entry: -entry["count"]),
    }
    Path(os.environ["LOADTEST_TALLY"]).write_text(json.dumps(data))
