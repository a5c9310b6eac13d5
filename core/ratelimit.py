"""Per-client rate limits kept in the configured cache (Redis in production, so they hold
across app servers). One counter per scope and client address, for a fixed window."""

from django.core.cache import cache


def client_ip(request):
    """The client's address. Behind a proxy, have it set REMOTE_ADDR (gunicorn --forwarded-allow-ips)."""
    return request.META.get("REMOTE_ADDR") or None


def _key(scope, ip):
    return f"ratelimit:{scope}:{ip}"


def is_limited(scope, ip, limit):
    """True when `ip` has already been counted `limit` times in `scope`'s current window."""
    return ip is not None and cache.get(_key(scope, ip), 0) >= limit


def count(scope, ip, window=3600):
    """Count one more action by `ip` in `scope`; the window starts with the first one."""
    if ip is None:
        return
    key = _key(scope, ip)
    if cache.add(key, 1, timeout=window):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired in between
        cache.add(key, 1, timeout=window)


def declared_size(request):
    """The body size the client declared (Content-Length), to refuse large posts before reading them.

    A missing or malformed header counts as 0, as Django itself reads it.
    """
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except (TypeError, ValueError):
        return 0
