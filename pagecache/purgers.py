"""Purging the HTTP caches in front of the app after a content change.

`purge(tags, urls)` runs every configured purger (`configured_purgers()`): one `VarnishPurger` per
entry of BYLINE_VARNISH_URLS, and a `CloudflarePurger` when CLOUDFLARE_ZONE_ID and
CLOUDFLARE_API_TOKEN are both set. Tags are the page cache's (`a12`, `list`, ...: the Cache-Tag
header of every shareable page); urls are absolute addresses of pages that certainly changed.
It is called from `pagecache.tasks.purge_task`, after the transaction commits.

Another cache is one more `Purger` subclass with a `purge(tags, urls)` that raises on failure.
Only the standard library speaks HTTP here (urllib), with a short timeout: a cache that does not
answer fails the task, which the task backend records, and never holds up the other purgers.
"""

import json
import logging
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.encoding import iri_to_uri

logger = logging.getLogger(__name__)

TIMEOUT = 5  # seconds, per HTTP request


class PurgeError(Exception):
    """A cache refused a purge or could not be reached."""


class Purger:
    """One cache in front of the app. `purge` raises (PurgeError or OSError) when it fails."""

    def purge(self, tags, urls):
        raise NotImplementedError


def _unique(items):
    return list(dict.fromkeys(items))


def _chunks(items, size):
    return [items[i : i + size] for i in range(0, len(items), size)]


def _reason(error):
    """What an HTTPError says: its status, its reason phrase and the start of its body."""
    try:
        body = error.read(2000).decode("utf-8", "replace")
    except OSError:
        body = ""
    return f"HTTP {error.code} {error.reason}".strip(), body


class VarnishPurger(Purger):
    """A Varnish running deploy/varnish/byline.vcl, reached at `base_url` (http://host:port).

    Tags go in BAN requests (header X-Cache-Tags: a12,list), as few as the header length allows;
    each URL gets a PURGE of its path, with the URL's Host and scheme (X-Forwarded-Proto), which
    with the path make Varnish's cache key. Environment proxies are ignored: Varnish is ours.
    """

    max_header = 4000  # characters of X-Cache-Tags per BAN, well under Varnish's 8 KB header limit

    def __init__(self, base_url, timeout=TIMEOUT):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def __str__(self):
        return f"Varnish {self.base_url}"

    def purge(self, tags, urls):
        failures = []
        for chunk in self._tag_chunks(_unique(tags)):
            failures += self._send("BAN", "/", {"X-Cache-Tags": chunk})
        for url in _unique(urls):
            parts = urlsplit(iri_to_uri(url))
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            failures += self._send("PURGE", path, {"Host": parts.netloc, "X-Forwarded-Proto": parts.scheme})
        if failures:
            raise PurgeError("; ".join(failures))

    def _tag_chunks(self, tags):
        chunks, current = [], ""
        for tag in tags:
            if current and len(current) + 1 + len(tag) > self.max_header:
                chunks.append(current)
                current = ""
            current = f"{current},{tag}" if current else tag
        return [*chunks, current] if current else chunks

    def _send(self, method, path, headers):
        """[] when Varnish answered 2xx, else one line saying what went wrong."""
        request = urllib.request.Request(self.base_url + path, method=method, headers=headers)
        what = f"{method} {path}" + (f" ({headers['X-Cache-Tags'][:80]})" if method == "BAN" else "")
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as error:
            status, _body = _reason(error)
            return [f"{what}: {status}"]
        except (OSError, ValueError) as error:  # refused, timed out, unresolvable, a bad base URL
            return [f"{what}: {error}"]
        return []


class CloudflarePurger(Purger):
    """Cloudflare's purge API for one zone: by tag, and by URL ("files"), 30 of either a call.

    The API token needs the Zone > Cache Purge permission for that zone.
    """

    chunk_size = 30

    def __init__(self, zone_id, api_token, api_url="https://api.cloudflare.com/client/v4", timeout=TIMEOUT):
        self.zone_id = zone_id
        self.api_token = api_token
        self.endpoint = f"{api_url.rstrip('/')}/zones/{zone_id}/purge_cache"
        self.timeout = timeout

    def __str__(self):
        return f"Cloudflare zone {self.zone_id}"

    def purge(self, tags, urls):
        failures = []
        for chunk in _chunks(_unique(tags), self.chunk_size):
            failures += self._post("tags", chunk)
        for chunk in _chunks([iri_to_uri(url) for url in _unique(urls)], self.chunk_size):
            failures += self._post("files", chunk)
        if failures:
            raise PurgeError("; ".join(failures))

    def _post(self, kind, items):
        """[] when Cloudflare answered success: true, else one line with its own messages."""
        what = f"purge of {len(items)} {kind}"
        request = urllib.request.Request(
            self.endpoint,
            data=json.dumps({kind: items}).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {self.api_token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status, body = f"HTTP {response.status}", response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            status, body = _reason(error)
        except (OSError, ValueError) as error:
            return [f"{what}: {error}"]
        try:
            answer = json.loads(body)
        except ValueError:
            answer = None
        if isinstance(answer, dict) and answer.get("success") is True and status.startswith("HTTP 2"):
            return []
        return [f"{what}: {status}: {self._messages(answer, body)}"]

    @staticmethod
    def _messages(answer, body):
        if not isinstance(answer, dict):
            return f"not a Cloudflare API answer: {body[:200]!r}"
        messages = []
        errors = answer.get("errors") or []
        for error in errors if isinstance(errors, list) else [errors]:
            if isinstance(error, dict):
                code = f" ({error['code']})" if "code" in error else ""
                messages.append(f"{error.get('message', error)}{code}")
            else:
                messages.append(str(error))
        return "; ".join(messages) or "success is not true, and no error given"


def configured_purgers():
    """The purgers the settings ask for, Varnish servers first."""
    purgers = [VarnishPurger(url) for url in settings.BYLINE_VARNISH_URLS]
    zone, token = settings.CLOUDFLARE_ZONE_ID, settings.CLOUDFLARE_API_TOKEN
    if zone and token:
        purgers.append(CloudflarePurger(zone, token, settings.CLOUDFLARE_API_URL))
    elif zone or token:
        logger.warning("Cloudflare is not purged: CLOUDFLARE_ZONE_ID and CLOUDFLARE_API_TOKEN must both be set.")
    return purgers


def purge(tags, urls, purgers=None):
    """Purge `tags` and `urls` from every configured cache (or from `purgers`).

    Every purger runs even when another fails; each failure is logged, and one PurgeError naming
    them all is raised at the end. Returns the names of the caches purged.
    """
    tags, urls = _unique(tags), _unique(urls)
    if purgers is None:
        purgers = configured_purgers()
    if not (tags or urls):
        return []
    done, failures = [], []
    for purger in purgers:
        try:
            purger.purge(tags, urls)
        except Exception as error:  # whatever one cache does, the others are still purged
            logger.error("Purging %s failed: %s", purger, error)
            failures.append(f"{purger}: {error}")
        else:
            done.append(str(purger))
    if failures:
        raise PurgeError(" | ".join(failures))
    return done
