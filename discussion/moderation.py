"""Comment moderation rules, plugged into django-contrib-comments' moderation framework.

- Comments close N days after publication (site setting; an article can override it):
  blog/commenting.py, the article's side of the rules.
- A first comment from an address waits for an editor; once an address has an approved
  comment, its later comments publish at once.
- Comments with more links than the site allows, or matching the editable blocklist,
  wait whoever wrote them. Editors logged into the site publish at once.
"""

import re

from django_comments.moderation import AlreadyModerated, CommentModerator, moderator

from blog.commenting import comments_open
from blog.models import Article
from core.models import SiteSettings

from .models import Comment

_LINK = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|net|org|io|ru|cn|info|biz|xyz|top)\b", re.IGNORECASE)


def count_links(text):
    return len(_LINK.findall(text))


def blocklist_terms(site_settings=None):
    text = (site_settings or SiteSettings.load()).comment_blocklist
    return [line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def held_reason(comment, site_settings=None):
    """Why `comment` must wait for an editor (a Comment.HeldReason), or "" to publish it now."""
    site_settings = site_settings or SiteSettings.load()
    haystack = " ".join([comment.comment, comment.user_name, comment.user_email, comment.user_url]).lower()
    if any(term in haystack for term in blocklist_terms(site_settings)):
        return Comment.HeldReason.BLOCKLIST
    if count_links(comment.comment) > site_settings.comment_max_links:
        return Comment.HeldReason.LINKS
    if comment.user_id and comment.user.is_staff:
        return Comment.HeldReason.NONE
    known = Comment.objects.published().filter(user_email__iexact=comment.user_email).exists()
    return Comment.HeldReason.NONE if known else Comment.HeldReason.FIRST


class ArticleModerator(CommentModerator):
    """The rules above, in the shape django-contrib-comments calls them."""

    def allow(self, comment, content_object, request):
        return comments_open(content_object)

    def moderate(self, comment, content_object, request):
        comment.held_reason = held_reason(comment)
        return bool(comment.held_reason)

    def email(self, comment, content_object, request):
        pass  # notifications.comment_posted does it, through the outbox


def register():
    try:
        moderator.register(Article, ArticleModerator)
    except AlreadyModerated:
        pass
