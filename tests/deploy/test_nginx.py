"""deploy/nginx/byline.conf in a real nginx (`.ci/install-nginx`): `nginx -t` accepts it as shipped,
and run in front of a backend we control it forwards the client's address and the scheme, serves the
static files, and refuses what the app must not get.

The shipped file is changed only where a test machine must differ: the certificate (a self-signed
one made here), the ports, the upstream's port and the folders.
"""

import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings

from tests.services import HANG_SECONDS, die_with_parent, free_port, wait_or_kill

NGINX = "/usr/sbin/nginx"
CONF = Path(settings.BASE_DIR) / "deploy" / "nginx" / "byline.conf"
INSTALL_HINT = (
    f"nginx is not installed ({NGINX} is missing), so deploy/nginx/byline.conf cannot be checked. "
    "Install it with `.ci/install-nginx` (Debian's nginx-light; the script does not start the service)."
)
CERT = "/etc/letsencrypt/live/news.example.com/fullchain.pem"
KEY = "/etc/letsencrypt/live/news.example.com/privkey.pem"


@pytest.fixture
def folder():
    if not os.access(NGINX, os.X_OK):
        pytest.fail(INSTALL_HINT)
    # nginx's workers run as another user (nobody): a folder they can reach, unlike pytest's tmp_path.
    tmp_path = Path(tempfile.mkdtemp(prefix="byline-nginx-"))
    tmp_path.chmod(0o755)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=news.example.com",
         "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    yield tmp_path
    shutil.rmtree(tmp_path, ignore_errors=True)


def main_config(folder, site):
    """An nginx.conf of its own (pid, logs and temporary files in `folder`) around the site file."""
    (folder / "site.conf").write_text(site)
    temp = "".join(
        f"    {name}_temp_path {folder / name};\n" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (folder / "nginx.conf").write_text(
        f"pid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\nevents {{}}\n"
        f"http {{\n    include /etc/nginx/mime.types;\n    access_log off;\n{temp}"
        f"    include {folder / 'site.conf'};\n}}\n"
    )
    return folder / "nginx.conf"


def with_certificate(text, folder):
    text = text.replace(CERT, str(folder / "cert.pem")).replace(KEY, str(folder / "key.pem"))
    assert str(folder / "cert.pem") in text and str(folder / "key.pem") in text
    return text


def test_nginx_accepts_the_example_as_shipped(folder):
    config = main_config(folder, with_certificate(CONF.read_text(), folder))

    result = subprocess.run([NGINX, "-t", "-c", str(config)], capture_output=True, text=True)

    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


class Backend(ThreadingHTTPServer):
    """Stands in for Varnish: records the headers of each request and answers 200."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.seen = []


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.server.seen.append(dict(self.headers))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_POST = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture
def nginx(folder):
    """The example running in front of a Backend: (https port, http port, backend)."""
    backend = Backend()
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    https, plain = free_port(), free_port()
    (folder / "static").mkdir()
    (folder / "static" / "site.3f2a1b4c5d6e.css").write_text("body { color: black }\n")
    site = with_certificate(CONF.read_text(), folder)
    site = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", site)
    site = site.replace("listen 443 ssl", f"listen 127.0.0.1:{https} ssl")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{plain};")
    site = site.replace("server 127.0.0.1:6081;", f"server 127.0.0.1:{backend.server_address[1]};")
    site = site.replace("/srv/byline/staticfiles/", f"{folder / 'static'}/").replace("/srv/byline/media/", f"{folder}/")
    process = subprocess.Popen(
        [NGINX, "-c", str(main_config(folder, site)), "-g", "daemon off;"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        preexec_fn=die_with_parent,
    )  # fmt: skip
    try:
        while True:  # until it listens, or it exits
            if process.poll() is not None:
                pytest.fail(f"nginx exited: {process.stderr.read().decode()}{(folder / 'error.log').read_text()}")
            try:
                socket.create_connection(("127.0.0.1", https), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield https, plain, backend
    finally:
        process.terminate()
        wait_or_kill(process)
        backend.shutdown()
        backend.server_close()


def request(port, method, path, headers=None, body=None):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=HANG_SECONDS)
    try:
        conn.request(method, path, body=body, headers={"Host": "news.example.com", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def test_the_client_address_and_scheme_are_forwarded_after_what_the_client_sent(nginx):
    https, _plain, backend = nginx

    status, _headers, _body = request(https, "GET", "/some-article/", {"X-Forwarded-For": "198.51.100.77"})

    assert status == 200
    (seen,) = backend.seen
    # Appended, not replaced: the app reads from the right and believes only its trusted proxies.
    assert seen["X-Forwarded-For"] == "198.51.100.77, 127.0.0.1"
    assert seen["X-Real-IP"] == "127.0.0.1"
    assert seen["X-Forwarded-Proto"] == "https"
    assert seen["Host"] == "news.example.com"


def test_purge_and_ban_never_reach_varnish_from_outside(nginx):
    https, _plain, backend = nginx
    for method in ("PURGE", "BAN"):
        assert request(https, method, "/", {"X-Cache-Tags": "site"})[0] == 405
    assert backend.seen == []


def test_a_body_over_the_apps_largest_limit_is_refused_before_it_is_sent_on(nginx):
    https, _plain, backend = nginx
    body = b"x" * (40 * 1024 * 1024 + 1)

    status = request(https, "POST", "/anymail/mailgun/inbound/", {"Content-Type": "text/plain"}, body)[0]

    assert status == 413
    assert backend.seen == []
    assert request(https, "POST", "/anymail/mailgun/inbound/", {"Content-Type": "text/plain"}, b"x" * 1024)[0] == 200


def test_static_files_are_served_by_nginx_and_hashed_ones_kept_a_year(nginx):
    https, plain, backend = nginx

    status, headers, body = request(https, "GET", "/static/site.3f2a1b4c5d6e.css")

    assert (status, body) == (200, b"body { color: black }\n")
    assert headers.get_all("Cache-Control") == ["public, max-age=31536000, immutable"]
    assert backend.seen == []
    conn = http.client.HTTPConnection("127.0.0.1", plain, timeout=HANG_SECONDS)
    conn.request("GET", "/contribute/", headers={"Host": "news.example.com"})
    response = conn.getresponse()
    assert (response.status, response.headers["Location"]) == (301, "https://news.example.com/contribute/")
    conn.close()
