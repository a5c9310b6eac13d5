"""Whole pages for anonymous readers, kept in the configured Django cache and invalidated exactly.

How it works
------------
Views name what a page shows with *tags* from one vocabulary, core/cachetags.py
(`page_shows(request, LIST, article(12))`): an article, the listing of a category / tag /
author, year and month archives, `LIST` anything listing the latest articles (home, search,
feeds, sitemaps), `SIDEBAR` the sidebar, `SITE` the settings, menus and names every page shows.
Only responses whose view named tags are cached.

Each tag has a *version* in the cache. A stored page records the versions of its tags; a page
whose tags have moved on since is stale and is rendered again. `invalidate(tags)` gives the tags
new versions once the transaction commits, then purges the HTTP caches in front (Varnish, a CDN:
pagecache/purgers.py) through a background task. Nothing relies on a timeout to become correct:
the timeout (BYLINE_PAGE_CACHE_SECONDS) only frees memory, except for one case — an article
scheduled for later appears without anyone saving anything, so no page is kept past the next
scheduled publication (`horizon`).

A page rendered while content changed is not stored: every invalidation also moves a global
generation, read before rendering and compared before storing (bumped before the tags, so a
reader of both sees either the new generation or the old tags).
"""

import functools
import hashlib
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from core.cachetags import expires_at, request_tags
from core.requestcache import forget, per_request

from . import signals

GENERATION_KEY = "pc:gen"
HORIZON_KEY = "pc:horizon"
NO_HORIZON = 0.0
# Query parameters that never change a page: campaign tracking added by other sites.
IGNORED_PARAMETERS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid")

_pending = threading.local()


def version_key(name):
    return f"pc:v:{name}"


def current_versions(names):
    """{tag: its version now (None: none yet)}, read from the cache once per request for each tag.

    The parts of one page depend on the same tags: the first part checked reads their versions,
    the others reuse them (what was current when the request began to use them).
    """
    known = per_request("pc:versions", dict)
    missing = [name for name in names if name not in known]
    if missing:
        found = cache.get_many([version_key(name) for name in missing])
        known.update({name: found.get(version_key(name)) for name in missing})
    return {name: known[name] for name in names}


def invalidate(names, urls=()):
    """Make every page tagged with one of `names` stale, once the current transaction commits.

    `urls` are absolute addresses that certainly changed (an article's old and new address),
    for purgers that purge by URL. Calls within one transaction are merged into one
    invalidation and one purge; a rolled-back transaction invalidates nothing.
    """
    names = {str(name) for name in names if name}
    if not names:
        return
    batch = getattr(_pending, "batch", None)
    if batch is None or not _waiting_for_commit(batch):
        batch = _pending.batch = {"tags": set(names), "urls": set(urls)}
        batch["flush"] = functools.partial(_flush, batch)
        transaction.on_commit(batch["flush"])  # runs at once outside a transaction
        return
    batch["tags"].update(names)
    batch["urls"].update(urls)


def _waiting_for_commit(batch):
    """Whether `batch`'s callback is still registered (a rollback discards it)."""
    connection = transaction.get_connection()
    return connection.in_atomic_block and any(entry[1] is batch["flush"] for entry in connection.run_on_commit)


def _flush(batch):
    if getattr(_pending, "batch", None) is batch:
        _pending.batch = None
    cache.delete(HORIZON_KEY)  # the change may have scheduled an article, or published one
    for _receiver, more in signals.invalidating.send(sender=None, tags=set(batch["tags"])):
        batch["tags"].update(more or ())
    token = uuid.uuid4().hex
    forget("pc:versions")
    cache.set(GENERATION_KEY, token, timeout=None)  # first: see the module docstring
    cache.set_many({version_key(name): token for name in batch["tags"]}, timeout=None)
    if settings.BYLINE_VARNISH_URLS or (settings.CLOUDFLARE_ZONE_ID and settings.CLOUDFLARE_API_TOKEN):
        from .tasks import purge_task

        purge_task.enqueue(sorted(batch["tags"]), sorted(batch["urls"]))


def set_horizon(moment):
    """Record when the next scheduled article goes live (None: none), found by someone's query."""
    cache.set(HORIZON_KEY, moment.timestamp() if moment else NO_HORIZON, timeout=None)


def horizon():
    """The Unix time of the next scheduled publication (NO_HORIZON when none), cached until it passes."""
    value = cache.get(HORIZON_KEY)
    if value is None or (value != NO_HORIZON and value <= time.time()):
        moments = [moment for _receiver, moment in signals.next_change.send(sender=None) if moment]
        value = min(moment.timestamp() for moment in moments) if moments else NO_HORIZON
        cache.set(HORIZON_KEY, value, timeout=None)
    return value


def lifetime(request=None, now=None):
    """Seconds a page rendered now may be kept: the setting, cut at the horizon and the page's own expiry."""
    now = now or time.time()
    seconds = float(settings.BYLINE_PAGE_CACHE_SECONDS)
    limits = [horizon()]
    if request is not None:
        limits.append(expires_at(request))
    for limit in limits:
        if limit:
            seconds = min(seconds, limit - now)
    return max(0, int(seconds))


