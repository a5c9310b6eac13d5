import math
from datetime import UTC, date, datetime

import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from core.affiliates import mark_affiliate_links, parse_patterns
from core.fields import PlainParagraphsField, PlainTextField, UnicodeSlugField
from core.models import SiteSettings
from core.sanitizer import PROSE_EXTENSIONS, plain_text, sanitize_html

from .categories import Profile, best
from .image_names import body_images_text

WORDS_PER_MINUTE = 230


def month_start(first_day):
    """The aware datetime at which the month of `first_day` begins, in the site's time zone."""
    return timezone.make_aware(datetime(first_day.year, first_day.month, 1))


def month_end(first_day):
    """The aware datetime at which the month after `first_day`'s begins."""
    year, month = (first_day.year, first_day.month + 1) if first_day.month < 12 else (first_day.year + 1, 1)
    return timezone.make_aware(datetime(year, month, 1))


class Author(models.Model):
    """A byline: a staff writer or a published guest contributor."""

    name = PlainTextField(_("name"), max_length=120)
    slug = UnicodeSlugField(_("slug"), max_length=120, unique=True)
    bio = PlainParagraphsField(_("bio"), blank=True, help_text=_("A few sentences shown on the author's page."))
    avatar = models.ImageField(_("avatar"), upload_to="authors/%Y/", blank=True)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("email"), blank=True, help_text=_("Private: never shown to readers."))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author",
        help_text=_("The login that writes as this author, if any."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("blog:author-detail", kwargs={"slug": self.slug})


class CategoryQuerySet(models.QuerySet):
    def suggest_for(self, text, tag_names=()):
        """The category of these that a piece with `text` and suggested `tag_names` fits best (blog/categories.py:
        by their names, slugs and the tags of their articles), or None when none fits or two fit as well."""
        profiles = {category.pk: Profile(category, (category.name, category.slug)) for category in self}
        rows = (
            TaggedArticle.objects.filter(content_object__category__in=list(profiles))
            .values_list("content_object__category", "tag__name")
            .annotate(articles=Count("content_object", distinct=True))
            .order_by()
        )
        for category_id, tag_name, articles in rows:
            profiles[category_id].tags[tag_name] += articles
        return best(text, tag_names, list(profiles.values()))


class Category(models.Model):
    name = PlainTextField(_("name"), max_length=100)
    slug = UnicodeSlugField(_("slug"), max_length=100, unique=True)
    description = PlainParagraphsField(_("description"), blank=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("blog:category-detail", kwargs={"slug": self.slug})


@reversion.register()
class TaggedArticle(TaggedItemBase):
    content_object = models.ForeignKey("Article", on_delete=models.CASCADE, related_name="tagged_items")

    class Meta:
        verbose_name = _("article tag")
        verbose_name_plural = _("article tags")


class ArticleQuerySet(models.QuerySet):
    def live(self):
        """Articles readers may see: published, and not scheduled for later.

        Every public page, feed and sitemap starts from this queryset.
        """
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def for_listing(self):
        """Live articles with everything a card renders (author, category, tags)."""
        return self.live().select_related("author", "category").prefetch_related("tags")

    def live_in_order(self, pks):
        """The live articles among `pks`, in that order, with what a card renders.

        Looked up by primary key, and checked for liveness here rather than in the query: with
        live()'s conditions in it, SQLite (which has no statistics unless ANALYZE ran) walked the
        (status, published_at) index through every live article to find ten (30 ms at 100,000).
        """
        found = self.order_by().select_related("author", "category").prefetch_related("tags").in_bulk(pks)
        return [found[pk] for pk in pks if pk in found and found[pk].is_live]

    def related_to(self, article, limit=3, window=1000):
        """Live articles sharing the most tags with `article`, nearest in time on ties.

        Candidates are the `window` live articles published just before `article` and
        the `window` just after it: news is related to news of its time, and the cost
        stays the same however large the archive grows (at 100,000 articles, ranking
        every article sharing a tag took 450 ms on SQLite).
        """
        tag_ids = [tag.pk for tag in article.tags.all()]
        if not tag_ids or article.published_at is None:
            return self.none()
        live = Article.objects.live()
        before = live.filter(published_at__lte=article.published_at).order_by("-published_at").values("pk")[:window]
        after = live.filter(published_at__gt=article.published_at).order_by("published_at").values("pk")[:window]
        if connection.features.supports_slicing_ordering_in_compound:
            # PostgreSQL: a UNION lets the planner look articles up by key; with OR it
            # scanned the whole table (and JIT-compiled the scan: 1.1 s at 100,000).
            nearby = Q(pk__in=before.union(after, all=True))
        else:  # SQLite cannot LIMIT inside a UNION, and plans the OR well
            nearby = Q(pk__in=before) | Q(pk__in=after)
        return (
            self.filter(nearby)
            .exclude(pk=article.pk)
            .annotate(shared_tags=self._shared_tags(tag_ids))
            .filter(shared_tags__gt=0)
            .order_by("-shared_tags", "-published_at")
            .select_related("author")[:limit]
        )

    @staticmethod
    def _shared_tags(tag_ids):
        shared = (
            TaggedArticle.objects.filter(content_object=OuterRef("pk"), tag_id__in=tag_ids)
            .order_by()
            .values("content_object")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return Subquery(shared)

    def around(self, article, limit=3):
        """What an article page links to, in one query: {"related", "previous", "next"}.

        `related` is `related_to(article)`; `previous` and `next` are the live articles
        published just before and just after it (None at either end, or when it is not
        dated). One query fetches the three kinds together, ranked by shared tags: the
        related ones are the first `limit` that share a tag (the previous and next
        articles are candidates of `related_to` too, so they cannot push a true related
        article out), and the neighbours are told apart by their dates.
        """
        if article.published_at is None:
            return {"related": list(self.related_to(article, limit)), "previous": None, "next": None}
        live = Article.objects.live()
        before = live.filter(published_at__lt=article.published_at).order_by("-published_at").values("pk")[:1]
        after = live.filter(published_at__gt=article.published_at).order_by("published_at").values("pk")[:1]
        wanted = Q(pk__in=before) | Q(pk__in=after)
        tag_ids = [tag.pk for tag in article.tags.all()]
        if tag_ids:
            wanted |= Q(pk__in=self.related_to(article, limit).values("pk"))
            rows = list(self.filter(wanted).annotate(shared_tags=self._shared_tags(tag_ids)).select_related("author"))
        else:
            rows = list(self.filter(wanted).select_related("author"))
        earlier = [row for row in rows if row.published_at < article.published_at]
        later = [row for row in rows if row.published_at > article.published_at]
        ranked = sorted(
            (row for row in rows if getattr(row, "shared_tags", None)),
            key=lambda row: (-row.shared_tags, -row.published_at.timestamp()),
        )
        return {
            "related": ranked[:limit],
            "previous": max(earlier, key=lambda row: row.published_at, default=None),
            "next": min(later, key=lambda row: row.published_at, default=None),
        }

    def archive_months(self, limit=12, search_back=120):
        """The first day of each of the latest `limit` months that have live articles."""
        return self.archive_months_and_next_publication(limit, search_back)[0]

    def archive_months_and_next_publication(self, limit=12, search_back=120):
        """(`archive_months()`, the time the next scheduled article goes live or None).

        Both in one statement: the sidebar shows the months, and must be refreshed when
        the next scheduled article goes live (blog/sidebar.py).

        One query whose cost does not grow with the number of articles: for each of
        the last `search_back` months it asks whether a live article exists (an index
        probe each) instead of grouping every article by month, which took 50 ms on
        SQLite at 10,000 articles. Months are computed in the site's time zone.

        Raw SQL because compiling 120 ORM Exists() subqueries costs about 100 ms of
        Python; the statement is the same on SQLite and PostgreSQL.
        """
        now = timezone.now()
        local = timezone.localtime(now)
        months = []
        year, month = local.year, local.month
        for _step in range(search_back):
            months.append(date(year, month, 1))
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)

        adapt = connection.ops.adapt_datetimefield_value
        table = connection.ops.quote_name(Article._meta.db_table)
        probe = f"EXISTS (SELECT 1 FROM {table} WHERE status = %s AND published_at >= %s AND published_at {{}} %s)"
        columns, params = [], []
        for first in months:
            # One upper bound only (the earlier of month end and now): given two, SQLite
            # may range-scan the index from the wrong one.
            end = month_end(first)
            columns.append(probe.format("<=" if end > now else "<"))
            params += [Article.Status.PUBLISHED, adapt(month_start(first)), adapt(min(end, now))]
        columns.append(f"(SELECT MIN(published_at) FROM {table} WHERE status = %s AND published_at > %s)")
        params += [Article.Status.PUBLISHED, adapt(now)]
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(columns), params)
            *found, next_publication = cursor.fetchone()
        if isinstance(next_publication, str):  # SQLite: text in UTC
            next_publication = parse_datetime(next_publication)
        if next_publication is not None and timezone.is_naive(next_publication):
            next_publication = timezone.make_aware(next_publication, UTC)
        months_found = [first for first, exists in zip(months, found, strict=True) if exists][:limit]
        return months_found, next_publication


@reversion.register(follow=["tagged_items"])
class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        TAKEN_DOWN = "taken_down", _("Taken down (copyright)")

    title = PlainTextField(_("title"), max_length=200)
    slug = UnicodeSlugField(
        _("slug"),
        max_length=200,
        unique=True,
        help_text=_("The last part of the article's address. Changing it later keeps the old address working."),
    )
    author = models.ForeignKey(Author, verbose_name=_("author"), on_delete=models.PROTECT, related_name="articles")
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    tags = TaggableManager(through=TaggedArticle, blank=True)
    standfirst = PlainParagraphsField(
        _("standfirst"),
        max_length=600,
        blank=True,
        help_text=_("One or two sentences under the title; also the excerpt on listings and in feeds."),
    )
    body = ProseEditorField(_("body"), config={"extensions": PROSE_EXTENSIONS}, sanitize=sanitize_html)
    body_text = models.TextField(
        _("body as plain text"), blank=True, editable=False, help_text=_("For search; kept from the body on save.")
    )

    body_images = models.TextField(
        _("images in the body"),
        blank=True,
        editable=False,
        help_text=_("Kept from the body on save: the storage names of its images, one a line (the image library)."),
    )

    featured_image = models.ImageField(
        _("featured image"),
        upload_to="articles/%Y/%m/",
        blank=True,
        width_field="featured_image_width",
        height_field="featured_image_height",
    )
    featured_image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    featured_image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    featured_image_alt = PlainTextField(
        _("image alt text"),
        max_length=250,
        blank=True,
        help_text=_("Describe the picture for readers who cannot see it. Required with an image."),
    )
    featured_image_caption = PlainTextField(_("image caption"), max_length=300, blank=True)
    featured_image_credit = PlainTextField(_("image credit"), max_length=200, blank=True)
    renditions = models.JSONField(
        _("image renditions"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("Made in the background after a save: the sizes made of the featured and body images."),
    )

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        help_text=_("A time in the future schedules the article: it appears by itself at that time."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    is_featured = models.BooleanField(
        _("featured"), default=False, help_text=_("The newest featured article leads the home page.")
    )
    meta_description = models.CharField(
        _("meta description"),
        max_length=300,
        blank=True,
        help_text=_("For search engines and link previews; the standfirst is used when empty."),
    )
    canonical_url = models.URLField(
        _("canonical URL"),
        blank=True,
        help_text=_("Only when the article first appeared elsewhere: the original's address."),
    )
    reading_time = models.PositiveSmallIntegerField(_("reading time (minutes)"), default=1, editable=False)

    show_callout = models.BooleanField(
        _("show the guest-post call-out"), default=True, help_text=_("The invitation to write for us inside the text.")
    )
    comments_close_after_days = models.PositiveSmallIntegerField(
        _("close comments after (days)"),
        null=True,
        blank=True,
        help_text=_("Leave empty for the site setting; 0 closes comments on this article now."),
    )
    comment_count = models.PositiveIntegerField(_("comments"), default=0, editable=False)
    has_affiliate_links = models.BooleanField(_("has affiliate links"), default=False, editable=False)
    affiliate_links = models.JSONField(_("affiliate links"), default=list, blank=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        verbose_name = _("article")
        permissions = [("publish_article", _("Can publish, schedule and withdraw articles"))]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_status_pub_idx"),
            # Covers the sitemap's count and lastmod of every live article (no table reads).
            models.Index(fields=["status", "published_at", "canonical_url", "updated_at"], name="article_sitemap_idx"),
            models.Index(fields=["author", "status", "-published_at"], name="article_author_pub_idx"),
            models.Index(fields=["category", "status", "-published_at"], name="article_category_pub_idx"),
            models.Index(
                fields=["-published_at"],
                condition=Q(is_featured=True, status="published"),
                name="article_featured_idx",
            ),
        ]

    def __str__(self):
        return self.title

    # What an article's save sets off, in order: save() below derives the fields kept from
    # others (derive); blog/receivers.py then reacts to the change (the page cache, renditions,
    # the sidebar); apps above blog react in their own signals modules (contributions: the
    # duplicate fingerprint and a guest post's progress, after commit). Status changes go through blog/publishing.py;
    # writes without save() through blog/invalidation.py's update_articles.

    #: The fields derive_body() sets (for writes that derive without save(): the re-scans).
    BODY_DERIVED_FIELDS = (
        "body", "has_affiliate_links", "affiliate_links", "body_text", "reading_time", "body_images",
    )  # fmt: skip

    def save(self, *args, **kwargs):
        self.derive()
        if self.pk:
            # Keep the old address answering after a slug change (see ArticleSlugRedirect).
            old_slug = Article.objects.filter(pk=self.pk).values_list("slug", flat=True).first()
            if old_slug and old_slug != self.slug:
                ArticleSlugRedirect.objects.update_or_create(old_slug=old_slug, defaults={"article": self})
        super().save(*args, **kwargs)
        ArticleSlugRedirect.objects.filter(old_slug=self.slug).delete()

    def get_absolute_url(self):
        when = timezone.localtime(self.published_at) if self.published_at else timezone.localtime()
        return reverse(
            "blog:article-detail",
            kwargs={"year": when.year, "month": f"{when.month:02d}", "slug": self.slug},
        )

    def derive(self, patterns=None):
        """Set every field kept from other fields: the body's (derive_body) and the publication time.

        Used by save(), and by whoever writes articles without save() (the demo seeder's bulk
        inserts). `patterns`: the affiliate patterns (parsed), by default the site settings'.
        """
        self.derive_body(patterns)
        if self.status == self.Status.PUBLISHED and not self.published_at:
            self.published_at = timezone.now()  # publishing without a time publishes now

    def derive_body(self, patterns=None):
        """Sanitize the body, mark its affiliate links and keep its plain text, reading time and image names."""
        if patterns is None:
            patterns = parse_patterns(SiteSettings.load().affiliate_patterns)
        # Sanitizing resets every rel, so links that no longer match lose "sponsored".
        self.body = sanitize_html(self.body)
        # Links matching the affiliate patterns get rel="sponsored"; the flag shows the disclosure.
        self.body, links = mark_affiliate_links(self.body, patterns)
        self.has_affiliate_links = bool(links)
        self.affiliate_links = links
        self.body_text = plain_text(self.body)  # what full-text search indexes (blog/search.py)
        self.reading_time = max(1, math.ceil(len(strip_tags(self.body).split()) / WORDS_PER_MINUTE))
        self.body_images = body_images_text(self.body)  # where library pictures are used (blog/library_uses.py)

    def clean(self):
        if self.featured_image and not self.featured_image_alt.strip():
            raise ValidationError(
                {"featured_image_alt": _("Describe the featured image for readers who cannot see it.")}
            )

    @property
    def is_live(self):
        """Mirror of `Article.objects.live()` for one instance."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self):
        return self.status == self.Status.PUBLISHED and self.published_at is not None and not self.is_live

    @property
    def excerpt(self):
        """The standfirst, or the start of the body as plain text."""
        # plain_text, not strip_tags: blocks must not run together ("radioStart"), and "&amp;" is text.
        return self.standfirst or Truncator(plain_text(self.body)).words(40)

    @property
    def description(self):
        """What search engines and link previews show."""
        return self.meta_description or Truncator(self.excerpt).chars(300)


class ArticleSlugRedirect(models.Model):
    """An article's former slug, so links to the old address answer 301."""

    old_slug = UnicodeSlugField(max_length=200, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="slug_redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("former slug")

    def __str__(self):
        return f"{self.old_slug} → {self.article.slug}"
