"""Serve and store whole pages for anonymous readers (see pagecache/cache.py).

Placed before the session, CSRF and auth middleware: a stored page is answered without
touching the session or the database. A request carrying a session or a flash-message
cookie (an editor, or a reader just after posting a comment) is never answered from,
nor stored in, the shared cache, and its response is marked private so no HTTP cache in
front keeps it either. Pages whose response sets a cookie or used a CSRF token (forms)
are not stored.
"""

import time

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import http_date

from core import cachetags

from . import cache as pages

PRIVATE_COOKIES = ("messages",)


def _cacheable_request(request):
    if request.method not in ("GET", "HEAD") or settings.BYLINE_PAGE_CACHE_SECONDS <= 0:
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and not any(name in cookies for name in PRIVATE_COOKIES)


def _cacheable_response(request, response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # the page holds a CSRF token
        return False
    control = response.get("Cache-Control", "").lower()
    return not any(word in control for word in ("private", "no-cache", "no-store", "max-age=0"))


def _shared_headers(response, entry, now):
    """What tells browsers and HTTP caches in front how they may keep the page."""
    remaining = max(0, int(entry.expires - now))
    response["Cache-Control"] = f"public, max-age=0, s-maxage={remaining}, must-revalidate"
    response["ETag"] = entry.etag
    response["Last-Modified"] = http_date(entry.last_modified)
    response["Cache-Tag"] = ",".join(name for name, _version in entry.versions)


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable_request(request):
            response = self.get_response(request)
            if request.COOKIES and "Cache-Control" not in response:
                patch_cache_control(response, private=True)
            return response

        entry = pages.fetch(request)
        if entry is not None:
            response = HttpResponse(entry.content, status=entry.status)
            for key, value in entry.headers:
                response[key] = value
            _shared_headers(response, entry, time.time())
            response["X-Page-Cache"] = "hit"
            return response

        generation = pages.generation()
        response = self.get_response(request)
        if cachetags.request_tags(request) and _cacheable_response(request, response):
            entry = pages.store(request, response, generation)
            if entry is not None:
                _shared_headers(response, entry, time.time())
                response["X-Page-Cache"] = "miss"
                return response
        if "Cache-Control" not in response:
            # Not invalidated by tags (or rendered while content changed): an HTTP cache in
            # front must ask again every time, or it would serve it after the content changed.
            patch_cache_control(response, no_cache=True)
        return response
