"""The site's URLs plus the load bench's reference: a bare view returning N bytes of HTML.

The reference goes through the same middleware and the same gunicorn as the pages, so a page's
requests per second divided by the reference's, for the same byte count, is the share of the
server's capacity the page keeps: 1.0 would be a page that costs nothing beyond being served.
"""

from functools import lru_cache

from django.http import HttpResponse
from django.urls import path

from config.urls import handler404, handler500  # noqa: F401  (the site's error pages)
from config.urls import urlpatterns as site_urlpatterns

HEAD = b"<!DOCTYPE html>\n<title>Reference</title>\n<p>"
TAIL = b"</p>\n"


@lru_cache(maxsize=64)
def filler(size):
    """Exactly `size` bytes of HTML, built once per size."""
    if size < len(HEAD) + len(TAIL):
        return b"x" * size
    return HEAD + b"x" * (size - len(HEAD) - len(TAIL)) + TAIL


def reference(request, size):
    return HttpResponse(filler(size), content_type="text/html; charset=utf-8")


urlpatterns = [
    path("bench/reference/<int:size>/", reference, name="bench-reference"),
    *site_urlpatterns,
]
