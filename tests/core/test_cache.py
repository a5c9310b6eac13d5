"""core/cache.py: Django's Redis cache, with one Redis client per connection pool (the local Redis)."""

import uuid

import pytest
import redis

from core.cache import RedisCache


@pytest.fixture
def redis_cache():
    cache = RedisCache("redis://127.0.0.1:6379/12", {"KEY_PREFIX": f"byline-test-cache-{uuid.uuid4().hex}"})
    yield cache
    # Only this test's keys: clear() empties the whole Redis database, which tests running at the
    # same time in other processes (pytest-xdist, tests/core/test_cache_outage.py) also use.
    client = redis.Redis.from_url("redis://127.0.0.1:6379/12")
    for key in client.scan_iter(f"{cache.key_prefix}:*"):
        client.delete(key)


def test_the_client_is_built_once(redis_cache):
    client = redis_cache._cache
    assert client.get_client(write=True) is client.get_client(write=True)
    assert client.get_client(write=False) is client.get_client(write=True)  # one server: one pool


def test_it_still_works_as_django_s_cache(redis_cache):
    redis_cache.set("answer", {"value": 42})
    assert redis_cache.get("answer") == {"value": 42}
    assert redis_cache.get_many(["answer", "missing"]) == {"answer": {"value": 42}}
    assert redis_cache.add("counter", 1)
    assert redis_cache.incr("counter") == 2
    redis_cache.delete("answer")
    assert redis_cache.get("answer") is None
