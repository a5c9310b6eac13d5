"""Import a WordPress export (wordpress/wxr.py reads it) into Byline's models, again and again.

Each WordPress object is upserted through `ImportedObject` (kind, WordPress id; the GUID,
login or slug when ids changed): a second run updates what changed in WordPress, leaves
the rest alone (`source_hash`) and creates no duplicates. Every article, page and
comment goes through its model's save(), so sanitizing (`core.sanitizer.sanitize_html`
in Article.save / Page.save), search, affiliate marks, renditions and page-cache
invalidation happen as for an editor's save. Each item (and each comment) is a savepoint
of its own, so a refused one is skipped with the reason and the rest imported; items
commit in small batches (BATCH_RECORDS, BATCH_SECONDS), so an interrupted run keeps all
it did but the last second, and the next run completes it.

The file is read twice, streaming: once for the attachments (id → file address, a few
hundred bytes each: featured images are named by attachment id, and attachments often
come after the posts using them), then for everything else in document order.

Mapping (see README "Moving in from WordPress"):
- wp:author → blog.Author (matched by what an earlier run imported (id, then login), then
  by email, then by a staff user's username; an author matched so is left as it is);
- wp:category → blog.Category (matched by slug; Byline categories are flat: a parent is
  remembered only for the old /category/parent/child/ address); wp:tag → taggit tags;
- post → Article: publish → published, future → published with its future time
  (scheduled), draft → draft, pending → in review, private and password-protected →
  draft (Byline has no private articles); trash, auto-draft → skipped. The first
  category is the article's category, further ones become tags; sticky → featured.
- page → core.Page when published (Byline pages have no draft state), kept out of the
  footer menu;
- wp:comment → discussion.Comment: 1 approved, 0 held, spam → spam, trash → removed;
  replies keep their parent (threads deeper than three levels join the third, as
  Byline's do); pingbacks and trackbacks are skipped.
- old addresses → django.contrib.redirects rows (see `_redirect`).
"""

import dataclasses
import hashlib
import ipaddress
import itertools
import json
import re
import time
from collections import Counter, defaultdict
from datetime import UTC
from html import unescape
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.redirects.models import Redirect
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.html import strip_tags
from django.utils.text import slugify
from PIL import Image
from taggit.models import Tag

from blog.models import Article, Author, Category
from contributions.uploads import MAX_IMAGE_BYTES, human_size, process_image
from core.models import Page
from core.sanitizer import plain_text, sanitize_html
from core.slugs import slugify as make_slug
from core.slugs import unique_slug
from core.text import plain_line
from discussion.models import Comment

from .middleware import query_path
from .models import ImportedObject
from .shortcodes import render_content
from .wxr import WXRAuthor, WXRCategory, WXRError, WXRItem, WXRReader, parse_wp_date

# Records per transaction, at most; and a batch commits after this many seconds, so a SQLite
# database's write lock is never held long (other writers wait up to 5 s: config/settings/base.py).
BATCH_RECORDS = 100
BATCH_SECONDS = 1.0
# Bump when the importer maps things differently: every object is then rewritten once.
IMPORTER_VERSION = 1
UPLOADS_MARKER = "/wp-content/uploads/"
MEDIA_PREFIX = "articles/wordpress"
FILE_NAME_LENGTH = Article._meta.get_field("featured_image").max_length

STATUSES = {
    "publish": Article.Status.PUBLISHED,
    "future": Article.Status.PUBLISHED,  # with a future published_at: scheduled
    "draft": Article.Status.DRAFT,
    "pending": Article.Status.REVIEW,
    "private": Article.Status.DRAFT,  # readers must not see it; Byline has no private articles
}
NOT_IMPORTED_STATUSES = {"trash": "in the trash", "auto-draft": "an auto-draft", "inherit": "a revision"}
COMMENT_FLAGS = {  # wp:comment_approved → (is_public, is_spam, is_removed)
    "1": (True, False, False),
    "approve": (True, False, False),
    "0": (False, False, False),
    "hold": (False, False, False),
    "spam": (False, True, False),
    "trash": (False, False, True),
    "post-trashed": (False, False, True),
}
_IMG_SRC = re.compile(r"""(<img\b[^>]*?\bsrc\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)
_LINK = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*(["'])(.*?)\1[^>]*>(.*?)</a>""", re.IGNORECASE | re.DOTALL)
_SIZED = re.compile(r"^(.*)-\d+x\d+(\.\w+)$")  # WordPress's resized copies: photo-300x200.jpg
_BREAK = re.compile(r"<br\s*/?>|</p>\s*<p[^>]*>", re.IGNORECASE)


