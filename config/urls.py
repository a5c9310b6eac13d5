import re
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from core.admin import view_on_site

admin.site.site_header = "Byline"
admin.site.site_title = "Byline admin"
admin.site.index_title = "Editorial"

urlpatterns = [
    # Before the admin's own: Django's "View on site" redirect checks no permission (core/admin.py).
    path("admin/r/<path:content_type_id>/<path:object_id>/", admin.site.admin_view(view_on_site)),
    path("admin/", admin.site.urls),
    path("contribute/", include("contributions.urls")),
    path("comments/", include("discussion.urls")),
    path("copyright/", include("complaints.urls")),
    # Inbound email webhooks of email providers (django-anymail), e.g. /anymail/mailgun/inbound/,
    # rate- and size-limited (contributions/webhooks.py).
    path("anymail/", include("contributions.webhooks")),
    path("", include("core.urls")),
    # Last: blog URLs include the catch-all /<year>/... shapes.
    path("", include("blog.urls")),
]

# Uploads from MEDIA_ROOT, in development only (local.py): `make run` serves with DEBUG off, where
# Django's static() helper adds nothing. Production leaves them to the web server or the bucket.
if getattr(settings, "BYLINE_SERVE_MEDIA", settings.DEBUG) and not urlsplit(settings.MEDIA_URL).netloc:
    from django.views.static import serve

    urlpatterns += [
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
