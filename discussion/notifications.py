"""The emails comments cause, queued in the outbox (sent after commit)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from core.editors import editor_addresses
from core.models import SiteSettings
from outbox.mail import queue_email


def _render(template, comment, article):
    return render_to_string(
        f"discussion/email/{template}.txt",
        {
            "comment": comment,
            "article": article,
            "site_name": SiteSettings.load().site_name,
            "comment_url": settings.BYLINE_SITE_URL + article.get_absolute_url() + f"#c{comment.pk}",
            "admin_url": settings.BYLINE_SITE_URL + reverse("admin:discussion_comment_change", args=[comment.pk]),
            "queue_url": settings.BYLINE_SITE_URL + reverse("admin:discussion_comment_changelist") + "?status=held",
        },
    )


def comment_held(comment, article):
    """Tell the editors a comment waits for them."""
    to = editor_addresses()
    if to:
        queue_email(
            to,
            f"Comment awaiting approval on “{article.title}”",
            _render("editors_held", comment, article),
            reference=f"comment:{comment.pk}",
        )


def comment_approved(comment, article):
    """Tell the commenter their held comment is published, if they asked to be told."""
    if comment.notify_on_approval and comment.user_email:
        queue_email(
            [comment.user_email],
            f"Your comment on “{article.title}” is published",
            _render("approved", comment, article),
            reference=f"comment:{comment.pk}",
        )
