"""deploy/varnish/byline.vcl in a real Varnish (tests/pagecache/varnish.py), in front of a backend we control.

The backend answers like the app: `Cache-Control: public, max-age=0, s-maxage=300` and a Cache-Tag
header, unless a test says otherwise for a path, and counts the requests that reach it. One Varnish
serves the whole module; each test works on paths of its own.
"""

import gzip
import itertools
import re
import threading
import time
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode

import pytest

from complaints.models import Complaint
from pagecache.purgers import PurgeError, VarnishPurger
from tests.complaints.test_forms import form_data as complaint_form
from tests.factories import ArticleFactory

from .varnish import Varnish

SHARED = "public, max-age=0, s-maxage=300, must-revalidate"  # as pagecache/middleware.py sends


class Backend(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _BackendHandler)
        self.port = self.server_address[1]
        self.routes = {}
        self.seen = []
        self.probes = []  # Host headers of Varnish's health probes
        self.lock = threading.Lock()

    def serve(self, path, tags="site,list", cache_control=SHARED, **headers):
        """What `path` answers from now on (headers given as set_cookie= become Set-Cookie)."""
        route = {"Cache-Control": cache_control, "Cache-Tag": tags}
        route.update({name.replace("_", "-").title(): value for name, value in headers.items()})
        self.routes[path] = {name: value for name, value in route.items() if value is not None}

    def hits(self, path):
        """How many requests for `path` (with its query string) reached the backend."""
        with self.lock:
            return sum(1 for request in self.seen if request["path"] == path)

    def requests_for(self, path):
        with self.lock:
            return [request for request in self.seen if request["path"] == path]


class _BackendHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        server = self.server
        if self.path != "/healthz/":
            with server.lock:
                server.seen.append({"method": self.command, "path": self.path, "headers": dict(self.headers)})
                number = len(server.seen)
        else:
            number = 0
            if "X-Varnish" not in self.headers:  # the probe, not a reader's request passed through
                server.probes.append(self.headers.get("Host"))
        route = server.routes.get(self.path.partition("?")[0], {"Cache-Control": SHARED, "Cache-Tag": "site,list"})
        body = f"<p>{self.path} answer #{number}</p>\n".encode() * 20
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in route.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_HEAD = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def backend():
    server = Backend()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def varnish(backend):
    cache = Varnish(backend.port).start()
    yield cache
    cache.stop()


_paths = itertools.count()


@pytest.fixture
def page_path():
    """A path no other test uses."""
    return f"/articles/{next(_paths)}/"


def get(varnish, path, **headers):
    status, response_headers, body = varnish.request("GET", path, headers=headers)
    assert status == 200, (status, body[:300])
    return response_headers, body


def x_cache(varnish, path, **headers):
    return get(varnish, path, **headers)[0]["X-Cache"]


def test_the_health_probe_asks_healthz_with_a_host_django_allows(varnish, backend):
    for _ in range(70):
        if backend.probes:
            break
        time.sleep(0.1)
    assert backend.probes[0] == "localhost"


# Caching


def test_a_second_anonymous_get_is_a_hit_and_does_not_reach_the_app(varnish, backend, page_path):
    first, first_body = get(varnish, page_path)
    second, second_body = get(varnish, page_path)

    assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "HIT")
    assert second_body == first_body
    assert backend.hits(page_path) == 1
    assert second["Cache-Control"] == SHARED
    assert int(second["Age"]) >= 0


def test_the_cache_tags_are_for_caches_not_for_readers(varnish, page_path):
    assert "Cache-Tag" not in get(varnish, page_path)[0]
    assert get(varnish, page_path, **{"X-Cache-Debug": "1"})[0]["Cache-Tag"] == "site,list"
    # Cloudflare in front reads them for its purge by tag (and hides them itself).
    assert get(varnish, page_path, **{"CF-Ray": "8a1b2c3d4e5f-AMS"})[0]["Cache-Tag"] == "site,list"


