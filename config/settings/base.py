"""Settings shared by every environment.

Values come from the environment (see README "Configuration"). Defaults live
here only where they are harmless; production.py insists on the rest.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from django_prose_editor.config import html_tags

BASE_DIR = Path(__file__).resolve().parent.parent.parent


# Every variable is read through these: unset and empty are the same (a line `NAME=` in an env
# file, as in .env.example, means the default), and a value that is not what the setting takes
# stops the start with the variable's name.
def env_str(name, default=""):
    """The variable's value without surrounding blanks, or `default` when unset or empty."""
    return os.environ.get(name, "").strip() or default


def env_int(name, default):
    value = env_str(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_bool(name, default=False):
    value = env_str(name).lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no, on/off), not {value!r}.")


def env_list(name, default=""):
    """Comma-separated items, blanks around each removed."""
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


# CORE
DEBUG = env_bool("DJANGO_DEBUG", False)
# Development-only key; production.py refuses to start without DJANGO_SECRET_KEY.
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "django-insecure-byline-development-only")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# APPS
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "django.contrib.redirects",
    "taggit",
    "reversion",
    "django_prose_editor",
    "django_tasks",
    "django_tasks_db",
    "anymail",
    "core",
    "library",
    "editing",
    "outbox",
    "blog",
    "contributions",
    "discussion",
    "django_comments",
    "complaints",
    "pagecache",
    "backups",
    "wordpress",
    "demo",
    "dashboard",
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the page cache, so cached pages get the headers too.
    "core.security.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETag / Last-Modified answered with 304, cached pages included.
    "django.middleware.http.ConditionalGetMiddleware",
    # WordPress's /?p=12 addresses answer 301 (the home page would answer 200); no query otherwise.
    "wordpress.middleware.WordPressQueryRedirectMiddleware",
    # Before sessions, CSRF and auth: a cached page costs no session or database work.
    "pagecache.middleware.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A 404 whose address is in the redirects table (old WordPress addresses, editors' own) answers 301.
    "django.contrib.redirects.middleware.RedirectFallbackMiddleware",
    # A taken-down article's address answers 451 with the complaint's reason (the view raises TakenDown).
    "complaints.middleware.TakedownMiddleware",
    # Last: refuses sign-ins from locked-out users and addresses.
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
            ],
        },
    },
]

# DATABASES
# SQLite in the project folder unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation pays off for long analytical queries, never for page queries:
    # it added a second to one cold query in the 100,000-article benchmark.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets readers work while a writer commits; IMMEDIATE takes the write
            # lock at BEGIN, so concurrent writers wait (busy_timeout) instead of failing.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000",
            "transaction_mode": "IMMEDIATE",
        }
    )

