"""The site with its cache down (core/cache.py): every page is served from the database, the
failure is logged once, /healthz/ says so, and what was written meanwhile is not served stale
when the cache answers again."""

import json
import logging
import shutil
import uuid

import pytest
import redis
from django.db import OperationalError, connection
from django.test import Client

from core import ratelimit
from core.cache import FileBasedCache, RedisCache
from tests.factories import ArticleFactory
from tests.services import free_port


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def dead_redis_url():
    return f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there


def cache_errors(caplog):
    return [record for record in caplog.records if record.name == "core.cache" and record.levelno >= logging.ERROR]


def test_a_redis_that_does_not_answer_is_an_empty_cache_logged_once(caplog):
    cache = RedisCache(dead_redis_url(), {"OPTIONS": {"socket_connect_timeout": 1}})
    cache.clock = Clock()
    assert cache.get("page") is None
    assert cache.get("page", "fallback") == "fallback"
    assert cache.get_many(["a", "b"]) == {}
    cache.set("page", b"...")
    assert cache.set_many({"v:a": 1, "v:b": 2}) == ["v:a", "v:b"]  # Django's "not stored"
    assert cache.add("counter", 1) is True
    with pytest.raises(ValueError):
        cache.incr("counter")
    cache.delete("page")
    assert not cache.available
    assert len(cache_errors(caplog)) == 1
    assert "ConnectionError" in cache_errors(caplog)[0].getMessage()


def test_while_down_the_server_is_not_asked_again_until_the_retry(monkeypatch):
    cache = RedisCache(dead_redis_url(), {})
    cache.clock = clock = Clock()
    calls = []
    real_get = cache._cache.get
    monkeypatch.setattr(cache._cache, "get", lambda *args: calls.append(args) or real_get(*args))
    cache.get("a")
    cache.get("b")
    assert len(calls) == 1
    clock.now += cache.retry_after
    cache.get("c")
    assert len(calls) == 2


@pytest.fixture
def redis_cache():
    cache = RedisCache("redis://127.0.0.1:6379/12", {"KEY_PREFIX": f"byline-outage-{uuid.uuid4().hex}"})
    cache.clock = Clock()
    yield cache
    client = redis.Redis.from_url("redis://127.0.0.1:6379/12")
    for key in client.scan_iter(f"{cache.key_prefix}:*"):
        client.delete(key)


def test_what_was_written_while_down_is_dropped_when_it_answers_again(redis_cache, monkeypatch, caplog):
    redis_cache.set("settings", "before the edit", timeout=None)
    redis_cache.set("untouched", "kept", timeout=None)

    def refused(*args, **kwargs):
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as outage:
        outage.setattr(redis_cache._cache, "get_client", refused)
        redis_cache.delete("settings")  # an editor saved the settings: the old copy must go
        redis_cache.set_many({"pc:v:a1": "new version"})
        assert redis_cache.get("settings") is None

    redis_cache.clock.now += redis_cache.retry_after
    assert redis_cache.get("settings") is None  # not "before the edit"
    assert redis_cache.get("pc:v:a1") is None
    assert redis_cache.get("untouched") == "kept"
    assert redis_cache.available
    assert any("answers again" in record.getMessage() for record in caplog.records)


def test_a_file_cache_whose_folder_is_gone_fails_open(tmp_path, caplog):
    folder = tmp_path / "cache"
    cache = FileBasedCache(str(folder), {})
    cache.clock = Clock()
    cache.set("a", 1)
    shutil.rmtree(folder)
    folder.write_text("not a folder")  # e.g. a disk that went read-only, or a wrong path
    assert cache.set_many({"b": 2}) == ["b"]
    assert cache.get("a") is None
    assert len(cache_errors(caplog)) == 1


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {"default": {"BACKEND": "core.cache.RedisCache", "LOCATION": dead_redis_url()}}
    settings.BYLINE_PAGE_CACHE_SECONDS = 3600
    settings.BYLINE_REMEMBER_SECONDS = 3600


@pytest.mark.django_db
def test_with_redis_down_every_page_is_served_from_the_database(redis_down, caplog):
    article = ArticleFactory(title="Served without Redis", tags=["outage"])
    client = Client(raise_request_exception=False)
    for url in ["/", article.get_absolute_url(), f"/tag/{article.tags.first().slug}/", "/feed/", "/sitemap.xml"]:
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200, url
    assert "Served without Redis" in client.get("/").content.decode()
    assert len(cache_errors(caplog)) == 1


@pytest.mark.django_db
def test_with_redis_down_rate_limits_fail_open(redis_down):
    # Counted nowhere, limited never: readers can still comment (the log says why).
    ratelimit.count("comments", "10.0.0.1")
    assert not ratelimit.is_limited("comments", "10.0.0.1", 1)


REFUSED = "connection to server at 127.0.0.1 failed"


def health(client):
    response = client.get("/healthz/")
    return response.status_code, json.loads(response.content)


@pytest.mark.django_db
def test_healthz_reports_each_dependency(client):
    status, body = health(client)
    assert status == 200
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "tasks", "storage"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
def test_healthz_with_the_cache_down_is_degraded_but_serving(redis_down, client):
    status, body = health(client)
    assert status == 200
    assert body["status"] == "degraded"
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_healthz_without_the_database_is_a_503(client):
    def unreachable(*args):
        raise OperationalError(REFUSED)

    with connection.execute_wrapper(unreachable):
        status, body = health(client)
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {
        "ok": False,
        "error": "OperationalError: connection to server at 127.0.0.1 failed",
    }
    assert body["checks"]["cache"]["ok"] is True
