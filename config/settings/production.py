"""Production: every secret from the environment, HTTPS and hashed static files."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, env_int, env_list, env_str


def required(name):
    # A failure at boot beats a silent insecure default.
    value = env_str(name)
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production (see README, Configuration).")
    return value


DEBUG = False
SECRET_KEY = required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") or required("DJANGO_ALLOWED_HOSTS").split(",")

# HTTPS: the proxy in front (nginx, a load balancer) terminates TLS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# No script reads the CSRF cookie (forms carry the token), so it need not be readable.
CSRF_COOKIE_HTTPONLY = True
# HSTS: a year, for every subdomain, and eligible for the browsers' preload list. Turn the last
# two off (DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS=false ...) if a subdomain is not on HTTPS.
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
# /healthz is probed over plain HTTP by the load balancer.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]

# DATABASES
# Keep connections open between requests (one per worker thread) instead of connecting for
# each one; the health check replaces a connection the server has dropped before using it.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DJANGO_CONN_MAX_AGE", 60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

# SESSIONS
# Only signed-in staff have sessions (readers get none), so a query per admin request costs
# little, and a session in the database survives what a cache does not: Redis evicting keys
# when the page cache fills it, or a flush. "cached_db" would save that query, but with the
# per-process local-memory cache (no REDIS_URL) a logout in one worker would leave the session
# cached in the others. Expired rows are removed by `manage.py clearsessions` (cron, daily).
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# STATIC AND MEDIA
# Hashed, compressed static files that WhiteNoise serves with far-future cache headers. They
# are built by `collectstatic` from the release, so every app server has the same ones.
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
}
# Uploaded media in an S3-compatible bucket (AWS S3, Cloudflare R2, MinIO, ...) when
# AWS_STORAGE_BUCKET_NAME is set, so that every app server sees the same files; otherwise
# on this machine's disk under MEDIA_ROOT (one server only: see core/checks.py).
# The credentials are not settings: django-storages reads AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY from the environment itself, and without them boto3 falls back to
# its other sources (an instance or task role, ~/.aws).
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {  # noqa: F405
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            # Another provider's S3 API, e.g. https://<account>.r2.cloudflarestorage.com.
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            # A CDN or public host name for the bucket; URLs are built from it with no API call.
            "custom_domain": env_str("AWS_S3_CUSTOM_DOMAIN") or None,
            # A folder inside the bucket, for a bucket shared with other sites.
            "location": env_str("AWS_LOCATION").strip("/"),
            # Public media: plain URLs. Signed ones would expire, and media URLs are written
            # into stored HTML (guest posts' pictures, accepted articles' bodies).
            "querystring_auth": False,
            # Never replace an existing object: a clashing name gets a suffix, as on disk.
            "file_overwrite": False,
        },
    }
    # Private files (raw emails, guest posts' Word documents) in a bucket of their own,
    # AWS_PRIVATE_BUCKET_NAME, that grants nobody public reads; without one, under "private/"
    # in the media bucket, stored with a private ACL (then the bucket's policy must not make
    # every object public). Only the admin reads them, through the app.
    STORAGES["private"] = {  # noqa: F405
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **STORAGES["default"]["OPTIONS"],  # noqa: F405
            "bucket_name": env_str("AWS_PRIVATE_BUCKET_NAME", AWS_STORAGE_BUCKET_NAME),
            "custom_domain": None,
            "location": "/".join(
                part
                for part in (
                    env_str("AWS_LOCATION").strip("/"),
                    "" if env_str("AWS_PRIVATE_BUCKET_NAME") else "private",
                )
                if part
            ),
            "default_acl": "private",
            "querystring_auth": True,
        },
    }

EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
ADMINS = [("Admin", a) for a in env_list("DJANGO_ADMINS")]

# Tasks (email sending) are queued in the database and run by `manage.py db_worker`,
# so a slow or failing mail server never holds up a request.
TASKS["default"]["BACKEND"] = {  # noqa: F405
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}[env_str("BYLINE_TASKS_BACKEND", "database")]