class Report:
    """Counts per kind and outcome, skipped items and notes grouped by reason, unknown shortcodes."""

    OUTCOMES = ("created", "updated", "unchanged", "skipped")
    EXAMPLES = 10

    def __init__(self):
        self.counts = defaultdict(Counter)
        # (kind, reason) → [how many, the first EXAMPLES labels]: bounded, however large the export.
        self.skipped = defaultdict(lambda: [0, []])
        self.notes = defaultdict(lambda: [0, []])
        self.shortcodes = Counter()

    def count(self, kind, outcome):
        self.counts[kind][outcome] += 1

    def skip(self, kind, label, reason):
        self.count(kind, "skipped")
        self._add(self.skipped[(kind, reason)], label)

    def note(self, kind, label, text):
        self._add(self.notes[(kind, text)], label)

    def _add(self, group, label):
        group[0] += 1
        if len(group[1]) < self.EXAMPLES:
            group[1].append(label)

    def lines(self, *, dry_run=False):
        out = ["WordPress import (dry run: nothing was saved)" if dry_run else "WordPress import"]
        width = max([len(kind) for kind in self.counts] + [4])
        out.append(f"  {'kind':<{width}}  " + "  ".join(f"{outcome:>9}" for outcome in self.OUTCOMES))
        for kind, counts in self.counts.items():
            out.append(f"  {kind:<{width}}  " + "  ".join(f"{counts[o]:>9}" for o in self.OUTCOMES))
        for title, groups in (("Skipped", self.skipped), ("Notes", self.notes)):
            if groups:
                out.append(f"{title}:")
                for (kind, reason), (n, labels) in groups.items():
                    shown = ", ".join(labels) + (", …" if n > len(labels) else "")
                    out.append(f"  {n} {kind}: {reason} ({shown})")
        if self.shortcodes:
            out.append("Shortcodes left as text (their output came from WordPress plugins):")
            out.extend(f"  [{name}] × {n}" for name, n in self.shortcodes.most_common())
        return out


@dataclasses.dataclass(frozen=True)
class Attachment:
    url: str
    alt: str = ""
    caption: str = ""
    title: str = ""


class Skip(Exception):
    """An item that cannot be imported; the message is the reason in the report."""


