"""Readers' comments: django-contrib-comments' model, with threaded replies and moderation state."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sites.models import Site
from django.db import models
from django.utils.html import linebreaks, urlize
from django.utils.translation import gettext_lazy as _
from django_comments.abstracts import CommentAbstractModel
from django_comments.managers import CommentManager

from core.fields import PlainTextField
from core.sanitizer import sanitize_html

MAX_DEPTH = 3  # a comment, a reply, a reply to the reply; deeper replies join the third level


def render_comment(text):
    """Plain text to safe HTML: escaped, paragraphs kept, links clickable (rel="ugc nofollow")."""
    html = linebreaks(urlize(text, trim_url_limit=60, nofollow=True, autoescape=True), autoescape=False)
    return sanitize_html(html, ugc=True)


class CommentQuerySet(models.QuerySet):
    def for_article(self, article):
        """Comments on `article`, by content type name (one query, no ContentType lookup first)."""
        return self.filter(content_type__app_label="blog", content_type__model="article", object_pk=str(article.pk))

    def published(self):
        """What readers see: approved, not removed, not spam."""
        return self.filter(is_public=True, is_removed=False, is_spam=False)

    def held(self):
        """Waiting for an editor: not public, not removed, not spam."""
        return self.filter(is_public=False, is_removed=False, is_spam=False)


class Comment(CommentAbstractModel):
    class HeldReason(models.TextChoices):
        NONE = "", _("Not held")
        FIRST = "first", _("First comment from this address")
        LINKS = "links", _("Too many links")
        BLOCKLIST = "blocklist", _("Matches the blocklist")

    # The abstract model's reverse names clash with django_comments' own Comment model.
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("content type"), on_delete=models.CASCADE, related_name="+"
    )
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        blank=True,
        null=True,
        on_delete=models.SET_NULL,
        related_name="discussion_comments",
    )
    # Plain text, never markup, however the comment arrives (core.fields).
    user_name = PlainTextField(_("user's name"), max_length=50, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("reply to"), null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    depth = models.PositiveSmallIntegerField(_("depth"), default=1, editable=False)
    comment_html = models.TextField(_("comment as shown"), editable=False, blank=True)
    is_spam = models.BooleanField(_("spam"), default=False, db_index=True)
    held_reason = models.CharField(_("held because"), max_length=10, choices=HeldReason.choices, blank=True)
    notify_on_approval = models.BooleanField(
        _("email the commenter when approved"), default=False, help_text=_("The commenter asked for it.")
    )

    objects = CommentManager.from_queryset(CommentQuerySet)()

    class Meta(CommentAbstractModel.Meta):
        db_table = "discussion_comment"
        indexes = [
            models.Index(fields=["content_type", "object_pk", "is_public", "submit_date"], name="comment_object_idx"),
            models.Index(fields=["user_email", "is_public"], name="comment_email_idx"),
        ]

    def save(self, *args, **kwargs):
        if self.parent_id and self.parent.depth >= MAX_DEPTH:
            self.parent = self.parent.parent  # threads stop at MAX_DEPTH: a deeper reply joins the last level
        self.depth = self.parent.depth + 1 if self.parent_id else 1
        self.object_pk = str(self.object_pk)  # assigning content_object leaves an int here
        self.comment_html = render_comment(self.comment)
        super().save(*args, **kwargs)

    @property
    def website(self):
        """The commenter's website, only if it is an http(s) address (never javascript: and the like)."""
        return self.user_url if self.user_url.lower().startswith(("https://", "http://")) else ""

    @property
    def is_held(self):
        return not self.is_public and not self.is_removed and not self.is_spam
