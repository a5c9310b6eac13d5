"""Sitemaps (sitemaps.org protocol) of what readers can reach, and a Google News sitemap.

`/sitemap.xml` is an index of the sections below, each split into files of at most
`limit` URLs (`?p=2`, …). Everything starts from `Article.objects.live()`, so drafts,
articles in review, scheduled, withdrawn and taken-down articles never appear, nor
articles first published elsewhere (their canonical address is not ours).

Sitemaps are built per request so their URLs use the request's scheme and host: Django's
views would otherwise take the host of the `sites` record (`example.com` until edited).
Nothing is cached yet: a taken-down article must leave every sitemap at once, and the
exact invalidation that would make caching safe is still to come.
"""

import datetime

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Exists, F, Max, OuterRef, Subquery
from django.db.models.functions import Greatest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from core import cachetags
from core.models import Page, SiteSettings

from .models import Article, Author, Category

NEWS_WINDOW = datetime.timedelta(hours=48)


def w3c(moment):
    """`moment` to the second: sitemap dates are written as 2026-03-01T09:30:00+00:00."""
    return moment.replace(microsecond=0) if moment else None


class RequestSitemap(Sitemap):
    """A sitemap for one request, on its host; items carry a `lastmod` annotation."""

    def __init__(self, request):
        self.request = request

    def get_domain(self, site=None):
        return self.request.get_host()

    def lastmod(self, item):
        return w3c(item.lastmod)

    def get_latest_lastmod(self):
        return w3c(self.items().aggregate(latest=Max("lastmod"))["latest"])


def canonical_articles():
    """Live articles whose canonical address is ours.

    A sitemap lists canonical URLs only, and an article first published elsewhere names
    the original (`canonical_url`) as canonical.
    """
    return Article.objects.live().filter(canonical_url="")


class ArticleSitemap(RequestSitemap):
    def items(self):
        # An article scheduled after its last save changed (it appeared) when it went live.
        return (
            canonical_articles()
            .annotate(lastmod=Greatest("updated_at", "published_at"))
            .only("slug", "published_at")
            .order_by("-published_at", "-pk")
        )


class ListingSitemap(RequestSitemap):
    """Listing pages that show at least one live article; lastmod is the latest one's publication.

    An empty listing is a page with nothing on it (a soft 404 to search engines).
    """

    model = None
    article_filter = None  # from Article to the model

    def get_latest_lastmod(self):
        """The newest live article that appears in such a listing: the index needs no scan of them all."""
        newest = Article.objects.live().filter(**{f"{self.article_filter}__isnull": False}).order_by("-published_at")
        return w3c(newest.values_list("published_at", flat=True).first())

    def items(self):
        # EXISTS and a per-row subquery (index probes) rather than a GROUP BY over every article.
        live = Article.objects.live().filter(**{self.article_filter: OuterRef("pk")})
        return (
            self.model.objects.filter(Exists(live))
            .annotate(lastmod=Subquery(live.order_by("-published_at").values("published_at")[:1]))
            .order_by("pk")
        )


class CategorySitemap(ListingSitemap):
    model = Category
    article_filter = "category"


class TagSitemap(ListingSitemap):
    model = Tag
    article_filter = "tagged_items__tag"

    def location(self, item):
        return reverse("blog:tag-detail", kwargs={"slug": item.slug})


class AuthorSitemap(ListingSitemap):
    model = Author
    article_filter = "author"


class PageSitemap(RequestSitemap):
    def items(self):
        return Page.objects.annotate(lastmod=F("updated_at")).only("slug").order_by("pk")


class NewsSitemap(RequestSitemap):
    """Google News: live articles published in the last 48 hours, at most 1,000 a file."""

    limit = 1000

    def items(self):
        since = timezone.now() - NEWS_WINDOW
        return (
            canonical_articles()
            .filter(published_at__gte=since)
            .annotate(lastmod=Greatest("updated_at", "published_at"))
            .only("title", "slug", "published_at")
            .order_by("-published_at", "-pk")
        )

    def get_urls(self, page=1, site=None, protocol=None):
        publication = {"name": SiteSettings.load().site_name, "language": news_language()}
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            url["publication"] = publication
            url["publication_date"] = w3c(url["item"].published_at)
        if urls:
            # The oldest article leaves the file when it is 48 hours old: nothing else changes then.
            cachetags.expire_by(self.request, min(url["item"].published_at for url in urls) + NEWS_WINDOW)
        return urls


def news_language():
    """The site's language as Google News wants it: ISO 639 ("en"), except zh-cn and zh-tw."""
    code = settings.LANGUAGE_CODE.lower()
    return code if code in {"zh-cn", "zh-tw"} else code.split("-")[0]


SECTIONS = {
    "articles": ArticleSitemap,
    "categories": CategorySitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
    "pages": PageSitemap,
}


@sitemap_views.x_robots_tag
def index(request):
    """The sitemap index: every file of every section that has URLs, news included."""
    cachetags.page_shows(request, cachetags.SITE, cachetags.LIST)
    sections = [(NewsSitemap(request), reverse("blog:sitemap-news"))] + [
        (sitemap(request), reverse("blog:sitemap-section", kwargs={"section": name}))
        for name, sitemap in SECTIONS.items()
    ]
    entries = []
    for sitemap, path in sections:
        paginator = sitemap.paginator
        if not paginator.count:
            continue  # a urlset must hold at least one <url>
        location = request.build_absolute_uri(path)
        lastmod = sitemap.get_latest_lastmod()
        for number in paginator.page_range:
            entries.append({"location": location if number == 1 else f"{location}?p={number}", "lastmod": lastmod})
    return TemplateResponse(request, "sitemaps/index.xml", {"sitemaps": entries}, content_type="application/xml")


def section(request, section):
    """One file of a section: `?p=2` for the second `limit` URLs, and so on."""
    cachetags.page_shows(request, cachetags.SITE, cachetags.LIST)
    sitemaps = {name: sitemap(request) for name, sitemap in SECTIONS.items()}
    return sitemap_views.sitemap(request, sitemaps, section=section, template_name="sitemaps/sitemap.xml")


def news(request):
    cachetags.page_shows(request, cachetags.SITE, cachetags.LIST)
    return sitemap_views.sitemap(
        request, {"news": NewsSitemap(request)}, section="news", template_name="sitemaps/news.xml"
    )