def digest(*parts):
    data = json.dumps([IMPORTER_VERSION, *parts], default=str, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


def old_path(url):
    """The path (and WordPress query) of an old address as Django's request.get_full_path() spells it; "" if none.

    "https://old.example/caf%c3%a9/" → "/caf%C3%A9/"; "https://old.example/?p=12&x=1" → "/?p=12".
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    path = parts.path or "/"
    if not path.startswith("/"):
        return ""
    if path == "/" and parts.query:
        query = parse_qs(parts.query)
        for name in ("p", "page_id", "cat", "tag", "author"):
            if query.get(name):
                return query_path(name, query[name][0])
        return ""
    return escape_uri_path(unquote(path))


def byline_slug(wp_slug, fallback=""):
    """A Byline slug from WordPress's percent-encoded one (or from `fallback`), as core.slugs makes
    them: "caf%c3%a9" → "cafe", "%e6%97%a5%e6%9c%ac" → "日本"; "" when neither has a letter or digit."""
    return make_slug(unquote(wp_slug or "")) or make_slug(fallback)


def plain(text):
    """WordPress's title or term name (may hold entities and tags) as plain text."""
    return plain_line(text)


def comment_text(html):
    """A WordPress comment's HTML as Byline's plain comment text: paragraphs kept, links as "text (address)"."""

    def link(match):
        href, text = match.group(2).strip(), strip_tags(match.group(3)).strip()
        return text if not href or href == text else f"{text} ({href})"

    text = _LINK.sub(link, html or "")
    text = _BREAK.sub("\n\n", text)
    text = unescape(strip_tags(text)).replace("\r\n", "\n")
    return re.sub(r"\n{3,}", "\n\n", text).strip()


class Importer:
    def __init__(self, *, media_dir=None, dry_run=False, progress=None):
        self.media_dir = Path(media_dir).resolve() if media_dir else None
        self.dry_run = dry_run
        self.progress = progress or (lambda stage, done: None)
        self.report = Report()
        self.attachments = {}
        # Slugs WordPress posts have of their own: a post without one (a draft) does not take them.
        self.post_names = set()
        self.authors = {}  # login → Author pk
        self.categories = {}  # WordPress slug → Category pk
        self.category_parents = {}  # WordPress slug → its parent's WordPress slug
        self.tags = {}  # WordPress slug → Tag pk
        self.comments = {}  # WordPress comment id → Comment pk, for the current post's replies
        self.media = {}  # uploads path → (storage name, width, height) or a refusal (str)
        self.options = {"media": bool(self.media_dir)}
        self._content_types = {}

    # --- the run -------------------------------------------------------------------------------------

    def run(self, path):
        """Import the export at `path` (read twice); return the Report.

        Raises WXRError before writing anything when the file is not a well-formed WordPress
        export (the first pass reads all of it).
        """
        with open(path, "rb") as source:
            self._scan_attachments(source)
        if self.dry_run:
            with transaction.atomic(), open(path, "rb") as source:
                self._import_records(source)
                transaction.set_rollback(True)  # everything, and the on-commit work with it
        else:
            with open(path, "rb") as source:
                self._import_records(source)  # commits batch by batch
        return self.report

    def _scan_attachments(self, source):
        for record in WXRReader(source):
            if isinstance(record, WXRItem) and record.post_type == "post" and record.post_name:
                self.post_names.add(byline_slug(record.post_name)[:200])
            if isinstance(record, WXRItem) and record.post_type == "attachment" and record.post_id:
                self.attachments[record.post_id] = Attachment(
                    url=record.attachment_url or record.guid,
                    alt=record.meta.get("_wp_attachment_image_alt", "").strip(),
                    caption=plain(record.excerpt),
                    title=plain(record.title),
                )
            self.progress("scanning", source.tell())

    def _import_records(self, source):
        handlers = {
            "WXRAuthor": self.import_author,
            "WXRCategory": self.import_category,
            "WXRTag": self.import_tag,
            "WXRItem": self.import_item,
        }
        records = iter(WXRReader(source))
        finished = False
        while not finished:
            # A small batch per transaction: what commits after each is the page cache's
            # invalidation, which refreshes the sidebar (half the time of an import that
            # committed item by item). Each item is still a savepoint of its own.
            started, count, finished = time.monotonic(), 0, True
            with transaction.atomic():
                for record in records:
                    handlers[type(record).__name__](record)
                    self.progress("importing", source.tell())
                    count += 1
                    if count >= BATCH_RECORDS or time.monotonic() - started >= BATCH_SECONDS:
                        finished = False
                        break

    def _atomic(self, kind, label, work):
        """Run `work()` in its own transaction; a Skip or a database refusal skips the item with the reason.

        What the rolled-back work had added to the in-memory maps is forgotten with it.
        """
        maps = (self.authors, self.categories, self.category_parents, self.tags, self.comments)
        sizes = [len(known) for known in maps]
        try:
            with transaction.atomic():
                return work()
        except Skip as exc:
            self.report.skip(kind, label, str(exc))
        except (DatabaseError, ValidationError, ValueError, OSError) as exc:
            self.report.skip(kind, label, f"refused: {exc}")
        for known, size in zip(maps, sizes, strict=True):
            for key in list(known)[size:]:
                del known[key]
        return None

    # --- mappings ------------------------------------------------------------------------------------

    def _content_type(self, model):
        if model not in self._content_types:
            self._content_types[model] = ContentType.objects.get_for_model(model)
        return self._content_types[model]

    def _mapping(self, kind, wp_id, guid=""):
        row = ImportedObject.objects.filter(kind=kind, wp_id=wp_id).first()
        if row is None and guid:
            row = ImportedObject.objects.filter(kind=kind, guid=guid[:500]).order_by("pk").first()
        return row

    def _target(self, row, model):
        if row is None or row.object_id is None or row.content_type_id != self._content_type(model).pk:
            return None
        return model._default_manager.filter(pk=row.object_id).first()

    def _remember(self, row, kind, wp_id, guid, obj, source_hash, stored_name=""):
        row = row or ImportedObject(kind=kind)
        row.wp_id, row.guid, row.source_hash, row.stored_name = wp_id, guid[:500], source_hash, stored_name
        if obj is not None:
            row.content_type, row.object_id = self._content_type(type(obj)), obj.pk
        row.save()
        return row

    # --- authors and terms ---------------------------------------------------------------------------

    def import_author(self, author):
        label = author.login or author.wp_id or "?"
        if not author.login:
            self.report.skip("author", label, "no wp:author_login")
            return
        self._atomic("author", label, lambda: self._author(author))

    def _author(self, author):
        wp_id = author.wp_id or _key("login", author.login)
        row = self._mapping("author", wp_id, author.login)
        source_hash = digest(dataclasses.asdict(author))
        target = self._target(row, Author)
        name = (plain(author.display_name) or plain(f"{author.first_name} {author.last_name}") or author.login)[:120]
        email = author.email if len(author.email) <= 254 and _valid_email(author.email) else ""
        if target is None:
            target = (Author.objects.filter(email__iexact=email).first() if email else None) or Author.objects.filter(
                user__username=author.login
            ).first()
            if target is not None:
                self.report.count("author", "unchanged")
                self.report.note("author", author.login, f"matched the existing author “{target}”: left as it is")
            else:
                target = Author.objects.create(
                    name=name, slug=unique_slug(Author, author.login, 120, fallback=f"{name} author"), email=email
                )
                self.report.count("author", "created")
        elif row.source_hash == source_hash:
            self.report.count("author", "unchanged")
        else:
            target.name, target.email = name, email or target.email
            target.save()
            self.report.count("author", "updated")
        self._remember(row, "author", wp_id, author.login, target, source_hash)
        self.authors[author.login] = target.pk
        # WordPress's author address uses the user's "nicename", the login made URL-safe.
        new = target.get_absolute_url()
        self._redirect(f"/author/{slugify(author.login)}/", new)
        if author.wp_id.isdigit():
            self._redirect(query_path("author", author.wp_id), new)
        return target

    def _author_for(self, login):
        if login not in self.authors:
            self._author(WXRAuthor(wp_id="", login=login))
        return self.authors[login]

    def import_category(self, category):
        label = category.slug or category.name or "?"
        if not (category.slug or category.name):
            self.report.skip("category", label, "no slug and no name")
            return
        self._atomic("category", label, lambda: self._category(category))

    def _category(self, category):
        wp_slug = category.slug or make_slug(category.name)
        wp_id = category.wp_id or _key("slug", wp_slug)
        row = self._mapping("category", wp_id, wp_slug)
        source_hash = digest(dataclasses.asdict(category))
        target = self._target(row, Category)
        name = (plain(category.name) or unquote(wp_slug))[:100]
        if target is None:
            slug = byline_slug(wp_slug, name)[:100]
            if not slug:
                raise Skip("no letter or digit in its name or slug to make an address from")
            target = Category.objects.filter(slug=slug).first()
            if target is not None:
                self.report.count("category", "unchanged")
            else:
                target = Category.objects.create(
                    name=name, slug=unique_slug(Category, slug, 100), description=plain(category.description)
                )
                self.report.count("category", "created")
        elif row.source_hash == source_hash:
            self.report.count("category", "unchanged")
        else:
            target.name, target.description = name, plain(category.description)
            target.save()
            self.report.count("category", "updated")
        self._remember(row, "category", wp_id, wp_slug, target, source_hash)
        self.categories[wp_slug] = target.pk
        self.category_parents[wp_slug] = category.parent_slug
        new = target.get_absolute_url()
        self._redirect(f"/category/{self._category_path(wp_slug)}/", new)
        if category.parent_slug:
            self._redirect(f"/category/{wp_slug}/", new)
        if category.wp_id.isdigit():
            self._redirect(query_path("cat", category.wp_id), new)
        return target

    def _category_path(self, wp_slug):
        """ "parent/child" as in WordPress's address of a nested category."""
        parts, seen = [wp_slug], {wp_slug}
        parent = self.category_parents.get(wp_slug)
        while parent and parent not in seen and len(parts) < 20:
            parts.insert(0, parent)
            seen.add(parent)
            parent = self.category_parents.get(parent)
        return "/".join(parts)

    def _category_for(self, slug, name):
        """The category an item names that no wp:category declared in this file (imported before, or new);
        None, reported, for one that has no letter or digit to make an address from."""
        if not byline_slug(slug, name):
            self.report.skip("category", slug or name, "no letter or digit to make an address from")
            return None
        if slug not in self.categories:
            known = self._target(self._mapping("category", _key("slug", slug), slug), Category)
            if known is not None:
                self.categories[slug] = known.pk
            else:
                self._category(WXRCategory(wp_id="", slug=slug, name=name))
        return self.categories[slug]

    def import_tag(self, tag):
        label = tag.slug or tag.name or "?"
        if not (tag.slug or tag.name):
            self.report.skip("tag", label, "no slug and no name")
            return
        self._atomic("tag", label, lambda: self._tag(tag.wp_id, tag.slug, tag.name))

    def _tag(self, term_id, wp_slug, wp_name):
        wp_slug = wp_slug or make_slug(wp_name)
        wp_id = term_id or _key("slug", wp_slug)
        row = self._mapping("tag", wp_id, wp_slug)
        name = (plain(wp_name) or unquote(wp_slug))[:100]
        source_hash = digest(term_id, wp_slug, name)
        target = self._target(row, Tag)
        if target is None:
            target = Tag.objects.filter(name__iexact=name).first()
            if target is not None:
                self.report.count("tag", "unchanged")
            else:
                # The name's slug, else WordPress's ("🔥" with the slug "fire"); NoSlug when neither.
                target = Tag.objects.create(name=name, slug=unique_slug(Tag, name, 100, fallback=unquote(wp_slug)))
                self.report.count("tag", "created")
        elif row.source_hash == source_hash or target.name == name:
            self.report.count("tag", "unchanged")
        else:
            target.name = name
            target.save()
            self.report.count("tag", "updated")
        self._remember(row, "tag", wp_id, wp_slug, target, source_hash)
        self.tags[wp_slug] = target.pk
        new = reverse("blog:tag-detail", kwargs={"slug": target.slug})
        self._redirect(f"/tag/{wp_slug}/", new)
        self._redirect(query_path("tag", unquote(wp_slug)), new)
        return target

    def _tag_for(self, slug, name):
        """The tag an item names that no wp:tag declared in this file (imported before, or new);
        None, reported, for a term that has no letter or digit to make an address from."""
        if not byline_slug(slug, name):
            self.report.skip("tag", slug or name, "no letter or digit to make an address from")
            return None
        if slug not in self.tags:
            known = self._target(self._mapping("tag", _key("slug", slug), slug), Tag)
            if known is not None:
                self.tags[slug] = known.pk
            else:
                self._tag("", slug, name)
        return self.tags[slug]

    # --- posts and pages -----------------------------------------------------------------------------

    def import_item(self, item):
        label = f"#{item.post_id}" if item.post_id else f"“{item.title[:60]}”"
        if item.post_type not in ("post", "page"):
            reason = (
                "files come in with the posts that use them"
                if item.post_type == "attachment"
                else f"post type “{item.post_type or '?'}” is not content"
            )
            self.report.skip(item.post_type or "item", label, reason)
            return
        kind = item.post_type
        if not item.post_id.isdigit():
            self.report.skip(kind, label, "no wp:post_id")
            return
        work = self._post if kind == "post" else self._page
        target = self._atomic(kind, label, lambda: work(item))
        if kind == "post" and target is not None:
            self._import_comments(item, target)
        elif item.comments:
            for comment in item.comments:
                reason = "on a page: Byline pages have no comments" if target else "its post was not imported"
                self.report.skip("comment", f"#{comment.wp_id}", reason)

    def _dates(self, item):
        try:
            gmt, local = parse_wp_date(item.post_date_gmt), parse_wp_date(item.post_date)
        except ValueError as exc:
            raise Skip(f"unparsable date “{item.post_date_gmt or item.post_date}”") from exc
        if gmt is not None:
            return gmt.replace(tzinfo=UTC), local
        return (timezone.make_aware(local) if local else None), local

    def _post(self, item):
        label = f"#{item.post_id}"
        if item.status in NOT_IMPORTED_STATUSES:
            raise Skip(NOT_IMPORTED_STATUSES[item.status])
        if item.status not in STATUSES:
            raise Skip(f"unknown status “{item.status}”")
        when, local = self._dates(item)
        status = STATUSES[item.status]
        if item.password:
            status = Article.Status.DRAFT
            self.report.note("post", label, "password-protected: imported as a draft")
        elif item.status == "private":
            self.report.note("post", label, "private: imported as a draft")
        if status != Article.Status.PUBLISHED:
            when = None
        elif when is None:
            raise Skip(f"status “{item.status}” without a date")
        elif item.status == "future" and when <= timezone.now():
            self.report.note("post", label, "scheduled for a time now past: published")
        if not item.creator:
            raise Skip("no author (dc:creator is empty)")

        row = self._mapping("post", item.post_id, item.guid)
        source_hash = digest(_without_comments(item), self.options)
        article = self._target(row, Article)
        if article is not None and row.source_hash == source_hash:
            self.report.count("post", "unchanged")
            return article

        author_id = self._author_for(item.creator)
        categories = [t for t in item.terms if t.domain == "category" and (t.slug or t.name)]
        first = categories[0] if categories else None
        category_id = self._category_for(first.slug or make_slug(first.name), first.name) if first else None
        tag_ids = [self._tag_for(t.slug, t.name) for t in item.terms if t.domain == "post_tag" and (t.slug or t.name)]
        # Byline has one category per article: WordPress's others become tags.
        tag_ids += [self._tag_for(t.slug or make_slug(t.name), t.name) for t in categories[1:]]
        # A term with no letter or digit in its name or slug is no tag (reported); the post imports.
        tag_ids = [tag_id for tag_id in tag_ids if tag_id is not None]

        body = self._body(item, label)
        title = plain(item.title)[:200]
        if not title:
            title = "Untitled"
            self.report.note("post", label, "no title: called “Untitled”")
        created = article is None
        article = article or Article()
        wanted = byline_slug(item.post_name, title)[:200] or "untitled"
        if not item.post_name and wanted in self.post_names:
            # Made from the title of a post with no slug (a draft): another post owns this one.
            wanted = next(f"{wanted}-{n}" for n in itertools.count(2) if f"{wanted}-{n}" not in self.post_names)
        self._slug(article, wanted, "post", label)
        article.title = title
        article.author_id = author_id
        article.category_id = category_id
        article.body = body
        article.standfirst = plain_text(sanitize_html(item.excerpt))[:600]
        article.status = status
        article.published_at = when
        article.is_featured = item.is_sticky
        self._featured_image(article, item, label)
        article.save()
        article.tags.set(Tag.objects.filter(pk__in=tag_ids))
        self._remember(row, "post", item.post_id, item.guid, article, source_hash)

        if status == Article.Status.PUBLISHED:
            link, name = old_path(item.link), escape_uri_path(unquote(item.post_name))
            paths = [query_path("p", item.post_id), link]
            for slug in (item.post_name, *item.old_slugs):
                if slug and local:
                    paths.append(old_path(f"/{local:%Y/%m/%d}/{slug}/"))  # WordPress's default "day and name"
                if slug != item.post_name and name and link.endswith(f"/{name}/"):
                    # A former slug (_wp_old_slug) in the permalink's shape: WordPress redirected those itself.
                    paths.append(old_path(link[: -len(name) - 1] + f"{slug}/"))
            new = article.get_absolute_url()
            for path in dict.fromkeys(paths):  # each once, in order
                self._redirect(path, new)
        self.report.count("post", "created" if created else "updated")
        return article

    def _page(self, item):
        if item.status != "publish" or item.password:
            raise Skip("not published (Byline pages have no draft or private state)")
        label = f"#{item.post_id}"
        row = self._mapping("page", item.post_id, item.guid)
        source_hash = digest(_without_comments(item), self.options)
        page = self._target(row, Page)
        if page is not None and row.source_hash == source_hash:
            self.report.count("page", "unchanged")
            return page
        title = plain(item.title)[:200] or "Untitled"
        body = self._body(item, label)
        created = page is None
        page = page or Page(in_footer=False)  # the footer menu is the editors' choice
        self._slug(page, byline_slug(item.post_name, title)[:200] or "untitled", "page", label)
        page.title = title
        page.body = body
        page.meta_description = plain_text(sanitize_html(item.excerpt))[:300]
        page.save()
        self._remember(row, "page", item.post_id, item.guid, page, source_hash)
        new = page.get_absolute_url()
        for path in dict.fromkeys([query_path("page_id", item.post_id), old_path(item.link)]):
            self._redirect(path, new)
        self.report.count("page", "created" if created else "updated")
        return page

    def _slug(self, obj, wanted, kind, label):
        """Give `obj` the slug `wanted`, or "wanted-2"… when another object of its model has it (noted)."""
        model = type(obj)
        if obj.slug == wanted or (obj.pk and re.fullmatch(re.escape(wanted) + r"-\d+", obj.slug)):
            return  # unchanged, or already resolved by an earlier run
        if not model._default_manager.filter(slug=wanted).exclude(pk=obj.pk).exists():
            obj.slug = wanted
            return
        obj.slug = unique_slug(model, wanted, 200)
        self.report.note(kind, label, f"slug “{wanted}” was taken: now “{obj.slug}”")

    def _body(self, item, label):
        """The item's content as HTML, with images from wp-content/uploads stored and pointed at (--media-dir)."""
        html, unknown = render_content(item.content)
        self.report.shortcodes.update(unknown)
        if self.media_dir is None:
            return html  # images keep their old address

        def rewrite(match):
            src = unescape(match.group(3))
            if UPLOADS_MARKER not in src:
                return match.group(0)
            found = self._store_media(src, label)
            if found is None:
                return match.group(0)
            return f"{match.group(1)}{match.group(2)}{default_storage.url(found[0])}{match.group(2)}"

        return _IMG_SRC.sub(rewrite, html)

    def _featured_image(self, article, item, label):
        thumbnail = item.meta.get("_thumbnail_id", "").strip()
        if not thumbnail:
            return
        attachment = self.attachments.get(thumbnail)
        if attachment is None or not attachment.url:
            self.report.skip("image", label, f"featured image: attachment #{thumbnail} is not in the export")
            return
        if self.media_dir is None:
            self.report.skip("image", label, "featured image: not imported without --media-dir (never downloaded)")
            return
        found = self._store_media(attachment.url, label)
        if found is None or self.dry_run:  # a dry run stores no file for the article to point at
            return
        name, width, height = found
        if article.featured_image.name != name:
            article.featured_image = name
        article.featured_image_width, article.featured_image_height = width, height
        article.featured_image_alt = (attachment.alt or attachment.title or plain(item.title))[:250]
        article.featured_image_caption = attachment.caption[:300]

    def _store_media(self, url, label):
        """(storage name, width, height) of the uploads file `url` names, stored once; None (reported) if refused."""
        path = unquote(urlsplit(url).path)
        relative = path.split(UPLOADS_MARKER, 1)[1] if UPLOADS_MARKER in path else ""
        if relative not in self.media:
            self.media[relative] = self._store_media_file(relative)
        found = self.media[relative]
        if isinstance(found, str):
            self.report.skip("image", f"{label} {relative}" if relative else label, found)
            return None
        return found

    def _store_media_file(self, relative):
        if not relative:
            return "not under wp-content/uploads/"
        parts = PurePosixPath(relative).parts
        if "\\" in relative or "\x00" in relative or any(p in ("..", ".") for p in parts) or relative.startswith("/"):
            return "refused: outside the uploads folder"
        candidate = (self.media_dir / relative).resolve()
        if not candidate.is_file():
            # WordPress's resized copy ("photo-300x200.jpg") missing: the original will do (Byline makes
            # its own sizes, and the <img> keeps its width and height).
            original = _SIZED.sub(r"\1\2", relative)
            if original in self.media:
                return self.media[original]
            if original != relative and (self.media_dir / original).resolve().is_file():
                relative, candidate = original, (self.media_dir / original).resolve()
        if not candidate.is_relative_to(self.media_dir):  # a symlink out of the folder
            return "refused: outside the uploads folder"
        if not candidate.is_file():
            return "not in the --media-dir folder"
        if candidate.stat().st_size > MAX_IMAGE_BYTES:  # refused before reading it (process_image's limit)
            return f"larger than {human_size(MAX_IMAGE_BYTES)}"
        data = candidate.read_bytes()
        source_hash = hashlib.sha256(data).hexdigest()
        wp_id = hashlib.sha256(relative.encode()).hexdigest()[:40]
        row = ImportedObject.objects.filter(kind="media", wp_id=wp_id).first()
        if row and row.source_hash == source_hash and row.stored_name and default_storage.exists(row.stored_name):
            with default_storage.open(row.stored_name) as stored, Image.open(stored) as img:
                width, height = img.size
            self.report.count("image", "unchanged")
            self.media[relative] = (row.stored_name, width, height)
            return self.media[relative]
        try:
            processed = process_image(data, name=candidate.name)
        except ValidationError as exc:
            return " ".join(exc.messages)
        folder = "/".join(slugify(part) or "x" for part in parts[:-1])
        name = f"{MEDIA_PREFIX}/{folder}/{processed.filename}" if folder else f"{MEDIA_PREFIX}/{processed.filename}"
        if not self.dry_run:  # a dry run writes no file
            # Short enough for the featured image's column (the storage shortens the name if needed).
            name = default_storage.save(name, ContentFile(processed.content), max_length=FILE_NAME_LENGTH)
            self._remember(row, "media", wp_id, relative, None, source_hash, stored_name=name)
        self.report.count("image", "updated" if row else "created")
        self.media[relative] = (name, processed.width, processed.height)
        return self.media[relative]

    # --- comments ------------------------------------------------------------------------------------

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
        target.user_email = email if len(email) <= 254 and _valid_email(email) else ""
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

    # --- redirects -----------------------------------------------------------------------------------

    def _redirect(self, old, new):
        """Make the old WordPress address `old` answer 301 to `new` (one row per address, updated in place).

        Nothing is stored when the addresses are the same (Byline answers it itself). The
        rows are django.contrib.redirects': editors see and extend them in the admin.
        """
        old = old_path(old) if old and not old.startswith("/?") else old
        if not old or old == new or old == "/":
            return
        if len(old) > 200 or len(new) > 200:  # the redirects table's columns
            self.report.skip("redirect", old[:60] + "…", "an address longer than 200 characters")
            return
        found = Redirect.objects.filter(site_id=settings.SITE_ID, old_path=old).first()
        if found is None:
            Redirect.objects.create(site_id=settings.SITE_ID, old_path=old, new_path=new)
            self.report.count("redirect", "created")
        elif found.new_path != new:
            found.new_path = new
            found.save(update_fields=["new_path"])
            self.report.count("redirect", "updated")
        else:
            self.report.count("redirect", "unchanged")


def _key(prefix, value):
    """An ImportedObject.wp_id for something WordPress gave no id (a login, a slug): at most 64 characters."""
    key = f"{prefix}:{value}"
    return key if len(key) <= 64 else f"{prefix}#{hashlib.sha256(value.encode()).hexdigest()[:40]}"


def _without_comments(item):
    data = dataclasses.asdict(item)
    data.pop("comments")
    return data


def _depth(comment, by_id):
    """How many ancestors `comment` has among the item's comments `by_id` (parents are saved before replies)."""
    depth, seen, parent = 0, {comment.wp_id}, comment.parent_id
    while parent in by_id and parent not in seen:
        seen.add(parent)
        depth += 1
        parent = by_id[parent].parent_id
    return depth


def _valid_email(value):
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _valid_ip(value):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


__all__ = ["Importer", "Report", "WXRError", "old_path"]
