"""The site's URLs plus uploaded media, which the live server otherwise does not serve (DEBUG is off)."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from config.urls import handler404, handler500  # noqa: F401
from config.urls import urlpatterns as site_urls


def media(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)  # read per request: tests move it


urlpatterns = [re_path(r"^media/(?P<path>.*)$", media), *site_urls]
