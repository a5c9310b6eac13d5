"""RSS 2.0 and Atom feeds of the latest live articles: the whole site, a category, a tag, an author.

Each request gets its own feed instance (`as_view()`), so links can be built from the
request's scheme and host: Django's syndication view would otherwise take the host of
the `sites` record, which is `example.com` unless someone edits it.
"""

import datetime
import mimetypes
import re
from html import unescape
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import feedgenerator
from django.utils.html import escape
from django.utils.translation import gettext as _
from taggit.models import Tag

from core import cachetags
from core.models import SiteSettings

from .models import Article, Author, Category, TaggedArticle

FEED_LENGTH = 20
MEDIA_NS = "http://search.yahoo.com/mrss/"
# Root-relative links and images in a body ("/media/…", "/2026/03/…"), which feed readers
# would resolve against their own address. Bodies are sanitized by nh3, which always
# writes attributes in double quotes.
_ROOT_RELATIVE = re.compile(r'(\s(?:href|src)=")(/(?!/))')


def article_guid(article):
    """The entry's permanent id: a tag URI (RFC 4151) such as `tag:news.example.com,2026-03-01:article/42`.

    Built from the primary key and the day the article was created (in UTC), never
    from the slug or the publication time, which editors may change after publication.
    The host comes from BYLINE_SITE_URL, not the request, so every address the site
    answers on gives the same id; changing that setting changes every id.
    """
    host = urlsplit(settings.BYLINE_SITE_URL).hostname
    day = article.created_at.astimezone(datetime.UTC).date()
    return f"tag:{host},{day.isoformat()}:article/{article.pk}"


class MediaRssMixin:
    """Adds the featured image as Media RSS `media:content` (url, type, width, height, alt text).

    Not an `<enclosure>`: RSS requires its byte length, and the featured image's size
    is not stored; asking the storage for it costs a stat (or an HTTP request with
    remote storage) per item and fails when a file is missing. Width and height are
    stored on the article.
    """

    def add_media_content(self, handler, item):
        image = item.get("image")
        if not image:
            return
        handler.startElement("media:content", {key: str(value) for key, value in image.items() if key != "alt"})
        if image.get("alt"):
            handler.addQuickElement("media:description", image["alt"], {"type": "plain"})
        handler.endElement("media:content")


class RssFeed(MediaRssMixin, feedgenerator.Rss201rev2Feed):
    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:media": MEDIA_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        self.add_media_content(handler, item)


class AtomFeed(MediaRssMixin, feedgenerator.Atom1Feed):
    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:media": MEDIA_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        self.add_media_content(handler, item)


