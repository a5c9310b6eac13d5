"""What the load test's visitors send and how their answers are judged, shared by bench/loadtest.py
and the locust side (bench/locustfile.py): the form posts that store something and their rate
limits, the visitors' loopback addresses, and which statuses pass."""

# Where a form post goes -> the kind of thing it stores, and the model counted for it.
POST_SCOPES = {
    "/comments/post/": "comments",
    "/contribute/": "submissions",
    "/copyright/complaint/": "complaints",
}
# The rate-limit setting of each scope (config/settings/base.py reads them from the environment).
LIMIT_SETTINGS = {
    "comments": "BYLINE_COMMENTS_PER_HOUR",
    "submissions": "BYLINE_SUBMISSIONS_PER_HOUR",
    "complaints": "BYLINE_COMPLAINTS_PER_HOUR",
}
# The flooder's request names (bench/locust_vandals.py), one per rate limit.
FLOOD_NAMES = {scope: f"flood: {scope}" for scope in POST_SCOPES.values()}
# Without per-visitor addresses everyone is 127.0.0.1: limits this high are never reached.
LIFTED_LIMIT = 1_000_000
# Simulated visitors' addresses start at 127.1.0.1, clear of 127.0.0.1.
FIRST_ADDRESS = 1 << 16


def client_address(n):
    """The n-th simulated visitor's loopback address: 127.1.0.1, 127.1.0.2, ..."""
    n += FIRST_ADDRESS + 1
    if n >= 1 << 24:
        raise ValueError("no loopback address left")
    return f"127.{n >> 16}.{(n >> 8) & 255}.{n & 255}"


def post_scope(method, path):
    """The scope ("comments", ...) a request stores into, or None for anything but those form posts."""
    if method.upper() != "POST":
        return None
    return POST_SCOPES.get(path.split("?", 1)[0])


def judge_status(status, expect=None):
    """None when the status is acceptable, else why the request failed.

    0 is locust's status for a connection error. `expect`, a set of statuses, is given for
    bad input, which must be refused: anything else then fails, a 2xx or 3xx included.
    """
    if not status:
        return "connection error"
    if status >= 500:
        return f"HTTP {status}"
    if expect is not None and status not in expect:
        return f"HTTP {status}, expected {'/'.join(str(s) for s in sorted(expect))}"
    return None


def is_accepted(status):
    return 200 <= status < 400
