from django.templatetags.static import static
from django.urls import path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from . import (
    converters,  # noqa: F401  (registers "uslug")
    views,
)

app_name = "core"

urlpatterns = [
    path("pages/<uslug:slug>/", views.PageDetailView.as_view(), name="page-detail"),
    path("healthz/", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin, for one). Lazy: with
    # the manifest storage of production, resolving it at import would need collectstatic first.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("img/favicon.svg"), permanent=True)),
]
