"""Signed, expiring draft-preview links that work without a login."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "blog.article-preview"


def make_preview_token(article):
    # The slug is signed too: renaming the article invalidates old links.
    return signing.dumps({"pk": article.pk, "slug": article.slug}, salt=SALT, compress=True)


def preview_url(article):
    return reverse("blog:article-preview", kwargs={"token": make_preview_token(article)})


def read_preview_token(token):
    """Return the article pk the token names, or raise signing.BadSignature (incl. expired)."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.BYLINE_PREVIEW_MAX_AGE)
    except ValueError as exc:  # signed with this salt but without a timestamp: TimestampSigner fails so
        raise signing.BadSignature("No timestamp.") from exc
    return data["pk"], data["slug"]