def test_other_cookies_are_stripped_and_the_page_still_hits(varnish, backend, page_path):
    cookie = "csrftoken=abc; _ga=GA1.2.3; theme=dark"

    assert x_cache(varnish, page_path, Cookie=cookie) == "MISS"
    assert x_cache(varnish, page_path, Cookie=cookie) == "HIT"
    assert x_cache(varnish, page_path) == "HIT"
    assert backend.hits(page_path) == 1
    assert "Cookie" not in backend.requests_for(page_path)[0]["headers"]


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("GET", "{page}", {"Cookie": "sessionid=s3cr3t"}),
        ("GET", "{page}", {"Cookie": "csrftoken=abc; sessionid=s3cr3t"}),
        ("GET", "{page}", {"Cookie": "messages=W1tdXQ:1"}),
        ("GET", "{page}", {"Authorization": "Basic dXNlcjpwYXNz"}),
        ("POST", "{page}", {}),
        ("GET", "/admin/", {}),
        ("GET", "/admin/blog/article/?q=x", {}),
        ("GET", "/contribute/", {}),
        ("GET", "/contribute/status/abc123/", {}),
        ("GET", "/comments/post/", {}),
        ("POST", "/comments/post/", {}),
        ("GET", "/copyright/complaint/", {}),
        ("GET", "/preview/a-signed-token/", {}),
    ],
)
def test_editors_forms_and_posts_always_reach_the_app(varnish, backend, page_path, method, path, headers):
    path = path.format(page=page_path)
    body = b"name=x" if method == "POST" else None
    before = backend.hits(path)
    for _ in range(3):
        status, response, _body = varnish.request(method, path, headers=headers, body=body)
        assert (status, response["X-Cache"]) == (200, "MISS")

    assert backend.hits(path) - before == 3
    if "Cookie" in headers:  # the app still sees who is logged in
        assert backend.requests_for(path)[0]["headers"]["Cookie"] == headers["Cookie"]


def test_an_editor_does_not_change_what_readers_get(varnish, backend, page_path):
    assert x_cache(varnish, page_path) == "MISS"
    assert x_cache(varnish, page_path, Cookie="sessionid=s3cr3t") == "MISS"
    assert x_cache(varnish, page_path) == "HIT"
    assert backend.hits(page_path) == 2


@pytest.mark.parametrize(
    "answer",
    [
        {"set_cookie": "csrftoken=abc; Path=/"},
        {"cache_control": "private"},
        {"cache_control": "max-age=0, no-cache, no-store, must-revalidate, private"},
        {"cache_control": "no-store"},
        {"cache_control": None},  # nothing said: not shareable (Varnish alone would keep it 120 s)
        {"cache_control": "public, max-age=0"},  # fresh for 0 seconds
    ],
    ids=["set-cookie", "private", "never-cache", "no-store", "no-cache-control", "max-age-0"],
)
def test_responses_the_app_does_not_share_are_not_cached(varnish, backend, page_path, answer):
    backend.serve(page_path, **answer)
    for _ in range(3):
        assert x_cache(varnish, page_path) == "MISS"
    assert backend.hits(page_path) == 3

    # Hit-for-miss, not hit-for-pass: once the app shares the page, it is cached at once.
    backend.serve(page_path)
    assert x_cache(varnish, page_path) == "MISS"
    assert x_cache(varnish, page_path) == "HIT"
    assert backend.hits(page_path) == 4


def test_s_maxage_is_the_lifetime_then_a_short_grace(varnish, backend, page_path):
    backend.serve(page_path, cache_control="public, max-age=0, s-maxage=1, must-revalidate")
    _headers, first = get(varnish, page_path)
    assert x_cache(varnish, page_path) == "HIT"
    time.sleep(1.3)

    # Expired: the stale copy is served while one fresh copy is fetched in the background.
    headers, body = get(varnish, page_path)
    assert (headers["X-Cache"], body) == ("HIT", first)
    for _ in range(50):
        headers, body = get(varnish, page_path)
        if body != first:
            break
        time.sleep(0.05)
    assert (headers["X-Cache"], body != first) == ("HIT", True)
    assert backend.hits(page_path) == 2


def test_tracking_parameters_share_one_copy_and_the_others_are_kept_in_order(varnish, backend, page_path):
    assert x_cache(varnish, page_path + "?utm_source=newsletter&utm_medium=email") == "MISS"
    assert x_cache(varnish, page_path + "?fbclid=IwAR0abc") == "HIT"
    assert x_cache(varnish, page_path + "?utm_campaign=x&gclid=abc&utm_content=y") == "HIT"
    assert x_cache(varnish, page_path + "?mc_cid=1a2b&mc_eid=3c4d&msclkid=5e") == "HIT"
    assert x_cache(varnish, page_path) == "HIT"
    assert [request["path"] for request in backend.seen if request["path"].startswith(page_path)] == [page_path]

    assert x_cache(varnish, page_path + "?q=rain&page=2&utm_source=x") == "MISS"
    assert x_cache(varnish, page_path + "?page=2&q=rain") == "HIT"
    assert x_cache(varnish, page_path + "?page=3&q=rain") == "MISS"
    assert backend.hits(page_path + "?page=2&q=rain") == 1
    assert backend.hits(page_path + "?page=3&q=rain") == 1


