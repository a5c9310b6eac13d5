import sys

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import requires_csrf_token
from django.views.generic import DetailView

from pagecache import cache as pages

from .models import Page


class PageDetailView(DetailView):
    model = Page
    template_name = "core/page_detail.html"

    def get_object(self, queryset=None):
        page = super().get_object(queryset)
        pages.tag(self.request, "site")  # pages change only with a save, which refreshes "site"
        return page


def healthz(request):
    """Liveness and database check for load balancers: 200 "ok" or 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


# Crawlers stay out of the admin, private links (draft previews, contributors' tracking
# pages), the comment-posting endpoint, and search: every query is another address,
# an endless space that costs a database search each and whose pages are noindex anyway.
ROBOTS_DISALLOW = ["/admin/", "/preview/", "/contribute/status/", "/comments/", "/search/"]


def robots_txt(request):
    """Crawling rules for every robot, and where the sitemaps are (on the host that was asked)."""
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW), ""]
    for name in ("blog:sitemap-index", "blog:sitemap-news"):
        lines.append(f"Sitemap: {request.build_absolute_uri(reverse(name))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


@requires_csrf_token
def server_error(request):
    """The 500 page; a 503 that asks to retry when the database could not be reached or used
    (down, restarting, failed over, locked). No context processors: they would query it."""
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "60"
        add_never_cache_headers(response)
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())
