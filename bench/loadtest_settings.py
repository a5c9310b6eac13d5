"""The load test's settings (bench/loadtest.py): production's, with cookies that travel over plain HTTP.

Production marks the session and CSRF cookies Secure, so clients send them back over HTTPS only.
The load test talks plain HTTP to gunicorn, with no TLS proxy in front (as
DJANGO_SECURE_SSL_REDIRECT=false says), and every form post would fail its CSRF check.
Everything else, rate limits included, is production's.
"""

from config.settings.production import *  # noqa: F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
