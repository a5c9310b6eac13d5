"""The cache backends of the settings: Django's, made to fail open.

`RedisCache` (REDIS_URL) and `FileBasedCache` (the default without it) are Django's backends with
two changes:

- **Failing open.** When the cache cannot be reached (Redis down, a timeout, a full disk), an
  operation answers as Django's DummyCache would (a miss; a write that keeps nothing), so every page
  is served from the database instead of answering 500. The first failure is logged, then the
  cache is left alone for `retry_after` seconds (no request waits on a dead server); the first
  operation that works again is logged too. A write that could not be made is not forgotten: its
  keys are deleted as soon as the cache answers again, so nothing that changed meanwhile (an
  invalidated page, edited site settings) is served from the copy kept before.
- **One Redis client per connection pool.** Django's `RedisCacheClient.get_client()` builds a new
  `redis.Redis` for every cache operation, and building one fills a table of about 170 response
  callbacks: at 0.2 ms each, two of them cost more than serving a page from the page cache itself.
  A `redis.Redis` is safe to share between threads (it takes a connection from its pool per
  command), so one per pool is kept.
"""

import logging
import threading
import time

import redis
from django.core.cache.backends.filebased import FileBasedCache as DjangoFileBasedCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

# Keys of failed writes kept for deletion on recovery; beyond this many, all are given up on
# (and the log says so).
MAX_LOST_KEYS = 10_000


def _missing(*args, **kwargs):
    raise ValueError("The cache is unavailable: no such key.")  # what incr() says of a missing key


# What each operation answers while the cache is unavailable (DummyCache's answers), and which
# keys a write would have changed.
FALLBACKS = {
    "get": (lambda key, default=None, version=None: default, None),
    "get_many": (lambda keys, version=None: {}, None),
    "has_key": (lambda key, version=None: False, None),
    "touch": (lambda key, timeout=None, version=None: False, None),
    "add": (lambda key, *args, **kwargs: True, lambda key, *args, version=None, **kwargs: [(key, version)]),
    "set": (lambda key, *args, **kwargs: None, lambda key, *args, version=None, **kwargs: [(key, version)]),
    # Django's contract: set_many returns the keys it could not store.
    "set_many": (
        lambda data, *args, **kwargs: list(data),
        lambda data, *args, version=None, **kwargs: [(key, version) for key in data],
    ),
    "delete": (lambda key, version=None: False, lambda key, version=None: [(key, version)]),
    "delete_many": (lambda keys, version=None: None, lambda keys, version=None: [(key, version) for key in keys]),
    "incr": (_missing, lambda key, delta=1, version=None: [(key, version)]),
    "clear": (lambda: None, lambda: None),  # None: every key
}


class Outage:
    """What one process knows of one cache server: since when it fails, and what it could not write."""

    def __init__(self):
        self.lock = threading.Lock()
        self.since = None  # clock() of the first failure of the current outage
        self.retry_at = None
        self.lost = set()  # (key, version) of writes not made
        self.everything = False  # a clear() not made, or too many keys to remember


_outages = {}
_outages_lock = threading.Lock()


class FailOpenMixin:
    """Makes a Django cache backend answer as an empty cache while it is unavailable (see above)."""

    unavailable = ()  # the exceptions that mean "cannot be used now", set by each backend
    retry_after = 5.0  # seconds between attempts while unavailable
    clock = staticmethod(time.monotonic)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._local = threading.local()
        # Django makes one backend object per thread: what is known of the server is shared.
        with _outages_lock:
            self._outage = _outages.setdefault((type(self), self._place()), Outage())

    def _place(self):
        raise NotImplementedError

    @property
    def available(self):
        """False while the cache is known to be unavailable (between failures and retries)."""
        return self._outage.since is None

    def _call(self, name, *args, **kwargs):
        operation = getattr(super(), name)
        if getattr(self._local, "inside", False):  # add() calls has_key(), set_many() set() ...
            return operation(*args, **kwargs)
        answer, changes = FALLBACKS[name]
        if self._outage.retry_at is not None and self.clock() < self._outage.retry_at:
            self._lose(changes, args, kwargs)
            return answer(*args, **kwargs)
        self._local.inside = True
        try:
            if self._outage.since is not None:
                self._recover()
            return operation(*args, **kwargs)
        except self.unavailable as exc:
            self._fail(exc)
            self._lose(changes, args, kwargs)
            return answer(*args, **kwargs)
        finally:
            self._local.inside = False

    def _fail(self, exc):
        with self._outage.lock:
            now = self.clock()
            self._outage.retry_at = now + self.retry_after
            if self._outage.since is None:
                self._outage.since = now
                logger.error(
                    "The cache is unavailable (%s: %s): pages are served without it until it answers "
                    "again (tried again every %s s).",
                    type(exc).__name__,
                    exc,
                    self.retry_after,
                )

    def _lose(self, changes, args, kwargs):
        if changes is None:
            return
        keys = changes(*args, **kwargs)
        with self._outage.lock:
            if keys is None or len(self._outage.lost) + len(keys) > MAX_LOST_KEYS:
                self._outage.everything = True
                self._outage.lost.clear()
            elif not self._outage.everything:
                self._outage.lost.update(keys)

    def _recover(self):
        """The cache may answer again: first drop what was written meanwhile (raises if it cannot)."""
        with self._outage.lock:
            lost, everything = set(self._outage.lost), self._outage.everything
        if everything:
            super().clear()
        else:
            for version in {version for _key, version in lost}:
                super().delete_many([key for key, v in lost if v == version], version=version)
        with self._outage.lock:
            if self._outage.since is None:  # another thread recovered first
                return
            seconds = self.clock() - self._outage.since
            self._outage.since = self._outage.retry_at = None
            self._outage.lost.difference_update(lost)
            self._outage.everything = False
        logger.warning(
            "The cache answers again after %.0f s; %s written meanwhile were dropped.",
            seconds,
            "all keys" if everything else f"{len(lost)} keys",
        )


def _fail_open(name):
    def method(self, *args, **kwargs):
        return self._call(name, *args, **kwargs)

    method.__name__ = name
    return method


for _name in FALLBACKS:
    setattr(FailOpenMixin, _name, _fail_open(_name))


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        # redis-py retries a failed command three times with backoff (seconds, per operation, with
        # Redis down): once at once is enough for a dropped connection, then the cache fails open.
        kwargs.setdefault("retry", Retry(NoBackoff(), 1))
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(FailOpenMixin, DjangoRedisCache):
    unavailable = (redis.exceptions.RedisError, OSError)

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def _place(self):
        return (tuple(self._servers), self.key_prefix)


class FileBasedCache(FailOpenMixin, DjangoFileBasedCache):
    """Django's file cache: one folder shared by every process on this machine."""

    unavailable = (OSError,)

    def _place(self):
        return self._dir
