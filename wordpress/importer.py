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

This module runs the import and maps posts and pages; each other kind has a module of its
own (the `Importer` class is made of them), on wordpress/upserts.py's shared machinery.

Mapping (see README "Moving in from WordPress"):
- wp:author → blog.Author (wordpress/people.py: matched by what an earlier run imported
  (id, then login), then by email, then by a staff user's username; an author matched so
  is left as it is);
- wp:category → blog.Category (wordpress/terms.py: matched by slug; Byline categories are
  flat: a parent is remembered only for the old /category/parent/child/ address);
  wp:tag → taggit tags;
- post → Article: publish → published, future → published with its future time
  (scheduled), draft → draft, pending → in review, private and password-protected →
  draft (Byline has no private articles); trash, auto-draft → skipped. The first
  category is the article's category, further ones become tags; sticky → featured.
  Bodies and featured images: wordpress/media.py.
- page → core.Page when published (Byline pages have no draft state), kept out of the
  footer menu;
- wp:comment → discussion.Comment (wordpress/comments.py): 1 approved, 0 held, spam →
  spam, trash → removed; replies keep their parent (threads deeper than three levels join
  the third, as Byline's do); pingbacks and trackbacks are skipped.
- old addresses → django.contrib.redirects rows (`Upserts._redirect`).
"""

import dataclasses
import itertools
import time
from datetime import UTC
from urllib.parse import unquote

from django.db import transaction
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from taggit.models import Tag

from blog.models import Article
from core.models import Page
from core.sanitizer import plain_text, sanitize_html
from core.slugs import slugify as make_slug

from .comments import Comments
from .media import Attachment, Media
from .middleware import query_path
from .people import Authors
from .terms import Terms
from .upserts import Report, Skip, byline_slug, digest, old_path, plain
from .wxr import WXRError, WXRItem, WXRReader, parse_wp_date

# Records per transaction, at most; and a batch commits after this many seconds, so a SQLite
# database's write lock is never held long (other writers wait up to 5 s: config/settings/base.py).
BATCH_RECORDS = 100
BATCH_SECONDS = 1.0

STATUSES = {
    "publish": Article.Status.PUBLISHED,
    "future": Article.Status.PUBLISHED,  # with a future published_at: scheduled
    "draft": Article.Status.DRAFT,
    "pending": Article.Status.REVIEW,
    "private": Article.Status.DRAFT,  # readers must not see it; Byline has no private articles
}
NOT_IMPORTED_STATUSES = {"trash": "in the trash", "auto-draft": "an auto-draft", "inherit": "a revision"}


class Importer(Authors, Terms, Media, Comments):
    """One run of the import: every record of the export, in order, to the part that upserts its kind."""

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


def _without_comments(item):
    data = dataclasses.asdict(item)
    data.pop("comments")
    return data


__all__ = ["Importer", "Report", "WXRError", "old_path"]