# CACHES
# Both backends fail open: with the cache down, pages are served from the database (core/cache.py).
# With REDIS_URL: Redis, shared by every worker and server. Without: files in a folder shared by the
# processes of this machine (the server, `manage.py` commands, the task worker), so a change made by
# a command shows on the site at once; by default next to the SQLite database, which it belongs to
# (another database, another folder), or BYLINE_CACHE_DIR.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's, reusing its Redis client (core/cache.py).
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "byline",
            # A Redis that does not answer costs a request this long at most, once (then it is
            # left alone for a few seconds, core/cache.py).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    _database = DATABASES["default"]
    if _database["ENGINE"] == "django.db.backends.sqlite3" and str(_database["NAME"]) not in ("", ":memory:"):
        _cache_dir = f"{_database['NAME']}-cache"
    else:
        _cache_dir = BASE_DIR / "var" / "cache" / (str(_database["NAME"]) or "default")
    CACHES = {
        "default": {
            "BACKEND": "core.cache.FileBasedCache",
            "LOCATION": env_str("BYLINE_CACHE_DIR", str(_cache_dir)),
            # Whole pages live here too (about 30-60 kB each): room for a few thousand.
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

# PAGE CACHE (pagecache/)
# Anonymous readers get whole pages from the cache above; every content change invalidates
# exactly the pages that show it, so this is only how long an untouched page is kept.
# 0 turns the page cache off.
BYLINE_PAGE_CACHE_SECONDS = env_int("BYLINE_PAGE_CACHE_SECONDS", 3600)
# Costly parts of pages (an article's related, previous and next articles) are kept this long,
# invalidated by the same tags as pages; 0 turns that off.
BYLINE_REMEMBER_SECONDS = env_int("BYLINE_REMEMBER_SECONDS", 24 * 3600)
# HTTP caches in front of the app, purged after every content change (pagecache/purgers.py).
# Varnish: comma-separated base URLs of the Varnish servers that run deploy/varnish/byline.vcl.
BYLINE_VARNISH_URLS = env_list("BYLINE_VARNISH_URLS")
# Cloudflare: purge by cache tag and URL through its API, with a token allowed to purge the zone.
CLOUDFLARE_ZONE_ID = env_str("CLOUDFLARE_ZONE_ID")
CLOUDFLARE_API_TOKEN = env_str("CLOUDFLARE_API_TOKEN")
CLOUDFLARE_API_URL = env_str("CLOUDFLARE_API_URL", "https://api.cloudflare.com/client/v4")

# AUTH
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# I18N
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# STATIC AND MEDIA
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env_str("DJANGO_MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# Files only editors may read (raw emails, the Word documents of guest posts): outside
# MEDIA_ROOT, never served; the admin streams them after a permission check (core/storage.py).
PRIVATE_MEDIA_ROOT = Path(env_str("DJANGO_PRIVATE_MEDIA_ROOT", BASE_DIR / "private-media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "core.storage.PrivateFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploads above this stay on disk instead of in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Non-file form data (an article's HTML is far below this).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# RICH-TEXT EDITOR (django-prose-editor)
# Figures from the image library, uploaded on the spot or pasted, with required alt text
# (issue 19): the module replaces the stock Figure, Image and Caption and adds FigureLibrary,
# configured in core/sanitizer.py PROSE_EXTENSIONS. It produces nothing the stock figure does not.
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        # A plain address, not static_lazy(): a repr() of the settings would resolve it, and fail before
        # collectstatic (tests/core/test_env_example.py). Its own imports are relative to it anyway.
        "js": [f"{STATIC_URL}js/editor-figures.js"],
        "extensions": {
            "FigureLibrary": html_tags(["figure", "figcaption", "img"], {"img": ["src", "alt", "width", "height"]})
        },
    }
]

# EMAIL
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "Byline <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Any Django email backend by dotted path, e.g. anymail.backends.mailgun.EmailBackend.
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
# Seconds an SMTP server may take to answer: one that accepts connections but never answers
# must not hold a worker (the email stays queued in the outbox and is sent again later).
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", 10)
# django-anymail reads its provider settings from ANYMAIL_* variables, e.g.
# ANYMAIL_MAILGUN_API_KEY -> ANYMAIL["MAILGUN_API_KEY"]; an empty one is left out (anymail's default).
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value.strip()
    for key, value in os.environ.items()
    if key.startswith("ANYMAIL_") and value.strip()
}
# Where editors are told of new submissions (comma-separated); default: every active
# member of the Editors group who has an email address.
BYLINE_EDITORS_EMAILS = env_list("BYLINE_EDITORS_EMAILS")

# TASKS (django-tasks)
# Work after the response, such as sending email. "immediate" runs tasks in-process
# right after the transaction commits; "database" queues them for `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }[env_str("BYLINE_TASKS_BACKEND", "immediate")]
    }
}

# SECURITY
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp, through core/security.py): scripts, styles, fonts and
# pictures from this site only, and no inline script but the editor's import map (allowed by
# its hash). Uploaded media served from elsewhere (an S3 bucket or CDN) add their origin:
# BYLINE_CSP_MEDIA_ORIGINS, comma-separated.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *env_list("BYLINE_CSP_MEDIA_ORIGINS")],
        "media-src": ["'self'", *env_list("BYLINE_CSP_MEDIA_ORIGINS")],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Permissions-Policy (django-permissions-policy): none of these browser features is used.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}
