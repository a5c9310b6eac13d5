"""Cache tags: what a page shows, named in one vocabulary, and the request's record of them.

A view names what its page shows (`page_shows(request, LIST, article(pk))`); a change names what it
changed (pagecache.cache.invalidate); a stored page is stale once one of its tags was
invalidated after it was stored (pagecache/cache.py). Only pages whose view named tags are
stored. Build every tag here, never as a string elsewhere, so that a page and the change that
makes it stale cannot spell it differently.

Here, below every app, so that any view can name what it shows without depending on the page
cache (core's own pages do).
"""

import time

#: The settings, menus and names every page shows (site settings, footer pages, a renamed
#: category, author or tag).
SITE = "site"
#: Anything listing the latest articles: home, search, the site feeds, the sitemaps.
LIST = "list"
#: The sidebar of blog pages (categories, tag cloud, archive months); blog/sidebar.py.
SIDEBAR = "sidebar"


def article(pk):
    """Every page that renders article `pk`: its own page, cards on listings, links to it."""
    return f"a{pk}"


def category(pk):
    """The listing (and feed) of category `pk`."""
    return f"c{pk}"


def tag(pk):
    """The listing (and feed) of tag `pk`, and the articles whose related articles come from it."""
    return f"t{pk}"


def author(pk):
    """The listing (and feed) of author `pk`."""
    return f"u{pk}"


def year(number):
    """The archive of a year."""
    return f"y{number}"


def month(year_number, month_number):
    """The archive of a month."""
    return f"m{year_number}-{month_number:02d}"


def page_shows(request, *names):
    """Declare that the page being rendered for `request` shows what `names` stand for."""
    if not hasattr(request, "_pagecache_tags"):
        request._pagecache_tags = set()
    request._pagecache_tags.update(str(name) for name in names if name is not None)


def expire_by(request, moment):
    """The page changes by itself at `moment` (an aware datetime): do not keep it longer."""
    if moment is None or moment.timestamp() <= time.time():
        return
    current = getattr(request, "_pagecache_expires", None)
    request._pagecache_expires = moment.timestamp() if current is None else min(current, moment.timestamp())


def request_tags(request):
    """The tags the view declared for `request`'s page (empty: the page is not cached)."""
    return getattr(request, "_pagecache_tags", set())


def expires_at(request):
    """The Unix time the view said its page changes by itself (None: no such time)."""
    return getattr(request, "_pagecache_expires", None)