class LatestArticlesFeed(Feed):
    """The latest live articles of the whole site; subclasses narrow `articles()`."""

    feed_type = RssFeed
    item_guid_is_permalink = False

    @classmethod
    def as_view(cls, **attributes):
        """A view that builds a fresh feed per request (the feed keeps the request)."""

        def view(request, *args, **kwargs):
            feed = cls()
            for name, value in attributes.items():
                setattr(feed, name, value)
            return feed(request, *args, **kwargs)

        view.__name__ = view.__qualname__ = cls.__name__
        view.__doc__ = cls.__doc__
        return view

    def __call__(self, request, *args, **kwargs):
        self.request = request
        self.site_settings = SiteSettings.load()
        return super().__call__(request, *args, **kwargs)

    def absolute(self, path):
        return self.request.build_absolute_uri(path)

    def articles(self, obj):
        return Article.objects.for_listing()

    def listing_tags(self, obj):
        """The page-cache tags of the listing this feed follows (see blog/invalidation.py)."""
        return [cachetags.LIST]

    def items(self, obj):
        items = list(self.articles(obj)[:FEED_LENGTH])
        cachetags.page_shows(
            self.request, cachetags.SITE, *self.listing_tags(obj), *(cachetags.article(item.pk) for item in items)
        )
        return items

    def title(self, obj):
        return self.site_settings.site_name

    def description(self, obj):
        return self.site_settings.tagline or _("The latest articles on %(site)s") % {
            "site": self.site_settings.site_name
        }

    def subtitle(self, obj):
        return self.description(obj)  # Atom's name for it; RSS writes only the description

    def link(self, obj):
        return self.absolute(reverse("blog:home"))

    def feed_url(self, obj):
        return self.absolute(self.request.path)

    def feed_guid(self, obj):
        # The Atom feed's id: this feed's address on the configured host, whatever host was asked.
        return settings.BYLINE_SITE_URL + self.request.path

    def author_name(self, obj):
        return self.site_settings.site_name

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        if not self.site_settings.feed_full_text:
            # The excerpt is text, but may hold entities left by strip_tags(); RSS and Atom
            # carry it as HTML.
            return escape(unescape(item.excerpt))
        base = self.absolute("/").rstrip("/")
        body = _ROOT_RELATIVE.sub(lambda m: m.group(1) + base + m.group(2), item.body)
        if item.has_affiliate_links:
            # The links leave the site with the text; the disclosure readers see there goes too.
            body = f"<p><em>{escape(self.site_settings.affiliate_disclosure)}</em></p>{body}"
        return body

    def item_link(self, item):
        return self.absolute(item.get_absolute_url())

    def item_guid(self, item):
        return article_guid(item)

    def item_author_name(self, item):
        return item.author.name

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        # A scheduled article may have been saved before it went live.
        return max(item.updated_at, item.published_at)

    def item_categories(self, item):
        names = [item.category.name] if item.category else []
        return names + [tag.name for tag in item.tags.all() if tag.name not in names]

    def item_extra_kwargs(self, item):
        if not item.featured_image:
            return {}
        image = {
            "url": self.absolute(item.featured_image.url),
            "medium": "image",
            "type": mimetypes.guess_type(item.featured_image.name)[0],
            "width": item.featured_image_width,
            "height": item.featured_image_height,
            "alt": item.featured_image_alt,
        }
        return {"image": {key: value for key, value in image.items() if value}}


class CategoryFeed(LatestArticlesFeed):
    def listing_tags(self, obj):
        return [cachetags.category(obj.pk)]

    def get_object(self, request, slug):
        return get_object_or_404(Category, slug=slug)

    def articles(self, obj):
        return super().articles(obj).filter(category=obj)

    def title(self, obj):
        return f"{obj.name} · {self.site_settings.site_name}"

    def description(self, obj):
        return obj.description or _("The latest articles in %(category)s on %(site)s") % {
            "category": obj.name,
            "site": self.site_settings.site_name,
        }

    def link(self, obj):
        return self.absolute(obj.get_absolute_url())


class TagFeed(LatestArticlesFeed):
    def listing_tags(self, obj):
        return [cachetags.tag(obj.pk)]

    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def articles(self, obj):
        # The same IN (subquery) as the tag page, for the same reason (see TagDetailView).
        tagged = TaggedArticle.objects.filter(tag=obj).values("content_object_id")
        return super().articles(obj).filter(pk__in=tagged)

    def title(self, obj):
        return f"{obj.name} · {self.site_settings.site_name}"

    def description(self, obj):
        return _("The latest articles tagged %(tag)s on %(site)s") % {
            "tag": obj.name,
            "site": self.site_settings.site_name,
        }

    def link(self, obj):
        return self.absolute(reverse("blog:tag-detail", kwargs={"slug": obj.slug}))


class AuthorFeed(LatestArticlesFeed):
    def listing_tags(self, obj):
        return [cachetags.author(obj.pk)]

    def get_object(self, request, slug):
        return get_object_or_404(Author, slug=slug)

    def articles(self, obj):
        return super().articles(obj).filter(author=obj)

    def title(self, obj):
        return f"{obj.name} · {self.site_settings.site_name}"

    def description(self, obj):
        return _("The latest articles by %(author)s on %(site)s") % {
            "author": obj.name,
            "site": self.site_settings.site_name,
        }

    def link(self, obj):
        return self.absolute(obj.get_absolute_url())

    def author_name(self, obj):
        return obj.name