def test_gzip_is_stored_once_and_unzipped_for_clients_without_it(varnish, backend, page_path):
    zipped, zipped_body = get(varnish, page_path, **{"Accept-Encoding": "br, gzip, deflate"})
    plain, plain_body = get(varnish, page_path, **{"Accept-Encoding": "identity"})
    other, _ = get(varnish, page_path, **{"Accept-Encoding": "gzip"})

    assert zipped["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain
    assert gzip.decompress(zipped_body) == plain_body
    assert (plain["X-Cache"], other["X-Cache"]) == ("HIT", "HIT")
    assert backend.hits(page_path) == 1


def test_hosts_and_schemes_are_cached_apart(varnish, backend, page_path):
    assert x_cache(varnish, page_path) == "MISS"
    assert x_cache(varnish, page_path, Host="BLOG.test:80") == "HIT"
    assert x_cache(varnish, page_path, Host="other.test") == "MISS"
    assert x_cache(varnish, page_path, **{"X-Forwarded-Proto": "https"}) == "MISS"
    assert x_cache(varnish, page_path, **{"X-Forwarded-Proto": "https"}) == "HIT"
    assert backend.hits(page_path) == 3


# Purging


def test_a_ban_by_tag_drops_exactly_the_pages_with_that_tag(varnish, backend):
    pages = {
        "/ban/first/": "a12,site,list",
        "/ban/middle/": "site,a12,list",
        "/ban/last/": "site,list,a12",
        "/ban/only/": "a12",
        "/ban/longer-number/": "site,a120,list",
        "/ban/shorter-number/": "site,a1,list",
        "/ban/other-kind/": "site,ta12,list",
        "/ban/untouched/": "site,list",
    }
    for path, tags in pages.items():
        backend.serve(path, tags=tags)
        get(varnish, path)
        assert x_cache(varnish, path) == "HIT"

    VarnishPurger(varnish.url).purge(["a12"], [])

    missed = {path for path in pages if x_cache(varnish, path) == "MISS"}
    assert missed == {"/ban/first/", "/ban/middle/", "/ban/last/", "/ban/only/"}
    assert all(x_cache(varnish, path) == "HIT" for path in pages)


def test_one_ban_takes_several_tags(varnish, backend):
    pages = {"/bans/c3/": "site,c3,list", "/bans/t7/": "site,t7", "/bans/u2/": "site,u2"}
    for path, tags in pages.items():
        backend.serve(path, tags=tags)
        get(varnish, path)

    VarnishPurger(varnish.url).purge(["c3", "t7", "m2026-11"], [])

    assert {path: x_cache(varnish, path) for path in pages} == {
        "/bans/c3/": "MISS",
        "/bans/t7/": "MISS",
        "/bans/u2/": "HIT",
    }


def test_purge_drops_one_url_for_its_host_and_scheme(varnish, backend, page_path):
    other = page_path + "other/"
    for path in (page_path, other, page_path + "?page=2&q=x"):
        get(varnish, path)
    get(varnish, page_path, Host="other.test")
    get(varnish, page_path, **{"X-Forwarded-Proto": "https"})

    VarnishPurger(varnish.url).purge([], [f"http://Blog.Test{page_path}", f"http://blog.test{page_path}?q=x&page=2"])

    assert x_cache(varnish, page_path) == "MISS"
    assert x_cache(varnish, page_path + "?page=2&q=x") == "MISS"
    assert x_cache(varnish, other) == "HIT"
    assert x_cache(varnish, page_path, Host="other.test") == "HIT"
    assert x_cache(varnish, page_path, **{"X-Forwarded-Proto": "https"}) == "HIT"

    VarnishPurger(varnish.url).purge([], [f"https://blog.test{page_path}"])
    assert x_cache(varnish, page_path, **{"X-Forwarded-Proto": "https"}) == "MISS"


@pytest.mark.parametrize(
    "tags",
    ["a12 list", "a12,", ",a12", "a12,,list", "a.*", "a12|list", "(a12)", "a_12", "", None],
)
def test_a_ban_with_a_malformed_tag_list_is_refused(varnish, backend, page_path, tags):
    backend.serve(page_path, tags="site,a12,list")
    get(varnish, page_path)

    headers = {} if tags is None else {"X-Cache-Tags": tags}
    status, _headers, _body = varnish.request("BAN", "/", headers=headers)

    assert status == 400
    assert x_cache(varnish, page_path) == "HIT"


def test_the_purger_reports_a_refused_ban(varnish):
    with pytest.raises(PurgeError, match="BAN / \\(a12,a\\.\\*\\): HTTP 400"):
        VarnishPurger(varnish.url).purge(["a12", "a.*"], [])


@pytest.mark.parametrize("method", ["PURGE", "BAN"])
def test_only_the_purgers_acl_may_purge(varnish, backend, page_path, method):
    get(varnish, page_path)

    status, _headers, _body = varnish.request(method, page_path, headers={"X-Cache-Tags": "site"}, source="127.0.0.2")

    assert status == 403
    assert x_cache(varnish, page_path) == "HIT"


# End to end: the app behind Varnish


@pytest.fixture
def site_behind_varnish(live_server, settings):
    """Varnish in front of pytest-django's live server, with the app's page cache on and purging it."""
    port = int(live_server.url.rsplit(":", 1)[1])
    cache = Varnish(port).start()
    settings.BYLINE_PAGE_CACHE_SECONDS = 3600
    settings.BYLINE_SITE_URL = live_server.url
    settings.BYLINE_VARNISH_URLS = [cache.url]
    settings.CLOUDFLARE_ZONE_ID = settings.CLOUDFLARE_API_TOKEN = ""
    yield cache
    cache.stop()


@pytest.mark.django_db(transaction=True)
def test_an_editors_change_purges_the_article_from_varnish(site_behind_varnish, live_server):
    varnish = site_behind_varnish
    article = ArticleFactory(title="Original title")
    path = article.get_absolute_url()
    host = {"Host": live_server.url.removeprefix("http://")}

    first, first_body = get(varnish, path, **host, **{"X-Cache-Debug": "1"})
    second, second_body = get(varnish, path, **host)
    assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "HIT")
    assert "Original title" in second_body.decode()
    assert f"a{article.pk}" in first["Cache-Tag"].split(",")
    assert "s-maxage=" in first["Cache-Control"]

    article.title = "Corrected title"
    article.save()  # commits; the page cache's purge task runs at once (the "immediate" task backend)

    third, third_body = get(varnish, path, **host)
    assert third["X-Cache"] == "MISS"
    assert "Corrected title" in third_body.decode()
    assert "Original title" not in third_body.decode()
    assert get(varnish, path, **host)[0]["X-Cache"] == "HIT"


