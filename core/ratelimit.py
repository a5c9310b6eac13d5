"""Per-client rate limits kept in the configured cache (Redis in production, so they hold
across app servers). One counter per scope and client address, for a fixed window."""

import functools
import ipaddress

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt


def client_ip(request):
    """The client's address, for the rate limits and the sign-in lockout (AXES_CLIENT_IP_CALLABLE).

    REMOTE_ADDR, unless it is one of BYLINE_TRUSTED_PROXIES (Varnish, nginx, a load balancer):
    then X-Forwarded-For is read from the right, where each proxy appended the address it was
    sent the request by, past every trusted proxy, and the first other address is the client.
    What a client writes into the header itself stays to the left of that and is never read; so
    is the whole header when it comes from anyone but a trusted proxy.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    networks = trusted_networks(tuple(settings.BYLINE_TRUSTED_PROXIES))
    address = _address(remote)
    if address is None or not _is_trusted(address, networks):
        return remote
    for entry in reversed(request.headers.get("x-forwarded-for", "").split(",")):
        forwarded = _address(entry.strip())
        if forwarded is None:  # not an address: nothing further left can be believed
            break
        address = forwarded
        if not _is_trusted(address, networks):
            break
    return str(address)


@functools.lru_cache(maxsize=8)
def trusted_networks(entries):
    """The networks of BYLINE_TRUSTED_PROXIES entries (addresses or CIDR networks)."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"BYLINE_TRUSTED_PROXIES: {entry!r} is neither an IP address nor a network like 10.0.0.0/8."
            ) from None
    return tuple(networks)


def _address(text):
    """An ip_address (an IPv4-mapped IPv6 one as IPv4), or None for anything else."""
    try:
        address = ipaddress.ip_address(text or "")
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address


def _is_trusted(address, networks):
    return any(address.version == network.version and address in network for network in networks)


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
        return max(0, int(request.headers.get("content-length") or 0))
    except (TypeError, ValueError):
        return 0


def limit_posts(scope, *, per_hour, max_bytes):
    """A view decorator for machine-facing POST endpoints: 413 for a body declared larger than the
    setting named `max_bytes` (refused before it is read), 429 once an address has posted as many
    times as the setting named `per_hour` allows in the hour. Settings are read per request.

    Human-facing forms answer with their own page instead (contributions, discussion, complaints).
    """

    def decorator(view):
        @functools.wraps(view)
        def limited(request, *args, **kwargs):
            if request.method == "POST":
                limit = getattr(settings, max_bytes)
                if declared_size(request) > limit:
                    return HttpResponse(f"Request body too large (limit {limit} bytes).\n", status=413)
                ip = client_ip(request)
                if is_limited(scope, ip, getattr(settings, per_hour)):
                    response = HttpResponse("Too many requests from this address; retry later.\n", status=429)
                    response["Retry-After"] = "3600"
                    return response
                count(scope, ip)
            return view(request, *args, **kwargs)

        return limited

    return decorator


SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


def csrf_failure(request):
    """Django's CSRF check for `request`, run where the caller decides: the 403 response, or None when it passes."""
    return CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {})


def size_checked_form(max_bytes, refuse, *, csrf_for=lambda request: True):
    """A view decorator for public forms: a POST (or another unsafe method) whose declared size
    is over `max_bytes` (bytes, or the name of a setting read per request) is answered by
    `refuse(request, limit)` before anything reads its body; then Django's CSRF check runs (for
    the requests `csrf_for` names), then the view.

    The order is the point. CsrfViewMiddleware reads request.POST, which parses the whole body
    and writes its files to disk, before any view code runs; a view checked by it can refuse a
    large post only after reading it. So the view is exempt from the middleware and checked
    here instead, after the size: its CSRF protection is the same, only later.
    """

    def decorator(view):
        @functools.wraps(view)
        def checked(request, *args, **kwargs):
            if request.method not in SAFE_METHODS:  # as CsrfViewMiddleware: PUT, PATCH, DELETE too
                limit = getattr(settings, max_bytes) if isinstance(max_bytes, str) else max_bytes
                if declared_size(request) > limit:
                    return refuse(request, limit)
                if csrf_for(request) and (failure := csrf_failure(request)) is not None:
                    return failure
            return view(request, *args, **kwargs)

        return csrf_exempt(checked)

    return decorator
