from django.core.cache import cache
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField

from .fields import PlainTextField, UnicodeSlugField
from .hosts import DEFAULT_AFFILIATE_HOSTS
from .requestcache import forget, per_request
from .sanitizer import PROSE_EXTENSIONS, sanitize_html

DEFAULT_AFFILIATE_DISCLOSURE = _(
    "Some posts on this site contain affiliate links. If you buy something through "
    "one of them, we may earn a small fee at no extra cost to you. It never decides "
    "what we write about."
)
DEFAULT_COPYRIGHT_NOTICE = _(
    "All articles, images and other content on this site are protected by copyright. "
    "Copying or republishing them in whole or in part without written permission is "
    "prohibited. Warning: unauthorised use may lead to legal action."
)
DEFAULT_SHARE_PROMPT = _("Found this useful? Pass it on to someone who would like it too.")
DEFAULT_CALLOUT = _(
    "<p><strong>Write for us.</strong> Tested a gadget, fixed a stubborn bug or followed a story our "
    "readers should know about? We publish guest posts from readers and experts.</p>"
)
# Also a migration's default (core/migrations/0003): the text must not change.
DEFAULT_AFFILIATE_PATTERNS = "\n".join(
    [
        "# One pattern a line: a domain (its subdomains match too), a domain?parameter,",
        "# or ?parameter for that query parameter on any domain. Lines starting with # are ignored.",
        *(f"{host}?{param}" if param else host for host, param in DEFAULT_AFFILIATE_HOSTS.items()),
        "?affiliate_id",
        "?aff_id",
    ]
)


class PublishingCheck(models.TextChoices):
    """The checks of the list before publishing (blog/checklist.py): their codes, and their labels in the
    settings. Which of them block publishing is `SiteSettings.publishing_blockers`; the rest only warn."""

    CATEGORY = "category", _("A category is chosen")
    FEATURED_IMAGE = "featured_image", _("There is a featured picture")
    FEATURED_IMAGE_ALT = "featured_image_alt", _("The featured picture has alt text")
    IMAGE_ALT = "image_alt", _("Every picture in the text has alt text")
    EMPTY_FIGURE = "empty_figure", _("No figure is empty (a caption without its picture)")
    HEADING_ORDER = "heading_order", _("Headings go in order (no h2 followed by an h4)")
    LINK_TEXT = "link_text", _("Every link says where it goes (no empty or “click here” links)")
    BODY_LENGTH = "body_length", _("The text is not very short")
    META_DESCRIPTION = "meta_description", _("The meta description is there and at most 160 characters")
    SALUTATION = "salutation", _("No greeting or sign-off left from an email (“Hi editors,”, “Regards,”)")
    AFFILIATE_DISCLOSURE = "affiliate_disclosure", _("Affiliate links show the disclosure")


def default_publishing_blockers():
    """The checks that block publishing on a new site (also core/migrations/0008's default)."""
    return [
        PublishingCheck.CATEGORY.value,
        PublishingCheck.FEATURED_IMAGE_ALT.value,
        PublishingCheck.IMAGE_ALT.value,
        PublishingCheck.EMPTY_FIGURE.value,
    ]


