from django.core.cache import cache
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField

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


class SiteSettings(models.Model):
    """The one site-settings record editors change in the admin.

    Read it with `SiteSettings.load()`: it is cached and refreshed on save.
    """

    CACHE_KEY = "core:site-settings"

    site_name = models.CharField(_("site name"), max_length=100, default="Byline")
    tagline = models.CharField(_("tagline"), max_length=200, blank=True, default="Tech news, reviews and guest posts")
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

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

    def __str__(self):
        return str(_("Site settings"))

    def save(self, *args, **kwargs):
        self.pk = 1  # there is only ever one record
        super().save(*args, **kwargs)
        cache.delete(self.CACHE_KEY)

    @classmethod
    def load(cls):
        """Return the site settings, from the cache when possible (one query when not)."""
        settings = cache.get(cls.CACHE_KEY)
        if settings is None:
            settings = cls.objects.select_related("affiliate_page").filter(pk=1).first()
            if settings is None:
                settings = cls(pk=1)
                settings.save()
            cache.set(cls.CACHE_KEY, settings, timeout=None)
        return settings


class Page(models.Model):
    """A standalone page such as “About” or “Affiliate disclosure”."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    body = ProseEditorField(_("body"), config={"extensions": PROSE_EXTENSIONS}, sanitize=sanitize_html)
    meta_description = models.CharField(_("meta description"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("page")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)
        cache.delete(SiteSettings.CACHE_KEY)  # the footer links to a page

    def get_absolute_url(self):
        return reverse("core:page-detail", kwargs={"slug": self.slug})
