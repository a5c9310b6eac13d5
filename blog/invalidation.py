"""Which cached pages a change to the blog's content makes stale (tags: see pagecache/cache.py).

An article that readers can see now, or will see at its scheduled time, is on the pages
tagged with:
- `a<pk>`: every page that renders it (its own page, cards on listings, related and
  previous/next links on other article pages);
- the listings it belongs to: `list` (home, search, site feeds, sitemaps), `c<category>`,
  `u<author>`, `t<tag>` for each tag, `y<year>` and `m<year>-<month>` archives;
- and its neighbours in time (`a<previous>`, `a<next>`), whose pages link to it.
A save invalidates the tags of the article before and after the change, so moving it to
another category, author or date refreshes both. Renaming a category, author or tag, the
site settings and the footer menu change what every page shows: `site`.
Article pages also carry `t<tag>` for their own tags: their related articles come from those.
"""

from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from taggit.models import Tag

from pagecache.cache import invalidate

from .models import Article, Author, Category, TaggedArticle

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
        f"a{state['pk']}",
        "list",
        f"u{state['author_id']}",
        f"y{local.year}",
        f"m{local.year}-{local.month:02d}",
    }
    if state["category_id"]:
        names.add(f"c{state['category_id']}")
    names.update(f"t{tag_id}" for tag_id in tag_ids)
    return names


def neighbour_tags(published_at, exclude_pk):
    """`a<pk>` of the live articles just before and after `published_at`: their pages link to it."""
    live = Article.objects.live().exclude(pk=exclude_pk)
    before = live.filter(published_at__lt=published_at).order_by("-published_at").values("pk")[:1]
    after = live.filter(published_at__gt=published_at).order_by("published_at").values("pk")[:1]
    pks = Article.objects.filter(Q(pk__in=before) | Q(pk__in=after)).values_list("pk", flat=True)
    return {f"a{pk}" for pk in pks}


def _tag_ids(article_pk):
    return list(TaggedArticle.objects.filter(content_object_id=article_pk).values_list("tag_id", flat=True))


def _state(article):
    return {field: getattr(article, "pk" if field == "pk" else field) for field in STATE_FIELDS}


@receiver(pre_save, sender=Article)
def remember_state(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._published_state = None
        return
    instance._published_state = Article.objects.filter(pk=instance.pk).values(*STATE_FIELDS).first()


@receiver(post_save, sender=Article)
def article_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_published_state", None)
    after = _state(instance)
    tag_ids = _tag_ids(instance.pk)
    names = state_tags(after, tag_ids)
    urls = set()
    if names:
        urls.add(absolute_url(instance.get_absolute_url()))
        if (
            not before
            or before["published_at"] != after["published_at"]
            or not is_public(before["status"], before["published_at"])
        ):
            names |= neighbour_tags(after["published_at"], instance.pk)
    if before:
        old = state_tags(before, tag_ids)
        if old:
            urls.add(absolute_url(article_url(before["slug"], before["published_at"])))
        names |= old
    invalidate(names, urls)


@receiver(post_delete, sender=Article)
def article_deleted(sender, instance, **kwargs):
    state = _state(instance)
    if is_public(state["status"], state["published_at"]):
        invalidate(state_tags(state, ()), [absolute_url(instance.get_absolute_url())])


def articles_changed(pks):
    """Articles changed without save() (a queryset update): comment counts, takedowns, re-marked links."""
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
    invalidate(names, urls)


@receiver(post_save, sender=TaggedArticle)
@receiver(post_delete, sender=TaggedArticle)
def article_tags_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    state = Article.objects.filter(pk=instance.content_object_id).values(*STATE_FIELDS).first()
    if state and is_public(state["status"], state["published_at"]):
        invalidate({f"a{state['pk']}", f"t{instance.tag_id}", "list"})


@receiver(post_save, sender=Category)
@receiver(post_save, sender=Author)
@receiver(post_save, sender=Tag)
def renamed(sender, instance, created=False, raw=False, **kwargs):
    """A name or slug every page may show (cards, menus, bylines): new ones are on no page yet."""
    if not created and not raw:
        invalidate({"site"})


@receiver(post_delete, sender=Category)
@receiver(post_delete, sender=Author)
@receiver(post_delete, sender=Tag)
def removed(sender, instance, **kwargs):
    invalidate({"site"})


def next_publication():
    """When the next scheduled article goes live (None when none is scheduled): the page cache's horizon."""
    now: datetime = timezone.now()
    return (
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=now)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
