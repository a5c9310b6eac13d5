"""Development: DEBUG on (unless DJANGO_DEBUG says otherwise), email to the console, SQLite unless
DATABASE_URL is set; static and media files served by the app either way."""

from .base import *  # noqa: F403
from .base import env_bool, env_str

DEBUG = env_bool("DJANGO_DEBUG", True)
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

# STATIC AND MEDIA
# Served by the app with DEBUG off too (`make run` serves so, to show the site's own error pages):
# runserver serves no files then, so WhiteNoise finds static files in the apps and static/, fresh on
# every request as with DEBUG on, and config/urls.py serves uploads.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
BYLINE_SERVE_MEDIA = True

try:  # debug-toolbar is optional: use it when it is installed.
    import debug_toolbar  # noqa: F401
except ImportError:
    pass
else:
    INSTALLED_APPS += ["debug_toolbar"]  # noqa: F405
    MIDDLEWARE.insert(0, "debug_toolbar.middleware.DebugToolbarMiddleware")  # noqa: F405
    INTERNAL_IPS = ["127.0.0.1"]