def entry_key(request):
    """The cache key of a page: host, path and the query without tracking parameters (sorted)."""
    query = sorted(
        (key, value)
        for key, value in parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
        if not key.startswith(IGNORED_PARAMETERS)
    )
    address = f"{request.get_host()}{request.path}?{urlencode(query)}"
    return "pc:page:" + hashlib.sha256(address.encode()).hexdigest()


@dataclass(frozen=True)
class Entry:
    status: int
    headers: tuple
    content: bytes
    versions: tuple  # ((tag, version), ...)
    expires: float
    etag: str
    last_modified: float


def generation():
    return cache.get(GENERATION_KEY)


class LocalCopies:
    """The most recently served pages of this process, in front of the shared cache.

    A hit then costs one round trip to the shared cache (the tags' versions, which are
    always checked there, so a copy here is never served after an invalidation) instead
    of two, and no transfer and unpickling of the page itself.
    """

    def __init__(self, size):
        self.size = size
        self.entries = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key, entry):
        with self.lock:
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def discard(self, key):
        with self.lock:
            self.entries.pop(key, None)

    def clear(self):
        with self.lock:
            self.entries.clear()


local_copies = LocalCopies(size=500)
remembered_copies = LocalCopies(size=2000)


def fetch(request):
    """The stored page for `request` if every tag it depends on is unchanged, else None."""
    key = entry_key(request)
    entry = local_copies.get(key)
    from_shared = entry is None
    if from_shared:
        entry = cache.get(key)
    if entry is None or entry.expires <= time.time():
        local_copies.discard(key)
        return None
    current = cache.get_many([version_key(name) for name, _version in entry.versions])
    for name, version in entry.versions:
        if current.get(version_key(name)) != version:
            local_copies.discard(key)
            return None
    if from_shared:
        local_copies.put(key, entry)
    return entry


def store(request, response, generation_before):
    """Keep `response` for later requests, unless content changed while it was rendered.

    Returns the entry, or None when nothing was stored.
    """
    names = sorted(request_tags(request))
    seconds = lifetime(request)
    if not names or seconds <= 0:
        return None
    keys = [GENERATION_KEY] + [version_key(name) for name in names]
    found = cache.get_many(keys)
    if found.get(GENERATION_KEY) != generation_before:
        return None
    missing = {key: uuid.uuid4().hex for key in keys[1:] if key not in found}
    if missing:
        # First use of a tag: give it a version (add: a concurrent invalidation wins).
        for key, value in missing.items():
            cache.add(key, value, timeout=None)
        found.update(cache.get_many(list(missing)))
    versions = tuple((name, found.get(version_key(name))) for name in names)
    if any(version is None for _name, version in versions):
        return None
    now = time.time()
    content = response.content
    entry = Entry(
        status=response.status_code,
        headers=tuple((key, value) for key, value in response.items() if key.lower() not in SKIPPED_HEADERS),
        content=content,
        versions=versions,
        expires=now + seconds,
        etag='"' + hashlib.md5(content, usedforsecurity=False).hexdigest() + '"',
        last_modified=now,
    )
    cache.set(entry_key(request), entry, timeout=seconds)
    local_copies.put(entry_key(request), entry)
    return entry


def remember(key, compute):
    """A value derived from content, kept until a tag it depends on is invalidated.

    `compute()` returns `(value, tags)`, and so does `remember()`; a None value is not kept.
    Like pages, the value is not kept past the next scheduled publication, and not stored when
    content changed while it was computed. For parts of pages that are costly to work out (an
    article's related articles, its rendered text).
    """
    if settings.BYLINE_REMEMBER_SECONDS <= 0:
        return compute()
    key = "pc:memo:" + key
    entry = remembered_copies.get(key)
    from_shared = entry is None
    if from_shared:
        entry = cache.get(key)
    if entry is not None:
        value, versions, expires = entry
        current = current_versions([name for name, _version in versions])
        if expires > time.time() and all(current[name] == version for name, version in versions):
            if from_shared:
                remembered_copies.put(key, entry)
            return value, [name for name, _version in versions]
        remembered_copies.discard(key)
    before = generation()
    value, names = compute()
    names = sorted(set(names))
    if value is None:  # nothing found: not kept, so whatever appears there later is seen at once
        return value, names
    seconds = settings.BYLINE_REMEMBER_SECONDS
    if next_publication := horizon():
        seconds = min(seconds, int(next_publication - time.time()))
    keys = [GENERATION_KEY] + [version_key(name) for name in names]
    found = cache.get_many(keys)
    if seconds > 0 and found.get(GENERATION_KEY) == before:
        for name in names:
            if version_key(name) not in found:
                cache.add(version_key(name), uuid.uuid4().hex, timeout=None)
        found.update(cache.get_many([version_key(name) for name in names if version_key(name) not in found]))
        versions = tuple((name, found.get(version_key(name))) for name in names)
        if all(version is not None for _name, version in versions):
            entry = (value, versions, time.time() + seconds)
            cache.set(key, entry, timeout=seconds)
            remembered_copies.put(key, entry)
    return value, names


# Set again for every response from the entry (or not to be shared at all).
SKIPPED_HEADERS = {"cache-control", "expires", "etag", "last-modified", "set-cookie", "cache-tag", "x-page-cache"}
