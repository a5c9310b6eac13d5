"""WordPress comments (wp:comment) → discussion.Comment, on the article their post became.

wp:comment_approved 1 → public, 0 → held, spam → spam, trash → removed. Replies keep their
parent (parents are saved first; threads deeper than three levels join the third, as
Byline's do); a reply whose parent was not imported becomes a comment. Pingbacks and
trackbacks are skipped. The text is Byline's plain comment text (`comment_text`).
"""

import dataclasses
import ipaddress
import re
from datetime import UTC
from html import unescape

from django.conf import settings
from django.utils import timezone
from django.utils.html import strip_tags

from blog.models import Article
from discussion.models import Comment

from .upserts import Skip, Upserts, digest, plain, valid_email
from .wxr import parse_wp_date

COMMENT_FLAGS = {  # wp:comment_approved → (is_public, is_spam, is_removed)
    "1": (True, False, False),
    "approve": (True, False, False),
    "0": (False, False, False),
    "hold": (False, False, False),
    "spam": (False, True, False),
    "trash": (False, False, True),
    "post-trashed": (False, False, True),
}
_LINK = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*(["'])(.*?)\1[^>]*>(.*?)</a>""", re.IGNORECASE | re.DOTALL)
_BREAK = re.compile(r"<br\s*/?>|</p>\s*<p[^>]*>", re.IGNORECASE)


def comment_text(html):
    """A WordPress comment's HTML as Byline's plain comment text: paragraphs kept, links as "text (address)"."""

    def link(match):
        href, text = match.group(2).strip(), strip_tags(match.group(3)).strip()
        return text if not href or href == text else f"{text} ({href})"

    text = _LINK.sub(link, html or "")
    text = _BREAK.sub("\n\n", text)
    text = unescape(strip_tags(text)).replace("\r\n", "\n")
    return re.sub(r"\n{3,}", "\n\n", text).strip()


class Comments(Upserts):
    """The comments part of an import: a post's wp:comment records, parents before replies."""

    def _import_comments(self, item, article):
        self.comments = {}  # replies are to comments of the same post: memory stays bounded
        by_id = {c.wp_id: c for c in item.comments}
        ordered = sorted(item.comments, key=lambda c: (_depth(c, by_id), int(c.wp_id) if c.wp_id.isdigit() else 0))
        for comment in ordered:
            label = f"#{comment.wp_id or '?'}"
            if not comment.wp_id.isdigit():
                self.report.skip("comment", label, "no wp:comment_id")
            elif comment.type in ("pingback", "trackback"):
                self.report.skip("comment", label, f"a {comment.type}, not a reader's comment")
            else:
                self._atomic("comment", label, lambda c=comment: self._comment(c, article))

    def _comment(self, comment, article):
        label = f"#{comment.wp_id}"
        try:
            gmt, local = parse_wp_date(comment.date_gmt), parse_wp_date(comment.date)
        except ValueError as exc:
            raise Skip(f"unparsable date “{comment.date_gmt or comment.date}”") from exc
        submitted = gmt.replace(tzinfo=UTC) if gmt else timezone.make_aware(local) if local else None
        is_public, is_spam, is_removed = COMMENT_FLAGS.get(comment.approved, (False, False, False))
        parent_id = None
        if comment.parent_id not in ("", "0"):
            parent_id = self.comments.get(comment.parent_id)
            if parent_id is None:
                parent_row = self._mapping("comment", comment.parent_id)
                parent = self._target(parent_row, Comment)
                parent_id = parent.pk if parent else None
            if parent_id is None:
                self.report.note("comment", label, "its parent was not imported: shown as a comment, not a reply")
        row = self._mapping("comment", comment.wp_id)
        source_hash = digest(dataclasses.asdict(comment), article.pk, parent_id)
        target = self._target(row, Comment)
        if target is not None and row.source_hash == source_hash:
            self.report.count("comment", "unchanged")
            self.comments[comment.wp_id] = target.pk
            return target
        created = target is None
        target = target or Comment(site_id=settings.SITE_ID)
        target.content_type = self._content_type(Article)
        target.object_pk = str(article.pk)
        target.parent_id = parent_id
        target.user_name = (plain(comment.author) or "Anonymous")[:50]
        email = comment.author_email
        target.user_email = email if len(email) <= 254 and valid_email(email) else ""
        url = comment.author_url
        target.user_url = url if url.lower().startswith(("http://", "https://")) and len(url) <= 200 else ""
        target.ip_address = _valid_ip(comment.author_ip)
        target.comment = comment_text(comment.content)[:10000] or "…"
        target.submit_date = submitted or article.published_at or timezone.now()
        target.is_public, target.is_spam, target.is_removed = is_public, is_spam, is_removed
        target.save()
        self.report.count("comment", "created" if created else "updated")
        self._remember(row, "comment", comment.wp_id, "", target, source_hash)
        self.comments[comment.wp_id] = target.pk
        return target


def _depth(comment, by_id):
    """How many ancestors `comment` has among the item's comments `by_id` (parents are saved before replies)."""
    depth, seen, parent = 0, {comment.wp_id}, comment.parent_id
    while parent in by_id and parent not in seen:
        seen.add(parent)
        depth += 1
        parent = by_id[parent].parent_id
    return depth


def _valid_ip(value):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None
