"""Purgers at the HTTP boundary: a local HTTP server stands in for Cloudflare's API and for Varnish.

The real Varnish, with deploy/varnish/byline.vcl, is in test_varnish.py.
"""

import json
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pagecache import purgers
from pagecache.purgers import CloudflarePurger, PurgeError, VarnishPurger
from pagecache.tasks import purge_task

ZONE = "0123456789abcdef0123456789abcdef"
TOKEN = "test-purge-token"
OK = (200, {"success": True, "errors": [], "messages": [], "result": {"id": ZONE}})


class FakeServer(ThreadingHTTPServer):
    """Records every request (method, path, headers, body) and answers from a queue, then with OK."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests = []
        self.answers = []
        self.url = f"http://127.0.0.1:{self.server_address[1]}"

    def answer(self, status, body):
        self.answers.append((status, body))

    def bodies(self):
        return [json.loads(request["body"]) for request in self.requests]


class _Handler(BaseHTTPRequestHandler):
    def _record(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.server.requests.append(
            {
                "method": self.command,
                "path": self.path,
                "headers": dict(self.headers),
                "body": self.rfile.read(length).decode() if length else "",
            }
        )
        status, body = self.server.answers.pop(0) if self.server.answers else OK
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if not isinstance(body, str) else "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_BAN = do_PURGE = _record

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    server = FakeServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def cloudflare(server, settings):
    """The settings point at the fake API; no Varnish is configured."""
    settings.CLOUDFLARE_API_URL = server.url + "/client/v4"
    settings.CLOUDFLARE_ZONE_ID = ZONE
    settings.CLOUDFLARE_API_TOKEN = TOKEN
    settings.BYLINE_VARNISH_URLS = []
    return server


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Cloudflare


def test_cloudflare_purges_tags_then_files_with_the_token(cloudflare):
    done = purgers.purge(["a12", "list"], ["https://news.example.com/2026/11/a-title/"])

    assert done == [f"Cloudflare zone {ZONE}"]
    assert [(r["method"], r["path"]) for r in cloudflare.requests] == [
        ("POST", f"/client/v4/zones/{ZONE}/purge_cache"),
        ("POST", f"/client/v4/zones/{ZONE}/purge_cache"),
    ]
    for request in cloudflare.requests:
        assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"
        assert request["headers"]["Content-Type"] == "application/json"
    assert cloudflare.bodies() == [
        {"tags": ["a12", "list"]},
        {"files": ["https://news.example.com/2026/11/a-title/"]},
    ]


def test_cloudflare_sends_at_most_30_tags_or_files_a_call_each_once(cloudflare):
    tags = [f"a{n}" for n in range(65)]
    urls = [f"https://news.example.com/p{n}/" for n in range(31)]

    purgers.purge([*tags, "a0", "a1"], [*urls, urls[0]])

    assert cloudflare.bodies() == [
        {"tags": tags[:30]},
        {"tags": tags[30:60]},
        {"tags": tags[60:]},
        {"files": urls[:30]},
        {"files": urls[30:]},
    ]


def test_cloudflare_gets_addresses_as_browsers_send_them(cloudflare):
    purgers.purge([], ["https://news.example.com/tag/café/?page=2"])

    assert cloudflare.bodies() == [{"files": ["https://news.example.com/tag/caf%C3%A9/?page=2"]}]


def test_cloudflare_success_false_raises_with_its_messages(cloudflare):
    cloudflare.answer(200, api_error(1134, "Purge by tag is not allowed"))

    with pytest.raises(PurgeError) as raised:
        purgers.purge(["a12"], [])

    assert "Purge by tag is not allowed (1134)" in str(raised.value)
    assert f"Cloudflare zone {ZONE}" in str(raised.value)


def api_error(code, message):
    return {"success": False, "errors": [{"code": code, "message": message}], "messages": [], "result": None}


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (403, api_error(10000, "Authentication error"), "Authentication error (10000)"),
        (429, api_error(971, "Please wait and consider throttling your request speed"), "your request speed (971)"),
        (502, "<html><body>Bad gateway</body></html>", "not a Cloudflare API answer"),
        (200, "<html>a captive portal</html>", "not a Cloudflare API answer"),
    ],
)
def test_cloudflare_http_errors_raise_with_the_status_and_message(cloudflare, status, body, expected):
    cloudflare.answer(status, body)

    with pytest.raises(PurgeError) as raised:
        purgers.purge(["a12"], [])

    assert f"HTTP {status}" in str(raised.value)
    assert expected in str(raised.value)


def test_a_failed_call_does_not_stop_the_next_ones(cloudflare):
    cloudflare.answer(500, api_error(10001, "Internal error"))

    with pytest.raises(PurgeError, match="purge of 1 tags: HTTP 500"):
        purgers.purge(["a12"], ["https://news.example.com/"])

    assert cloudflare.bodies() == [{"tags": ["a12"]}, {"files": ["https://news.example.com/"]}]


def test_cloudflare_unreachable_raises(settings):
    settings.BYLINE_VARNISH_URLS = []
    settings.CLOUDFLARE_ZONE_ID, settings.CLOUDFLARE_API_TOKEN = ZONE, TOKEN
    settings.CLOUDFLARE_API_URL = f"http://127.0.0.1:{closed_port()}/client/v4"

    with pytest.raises(PurgeError, match="(?i)refused"):
        purgers.purge(["a12"], [])


# Varnish, as an HTTP peer (its VCL is tested against the real thing in test_varnish.py)


def test_varnish_purger_bans_tags_and_purges_each_url_with_its_host_and_scheme(server):
    VarnishPurger(server.url).purge(
        ["a12", "list"], ["https://News.Example.com/2026/11/a-title/", "http://127.0.0.1:8000/tag/café/?page=2"]
    )

    sent = [(r["method"], r["path"], r["headers"].get("X-Cache-Tags"), r["headers"]["Host"]) for r in server.requests]
    assert sent == [
        ("BAN", "/", "a12,list", server.url.removeprefix("http://")),
        ("PURGE", "/2026/11/a-title/", None, "News.Example.com"),
        ("PURGE", "/tag/caf%C3%A9/?page=2", None, "127.0.0.1:8000"),
    ]
    assert [r["headers"].get("X-Forwarded-Proto") for r in server.requests] == [None, "https", "http"]


def test_varnish_purger_splits_long_tag_lists_under_the_header_limit(server):
    tags = [f"a{n}" for n in range(2000)]

    VarnishPurger(server.url).purge(tags, [])

    headers = [r["headers"]["X-Cache-Tags"] for r in server.requests]
    assert len(headers) > 1
    assert all(len(header) <= VarnishPurger.max_header for header in headers)
    assert ",".join(headers).split(",") == tags


def test_varnish_purger_raises_on_a_refusal_after_trying_every_request(server):
    server.answer(403, "<html>Forbidden</html>")

    with pytest.raises(PurgeError, match="BAN / \\(a12\\): HTTP 403"):
        VarnishPurger(server.url).purge(["a12"], ["http://example.com/"])

    assert [r["method"] for r in server.requests] == ["BAN", "PURGE"]


def test_varnish_purger_unreachable_raises():
    with pytest.raises(PurgeError, match="(?i)refused"):
        VarnishPurger(f"http://127.0.0.1:{closed_port()}").purge([], ["http://example.com/"])


# Settings and the task


def test_configured_purgers_follow_the_settings(settings, caplog):
    settings.BYLINE_VARNISH_URLS = ["http://10.0.0.5:6081", "http://10.0.0.6:6081/"]
    settings.CLOUDFLARE_ZONE_ID, settings.CLOUDFLARE_API_TOKEN = ZONE, TOKEN
    settings.CLOUDFLARE_API_URL = "https://api.example.net/client/v4/"

    varnish_a, varnish_b, cloudflare = purgers.configured_purgers()

    assert (type(varnish_a), varnish_a.base_url) == (VarnishPurger, "http://10.0.0.5:6081")
    assert (type(varnish_b), varnish_b.base_url) == (VarnishPurger, "http://10.0.0.6:6081")
    assert type(cloudflare) is CloudflarePurger
    assert cloudflare.endpoint == f"https://api.example.net/client/v4/zones/{ZONE}/purge_cache"
    assert cloudflare.api_token == TOKEN

    settings.BYLINE_VARNISH_URLS = []
    settings.CLOUDFLARE_ZONE_ID, settings.CLOUDFLARE_API_TOKEN = "", ""
    assert purgers.configured_purgers() == []
    assert not caplog.records


def test_half_a_cloudflare_configuration_is_left_out_with_a_warning(settings, caplog):
    settings.BYLINE_VARNISH_URLS = []
    settings.CLOUDFLARE_ZONE_ID, settings.CLOUDFLARE_API_TOKEN = ZONE, ""

    with caplog.at_level(logging.WARNING, logger="pagecache.purgers"):
        assert purgers.configured_purgers() == []

    assert "CLOUDFLARE_API_TOKEN" in caplog.text


def test_purge_runs_every_purger_when_one_fails_then_raises_and_logs(cloudflare, settings, caplog):
    dead = f"http://127.0.0.1:{closed_port()}"
    settings.BYLINE_VARNISH_URLS = [dead]

    with caplog.at_level(logging.ERROR, logger="pagecache.purgers"), pytest.raises(PurgeError) as raised:
        purgers.purge(["a12"], ["https://news.example.com/2026/11/a-title/"])

    assert cloudflare.bodies() == [{"tags": ["a12"]}, {"files": ["https://news.example.com/2026/11/a-title/"]}]
    assert f"Varnish {dead}" in str(raised.value)
    assert "Cloudflare" not in str(raised.value)
    assert f"Purging Varnish {dead} failed" in caplog.text


def test_nothing_to_purge_sends_nothing(cloudflare):
    assert purgers.purge([], []) == []
    assert cloudflare.requests == []


def test_purge_task_purges_and_records_a_failure(cloudflare, settings):
    result = purge_task.enqueue(["a12"], [])

    assert result.status == "SUCCESSFUL"
    assert result.return_value == [f"Cloudflare zone {ZONE}"]
    assert cloudflare.bodies() == [{"tags": ["a12"]}]

    cloudflare.answer(403, api_error(10000, "Authentication error"))
    result = purge_task.enqueue(["a12"], [])

    assert result.status == "FAILED"
    assert result.errors[0].exception_class is PurgeError
    assert "Authentication error (10000)" in result.errors[0].traceback
