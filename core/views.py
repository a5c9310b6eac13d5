import datetime
import os
import sys
import uuid
from pathlib import Path

from django.core.cache import cache, caches
from django.core.files.storage import storages
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.generic import DetailView
from django_tasks import task_backends
from django_tasks_db.models import DBTaskResult

from . import cachetags
from .models import Page


class PageDetailView(DetailView):
    model = Page
    template_name = "core/page_detail.html"

    def get_object(self, queryset=None):
        page = super().get_object(queryset)
        # A page changes only with a save, which refreshes SITE (blog/receivers.py).
        cachetags.page_shows(self.request, cachetags.SITE)
        return page


# A task waiting longer than this to start means no worker is taking tasks (db_worker stopped).
TASKS_LATE_AFTER = datetime.timedelta(minutes=15)


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {}


def _check_cache():
    """A write and a read back; a cache known to be down (core/cache.py) is not asked again."""
    if not getattr(cache, "available", True):
        raise ConnectionError("unavailable since its last failure")
    token = uuid.uuid4().hex
    cache.set("healthz", token, timeout=30)
    if cache.get("healthz") != token:
        # The fail-open backends answer a miss: the failure itself is in the log.
        raise ConnectionError("a value written could not be read back")
    return {"backend": type(caches["default"]).__name__}  # `cache` is a proxy


def _check_tasks():
    backend = task_backends["default"]
    answer = {"backend": type(backend).__name__}
    if type(backend).__module__.startswith("django_tasks_db"):
        waiting = DBTaskResult.objects.ready()
        answer["waiting"] = waiting.count()
        oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
        if oldest is not None and timezone.now() - oldest > TASKS_LATE_AFTER:
            late = f"{answer['waiting']} tasks waiting, the oldest since {oldest.isoformat()}"
            raise RuntimeError(f"{late}: is db_worker running?")
    return answer


def _check_storage():
    """Local folders must be writable; a bucket is not asked on every probe."""
    answer = {}
    for alias in ("default", "private"):
        location = getattr(storages[alias], "location", None)
        if location is None:
            answer[alias] = "not checked"
            continue
        folder = Path(location)
        while not folder.exists() and folder != folder.parent:  # made on the first upload
            folder = folder.parent
        if not os.access(folder, os.W_OK):
            raise PermissionError(f"{location} is not writable")
        answer[alias] = "writable"
    return answer


# What /healthz/ checks, and whether the site can serve readers without it.
HEALTH_CHECKS = {
    "database": (_check_database, True),
    "cache": (_check_cache, False),
    "tasks": (_check_tasks, False),
    "storage": (_check_storage, False),
}


@never_cache
def healthz(request):
    """Each dependency of the site, checked (JSON). 200 while the site can serve readers, though
    perhaps degraded (the cache down: pages come from the database; tasks late: email waits);
    503 when it cannot (the database), so a load balancer takes this server out."""
    checks, serving, degraded = {}, True, False
    for name, (check, required) in HEALTH_CHECKS.items():
        try:
            checks[name] = {"ok": True, **check()}
        except Exception as exc:
            checks[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:500]}
            serving = serving and not required
            degraded = True
    status = "ok" if not degraded else "degraded" if serving else "unavailable"
    return JsonResponse({"status": status, "checks": checks}, status=200 if serving else 503)


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
