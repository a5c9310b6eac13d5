"""WordPress's query-string addresses (/?p=12, /?page_id=3, /?cat=4, /?tag=x, /?author=2) answer 301.

The home page answers 200 to any query string, so Django's RedirectFallbackMiddleware
(which acts on 404s only) never sees these. This middleware sits before the page cache:
for "/" with one of WordPress's parameters it looks the address up in the redirects
table (django.contrib.redirects, filled by `import_wordpress`, editable in the admin);
every other request passes through without a query.
"""

from urllib.parse import quote

from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.http import HttpResponsePermanentRedirect

# In WordPress's order of precedence.
PARAMETERS = ("p", "page_id", "cat", "tag", "author")


def query_path(name, value):
    """The old_path a redirect of WordPress's "/?name=value" address is stored under."""
    return f"/?{name}={quote(str(value), safe='')}"


class WordPressQueryRedirectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/" and request.META.get("QUERY_STRING") and request.method in ("GET", "HEAD"):
            for name in PARAMETERS:
                value = request.GET.get(name)
                if value:
                    target = (
                        Redirect.objects.filter(site_id=settings.SITE_ID, old_path=query_path(name, value))
                        .values_list("new_path", flat=True)
                        .first()
                    )
                    if target:
                        return HttpResponsePermanentRedirect(target)
                    break
        return self.get_response(request)
