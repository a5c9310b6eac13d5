"""Which cached pages a change to the blog's content makes stale (the tags: pagecache/tags.py).

An article that readers can see now, or will see at its scheduled time, is on the pages
tagged with:
- `article(pk)`: every page that renders it (its own page, cards on listings, related and
  previous/next links on other article pages);
- the listings it belongs to: `LIST` (home, search, site feeds, sitemaps), its category,
  author and each of its tags, its year and month archives;
- and its neighbours in time, whose pages link to it.
A save invalidates the tags of the article before and after the change, so moving it to
another category, author or date refreshes both. Renaming a category, author or tag, the
site settings and the footer menu change what every page shows: `SITE`.
Article pages also carry their own tags' `tag(pk)`: their related articles come from those.

Every write of articles refreshes the pages through this module: a save through
blog/receivers.py (`article_saved`, `article_deleted`), a write without save() through
`update_articles` (or, after a write in batches, `articles_changed` / `articles_rendered_anew`).
"""

from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from core import cachetags as tags
from pagecache import cache as pages

from .models import Article, TaggedArticle

STATE_FIELDS = ("pk", "slug", "status", "published_at", "category_id", "author_id")


def is_public(status, published_at):
    """Live now, or scheduled: either way on public pages (now, or at the scheduled time)."""
    return status == Article.Status.PUBLISHED and published_at is not None


def absolute_url(article_url):
    return settings.BYLINE_SITE_URL + article_url


def article_url(slug, published_at):
    return Article(slug=slug, published_at=published_at).get_absolute_url()


def state_tags(state, tag_ids):
    """The tags of the pages that show an article in `state` (a dict of STATE_FIELDS)."""
    if not is_public(state["status"], state["published_at"]):
        return set()
    local = timezone.localtime(state["published_at"])
    names = {
        tags.article(state["pk"]),
        tags.LIST,
        tags.author(state["author_id"]),
        tags.year(local.year),
        tags.month(local.year, local.month),
    }
    if state["category_id"]:
        names.add(tags.category(state["category_id"]))
    names.update(tags.tag(tag_id) for tag_id in tag_ids)
    return names


def neighbour_tags(published_at, exclude_pk):
    """The tags of the live articles just before and after `published_at`: their pages link to it."""
    live = Article.objects.live().exclude(pk=exclude_pk)
    before = live.filter(published_at__lt=published_at).order_by("-published_at").values("pk")[:1]
    after = live.filter(published_at__gt=published_at).order_by("published_at").values("pk")[:1]
    pks = Article.objects.filter(Q(pk__in=before) | Q(pk__in=after)).values_list("pk", flat=True)
    return {tags.article(pk) for pk in pks}


def state_before_save(article):
    """What the pages showed of `article` before the save about to happen (None for a new one)."""
    if article.pk is None:
        return None
    return Article.objects.filter(pk=article.pk).values(*STATE_FIELDS).first()


def _tag_ids(article_pk):
    return list(TaggedArticle.objects.filter(content_object_id=article_pk).values_list("tag_id", flat=True))


def _state(article):
    return {field: getattr(article, "pk" if field == "pk" else field) for field in STATE_FIELDS}


def article_saved(article, before):
    """Refresh the pages that showed `article` in state `before` (state_before_save) and show it now."""
    after = _state(article)
    tag_ids = _tag_ids(article.pk)
    names = state_tags(after, tag_ids)
    urls = set()
    if names:
        urls.add(absolute_url(article.get_absolute_url()))
        if (
            not before
            or before["published_at"] != after["published_at"]
            or not is_public(before["status"], before["published_at"])
        ):
            names |= neighbour_tags(after["published_at"], article.pk)
    if before:
        old = state_tags(before, tag_ids)
        if old:
            urls.add(absolute_url(article_url(before["slug"], before["published_at"])))
        names |= old
    pages.invalidate(names, urls)


def article_deleted(article):
    state = _state(article)
    if is_public(state["status"], state["published_at"]):
        pages.invalidate(state_tags(state, ()), [absolute_url(article.get_absolute_url())])


def article_tags_changed(article_id, tag_id):
    """A tag added to or taken from an article."""
    state = Article.objects.filter(pk=article_id).values(*STATE_FIELDS).first()
    if state and is_public(state["status"], state["published_at"]):
        pages.invalidate({tags.article(state["pk"]), tags.tag(tag_id), tags.LIST})


def site_changed():
    """Something every page shows: the settings, the footer menu, a name or slug on cards and menus."""
    pages.invalidate({tags.SITE})


def update_articles(pks, *, everywhere=True, **fields):
    """Write `fields` to articles `pks` without save() (no revision, nothing derived again, no
    `updated_at` unless given) and refresh the cached pages that show them. Returns the number written.

    everywhere: also the listings and archives they belong to, and their addresses (articles_changed):
    for a change of status or of what listings show. False: only the pages that render them (their
    tag: their own page, the cards and links that show them), for a change such as image renditions.
    """
    pks = list(pks)
    if not pks:
        return 0
    count = Article.objects.filter(pk__in=pks).update(**fields)
    if everywhere:
        articles_changed(pks)
    else:
        articles_rendered_anew(pks)
    return count


def articles_rendered_anew(pks):
    """Articles that render differently where they are shown (their image renditions): only the
    pages that render them (their tag), not the listings they belong to."""
    pages.invalidate([tags.article(pk) for pk in pks])


def articles_changed(pks):
    """Articles changed without save() (update_articles, a bulk_update): refresh their pages."""
    pks = list(pks)
    if not pks:
        return
    rows = Article.objects.filter(pk__in=pks).values(*STATE_FIELDS)
    tags_by_article = {}
    for article_id, tag_id in TaggedArticle.objects.filter(content_object_id__in=pks).values_list(
        "content_object_id", "tag_id"
    ):
        tags_by_article.setdefault(article_id, []).append(tag_id)
    names, urls = set(), set()
    for row in rows:
        # A taken-down article is no longer public: its former pages still must refresh.
        state = dict(row, status=Article.Status.PUBLISHED) if row["status"] == Article.Status.TAKEN_DOWN else row
        found = state_tags(state, tags_by_article.get(row["pk"], ()))
        if found:
            names |= found
            urls.add(absolute_url(article_url(row["slug"], row["published_at"])))
    pages.invalidate(names, urls)


def next_publication():
    """When the next scheduled article goes live (None when none is scheduled): the page cache's horizon."""
    now: datetime = timezone.now()
    return (
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=now)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