class SiteSettings(models.Model):
    """The one site-settings record editors change in the admin.

    Read it with `SiteSettings.load()`: it is cached and refreshed on save.
    """

    CACHE_KEY = "core:site-settings"

    site_name = PlainTextField(_("site name"), max_length=100, default="Byline")
    tagline = PlainTextField(_("tagline"), max_length=200, blank=True, default="Tech news, reviews and guest posts")
    affiliate_disclosure = models.TextField(
        _("affiliate disclosure"),
        default=DEFAULT_AFFILIATE_DISCLOSURE,
        help_text=_("Shown at the foot of every page, followed by a link to the full disclosure page."),
    )
    affiliate_page = models.ForeignKey(
        "core.Page",
        verbose_name=_("affiliate disclosure page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The page the “Read more” link of the disclosure opens."),
    )
    copyright_notice = models.TextField(
        _("copyright & warning notice"),
        default=DEFAULT_COPYRIGHT_NOTICE,
        help_text=_("Shown at the foot of every page after “© year site name”."),
    )

    contributions_email = models.EmailField(
        _("contributions address"),
        default="contribute@example.com",
        help_text=_("Where guest posts may be sent by email; shown (obfuscated) in the article call-out."),
    )

    feed_full_text = models.BooleanField(
        _("full text in feeds"),
        default=True,
        help_text=_("Feeds carry whole articles; untick to send only the standfirst or the first words."),
    )

    # Comments
    comments_close_after_days = models.PositiveSmallIntegerField(
        _("close comments after (days)"),
        default=30,
        help_text=_("Comments close this many days after publication; 0 keeps them open. Articles can override it."),
    )
    comment_max_links = models.PositiveSmallIntegerField(
        _("links allowed in a comment"),
        default=2,
        help_text=_("A comment with more links than this waits for approval."),
    )
    comment_blocklist = models.TextField(
        _("comment blocklist"),
        blank=True,
        help_text=_(
            "One word, phrase, address or domain a line. A comment whose text, name, email or website "
            "contains one of them waits for approval."
        ),
    )
    facebook_app_id = models.CharField(
        _("Facebook app id"),
        max_length=30,
        blank=True,
        help_text=_(
            "When set, a button under the comments loads Facebook's comments box, only once a reader clicks it."
        ),
    )

    # Sharing and social profiles
    share_prompt = models.CharField(_("share prompt"), max_length=200, default=DEFAULT_SHARE_PROMPT, blank=True)
    instagram_url = models.URLField(_("Instagram profile"), blank=True)
    facebook_url = models.URLField(_("Facebook page"), blank=True)
    x_url = models.URLField(_("X profile"), blank=True)
    linkedin_url = models.URLField(_("LinkedIn page"), blank=True)
    youtube_url = models.URLField(_("YouTube channel"), blank=True)

    # Contribution call-out
    callout_after_paragraph = models.PositiveSmallIntegerField(
        _("call-out after paragraph"),
        default=3,
        help_text=_("The guest-post call-out goes after this paragraph of every article; 0 switches it off."),
    )
    callout_text = ProseEditorField(
        _("call-out text"),
        config={"extensions": PROSE_EXTENSIONS},
        sanitize=sanitize_html,
        default=DEFAULT_CALLOUT,
        blank=True,
    )

    # Affiliate links
    affiliate_patterns = models.TextField(
        _("affiliate link patterns"),
        default=DEFAULT_AFFILIATE_PATTERNS,
        blank=True,
        help_text=_(
            'Links matching one of these get rel="sponsored nofollow noopener" when an article is saved, '
            "and the article shows the disclosure."
        ),
    )

    # Before publishing (blog/checklist.py)
    publishing_blockers = models.JSONField(
        _("checks that block publishing"),
        default=default_publishing_blockers,
        blank=True,
        help_text=_(
            "An article failing a ticked check cannot be published or scheduled, by the form or the "
            "“Publish now” action; the unticked ones only show as warnings on the article's checklist."
        ),
    )

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

    def __str__(self):
        return str(_("Site settings"))

    def save(self, *args, **kwargs):
        self.pk = 1  # there is only ever one record
        super().save(*args, **kwargs)
        cache.delete(self.CACHE_KEY)
        forget(self.CACHE_KEY)
        # The pages that show the settings, and the articles marked with the affiliate patterns:
        # blog/receivers.py.

    @classmethod
    def load(cls):
        """Return the site settings: once per request, from the cache when possible (one query when not)."""
        return per_request(cls.CACHE_KEY, cls._load)

    @classmethod
    def _load(cls):
        settings = cache.get(cls.CACHE_KEY)
        if settings is None:
            settings = cls.objects.select_related("affiliate_page").filter(pk=1).first()
            if settings is None:
                settings = cls(pk=1)
                settings.save()
            settings.footer_menu = [
                # Addresses worked out once here, not on every page.
                {"title": page.title, "url": page.get_absolute_url()}
                for page in Page.objects.filter(in_footer=True).only("title", "slug")
            ]
            cache.set(cls.CACHE_KEY, settings, timeout=None)
        return settings


class Page(models.Model):
    """A standalone page such as “About” or “Affiliate disclosure”."""

    title = PlainTextField(_("title"), max_length=200)
    slug = UnicodeSlugField(_("slug"), max_length=200, unique=True)
    body = ProseEditorField(_("body"), config={"extensions": PROSE_EXTENSIONS}, sanitize=sanitize_html)
    meta_description = PlainTextField(_("meta description"), max_length=300, blank=True)
    in_footer = models.BooleanField(_("in the footer menu"), default=True)
    footer_position = models.PositiveSmallIntegerField(_("position in the footer menu"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["footer_position", "title"]
        verbose_name = _("page")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)
        cache.delete(SiteSettings.CACHE_KEY)  # the footer menu is cached with the settings
        forget(SiteSettings.CACHE_KEY)  # the cached pages that show it: blog/receivers.py

    def get_absolute_url(self):
        return reverse("core:page-detail", kwargs={"slug": self.slug})

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        cache.delete(SiteSettings.CACHE_KEY)
        forget(SiteSettings.CACHE_KEY)
        return result