# The client's address through Varnish


def send_complaint(varnish, host, article, source):
    """A copyright complaint as a reader's browser sends it, from the address `source`: the form
    (for its CSRF cookie and token), then the post. The status of the post."""
    status, headers, body = varnish.request("GET", "/copyright/complaint/", headers=host, source=source)
    assert status == 200, body[:300]
    cookie = SimpleCookie(headers["Set-Cookie"])["csrftoken"].value
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    fields = {**complaint_form(article), "csrfmiddlewaretoken": token}
    status, _headers, body = varnish.request(
        "POST",
        "/copyright/complaint/",
        headers={
            **host,
            "Cookie": f"csrftoken={cookie}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body=urlencode(fields).encode(),
        source=source,
    )
    assert status in (302, 429), (status, body[:500])
    return status


@pytest.mark.django_db(transaction=True)
def test_two_readers_behind_varnish_are_counted_apart(site_behind_varnish, live_server, settings):
    # Varnish appends the address each reader connected from to X-Forwarded-For; the app, reached
    # from Varnish on 127.0.0.1 only, believes it.
    settings.BYLINE_TRUSTED_PROXIES = ["127.0.0.1"]
    settings.BYLINE_COMPLAINTS_PER_HOUR = 2
    varnish = site_behind_varnish
    host = {"Host": live_server.url.removeprefix("http://")}
    article = ArticleFactory()

    first = [send_complaint(varnish, host, article, "127.0.0.2") for _ in range(3)]
    second = send_complaint(varnish, host, article, "127.0.0.3")

    assert first == [302, 302, 429]
    assert second == 302
    assert sorted(Complaint.objects.values_list("ip_address", flat=True)) == ["127.0.0.2", "127.0.0.2", "127.0.0.3"]


@pytest.mark.django_db(transaction=True)
def test_an_x_forwarded_for_a_reader_sends_through_varnish_changes_nothing(site_behind_varnish, live_server, settings):
    settings.BYLINE_TRUSTED_PROXIES = ["127.0.0.1"]
    settings.BYLINE_COMPLAINTS_PER_HOUR = 1
    varnish = site_behind_varnish
    host = {"Host": live_server.url.removeprefix("http://")}
    article = ArticleFactory()

    assert send_complaint(varnish, host, article, "127.0.0.2") == 302
    spoofed = {**host, "X-Forwarded-For": "198.51.100.77"}  # a new address for each post, it hopes
    assert send_complaint(varnish, spoofed, article, "127.0.0.2") == 429
    assert list(Complaint.objects.values_list("ip_address", flat=True)) == ["127.0.0.2"]
