"""The pytest suite: fast hasher, in-memory email and cache, no network."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "byline-test"}}
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# No collected static files in tests: WhiteNoise serves from the finders and does not
# look for (and warn about) a STATIC_ROOT that collectstatic never wrote.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
# The page cache is tested on its own (tests/pagecache): elsewhere a test that changes
# content inside its never-committed transaction would be shown the page cached before.
BYLINE_PAGE_CACHE_SECONDS = 0
BYLINE_REMEMBER_SECONDS = 0
