"""config.settings.production under controlled environments: what it builds from them."""

import json
import sys

import pytest

from .conftest import production_env, run

pytestmark = pytest.mark.slow  # production settings in child processes

# Prints the settings these tests look at, as JSON.
SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "storages": settings.STORAGES,
    "cache": settings.CACHES["default"],
    "engine": db["ENGINE"],
    "db_name": db["NAME"],
    "db_host": db.get("HOST"),
    "conn_max_age": db["CONN_MAX_AGE"],
    "conn_health_checks": db["CONN_HEALTH_CHECKS"],
    "session_engine": settings.SESSION_ENGINE,
}))
"""

# Builds media URLs with every way out to the network closed: a connection attempt or a
# DNS lookup raises instead.
MEDIA_URLS_OFFLINE = """
import json, socket, sys
def no_network(*args, **kwargs):
    raise RuntimeError("network call")
socket.socket.connect = socket.socket.connect_ex = no_network
socket.create_connection = socket.getaddrinfo = no_network
import django
django.setup()
from django.core.files.storage import storages
storage = storages["default"]
print(json.dumps({
    "class": type(storage).__module__ + "." + type(storage).__name__,
    "access_key": storage.access_key,
    "urls": [storage.url(name) for name in sys.argv[1:]],
}))
"""

BUCKET = {
    "AWS_STORAGE_BUCKET_NAME": "byline-media",
    "AWS_S3_REGION_NAME": "eu-west-1",
    "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "not-a-real-secret",
}


def settings_under(**values):
    result = run([sys.executable, "-c", SHOW_SETTINGS], env=production_env(**values))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_refuses_to_start_without_a_secret_key():
    # Everything else a full deployment sets is there: only the secret is missing.
    env = production_env(
        DJANGO_SECRET_KEY=None,
        REDIS_URL="redis://127.0.0.1:6379/0",
        DATABASE_URL="postgres://byline@db.internal:5432/byline",
        **BUCKET,
    )
    result = run([sys.executable, "-c", SHOW_SETTINGS], env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set in production" in result.stderr

    env["DJANGO_SECRET_KEY"] = "   "
    assert "DJANGO_SECRET_KEY must be set in production" in run([sys.executable, "-c", SHOW_SETTINGS], env=env).stderr


def test_without_services_everything_stays_on_this_machine():
    shown = settings_under()
    assert shown["storages"] == {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {"BACKEND": "core.storage.PrivateFileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    assert shown["cache"]["BACKEND"] == "core.cache.FileBasedCache"  # shared by this machine's processes
    assert shown["engine"] == "django.db.backends.sqlite3"
    assert shown["conn_max_age"] == 60
    assert shown["conn_health_checks"] is True
    assert shown["session_engine"] == "django.contrib.sessions.backends.db"


def test_with_services_every_server_shares_them():
    shown = settings_under(
        REDIS_URL="redis://cache.internal:6379/2",
        DATABASE_URL="postgres://byline:pw@db.internal:5432/byline",
        AWS_S3_ENDPOINT_URL="https://s3.example.net",
        AWS_S3_CUSTOM_DOMAIN="media.example.com",
        AWS_LOCATION="/site-a/",
        **BUCKET,
    )
    assert shown["cache"]["BACKEND"] == "core.cache.RedisCache"
    assert shown["cache"]["LOCATION"] == "redis://cache.internal:6379/2"
    assert (shown["engine"], shown["db_name"], shown["db_host"]) == (
        "django.db.backends.postgresql",
        "byline",
        "db.internal",
    )
    assert shown["conn_max_age"] == 60
    assert shown["conn_health_checks"] is True
    assert shown["storages"]["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert shown["storages"]["default"] == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "byline-media",
            "endpoint_url": "https://s3.example.net",
            "region_name": "eu-west-1",
            "custom_domain": "media.example.com",
            "location": "site-a",
            "querystring_auth": False,
            "file_overwrite": False,
        },
    }
    # Private files: the same bucket under private/, never public, no CDN.
    assert shown["storages"]["private"]["OPTIONS"] == {
        **shown["storages"]["default"]["OPTIONS"],
        "custom_domain": None,
        "location": "site-a/private",
        "default_acl": "private",
        "querystring_auth": True,
    }


def test_private_files_can_have_a_bucket_of_their_own():
    shown = settings_under(AWS_PRIVATE_BUCKET_NAME="byline-private", **BUCKET)
    options = shown["storages"]["private"]["OPTIONS"]
    assert (options["bucket_name"], options["location"], options["default_acl"]) == ("byline-private", "", "private")
    assert shown["storages"]["default"]["OPTIONS"]["bucket_name"] == "byline-media"


@pytest.mark.parametrize(("value", "expected"), [("0", 0), ("600", 600)])
def test_connection_lifetime_follows_the_environment(value, expected):
    assert settings_under(DJANGO_CONN_MAX_AGE=value)["conn_max_age"] == expected


def media_urls(names, **values):
    result = run([sys.executable, "-c", MEDIA_URLS_OFFLINE, *names], env=production_env(**values))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_s3_media_urls_use_the_custom_domain_without_a_signature():
    shown = media_urls(
        ["articles/2026/05/harbour view.jpg", "authors/2026/ada.png"],
        AWS_S3_CUSTOM_DOMAIN="media.example.com",
        AWS_LOCATION="site-a",
        **BUCKET,
    )
    assert shown["class"] == "storages.backends.s3.S3Storage"
    # The credentials come from the environment, through django-storages itself.
    assert shown["access_key"] == "AKIDEXAMPLE"
    assert shown["urls"] == [
        "https://media.example.com/site-a/articles/2026/05/harbour%20view.jpg",
        "https://media.example.com/site-a/authors/2026/ada.png",
    ]


def test_s3_media_urls_without_a_custom_domain_name_the_endpoint_unsigned():
    shown = media_urls(["articles/a.jpg"], AWS_S3_ENDPOINT_URL="https://s3.example.net", **BUCKET)
    # Path-style on a custom endpoint; no signature and so no expiry.
    assert shown["urls"] == ["https://s3.example.net/byline-media/articles/a.jpg"]


# A request to the production application while nothing answers where the database should be.
REQUEST_WITHOUT_DATABASE = """
import django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False, HTTP_HOST="news.example.com")
response = client.get("/", secure=True)
print(response.status_code, response["Retry-After"], "cannot reach its database" in response.content.decode())
"""


def test_an_unreachable_database_gives_a_503_page_not_a_traceback(static_root):
    from tests.services import free_port

    env = production_env(
        DJANGO_STATIC_ROOT=str(static_root), DATABASE_URL=f"postgres://byline@127.0.0.1:{free_port()}/byline"
    )
    result = run([sys.executable, "-c", REQUEST_WITHOUT_DATABASE], env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["503", "60", "True"]
    assert "Traceback" not in result.stdout
