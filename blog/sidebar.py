"""The sidebar of every blog page: categories, tag cloud and archive months, cached as one piece.

Two queries when not cached, whatever the size of the archive. The cached copy is
replaced whenever articles change (`refresh_hook`, run by the page cache before it
invalidates), and the `sidebar` tag is invalidated only when what it shows changed:
publishing an article usually leaves it as it was, and then no page has to be rendered
again because of the sidebar.
"""

import time

from django.core.cache import cache
from django.db.models import CharField, Count, Exists, OuterRef, Value
from django.template.loader import render_to_string
from taggit.models import Tag

from core import cachetags
from core.requestcache import per_request
from pagecache.cache import set_horizon

from .models import Article, Category

CACHE_KEY = "blog:sidebar"
CACHE_SECONDS = 24 * 3600
TAG_CLOUD_SIZE = 20
TAG_CLOUD_WINDOW = 500  # the latest live articles the cloud is drawn from
ARCHIVE_MONTHS = 12


def compute():
    """{"categories": [{name, slug}], "tags": [{name, slug}], "months": [date], "until": datetime or None, "html"}.

    `until`: when the next scheduled article goes live, and the sidebar may change.
    """
    live = Article.objects.live()
    # Categories with a live article (an index probe each, not a count of all articles).
    categories = (
        Category.objects.filter(Exists(live.filter(category=OuterRef("pk"))))
        .order_by()
        .annotate(kind=Value("c", output_field=CharField()))
        .values_list("kind", "name", "slug")
    )
    # The tags used most by the latest live articles: the cloud follows current topics,
    # and its cost does not grow with the archive.
    recent = live.order_by("-published_at").values("pk")[:TAG_CLOUD_WINDOW]
    top = (
        Tag.objects.filter(blog_taggedarticle_items__content_object__in=recent)
        .annotate(num_articles=Count("blog_taggedarticle_items"))
        .order_by("-num_articles", "name")
        .values("pk")[:TAG_CLOUD_SIZE]
    )
    tags = (
        Tag.objects.filter(pk__in=top)
        .order_by()
        .annotate(kind=Value("t", output_field=CharField()))
        .values_list("kind", "name", "slug")
    )
    rows = list(categories.union(tags, all=True))
    months, next_publication = Article.objects.archive_months_and_next_publication(limit=ARCHIVE_MONTHS)
    set_horizon(next_publication)  # the page cache would ask the database for it otherwise
    data = {
        "categories": sorted(
            ({"name": name, "slug": slug} for kind, name, slug in rows if kind == "c"), key=lambda c: c["name"]
        ),
        "tags": sorted(
            ({"name": name, "slug": slug} for kind, name, slug in rows if kind == "t"), key=lambda t: t["name"].lower()
        ),
        "months": months,
        "until": next_publication,
    }
    # The same for every page and every reader: render it once too (links, dates, headings).
    data["html"] = render_to_string("blog/_sidebar.html", data)
    return data


def _seconds(data):
    """Until the next scheduled publication, which may change the sidebar by itself."""
    if data["until"] is None:
        return CACHE_SECONDS
    return max(1, min(CACHE_SECONDS, int(data["until"].timestamp() - time.time())))


def load():
    """The sidebar, once per request (blog pages ask for it twice)."""
    return per_request(CACHE_KEY, _load)


def _load():
    data = cache.get(CACHE_KEY)
    if data is None:
        data = compute()
        cache.set(CACHE_KEY, data, timeout=_seconds(data))
    return data


def refresh_hook(names):
    """Called with the tags about to be invalidated: adds `sidebar` if the sidebar changed."""
    if not any(name == cachetags.SITE or name == cachetags.LIST for name in names):
        return ()
    before = cache.get(CACHE_KEY)
    after = compute()
    cache.set(CACHE_KEY, after, timeout=_seconds(after))
    return (cachetags.SIDEBAR,) if before != after else ()
