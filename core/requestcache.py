"""Values kept for the length of one request, such as the site settings every page asks for
several times (the context processor, the comment rules, the sidebar).

Only inside a request (between Django's request_started and request_finished signals): a
management command or the task worker, which run for hours, always get fresh values.
Thread-local, for WSGI servers (gunicorn's sync and thread workers).
"""

import threading

from django.core.signals import request_finished, request_started

_local = threading.local()


def _start(**kwargs):
    _local.values = {}


def _finish(**kwargs):
    _local.values = None


request_started.connect(_start, dispatch_uid="core.requestcache.start")
request_finished.connect(_finish, dispatch_uid="core.requestcache.finish")


def per_request(key, compute):
    """`compute()` once per request for `key` (every time outside a request)."""
    values = getattr(_local, "values", None)
    if values is None:
        return compute()
    if key not in values:
        values[key] = compute()
    return values[key]


def forget(key):
    """Drop `key` from the current request's values (after a change to what it holds)."""
    values = getattr(_local, "values", None)
    if values:
        values.pop(key, None)
