"""What every part of a WordPress import shares: its state, the report, the ImportedObject rows, redirects.

`Upserts` holds one run's state and the upsert machinery: `_atomic` (each item a savepoint
of its own, refused ones skipped with the reason), `_mapping`/`_target`/`_remember` (the
`ImportedObject` row of a WordPress object: kind, WordPress id, else its GUID, login or slug;
`source_hash` says whether it changed), `_redirect` (an old address answering 301) and
`_slug`. The parts of the import build on it: wordpress/people.py (authors),
wordpress/terms.py (categories, tags), wordpress/media.py (bodies and images),
wordpress/comments.py; wordpress/importer.py puts them together and runs them.
"""

import hashlib
import json
import re
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.redirects.models import Redirect
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, transaction
from django.utils.encoding import escape_uri_path

from core.slugs import slugify as make_slug
from core.slugs import unique_slug
from core.text import plain_line

from .middleware import query_path
from .models import ImportedObject

# Bump when the importer maps things differently: every object is then rewritten once.
IMPORTER_VERSION = 1


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


class Skip(Exception):
    """An item that cannot be imported; the message is the reason in the report."""


def digest(*parts):
    data = json.dumps([IMPORTER_VERSION, *parts], default=str, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


def wp_key(prefix, value):
    """An ImportedObject.wp_id for something WordPress gave no id (a login, a slug): at most 64 characters."""
    key = f"{prefix}:{value}"
    return key if len(key) <= 64 else f"{prefix}#{hashlib.sha256(value.encode()).hexdigest()[:40]}"


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


def valid_email(value):
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


class Upserts:
    """One run's state and what every part of the import upserts with."""

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