# Admin sign-in: django-axes locks a user name out from an address after
# BYLINE_LOGIN_FAILURES failed attempts, for BYLINE_LOGIN_LOCKOUT_MINUTES (attempts are kept in
# the database, so the count holds across app servers; editors see them in the admin).
AXES_FAILURE_LIMIT = env_int("BYLINE_LOGIN_FAILURES", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("BYLINE_LOGIN_LOCKOUT_MINUTES", 60))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
# The client's address as the rate limits see it (core/ratelimit.py client_ip).
AXES_CLIENT_IP_CALLABLE = "core.ratelimit.client_ip"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# LOGGING
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        # Django's error mail to ADMINS, sent in the background and once per kind of failure an
        # hour, not once per request (core/errormail.py).
        "mail_admins": {
            "class": "core.errormail.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "interval": 3600,
        },
    },
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    # One line per task start and end is noise; failures still show (outbox records them too).
    "loggers": {
        # In place of Django's own mail_admins handler; the console is the root's.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django_tasks": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# BYLINE
# The public address of the site, for links in emails (tracking links, previews).
BYLINE_SITE_URL = env_str("BYLINE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Signed draft-preview links stop working after this many seconds.
BYLINE_PREVIEW_MAX_AGE = env_int("BYLINE_PREVIEW_MAX_AGE", 7 * 24 * 3600)
# Search queries are cut to this many characters before they reach the database.
BYLINE_SEARCH_MAX_LENGTH = 200
# Search ranks and counts the newest matches only, this many (blog/search.py): its cost stays
# the same however large the archive grows.
BYLINE_SEARCH_MAX_RESULTS = env_int("BYLINE_SEARCH_MAX_RESULTS", 1000)
# Full-text search language: a PostgreSQL text search configuration ("english", "german",
# "simple", ...); on SQLite "english" adds the Porter stemmer. Applied by `migrate` or
# `manage.py rebuild_search_index`.
BYLINE_SEARCH_LANGUAGE = env_str("BYLINE_SEARCH_LANGUAGE", "english")
BYLINE_PAGE_SIZE = 10
# Guest posts: successful submissions allowed per IP address per hour, and the
# largest whole request the form accepts (5 images of 5 MB, a 10 MB .docx, text).
BYLINE_SUBMISSIONS_PER_HOUR = env_int("BYLINE_SUBMISSIONS_PER_HOUR", 5)
BYLINE_SUBMISSION_MAX_REQUEST_BYTES = 36 * 1024 * 1024
# Receipts sent to one address per day for guest posts by email (no mail loops).
BYLINE_ACKS_PER_SENDER_PER_DAY = env_int("BYLINE_ACKS_PER_SENDER_PER_DAY", 5)

# Copyright complaints accepted per IP address per hour.
BYLINE_COMPLAINTS_PER_HOUR = env_int("BYLINE_COMPLAINTS_PER_HOUR", 5)
# Comments posted per IP address per hour (held or not).
BYLINE_COMMENTS_PER_HOUR = env_int("BYLINE_COMMENTS_PER_HOUR", 10)
# The email providers' webhooks (contributions/webhooks.py): POSTs per hour from one address
# (a provider posts from a few addresses, for every message the site receives) and their size.
BYLINE_WEBHOOK_POSTS_PER_HOUR = env_int("BYLINE_WEBHOOK_POSTS_PER_HOUR", 1000)
BYLINE_WEBHOOK_MAX_REQUEST_BYTES = env_int("BYLINE_WEBHOOK_MAX_REQUEST_BYTES", 40 * 1024 * 1024)
# A comment form sent back sooner than this many seconds after the page was served is refused (bots).
BYLINE_COMMENT_MIN_SECONDS = env_int("BYLINE_COMMENT_MIN_SECONDS", 3)

# The proxies in front (Varnish, nginx, a load balancer) whose X-Forwarded-For is believed:
# comma-separated addresses or networks (127.0.0.1,::1 when they run on this machine,
# 10.0.0.0/8). The rate limits above and the sign-in lockout count the client each of them
# names; empty: REMOTE_ADDR, and X-Forwarded-For is ignored.
BYLINE_TRUSTED_PROXIES = env_list("BYLINE_TRUSTED_PROXIES")

# django-contrib-comments: our own comment model (threaded replies) lives in `discussion`.
COMMENTS_APP = "discussion"
# django.contrib.sites, which django-contrib-comments needs: one site.
SITE_ID = 1

# django-taggit: tags compare case-insensitively ("Django" and "django" are one tag).
TAGGIT_CASE_INSENSITIVE = True
